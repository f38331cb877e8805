"""HTTP endpoints for employment reports (``/reports``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from litestar import Controller, Response, get
from litestar.params import QueryParameter

from service.errors import InvalidFieldError, NotFoundError
from service.pagination import DbSession, IdPath, Limit, Offset, Page
from service.reports.build import build_report
from service.reports.compute import BREAKDOWNS, ReportParams, Scope, default_cohort, load_outcomes, trace
from service.reports.export import FORMATS
from service.reports.models import ReportSnapshot
from service.reports.snapshots import list_snapshots

ScopeParam = Annotated[str, QueryParameter(name="scope", max_length=40,
                                           description="all | region:440100 | school:<code>")]
AsOf = Annotated[dt.date, QueryParameter(description="统计日 (as-of date), e.g. 2025-09-01")]
Format = Annotated[Literal["json", "csv", "xlsx"], QueryParameter(name="format", description="json, csv or xlsx")]


def _params(scope: str, as_of: dt.date, cohort: int | None, recorded_before: dt.datetime | None,
            threshold: int) -> ReportParams:
    try:
        parsed = Scope.parse(scope)
    except ValueError as exc:
        raise InvalidFieldError("scope", str(exc)) from exc
    if recorded_before is not None and recorded_before.tzinfo is None:
        raise InvalidFieldError("recorded_before", "give a time zone, e.g. 2026-01-01T00:00:00+08:00")
    return ReportParams(scope=parsed, cohorts=(cohort or default_cohort(as_of),), as_of=as_of,
                        recorded_before=(recorded_before or dt.datetime.now(dt.UTC)).astimezone(dt.UTC),
                        threshold=threshold)


def _respond(report: dict[str, Any], fmt: str, name: str) -> Response[bytes]:
    render, media_type = FORMATS[fmt]
    headers = {} if fmt == "json" else {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(content=render(report), media_type=media_type, headers=headers)




class ReportController(Controller):
    path = "/reports"
    tags = ["reports"]

    @get("/", summary="Employment report (就业质量报告)")
    async def report(
        self, db_session: DbSession, report_scope: ScopeParam, as_of: AsOf,
        cohort: Annotated[int | None, QueryParameter(ge=1950, le=2100, description="届; default from as_of")] = None,
        recorded_before: Annotated[dt.datetime | None, QueryParameter(
            description="knowledge cut-off (default now); repeat it to reproduce a report exactly")] = None,
        threshold: Annotated[int, QueryParameter(ge=1, le=100, description="small-cell threshold")] = 5,
        fmt: Format = "json",
    ) -> Response[bytes]:
        """The report for ``scope`` and cohort as of ``as_of`` (初次: 09-01, 年终: 12-31): counts,
        rates (%, one decimal, half up), median starting salary (元/月), every breakdown, the
        definitions and chart data; small cells suppressed (``null`` / ``*``). 422 for a bad scope."""
        params = _params(report_scope, as_of, cohort, recorded_before, threshold)
        report = await build_report(db_session, params)
        return _respond(report, fmt, f"report-{report_scope.replace(':', '-')}-{as_of}")

    @get("/trace", summary="Graduates behind one report cell")
    async def trace_cell(
        self, db_session: DbSession, report_scope: ScopeParam, as_of: AsOf,
        row: Annotated[str, QueryParameter(max_length=40, description="total or <breakdown>:<key>")],
        column: Annotated[str, QueryParameter(max_length=40, description="a count column, e.g. employed")],
        recorded_before: Annotated[dt.datetime, QueryParameter(description="the report's cut-off")],
        cohort: Annotated[int | None, QueryParameter(ge=1950, le=2100)] = None,
    ) -> list[dict[str, int | None]]:
        """``[{"graduate_id", "event_id"}]`` counted in the cell, for checking a figure (staff only:
        not suppressed). 422 for an unknown row kind or column."""
        from service.reports.definitions import COUNT_COLUMNS

        params = _params(report_scope, as_of, cohort, recorded_before, 1)
        kind, _, key = row.partition(":")
        if kind not in ("total", *BREAKDOWNS):
            raise InvalidFieldError("row", f"must be total or one of {', '.join(BREAKDOWNS)} with :key")
        if column not in COUNT_COLUMNS:
            raise InvalidFieldError("column", f"unknown column {column!r}")
        outcomes, _ = await load_outcomes(db_session, params)
        row_key: tuple[str, object] = ("total", "total") if kind == "total" else (
            kind, int(key) if kind == "cohort" and key.isdigit() else key)
        return [{"graduate_id": g, "event_id": e} for g, e in trace(outcomes, row_key, column)]

    @get("/snapshots", summary="Stored report snapshots")
    async def snapshots(
        self, db_session: DbSession, limit: Limit = 20, offset: Offset = 0,
        report_scope: Annotated[str | None, QueryParameter(name="scope", max_length=40)] = None,
        period: Annotated[str | None, QueryParameter(max_length=16)] = None,
    ) -> Page[dict[str, Any]]:
        """Snapshot metadata, newest as-of first."""
        items, total = await list_snapshots(db_session, report_scope, period, limit, offset)
        return Page(items=[_info(s) for s in items], total=total, limit=limit, offset=offset)

    @get("/snapshots/{snapshot_id:int}", summary="One stored report snapshot")
    async def snapshot(self, db_session: DbSession, snapshot_id: IdPath, fmt: Format = "json",
                       ) -> Response[bytes]:
        """The stored report exactly as computed; 404 for an unknown id."""
        snap = await db_session.get(ReportSnapshot, snapshot_id)
        if snap is None:
            raise NotFoundError("report snapshot", snapshot_id)
        return _respond(snap.data, fmt, f"snapshot-{snapshot_id}")


def _info(s: ReportSnapshot) -> dict[str, Any]:
    return {"id": s.id, "scope": s.scope, "cohort": s.cohort, "period": s.period, "as_of": s.as_of.isoformat(),
            "recorded_before": s.recorded_before.isoformat(), "job": s.job, "created_at": s.created_at.isoformat()}
