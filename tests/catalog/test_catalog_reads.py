"""The catalog's small reads the web pages use (issue 19: the pages query only through the domains),
on both backends: region names, the place lists, unknown places, the school lists."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import true
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import Region, RegionLevel, School
from service.catalog.service import CatalogService
from tests.factories import guangdong_regions


async def _world(session: AsyncSession) -> None:
    session.add_all(
        [
            *guangdong_regions(guangxi=True),
            # retired by a later code list: stored values may still carry it
            Region(
                code="440199",
                name="旧区",
                level=RegionLevel.COUNTY,
                parent_code="440100",
                retired_on=dt.date(2020, 1, 1),
            ),
            Region(
                code="440900", name="旧市", level=RegionLevel.CITY, parent_code="440000", retired_on=dt.date(2020, 1, 1)
            ),
            School(code="4145010001", name="南宁一职", region_code="450100"),
            School(code="4144010002", name="广州B校", region_code="440106"),
            School(code="4144010001", name="广州A校", region_code="440106"),
        ]
    )
    await session.flush()


async def test_region_names_include_retired_codes_and_leave_out_unknown_ones(session: AsyncSession) -> None:
    await _world(session)
    catalog = CatalogService(session)
    assert await catalog.region_names(["440100", "440199", "999999", ""]) == {"440100": "广州市", "440199": "旧区"}
    assert await catalog.region_names([]) == {}


async def test_provinces_and_cities_with_one_province_s_counties_and_a_kept_code(session: AsyncSession) -> None:
    await _world(session)
    catalog = CatalogService(session)
    assert [c for c, _, _ in await catalog.provinces_and_cities()] == [
        "440000",
        "440100",
        "440900",
        "450000",
        "450100",
    ]
    assert [c for c, _, _ in await catalog.provinces_and_cities(counties_of="44", keep="440199")] == [
        "440000",
        "440100",
        "440106",
        "440199",
        "440900",
        "450000",
        "450100",
    ]
    current = await catalog.provinces_and_cities(include_retired=False)
    assert current[:2] == [("440000", "广东省", RegionLevel.PROVINCE), ("440100", "广州市", RegionLevel.CITY)]
    assert "440900" not in {c for c, _, _ in current}


async def test_unknown_regions_accept_codes_and_names_without_their_suffix(session: AsyncSession) -> None:
    await _world(session)
    unknown = await CatalogService(session).unknown_regions(["广州", "440106", "南宁市", "火星", "123456"])
    assert unknown == ["火星", "123456"]


async def test_school_lists(session: AsyncSession) -> None:
    await _world(session)
    catalog = CatalogService(session)
    # by region code, then name: Guangzhou's schools before Nanning's
    assert [name for _, name in await catalog.school_choices()] == ["广州A校", "广州B校", "南宁一职"]
    guangzhou = School.region_code.startswith("4401")
    assert await catalog.school_codes_and_names(guangzhou) == [("4144010001", "广州A校"), ("4144010002", "广州B校")]
    assert len(await catalog.school_codes_and_names(true())) == 3
    first = await catalog.find_school_by_code("4145010001")
    assert first is not None and first.name == "南宁一职"
    assert await catalog.find_school(first.id) is first
    assert await catalog.find_school(None) is None and await catalog.find_school_by_code("0000000000") is None
