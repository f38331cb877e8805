"""Fixtures shared by this package's test modules."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import Major, Region, RegionLevel, School

SCHOOL = "4144010001"


@pytest.fixture
async def school(session: AsyncSession) -> int:
    """:func:`add_school`."""
    return await add_school(session)


async def add_school(session: AsyncSession) -> int:
    """Tianhe's school :data:`SCHOOL` (with its places and two 专业), committed; returns its id."""
    session.add_all(
        [
            Region(code="440000", name="广东省", level=RegionLevel.PROVINCE),
            Region(code="440100", name="广州市", level=RegionLevel.CITY, parent_code="440000"),
            Region(code="440106", name="天河区", level=RegionLevel.COUNTY, parent_code="440100"),
            Major(code="730801", name="物流服务与管理", category="财经商贸大类"),
            Major(code="740202", name="西餐烹饪", category="旅游大类"),
        ]
    )
    await session.flush()
    s = School(code=SCHOOL, name="天河职校", region_code="440106")
    session.add(s)
    await session.commit()
    return s.id
