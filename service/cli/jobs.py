"""``vocmatch scheduler`` / ``jobs``: the scheduler and its jobs.

    vocmatch scheduler [--timezone Asia/Shanghai]
    vocmatch jobs list [--timezone Asia/Shanghai]
    vocmatch jobs run NAME [--today DATE] [--scope SCOPE ...] [--timezone Asia/Shanghai]

The jobs are those of :func:`service.scheduling.make_scheduler`: report snapshots, ``crawl:<board>``
for each board of ``VOCMATCH_CRAWL_BOARDS`` and ``retrain_ranker``. Exit codes: 0 success; 1 an
unknown board in the settings; click's 2 for bad arguments (unknown job, unknown time zone).
"""

from __future__ import annotations

import datetime as dt

import click

from service.cli.helpers import load_settings, print_json, timezone_option


def _zone(timezone: str) -> None:
    from service.scheduling import zone

    try:
        zone(timezone)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--timezone") from exc


def _scheduler(timezone: str, blocking: bool):
    from scrapers.boards.config import BoardConfigError
    from service.scheduling import make_scheduler

    _zone(timezone)
    try:
        return make_scheduler(load_settings(), timezone, blocking=blocking)
    except BoardConfigError as exc:
        raise click.ClickException(f"VOCMATCH_CRAWL_BOARDS: {exc}") from exc
    except ValueError as exc:  # report dates in the settings
        raise click.ClickException(str(exc)) from exc


@click.command()
@timezone_option(help="IANA zone of the cron times")
def scheduler(timezone: str) -> None:
    """Run every scheduled job (reports, crawls, ranker retraining) in this process until interrupted
    (never inside web workers)."""
    import logging
    import signal

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sched = _scheduler(timezone, blocking=True)
    signal.signal(signal.SIGTERM, lambda *_: sched.shutdown(wait=True))  # finish a running job, then stop
    for job in sched.get_jobs():
        click.echo(f"scheduled {job.id}: {job.trigger}", err=True)
    try:
        sched.start()
    except (KeyboardInterrupt, SystemExit):
        pass


@click.group()
def jobs() -> None:
    """Scheduled jobs: list them or run one now."""


@jobs.command(name="list")
@timezone_option()
def jobs_list(timezone: str) -> None:
    """Print every job as JSON: trigger, next run, misfire grace (seconds), coalesce, max instances."""
    from service.scheduling import describe

    print_json(describe(_scheduler(timezone, blocking=False)))


@jobs.command(name="run")
@click.argument("name")
@click.option(
    "--today",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="report jobs: run as if on this day (decides the as-of date); default today in --timezone",
)
@click.option(
    "--scope", "scopes", multiple=True, help="report jobs: only these scopes (default: all, each province, each school)"
)
@timezone_option()
@click.option("--json", "as_json", is_flag=True, help="JSON output (the default) and no progress bar")
def jobs_run(name: str, today: dt.datetime | None, scopes: tuple[str, ...], timezone: str, as_json: bool) -> None:
    """Run job NAME now (e.g. monthly, crawl:example_cn, retrain_ranker) and print its result as JSON;
    retrain_ranker and crawls show a progress bar on a terminal."""
    from scrapers.boards.config import BoardConfigError
    from service.progress import progress_for
    from service.scheduling import run_now

    _zone(timezone)
    try:
        with progress_for(as_json) as progress:
            result = run_now(
                load_settings(),
                name,
                timezone,
                today=today.date() if today else None,
                scopes=list(scopes) or None,
                progress=progress,
            )
    except KeyError as exc:
        raise click.BadParameter(exc.args[0], param_hint="NAME") from exc
    except BoardConfigError as exc:
        raise click.ClickException(f"VOCMATCH_CRAWL_BOARDS: {exc}") from exc
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    print_json(result)
