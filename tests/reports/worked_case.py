"""The hand-computed worked case shared by the report tests (see test_figures.py for the sums).

School A (天河区 440106, 8 graduates of 2025, major 物流服务与管理 730801) and school B (南山区
440305, 3 graduates of 2025, major 西餐烹饪 740202); everyone graduated 2025-06-30. Recorded
at 2025-10-20 unless said otherwise.

a1  two offers: labour_contract 2025-07-10 (survey, 仓库管理员, 440106, 4000, insured) and
    employment_agreement 2025-07-20 (self-report, 快递员, 440305, 5000) -> the later one counts
a2  labour_contract at employer Z 2025-08-01, 拣货员, 440100, 3500, insured
a3  labour_contract at employer Z 2025-08-01, 拣货员, 440100, 4500, insured   (two at one employer)
a4  internship 2025-07-15 (other_employment, internship) -> counts as 待就业
a5  further_study 2025-09-01
a6  seeking 2025-07-01; later labour_contract 2025-11-01 recorded 2026-02-01 (after the cut-off)
a7  nothing recorded -> unknown
a8  other_employment 2025-10-15, 西餐厨师 (proposed not in field), 440106, 3000, contract, not insured;
    school override in_field = true
b1  labour_contract 2025-07-05, unrecognised title (对口 unknown), 440106 (not local for B), 6000, insured
b2  abroad 2025-08-10
b3  not_seeking 2025-07-01
c1  cohort 2024 of school A, employed            -> other cohort, never in the 2025 denominator
d1  cohort 2025 of school A graduating 2026-01-10 -> still studying, excluded
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import Major, School
from service.destinations.models import DestinationEvent, DestinationEventKind
from service.graduates.models import Gender, Graduate
from tests.factories import places

RECORDED = dt.datetime(2025, 10, 20, tzinfo=dt.UTC)
LATE = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
CUTOFF = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
GRADUATED = dt.date(2025, 6, 30)


def _ev(
    g: Graduate, day: str, category: str, source: str = "school_survey", recorded: dt.datetime = RECORDED, **kw: object
) -> DestinationEvent:
    return DestinationEvent(
        graduate_id=g.id,
        occurred_on=dt.date.fromisoformat(day),
        category=category,
        source=source,
        recorded_at=recorded,
        kind=DestinationEventKind.OUTCOME,
        **kw,
    )


async def load(session: AsyncSession) -> dict[str, int]:
    """Store the case; returns graduate ids by name."""
    session.add_all(
        [
            *places("440000", "440100", "440106", "440300", "440305"),
            Major(code="730801", name="物流服务与管理", category="财经商贸大类"),
            Major(code="740202", name="西餐烹饪", category="旅游大类"),
        ]
    )
    await session.flush()
    a = School(code="4144010001", name="天河职校", region_code="440106")
    b = School(code="4144030001", name="南山职校", region_code="440305")
    session.add_all([a, b])
    await session.flush()
    people: dict[str, Graduate] = {}
    spec = [
        ("a1", a, "male"),
        ("a2", a, "male"),
        ("a3", a, "male"),
        ("a4", a, "male"),
        ("a5", a, "female"),
        ("a6", a, "female"),
        ("a7", a, "female"),
        ("a8", a, "female"),
        ("b1", b, "male"),
        ("b2", b, "female"),
        ("b3", b, "male"),
    ]
    for i, (name, school, gender) in enumerate(spec):
        major = "730801" if school is a else "740202"
        people[name] = Graduate(
            name=name,
            school_id=school.id,
            major_code=major,
            student_number=f"00{i:04d}",
            gender=Gender(gender),
            graduation_date=GRADUATED,
            cohort=2025,
            disadvantaged=name in ("a1", "a7"),
        )
    people["c1"] = Graduate(
        name="c1",
        school_id=a.id,
        major_code="730801",
        student_number="009001",
        graduation_date=dt.date(2024, 6, 30),
        cohort=2024,
    )
    people["d1"] = Graduate(
        name="d1",
        school_id=a.id,
        major_code="730801",
        student_number="009002",
        graduation_date=dt.date(2026, 1, 10),
        cohort=2025,
    )
    session.add_all(people.values())
    await session.flush()
    p = people
    a8 = _ev(
        p["a8"],
        "2025-10-15",
        "other_employment",
        job_title="西餐厨师",
        region_code="440106",
        monthly_salary=3000,
        labour_contract=True,
        social_insurance=False,
        in_field=False,
    )
    session.add_all(
        [
            _ev(
                p["a1"],
                "2025-07-10",
                "labour_contract",
                job_title="仓库管理员",
                region_code="440106",
                monthly_salary=4000,
                labour_contract=True,
                social_insurance=True,
                in_field=True,
            ),
            _ev(
                p["a1"],
                "2025-07-20",
                "employment_agreement",
                source="self_report",
                job_title="快递员",
                region_code="440305",
                monthly_salary=5000,
                in_field=True,
            ),
            _ev(
                p["a2"],
                "2025-08-01",
                "labour_contract",
                employer_name="Z物流",
                job_title="拣货员",
                region_code="440100",
                monthly_salary=3500,
                labour_contract=True,
                social_insurance=True,
                in_field=True,
            ),
            _ev(
                p["a3"],
                "2025-08-01",
                "labour_contract",
                employer_name="Z物流",
                job_title="拣货员",
                region_code="440100",
                monthly_salary=4500,
                labour_contract=True,
                social_insurance=True,
                in_field=True,
            ),
            _ev(p["a4"], "2025-07-15", "other_employment", internship=True, monthly_salary=2000),
            _ev(p["a5"], "2025-09-01", "further_study"),
            _ev(p["a6"], "2025-07-01", "seeking"),
            _ev(p["a6"], "2025-11-01", "labour_contract", recorded=LATE, monthly_salary=4000, labour_contract=True),
            a8,
            _ev(
                p["b1"],
                "2025-07-05",
                "labour_contract",
                job_title="某某岗位",
                region_code="440106",
                monthly_salary=6000,
                labour_contract=True,
                social_insurance=True,
                in_field=None,
            ),
            _ev(p["b2"], "2025-08-10", "abroad"),
            _ev(p["b3"], "2025-07-01", "not_seeking"),
            _ev(p["c1"], "2024-08-01", "labour_contract", labour_contract=True),
        ]
    )
    await session.flush()
    session.add(
        DestinationEvent(
            graduate_id=p["a8"].id,
            kind=DestinationEventKind.IN_FIELD_OVERRIDE,
            refers_to_id=a8.id,
            occurred_on=dt.date(2025, 10, 20),
            source="school_review",
            category="other_employment",
            in_field=True,
            in_field_reason="实为物流园区食堂管理",
            recorded_at=dt.datetime(2025, 10, 21, tzinfo=dt.UTC),
        )
    )
    await session.commit()
    return {name: g.id for name, g in people.items()}
