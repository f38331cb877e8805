"""Scheduler configuration, job as-of dates, and the suppression algorithm on small tables."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from service.config import Settings
from service.reports.scheduled import JOBS, make_scheduler, run_job
from service.reports.suppression import suppress


def test_scheduler_jobs_are_configured() -> None:
    sched = make_scheduler(Settings(database_url="sqlite+aiosqlite:///unused.sqlite3"))
    assert sched.timezone == ZoneInfo("Asia/Shanghai")
    jobs = {j.id: j for j in sched.get_jobs()}
    assert set(jobs) == {"monthly", "term_end", "initial", "year_end"}
    for job in jobs.values():
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time == 6 * 3600
    first = jobs["initial"].trigger.get_next_fire_time(None, dt.datetime(2026, 3, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert first == dt.datetime(2026, 9, 2, 1, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(("job", "today", "as_of"), [
    ("monthly", "2026-03-01", "2026-02-28"), ("term_end", "2026-08-01", "2026-07-31"),
    ("initial", "2026-09-02", "2026-09-01"), ("year_end", "2026-01-01", "2025-12-31"),
])
def test_as_of_dates(job: str, today: str, as_of: str) -> None:
    assert JOBS[job].as_of(dt.date.fromisoformat(today)) == dt.date.fromisoformat(as_of)


def test_unknown_job() -> None:
    with pytest.raises(KeyError, match="monthly"):
        run_job(Settings(database_url="sqlite+aiosqlite:///unused.sqlite3"), "weekly")


def test_suppression_complements_row_and_column() -> None:
    # two groups A (12 = 9 + 3) and B (10 = 6 + 4), total 22 = 15 + 7
    values = {("T", "graduates"): 22, ("T", "x"): 15, ("T", "y"): 7,
              ("A", "graduates"): 12, ("A", "x"): 9, ("A", "y"): 3,
              ("B", "graduates"): 10, ("B", "x"): 6, ("B", "y"): 4}
    rels = [((r, "graduates"), [(r, "x"), (r, "y")]) for r in "TAB"]
    rels += [(("T", c), [("A", c), ("B", c)]) for c in ("graduates", "x", "y")]
    hidden = suppress(values, rels, threshold=5)
    # A.y (3) and B.y (4) are primary; each row then needs a second hidden cell: A.x and B.x
    assert hidden == {("A", "y"), ("B", "y"), ("A", "x"), ("B", "x")}
    assert suppress(values, rels, threshold=1) == set()
    with pytest.raises(ValueError):
        suppress(values, rels, threshold=0)


def test_suppressing_a_group_total_hides_its_row_and_a_partner() -> None:
    values = {("T", "graduates"): 23, ("A", "graduates"): 3, ("B", "graduates"): 8, ("C", "graduates"): 12,
              ("A", "x"): 0, ("B", "x"): 8, ("C", "x"): 12, ("T", "x"): 20}
    rels = [(("T", c), [("A", c), ("B", c), ("C", c)]) for c in ("graduates", "x")]
    hidden = suppress(values, rels, threshold=5)
    assert ("A", "graduates") in hidden and ("A", "x") in hidden  # whole row
    assert ("B", "graduates") in hidden  # smallest other group hides with it
    assert ("C", "graduates") not in hidden
