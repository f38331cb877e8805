"""School and department pages: the employment dashboard (就业率, 对口就业率, starting salary by
major and cohort — and by city, county and school for a department — with the definitions),
the latest recorded destinations, report downloads, and the roster upload with its validation report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Template

from service.accounts.models import Role
from service.auth.guards import Principal, can_manage_school, can_read_figures, ensure_allowed, require_roles
from service.auth.scoping import schools_clause
from service.catalog.models import School
from service.catalog.service import CatalogService
from service.config import latest_today
from service.destinations.service import DestinationService
from service.pagination import DbSession, IdPath
from service.reports.access import may_read_rows
from service.reports.build import build_report
from service.reports.compute import ReportParams, Scope, default_cohort
from service.reports.dashboard import CHART_METRICS
from service.rosters.controllers import MAX_FILE_BYTES, MAX_UPLOAD_BODY_BYTES, template_response
from service.rosters.history import list_uploads, school_for, upload_detail
from service.rosters.service import RosterFileError
from service.rosters.template import COLUMNS, catalogue_major_names
from service.web.common import PageDep, render
from service.web.dashboard_pages import level_url, principal_root
from service.web.roster_texts import column_text, file_error_text, reason_text

STAFF_ONLY = [require_roles(Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)]
#: Breakdowns shown as tables, per role (a department compares places and schools).
TABLES = {
    Role.SCHOOL: ("major", "cohort"),
    Role.DEPARTMENT: ("city", "county", "school", "major", "cohort"),
    Role.ADMIN: ("province", "city", "school", "major", "cohort"),
}
RATE_NAMES = ("employment_rate", "in_field_rate")
#: Rejected cells listed on the page (the API's report lists all): enough to see what is wrong.
SHOWN_REJECTIONS = 500
#: Uploads listed on the history page (the API pages through all).
HISTORY_SHOWN = 100
#: the latest recorded destinations on the dashboard
LATEST_SHOWN = 10
SchoolQ = Annotated[str | None, QueryParameter(name="school", pattern=r"^[0-9A-Za-z]{1,16}$", description="学校标识码")]
HistoryPageQ = Annotated[int, QueryParameter(name="page", ge=1, le=100_000)]


async def report_scope(db_session: DbSession, p: Principal) -> tuple[str, School | None]:
    """The report scope of a staff member: ``school:<code>``, ``region:<code>`` or ``all``."""
    if p.role is Role.SCHOOL:
        school = await CatalogService(db_session).find_school(p.school_id)
        ensure_allowed(school is not None and can_read_figures(p, school=school), "read these figures")
        assert school is not None
        return f"school:{school.code}", school
    if p.role is Role.DEPARTMENT:
        ensure_allowed(can_read_figures(p, region_code=p.region_code), "read these figures")
        return f"region:{p.region_code}", None
    ensure_allowed(can_read_figures(p), "read these figures")
    return "all", None


@dataclass
class RosterForm:
    """The upload form: the roster file (.xlsx/.csv) and whether to store the valid rows anyway."""

    data: UploadFile
    valid_rows_only: str | None = None


class SchoolPages(Controller):
    path = "/web"
    guards = STAFF_ONLY

    @get("/dashboard")
    async def dashboard(self, page: PageDep, db_session: DbSession) -> Template:
        """The figures of the caller's school (region, or everything for the admin) for the cohort
        of ``?cohort=`` (default: the one ``as_of`` reports on) as of ``?as_of=`` (default today),
        exact (the internal view) for callers who may read the graduates behind the figures, else with
        small cells suppressed; links to both the downloads and the "publish" (suppressed) downloads, as
        ``GET /reports?view=…``; and the ten latest recorded destinations
        of the graduates the caller may see (each listed graduate gets a ``read`` audit event,
        object type ``destination_list``, as ``GET /graduates`` does)."""
        p = page.user
        query = page.request.query_params
        try:
            as_of = dt.date.fromisoformat(query.get("as_of", "")) if query.get("as_of") else latest_today()
        except ValueError:
            as_of = latest_today()
        cohort_text = query.get("cohort", "")
        cohort = (
            int(cohort_text) if cohort_text.isdigit() and 1950 <= int(cohort_text) <= 2100 else default_cohort(as_of)
        )
        scope, school = await report_scope(db_session, p)
        params = ReportParams(
            scope=Scope.parse(scope),
            cohorts=(cohort,),
            as_of=as_of,
            recorded_before=dt.datetime.now(dt.UTC),
            threshold=5,
            salary_edges=page.request.app.state.settings.salary_edges,
        )
        # exact figures for those who may read the graduates behind them (the staff of their own
        # school or region, the admin); the page and the "publish" downloads say which is which
        internal = await may_read_rows(db_session, p, params.scope)
        report = await build_report(db_session, params, publish=not internal)
        latest = await DestinationService(db_session, p, page.request).latest_outcomes(LATEST_SHOWN)
        tables = [(name, report["breakdowns"][name]) for name in TABLES[p.role] if report["breakdowns"].get(name)]
        query_base = f"scope={scope}&as_of={as_of.isoformat()}&cohort={cohort}"
        downloads = {fmt: f"/reports?{query_base}&format={fmt}" for fmt in ("xlsx", "csv")}
        publish_downloads = {fmt: f"/reports?{query_base}&format={fmt}&view=publish" for fmt in ("xlsx", "csv")}
        chart_base = f"/reports/chart?{query_base}"  # + &metric=…&by=… (SVG, GET /reports/chart)
        metric = query.get("metric", "")
        metric = metric if metric in CHART_METRICS else "employment_rate"
        date_query = urlencode({"as_of": as_of.isoformat(), "cohort": cohort})
        return render(
            page,
            "school/dashboard.html",
            report=report,
            total=(report["breakdowns"]["total"] or [None])[0],
            tables=tables,
            rate_names=RATE_NAMES,
            latest=latest,
            school=school,
            scope=scope,
            as_of=as_of,
            cohort=cohort,
            downloads=downloads,
            publish_downloads=publish_downloads,
            chart_base=chart_base,
            metric=metric,
            chart_metrics=CHART_METRICS,
            date_query=date_query,
            level_url=level_url,
            drill_root=principal_root(p, school),
            annual_page="/web/dashboard/annual?"
            + urlencode({"scope": scope, "as_of": as_of.isoformat(), "cohort": cohort}),
        )

    async def _school(self, page: PageDep, db_session: DbSession) -> School:
        school = await CatalogService(db_session).find_school(page.user.school_id) if page.user.school_id else None
        ensure_allowed(school is not None and can_manage_school(page.user, school), "upload rosters")
        assert school is not None
        return school

    @get("/roster")
    async def roster_form(self, page: PageDep, db_session: DbSession) -> Template:
        """The roster upload form (school staff only: 403 page for other roles)."""
        return render(
            page,
            "school/roster.html",
            school=await self._school(page, db_session),
            report=None,
            error=None,
            columns=COLUMNS,
        )

    @post("/roster", status_code=200, request_max_body_size=MAX_UPLOAD_BODY_BYTES)
    async def roster_upload(
        self,
        page: PageDep,
        db_session: DbSession,
        data: Annotated[RosterForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template:
        """Import the uploaded roster (as ``POST /schools/{code}/rosters``) and show the validation
        report: rows read, created, updated, unchanged, and each rejected cell (row, column,
        reason). 200 when rows were stored; 422 (nothing stored, the transaction rolls back) otherwise."""
        school = await self._school(page, db_session)
        content = await data.data.read()
        filename = data.data.filename or "roster"
        if len(content) > MAX_FILE_BYTES:
            return render(
                page,
                "school/roster.html",
                status_code=413,
                school=school,
                report=None,
                error=page.gettext("The file is larger than 50 MB."),
                columns=COLUMNS,
            )
        try:
            report = await page.request.app.state.roster_workers.import_roster(
                content, filename, school.code, bool(data.valid_rows_only), actor=page.user, request=page.request
            )
        except RosterFileError as exc:
            return render(
                page,
                "school/roster.html",
                status_code=422,
                school=school,
                report=None,
                error=file_error_text(page.tr, exc),
                columns=COLUMNS,
            )
        return render(
            page,
            "school/roster.html",
            status_code=200 if report.written else 422,
            school=school,
            report=report,
            error=None,
            shown_rejections=SHOWN_REJECTIONS,
            columns=COLUMNS,
            reason_of=lambda e: reason_text(page.tr, e),
            column_of=lambda e: column_text(page.tr, page.locale, e),
        )

    @get("/roster/template")
    async def roster_template(self, page: PageDep, db_session: DbSession) -> Response[bytes]:
        """The roster template (.xlsx) as ``GET /rosters/template`` gives it (staff)."""
        return template_response(await catalogue_major_names(db_session))

    @get("/roster/history")
    async def roster_history(
        self, page: PageDep, db_session: DbSession, school_code: SchoolQ = None, page_number: HistoryPageQ = 1
    ) -> Template:
        """Stored roster uploads, newest first: which school, when, by whom, rows read, graduates
        added and changed — school staff their school's, a department admin its region's schools
        (``?school=`` one of them; 404 page for a school outside the region), the admin all;
        :data:`HISTORY_SHOWN` a page (``?page=``). The same :func:`list_uploads` as
        ``GET /schools/{code}/rosters/uploads``."""
        p = page.user
        school = await school_for(db_session, p, school_code) if school_code else None
        own = (
            await CatalogService(db_session).find_school(p.school_id) if p.role is Role.SCHOOL and p.school_id else None
        )
        uploads, total = await list_uploads(
            db_session, p, school=school, limit=HISTORY_SHOWN, offset=(page_number - 1) * HISTORY_SHOWN
        )
        schools = (
            [] if p.role is Role.SCHOOL else await CatalogService(db_session).school_codes_and_names(schools_clause(p))
        )
        query = urlencode({"school": school_code} if school_code else {})
        return render(
            page,
            "school/roster_history.html",
            school=own,
            chosen=school,
            schools=schools,
            uploads=uploads,
            total=total,
            shown=HISTORY_SHOWN,
            page_number=page_number,
            pages=max(1, -(-total // HISTORY_SHOWN)),
            query=query,
        )

    @get("/roster/history/{upload_id:int}")
    async def roster_upload_detail(self, page: PageDep, db_session: DbSession, upload_id: IdPath) -> Template:
        """One upload and the graduates it added or changed (404 page for an upload of a school the
        caller does not see: another school's, or outside the department's region)."""
        detail = await upload_detail(db_session, page.user, None, upload_id, request=page.request)
        return render(page, "school/roster_upload.html", school=None, detail=detail)
