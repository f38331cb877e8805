"""The destinations tests' graduate (天河区, 2025 cohort) and the body of a recorded outcome."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import Major, School
from service.graduates.models import Graduate
from tests.factories import guangdong_regions


@pytest.fixture
async def graduate_id(session: AsyncSession) -> int:
    session.add_all([*guangdong_regions(), Major(code="730801", name="物流服务与管理", category="财经商贸大类")])
    await session.flush()
    school = School(code="4144010001", name="广州市交通运输职业学校", region_code="440106")
    session.add(school)
    await session.flush()
    g = Graduate(
        name="李华",
        school_id=school.id,
        major_code="730801",
        student_number="0012025001",
        graduation_date=dt.date(2025, 6, 30),
        cohort=2025,
    )
    session.add(g)
    await session.commit()
    return g.id


def _outcome(**extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "occurred_on": "2025-07-15",
        "source": "school_survey",
        "category": "labour_contract",
        "employer_name": "广州某物流公司",
        "job_title": "仓库管理员",
        "region_code": "440106",
        "monthly_salary": 4200,
        "social_insurance": True,
    }
    body.update(extra)
    return body
