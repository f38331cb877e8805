"""Scheduler configuration, job as-of dates, and the suppression algorithm on small tables."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from service.config import Settings
from service.reports.scheduled import JOBS, job_specs, run_job
from service.reports.suppression import Cell, Relation, suppress
from service.scheduling import make_scheduler


def test_scheduler_jobs_are_configured() -> None:
    sched = make_scheduler(Settings(database_url="sqlite+aiosqlite:///unused.sqlite3"), blocking=False)
    assert sched.timezone == ZoneInfo("Asia/Shanghai")
    jobs = {j.id: j for j in sched.get_jobs() if j.name.startswith("report snapshot")}
    assert set(jobs) == {"monthly", "term_end", "initial", "year_end"}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time == 6 * 3600
    first = jobs["initial"].trigger.get_next_fire_time(None, dt.datetime(2026, 3, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert first == dt.datetime(2026, 9, 2, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(
    ("job", "today", "as_of"),
    [
        ("monthly", "2026-03-01", "2026-02-28"),
        ("term_end", "2026-08-01", "2026-07-31"),
        ("initial", "2026-09-02", "2026-09-01"),
        ("year_end", "2026-01-01", "2025-12-31"),
    ],
)
def test_as_of_dates(job: str, today: str, as_of: str) -> None:
    assert JOBS[job].as_of(dt.date.fromisoformat(today)) == dt.date.fromisoformat(as_of)


def test_unknown_job() -> None:
    with pytest.raises(KeyError, match="monthly"):
        run_job(Settings(database_url="sqlite+aiosqlite:///unused.sqlite3"), "weekly")


def test_suppression_complements_row_and_column() -> None:
    # two groups A (12 = 9 + 3) and B (10 = 6 + 4), total 22 = 15 + 7
    values: dict[Cell, int] = {
        ("T", "graduates"): 22,
        ("T", "x"): 15,
        ("T", "y"): 7,
        ("A", "graduates"): 12,
        ("A", "x"): 9,
        ("A", "y"): 3,
        ("B", "graduates"): 10,
        ("B", "x"): 6,
        ("B", "y"): 4,
    }
    rels: list[Relation] = [((r, "graduates"), [(r, "x"), (r, "y")]) for r in "TAB"]
    rels += [(("T", c), [("A", c), ("B", c)]) for c in ("graduates", "x", "y")]
    hidden = suppress(values, rels, threshold=5)
    # A.y (3) and B.y (4) are primary; each row then needs a second hidden cell: A.x and B.x
    assert hidden == {("A", "y"), ("B", "y"), ("A", "x"), ("B", "x")}
    assert suppress(values, rels, threshold=1) == set()
    with pytest.raises(ValueError):
        suppress(values, rels, threshold=0)


def test_suppressing_a_group_total_hides_its_row_and_a_partner() -> None:
    values: dict[Cell, int] = {
        ("T", "graduates"): 23,
        ("A", "graduates"): 3,
        ("B", "graduates"): 8,
        ("C", "graduates"): 12,
        ("A", "x"): 0,
        ("B", "x"): 8,
        ("C", "x"): 12,
        ("T", "x"): 20,
    }
    rels: list[Relation] = [(("T", c), [("A", c), ("B", c), ("C", c)]) for c in ("graduates", "x")]
    hidden = suppress(values, rels, threshold=5)
    assert ("A", "graduates") in hidden and ("A", "x") in hidden  # whole row
    assert ("B", "graduates") in hidden  # smallest other group hides with it
    assert ("C", "graduates") not in hidden


def test_report_dates_are_settings() -> None:
    settings = Settings.from_env(
        {
            "VOCMATCH_REPORT_TERM_ENDS": "01-15, 06-30",
            "VOCMATCH_REPORT_INITIAL_DATE": "08-31",
            "VOCMATCH_REPORT_YEAR_END_DATE": "12-20",
        },
        database_url="sqlite+aiosqlite:///u.db",
    )
    specs = job_specs(settings)
    # the day after each term end: 16 January and 1 July have different days, so two cron triggers
    assert specs["term_end"].crons == (
        {"month": "7", "day": 1, "hour": 1, "minute": 30},
        {"month": "1", "day": 16, "hour": 1, "minute": 30},
    )
    with pytest.raises(ValueError, match="trigger"):
        specs["term_end"].cron
    assert JOBS["term_end"].cron == {"month": "2,8", "day": 1, "hour": 1, "minute": 30}  # defaults: one trigger
    tz = ZoneInfo("Asia/Shanghai")
    jobs = {j.id: j for j in make_scheduler(settings, blocking=False).get_jobs()}
    fires, t = [], dt.datetime(2026, 1, 1, tzinfo=tz)
    for _ in range(3):
        t = jobs["term_end"].trigger.get_next_fire_time(None, t + dt.timedelta(seconds=1))
        fires.append(t)
    assert fires == [
        dt.datetime(2026, 1, 16, 1, 30, tzinfo=tz),
        dt.datetime(2026, 7, 1, 1, 30, tzinfo=tz),
        dt.datetime(2027, 1, 16, 1, 30, tzinfo=tz),
    ]
    assert jobs["initial"].trigger.get_next_fire_time(None, dt.datetime(2026, 3, 1, tzinfo=tz)) == dt.datetime(
        2026, 9, 1, 1, 0, tzinfo=tz
    )
    assert jobs["year_end"].trigger.get_next_fire_time(None, dt.datetime(2026, 3, 1, tzinfo=tz)) == dt.datetime(
        2026, 12, 21, 2, 0, tzinfo=tz
    )
    as_of = {
        job: specs[job].as_of(dt.date.fromisoformat(day))
        for job, day in (("term_end", "2026-07-01"), ("initial", "2026-09-01"), ("year_end", "2026-12-21"))
    }
    assert as_of == {
        "term_end": dt.date(2026, 6, 30),
        "initial": dt.date(2026, 8, 31),
        "year_end": dt.date(2026, 12, 20),
    }
    # a late or manual run reports on the latest date before it, never a future one
    assert specs["term_end"].as_of(dt.date(2026, 1, 10)) == dt.date(2025, 6, 30)
    assert JOBS["initial"].as_of(dt.date(2026, 3, 1)) == dt.date(2025, 9, 1)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("VOCMATCH_REPORT_TERM_ENDS", "01-31,02-30", "'02-30' is not a day"),
        ("VOCMATCH_REPORT_TERM_ENDS", "", "empty"),
        ("VOCMATCH_REPORT_TERM_ENDS", "31/01", "not a month-day date MM-DD"),
        ("VOCMATCH_REPORT_INITIAL_DATE", "02-29", "not a day that every year has"),
        ("VOCMATCH_REPORT_INITIAL_DATE", "09-01,09-02", "give one date"),
        ("VOCMATCH_REPORT_YEAR_END_DATE", "13-01", "'13-01' is not a day"),
    ],
)
def test_bad_report_dates_are_named(variable: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as err:
        Settings.from_env({variable: value})
    assert variable in str(err.value)


def test_bad_report_date_stops_the_command_line_at_start_up() -> None:
    env = {**os.environ, "VOCMATCH_REPORT_TERM_ENDS": "07-32"}
    p = subprocess.run(
        [sys.executable, "-m", "service.cli", "report", "--as-of", "2025-12-31"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert p.returncode != 0
    assert b"VOCMATCH_REPORT_TERM_ENDS='07-32'" in p.stderr
