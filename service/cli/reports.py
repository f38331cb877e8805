"""``vocmatch roster`` / ``report``: roster uploads and employment reports.

    vocmatch roster import FILE --school CODE [--valid-rows-only]
    vocmatch report --scope SCOPE --as-of DATE [--cohort N] [--format json|csv|xlsx] [--output PATH]
    vocmatch report --scope SCOPE --as-of DATE --format svg [--metric employment_rate] [--by major] [-o PATH]

Exit codes: 0 success; 1 a roster with rejected rows (the report is still printed); click's 2
for bad arguments.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from service.cli.helpers import load_settings, print_json, run_in_session


def _run(work):
    return run_in_session(load_settings(), work)


@click.group()
def roster() -> None:
    """Graduate rosters (毕业生名册)."""


@roster.command(name="import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--school", "school_code", required=True, help="学校标识码 of the school the roster belongs to")
@click.option("--valid-rows-only", is_flag=True, help="store the valid rows even if some rows are rejected")
@click.option("--json", "as_json", is_flag=True, help="JSON output (the default) and no progress bar")
def roster_import(file: Path, school_code: str, valid_rows_only: bool, as_json: bool) -> None:
    """Import FILE (.xlsx, or .csv in UTF-8/GB18030) and print the validation report as JSON.

    All-or-nothing unless --valid-rows-only: with any rejected row nothing is stored. Re-importing
    updates graduates matched on 学号 and never duplicates them. Exits 1 when rows were rejected.
    """
    from service.progress import progress_for
    from service.rosters.service import RosterFileError, import_roster

    data = file.read_bytes()
    try:
        with progress_for(as_json) as progress:
            report = _run(lambda s: import_roster(s, data, file.name, school_code, valid_rows_only, progress=progress))
    except RosterFileError as exc:
        raise click.ClickException(f"{file}: {exc}") from exc
    print_json(report.to_dict())
    if report.rejected:
        sys.exit(1)


@click.command()
@click.option("--scope", default="all", show_default=True, help="all | region:<GB/T 2260 code> | school:<code>")
@click.option("--as-of", "as_of", required=True, type=click.DateTime(["%Y-%m-%d"]), help="统计日, e.g. 2025-09-01")
@click.option("--cohort", type=int, default=None, help="届 (default: from --as-of: that summer's cohort)")
@click.option(
    "--recorded-before",
    "recorded_before",
    default=None,
    help="knowledge cut-off, ISO 8601 with zone (default now): repeat it to reproduce a report",
)
@click.option("--threshold", type=click.IntRange(1, 100), default=5, show_default=True, help="small-cell threshold")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "xlsx", "svg"]),
    default="json",
    show_default=True,
    help="svg: a chart of --metric by --by (same as GET /reports/chart)",
)
@click.option(
    "--metric",
    default="employment_rate",
    show_default=True,
    help="chart figure (--format svg): a rate name (employment_rate, in_field_rate, …), salary_median or salary_bands",
)
@click.option(
    "--by",
    "by",
    default="major",
    show_default=True,
    help="chart breakdown (--format svg): total, province, city, county, school, major, cohort, gender, disadvantaged",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="write to this file (required for xlsx) instead of standard output",
)
@click.option(
    "--view",
    type=click.Choice(["publish", "internal"]),
    default="publish",
    show_default=True,
    help="publish: small cells suppressed, fit to publish; internal: exact figures, only for people "
    "who may read the graduates behind them",
)
@click.option(
    "--exact-audit/--heuristic-only",
    default=True,
    show_default=True,
    help="publish view: after the heuristic, audit the suppression exactly (integer programming) and "
    "hide more until no hidden cell can be recovered (the default, as for pages and the API); "
    "--heuristic-only publishes the heuristic's pattern alone, for comparison — not fit to publish",
)
def report(
    scope: str,
    as_of: dt.datetime,
    cohort: int | None,
    recorded_before: str | None,
    threshold: int,
    fmt: str,
    metric: str,
    by: str,
    output: Path | None,
    view: str,
    exact_audit: bool,
) -> None:
    """Print or write the employment report (same content as GET /reports), or with --format svg
    one chart of it (same as GET /reports/chart). The operator reads everything, so the view is
    theirs to choose; the default is the publication version, as files made here usually leave."""
    from service.reports.build import build_report
    from service.reports.charts import CHART_BY, METRICS, chart_svg
    from service.reports.compute import ReportParams, Scope, default_cohort
    from service.reports.export import FORMATS

    try:
        parsed = Scope.parse(scope)
        cutoff = dt.datetime.fromisoformat(recorded_before) if recorded_before else dt.datetime.now(dt.UTC)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if cutoff.tzinfo is None:
        raise click.BadParameter("--recorded-before needs a time zone, e.g. 2026-01-01T00:00:00+08:00")
    if fmt == "xlsx" and output is None:
        raise click.BadParameter("--format xlsx needs --output FILE")
    if fmt == "svg" and metric not in METRICS:
        raise click.BadParameter(f"{metric!r}; choose one of {', '.join(METRICS)}", param_hint="--metric")
    if fmt == "svg" and by not in CHART_BY:
        raise click.BadParameter(f"{by!r}; choose one of {', '.join(CHART_BY)}", param_hint="--by")
    day = as_of.date()
    params = ReportParams(
        scope=parsed,
        cohorts=(cohort or default_cohort(day),),
        as_of=day,
        recorded_before=cutoff.astimezone(dt.UTC),
        threshold=threshold,
        salary_edges=load_settings().salary_edges,
    )
    built = _run(lambda s: build_report(s, params, publish=view == "publish", exact_audit=exact_audit))
    body = chart_svg(built, metric, by) if fmt == "svg" else FORMATS[fmt][0](built)
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    else:
        output.write_bytes(body)
        click.echo(f"wrote {output} ({len(body)} bytes)", err=True)
