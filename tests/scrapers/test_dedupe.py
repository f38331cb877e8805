"""The duplicate key: employer legal forms and branch suffixes, title notes, cities."""

from __future__ import annotations

import pytest

from scrapers.dedupe import city_key, duplicate_key, employer_key, title_key
from scrapers.items import PostingItem
from scrapers.pipeline import NO_EMPLOYER, default_pipeline
from service.taxonomy.core import core_taxonomy


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("上海浦江物业管理有限公司（浦东分公司）", "上海浦江物业管理有限责任公司"),
        ("苏州精工机械有限责任公司(吴中分公司)", "苏州精工机械有限公司"),
        ("苏州精工机械股份有限公司", "蘇州精工機械有限公司"),  # traditional characters, another legal form
        ("昆山精密机械有限公司（北京）（分公司）", "昆山精密机械"),
        ("Acme Tools Co., Ltd.", "ACME TOOLS"),
        ("Acme Tools, Inc.", "acme tools llc"),
    ],
)
def test_employer_variants_share_a_key(a: str, b: str) -> None:
    assert employer_key(a) == employer_key(b) != ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("上海浦江物业有限公司", "上海浦江物流有限公司"),
        ("昆山精密机械有限公司", "昆山精密模具有限公司"),
    ],
)
def test_different_employers_differ(a: str, b: str) -> None:
    assert employer_key(a) != employer_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("电工（长白班）", "电工"),
        ("【急招】数控车床操作工(两班倒)", "数控车床操作工"),
        ("焊工（包吃住，五险一金）", "焊 工"),
        ("Warehouse Associate (Night Shift)", "warehouse associate"),
    ],
)
def test_title_notes_are_ignored(a: str, b: str) -> None:
    assert title_key(a) == title_key(b)


@pytest.mark.parametrize(("a", "b"), [("会计（中级）", "会计（初级）"), ("电工", "维修电工"), ("C++开发", "C#开发")])
def test_titles_naming_other_jobs_differ(a: str, b: str) -> None:
    assert title_key(a) != title_key(b)


def test_city_forms_and_whole_key() -> None:
    assert city_key("上海市") == city_key("上海") and city_key("苏州市") != city_key("无锡市")
    shanghai = duplicate_key("上海浦江物业管理有限公司（浦东分公司）", "电工（长白班）", "上海市")
    assert shanghai == duplicate_key("上海浦江物业管理有限责任公司", "电工", "上海")
    assert shanghai != duplicate_key("上海浦江物业管理有限责任公司", "电工", "苏州市")  # another city
    assert shanghai != duplicate_key("上海浦江物业管理有限责任公司", "电工", "上海", "US")
    assert duplicate_key(None, "电工", "上海") is None
    assert duplicate_key(NO_EMPLOYER, "电工", "上海", no_employer=NO_EMPLOYER) is None
    assert duplicate_key("上海浦江物业管理有限公司", "电工", None) is None  # city unknown: never merged
    assert duplicate_key("有限公司", "电工", "上海") is None  # nothing left of the name


def test_pipeline_sets_the_key_and_extracts_skills() -> None:
    items = [
        PostingItem(
            source="a",
            external_id="1",
            row=2,
            title="电工（长白班）",
            employer_name="上海浦江物业管理有限公司",
            location_text="上海-浦东新区",
            description="持低压电工作业证，会PLC编程",
        ),
        PostingItem(
            source="a",
            external_id="2",
            row=3,
            title="文员",
            employer_name=None,
            location_text="上海",
            skills=["Excel", "会开飞机的超能力"],
        ),
    ]
    result = default_pipeline(core_taxonomy()).run(items)
    first, second = result.items
    assert first.duplicate_key == "CN|上海浦江物业管理|电工|上海" and first.city == "上海市"
    assert first.skills == ["低压电工作业证", "PLC编程"] and first.unknown_skills == []
    assert second.duplicate_key is None  # no employer given
    assert second.skills == ["Excel", "会开飞机的超能力"] and second.unknown_skills == ["会开飞机的超能力"]
    assert [p.as_dict() for p in first.places] == [
        {"region_code": "310115", "province": "上海市", "city": "上海市", "district": "浦东新区", "address": None}
    ]


@pytest.mark.parametrize(
    ("title", "description", "reference"),
    [
        ("数控车工", "招聘编号：SZJG-2026-017\n岗位职责：…", "SZJG-2026-017"),
        ("数控车工", "职位编号: 88123", "88123"),
        ("Welder", "Requisition ID: 2024-017. Duties…", "2024-017"),
        ("Welder - Req #12345", "", "12345"),
        ("Line Cook", "Reference: ABC-123", "ABC-123"),
        ("Line Cook", "Job ID 55812", "55812"),
        ("架构工程师岗（大数据平台方向）（J10072）", "", "J10072"),  # a code in the real 51job 2023 file
    ],
)
def test_references_are_found(title: str, description: str, reference: str) -> None:
    from scrapers.dedupe import extract_reference

    assert extract_reference(title, description) == reference


@pytest.mark.parametrize(
    ("title", "description"),
    [
        ("会计（中级）", ""),
        ("焊工（2024届）", ""),
        ("销售", "编号：无"),
        ("Job Coach", "our job is to help"),
        ("CNC操机（急招）", "包吃住"),
        ("Cook", "reference letters required"),
        ("Cook", "Prerequisites: 2024 diploma"),
        ("Cook", "prerefs 12345"),
    ],
)
def test_no_reference_where_there_is_none(title: str, description: str) -> None:
    from scrapers.dedupe import extract_reference

    assert extract_reference(title, description) is None


def test_reference_codes_leave_the_title_key_and_compare_on_their_own() -> None:
    from scrapers.dedupe import reference_key, same_requisition

    assert title_key("架构工程师岗（J10072）") == title_key("架构工程师岗") == title_key("架构工程师岗 Req #10072")
    assert reference_key(" sz-2026/017 ") == "SZ2026017" == reference_key("SZ 2026 017")
    assert same_requisition("SZ-017", "sz017") and same_requisition("SZ-017", None) and same_requisition(None, None)
    assert not same_requisition("SZ-017", "SZ-018")


def test_pipeline_fills_the_reference_from_the_text() -> None:
    items = [
        PostingItem(
            source="a",
            external_id="1",
            row=2,
            title="数控车工",
            employer_name="苏州精工机械有限公司",
            location_text="苏州",
            description="招聘编号：SZ-017",
        ),
        PostingItem(
            source="a",
            external_id="2",
            row=3,
            title="数控车工",
            employer_name="苏州精工机械有限公司",
            location_text="苏州",
            reference="GIVEN-1",
            description="招聘编号：SZ-018",
        ),
    ]
    first, second = default_pipeline(core_taxonomy()).run(items).items
    assert (first.reference, second.reference) == ("SZ-017", "GIVEN-1")
    assert first.duplicate_key == second.duplicate_key  # one key: the numbers keep them apart in the store
