"""One scheduler for every domain's jobs: the scheduler object, ``vocmatch jobs list|run`` and
``vocmatch scheduler`` argument checks (click's CliRunner, real databases, the loopback board)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from service.cli import main
from service.config import Settings
from service.scheduling import describe, make_scheduler
from tests.imports.test_crawl import _fast_board
from tests.scrapers.loopback_site import Site

REPORT_JOBS = {"monthly", "term_end", "initial", "year_end"}
#: jobs every scheduler has besides the report snapshots (crawls only with boards configured)
ALWAYS = {
    "retrain_ranker",
    "drain_outbox",
    "purge_deleted",
    "interview_reminders",
    "job_alert_digest",
    "prune_posting_changes",
}
SH = ZoneInfo("Asia/Shanghai")


def test_scheduler_holds_every_domains_jobs_with_their_triggers() -> None:
    sched = make_scheduler(Settings(database_url="sqlite+aiosqlite:///unused.sqlite3", crawl_boards="example_cn"))
    assert sched.timezone == SH
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == REPORT_JOBS | ALWAYS | {"crawl:example_cn"}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1
        assert job.misfire_grace_time >= (300 if job.id == "drain_outbox" else 3600)
        assert job.trigger.timezone == SH
    assert jobs["drain_outbox"].trigger.interval == dt.timedelta(seconds=15)
    wednesday = dt.datetime(2026, 3, 4, 12, 0, tzinfo=SH)
    assert jobs["interview_reminders"].trigger.get_next_fire_time(None, wednesday) == dt.datetime(
        2026, 3, 4, 12, 5, tzinfo=SH
    )
    assert jobs["retrain_ranker"].trigger.get_next_fire_time(None, wednesday) == dt.datetime(
        2026, 3, 8, 3, 0, tzinfo=SH
    )
    assert jobs["job_alert_digest"].trigger.get_next_fire_time(None, wednesday) == dt.datetime(
        2026, 3, 5, 8, 30, tzinfo=SH
    )
    assert jobs["monthly"].trigger.get_next_fire_time(None, wednesday) == dt.datetime(2026, 4, 1, 1, 0, tzinfo=SH)
    crawl = jobs["crawl:example_cn"].trigger
    assert crawl.jitter == 600 and "hour='3'" in str(crawl) and "minute='10'" in str(crawl)
    assert jobs["retrain_ranker"].misfire_grace_time == 6 * 3600
    # no boards configured: no crawl jobs; another zone moves every trigger
    berlin = make_scheduler(Settings(), "Europe/Berlin", blocking=False)
    assert {j.id for j in berlin.get_jobs()} == REPORT_JOBS | ALWAYS
    assert {j.trigger.timezone for j in berlin.get_jobs()} == {ZoneInfo("Europe/Berlin")}
    listed = describe(berlin, now=dt.datetime(2026, 3, 4, tzinfo=dt.UTC))
    assert listed["retrain_ranker"]["next_run"] == "2026-03-08T03:00:00+01:00"


def test_jobs_list_and_bad_arguments() -> None:
    runner = CliRunner()
    out = runner.invoke(main, ["jobs", "list"], env={"VOCMATCH_CRAWL_BOARDS": "example_cn"})
    assert out.exit_code == 0, out.output
    listed = json.loads(out.output)
    assert set(listed) == REPORT_JOBS | ALWAYS | {"crawl:example_cn"}
    assert all(v["next_run"] and v["max_instances"] == 1 and v["coalesce"] for v in listed.values())
    unknown = runner.invoke(main, ["jobs", "run", "weekly"], env={})
    assert unknown.exit_code == 2 and "retrain_ranker" in unknown.output and "monthly" in unknown.output
    wrong = runner.invoke(main, ["jobs", "run", "retrain_ranker", "--today", "2026-01-01"])
    assert wrong.exit_code == 2 and "report jobs" in wrong.output
    board = runner.invoke(main, ["jobs", "list"], env={"VOCMATCH_CRAWL_BOARDS": "no_such_board"})
    assert board.exit_code == 1 and "no_such_board" in board.output
    zone = runner.invoke(main, ["scheduler", "--timezone", "Mars/Olympus"])
    assert zone.exit_code == 2 and "Mars/Olympus" in zone.output


def test_jobs_run_covers_retraining_crawls_and_reports(settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    with Site() as site:
        board = _fast_board(tmp_path, site.url())
        env = {
            "VOCMATCH_DATABASE_URL": settings.database_url,
            "VOCMATCH_MODEL_DIR": settings.model_dir,
            "VOCMATCH_CRAWL_BOARDS": str(board),
        }
        crawled = runner.invoke(main, ["jobs", "run", f"crawl:{board}"], env=env)
        assert crawled.exit_code == 0, crawled.output
        assert json.loads(crawled.output)["new"] == 4
    retrained = runner.invoke(main, ["jobs", "run", "retrain_ranker"], env=env)
    assert retrained.exit_code == 0, retrained.output
    report = json.loads(retrained.output)
    assert report["status"] == "skipped" and "too little data" in report["reason"]  # postings, no applications
    monthly = runner.invoke(main, ["jobs", "run", "monthly", "--today", "2026-03-01", "--scope", "all"], env=env)
    assert monthly.exit_code == 0, monthly.output
    [snap] = json.loads(monthly.output)
    assert (snap["scope"], snap["as_of"], snap["created"]) == ("all", "2026-02-28", True)


@pytest.mark.parametrize("name", ["retrain_ranker", "monthly"])
def test_scheduler_job_calls_the_domain_function(name: str) -> None:
    from service.recommendations.scheduled import retrain_ranker
    from service.reports.scheduled import run_job

    settings = Settings(database_url="sqlite+aiosqlite:///unused.sqlite3")
    job = next(j for j in make_scheduler(settings, blocking=False).get_jobs() if j.id == name)
    assert job.func is {"retrain_ranker": retrain_ranker, "monthly": run_job}[name]
    assert job.args[0] is settings


def test_report_dates_from_the_settings_reach_the_scheduler() -> None:
    settings = Settings(report_term_ends="01-15,06-30")
    sched = make_scheduler(settings, blocking=False)
    listed = describe(sched, now=dt.datetime(2026, 2, 1, tzinfo=SH))
    # the day after each term end, 01:30: 16 January and 1 July (two cron triggers combined)
    assert listed["term_end"]["next_run"] == "2026-07-01T01:30:00+08:00"
    assert (
        describe(sched, now=dt.datetime(2026, 7, 2, tzinfo=SH))["term_end"]["next_run"] == "2027-01-16T01:30:00+08:00"
    )
