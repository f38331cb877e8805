"""Issue 15 item 7: an internship never replaces another outcome (rule 5 of
service.destinations.precedence), in the report's SQL, in its Python reference and on the
follow-up list, on both backends, against hand-computed values.

Internship outcomes can no longer be recorded (the API refuses them); these are rows stored before
that, written straight into the table. One school, five graduates of 2025 (graduated 2025-06-30),
as of 2025-12-31, everything recorded 2025-10-20:

i1  签劳动合同 2025-07-10 (survey, 4000 元, insured, contract), confirmed by the graduate; then an
    internship 2025-08-01 (platform hire) and another 2025-12-01 (import)  -> labour_contract
i2  internship 2025-07-15 (import) only                                  -> seeking (待就业)
i3  升学 2025-09-01 (survey); internship 2025-10-01 (self-report)         -> further_study
i4  internship 2025-07-05 (survey); 其他录用 2025-11-01 (survey, no pay)   -> other_employment
i5  nothing                                                               -> unknown

Q2 after graduation is 2025-10-01..2025-12-31 (measurable on 2025-12-31): employed during it are
i1 (the internships do not end the job) and i4 (from 11-01): 2 of 5. Q4 (2026-04..06) is not
measurable yet. Before the rule, i1's internship of 08-01 made i1 待就业 and not employed in Q2.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.auth.guards import Principal
from service.catalog.models import Major, School
from service.destinations import followup as fu
from service.destinations.models import DestinationCategory as C
from service.destinations.models import DestinationEvent, DestinationEventKind
from service.graduates.models import Gender, Graduate
from service.reports.build import build_report
from service.reports.compute import ReportParams, Scope, aggregate, load_outcomes
from service.reports.counts_sql import count_report
from service.reports.definitions import COUNT_COLUMNS
from tests.factories import places

RECORDED = dt.datetime(2025, 10, 20, tzinfo=dt.UTC)
PARAMS = ReportParams(
    scope=Scope.parse("school:4144010001"),
    cohorts=(2025,),
    as_of=dt.date(2025, 12, 31),
    recorded_before=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
)
#: The hand-computed total row (every other column 0).
EXPECTED = {
    "graduates": 5,
    "labour_contract": 1,
    "other_employment": 1,
    "further_study": 1,
    "seeking": 1,
    "unknown": 1,
    "employed": 2,
    "employed_in_jobs": 2,
    "in_field_unknown": 2,
    "not_local": 2,
    "contract": 1,
    "contract_unknown": 1,
    "insured": 1,
    "insurance_unknown": 1,
    "salary_known": 1,
    "salary_3001_4000": 1,
    "salary_unknown": 1,
    "q2_measurable": 5,
    "q2_employed": 2,
    "q2_not_employed": 3,
    "q4_unmeasurable": 5,
}


def _ev(g: Graduate, day: str, category: str, source: str, **kw: object) -> DestinationEvent:
    return DestinationEvent(
        graduate_id=g.id,
        kind=DestinationEventKind.OUTCOME,
        occurred_on=dt.date.fromisoformat(day),
        recorded_at=RECORDED,
        source=source,
        category=category,
        **kw,
    )


async def _load(session: AsyncSession) -> dict[str, Graduate]:
    session.add_all(
        [
            *places("440000", "440100", "440106"),
            Major(code="730801", name="物流服务与管理", category="财经商贸大类"),
        ]
    )
    await session.flush()
    school = School(code="4144010001", name="天河职校", region_code="440106")
    session.add(school)
    await session.flush()
    people = {
        name: Graduate(
            name=name,
            school_id=school.id,
            major_code="730801",
            student_number=f"00{i}",
            gender=Gender.FEMALE,
            graduation_date=dt.date(2025, 6, 30),
            cohort=2025,
        )
        for i, name in enumerate(("i1", "i2", "i3", "i4", "i5"))
    }
    session.add_all(people.values())
    await session.flush()
    i1, i2, i3, i4 = (people[n] for n in ("i1", "i2", "i3", "i4"))
    job = _ev(
        i1, "2025-07-10", "labour_contract", "school_survey", monthly_salary=4000, labour_contract=True,
        social_insurance=True,
    )  # fmt: skip
    session.add(job)
    await session.flush()
    session.add_all(
        [
            DestinationEvent(
                graduate_id=i1.id,
                kind=DestinationEventKind.CONFIRMATION,
                refers_to_id=job.id,
                occurred_on=job.occurred_on,
                recorded_at=RECORDED,
                source="self_report",
                category="labour_contract",
            ),
            _ev(i1, "2025-08-01", "other_employment", "platform_hire", internship=True, monthly_salary=1500),
            _ev(i1, "2025-12-01", "seeking", "import", internship=True),
            _ev(i2, "2025-07-15", "other_employment", "import", internship=True, monthly_salary=2000),
            _ev(i3, "2025-09-01", "further_study", "school_survey"),
            _ev(i3, "2025-10-01", "other_employment", "self_report", internship=True),
            _ev(i4, "2025-07-05", "labour_contract", "school_survey", internship=True),
            _ev(i4, "2025-11-01", "other_employment", "school_survey"),
        ]
    )
    await session.commit()
    return people


async def test_internships_never_replace_an_outcome_in_reports(session: AsyncSession) -> None:
    await _load(session)
    outcomes, excluded = await load_outcomes(session, PARAMS)
    python, _ = aggregate(outcomes)
    sql = await count_report(session, PARAMS)
    assert (await count_report(session, PARAMS, source="events")) == sql  # the table and the window functions
    expected = {c: EXPECTED.get(c, 0) for c in COUNT_COLUMNS}
    for counts in (python, sql.counts):
        total = {c: counts[("total", "total")].get(c, 0) for c in COUNT_COLUMNS}
        assert total == expected
    assert excluded == sql.excluded == 0
    # every row of every breakdown, cell by cell
    assert {row: {c: v.get(c, 0) for c in COUNT_COLUMNS} for row, v in python.items()} == sql.counts
    assert sql.middles[("total", "total")] == [4000]  # only i1's job pay; no internship pay
    report = await build_report(session, PARAMS, publish=False)
    rates = report["breakdowns"]["total"][0]["rates"]
    assert rates["employment_rate"] == 60.0  # (2 employed + 1 further study) / 5


async def test_follow_up_list_shows_the_job_not_the_internship(session: AsyncSession) -> None:
    people = await _load(session)
    admin = Principal(user_id=1, role=Role.ADMIN)
    day = dt.date(2025, 12, 31)
    page = (
        await fu.follow_up_page(session, admin, fu.FollowUpFilter(cohort=2025), show_phone=False, today=day)
    ).page.items
    got = {r.graduate_id: r.category for r in page}
    want = {
        people["i1"].id: C.LABOUR_CONTRACT,
        people["i2"].id: C.SEEKING,
        people["i3"].id: C.FURTHER_STUDY,
        people["i4"].id: C.OTHER_EMPLOYMENT,
        people["i5"].id: None,
    }
    assert got == want
