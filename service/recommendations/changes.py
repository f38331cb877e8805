"""The recommendation caches' change feed (issue 18, "cheaper requests"): one ``recommendation_changes``
row per change of what the per-process caches of :mod:`service.recommendations.caches` hold, written in
the same transaction as the change, so a worker learns *that* its caches are stale by reading the rows
after the last sequence number it applied, not by computing a fingerprint of three tables per request.

What is recorded (``kind``, ``subject_id``):

* :attr:`ChangeKind.GRADUATE`, the graduate's id: a graduate, one of their certificates or experiences
  created, edited or deleted (the graduate's document, the seeker pool);
* :attr:`ChangeKind.APPLICATION`, the graduate's id: an application created, edited (its status) or
  deleted, or a status event added (the graduate's history, the learned model's interaction statistics);
* :attr:`ChangeKind.EMPLOYER`, the employer's id: an employer created, edited (verified, refused, renamed)
  or deleted (the postings hidden from graduates; a rename also writes a posting change row for each
  of its open postings, :data:`~service.postings.changes.EMPLOYER_SHOWN`, which updates the indexed
  documents and the posting summaries);
* :attr:`ChangeKind.CATALOG`, 0: a school or major created, renamed or deleted (the school and major
  names of documents and candidate summaries; rare, so every graduate's entry goes).

``subject_id`` 0 stands for "any": also an ORM ``INSERT`` statement, whose rows' subjects are not looked at.

The writing follows the postings' feed (:mod:`service.postings.changes`), whose conventions it shares:
the unit of work (:func:`_record_flush`) and ORM-enabled ``UPDATE``/``DELETE`` statements
(:func:`_record_statement`, which selects the subjects its ``WHERE`` matches first); Core statements on
the bare tables are not recorded (the service makes none on these tables). A transaction that wrote rows
sends the same PostgreSQL ``NOTIFY`` and counts in :func:`~service.postings.changes.local_commits`, so
the one follower task per worker (:meth:`~service.recommendations.index.IndexMaintainer.follow`) wakes for
both feeds, and a request after its own process's write reads them first. Rows are pruned with the
postings' (:func:`prune`, by the same daily job).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import String, delete, event, func, insert, inspect, select
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from service.applications.models import Application, ApplicationEvent
from service.catalog.models import Major, School
from service.db import Base, IdType, UtcDateTime, utcnow
from service.employers.models import Employer
from service.graduates.models import Graduate, GraduateCertificate, GraduateExperience
from service.postings.changes import KEEP, note_change, set_columns

#: Columns whose change alone changes nothing the caches hold.
NOT_CACHED = frozenset({"updated_at", "created_at", "last_login_at"})


class ChangeKind(enum.StrEnum):
    GRADUATE = "graduate"
    APPLICATION = "application"
    EMPLOYER = "employer"
    CATALOG = "catalog"


class RecommendationChange(Base):
    """One change of one subject (see the module doc): ``seq`` orders the feed (a sequence on
    PostgreSQL, the row id on SQLite); ``subject_id`` has no foreign key (deleted subjects keep rows)."""

    __tablename__ = "recommendation_changes"

    seq: Mapped[int] = mapped_column(IdType, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int] = mapped_column(IdType)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)


def _application_subject(obj: Any) -> int | None:
    return obj.graduate_id if isinstance(obj, Application) else None


#: mapped class → (kind, the column naming the subject of one of its rows; ``None``: "any", subject 0)
WATCHED: dict[type, tuple[ChangeKind, Any | None]] = {
    Graduate: (ChangeKind.GRADUATE, Graduate.id),
    GraduateCertificate: (ChangeKind.GRADUATE, GraduateCertificate.graduate_id),
    GraduateExperience: (ChangeKind.GRADUATE, GraduateExperience.graduate_id),
    Application: (ChangeKind.APPLICATION, Application.graduate_id),
    Employer: (ChangeKind.EMPLOYER, Employer.id),
    School: (ChangeKind.CATALOG, None),
    Major: (ChangeKind.CATALOG, None),
}


def _changed(obj: Any) -> bool:
    state = inspect(obj)
    return any(
        state.attrs[attr.key].history.has_changes() for attr in state.mapper.column_attrs if attr.key not in NOT_CACHED
    )


def _subject(obj: Any) -> tuple[ChangeKind, int] | None:
    if isinstance(obj, ApplicationEvent):  # a status event: its application's graduate (one indexed read)
        return None
    watched = WATCHED.get(type(obj))
    if watched is None:
        return None
    kind, column = watched
    value = getattr(obj, column.key, None) if column is not None else None
    return kind, int(value) if value is not None else 0


def _write(session: Session, rows: set[tuple[ChangeKind, int]]) -> None:
    conn = session.connection()
    now = utcnow()
    conn.execute(
        insert(RecommendationChange),
        [{"kind": kind.value, "subject_id": sid, "at": now} for kind, sid in sorted(rows)],
    )
    note_change(session)


@event.listens_for(Session, "after_flush")
def _record_flush(session: Session, _flush_context: Any) -> None:
    """New, edited and deleted rows of the :data:`WATCHED` classes, and new application status events."""
    rows: set[tuple[ChangeKind, int]] = set()
    events = []
    for obj in session.new:
        if isinstance(obj, ApplicationEvent):
            events.append(obj.application_id)
        elif (found := _subject(obj)) is not None:
            rows.add(found)
    for obj in session.dirty:
        if type(obj) in WATCHED and _changed(obj) and (found := _subject(obj)) is not None:
            rows.add(found)
    for obj in session.deleted:
        if (found := _subject(obj)) is not None:
            rows.add(found)
    if events:
        stmt = select(Application.graduate_id).where(Application.id.in_(sorted(set(events))))
        rows |= {(ChangeKind.APPLICATION, int(g)) for g in session.connection().execute(stmt).scalars()}
    if rows:
        _write(session, rows)


@event.listens_for(Session, "do_orm_execute")
def _record_statement(state: ORMExecuteState) -> None:
    """ORM ``INSERT``/``UPDATE``/``DELETE`` statements on the :data:`WATCHED` classes: the subjects their
    ``WHERE`` matches now (the same transaction, before the statement runs) get a row each, an
    ``INSERT`` one row for "any" (unless an ``UPDATE`` sets only :data:`NOT_CACHED` columns)."""
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    watched = WATCHED.get(mapper.class_) if mapper is not None else None
    if watched is None:
        return
    kind, column = watched
    statement = state.statement
    if state.is_insert or column is None:
        _write(state.session, {(kind, 0)})
        return
    if state.is_update:
        columns = set_columns(statement)
        if columns is not None and columns <= NOT_CACHED:
            return
    subjects = select(column).distinct()
    where = getattr(statement, "whereclause", None)
    if where is not None:
        subjects = subjects.where(where)
    matched = {(kind, int(s)) for s in state.session.execute(subjects).scalars() if s is not None}
    if matched:
        _write(state.session, matched)


async def prune(session: Any, now: dt.datetime, keep: dt.timedelta = KEEP) -> int:
    """Delete the rows recorded before ``now - keep``, except the last one (SQLite never reuses its
    number). Returns how many."""
    last = select(func.max(RecommendationChange.seq)).scalar_subquery()
    result = await session.execute(
        delete(RecommendationChange).where(RecommendationChange.at < now - keep, RecommendationChange.seq < last)
    )
    return int(result.rowcount or 0)
