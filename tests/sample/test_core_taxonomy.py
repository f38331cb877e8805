"""The hand-written core taxonomy is consistent (pure: no database)."""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from matching.taxonomy import Alias, Taxonomy
from service.taxonomy.core import core_document, core_taxonomy, taxonomy_problems

#: 专业大类 of the 2021 catalogue by the first two digits of a major code (those the core uses).
CATEGORY_PREFIX = {
    "66": "装备制造大类",
    "70": "交通运输大类",
    "71": "电子与信息大类",
    "73": "财经商贸大类",
    "74": "旅游大类",
}
NAMED_MAJORS = (
    "会展服务与管理",
    "物流服务与管理",
    "西餐烹饪",
    "机电技术应用",
    "汽车运用与维修",
    "计算机应用",
    "数控技术应用",
    "电子电器应用与维修",
)


def test_core_taxonomy_has_no_problems() -> None:
    assert taxonomy_problems(core_taxonomy()) == []


def test_core_taxonomy_size_and_majors() -> None:
    tax = core_taxonomy()
    kinds = Counter(c.kind for c in tax.concepts.values())
    assert 60 <= kinds["occupation"] <= 90
    assert 120 <= kinds["skill"] <= 200
    assert 25 <= kinds["certificate"] <= 40
    names = {m.name for m in tax.majors.values()}
    assert set(NAMED_MAJORS) <= names
    assert 10 <= len(tax.majors) <= 12
    for m in tax.majors.values():
        assert len(m.code) == 6 and m.code.isdigit() and CATEGORY_PREFIX[m.code[:2]] == m.category, m
        assert 4 <= len(m.occupations) <= 8, m.name
        assert 8 <= len(m.skills) <= 15, m.name
        assert m.certificates, m.name
    # codes we could not confirm against the published catalogue say so
    assert all(isinstance(m.get("code_verified"), bool) for m in core_document()["majors"])


def test_core_taxonomy_resolves_common_shorthand() -> None:
    tax = core_taxonomy()
    cases = {
        "CNC编程": "skill.cnc-programming",
        "數控編程": "skill.cnc-programming",
        "电工证": "cert.low-voltage-electrician",
        "ＰＬＣ编程": "skill.plc-programming",
        "PLC programming": "skill.plc-programming",
        "叉车证": "cert.forklift",
        "N1叉车司机": "cert.forklift",
        "welder": "occ.welder",
        "焊工证": "cert.welding-cutting",
        "CNC machinist": "occ.cnc-lathe-operator",
        "中式烹调师证": "cert.chinese-cook",
        "物流管理1+X": "cert.1x-logistics",
    }
    for text, code in cases.items():
        hit = tax.resolve(text)
        assert hit is not None and hit.code == code, (text, hit)


def test_taxonomy_problems_finds_each_kind_of_fault() -> None:
    tax = core_taxonomy()
    concepts = list(tax.concepts.values())
    occ = next(c for c in concepts if c.kind == "occupation")
    skills = [c for c in concepts if c.kind == "skill"]
    broken_occ = dataclasses.replace(
        occ, skills=(*occ.skills, "skill.no-such-skill"), certificates=(*occ.certificates, skills[0].code)
    )
    shared = dataclasses.replace(skills[1], aliases=(*skills[1].aliases, Alias(skills[0].label)))
    wrong_kind = dataclasses.replace(skills[2], kind="certificate")
    replaced = {broken_occ.code: broken_occ, shared.code: shared, wrong_kind.code: wrong_kind}
    bad = Taxonomy([replaced.get(c.code, c) for c in concepts], tax.majors.values())
    problems = "\n".join(taxonomy_problems(bad))
    assert "unknown code skill.no-such-skill" in problems
    assert f"refers to {skills[0].code}, a skill (expected certificate)" in problems
    assert f"is shared by {', '.join(sorted((skills[0].code, skills[1].code)))}" in problems
    assert f"concept {skills[2].code}: kind 'certificate' does not match its code prefix" in problems


@pytest.mark.shared_data
def test_esco_and_onet_links_exist_in_the_published_files(shared_data: Path) -> None:
    tax = core_taxonomy()
    with (shared_data / "esco_v1_2_en" / "occupations_en.csv").open(encoding="utf-8", newline="") as fh:
        esco = {row["conceptUri"] for row in csv.DictReader(fh)}
    with (shared_data / "onet_29_2" / "Occupation Data.txt").open(encoding="utf-8") as fh:
        onet = {line.split("\t", 1)[0] for line in fh}
    linked = [c for c in tax.concepts.values() if c.esco or c.onet]
    assert len(linked) >= 30
    for c in linked:
        assert c.esco is None or c.esco in esco, c.code
        assert c.onet is None or c.onet in onet, c.code
