"""Taxonomy loading, alias resolution across scripts and languages, 对口 mapping, extraction."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any

import pytest

from matching.taxonomy import Taxonomy

#: records in the ``core_taxonomy.json`` shape that ``Taxonomy.from_records`` reads
CONCEPTS: list[Mapping[str, Any]] = [
    {
        "code": "skill.cnc-programming",
        "kind": "skill",
        "label": "数控编程",
        "lang": "zh",
        "aliases": [
            {"label": "CNC编程", "lang": "zh"},
            {"label": "CNC programming", "lang": "en"},
            {"label": "数控", "lang": "zh"},
            {"label": "CNC", "lang": "en"},
        ],
    },
    {"code": "skill.c", "kind": "skill", "label": "C", "lang": "en", "aliases": [{"label": "C语言", "lang": "zh"}]},
    {"code": "skill.csharp", "kind": "skill", "label": "C#", "lang": "en"},
    {"code": "skill.cpp", "kind": "skill", "label": "C++", "lang": "en"},
    {"code": "skill.java", "kind": "skill", "label": "Java", "lang": "en"},
    {"code": "skill.javascript", "kind": "skill", "label": "JavaScript", "lang": "en"},
    {"code": "skill.dotnet", "kind": "skill", "label": ".NET", "lang": "en"},
    {
        "code": "skill.welding",
        "kind": "skill",
        "label": "焊接",
        "lang": "zh",
        "aliases": [{"label": "welding", "lang": "en"}],
    },
    {
        "code": "cert.low-voltage-electrician",
        "kind": "certificate",
        "label": "低压电工作业证",
        "lang": "zh",
        "aliases": [{"label": "电工证", "lang": "zh"}, {"label": "low-voltage electrician certificate", "lang": "en"}],
    },
    {
        "code": "occ.welder",
        "kind": "occupation",
        "label": "焊工",
        "lang": "zh",
        "aliases": [{"label": "welder", "lang": "en"}, {"label": "電焊工", "lang": "zh"}],
        "onet": "51-4121.00",
    },
    {"code": "occ.maintenance-electrician", "kind": "occupation", "label": "维修电工", "lang": "zh"},
    {
        "code": "occ.cnc-machinist",
        "kind": "occupation",
        "label": "数控车工",
        "lang": "zh",
        "aliases": [{"label": "CNC machinist", "lang": "en"}],
        "skills": ["skill.cnc-programming"],
    },
    {
        "code": "occ.waiter",
        "kind": "occupation",
        "label": "服务员",
        "lang": "zh",
        "aliases": [{"label": "waiter", "lang": "en"}],
    },
]
MAJORS: list[Mapping[str, Any]] = [
    {
        "code": "660103",
        "name": "数控技术应用",
        "category": "装备制造大类",
        "occupations": ["occ.cnc-machinist", "occ.welder"],
        "skills": ["skill.cnc-programming"],
    }
]


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return Taxonomy.from_records(CONCEPTS, MAJORS, version="test")


def code(tax: Taxonomy, text: str, kind: str | None = None) -> str | None:
    hit = tax.resolve(text, kind)
    return hit.code if hit else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("数控", "skill.cnc-programming"),
        ("CNC", "skill.cnc-programming"),
        ("ｃｎｃ", "skill.cnc-programming"),
        ("數控編程", "skill.cnc-programming"),
        ("CNC 编程", "skill.cnc-programming"),
        ("cnc programing", "skill.cnc-programming"),  # typo, fuzzy
        ("焊工", "occ.welder"),
        ("Welder", "occ.welder"),
        ("電焊工", "occ.welder"),
        ("电工证", "cert.low-voltage-electrician"),
        ("電工證", "cert.low-voltage-electrician"),
        ("Low-voltage electrician certificate", "cert.low-voltage-electrician"),
    ],
)
def test_aliases_across_scripts_and_languages(tax: Taxonomy, text: str, expected: str) -> None:
    assert code(tax, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C#", "skill.csharp"),
        ("Ｃ＃", "skill.csharp"),
        ("C", "skill.c"),
        ("c语言", "skill.c"),
        ("C++", "skill.cpp"),
        (".NET", "skill.dotnet"),
        ("Java", "skill.java"),
        ("JAVASCRIPT", "skill.javascript"),
    ],
)
def test_protected_tokens_resolve_exactly(tax: Taxonomy, text: str, expected: str) -> None:
    hit = tax.resolve(text)
    assert hit is not None and hit.code == expected and hit.method == "exact"


@pytest.mark.parametrize("text", ["C sharp", "Javascrip", "电工", "维修", "NET", "", None, "   ", "！！", "厨师"])
def test_no_match_is_none(tax: Taxonomy, text: str | None) -> None:
    assert tax.resolve(text) is None


def test_kind_filter_and_fuzzy_resolution(tax: Taxonomy) -> None:
    assert code(tax, "焊工", "skill") is None
    assert code(tax, "welding", "skill") == "skill.welding"
    hit = tax.resolve("cnc programing")
    assert hit is not None and hit.method == "fuzzy" and 0.88 <= hit.score < 1.0
    assert tax.unresolved(["数控", "厨师", "厨师", "", "Java"]) == {"厨师": 2}


def test_in_field(tax: Taxonomy) -> None:
    assert tax.in_field("660103", "occ.cnc-machinist") is True
    assert tax.in_field("660103", "occ.waiter") is False
    assert tax.in_field("660103", "51-4121.00") is True  # O*NET code of the welder concept
    assert tax.in_field("660103", title="招聘数控车工（五险一金）") is True
    assert tax.in_field("660103", title="餐厅服务员") is False
    assert tax.in_field("660103", title="保安") is None  # title resolves to nothing
    assert tax.in_field(None, "occ.cnc-machinist") is None
    assert tax.in_field("999999", "occ.cnc-machinist") is None


def test_extract_skills_from_free_text(tax: Taxonomy) -> None:
    text = "岗位要求：熟悉C#和.NET，会JavaScript者优先；持電工證；有CNC编程经验。"
    assert tax.extract_skills(text) == [
        "skill.csharp",
        "skill.dotnet",
        "skill.javascript",
        "cert.low-voltage-electrician",
        "skill.cnc-programming",
    ]
    assert "skill.java" not in tax.extract_skills("JavaScript developer")
    assert tax.extract_skills("Java and C programming") == ["skill.java", "skill.c"]
    assert tax.extract_skills("") == []
    occupations = [r.code for r in tax.extract("招聘维修电工、焊工", "occupation")]
    assert occupations == ["occ.maintenance-electrician", "occ.welder"]


def test_bad_records_say_what_and_where() -> None:
    with pytest.raises(ValueError, match=r"concepts\[1\].*'kind'"):
        Taxonomy.from_records([CONCEPTS[0], {"code": "x", "kind": "hobby", "label": "钓鱼"}])
    with pytest.raises(ValueError, match=r"concepts\[0\].*'label'"):
        Taxonomy.from_records([{"code": "x", "kind": "skill"}])
    with pytest.raises(ValueError, match="duplicate concept code 'skill.c'"):
        Taxonomy.from_records([CONCEPTS[1], CONCEPTS[1]])
    with pytest.raises(ValueError, match=r"majors\[0\].*'name'"):
        Taxonomy.from_records(CONCEPTS, [{"code": "660103"}])


def test_core_taxonomy_file() -> None:
    if not resources.files("matching").joinpath("data/core_taxonomy.json").is_file():
        pytest.skip("matching/data/core_taxonomy.json not written yet")
    tax = Taxonomy.from_core()
    assert len(tax) > 0 and tax.version
    for c in list(tax.concepts.values())[:300]:  # every label resolves to a concept of its kind
        hit = tax.resolve(c.label, c.kind)
        assert hit is not None, c.label
    for m in tax.majors.values():
        assert m.occupations, m.code


def test_scan_never_cuts_a_protected_token() -> None:
    """``js`` (an alias of JavaScript) is not found inside ``node.js``; a label starting a
    protected token must cover it whole (``node`` does not cut ``node.js``)."""
    tax = Taxonomy.from_records(
        [
            {"code": "skill.javascript", "kind": "skill", "label": "JavaScript", "aliases": ["JS"]},
            {"code": "skill.node", "kind": "skill", "label": "Node"},
            {"code": "skill.cpp", "kind": "skill", "label": "C++"},
            {"code": "skill.c", "kind": "skill", "label": "C语言", "aliases": ["C"]},
        ]
    )
    for text in ("熟悉Node.js开发", "Node.js", "NodeJS后端", "node js", "Vue.js前端", "ASP.NET和Node.js"):
        assert tax.extract_skills(text) == [], text
    assert tax.extract_skills("熟悉JS和Node.js") == ["skill.javascript"]
    assert tax.extract_skills("熟悉C++") == ["skill.cpp"] and tax.extract_skills("熟悉C和Node") == [
        "skill.c",
        "skill.node",
    ]


@pytest.mark.parametrize(
    ("general", "specific"),
    [
        ("电工", "维修电工"),
        ("车工", "普通车工"),
        ("车工", "数控车工"),
        ("钳工", "装配钳工"),
        ("厨师", "中餐厨师"),
        ("Vue", "JavaScript"),
        ("Node.js", "JavaScript"),
        ("电工", "汽车电工"),
    ],
)
def test_related_but_different_get_different_skill_keys(general: str, specific: str) -> None:
    """The core taxonomy keeps a general job (电工) and a specialised one (维修电工) apart: each has its
    own concept, so their skill keys (:func:`matching.index.skill_key`) differ; both resolve."""
    from matching.index import skill_key

    tax = Taxonomy.from_core()
    a, b = skill_key(general, tax), skill_key(specific, tax)
    assert a and b and a.startswith("c:") and b.startswith("c:") and a != b


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("NodeJS", "Node.js"),
        ("node js", "Node.js"),
        ("數控車床", "CNC车床"),
        ("CNC车床", "数控车床操作"),
        ("電工", "电工"),
    ],
)
def test_spellings_of_one_thing_get_one_skill_key(a: str, b: str) -> None:
    from matching.index import skill_key

    tax = Taxonomy.from_core()
    assert skill_key(a, tax) == skill_key(b, tax) is not None


def test_majors_keep_the_general_jobs_in_field() -> None:
    """Splitting 电工 from 维修电工 (and 车工, 钳工, 厨师) must not make the general job 不对口 for the
    majors that lead to the specialised one."""
    tax = Taxonomy.from_core()
    for major, title in (
        ("660301", "招聘电工"),
        ("660301", "维修电工"),
        ("660103", "车工"),
        ("660103", "钳工"),
        ("740201", "厨师"),
        ("740202", "厨师"),
    ):
        assert tax.in_field(major, title=title) is True, (major, title)


def test_occupation_aliases_inside_their_label_are_reviewed() -> None:
    """An occupation alias that is part of the concept's own label (电工 in 维修电工) usually names a
    broader job, which must be a concept of its own. Those listed here were reviewed as the same job."""
    same_job = {
        ("厨房帮厨", "帮厨"),
        ("烧腊师傅", "烧腊师"),
        ("新媒体运营专员", "新媒体运营"),
        ("物流客服专员", "物流客服"),
        ("收银员", "收银"),
        ("数据录入员", "录入员"),
        ("工业机器人操作员", "机器人操作员"),
        ("前台接待员", "前台"),
        ("前台接待员", "接待员"),
        ("电商订单专员", "订单专员"),
        ("中式面点师", "面点师"),
        ("机电设备安装工", "设备安装工"),
        ("自动化设备调试员", "设备调试员"),
        ("平面设计助理", "平面设计"),
        ("平面设计助理", "设计助理"),
        ("生产线操作工", "操作工"),
        ("汽车钣金工", "钣金工"),
        ("汽车喷漆工", "喷漆工"),
        ("软件测试员", "测试员"),
        ("物流调度员", "调度员"),
        ("物流单证员", "单证员"),
        ("代理记账员", "记账员"),
        ("数控机床维修工", "机床维修"),
    }
    from vocab.text import compact

    found = set()
    for concept in Taxonomy.from_core().concepts.values():
        if concept.kind != "occupation":
            continue
        for alias in concept.aliases:
            a, label = compact(alias.label), compact(concept.label)
            if a != label and a in label:
                found.add((concept.label, alias.label))
    assert found <= same_job, sorted(found - same_job)
