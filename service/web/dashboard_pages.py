"""Dashboard pages that help decide: the drill-down province → city → county → school → major (with a
breadcrumb, the level's name in the title and links at each level), charts of every rate, the trend
over the last five cohorts, the data-quality panel per school, and the printable annual report.

Every figure comes from :func:`service.reports.build.build_report` and :mod:`service.reports.dashboard`
— the same functions as ``GET /reports``, ``/reports/trend``, ``/reports/data-quality`` and
``/reports/annual`` — so a page shows exactly what the API gives for the same scope. Readers who may
read the graduates behind the figures (:func:`service.reports.access.may_read_rows`) get exact
(internal) figures, marked as not for publication; anyone else the suppressed (publish) view and
no data-quality panel.

Who opens what: a department its own region and every level below it (a region outside it, or a
school outside it, is the 403 page); school staff their own school and its majors; the admin all.
An unknown region, school, or a major without graduates in the school's report is the 404 page.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, get
from litestar.params import PathParameter
from litestar.response import Template

from service.accounts.models import Role
from service.auth.guards import Principal, ensure_allowed, require_roles
from service.catalog.models import School
from service.catalog.regions import is_region_code
from service.catalog.service import CatalogService
from service.config import latest_today
from service.errors import NotFoundError
from service.pagination import DbSession
from service.reports.access import may_read_rows, may_read_scope
from service.reports.build import build_report
from service.reports.compute import ReportParams, Scope, default_cohort
from service.reports.dashboard import (
    CHART_METRICS,
    CHART_RATES,
    CHILD_BREAKDOWN,
    breadcrumb,
    build_annual,
    build_trend,
    data_quality_panel,
    find_row,
    may_open_region,
    region_level,
)
from service.web.common import PageDep, render

STAFF_ONLY = [require_roles(Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)]
#: A GB/T 2260 region code, 学校标识码 or 专业代码 in a path (at most 16 characters).
CodePath = Annotated[str, PathParameter(max_length=16, description="a region, school or major code")]


def report_date_params(query: Any) -> tuple[dt.date, int]:
    """``?as_of=`` (default today; a bad date falls back to today) and ``?cohort=`` (default the
    cohort the date reports on; outside 1950–2100 falls back to it), as on ``/web/dashboard``."""
    try:
        as_of = dt.date.fromisoformat(query.get("as_of", "")) if query.get("as_of") else latest_today()
    except ValueError:
        as_of = latest_today()
    if not dt.date(1950, 1, 1) <= as_of <= dt.date(2100, 12, 31):
        as_of = latest_today()
    text = query.get("cohort", "")
    cohort = int(text) if text.isdigit() and 1950 <= int(text) <= 2100 else default_cohort(as_of)
    return as_of, cohort


def _params(page: PageDep, scope: str) -> ReportParams:
    as_of, cohort = report_date_params(page.request.query_params)
    return ReportParams(
        scope=Scope.parse(scope),
        cohorts=(cohort,),
        as_of=as_of,
        recorded_before=dt.datetime.now(dt.UTC),
        threshold=5,
        salary_edges=page.request.app.state.settings.salary_edges,
    )


def level_url(kind: str, code: str, query: str, school_code: str | None = None) -> str:
    """The drill-down page of one level, keeping the cohort and as-of query."""
    if kind == "all":
        path = "/web/dashboard"
    elif kind == "school":
        path = f"/web/dashboard/school/{code}"
    elif kind == "major":
        path = f"/web/dashboard/school/{school_code}/major/{code}"
    else:
        path = f"/web/dashboard/region/{code}"
    return f"{path}?{query}"


async def _context(
    page: PageDep, db_session: DbSession, params: ReportParams, *, trend_row: tuple[str, object]
) -> dict[str, Any]:
    """The report (internal for readers of the rows, else publish), the trend of ``trend_row``, the
    download and chart links — what every drill-down page shows."""
    p = page.user
    internal = await may_read_rows(db_session, p, params.scope)
    report = await build_report(db_session, params, publish=not internal)
    trend = await build_trend(db_session, params, publish=not internal, row=trend_row, latest=report)
    query = urlencode({"as_of": params.as_of.isoformat(), "cohort": params.cohorts[0]})
    api = urlencode({"scope": str(params.scope), "as_of": params.as_of.isoformat(), "cohort": params.cohorts[0]})
    lang = "en" if page.locale == "en" else "zh"
    row_text = "total" if trend_row[0] == "total" else f"{trend_row[0]}:{trend_row[1]}"
    return {
        "report": report,
        "trend": trend,
        "internal": internal,
        "query": query,
        "as_of": params.as_of,
        "cohort": params.cohorts[0],
        "chart_rates": CHART_RATES,
        "chart_metrics": CHART_METRICS,
        "chart_base": f"/reports/chart?{api}&lang={lang}",
        "trend_chart_base": f"/reports/chart?{api}&lang={lang}&trend_years=5&{urlencode({'row': row_text})}",
        "downloads": {fmt: f"/reports?{api}&format={fmt}" for fmt in ("xlsx", "csv")},
        "publish_downloads": {fmt: f"/reports?{api}&format={fmt}&view=publish" for fmt in ("xlsx", "csv")},
        "annual_page": f"/web/dashboard/annual?{api}",
        "annual_xlsx": f"/reports/annual?{api}&format=xlsx",
        "level_url": level_url,
    }


class DashboardPages(Controller):
    path = "/web/dashboard"
    guards = STAFF_ONLY

    @get("/region/{region_code:str}")
    async def region(self, page: PageDep, db_session: DbSession, region_code: CodePath) -> Template:
        """One region's figures (a province, city or county): the summary, a table and chart of every
        rate for the next level down and for its schools (each linked to its own page), the trend of
        the last five cohorts, the data-quality panel ranking its schools, downloads and the annual
        report. 404 page for an unknown code; 403 page outside the reader's region."""
        region = await CatalogService(db_session).find_region(region_code) if is_region_code(region_code) else None
        if region is None:
            raise NotFoundError("region", region_code)
        ensure_allowed(may_open_region(page.user, region.code), f"read the figures of region {region.code}")
        params = _params(page, f"region:{region.code}")
        ctx = await _context(page, db_session, params, trend_row=("total", "total"))
        child = CHILD_BREAKDOWN[region_level(region.code)]
        tables = [(b, ctx["report"]["breakdowns"].get(b) or []) for b in (child, "school") if b]
        quality = (await data_quality_panel(db_session, page.user, ctx["report"])) if ctx["internal"] else None
        return render(
            page,
            "school/drill.html",
            level="region",
            name=region.name,
            region=region,
            school=None,
            major=None,
            crumbs=await breadcrumb(db_session, page.user, region=region.code),
            tables=[(b, rows) for b, rows in tables if rows],
            quality=quality,
            total=find_row(ctx["report"], "total", "total"),
            **ctx,
        )

    async def _school(self, page: PageDep, db_session: DbSession, school_code: CodePath) -> School:
        school = await CatalogService(db_session).find_school_by_code(school_code)
        if school is None:
            raise NotFoundError("school", school_code)
        ensure_allowed(
            await may_read_scope(db_session, page.user, Scope("school", school.code)),
            f"read the figures of school {school.code}",
        )
        return school

    @get("/school/{school_code:str}")
    async def school(self, page: PageDep, db_session: DbSession, school_code: CodePath) -> Template:
        """One school's figures: the summary, every rate by major (each major linked), the trend of
        the last five cohorts and the school's data-quality line. 404 page for an unknown school, 403
        page for a school the reader may not read (another school; a school outside the region)."""
        school = await self._school(page, db_session, school_code)
        params = _params(page, f"school:{school.code}")
        ctx = await _context(page, db_session, params, trend_row=("total", "total"))
        rows = ctx["report"]["breakdowns"].get("major") or []
        quality = (await data_quality_panel(db_session, page.user, ctx["report"])) if ctx["internal"] else None
        return render(
            page,
            "school/drill.html",
            level="school",
            name=school.name,
            region=None,
            school=school,
            major=None,
            crumbs=await breadcrumb(db_session, page.user, school=school),
            tables=[("major", rows)] if rows else [],
            quality=quality,
            total=find_row(ctx["report"], "total", "total"),
            **ctx,
        )

    @get("/school/{school_code:str}/major/{major_code:str}")
    async def major(
        self, page: PageDep, db_session: DbSession, school_code: CodePath, major_code: CodePath
    ) -> Template:
        """One major of one school: its figures (the school report's row for the major), salary bands
        and its trend over the last five cohorts. 404 page when the major has no graduates in the
        school's report for the cohort (or does not exist)."""
        school = await self._school(page, db_session, school_code)
        params = _params(page, f"school:{school.code}")
        ctx = await _context(page, db_session, params, trend_row=("major", major_code))
        row = find_row(ctx["report"], "major", major_code)
        if row is None:
            raise NotFoundError("major", major_code)
        stored = await CatalogService(db_session).find_major(major_code)
        major = stored or SimpleNamespace(code=major_code, name=row["label"])  # "-": 专业未登记
        return render(
            page,
            "school/drill.html",
            level="major",
            name=f"{school.name} · {row['label']}",
            region=None,
            school=school,
            major=major,
            crumbs=await breadcrumb(db_session, page.user, school=school, major=major),
            tables=[],
            quality=None,
            total=row,
            **ctx,
        )

    @get("/annual")
    async def annual(self, page: PageDep, db_session: DbSession) -> Template:
        """The annual report (中职毕业生就业质量年度报告) of ``?scope=`` (default the reader's own: their
        school, region, or everything for the admin) as a printable page: the same tables and
        definitions as ``GET /reports/annual`` (print CSS; the browser saves it as PDF). 403 page for a
        scope the reader may not read; a malformed scope is the reader's own."""
        from service.web.school_pages import report_scope

        own, _ = await report_scope(db_session, page.user)
        text = page.request.query_params.get("scope") or own
        try:
            scope = Scope.parse(text)
        except ValueError:
            scope = Scope.parse(own)
        ensure_allowed(await may_read_scope(db_session, page.user, scope), f"read the figures of scope {scope}")
        params = _params(page, str(scope))
        internal = await may_read_rows(db_session, page.user, scope)
        annual = await build_annual(db_session, params, publish=not internal)
        api = urlencode({"scope": str(scope), "as_of": params.as_of.isoformat(), "cohort": params.cohorts[0]})
        return render(
            page,
            "school/annual.html",
            annual=annual,
            report=annual["report"],
            trend=annual["trend"],
            internal=internal,
            xlsx=f"/reports/annual?{api}&format=xlsx",
            publish_xlsx=f"/reports/annual?{api}&format=xlsx&view=publish",
            as_of=params.as_of,
            cohort=params.cohorts[0],
            scope=str(scope),
        )


def principal_root(p: Principal, school: School | None) -> str | None:
    """The reader's top drill-down page: their region (department), their school (school staff),
    ``None`` for the admin (whose top is ``/web/dashboard``)."""
    if p.role is Role.DEPARTMENT and p.region_code:
        return f"/web/dashboard/region/{p.region_code}"
    if p.role is Role.SCHOOL and school is not None:
        return f"/web/dashboard/school/{school.code}"
    return None
