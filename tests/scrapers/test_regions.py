"""GB/T 2260 region list and the location resolver."""

from __future__ import annotations

import pytest

from scrapers.normalise.location import parse_location
from scrapers.regions import all_regions, get_region, region_chain, resolve_region


def test_national_list_is_complete_and_consistent() -> None:
    regions = all_regions()
    by_code = {r.code: r for r in regions}
    assert len(by_code) == len(regions) > 3000
    levels = {level: sum(r.level == level for r in regions) for level in ("province", "city", "county")}
    assert levels["province"] == 34 and levels["city"] > 330 and levels["county"] > 2800
    for r in regions:  # every parent exists and is one level up (or a province for direct counties)
        if r.level == "province":
            assert r.parent_code is None and r.code.endswith("0000")
        else:
            assert r.parent_code in by_code
            assert by_code[r.parent_code].level == ("province" if r.level == "city" else by_code[r.parent_code].level)
    assert [r.code for r in regions] == sorted(by_code)  # parents come first
    assert not any(r.name == "市辖区" for r in regions)


@pytest.mark.parametrize(
    ("code", "name", "level", "parent"),
    [
        ("440000", "广东省", "province", None),
        ("440100", "广州市", "city", "440000"),
        ("440106", "天河区", "county", "440100"),
        ("110100", "北京市", "city", "110000"),
        ("310115", "浦东新区", "county", "310100"),
        ("320583", "昆山市", "county", "320500"),
    ],
)
def test_known_codes(code: str, name: str, level: str, parent: str | None) -> None:
    record = get_region(code)
    assert record is not None and (record.name, record.level, record.parent_code) == (name, level, parent)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("上海-浦东新区", "310115"),
        ("成都·武侯区", "510107"),
        ("广州", "440100"),
        ("广州市", "440100"),
        ("广州-天河区", "440106"),
        ("北京", "110000"),
        ("北京-朝阳区", "110105"),
        ("重庆·江津区", "500116"),
        ("重庆·两江新区", "500157"),  # 2025: 江北区 and 渝北区 became 两江新区
        ("湖南省长沙市岳麓区", "430104"),
        ("长沙-岳麓区", "430104"),
        ("广东省", "440000"),
        ("广西", "450000"),
        ("吉林", "220000"),
        ("吉林市", "220200"),
        ("朝阳", "211300"),
        ("昆山", "320583"),
        ("苏州·昆山市", "320583"),
        ("黔南", "522700"),
        ("巴音郭楞", "652800"),
        ("凉山", "513400"),
        ("成都-高新区", "510100"),  # a development zone is not a division: the city is kept
        ("武汉·东湖新技术产业开发区", "420100"),
    ],
)
def test_resolve(text: str, code: str) -> None:
    record = resolve_region(text)
    assert record is not None and record.code == code


@pytest.mark.parametrize("text", [None, "", "异地招聘", "全国", "燕郊开发区", "鼓楼区", "Newark"])
def test_unresolvable_is_none(text: str | None) -> None:
    assert resolve_region(text) is None


def test_chain_and_location_names() -> None:
    assert [r.code for r in region_chain("310115")] == ["310000", "310100", "310115"]
    assert region_chain("999999") == []
    loc = parse_location("上海-浦东新区")
    assert loc is not None and (loc.region_code, loc.province, loc.city) == ("310115", "上海市", "上海市")
    loc = parse_location("昆山")
    assert loc is not None and (loc.province, loc.city) == ("江苏省", "苏州市")
    loc = parse_location("广东省")
    assert loc is not None and (loc.region_code, loc.city) == ("440000", None)
    assert parse_location("异地招聘") is None
