"""Saved jobs and job alerts of one graduate (:class:`AlertService`, used by ``/me/…`` and the web
pages alike), and the daily digest of new postings per alert (:func:`digest_graduate`).

Who may save: graduates (adult trainees are graduates too) for postings they may see — those of
verified employers (:func:`~service.postings.visibility.visible_to_graduates_clause`, the rule of the job
pages and ``POST /applications``); any other posting is a 404, as for a missing one. Saved postings
that are closed, filled or past their closing date stay listed with that state; a posting whose
employer is no longer verified is left out of the list (graduates may not see it).

The digest: for each active alert, the postings matching its search now
(:func:`service.postings.search.matching_postings` — the jobs page's own query: open, visible) that
were first stored after the alert's ``watermark`` and never sent for it; one ``job_alert_digest``
notification per graduate lists them all. The hits and the moved watermark are written in the
transaction that queues the notification, so a run repeated, or one that crashed half-way, never
sends a posting twice for the same alert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from service.alerts.models import JobAlert, JobAlertHit, SavedJob
from service.alerts.schemas import (
    AlertFilters,
    JobAlertCreate,
    JobAlertRead,
    JobAlertUpdate,
    PostingState,
    SavedJobRead,
)
from service.applications.models import Application
from service.config import beijing_date
from service.db import rowcount, utcnow
from service.errors import ConflictError, InvalidFieldError, NotFoundError
from service.notifications import Kind
from service.notifications.service import graduate_recipients, notify
from service.postings.models import Posting, PostingStatus
from service.postings.search import JobQuery, matching_postings, parse_filters
from service.postings.visibility import visible_to_graduates_clause

#: Most saved postings and alerts one graduate may keep (the answer over it is a 409 saying so).
MAX_SAVED_JOBS = 200
MAX_ALERTS = 20
#: Postings stored up to this long before the watermark are looked at again (a posting whose
#: transaction committed after a run had read the table is still sent: the hits keep it once).
LATE_COMMIT_GRACE = dt.timedelta(hours=1)
#: Most postings written out in one digest (the count covers them all; the page lists the rest).
MAX_LISTED = 20


def posting_state(posting: Posting, today: dt.date) -> PostingState:
    """``open``, ``closed``, ``filled`` or ``expired`` (open, but past ``valid_through``) — as
    :func:`service.applications.service.closed_reason` decides whether a posting takes applications."""
    if posting.status is PostingStatus.FILLED:
        return "filled"
    if posting.status is PostingStatus.CLOSED:
        return "closed"
    if posting.valid_through is not None and posting.valid_through < today:
        return "expired"
    return "open"


def saved_read(saved: SavedJob, today: dt.date) -> SavedJobRead:
    """A saved row (posting and employer loaded) → :class:`SavedJobRead`."""
    p = saved.posting
    return SavedJobRead(
        posting_id=p.id,
        title=p.title,
        employer_id=p.employer_id,
        employer_name=p.employer.name,
        city=p.city or p.province,
        salary_min_monthly=p.salary_min_monthly,
        salary_max_monthly=p.salary_max_monthly,
        valid_through=p.valid_through,
        state=posting_state(p, today),
        saved_at=saved.created_at,
    )


def alert_read(alert: JobAlert) -> JobAlertRead:
    jq = parse_filters(alert.filters)
    return JobAlertRead(
        id=alert.id,
        name=alert.name,
        filters=jq.canonical(),
        query=jq.query_string(),
        active=alert.active,
        created_at=alert.created_at,
        last_sent_at=alert.last_sent_at,
    )


def query_of(filters: AlertFilters) -> JobQuery:
    """The API's filters as the jobs page's query (:func:`parse_filters`).

    Raises:
        InvalidFieldError: a value the search cannot use (``filters.region`` not a region code …),
            or no filter at all (``filters``).
    """
    values = {k: v for k, v in msgspec.structs.asdict(filters).items() if v not in (None, False)}
    values = {k: (v.value if hasattr(v, "value") else "1" if v is True else str(v)) for k, v in values.items()}
    jq = parse_filters(values)
    return check_query(jq, prefix="filters.")


def check_query(jq: JobQuery, prefix: str = "") -> JobQuery:
    """``jq`` if it can be saved. Raises :class:`InvalidFieldError` naming the first bad filter, or
    ``filters`` when none is in use (an alert for every new posting is not a search)."""
    for name, message in jq.errors.items():
        raise InvalidFieldError(f"{prefix}{name}", message)
    if not jq.active:
        raise InvalidFieldError(prefix.rstrip(".") or "filters", "choose at least one filter to save a search")
    return jq


class AlertService:
    """One graduate's saved jobs and alerts. Flushes; the caller's transaction commits."""

    def __init__(self, session: AsyncSession, graduate_id: int) -> None:
        self.session = session
        self.graduate_id = graduate_id

    # --- saved jobs ----------------------------------------------------------------------------

    async def _visible_posting(self, posting_id: int) -> None:
        found = await self.session.execute(
            select(Posting.id).where(Posting.id == posting_id, visible_to_graduates_clause())
        )
        if found.first() is None:
            raise NotFoundError("posting", posting_id)

    async def saved_ids(self, posting_ids: Sequence[int] | None = None) -> set[int]:
        """Which of ``posting_ids`` (all when ``None``) the graduate saved."""
        stmt = select(SavedJob.posting_id).where(SavedJob.graduate_id == self.graduate_id)
        if posting_ids is not None:
            stmt = stmt.where(SavedJob.posting_id.in_(list(posting_ids)))
        return set((await self.session.execute(stmt)).scalars())

    async def save_job(self, posting_id: int) -> SavedJob:
        """Save a posting (again: nothing changes). Closed postings may be saved too.

        Raises:
            NotFoundError: no such posting, or one graduates may not see.
            ConflictError: already :data:`MAX_SAVED_JOBS` saved.
        """
        await self._visible_posting(posting_id)
        existing = await self._saved(posting_id)
        if existing is None:
            count = (
                await self.session.execute(
                    select(func.count()).select_from(SavedJob).where(SavedJob.graduate_id == self.graduate_id)
                )
            ).scalar_one()
            if count >= MAX_SAVED_JOBS:
                raise ConflictError(
                    f"saved_jobs: at most {MAX_SAVED_JOBS} saved jobs; remove one first",
                    [{"field": "saved_jobs", "message": f"at most {MAX_SAVED_JOBS}"}],
                )
            self.session.add(SavedJob(graduate_id=self.graduate_id, posting_id=posting_id))
            await self.session.flush()
            existing = await self._saved(posting_id)
        assert existing is not None
        return existing

    async def _saved(self, posting_id: int) -> SavedJob | None:
        stmt = (
            select(SavedJob)
            .options(joinedload(SavedJob.posting).joinedload(Posting.employer))
            .where(SavedJob.graduate_id == self.graduate_id, SavedJob.posting_id == posting_id)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def unsave_job(self, posting_id: int) -> bool:
        """Forget a saved posting; whether it was saved (unsaving twice is harmless)."""
        result = await self.session.execute(
            delete(SavedJob).where(SavedJob.graduate_id == self.graduate_id, SavedJob.posting_id == posting_id)
        )
        return bool(rowcount(result))

    async def saved_jobs(self, limit: int = MAX_SAVED_JOBS, offset: int = 0) -> tuple[list[SavedJob], int]:
        """The saved postings the graduate may still see, newest saved first, and their total."""
        where = (
            SavedJob.graduate_id == self.graduate_id,
            SavedJob.posting_id.in_(select(Posting.id).where(visible_to_graduates_clause())),
        )
        total = (await self.session.execute(select(func.count()).select_from(SavedJob).where(*where))).scalar_one()
        stmt = (
            select(SavedJob)
            .options(joinedload(SavedJob.posting).joinedload(Posting.employer))
            .where(*where)
            .order_by(SavedJob.created_at.desc(), SavedJob.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return list((await self.session.execute(stmt)).scalars()), total

    # --- alerts --------------------------------------------------------------------------------

    async def alerts(self) -> list[JobAlert]:
        """The graduate's alerts, oldest first."""
        stmt = select(JobAlert).where(JobAlert.graduate_id == self.graduate_id).order_by(JobAlert.id)
        return list((await self.session.execute(stmt)).scalars())

    async def alert(self, alert_id: int) -> JobAlert:
        """Raises :class:`NotFoundError` for an unknown alert or another graduate's."""
        alert = await self.session.get(JobAlert, alert_id)
        if alert is None or alert.graduate_id != self.graduate_id:
            raise NotFoundError("job alert", alert_id)
        return alert

    async def create_alert(self, name: str, jq: JobQuery) -> JobAlert:
        """Save the search ``jq`` as ``name`` (trimmed, 1–100 characters); postings first published
        from now on are sent.

        Raises:
            InvalidFieldError: an empty or too long name, a bad filter or none (see :func:`check_query`).
            ConflictError: already :data:`MAX_ALERTS` alerts.
        """
        name = " ".join(name.split())
        if not 1 <= len(name) <= 100:
            raise InvalidFieldError("name", "1–100 characters")
        check_query(jq)
        if len(await self.alerts()) >= MAX_ALERTS:
            raise ConflictError(
                f"job_alerts: at most {MAX_ALERTS} saved searches; delete one first",
                [{"field": "job_alerts", "message": f"at most {MAX_ALERTS}"}],
            )
        alert = JobAlert(
            graduate_id=self.graduate_id, name=name, filters=jq.canonical(), active=True, watermark=utcnow()
        )
        self.session.add(alert)
        await self.session.flush()
        return alert

    async def create(self, data: JobAlertCreate) -> JobAlert:
        """:meth:`create_alert` from the API's body."""
        return await self.create_alert(data.name, query_of(data.filters))

    async def update_alert(self, alert_id: int, data: JobAlertUpdate) -> JobAlert:
        """Rename and/or pause or resume. Resuming moves the watermark to now: nothing published
        while the alert was paused is sent. Raises as :meth:`alert`, and :class:`InvalidFieldError`
        for a blank name."""
        alert = await self.alert(alert_id)
        if data.name is not msgspec.UNSET:
            name = " ".join(data.name.split())
            if not name:
                raise InvalidFieldError("name", "1–100 characters")
            alert.name = name
        if data.active is not msgspec.UNSET and data.active != alert.active:
            alert.active = data.active
            if data.active:
                alert.watermark = utcnow()
        await self.session.flush()
        return alert

    async def delete_alert(self, alert_id: int) -> None:
        """Raises as :meth:`alert`."""
        await self.session.delete(await self.alert(alert_id))
        await self.session.flush()


