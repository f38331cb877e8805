"""HTTP endpoints for employment reports (``/reports``).

Authorisation: school staff, department admins and the system admin only (401 signed out, 403
graduates and employers); each reads only the scopes :mod:`service.reports.access` allows — a
school its own ``school:<code>``, a department its region and the schools in it, the admin all.
A scope the caller may not read is 403 (schools and regions are public reference data, so the
answer reveals nothing); a stored snapshot of such a scope is 404.

Views: a caller who may read the graduates behind a report's cells
(:func:`service.reports.access.may_read_rows`) gets the ``internal`` view by default — exact
figures, nothing suppressed; ``view=publish`` (and any caller who may not read the rows) gets the
suppressed figures, fit to leave that circle. Stored snapshots are publication records: they keep
the suppressed figures they were made with (reproduce the exact ones with ``GET /reports`` and the
snapshot's ``as_of`` and ``recorded_before``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, cast

from litestar import Controller, Request, Response, get
from litestar.exceptions import PermissionDeniedException
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.auth.guards import current_principal, ensure_allowed, ensure_visible, require_roles
from service.errors import InvalidFieldError, NotFoundError
from service.pagination import DbSession, IdPath, Limit, Offset, Page
from service.privacy.audit import record as audit_record
from service.privacy.models import AuditAction
from service.reports.access import may_read_rows, may_read_scope, snapshots_clause
from service.reports.build import build_report
from service.reports.compute import BREAKDOWNS, ReportParams, Scope, default_cohort, load_outcomes, trace
from service.reports.dashboard import (
    QUALITY_RULE,
    TREND_YEARS,
    SchoolQuality,
    annual_xlsx,
    build_annual,
    build_trend,
    data_quality_panel,
    quality_json,
)
from service.reports.export import FORMATS
from service.reports.models import ReportSnapshot
from service.reports.snapshots import list_snapshots

ScopeParam = Annotated[
    str, QueryParameter(name="scope", max_length=40, description="all | region:440100 | school:<code>")
]
AsOf = Annotated[dt.date, QueryParameter(description="统计日 (as-of date), e.g. 2025-09-01")]
Format = Annotated[Literal["json", "csv", "xlsx"], QueryParameter(name="format", description="json, csv or xlsx")]
View = Annotated[
    Literal["internal", "publish"] | None,
    QueryParameter(
        description=(
            "internal: exact figures, for callers who may read the graduates behind them (a school's staff for "
            "their school, a department for its region, the admin); publish: small cells suppressed, fit to "
            "leave that circle. Default: internal for such callers, else publish"
        )
    ),
]


TrendRow = Annotated[
    str,
    QueryParameter(
        max_length=40,
        description=(
            "the report row followed: total (default) or <breakdown>:<key>, e.g. major:660301, school:4144010001"
        ),
    ),
]


def _row_key(row: str) -> tuple[str, object]:
    """``total`` or ``<breakdown>:<key>`` as a report row key; 422 naming the accepted forms."""
    kind, _, key = row.partition(":")
    if row == "total":
        return ("total", "total")
    if kind not in BREAKDOWNS or not key:
        raise InvalidFieldError(
            "row", f"must be total or <breakdown>:<key> with a breakdown of {', '.join(BREAKDOWNS)}"
        )
    return (kind, key)


#: ``as_of`` outside these dates is refused (422): no cohort there, and far dates overflow storage.
EARLIEST_AS_OF, LATEST_AS_OF = dt.date(1950, 1, 1), dt.date(2100, 12, 31)
#: The small-cell threshold every report uses unless the system admin asks for a lower one.
DEFAULT_THRESHOLD = cast(int, ReportParams.__dataclass_fields__["threshold"].default)  # a field with a default


def _check_threshold(request: Request, threshold: int) -> None:
    """403 when anyone but the system admin asks for a small-cell threshold below
    :data:`DEFAULT_THRESHOLD` (lowering it un-suppresses cells that identify few graduates);
    raising it is open to every caller."""
    if threshold < DEFAULT_THRESHOLD and current_principal(request).role is not Role.ADMIN:
        raise PermissionDeniedException(
            f"only the system admin may lower the small-cell threshold below "
            f"{DEFAULT_THRESHOLD} (asked for {threshold}); raising it is allowed"
        )


def _params(
    request: Request,
    scope: str,
    as_of: dt.date,
    cohort: int | None,
    recorded_before: dt.datetime | None,
    threshold: int,
) -> ReportParams:
    if not EARLIEST_AS_OF <= as_of <= LATEST_AS_OF:
        raise InvalidFieldError("as_of", f"{as_of} is outside {EARLIEST_AS_OF} to {LATEST_AS_OF}")
    try:
        parsed = Scope.parse(scope)
    except ValueError as exc:
        raise InvalidFieldError("scope", str(exc)) from exc
    if recorded_before is not None and recorded_before.tzinfo is None:
        raise InvalidFieldError("recorded_before", "give a time zone, e.g. 2026-01-01T00:00:00+08:00")
    return ReportParams(
        scope=parsed,
        cohorts=(cohort or default_cohort(as_of),),
        as_of=as_of,
        recorded_before=(recorded_before or dt.datetime.now(dt.UTC)).astimezone(dt.UTC),
        threshold=threshold,
        salary_edges=request.app.state.settings.salary_edges,
    )


def _respond(report: dict[str, Any], fmt: str, name: str) -> Response[bytes]:
    render, media_type = FORMATS[fmt]
    headers = {} if fmt == "json" else {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(content=render(report), media_type=media_type, headers=headers)


#: Handler guard: only staff read figures.
STAFF_ONLY = [require_roles(Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)]


async def _ensure_scope(session: AsyncSession, request: Request, params: ReportParams) -> None:
    """403 unless the caller may read figures for ``params.scope``."""
    ensure_allowed(
        await may_read_scope(session, current_principal(request), params.scope),
        f"read figures for scope {params.scope}",
    )


async def _publish(session: AsyncSession, request: Request, params: ReportParams, view: str | None) -> bool:
    """Whether the caller gets suppressed figures: always for ``view=publish`` and for callers who
    may not read the graduates behind the cells (:func:`service.reports.access.may_read_rows`);
    ``view=internal`` from such a caller is 403."""
    rows = await may_read_rows(session, current_principal(request), params.scope)
    if view == "internal":
        ensure_allowed(rows, f"read the exact (internal) figures of scope {params.scope}")
    return view == "publish" or not rows


class ReportController(Controller):
    path = "/reports"
    tags = ["reports"]

    @get("/", summary="Employment report (就业质量报告)", guards=STAFF_ONLY)
    async def report(
        self,
        request: Request,
        db_session: DbSession,
        report_scope: ScopeParam,
        as_of: AsOf,
        cohort: Annotated[int | None, QueryParameter(ge=1950, le=2100, description="届; default from as_of")] = None,
        recorded_before: Annotated[
            dt.datetime | None,
            QueryParameter(description="knowledge cut-off (default now); repeat it to reproduce a report exactly"),
        ] = None,
        threshold: Annotated[int, QueryParameter(ge=1, le=100, description="small-cell threshold")] = 5,
        fmt: Format = "json",
        view: View = None,
    ) -> Response[bytes]:
        """The report for ``scope`` and cohort as of ``as_of`` (初次: 09-01, 年终: 12-31): counts,
        rates (%, one decimal, half up), median starting salary (元/月), every breakdown, the
        definitions and chart data. ``view``: ``internal`` (exact figures; the default for callers
        who may read the graduates behind them) or ``publish`` (small cells suppressed, ``null`` /
        ``*``, below ``threshold``: default 5; only the system admin may ask for less, others get
        403); the report's ``view`` and ``view_note`` say which, and so does the download's file
        name. 422 for a bad scope or an ``as_of`` outside 1950-01-01..2100-12-31."""
        _check_threshold(request, threshold)
        params = _params(request, report_scope, as_of, cohort, recorded_before, threshold)
        await _ensure_scope(db_session, request, params)
        publish = await _publish(db_session, request, params, view)
        report = await build_report(db_session, params, publish=publish)
        return _respond(report, fmt, f"report-{report_scope.replace(':', '-')}-{as_of}-{report['view']}")

    @get("/chart", summary="Rendered chart of one report figure (SVG)", guards=STAFF_ONLY)
    async def chart(
        self,
        request: Request,
        db_session: DbSession,
        report_scope: ScopeParam,
        as_of: AsOf,
        metric: Annotated[
            str,
            QueryParameter(
                max_length=40,
                description=(
                    "a rate (employment_rate 就业率, in_field_rate 对口就业率, …, percent), salary_median (元/月) "
                    "or salary_bands (graduates per band)"
                ),
            ),
        ] = "employment_rate",
        by: Annotated[
            str,
            QueryParameter(
                max_length=20,
                description=("total | province | city | county | school | major | cohort | gender | disadvantaged"),
            ),
        ] = "major",
        cohort: Annotated[int | None, QueryParameter(ge=1950, le=2100, description="届; default from as_of")] = None,
        recorded_before: Annotated[
            dt.datetime | None,
            QueryParameter(description="knowledge cut-off (default now); repeat it to reproduce a chart exactly"),
        ] = None,
        threshold: Annotated[int, QueryParameter(ge=1, le=100, description="small-cell threshold")] = 5,
        lang: Annotated[
            Literal["zh", "en"],
            QueryParameter(description="language of title, axis, markers and caption: zh (default) or en"),
        ] = "zh",
        view: View = None,
        trend_years: Annotated[
            int,
            QueryParameter(
                ge=0,
                le=10,
                description=(
                    "0 (default): one cohort by breakdown `by`; n > 0: the trend of row `row` over the last n "
                    "cohorts, each as of the same point of its year (GET /reports/trend); `by` is then ignored"
                ),
            ),
        ] = 0,
        row: TrendRow = "total",
    ) -> Response[bytes]:
        """``image/svg+xml``: a bar chart of ``metric`` for each group of breakdown ``by``, drawn from
        the same report (and ``view``) as ``GET /reports`` (:func:`service.reports.charts.chart_svg`): titled, with
        the definition, the scope's school or region name, cohort, as-of date and cut-off (to the
        minute, Asia/Shanghai) in the caption; suppressed figures shown as 已抑制 (``suppressed`` with
        ``lang=en``), not as 0. 422 for a bad scope, metric, breakdown, lang or ``as_of``; 403 for a
        ``threshold`` below 5 asked by anyone but the system admin."""
        import anyio
        from sqlalchemy import select

        from service.catalog.models import Region, School
        from service.reports.charts import CHART_BY, METRICS, chart_svg

        _check_threshold(request, threshold)
        if metric not in METRICS:
            raise InvalidFieldError("metric", f"must be one of {', '.join(METRICS)}")
        if by not in CHART_BY:
            raise InvalidFieldError("by", f"must be one of {', '.join(CHART_BY)}")
        params = _params(request, report_scope, as_of, cohort, recorded_before, threshold)
        await _ensure_scope(db_session, request, params)
        publish = await _publish(db_session, request, params, view)
        if trend_years:
            report = await build_trend(db_session, params, publish=publish, years=trend_years, row=_row_key(row))
            by = "cohort"
        else:
            report = await build_report(db_session, params, publish=publish)
        scope_name = None
        if params.scope.kind in ("school", "region") and params.scope.code:
            code = params.scope.code
            name_of = (
                select(School.name).where(School.code == code)
                if params.scope.kind == "school"
                else select(Region.name).where(Region.code == code)
            )
            scope_name = (await db_session.execute(name_of)).scalar_one_or_none()
        if report.get("row_label"):  # a trend of one group: name it in the caption
            scope_name = f"{scope_name or report['scope']} · {report['row_label']}"
        svg = await anyio.to_thread.run_sync(chart_svg, report, metric, by, lang, scope_name)
        return Response(content=svg, media_type="image/svg+xml; charset=utf-8")

    @get("/trend", summary="One report row over the last cohorts (趋势)", guards=STAFF_ONLY)
    async def trend(
        self,
        request: Request,
        db_session: DbSession,
        report_scope: ScopeParam,
        as_of: AsOf,
        cohort: Annotated[
            int | None, QueryParameter(ge=1950, le=2100, description="latest 届; default from as_of")
        ] = None,
        recorded_before: Annotated[
            dt.datetime | None, QueryParameter(description="knowledge cut-off (default now)")
        ] = None,
        threshold: Annotated[int, QueryParameter(ge=1, le=100, description="small-cell threshold")] = 5,
        years: Annotated[int, QueryParameter(ge=1, le=10, description="how many cohorts (default 5)")] = TREND_YEARS,
        row: TrendRow = "total",
        view: View = None,
    ) -> dict[str, Any]:
        """Row ``row`` (``total``, or ``<breakdown>:<key>`` such as ``major:660301``) of the reports of
        the last ``years`` cohorts up to ``cohort``, each as of ``as_of`` moved back by the cohort's
        distance (:func:`service.reports.dashboard.build_trend`): ``breakdowns.cohort`` holds one row
        per cohort (oldest first) with its ``as_of``; same views and 403s as ``GET /reports``."""
        _check_threshold(request, threshold)
        params = _params(request, report_scope, as_of, cohort, recorded_before, threshold)
        await _ensure_scope(db_session, request, params)
        publish = await _publish(db_session, request, params, view)
        return await build_trend(db_session, params, publish=publish, years=years, row=_row_key(row))

    @get("/data-quality", summary="Data-quality panel: how complete each school's follow-up is", guards=STAFF_ONLY)
    async def data_quality(
        self,
        request: Request,
        db_session: DbSession,
        report_scope: ScopeParam,
        as_of: AsOf,
        cohort: Annotated[int | None, QueryParameter(ge=1950, le=2100, description="届; default from as_of")] = None,
    ) -> dict[str, Any]:
        """Per school of ``scope``: 去向知晓率, 去向未知占比, 未确认占比 and 账号激活率 with their counts,
        ranked by how complete the follow-up is (:func:`service.reports.dashboard.data_quality_panel`;
        definitions in ``definitions``). Exact figures: only for callers who may read the graduates
        behind them (a school's staff, the department of the region, the admin); 403 otherwise."""
        params = _params(request, report_scope, as_of, cohort, None, DEFAULT_THRESHOLD)
        await _ensure_scope(db_session, request, params)
        p = current_principal(request)
        ensure_allowed(
            await may_read_rows(db_session, p, params.scope), f"read the data-quality panel of scope {params.scope}"
        )
        report = await build_report(db_session, params, publish=False)
        panel = await data_quality_panel(db_session, p, report)
        return {
            "scope": str(params.scope),
            "cohort": params.cohorts[0],
            "as_of": params.as_of.isoformat(),
            "rule": QUALITY_RULE,
            "definitions": (SchoolQuality.__doc__ or "").strip(),
            "schools": quality_json(panel),
        }

    @get("/annual", summary="Annual report (中职毕业生就业质量年度报告)", guards=STAFF_ONLY)
    async def annual(
        self,
        request: Request,
        db_session: DbSession,
        report_scope: ScopeParam,
        as_of: AsOf,
        cohort: Annotated[int | None, QueryParameter(ge=1950, le=2100, description="届; default from as_of")] = None,
        recorded_before: Annotated[
            dt.datetime | None, QueryParameter(description="knowledge cut-off (default now)")
        ] = None,
        threshold: Annotated[int, QueryParameter(ge=1, le=100, description="small-cell threshold")] = 5,
        fmt: Annotated[Literal["json", "xlsx"], QueryParameter(name="format", description="json or xlsx")] = "json",
        view: View = None,
    ) -> Response[bytes]:
        """The annual report of ``scope`` and ``cohort``: summary tables by region, school and major
        with the definitions and the trend of the last five cohorts
        (:func:`service.reports.dashboard.build_annual`), as JSON or a workbook (封面, 说明, 总体, 分地区,
        分学校, 分专业, 起薪分段, 近五届趋势). Same views and 403s as ``GET /reports``; the printable page
        is ``/web/dashboard/annual``."""
        _check_threshold(request, threshold)
        params = _params(request, report_scope, as_of, cohort, recorded_before, threshold)
        await _ensure_scope(db_session, request, params)
        annual = await build_annual(db_session, params, publish=await _publish(db_session, request, params, view))
        name = f"annual-report-{report_scope.replace(':', '-')}-{params.cohorts[0]}-{annual['report']['view']}"
        if fmt == "xlsx":
            return Response(
                content=annual_xlsx(annual),
                media_type=FORMATS["xlsx"][1],
                headers={"Content-Disposition": f'attachment; filename="{name}.xlsx"'},
            )
        return _respond(annual, "json", name)

    @get("/trace", summary="Graduates behind one report cell", guards=STAFF_ONLY)
    async def trace_cell(
        self,
        request: Request,
        db_session: DbSession,
        report_scope: ScopeParam,
        as_of: AsOf,
        row: Annotated[str, QueryParameter(max_length=40, description="total or <breakdown>:<key>")],
        column: Annotated[str, QueryParameter(max_length=40, description="a count column, e.g. employed")],
        recorded_before: Annotated[dt.datetime, QueryParameter(description="the report's cut-off")],
        cohort: Annotated[int | None, QueryParameter(ge=1950, le=2100)] = None,
    ) -> list[dict[str, int | None]]:
        """``[{"graduate_id", "event_id"}]`` counted in the cell, for checking a figure (staff only:
        not suppressed). 422 for an unknown row kind or column."""
        from service.reports.definitions import count_columns

        params = _params(request, report_scope, as_of, cohort, recorded_before, 1)
        await _ensure_scope(db_session, request, params)
        kind, _, key = row.partition(":")
        if kind not in ("total", *BREAKDOWNS):
            raise InvalidFieldError("row", f"must be total or one of {', '.join(BREAKDOWNS)} with :key")
        if column not in count_columns(params.salary_edges):
            raise InvalidFieldError("column", f"unknown column {column!r}")
        outcomes, _ = await load_outcomes(db_session, params)
        row_key: tuple[str, object] = (
            ("total", "total") if kind == "total" else (kind, int(key) if kind == "cohort" and key.isdigit() else key)
        )
        cells = [{"graduate_id": g, "event_id": e} for g, e in trace(outcomes, row_key, column)]
        await audit_record(
            db_session,
            current_principal(request),
            AuditAction.EXPORT,
            "report_trace",
            str(params.scope),
            request=request,
            detail={"row": row, "column": column, "graduates": len(cells)},
        )
        return cells

    @get("/snapshots", summary="Stored report snapshots", guards=STAFF_ONLY)
    async def snapshots(
        self,
        request: Request,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        report_scope: Annotated[str | None, QueryParameter(name="scope", max_length=40)] = None,
        period: Annotated[str | None, QueryParameter(max_length=16)] = None,
    ) -> Page[dict[str, Any]]:
        """Metadata of the snapshots the caller may read, newest as-of first."""
        items, total = await list_snapshots(
            db_session, report_scope, period, limit, offset, where=snapshots_clause(current_principal(request))
        )
        return Page(items=[_info(s) for s in items], total=total, limit=limit, offset=offset)

    @get("/snapshots/{snapshot_id:int}", summary="One stored report snapshot", guards=STAFF_ONLY)
    async def snapshot(
        self,
        request: Request,
        db_session: DbSession,
        snapshot_id: IdPath,
        fmt: Format = "json",
    ) -> Response[bytes]:
        """The stored report exactly as computed; 404 for an unknown id or a scope the caller may not read."""
        snap = await db_session.get(ReportSnapshot, snapshot_id)
        if snap is None:
            raise NotFoundError("report snapshot", snapshot_id)
        ensure_visible(
            await may_read_scope(db_session, current_principal(request), Scope.parse(snap.scope)),
            "report snapshot",
            snapshot_id,
        )
        return _respond(snap.data, fmt, f"snapshot-{snapshot_id}")


def _info(s: ReportSnapshot) -> dict[str, Any]:
    return {
        "id": s.id,
        "scope": s.scope,
        "cohort": s.cohort,
        "period": s.period,
        "as_of": s.as_of.isoformat(),
        "recorded_before": s.recorded_before.isoformat(),
        "job": s.job,
        "created_at": s.created_at.isoformat(),
    }
