"""Issue 15 items 1 and 3 against hand computations (worked case of worked_case.py plus a few
graduates), on both backends: the job-quality rates divide by 直接就业 in jobs (not 应征义务兵), and
an unrecorded social insurance or contract is not a "no"; a rate mostly unrecorded is unknown;
salary bands (item 2) include their upper edge and their edges are a setting."""

from __future__ import annotations

import msgspec
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.catalog.models import School
from service.config import Settings
from service.db import make_engine, make_sessionmaker
from service.graduates.models import Gender, Graduate
from service.reports.build import build_report
from service.reports.definitions import band_of, parse_salary_edges, salary_bands
from service.reports.export import to_csv
from tests.conftest import LiveServer, create_account, run_async
from tests.harness import http_client
from tests.reports import worked_case
from tests.reports.test_figures import params, total


async def _add(session: AsyncSession, school_code: str, name: str, category: str, **event: object) -> None:
    school = (await session.execute(select(School).where(School.code == school_code))).scalar_one()
    g = Graduate(
        name=name,
        school_id=school.id,
        major_code="730801" if school_code.startswith("414401") else "740202",
        student_number=f"77{name}",
        gender=Gender.MALE,
        graduation_date=worked_case.GRADUATED,
        cohort=2025,
    )
    session.add(g)
    await session.flush()
    session.add(worked_case._ev(g, "2025-09-01", category, "school_survey", worked_case.RECORDED, **event))
    await session.commit()


async def test_job_rates_leave_out_conscripts(session: AsyncSession) -> None:
    await worked_case.load(session)
    # m1 enlists (应征义务兵): counted in 就业率, not in the job-quality rates' denominator
    await _add(session, "4144010001", "m1", "military", region_code="440106")
    report = await build_report(session, params("2025-12-31"))
    t = total(report)
    c, r = t["counts"], t["rates"]
    assert (c["graduates"], c["employed"], c["military"], c["employed_in_jobs"]) == (12, 6, 1, 5)
    assert r["employment_rate"] == 58.3  # (6 employed incl. m1 + 1 further study) / 12 = 58.33…
    assert r["in_field_rate"] == 80.0  # a1 a2 a3 a8 / (a1 a2 a3 a8 b1) = 4 / 5; with m1 it would be 4/6 = 66.7
    assert r["local_rate"] == 60.0  # a2 a3 a8 / 5 (m1's 440106 does not count: no job); 3/6 = 50.0 with m1
    assert r["labour_contract_rate"] == 80.0  # a2 a3 a8 b1 / 5
    assert r["social_insurance_rate"] == 60.0  # a2 a3 b1 / 5; a1 unrecorded (1 of 5: not mostly unknown)
    assert (c["in_field"] + c["not_in_field"] + c["in_field_unknown"]) == 5
    school_a = {row["key"]: row for row in report["breakdowns"]["school"]}["4144010001"]
    assert school_a["rates"]["in_field_rate"] == 100.0  # a1 a2 a3 a8 / 4 (m1 out); 4/5 = 80.0 with m1
    # every denominator is stated in the definitions
    dens = report["definitions"]["denominators"]
    for name in ("in_field_rate", "local_rate", "labour_contract_rate", "social_insurance_rate"):
        assert "直接就业(不含应征义务兵)" in dens[name] and "employed_in_jobs" in dens[name]
    assert dens["employment_rate"] == "就业率: 毕业生数 (graduates)"
    assert set(dens) == set(report["definitions"]["rates"])