async def erase_for_graduate(session: AsyncSession, graduate_id: int) -> dict[str, int]:
    """Delete the graduate's saved jobs and alerts (their searches may say what they look for) — part
    of the erasure of a graduate's data (:func:`service.privacy.deletion.execute_deletion`). Returns
    the counts for its audit detail."""
    saved = await session.execute(
        delete(SavedJob).where(SavedJob.graduate_id == graduate_id).execution_options(synchronize_session=False)
    )
    alerts = await session.execute(
        delete(JobAlert).where(JobAlert.graduate_id == graduate_id).execution_options(synchronize_session=False)
    )
    return {"saved_jobs_deleted": rowcount(saved) or 0, "job_alerts_deleted": rowcount(alerts) or 0}


# --- the digest ----------------------------------------------------------------------------------


async def graduates_with_alerts(session: AsyncSession) -> list[int]:
    """Graduates with at least one active alert, in id order."""
    stmt = select(JobAlert.graduate_id).where(JobAlert.active.is_(True)).distinct().order_by(JobAlert.graduate_id)
    return list((await session.execute(stmt)).scalars())


async def new_postings(session: AsyncSession, alert: JobAlert, now: dt.datetime) -> list[Posting]:
    """Postings new to ``alert`` at ``now``: matching its search today (open, visible), first stored
    after its watermark (less :data:`LATE_COMMIT_GRACE`, never before the alert), not sent for it,
    not applied to; oldest first, employers loaded."""
    jq = parse_filters(alert.filters)
    since = max(alert.created_at, alert.watermark - LATE_COMMIT_GRACE)
    sent = select(JobAlertHit.posting_id).where(JobAlertHit.alert_id == alert.id)
    applied = select(Application.posting_id).where(Application.graduate_id == alert.graduate_id)
    today = beijing_date(now)  # the users' day, as everywhere (service.config.beijing_today)
    stmt = (
        matching_postings(session, jq, today)
        .options(joinedload(Posting.employer))
        .where(
            Posting.created_at > since, Posting.created_at <= now, Posting.id.not_in(sent), Posting.id.not_in(applied)
        )
        .order_by(Posting.created_at, Posting.id)
    )
    return list((await session.execute(stmt)).unique().scalars())


