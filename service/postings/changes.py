"""The postings' change feed (issue 18): one ``posting_changes`` row per posting created, edited
(closed, filled, expired and marked stale included) or deleted, written in the same transaction as
the change, so every process and host learns what changed by reading rows after the last sequence
number it applied instead of re-scanning the postings table.

One home for the writing: two SQLAlchemy session events catch every change made through the ORM —
the unit of work (``session.add``, attribute edits, ``session.delete``: :func:`_record_flush`) and
ORM-enabled ``UPDATE``/``DELETE`` statements on :class:`Posting` (``session.execute(update(Posting)
…)``: :func:`_record_statement`, which selects the ids its ``WHERE`` matches first). An employer's
change of what a posting's document and summary show of it (:data:`EMPLOYER_SHOWN`: its name) is a
change of each of its open postings, recorded as an ``edited`` row per posting the same two ways, so
every worker's index and posting summaries follow a rename like any posting edit. Deleting an
employer (``session.delete`` or an ORM ``DELETE`` statement on :class:`~service.employers.models.Employer`)
deletes its postings by the database's ``ON DELETE CASCADE``, which the ORM never sees: the ids of
every posting of the employers about to go are read first (:func:`_record_employer_deletes`, before
the flush; :func:`_record_statement`, before the statement) and each gets a ``deleted`` row, so the
workers' indexes drop them at once instead of at their next rebuild. What is not the
posting's content is left out: a change of only ``application_count``, ``hire_count`` or
``updated_at`` (an application, a hire that leaves the posting open) writes no row. Core statements on
the bare table (``conn.execute(Posting.__table__.update())``) bypass the ORM and are not recorded:
the service makes none; a full rebuild of the recommendation index reads every posting anyway.

On PostgreSQL the same transaction sends ``NOTIFY`` on :data:`CHANNEL` (delivered at commit), so
listening workers wake at once instead of at their next poll. In this process, a committed session
that wrote changes bumps :func:`local_commits`, so a request that follows its own process's write
sees it without asking the database.

Rows are pruned by the daily :func:`prune_posting_changes` job (older than :data:`KEEP`, the last
row always kept so SQLite never reuses a sequence number).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging
from typing import Any

from sqlalchemy import String, delete, event, func, insert, inspect, select, text
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from service.config import Settings
from service.db import Base, IdType, UtcDateTime, utcnow
from service.employers.models import Employer
from service.postings.models import Posting, PostingStatus

log = logging.getLogger(__name__)

#: PostgreSQL ``LISTEN``/``NOTIFY`` channel woken by every transaction that changed postings.
CHANNEL = "vocmatch_posting_changes"
#: Columns whose change alone is no change of the posting's content (the ranker never reads them).
NOT_CONTENT = frozenset({"application_count", "hire_count", "updated_at"})
#: Employer columns that a posting's indexed document and its summary show
#: (:func:`service.recommendations.documents.job_doc`, :func:`~service.recommendations.documents.posting_summary`):
#: changing one is a change of each of the employer's open postings.
EMPLOYER_SHOWN = frozenset({"name"})
#: Change rows are kept this long (a worker that lags more rebuilds from the postings at start-up).
KEEP = dt.timedelta(days=1)
#: Name of the pruning job in the scheduler and in ``vocmatch jobs run``; daily at 04:50.
JOB_ID = "prune_posting_changes"
CRON = {"hour": 4, "minute": 50}
MISFIRE_GRACE_SECONDS = 6 * 3600
_FLAG = "vocmatch.posting_changes"
_local_commits = 0


class ChangeKind(enum.StrEnum):
    CREATED = "created"
    EDITED = "edited"
    DELETED = "deleted"


class PostingChange(Base):
    """One change of one posting: ``seq`` orders the feed (a sequence on PostgreSQL, the row id on
    SQLite); ``posting_id`` has no foreign key (a deleted posting keeps its ``deleted`` row)."""

    __tablename__ = "posting_changes"

    seq: Mapped[int] = mapped_column(IdType, primary_key=True)
    posting_id: Mapped[int] = mapped_column(IdType)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


def local_commits() -> int:
    """How many transactions of this process that changed postings have committed (any thread)."""
    return _local_commits


def _content_changed(posting: Posting) -> bool:
    state = inspect(posting)
    return any(
        state.attrs[attr.key].history.has_changes() for attr in state.mapper.column_attrs if attr.key not in NOT_CONTENT
    )


def _shown_changed(employer: Employer) -> bool:
    state = inspect(employer)
    return any(state.attrs[key].history.has_changes() for key in EMPLOYER_SHOWN)


def _postings_of(session: Session, employers: Any, *, open_only: bool = True) -> list[int]:
    """Ids of the postings of ``employers`` (ids, or a subquery of them): the open ones, or with
    ``open_only=False`` every one (any status: a deleted employer takes them all). Status open is
    enough for an edit: a posting closed or filled is in no index nor response, and one past its
    dates or stale is read as closed by the index that reads the row."""
    stmt = select(Posting.id).where(Posting.employer_id.in_(employers))
    if open_only:
        stmt = stmt.where(Posting.status == PostingStatus.OPEN)
    return list(session.connection().execute(stmt.order_by(Posting.id)).scalars())


def _write(session: Session, rows: list[tuple[int, ChangeKind]]) -> None:
    """Insert ``rows`` (posting id, kind) through the session's connection, in its transaction, and
    on PostgreSQL queue the ``NOTIFY`` that commit delivers (repeats within a transaction fold into one)."""
    conn = session.connection()
    now = utcnow()
    conn.execute(
        insert(PostingChange),
        [{"posting_id": pid, "kind": kind.value, "at": now} for pid, kind in rows],
    )
    note_change(session)


def note_change(session: Session) -> None:
    """Mark ``session``'s transaction as one that wrote change-feed rows (this feed's or the
    recommendation caches', :mod:`service.recommendations.changes`): on PostgreSQL queue the ``NOTIFY``
    on :data:`CHANNEL` that commit delivers (once per transaction), and count its commit in
    :func:`local_commits`."""
    if session.info.get(_FLAG):
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_notify(:channel, '')"), {"channel": CHANNEL})
    session.info[_FLAG] = True


@event.listens_for(Session, "before_flush")
def _record_employer_deletes(session: Session, _flush_context: Any, _instances: Any) -> None:
    """Employers the unit of work is about to delete: a ``deleted`` row for each of their postings,
    read now, while they exist (the flush's ``DELETE`` takes them by ``ON DELETE CASCADE``). A
    posting of theirs also deleted in this flush is left to :func:`_record_flush`."""
    gone = sorted(o.id for o in session.deleted if isinstance(o, Employer) and o.id is not None)
    if not gone:
        return
    own = {o.id for o in session.deleted if isinstance(o, Posting)}
    rows = [(pid, ChangeKind.DELETED) for pid in _postings_of(session, gone, open_only=False) if pid not in own]
    if rows:
        _write(session, rows)


@event.listens_for(Session, "after_flush")
def _record_flush(session: Session, _flush_context: Any) -> None:
    """The unit of work's new, content-edited and deleted postings (their pre-flush state is still
    readable here, their ids assigned)."""
    rows: list[tuple[int, ChangeKind]] = []
    rows += [(o.id, ChangeKind.CREATED) for o in session.new if isinstance(o, Posting)]
    rows += [(o.id, ChangeKind.EDITED) for o in session.dirty if isinstance(o, Posting) and _content_changed(o)]
    rows += [(o.id, ChangeKind.DELETED) for o in session.deleted if isinstance(o, Posting)]
    renamed = sorted(o.id for o in session.dirty if isinstance(o, Employer) and _shown_changed(o))
    if renamed:
        rows += [(pid, ChangeKind.EDITED) for pid in _postings_of(session, renamed)]
    if rows:
        _write(session, rows)


def set_columns(statement: Any) -> set[str] | None:
    """Names of the columns an ``UPDATE`` sets (``None`` when they cannot be told: record it)."""
    values = getattr(statement, "_values", None) or dict(getattr(statement, "_ordered_values", None) or ())
    if not values:
        return None
    return {str(getattr(k, "key", k)) for k in values}


@event.listens_for(Session, "do_orm_execute")
def _record_statement(state: ORMExecuteState) -> None:
    """ORM ``UPDATE``/``DELETE`` statements on postings: the ids their ``WHERE`` matches now (the
    same transaction, before the statement runs) get a row each, unless only :data:`NOT_CONTENT`
    columns are set; ORM ``UPDATE`` statements on employers that may set an :data:`EMPLOYER_SHOWN`
    column: the open postings of the employers their ``WHERE`` matches; ORM ``DELETE`` statements on
    employers: every posting of the employers their ``WHERE`` matches (``deleted``)."""
    if not (state.is_update or state.is_delete):
        return
    mapper = state.bind_mapper
    if mapper is not None and mapper.class_ is Employer:
        _record_employer_statement(state)
        return
    if mapper is None or mapper.class_ is not Posting:
        return
    statement = state.statement
    if state.is_update:
        columns = set_columns(statement)
        if columns is not None and columns <= NOT_CONTENT:
            return
    ids = select(Posting.id)
    where = getattr(statement, "whereclause", None)
    if where is not None:
        ids = ids.where(where)
    matched = list(state.session.execute(ids.order_by(Posting.id)).scalars())
    if matched:
        kind = ChangeKind.EDITED if state.is_update else ChangeKind.DELETED
        _write(state.session, [(pid, kind) for pid in matched])


def _record_employer_statement(state: ORMExecuteState) -> None:
    if state.is_update:
        columns = set_columns(state.statement)
        if columns is not None and not columns & EMPLOYER_SHOWN:
            return
    employers = select(Employer.id)
    where = getattr(state.statement, "whereclause", None)
    if where is not None:
        employers = employers.where(where)
    if state.is_delete:
        gone = _postings_of(state.session, employers, open_only=False)
        if gone:
            _write(state.session, [(pid, ChangeKind.DELETED) for pid in gone])
        return
    matched = _postings_of(state.session, employers)
    if matched:
        _write(state.session, [(pid, ChangeKind.EDITED) for pid in matched])


@event.listens_for(Session, "after_commit")
def _count_commit(session: Session) -> None:
    global _local_commits
    if session.info.pop(_FLAG, False):
        _local_commits += 1


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, _previous: Any) -> None:
    session.info.pop(_FLAG, None)


async def prune(session: Any, now: dt.datetime, keep: dt.timedelta = KEEP) -> int:
    """Delete the change rows recorded before ``now - keep``, except the last one. Returns how many."""
    last = select(func.max(PostingChange.seq)).scalar_subquery()
    result = await session.execute(delete(PostingChange).where(PostingChange.at < now - keep, PostingChange.seq < last))
    return int(result.rowcount or 0)


async def prune_posting_changes_async(settings: Settings, now: dt.datetime | None = None) -> dict[str, Any]:
    from service.db import make_engine, session_scope
    from service.recommendations.changes import prune as prune_recommendation_changes

    engine = make_engine(settings)
    try:
        async with session_scope(engine) as session:
            deleted = await prune(session, now or utcnow())
            caches = await prune_recommendation_changes(session, now or utcnow())
    finally:
        await engine.dispose()
    return {"deleted": deleted, "recommendation_changes_deleted": caches}


def prune_posting_changes(settings: Settings) -> dict[str, Any]:
    """APScheduler job: :func:`prune_posting_changes_async` in a fresh event loop."""
    report = asyncio.run(prune_posting_changes_async(settings))
    log.info("posting changes pruned: %s", report)
    return report


def add_prune_job(scheduler: Any, settings: Settings, timezone: str) -> Any:
    """Add the daily :func:`prune_posting_changes` job (:data:`CRON` in ``timezone``) as :data:`JOB_ID`."""
    from service.jobs.cron import add_cron_job

    return add_cron_job(
        scheduler,
        prune_posting_changes,
        settings,
        timezone,
        job_id=JOB_ID,
        cron=CRON,
        name="prune the postings' change feed",
        misfire_grace_seconds=MISFIRE_GRACE_SECONDS,
    )
