"""The shipped catalogue, region list and 专业类 → ISCO-08 mapping are sound, and 对口 is proposed
for catalogue majors outside the sample (pure: no database)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from scrapers.regions import all_regions, get_region, parse_regions_csv
from service.catalog.majors import (
    catalogue,
    class_occupations,
    isco_groups_of,
    major_open_to,
    parse_catalogue_csv,
    parse_isco_csv,
)
from service.destinations.infield import majors_without_mapping, propose_in_field
from service.reports.build import data_quality
from service.taxonomy.core import core_taxonomy


def test_catalogue_has_the_2021_structure() -> None:
    majors = catalogue()
    assert len(majors) == 358 and len({m.code for m in majors}) == 358  # MOE: 中职专业 358 个
    categories = {m.category_code: m.category for m in majors}
    assert sorted(categories) == [str(c) for c in range(61, 80)]  # 19 专业大类, 61–79
    assert categories["66"] == "装备制造大类" and categories["71"] == "电子与信息大类"
    assert len({m.class_code for m in majors}) == 88
    for m in majors:
        assert (
            re.fullmatch(r"\d{6}", m.code)
            and m.code.startswith(m.class_code)
            and m.class_code.startswith(m.category_code)
        ), m
    named = {m.code: m.name for m in majors}
    assert (named["660103"], named["710201"], named["720201"], named["770101"]) == (
        "数控技术应用",
        "计算机应用",
        "护理",
        "幼儿保育",
    )


def test_core_taxonomy_majors_are_catalogue_majors() -> None:
    """The eleven sample majors: code, name and 大类 exactly as the 2021 catalogue prints them."""
    by_code = {m.code: m for m in catalogue()}
    tax = core_taxonomy()
    assert len(tax.majors) == 11
    for code, m in tax.majors.items():
        assert code in by_code and (by_code[code].name, by_code[code].category) == (m.name, m.category), code
    assert by_code["740106"].name == "会展服务与管理" and by_code["710105"].name == "电子电器应用与维修"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code\n66\n", "missing column(s) name"),
        (
            "code,name\n66,装备制造大类\n660103,数控技术应用\n",
            "row 3, column code: the row of 6601 must come before 660103",
        ),
        ("code,name\n66,装备制造大类\n66011,x\n", "row 3, column code: not a 2-, 4- or 6-digit"),
        ("code,name\n66,装备制造大类\n66,again\n", "row 3, column code: 66 listed twice"),
        ("code,name\n66,\n", "row 2, column name: empty"),
        (
            "code,name,valid_from,retired_on\n66,a\n6601,b\n660199,c,2024-09-01,2023-01-01\n",
            "row 4, column retired_on: 2023-01-01 is before valid_from 2024-09-01",
        ),
        ("code,name,valid_from\n66,a\n6601,b\n660199,c,2024/09/01\n", "row 4, column valid_from: not a date"),
    ],
)
def test_bad_catalogue_rows_are_named(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_catalogue_csv(text, "majors.csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "code,name,level,parent_code\n410000,河南省,province,\n410100,郑州市,county,410000\n",
            "row 3, column level: code 410100 is a city code, not county",
        ),
        (
            "code,name,level,parent_code\n410000,河南省,province,\n420100,武汉市,city,410000\n",
            "row 3, column parent_code: 410000 cannot contain 420100",
        ),
        ("code,name,level,parent_code\n410000,河南省,province,330000\n", "row 2, column parent_code: a province"),
    ],
)
def test_bad_region_rows_are_named(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        parse_regions_csv(text, "regions.csv")


def test_region_list_vintage() -> None:
    regions = all_regions()
    assert Counter(r.level for r in regions) == {"province": 34, "city": 338, "county": 2845}
    for code, name in (
        ("440309", "龙华区"),
        ("370116", "莱芜区"),
        ("330113", "临平区"),
        ("653228", "和康县"),
        ("500157", "两江新区"),
        ("410100", "郑州市"),
    ):
        record = get_region(code)
        assert record is not None and record.name == name, code
    for gone in ("371200", "371202", "500112", "330104"):  # 莱芜市 (2019), 渝北区 (2025), 江干区 (2021)
        assert get_region(gone) is None, gone
    assert get_region("419001").parent_code == "410000"  # 济源市: under the province


def test_every_class_has_isco_groups_and_the_names_agree() -> None:
    mapping = class_occupations()
    classes = {m.class_code: m.class_name for m in catalogue()}
    assert set(mapping) == set(classes)
    for code, entry in mapping.items():
        assert entry.class_name == classes[code] and entry.isco08, code
    with pytest.raises(ValueError, match=re.escape("row 2, column isco08")):
        parse_isco_csv("class_code,class_name,isco08\n6601,机械设计制造类,72x\n", "map.csv")


@pytest.mark.shared_data
def test_isco_mapping_codes_are_isco08_groups(shared_data: Path) -> None:
    with (shared_data / "esco_v1_2_en" / "ISCOGroups_en.csv").open(encoding="utf-8", newline="") as fh:
        groups = {row["code"] for row in csv.DictReader(fh)}
    assert len([g for g in groups if len(g) == 4]) >= 430  # ISCO-08 has 436 unit groups
    for entry in class_occupations().values():
        assert set(entry.isco08) <= groups, entry
    with (shared_data / "esco_v1_2_en" / "occupations_en.csv").open(encoding="utf-8", newline="") as fh:
        esco = {row["conceptUri"]: row["iscoGroup"] for row in csv.DictReader(fh)}
    occupations = [c for c in core_taxonomy().concepts.values() if c.kind == "occupation"]
    assert occupations and all(c.isco in groups for c in occupations)
    for c in occupations:  # linked occupations carry ESCO's own ISCO-08 group
        assert c.esco is None or esco[c.esco] == c.isco, c.code


@pytest.mark.parametrize(
    ("major", "title", "expected"),
    [
        ("660102", "数控车工", True),  # 机械加工技术: 数控车工 is ISCO 7223, inside 6601's 722
        ("660302", "维修电工", True),  # 电气设备运行与控制 (6603): 7411 inside 741
        ("720201", "数控车工", False),  # 护理
        ("740203", "西点师", True),  # 中西面点 (7402): 3434 chefs
        ("730802", "叉车司机", True),  # 冷链物流服务与管理 (7308): 8344
        ("610101", "收银员", False),  # 种子生产技术
        ("660103", "焊工", False),  # a sample major keeps its own list (焊工 is not a 数控 occupation)
        ("999901", "数控车工", None),  # no 专业类 mapping
        ("660102", "董事长秘书", None),  # occupation not recognised
    ],
)
def test_in_field_is_proposed_for_catalogue_majors(major: str, title: str, expected: bool | None) -> None:
    verdict, _, reason = propose_in_field(major, None, title)
    assert verdict is expected, reason
    if expected is not None and core_taxonomy().major(major) is None:
        assert "ISCO-08" in reason and major[:4] in reason


def test_majors_without_mapping_are_listed_in_the_data_quality_section() -> None:
    assert isco_groups_of("990101") == () and majors_without_mapping(
        ["660103", "720201", "990101", "-", None, "990101"]
    ) == ["990101"]
    rows = [
        {"key": "720201", "label": "护理"},
        {"key": "990101", "label": "本省增补专业"},
        {"key": "-", "label": "专业未登记"},
    ]
    section = data_quality({"major": rows})["majors_without_in_field_mapping"]
    assert (section["count"], section["majors"]) == (1, [{"code": "990101", "name": "本省增补专业"}])


def test_a_retired_major_stays_open_to_earlier_cohorts() -> None:
    import datetime as dt

    retired = dt.date(2025, 8, 31)
    assert major_open_to(None, retired, 2025) and not major_open_to(None, retired, 2026)
    assert not major_open_to(dt.date(2023, 9, 1), None, 2022) and major_open_to(dt.date(2023, 9, 1), None, 2026)
