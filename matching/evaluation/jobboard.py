"""A job-board folder's evaluation data (:class:`JobBoard`) cut into evaluation queries.

The folder (laid out like ``us_jobboard_views``) is read by :func:`service.jobboard.read_board`, which
uses the scraper readers; this module holds what the evaluation needs of it, so that ``matching``
never imports ``scrapers``.

Protocol (issue 3, "Evaluation on real data" 2): repeat views of a job by one applicant collapse
to one interaction at its earliest View.Start; an applicant's interactions are ordered by
(View.Start, Job.ID). *Warm* applicants (≥ 2 distinct jobs): target = the last job, history = the
earlier ones, candidates = the pool minus the history. *Cold* applicants (exactly 1 job and at
least one position of interest or experience row): target = that job, candidates = the whole pool,
profile from positions of interest and experience only. Applicants with one job and no profile
are not evaluated. The request time of a query is the target's View.Start.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from matching.documents import JobDoc, SeekerDoc
from matching.ltr import Query
from matching.ltr_features import Interaction


@dataclass(frozen=True)
class JobBoard:
    """One folder's pool, profiles (by applicant id) and collapsed, ordered views."""

    jobs: list[JobDoc]
    profiles: dict[int, SeekerDoc]
    views: list[Interaction]
    dropped_views: int  # views of jobs not in jobs.csv
    origin: str = ""  # where it was read from (the folder), for messages


def by_applicant(views: Iterable[Interaction]) -> dict[int, list[Interaction]]:
    """Each applicant's interactions ordered by (time, job id)."""
    out: dict[int, list[Interaction]] = defaultdict(list)
    for it in views:
        out[it.seeker].append(it)  # type: ignore[index]  # a job board's applicant ids are ints
    for items in out.values():
        items.sort(key=lambda it: (it.at, it.job_id))
    return dict(out)


def place_from_history(seeker: SeekerDoc, jobs: dict[int, JobDoc], history: tuple[int, ...]) -> SeekerDoc:
    """``seeker`` placed at its most recent history job when the profile gives no place of its own."""
    if seeker.city or seeker.province or not history:
        return seeker
    last = jobs[history[-1]]
    return replace(seeker, province=last.province, city=last.city)


def protocol_queries(
    views: Iterable[Interaction], profiles: dict[int, SeekerDoc], jobs: dict[int, JobDoc]
) -> tuple[list[Query], list[Query]]:
    """(warm, cold) evaluation queries as the module doc defines them, ordered by applicant id.

    A warm profile is the applicant's profile (or an empty one) placed at its last history job when
    it has no place; the history itself reaches the model through the history features.
    """
    warm, cold = [], []
    for applicant, items in sorted(by_applicant(views).items()):
        target = items[-1]
        profile = profiles.get(applicant)
        if len(items) >= 2:
            history = tuple(it.job_id for it in items[:-1])
            seeker = place_from_history(profile or SeekerDoc(id=applicant, country="US"), jobs, history)
            warm.append(
                Query(
                    seeker=seeker, history=history, at=target.at, targets={target.job_id: target.grade}, key=applicant
                )
            )
        elif profile is not None:  # a position of interest or an experience row
            cold.append(Query(seeker=profile, at=target.at, targets={target.job_id: target.grade}, key=applicant))
    return warm, cold


def training_queries(
    views: Iterable[Interaction],
    profiles: dict[int, SeekerDoc],
    jobs: dict[int, JobDoc],
    max_per_applicant: int = 10,
    cold_per_applicant: int = 1,
) -> list[Query]:
    """Queries to train on, made like the evaluation's from training applicants only: for each
    applicant, warm queries for their last ``max_per_applicant`` interactions after the first
    (history = everything before), and, when they have a profile, cold queries (profile only, no
    history) for their first ``cold_per_applicant`` interactions, each at its own time (the
    applicant's own interactions never count in the features, so a later one is as new to the
    model as the first)."""
    out: list[Query] = []
    for applicant, items in sorted(by_applicant(views).items()):
        profile = profiles.get(applicant)
        if profile is not None:
            out.extend(
                Query(seeker=profile, at=it.at, targets={it.job_id: it.grade}, key=applicant)
                for it in items[: max(1, cold_per_applicant)]
            )
        for i in range(max(1, len(items) - max_per_applicant), len(items)):
            history = tuple(it.job_id for it in items[:i])
            seeker = place_from_history(profile or SeekerDoc(id=applicant, country="US"), jobs, history)
            out.append(
                Query(
                    seeker=seeker,
                    history=history,
                    at=items[i].at,
                    targets={items[i].job_id: items[i].grade},
                    key=applicant,
                )
            )
    return out


__all__ = ["JobBoard", "by_applicant", "place_from_history", "protocol_queries", "training_queries"]
