"""The roster tests' school (:data:`SCHOOL`, 天河区) with its places and two 专业."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import Major, School
from tests.factories import guangdong_regions

SCHOOL = "4144010001"


@pytest.fixture
async def school(session: AsyncSession) -> int:
    """:func:`add_school`."""
    return await add_school(session)


async def add_school(session: AsyncSession) -> int:
    """Tianhe's school :data:`SCHOOL` (with its places and two 专业), committed; returns its id."""
    session.add_all(
        [
            *guangdong_regions(),
            Major(code="730801", name="物流服务与管理", category="财经商贸大类"),
            Major(code="740202", name="西餐烹饪", category="旅游大类"),
        ]
    )
    await session.flush()
    s = School(code=SCHOOL, name="天河职校", region_code="440106")
    session.add(s)
    await session.commit()
    return s.id