async def test_unrecorded_insurance_is_unknown_not_no(session: AsyncSession) -> None:
    await worked_case.load(session)
    # three more of school B employed with a contract, social insurance not recorded
    for name in ("b4", "b5", "b6"):
        await _add(session, "4144030001", name, "other_employment", labour_contract=True)
    report = await build_report(session, params("2025-12-31"))
    t = total(report)
    c = t["counts"]
    assert (c["employed_in_jobs"], c["insured"], c["not_insured"], c["insurance_unknown"]) == (8, 3, 1, 4)
    assert (c["contract"], c["no_contract"], c["contract_unknown"]) == (7, 0, 1)  # a1's contract unrecorded
    # total: 4 of 8 unrecorded is not more than half -> published, 3 / 8
    assert t["rates"]["social_insurance_rate"] == 37.5 and t["unknown_rates"] == []
    assert t["rates"]["labour_contract_rate"] == 87.5  # 7 / 8
    # school B: b1 insured, b4 b5 b6 unrecorded: 3 of 4 unrecorded -> unknown (not 1/4 = 25.0 %)
    school_b = {row["key"]: row for row in report["breakdowns"]["school"]}["4144030001"]
    assert school_b["counts"]["not_insured"] == 0 and school_b["counts"]["insurance_unknown"] == 3
    assert school_b["rates"]["social_insurance_rate"] is None
    assert school_b["unknown_rates"] == ["social_insurance_rate"]
    assert school_b["rates"]["labour_contract_rate"] == 100.0  # b1 b4 b5 b6 all recorded with a contract
    assert "50%" in report["definitions"]["unknown"]
    line = next(row for row in to_csv(report).decode("utf-8-sig").splitlines() if row.startswith("学校,4144030001"))
    assert "未知" in line.split(",")


def test_salary_bands_include_their_upper_edge() -> None:
    bands = salary_bands((2000, 3000, 4000))
    assert [(col, label) for col, label, _, _ in bands] == [
        ("salary_le2000", "2000元及以下"),
        ("salary_2001_3000", "2001–3000元"),
        ("salary_3001_4000", "3001–4000元"),
        ("salary_ge4001", "4001元及以上"),
    ]
    assert [band_of(v, bands) for v in (0, 2000, 2001, 3000, 3001, 4000, 4001)] == [
        "salary_le2000",
        "salary_le2000",
        "salary_2001_3000",
        "salary_2001_3000",
        "salary_3001_4000",
        "salary_3001_4000",
        "salary_ge4001",
    ]
    assert parse_salary_edges(" 2500, 4000 ") == (2500, 4000)
    for bad in ("", "3000,2000", "3000,3000", "0,1000", "3k", "-1"):
        with pytest.raises(ValueError, match="VOCMATCH_REPORT_SALARY_BANDS"):
            Settings(report_salary_bands=bad)


def test_band_edges_are_a_setting(settings: Settings) -> None:
    """Over HTTP: an app configured with edges 3000,5000 prints those bands (and keeps the median)."""
    run_async(lambda: _load_worked_case(settings))
    custom = msgspec.structs.replace(settings, report_salary_bands="3000,5000")
    _, token = create_account(custom, Role.ADMIN)
    with (
        LiveServer(custom) as live,
        http_client(base_url=live.base_url, timeout=30, headers={"Authorization": f"Bearer {token}"}) as c,
    ):
        r = c.get(
            "/reports",
            params={
                "scope": "all",
                "as_of": "2025-12-31",
                "cohort": 2025,
                "threshold": 1,
                "recorded_before": worked_case.CUTOFF.isoformat(),
            },
        )
        assert r.status_code == 200, r.text
        report = r.json()
        csv_text = c.get(
            "/reports",
            params={
                "scope": "all",
                "as_of": "2025-12-31",
                "cohort": 2025,
                "threshold": 1,
                "recorded_before": worked_case.CUTOFF.isoformat(),
                "format": "csv",
            },
        ).content.decode("utf-8-sig")
    t = total(report)
    # salaries 3000 (a8), 3500 (a2), 4500 (a3), 5000 (a1), 6000 (b1)
    assert [(b["label"], t["counts"][b["column"]]) for b in report["definitions"]["salary_bands"]] == [
        ("3000元及以下", 1),
        ("3001–5000元", 3),
        ("5001元及以上", 1),
    ]
    assert t["salary_median"] == 4500
    assert "起薪3001–5000元" in csv_text.splitlines()[0]


async def _load_worked_case(settings: Settings) -> None:
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as s:
            await worked_case.load(s)
    finally:
        await engine.dispose()
