"""Issue 15 item 5: suppression is for publication. A caller who may read the graduates behind a
report's cells gets exact figures (the internal view); ``view=publish`` is suppressed. Real HTTP
and both backends, on the worked case (school B: 3 graduates, b1 employed, b2 abroad, b3 not seeking)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.auth.guards import Principal
from service.catalog.models import School
from service.reports.access import may_read_rows
from service.reports.compute import Scope
from tests.reports import worked_case

B = "4144030001"
Q: dict[str, Any] = {
    "scope": f"school:{B}",
    "as_of": "2025-12-31",
    "cohort": 2025,
    "recorded_before": "2026-01-01T00:00:00Z",
}


@pytest.fixture
async def schools(session: AsyncSession) -> dict[str, int]:
    await worked_case.load(session)
    return {s.code: s.id for s in (await session.execute(select(School))).scalars()}


def test_school_staff_see_their_own_small_numbers(
    client_as: Callable[..., httpx.Client], schools: dict[str, int]
) -> None:
    staff = client_as(Role.SCHOOL, school_id=schools[B])
    internal = staff.get("/reports", params=Q)  # default threshold 5, no view asked
    assert internal.status_code == 200, internal.text
    body = internal.json()
    assert body["view"] == "internal" and "不得对外发布" in body["view_note"] and body["threshold"] is None
    t = body["breakdowns"]["total"][0]
    # exact: 3 graduates (below the threshold of 5), b1 employed, b2 abroad, b3 not seeking
    assert (t["counts"]["graduates"], t["counts"]["employed"], t["counts"]["abroad"]) == (3, 1, 1)
    assert t["rates"]["employment_rate"] == 33.3 and t["rates"]["placement_rate"] == 66.7  # 1/3, 2/3
    assert t["salary_median"] == 6000 and t["suppressed"] == []
    # the publication version of the same report hides the row of 3
    published = staff.get("/reports", params={**Q, "view": "publish"}).json()
    assert published["view"] == "publish" and published["threshold"] == 5
    assert published["breakdowns"]["total"][0]["counts"]["graduates"] is None
    assert published["breakdowns"]["total"][0]["rates"]["employment_rate"] is None
    # the downloads say which they are, in the file name and on the 说明 sheet
    xlsx = staff.get("/reports", params={**Q, "format": "xlsx", "view": "publish"})
    assert "-publish.xlsx" in xlsx.headers["content-disposition"]
    about = load_workbook(io.BytesIO(xlsx.content))["说明"]
    assert about["A1"].value == "视图 view" and about["B1"].value.startswith("publish")
    xlsx = staff.get("/reports", params={**Q, "format": "xlsx"})
    assert "-internal.xlsx" in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content))["合计"]
    assert sheet["C2"].value == 3
    # charts follow the same view
    chart = staff.get("/reports/chart", params={**Q, "metric": "employment_rate", "by": "total"}).text
    assert "33.3" in chart and "已抑制" not in chart
    published = staff.get("/reports/chart", params={**Q, "metric": "employment_rate", "by": "total", "view": "publish"})
    assert "已抑制" in published.text


def test_department_sees_its_schools_exactly(client_as: Callable[..., httpx.Client], schools: dict[str, int]) -> None:
    department = client_as(Role.DEPARTMENT, region_code="440000")
    body = department.get("/reports", params={**Q, "scope": "region:440000"}).json()
    by_school = {r["key"]: r for r in body["breakdowns"]["school"]}
    assert body["view"] == "internal" and by_school[B]["counts"]["graduates"] == 3
    published = department.get("/reports", params={**Q, "scope": "region:440000", "view": "publish"}).json()
    assert {r["key"]: r for r in published["breakdowns"]["school"]}[B]["counts"]["graduates"] is None


async def test_who_may_read_the_rows(session: AsyncSession, schools: dict[str, int]) -> None:
    def p(role: Role, school_id: int | None = None, region_code: str | None = None) -> Principal:
        return Principal(user_id=1, role=role, school_id=school_id, region_code=region_code)

    school_b, guangzhou = Scope.parse(f"school:{B}"), Scope.parse("region:440100")
    province = Scope.parse("region:440000")
    assert await may_read_rows(session, p(Role.SCHOOL, school_id=schools[B]), school_b)
    assert not await may_read_rows(session, p(Role.SCHOOL, school_id=schools["4144010001"]), school_b)
    assert not await may_read_rows(session, p(Role.SCHOOL, school_id=schools[B]), province)
    assert await may_read_rows(session, p(Role.DEPARTMENT, region_code="440000"), school_b)
    assert await may_read_rows(session, p(Role.DEPARTMENT, region_code="440000"), guangzhou)
    assert not await may_read_rows(session, p(Role.DEPARTMENT, region_code="440100"), school_b)  # 深圳's school
    assert not await may_read_rows(session, p(Role.DEPARTMENT, region_code="440100"), province)
    assert not await may_read_rows(session, p(Role.DEPARTMENT, region_code="440000"), Scope.parse("all"))
    assert await may_read_rows(session, p(Role.ADMIN), Scope.parse("all"))
    for role in (Role.GRADUATE, Role.EMPLOYER):
        assert not await may_read_rows(session, p(role, school_id=schools[B]), school_b)


async def test_snapshots_stored_before_these_definitions_still_export(
    session: AsyncSession, schools: dict[str, int], client: httpx.Client
) -> None:
    """A snapshot stored before ``view``, ``denominators``, ``unknown`` and ``salary_bands`` existed
    exports as XLSX and CSV (its 说明 sheet simply lacks those lines)."""
    import datetime as dt

    from service.reports.build import build_report
    from service.reports.compute import ReportParams
    from service.reports.models import ReportSnapshot

    data = await build_report(
        session,
        ReportParams(
            scope=Scope.parse("all"), cohorts=(2025,), as_of=dt.date(2025, 12, 31), recorded_before=worked_case.CUTOFF
        ),
    )
    for key in ("view", "view_note", "exact_audit"):
        data.pop(key)
    for key in ("denominators", "unknown", "salary_bands", "salary_bands_rule"):
        data["definitions"].pop(key)
    for rows in data["breakdowns"].values():
        for row in rows:
            row.pop("unknown_rates")
    snap = ReportSnapshot(
        scope="all",
        cohort=2025,
        period="manual",
        as_of=dt.date(2025, 12, 31),
        recorded_before=worked_case.CUTOFF,
        data=data,
    )
    session.add(snap)
    await session.commit()
    for fmt in ("xlsx", "csv"):
        r = client.get(f"/reports/snapshots/{snap.id}", params={"format": fmt})
        assert r.status_code == 200, r.text
    about = load_workbook(io.BytesIO(client.get(f"/reports/snapshots/{snap.id}", params={"format": "xlsx"}).content))
    assert about["说明"]["B1"].value == "publish"
