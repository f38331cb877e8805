"""Report figures against hand-computed values (worked case in worked_case.py), on both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.reports.build import build_report, median_salary, percent
from service.reports.compute import ReportParams, Scope, quarter_after
from service.reports.definitions import ROW_RELATIONS
from tests.reports import worked_case


def params(
    as_of: str,
    threshold: int = 1,
    cutoff: dt.datetime = worked_case.CUTOFF,
    scope: str = "all",
    cohorts: tuple[int, ...] = (2025,),
) -> ReportParams:
    return ReportParams(
        scope=Scope.parse(scope),
        cohorts=cohorts,
        as_of=dt.date.fromisoformat(as_of),
        recorded_before=cutoff,
        threshold=threshold,
    )


def total(report: dict[str, Any]) -> dict[str, Any]:
    return report["breakdowns"]["total"][0]


async def test_year_end_figures(session: AsyncSession) -> None:
    await worked_case.load(session)
    report = await build_report(session, params("2025-12-31"))
    t = total(report)
    c = t["counts"]
    # 11 graduates of 2025 who graduated by the as-of date; c1 (2024) and d1 (still studying) are out
    assert c["graduates"] == 11
    assert report["excluded_not_graduated"] == 1
    # a1 once (the later offer), a2 + a3 (one employer, two graduates), a8, b1; a4's internship is not employment
    assert c["employed"] == 5
    assert (c["employment_agreement"], c["labour_contract"], c["other_employment"]) == (1, 3, 1)
    assert (c["further_study"], c["abroad"], c["seeking"], c["not_seeking"], c["unknown"]) == (1, 1, 2, 1, 1)
    r = t["rates"]
    assert r["employment_rate"] == 54.5  # (5 + 1) / 11 = 54.545…
    assert r["placement_rate"] == 63.6  # 7 / 11 = 63.636…
    assert r["further_study_rate"] == 9.1  # 1 / 11 = 9.0909…
    assert (c["in_field"], c["not_in_field"], c["in_field_unknown"]) == (4, 0, 1)  # a8 overridden; b1 unknown
    assert r["in_field_rate"] == 80.0  # 4 / 5
    assert r["local_rate"] == 60.0  # a2, a3, a8 local; a1 (深圳 for a 广州 school), b1 (广州 for 深圳) not
    assert r["labour_contract_rate"] == 80.0  # a2, a3, b1 (category), a8 (flag); a1 unknown
    assert r["social_insurance_rate"] == 60.0  # a2, a3, b1
    assert t["salary_median"] == 4500  # 3000 3500 4500 5000 6000
    # bands include their upper edge: a8's 3000 is in 2001–3000, a1's 5000 in 4001–5000, b1's 6000 in 5001–6000
    assert [
        c[k]
        for k in (
            "salary_le2000",
            "salary_2001_3000",
            "salary_3001_4000",
            "salary_4001_5000",
            "salary_5001_6000",
            "salary_ge6001",
        )
    ] == [0, 1, 1, 2, 1, 0]
    assert r["nace_knowledge_rate"] == 90.9  # 10 / 11
    assert r["nace_career_outcomes_rate"] == 77.8  # 7 / (11 − 1 unknown − 1 not seeking) = 7 / 9
    assert (c["q2_measurable"], c["q2_employed"]) == (11, 5)  # Q4 2025 ended on the as-of date
    assert r["q2_employment_rate"] == 45.5
    assert c["q4_measurable"] == 0 and r["q4_employment_rate"] is None  # Q2 2026 not over yet


async def test_initial_date_and_cutoff(session: AsyncSession) -> None:
    await worked_case.load(session)
    initial = total(await build_report(session, params("2025-09-01")))
    # a8's job starts 10-15: on 1 September a8 is unknown; a5's further study (09-01) counts
    assert initial["counts"]["employed"] == 4 and initial["counts"]["unknown"] == 2
    assert initial["rates"]["employment_rate"] == 45.5  # (4 + 1) / 11
    assert initial["counts"]["q2_measurable"] == 0
    # with a later knowledge cut-off a6's late-recorded job counts; with the old one the report is unchanged
    later = total(await build_report(session, params("2025-12-31", cutoff=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))))
    assert later["counts"]["employed"] == 6
    again = await build_report(session, params("2025-12-31"))
    assert total(again)["counts"]["employed"] == 5
    assert again == await build_report(session, params("2025-12-31"))


async def test_breakdowns_and_other_cohorts(session: AsyncSession) -> None:
    await worked_case.load(session)
    report = await build_report(session, params("2025-12-31", cohorts=(2024, 2025)))
    by = {b: {row["key"]: row for row in rows} for b, rows in report["breakdowns"].items()}
    assert by["cohort"][2024]["counts"]["graduates"] == 1 and by["cohort"][2025]["counts"]["graduates"] == 11
    assert by["cohort"][2024]["rates"]["employment_rate"] == 100.0
    assert by["school"]["4144030001"]["counts"]["graduates"] == 3
    assert by["school"]["4144030001"]["label"] == "南山职校"
    assert by["city"]["440100"]["counts"]["graduates"] == 9 and by["city"]["440100"]["label"] == "广州市"
    assert by["county"]["440106"]["counts"]["employed"] == 5  # a1 a2 a3 a8 + c1
    assert by["major"]["740202"]["rates"]["in_field_rate"] == 0.0  # b1 unknown counts as not in field
    assert by["gender"]["female"]["counts"]["graduates"] == 5
    assert by["disadvantaged"]["yes"]["counts"]["graduates"] == 2
    school_b = await build_report(session, params("2025-12-31", scope="school:4144030001"))
    assert total(school_b)["counts"]["graduates"] == 3 and total(school_b)["rates"]["placement_rate"] == 66.7


def _published_relations(report: dict[str, Any]) -> list[list[int | None]]:
    """Every additive relation among published cells: within rows, and groups → total."""
    rels = []
    t = total(report)["counts"]
    for name, rows in report["breakdowns"].items():
        for row in rows:
            for tot, parts in ROW_RELATIONS:
                rels.append([row["counts"][tot], *(row["counts"][p] for p in parts)])
        if name != "total":
            for col in t:
                rels.append([t[col], *(row["counts"][col] for row in rows)])
    return rels


async def test_small_cells_suppressed_with_complement(session: AsyncSession) -> None:
    await worked_case.load(session)
    report = await build_report(session, params("2025-12-31", threshold=5))
    schools = report["breakdowns"]["school"]
    # the cell of 3 (school B) is hidden, and so is school A: otherwise B = total − A
    assert all(row["counts"]["graduates"] is None for row in schools)
    assert all(all(v is None for v in row["counts"].values()) for row in schools)
    t = total(report)
    assert t["counts"]["graduates"] == 11 and t["counts"]["further_study"] is None
    assert t["rates"]["employment_rate"] is None  # uses a hidden count
    assert t["rates"]["q2_employment_rate"] == 45.5 and t["salary_median"] == 4500
    for rel in _published_relations(report):
        assert sum(v is None for v in rel) != 1, rel
    for rows in report["breakdowns"].values():
        for row in rows:
            assert all(v is None or v == 0 or v >= 5 for v in row["counts"].values())


@pytest.mark.parametrize(
    ("num", "den", "expected"), [(1, 8, 12.5), (1, 3, 33.3), (2, 3, 66.7), (1, 16, 6.3), (0, 5, 0.0), (1, 0, None)]
)
def test_percent_rounds_half_up(num: int, den: int, expected: float | None) -> None:
    assert percent(num, den) == expected


def test_median_and_quarters() -> None:
    assert median_salary([3000, 4001]) == 3501  # 3500.5 rounds half up
    assert quarter_after(dt.date(2025, 6, 30), 2) == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert quarter_after(dt.date(2025, 6, 30), 4) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert quarter_after(dt.date(2025, 12, 31), 2) == (dt.date(2026, 4, 1), dt.date(2026, 6, 30))


async def test_worked_cases_one_by_one(session: AsyncSession) -> None:
    """Each "Done when" case, graduate by graduate: the event that counts (via trace, the Python
    reference) and the report's counts (computed in SQL) agree with the hand-worked values."""
    from sqlalchemy import select

    from service.destinations.models import DestinationEvent
    from service.reports.compute import load_outcomes, trace

    ids = await worked_case.load(session)
    p = params("2025-12-31")
    outcomes, _ = await load_outcomes(session, p)
    by_graduate = {o.graduate_id: o for o in outcomes}
    events = {e.id: e for e in (await session.execute(select(DestinationEvent))).scalars()}

    def counted(name: str) -> DestinationEvent | None:
        o = by_graduate[ids[name]]
        return None if o.event_id is None else events[o.event_id]

    # a graduate with two offers counts once, with the later one (20 July, 快递员, 5000 元)
    a1 = counted("a1")
    assert (a1.job_title, a1.occurred_on, a1.monthly_salary) == ("快递员", dt.date(2025, 7, 20), 5000)
    assert [g for g, _ in trace(outcomes, ("total", "total"), "employed")].count(ids["a1"]) == 1
    # two graduates at one employer are two graduates, each with their own event
    assert {counted("a2").employer_name, counted("a3").employer_name} == {"Z物流"}
    assert counted("a2").id != counted("a3").id
    assert {ids["a2"], ids["a3"]} <= {g for g, _ in trace(outcomes, ("total", "total"), "labour_contract")}
    # the internship counts as 待就业, not as employment
    assert counted("a4").internship and "seeking" in by_graduate[ids["a4"]].columns
    assert ids["a4"] not in {g for g, _ in trace(outcomes, ("total", "total"), "employed")}
    # other cohorts and graduates still studying are not in the 2025 denominator
    assert ids["c1"] not in by_graduate and ids["d1"] not in by_graduate
    # the cell of 3: school B has b1 (employed), b2 (abroad), b3 (not seeking)
    school_b = ("school", "4144030001")
    assert sorted(g for g, _ in trace(outcomes, school_b, "graduates")) == sorted(ids[n] for n in ("b1", "b2", "b3"))
    # the report (counted in SQL) agrees with the trace in every cell
    report = await build_report(session, p)
    for kind, rows in report["breakdowns"].items():
        for row in rows:
            key = ("total", "total") if kind == "total" else (kind, row["key"])
            for column, value in row["counts"].items():
                assert value == len(trace(outcomes, key, column)), (key, column)