def _line(posting: Posting, public_url: str) -> str:
    place = posting.city or posting.province
    head = " · ".join(x for x in (posting.title, posting.employer.name, place) if x)
    return f"• {head}\n  {public_url.rstrip('/')}/web/jobs/{posting.id}"


async def digest_graduate(
    session: AsyncSession, graduate_id: int, now: dt.datetime | None = None, public_url: str = ""
) -> int:
    """One graduate's digest, in the caller's transaction: for each active alert its
    :func:`new_postings` are recorded as sent and its watermark moves to ``now``; if any were found,
    one ``job_alert_digest`` notification to the graduate's account lists them (a posting found by
    two alerts once; at most :data:`MAX_LISTED`, with their links under ``public_url``). Returns how
    many distinct postings it listed. The notification follows the account's preferences
    (:func:`~service.notifications.service.notify`)."""
    now = now or utcnow()
    # write first (a no-op update): it locks the graduate's alert rows on PostgreSQL and takes SQLite's
    # write lock before anything is read, so a second run at the same time waits for this one's
    # commit, then finds its hits and sends nothing (SELECT … FOR UPDATE would not lock on SQLite)
    await session.execute(
        update(JobAlert)
        .where(JobAlert.graduate_id == graduate_id, JobAlert.active.is_(True))
        .values(updated_at=JobAlert.updated_at)
        .execution_options(synchronize_session=False)
    )
    alerts = (
        (
            await session.execute(
                select(JobAlert)
                .where(JobAlert.graduate_id == graduate_id, JobAlert.active.is_(True))
                .order_by(JobAlert.id)
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .all()
    )
    found: dict[int, Posting] = {}
    names: list[str] = []
    for alert in alerts:
        postings = await new_postings(session, alert, now)
        session.add_all(JobAlertHit(alert_id=alert.id, posting_id=p.id, sent_at=now) for p in postings)
        alert.watermark = now
        if postings:
            alert.last_sent_at = now
            names.append(alert.name)
            found.update((p.id, p) for p in postings)
    await session.flush()
    if not found:
        return 0
    listed = sorted(found.values(), key=lambda p: (p.created_at, p.id))
    params: dict[str, object] = {
        "search_name": "、".join(names),
        "count": len(listed),
        "jobs": "\n".join(_line(p, public_url) for p in listed[:MAX_LISTED]),
    }
    if len(listed) > MAX_LISTED:
        params["more"] = len(listed) - MAX_LISTED
    users = (await graduate_recipients(session, [graduate_id])).get(graduate_id, [])
    await notify(session, recipients=users, kind=Kind.JOB_ALERT_DIGEST, params=params, link="/web/job-alerts")
    return len(listed)
