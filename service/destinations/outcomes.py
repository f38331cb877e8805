"""The maintained outcome table ``graduate_outcomes`` (:class:`~service.destinations.models.OutcomeInterval`).

A report as of day ``D`` with knowledge cut-off ``T`` counts, per graduate, the outcome
:meth:`History(events recorded before T).on(D) <service.destinations.precedence.History.on>`
chooses. That answer only changes at two kinds of points, so it is stored as rectangles:

- **knowledge**: events are append-only and ``History`` sees those with ``recorded_at < T``, so
  the answer is the same for every ``T`` between two consecutive ``recorded_at`` values of the
  graduate's events: the row made from the events recorded up to ``t_i`` answers
  ``t_i < T <= t_(i+1)`` (``recorded_from``, ``recorded_to``);
- **validity**: for a fixed set of events ``on(D)`` only changes on an outcome's ``occurred_on``
  (the candidates are the undisputed outcomes with ``occurred_on <= D``; rules 2–5 of
  :mod:`~service.destinations.precedence` depend on nothing else), so the segments between
  consecutive ``occurred_on`` days (``valid_from``, ``valid_to``) cover every day.

Nothing in the rules depends on the clock (no "disputed for 30 days", no "confirmed after N
days"): a dispute or a confirmation acts from its ``recorded_at`` on, which the knowledge axis
already holds. Adjacent segments with the same outcome, and consecutive cut-off ranges with the
same segments, are merged.

Every row is computed by the Python reference itself (``History.on``), so the table equals it
by construction; :mod:`service.reports.counts_sql` reads the table with two range conditions
(the tests compare table, the window-function SQL over the events and the reference cell by cell).

Maintenance: :func:`refresh` recomputes a graduate's rows from their whole history; the
session's ``after_flush`` hook (:func:`service.destinations.models._maintain_outcomes`) calls it
for every graduate whose events were added, or whose graduation date changed (the quarter
flags depend on it), in the flush itself — same transaction, every ORM write path (services,
roster imports, the sample loader). Events are never updated or deleted (the ORM refuses it;
privacy erasure only blanks their free text), and deleting a graduate cascades to their rows.
Rows loaded around the ORM (bulk ``COPY``) need :func:`rebuild` (``vocmatch outcomes rebuild``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.util import await_only

from service.destinations.models import DestinationEvent, OutcomeInterval
from service.destinations.precedence import History
from service.graduates.models import Graduate

# SQLAlchemy types a mapped class's __table__ as FromClause; a declarative class's is always a Table
OUTCOMES: Table = OutcomeInterval.__table__  # type: ignore[assignment]  # a Table (see above)
EVENTS: Table = DestinationEvent.__table__  # type: ignore[assignment]  # a Table (see above)
GRADUATES: Table = Graduate.__table__  # type: ignore[assignment]  # a Table (see above)

#: the event columns :class:`~service.destinations.precedence.History` and the table read
EVENT_COLUMNS = (
    "id",
    "graduate_id",
    "kind",
    "refers_to_id",
    "occurred_on",
    "recorded_at",
    "source",
    "category",
    "in_field",
    "internship",
    "region_code",
    "monthly_salary",
    "labour_contract",
    "social_insurance",
)
#: columns of ``graduate_outcomes`` in insert order
COLUMNS = (
    "graduate_id",
    "recorded_from",
    "valid_from",
    "recorded_to",
    "valid_to",
    "event_id",
    "category",
    "internship",
    "in_field",
    "region_code",
    "monthly_salary",
    "labour_contract",
    "social_insurance",
    "q2_employed",
    "q4_employed",
)


@dataclass(slots=True)
class Segment:
    """The outcome counting on the days ``[valid_from, valid_to)`` (``valid_to`` None: from then on)."""

    valid_from: dt.date
    valid_to: dt.date | None
    #: (event id, category, internship, in_field, region, salary, contract, insurance, employed)
    values: tuple[Any, ...]

    @property
    def employed(self) -> bool:
        return bool(self.values[-1])


def timeline(history: History) -> list[Segment]:
    """``history.on(D)`` for every day ``D`` as segments (nothing before the first one)."""
    days = sorted({e.occurred_on for e in history.outcomes})
    segments: list[Segment] = []
    for i, day in enumerate(days):
        eff = history.on(day)
        end = days[i + 1] if i + 1 < len(days) else None
        if eff is None:
            continue
        ev = eff.event
        if ev.internship:  # rule 5: counts as 待就业, nothing else of it is read
            values: tuple[Any, ...] = (ev.id, eff.category.value, True, None, None, None, None, None, False)
        else:
            values = (
                ev.id,
                eff.category.value,
                False,
                eff.in_field,
                ev.region_code,
                ev.monthly_salary,
                ev.labour_contract,
                ev.social_insurance,
                eff.employed,
            )
        last = segments[-1] if segments else None
        if last is not None and last.valid_to == day and last.values == values:
            last.valid_to = end
        else:
            segments.append(Segment(day, end, values))
    return segments


def _quarter(day: dt.date, n: int) -> tuple[dt.date, dt.date]:
    from service.reports.compute import quarter_after  # the reports' definition of "quarter after"

    return quarter_after(day, n)


def employed_in_quarter(segments: Sequence[Segment], graduated: dt.date | None, n: int) -> bool | None:
    """Directly employed on some day of the ``n``-th quarter after ``graduated`` (the segments are
    :meth:`History.on` on every day, so this is :meth:`History.employed_during`); None without a date."""
    if graduated is None:
        return None
    start, end = _quarter(graduated, n)
    return any(s.employed and s.valid_from <= end and (s.valid_to is None or s.valid_to > start) for s in segments)


def outcome_rows(graduate_id: int, events: Sequence[Any], graduated: dt.date | None) -> list[dict[str, Any]]:
    """The ``graduate_outcomes`` rows of one graduate from all their events (rows or ORM objects
    with :data:`EVENT_COLUMNS`) and graduation date."""
    rows: list[dict[str, Any]] = []
    open_rows: list[dict[str, Any]] = []
    previous: object = None
    for t in sorted({e.recorded_at for e in events}):
        segments = timeline(History(e for e in events if e.recorded_at <= t))
        key = (
            [(s.valid_from, s.valid_to, s.values) for s in segments],
            employed_in_quarter(segments, graduated, 2),
            employed_in_quarter(segments, graduated, 4),
        )
        if key == previous:
            continue
        previous = key
        for r in open_rows:
            r["recorded_to"] = t
        open_rows = [
            {
                "graduate_id": graduate_id,
                "recorded_from": t,
                "valid_from": s.valid_from,
                "recorded_to": None,
                "valid_to": s.valid_to,
                "event_id": s.values[0],
                "category": s.values[1],
                "internship": s.values[2],
                "in_field": s.values[3],
                "region_code": s.values[4],
                "monthly_salary": s.values[5],
                "labour_contract": s.values[6],
                "social_insurance": s.values[7],
                "q2_employed": key[1],
                "q4_employed": key[2],
            }
            for s in segments
        ]
        rows.extend(open_rows)
    return rows


def graduates_touched(session: Session) -> set[int]:
    """Graduates whose rows a flush makes stale (called from ``after_flush``, where ``new`` and
    ``dirty`` and the attribute histories still show what the flush wrote): those with a new
    destination event, and those whose graduation date changed."""
    ids: set[int] = set()
    for obj in session.new:
        if isinstance(obj, DestinationEvent):
            ids.add(obj.graduate_id)
    for obj in session.dirty:
        if isinstance(obj, Graduate) and inspect(obj).attrs.graduation_date.history.has_changes():
            ids.add(obj.id)
    return ids


def _events_stmt() -> Any:
    return (
        select(*[EVENTS.c[c] for c in EVENT_COLUMNS], GRADUATES.c.graduation_date)
        .join(GRADUATES, GRADUATES.c.id == EVENTS.c.graduate_id)
        .order_by(EVENTS.c.graduate_id, EVENTS.c.recorded_at, EVENTS.c.id)
    )


def _compute(events: Iterable[Any]) -> Iterator[dict[str, Any]]:
    """Rows for the events of several graduates, ordered by graduate."""
    current: list[Any] = []
    for e in events:
        if current and current[0].graduate_id != e.graduate_id:
            yield from outcome_rows(current[0].graduate_id, current, current[0].graduation_date)
            current = []
        current.append(e)
    if current:
        yield from outcome_rows(current[0].graduate_id, current, current[0].graduation_date)


def _insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "asyncpg":
        # COPY: several times faster than multi-row INSERTs for a rebuild of millions of rows
        driver = conn.connection.driver_connection
        assert driver is not None
        records = [tuple(r[c] for c in COLUMNS) for r in rows]
        await_only(driver.copy_records_to_table(OUTCOMES.name, records=records, columns=list(COLUMNS)))
    else:
        conn.execute(insert(OUTCOMES), rows)


def refresh(conn: Connection, graduate_ids: Iterable[int]) -> int:
    """Recompute the rows of ``graduate_ids`` from their whole history; returns the rows written."""
    ids = sorted(set(graduate_ids))
    written = 0
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        events = conn.execute(_events_stmt().where(EVENTS.c.graduate_id.in_(chunk))).all()
        conn.execute(delete(OUTCOMES).where(OUTCOMES.c.graduate_id.in_(chunk)))
        rows = list(_compute(events))
        if rows:
            conn.execute(insert(OUTCOMES), rows)
        written += len(rows)
    return written


@dataclass(frozen=True, slots=True)
class RebuildReport:
    graduates: int
    events: int
    rows: int


def rebuild(conn: Connection, batch: int = 20_000) -> RebuildReport:
    """Recompute the whole table (after a bulk load around the ORM, or if in doubt), in
    ``conn``'s transaction: every graduate with events, ``batch`` graduate ids at a time."""
    conn.execute(delete(OUTCOMES))
    low, high = conn.execute(select(func.min(EVENTS.c.graduate_id), func.max(EVENTS.c.graduate_id))).one()
    graduates = events_seen = written = 0
    if low is None:
        return RebuildReport(0, 0, 0)
    for start in range(low, high + 1, batch):
        events = conn.execute(
            _events_stmt().where(EVENTS.c.graduate_id >= start, EVENTS.c.graduate_id < start + batch)
        ).all()
        rows = list(_compute(events))
        _insert(conn, rows)
        events_seen += len(events)
        graduates += len({e.graduate_id for e in events})
        written += len(rows)
    return RebuildReport(graduates, events_seen, written)
