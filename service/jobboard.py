"""Read a job-board folder laid out like ``us_jobboard_views`` into the evaluation's
:class:`~matching.evaluation.jobboard.JobBoard` (``vocmatch evaluate recommend``).

Folder: ``jobs.csv`` (the candidate pool), ``views.csv`` (Applicant.ID, Job.ID, View.Start …),
``experience.csv`` and ``positions_of_interest.csv`` (profiles; either may be absent). Jobs and
profiles are read by the scraper readers of :mod:`scrapers.sources.us_jobboard`; the protocol that
cuts the board into queries is :mod:`matching.evaluation.jobboard`. This glue lives here because it
needs both ``scrapers`` and ``matching``, which do not import each other (README, "Layout").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from matching.documents import JobDoc, SeekerDoc
from matching.evaluation.jobboard import JobBoard
from matching.ltr import GRADES
from matching.ltr_features import Interaction
from scrapers.csvio import UnreadableFileError, clean, iter_rows, read_text
from scrapers.items import Issue, PostingItem, SeekerItem
from scrapers.sources.us_jobboard import UsApplicants, UsJobs

VIEW_COLUMNS = ("Applicant.ID", "Job.ID", "View.Start")
#: Characters of experience descriptions put into a profile's summary.
SUMMARY_CHARS = 600


def _int(value: str | None, where: str) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise ValueError(f"{where}: expected an integer id, got {value!r}") from None


def read_jobs(folder: Path) -> list[JobDoc]:
    """The pool: one :class:`JobDoc` per jobs.csv row (title = Position, province = state code).

    Raises ``ValueError`` naming the row for a row without a numeric Job.ID or a repeated one.
    """
    jobs, seen = [], set()
    for item in UsJobs(folder / "jobs.csv"):
        if isinstance(item, Issue):
            raise ValueError(f"{folder / 'jobs.csv'}, row {item.row}, column {item.column}: {item.message}")
        assert isinstance(item, PostingItem)
        job_id = _int(item.external_id, f"{folder / 'jobs.csv'}, row {item.row}, column Job.ID")
        if job_id in seen:
            raise ValueError(f"{folder / 'jobs.csv'}, row {item.row}, column Job.ID: duplicate id {job_id}")
        seen.add(job_id)
        jobs.append(
            JobDoc(
                id=job_id,
                title=item.title,
                country="US",
                province=item.province,
                city=item.city,
                employer_name=item.employer_name or "",
            )
        )
    if not jobs:
        raise ValueError(f"{folder / 'jobs.csv'}: no jobs")
    return jobs


def seeker_doc(item: SeekerItem, applicant: int) -> SeekerDoc:
    """A profile from positions of interest (desired titles) and experience (titles, summary, home)."""
    summary = " ".join(e.description for e in item.experiences if e.description)[:SUMMARY_CHARS]
    return SeekerDoc(
        id=applicant,
        desired_titles=tuple(item.desired_titles),
        experience_titles=tuple(e.title for e in item.experiences if e.title),
        summary=summary,
        country="US",
        province=item.province,
        city=item.city,
    )


def read_profiles(folder: Path) -> dict[int, SeekerDoc]:
    """Profiles by applicant id; ``{}`` when the folder has neither profile file."""
    if not (folder / "experience.csv").exists() and not (folder / "positions_of_interest.csv").exists():
        return {}
    out = {}
    for item in UsApplicants(folder):
        if isinstance(item, Issue):
            raise ValueError(f"{folder}, row {item.row}, column {item.column}: {item.message}")
        assert isinstance(item, SeekerItem)
        applicant = _int(item.external_id, f"{folder / item.origin}, row {item.row}, column Applicant.ID")
        out[applicant] = seeker_doc(item, applicant)
    return out


def _time(value: str, where: str) -> float:
    try:
        at = dt.datetime.fromisoformat(value.removesuffix(" UTC").strip())
    except ValueError:
        raise ValueError(f"{where}: expected a time like 2014-12-12 20:12:35 UTC, got {value!r}") from None
    return (at if at.tzinfo else at.replace(tzinfo=dt.UTC)).timestamp()


def read_views(folder: Path, pool: Iterable[int]) -> tuple[list[Interaction], int]:
    """Views collapsed to the earliest View.Start per (applicant, job), ordered by (applicant, time, job).

    Views of jobs outside ``pool`` are dropped and counted. Raises ``ValueError`` naming row and
    column for a bad id or time, :class:`UnreadableFileError` for a missing column.
    """
    path = folder / "views.csv"
    pool = set(pool)
    _, rows = iter_rows(read_text(path)[0], VIEW_COLUMNS)
    first: dict[tuple[int, int], float] = {}
    dropped = 0
    for row in rows:
        v = row.values
        applicant = _int(clean(v["Applicant.ID"]), f"{path}, row {row.row}, column Applicant.ID")
        job = _int(clean(v["Job.ID"]), f"{path}, row {row.row}, column Job.ID")
        at = _time(v["View.Start"], f"{path}, row {row.row}, column View.Start")
        if job not in pool:
            dropped += 1
            continue
        key = (applicant, job)
        first[key] = min(at, first.get(key, at))
    views = [Interaction(seeker=a, job_id=j, at=t, grade=GRADES["view"]) for (a, j), t in first.items()]
    views.sort(key=lambda it: (it.seeker, it.at, it.job_id))
    return views, dropped


def read_board(folder: Path) -> JobBoard:
    """Read a whole folder (see the module doc). Raises ``FileNotFoundError`` without jobs.csv or
    views.csv and ``ValueError`` / :class:`UnreadableFileError` for bad rows."""
    for name in ("jobs.csv", "views.csv"):
        if not (folder / name).is_file():
            raise FileNotFoundError(f"{folder / name}: missing (the folder must hold jobs.csv and views.csv)")
    jobs = read_jobs(folder)
    views, dropped = read_views(folder, (j.id for j in jobs))
    return JobBoard(jobs=jobs, profiles=read_profiles(folder), views=views, dropped_views=dropped, origin=str(folder))


__all__ = ["UnreadableFileError", "read_board", "read_jobs", "read_profiles", "read_views", "seeker_doc"]
