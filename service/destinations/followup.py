"""The follow-up list (毕业去向跟踪): every graduate of a cohort with the destination that counts,
who recorded it, its confirmation state, how stale it is and what needs doing (flags).

What counts is decided by :mod:`service.destinations.precedence` (never here). On top of it this
module reads the review state of the history:

* a **self-report** (source ``self_report``) awaits the school's review until the school decided
  on it — accepted (a ``school_survey`` outcome referring to it, which then outranks it on the same
  day) or refused (a ``dispute`` from ``school_review`` referring to it, so it stops counting);
* an outcome is **disputed** while the latest confirmation/dispute about it is the graduate's
  dispute (source ``self_report``); the school's decision (a ``confirmation`` or ``dispute`` from
  ``school_review``) ends that;
* an **employer-recorded** outcome (``platform_hire``) that counts awaits confirmation while nobody
  confirmed or disputed it;
* **去向未知** (destination unknown): nothing counts today (nothing recorded, or all disputed).

The flags follow the MOE's verification duty for schools (教育部办公厅《关于做好普通高校毕业生就业
统计工作的通知》: schools check each reported destination and its evidence, 核查 of 自报 records).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from sqlalchemy import and_, case, distinct, func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from service.accounts.models import Role
from service.auth.guards import Principal
from service.auth.scoping import graduates_clause
from service.catalog.models import Major
from service.config import latest_today
from service.destinations.models import (
    DestinationCategory,
    DestinationEvent,
    DestinationEventKind,
    DestinationSource,
    OutcomeInterval,
)
from service.destinations.precedence import History
from service.graduates.identity import mask_id_number
from service.graduates.models import Graduate
from service.pagination import Page
from service.privacy.audit import record_list_read
from service.privacy.deletion import not_deleted_clause
from service.privacy.models import AuditAction

K = DestinationEventKind
S = DestinationSource


class Flag(enum.StrEnum):
    """What a graduate's row needs: the four follow-up flags."""

    UNKNOWN = "unknown"  # 去向未知
    SELF_REPORT = "self_report"  # 自报待审核
    DISPUTED = "disputed"  # 有异议
    EMPLOYER_UNCONFIRMED = "employer_unconfirmed"  # 用人单位登记待确认


class Recorder(enum.StrEnum):
    """Who recorded the destination that counts."""

    SCHOOL = "school"  # school survey, roster/file import, an accepted self-report
    GRADUATE = "graduate"  # self-report
    EMPLOYER = "employer"  # platform hire


class Confirmation(enum.StrEnum):
    """Confirmation state of the destination that counts."""

    NONE = "none"  # nothing counts
    UNCONFIRMED = "unconfirmed"  # recorded by the school or an employer; the graduate has not answered
    SELF_REPORTED = "self_reported"  # the graduate's own report, not reviewed yet
    CONFIRMED = "confirmed"  # the graduate confirmed it
    VERIFIED = "verified"  # the school reviewed it (accepted a self-report, or upheld it against a dispute)


RECORDER = {S.PLATFORM_HIRE: Recorder.EMPLOYER, S.SELF_REPORT: Recorder.GRADUATE}
SORTS = ("stale", "name", "student_number", "class", "category")


def _order(e: Any) -> tuple[dt.datetime, int]:
    return (e.recorded_at, e.id)


def is_school_decision(e: Any) -> bool:
    """``e`` is the school's review decision on the outcome it refers to (see the module docstring)."""
    if e.refers_to_id is None:
        return False
    kind, source = K(e.kind), S(e.source)
    return (kind is K.OUTCOME and source is S.SCHOOL_SURVEY) or (
        kind in (K.CONFIRMATION, K.DISPUTE) and source is S.SCHOOL_REVIEW
    )


@dataclass(slots=True)  # not frozen: a frozen dataclass sets each field through object.__setattr__ (5,000 rows a page)
class Standing:
    """One graduate's follow-up state on a day: the outcome that counts (``None``: 去向未知), who
    recorded it, its confirmation state, the last event's ``recorded_at``, the flags, and the
    outcomes awaiting the school's review (self-reports, disputed outcomes)."""

    event: Any | None
    category: DestinationCategory | None
    recorder: Recorder | None
    confirmation: Confirmation
    last_update: dt.datetime | None
    flags: tuple[Flag, ...]
    pending_self_reports: tuple[int, ...]
    pending_disputes: tuple[int, ...]


_NOTHING = Standing(None, None, None, Confirmation.NONE, None, (Flag.UNKNOWN,), (), ())


def _single(e: Any, day: dt.date) -> Standing:
    """:func:`standing` of a history of one outcome (most graduates): with one candidate and no
    confirmation, dispute or override, the precedence rule reduces to "it counts from its day"
    (rules 2–5 of :mod:`service.destinations.precedence`; an internship counts as 待就业).
    Compares with ``==`` (members or their string values both fit) to stay cheap per graduate."""
    source = e.source
    self_report = source == S.SELF_REPORT
    pending = (e.id,) if self_report else ()
    flags = (Flag.SELF_REPORT,) if self_report else ()
    if e.occurred_on > day:
        return Standing(None, None, None, Confirmation.NONE, e.recorded_at, (Flag.UNKNOWN, *flags), pending, ())
    if source == S.PLATFORM_HIRE:
        flags = (Flag.EMPLOYER_UNCONFIRMED,)
    state = (
        Confirmation.SELF_REPORTED
        if self_report
        else Confirmation.VERIFIED
        if e.refers_to_id is not None
        else Confirmation.UNCONFIRMED
    )
    category = DestinationCategory.SEEKING if e.internship else _CATEGORY[e.category]
    return Standing(e, category, RECORDER.get(source, Recorder.SCHOOL), state, e.recorded_at, flags, pending, ())


_CATEGORY = {c.value: c for c in DestinationCategory}


def standing(events: Sequence[Any], day: dt.date) -> Standing:
    """The follow-up state of one graduate's ``events`` (ORM objects or rows) on ``day``."""
    if not events:
        return _NOTHING
    if len(events) == 1 and events[0].kind == K.OUTCOME:
        return _single(events[0], day)
    return _general(events, day)


def _general(events: Sequence[Any], day: dt.date) -> Standing:
    """:func:`standing` of any non-empty history, the outcome that counts from :class:`History`."""
    ordered = sorted(events, key=_order)
    decided = {e.refers_to_id for e in ordered if is_school_decision(e)}
    latest_review: dict[int, Any] = {}
    for e in ordered:
        if e.refers_to_id is not None and K(e.kind) in (K.CONFIRMATION, K.DISPUTE):
            latest_review[e.refers_to_id] = e
    outcomes = [e for e in ordered if K(e.kind) is K.OUTCOME]
    pending_self = tuple(e.id for e in outcomes if S(e.source) is S.SELF_REPORT and e.id not in decided)
    pending_disputes = tuple(
        oid for oid, r in latest_review.items() if K(r.kind) is K.DISPUTE and S(r.source) is S.SELF_REPORT
    )
    eff = History(ordered).on(day)
    flags: list[Flag] = []
    if eff is None:
        flags.append(Flag.UNKNOWN)
    if pending_self:
        flags.append(Flag.SELF_REPORT)
    if pending_disputes:
        flags.append(Flag.DISPUTED)
    if eff is None:
        return Standing(
            None,
            None,
            None,
            Confirmation.NONE,
            ordered[-1].recorded_at if ordered else None,
            tuple(flags),
            pending_self,
            pending_disputes,
        )
    event = eff.event
    review = latest_review.get(event.id)
    if review is None and S(event.source) is S.PLATFORM_HIRE:
        flags.append(Flag.EMPLOYER_UNCONFIRMED)
    if review is not None and K(review.kind) is K.CONFIRMATION:
        state = Confirmation.VERIFIED if S(review.source) is S.SCHOOL_REVIEW else Confirmation.CONFIRMED
    elif event.refers_to_id is not None:  # the school's acceptance of a self-report
        state = Confirmation.VERIFIED
    elif S(event.source) is S.SELF_REPORT:
        state = Confirmation.VERIFIED if event.id in decided else Confirmation.SELF_REPORTED
    else:
        state = Confirmation.UNCONFIRMED
    return Standing(
        event,
        eff.category,
        RECORDER.get(S(event.source), Recorder.SCHOOL),
        state,
        ordered[-1].recorded_at,
        tuple(flags),
        pending_self,
        pending_disputes,
    )


@dataclass(slots=True)
class FollowUpRow:
    """One graduate on the follow-up list. ``phone`` is ``None`` for callers who may not see it;
    ``id_number_masked`` is the existing mask (last 4 characters)."""

    graduate_id: int
    name: str
    student_number: str | None
    class_name: str | None
    major_code: str | None
    major_name: str | None
    cohort: int | None
    phone: str | None
    id_number_masked: str | None
    has_account: bool
    event_id: int | None
    category: DestinationCategory | None
    employer_name: str | None
    recorder: Recorder | None
    confirmation: Confirmation
    last_update: dt.datetime | None
    days_since_update: int | None
    flags: tuple[Flag, ...]


@dataclass(frozen=True, slots=True)
class FollowUpFilter:
    """Filters of the list: a flag, a major (专业代码), a class (班级, exact), a name or student
    number fragment; ``sort`` one of :data:`SORTS` (``stale``: longest without an update first,
    never-updated first of all)."""

    cohort: int
    flag: Flag | None = None
    major_code: str | None = None
    class_name: str | None = None
    q: str | None = None
    sort: str = "stale"


_EVENT_COLUMNS = (
    DestinationEvent.id,
    DestinationEvent.graduate_id,
    DestinationEvent.kind,
    DestinationEvent.refers_to_id,
    DestinationEvent.occurred_on,
    DestinationEvent.recorded_at,
    DestinationEvent.source,
    DestinationEvent.category,
    DestinationEvent.in_field,
    DestinationEvent.internship,
    DestinationEvent.employer_name,
)


async def _events(session: AsyncSession, p: Principal, cohort: int, *where: Any) -> dict[int, list[Any]]:
    stmt = (
        select(*_EVENT_COLUMNS)
        .join(Graduate, Graduate.id == DestinationEvent.graduate_id)
        .where(and_(graduates_clause(p), Graduate.cohort == cohort, *where))
    )
    out: dict[int, list[Any]] = {}
    for row in (await session.execute(stmt)).all():
        out.setdefault(row.graduate_id, []).append(row)
    return out


# --- the list in SQL ---------------------------------------------------------------------------
#
# The list of a school of 5,000 graduates is one query per page (issue 17: under 500 ms): the
# standing of every graduate is computed by the database — the outcome that counts read from the
# maintained outcome table (issue 18; made there by :class:`~service.destinations.precedence.History`
# itself, so it no longer ranks each graduate's events by a window function), the review state of the
# module docstring from the events; ``tests/destinations/test_followup_sql.py`` checks it agrees with
# :func:`standing` on every history it generates. Filters, sort and paging happen in SQL; Python only
# shapes the 50 rows shown.


def _code_point(column: Any, dialect: str) -> Any:
    """``column`` compared by code point, as Python's ``sorted`` does (PostgreSQL: the ``C``
    collation; SQLite compares the UTF-8 bytes, which orders the same)."""
    return column.collate("C") if dialect == "postgresql" else column


def _utc_date(column: Any, dialect: str) -> Any:
    """The UTC calendar date of a :class:`~service.db.UtcDateTime` column (SQLite stores UTC text)."""
    return func.date(func.timezone("UTC", column)) if dialect == "postgresql" else func.date(column)


def _contains(column: Any, text_: str, dialect: str) -> Any:
    """``text_ in column``, case-sensitive like Python's ``in`` (``LIKE`` is not, on SQLite)."""
    return (func.strpos(column, text_) if dialect == "postgresql" else func.instr(column, text_)) > 0


def _events_with_reviews(p: Principal, cohort: int, *where: Any, name: str = "events") -> Any:
    """The destination events of ``cohort`` that ``p`` may read, each with its latest review
    (``review_kind``/``review_source``: the latest confirmation or dispute referring to it, by
    ``recorded_at`` then id) and whether the school decided on it (``decided``: :func:`is_school_decision`
    of an event referring to it). The lookups are correlated
    subqueries on the ``refers_to_id`` index: no join between derived tables, which a planner
    without statistics (a freshly imported roster) would run as nested loops over thousands of rows.
    ``where``: more conditions, each a function of the events' table; ``name``: the subquery's."""
    E, R, D = DestinationEvent, aliased(DestinationEvent), aliased(DestinationEvent)
    latest = (R.refers_to_id == E.id, R.kind.in_([K.CONFIRMATION, K.DISPUTE]))
    order = (R.recorded_at.desc(), R.id.desc())
    review_kind = select(R.kind).where(*latest).order_by(*order).limit(1).scalar_subquery()
    review_source = select(R.source).where(*latest).order_by(*order).limit(1).scalar_subquery()
    decided = (
        select(D.id)
        .where(
            D.refers_to_id == E.id,
            or_(
                and_(D.kind == K.OUTCOME, D.source == S.SCHOOL_SURVEY),
                and_(D.kind.in_([K.CONFIRMATION, K.DISPUTE]), D.source == S.SCHOOL_REVIEW),
            ),
        )
        .exists()
    )
    in_scope = select(Graduate.id).where(graduates_clause(p), Graduate.cohort == cohort)
    return (
        select(
            E.id,
            E.graduate_id,
            E.kind,
            E.source,
            E.category,
            E.internship,
            E.employer_name,
            E.refers_to_id,
            E.occurred_on,
            E.recorded_at,
            review_kind.label("review_kind"),
            review_source.label("review_source"),
            decided.label("decided"),
        ).where(E.graduate_id.in_(in_scope), *(w(E) for w in where))
    ).subquery(name)


def _standing_cte(p: Principal, cohort: int, today: dt.date, dialect: str) -> Any:
    """One row per graduate of ``cohort`` that ``p`` may read (erased graduates left out): the
    columns the list filters and sorts on, the counting outcome (``event_id``, ``None``: 去向未知)
    with its columns, and one 0/1 column per :class:`Flag` (named by its value) — the rules of
    :func:`standing`. The outcome that counts on ``today`` with everything recorded so far is read
    from the maintained outcome table (:mod:`service.destinations.outcomes`: the row whose validity
    holds ``today`` and whose knowledge range is open), computed there by the same rule
    (:meth:`~service.destinations.precedence.History.on`); the flags and the last update are
    aggregates over each graduate's events. Referenced twice by :func:`follow_up_page` (the page and
    the cohort's counts), so both databases compute it once (a CTE used twice is materialised)."""
    events = _events_with_reviews(p, cohort)
    ev = events.c
    pending_self = case((and_(ev.kind == K.OUTCOME, ev.source == S.SELF_REPORT, ev.decided.is_(False)), 1), else_=0)
    pending_dispute = case((and_(ev.review_kind == K.DISPUTE, ev.review_source == S.SELF_REPORT), 1), else_=0)
    per_graduate = (
        select(
            ev.graduate_id,
            func.max(ev.recorded_at).label("last_update"),
            func.max(pending_self).label("pending_self"),
            func.max(pending_dispute).label("pending_dispute"),
        ).group_by(ev.graduate_id)
    ).subquery("per_graduate")
    iv = OutcomeInterval
    current = (
        select(iv.graduate_id, iv.event_id).where(
            iv.recorded_to.is_(None), iv.valid_from <= today, or_(iv.valid_to.is_(None), iv.valid_to > today)
        )
    ).subquery("current")
    counted = _events_with_reviews(
        p, cohort, lambda E: E.id.in_(select(current.c.event_id)), name="counted"
    )  # the counting outcome of each graduate, with its review state
    cc, agg = counted.c, per_graduate.c
    w = (
        select(
            Graduate.id,
            Graduate.name,
            Graduate.student_number,
            Graduate.class_name,
            Graduate.major_code,
            Graduate.cohort,
            cc.id.label("ev_id"),
            cc.source,
            cc.category,
            cc.internship,
            cc.employer_name,
            cc.refers_to_id,
            cc.review_kind,
            cc.review_source,
            cc.decided,
            case((cc.id.is_not(None), 1), else_=0).label("candidate"),
            agg.last_update,
            agg.pending_self,
            agg.pending_dispute,
        )
        .select_from(Graduate)
        .outerjoin(current, current.c.graduate_id == Graduate.id)
        .outerjoin(counted, cc.id == current.c.event_id)
        .outerjoin(per_graduate, agg.graduate_id == Graduate.id)
        .where(graduates_clause(p), not_deleted_clause(), Graduate.cohort == cohort)
    ).subquery("per_graduate_standing")
    c = w.c
    counts = c.candidate == 1
    category = case((c.internship.is_(True), DestinationCategory.SEEKING.value), else_=c.category)
    flags = {
        Flag.UNKNOWN: ~counts,
        Flag.SELF_REPORT: c.pending_self == 1,
        Flag.DISPUTED: c.pending_dispute == 1,
        Flag.EMPLOYER_UNCONFIRMED: and_(counts, c.review_kind.is_(None), c.source == S.PLATFORM_HIRE),
    }
    return (
        select(
            c.id,
            c.name,
            c.student_number,
            c.class_name,
            c.major_code,
            c.cohort,
            case((counts, c.ev_id), else_=None).label("event_id"),
            c.source,
            c.category,
            c.internship,
            c.employer_name,
            c.refers_to_id,
            c.review_kind,
            c.review_source,
            c.decided,
            c.last_update,
            _utc_date(c.last_update, dialect).label("last_day"),
            case((counts, category), else_="").label("category_key"),
            *(case((clause, 1), else_=0).label(flag.value) for flag, clause in flags.items()),
        )
    ).cte("standing")


def _order_by(sort: str, c: Any, dialect: str) -> tuple[Any, ...]:
    """ORDER BY of ``sort`` (:data:`SORTS`) over the columns ``c`` of :func:`_standing_cte` (or a
    subquery of it), ties by graduate id so that pages are stable — the order Python's ``sorted``
    gave (code point order, empty for missing)."""

    def text_(col: Any) -> Any:
        return _code_point(func.coalesce(col, ""), dialect)

    if sort == "name":
        return (_code_point(c.name, dialect), c.id)
    if sort == "student_number":
        return (text_(c.student_number), c.id)
    if sort == "class":
        return (text_(c.class_name), text_(c.student_number), c.id)
    if sort == "category":
        return (_code_point(c.category_key, dialect), c.id)
    # stale: never updated first, then the longest without an update
    return (case((c.last_update.is_(None), 0), else_=1), c.last_day, c.id)


def _row(r: Any, show_phone: bool, today: dt.date) -> FollowUpRow:
    """A :class:`FollowUpRow` from a row of :func:`follow_up_page`'s query: recorder, confirmation
    state and flag order as :func:`standing` gives them."""
    flags = tuple(f for f in Flag if getattr(r, f.value) == 1)
    confirmation, recorder, category = Confirmation.NONE, None, None
    if r.event_id is not None:
        source = S(r.source)
        recorder = RECORDER.get(source, Recorder.SCHOOL)
        category = DestinationCategory.SEEKING if r.internship else DestinationCategory(r.category)
        if r.review_kind == K.CONFIRMATION:
            confirmation = Confirmation.VERIFIED if r.review_source == S.SCHOOL_REVIEW else Confirmation.CONFIRMED
        elif r.refers_to_id is not None:
            confirmation = Confirmation.VERIFIED
        elif source is S.SELF_REPORT:
            confirmation = Confirmation.VERIFIED if r.decided else Confirmation.SELF_REPORTED
        else:
            confirmation = Confirmation.UNCONFIRMED
    last = r.last_update
    return FollowUpRow(
        r.id,
        r.name,
        r.student_number,
        r.class_name,
        r.major_code,
        r.major_name,
        r.cohort,
        r.phone if show_phone else None,
        mask_id_number(r.id_number),
        bool(r.has_account),
        r.event_id,
        category,
        r.employer_name,
        recorder,
        confirmation,
        last,
        None if last is None else (today - last.date()).days,
        flags,
    )


@dataclass(frozen=True, slots=True)
class CohortSummary:
    """The whole cohort ``p`` may read, for the list's filter buttons: graduates, how many carry
    each flag, and the classes (班级) present."""

    total: int
    flag_counts: dict[Flag, int]
    classes: list[str]


@dataclass(frozen=True, slots=True)
class FollowUpPage:
    """One page of the list (the project's :class:`~service.pagination.Page`) and the
    :class:`CohortSummary` of its cohort's counts (``classes`` left empty; see :func:`cohort_classes`)."""

    page: Page[FollowUpRow]
    summary: CohortSummary


def shows_phone(p: Principal) -> bool:
    """Phone numbers on the list and in its export: school staff and the admin, who make the
    follow-up calls; department admins supervise and see no phone numbers."""
    return p.role in (Role.SCHOOL, Role.ADMIN)


async def read_follow_up(
    session: AsyncSession,
    p: Principal,
    f: FollowUpFilter,
    *,
    limit: int | None = None,
    offset: int = 0,
    export: bool = False,
    request: ASGIConnection[Any, Any, Any, Any] | None = None,
) -> FollowUpPage:
    """The follow-up list as ``GET /follow-up``, the ``/web/follow-up`` page and its export give it:
    :func:`follow_up_page` with phone numbers as :func:`shows_phone` says, every graduate listed
    audited (``read``, ``follow_up_list``; for a file ``export``, ``follow_up_export``)."""
    found = await follow_up_page(session, p, f, show_phone=shows_phone(p), limit=limit, offset=offset)
    if found.page.items:
        await record_list_read(
            session,
            p,
            "follow_up_export" if export else "follow_up_list",
            [r.graduate_id for r in found.page.items],
            request=request,
            action=AuditAction.EXPORT if export else AuditAction.READ,
        )
    return found


async def follow_up_page(
    session: AsyncSession,
    p: Principal,
    f: FollowUpFilter,
    *,
    show_phone: bool,
    limit: int | None = None,
    offset: int = 0,
    today: dt.date | None = None,
) -> FollowUpPage:
    """The graduates of ``f.cohort`` that ``p`` may read (:func:`~service.auth.scoping.graduates_clause`:
    own school, the region's schools, everything for the admin; erased graduates left out) matching
    ``f``, in ``f.sort`` order (ties by graduate id), ``limit`` of them from ``offset`` (``None``: all,
    for the export), each with its standing on ``today`` (default today) as :func:`standing` gives
    it, and the cohort's flag counts. One query (a second one only when ``offset`` is past the end).

    Raises:
        ValueError: an unknown ``sort`` (the controllers check it first).
    """
    from service.accounts.models import User

    if f.sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    today = today or latest_today()
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # The planner's cost of this query (the events' correlated review look-ups) passes jit_above_cost,
        # and compiling its ~180 expressions took 2.0 of its 2.9 s at 3,000 graduates (EXPLAIN ANALYZE,
        # "JIT: Emission"), more than running it; without JIT it runs in the rest (PostgreSQL manual,
        # "Just-in-Time Compilation": JIT pays for long analytical queries, not short ones).
        await session.execute(text("SET LOCAL jit = off"))
    st = _standing_cte(p, f.cohort, today, dialect)
    where = [st.c[f.flag.value] == 1] if f.flag is not None else []
    if f.major_code:
        where.append(st.c.major_code == f.major_code)
    if f.class_name:
        where.append(st.c.class_name == f.class_name)
    q = (f.q or "").strip()
    if q:
        where.append(or_(_contains(st.c.name, q, dialect), st.c.student_number == q))
    chosen = (
        select(st, func.count().over().label("total"))
        .where(*where)
        .order_by(*_order_by(f.sort, st.c, dialect))
        .offset(offset)
    )
    if limit is not None:
        chosen = chosen.limit(limit)
    pg = chosen.subquery("chosen")
    counts = [
        select(func.count()).select_from(st).scalar_subquery().label("cohort_total"),
        *(
            select(func.coalesce(func.sum(st.c[flag.value]), 0)).scalar_subquery().label(f"n_{flag.value}")
            for flag in Flag
        ),
    ]
    account = select(User.id).where(User.graduate_id == pg.c.id, User.active.is_(True)).exists()
    stmt = (
        select(
            pg,
            Graduate.phone,
            Graduate.id_number,
            Major.name.label("major_name"),
            account.label("has_account"),
            *counts,
        )
        .join(Graduate, Graduate.id == pg.c.id)
        .outerjoin(Major, Major.code == pg.c.major_code)
        .order_by(*_order_by(f.sort, pg.c, dialect))
    )
    found = (await session.execute(stmt)).all()
    if found:
        total, head = found[0].total, found[0]
    else:
        head = (await session.execute(select(*counts))).one()
        total = 0 if offset == 0 else await session.scalar(select(func.count()).select_from(st).where(*where)) or 0
    summary = CohortSummary(
        total=head.cohort_total, classes=[], flag_counts={flag: int(getattr(head, f"n_{flag.value}")) for flag in Flag}
    )
    page = Page(
        items=[_row(r, show_phone, today) for r in found], total=total, limit=limit or len(found), offset=offset
    )
    return FollowUpPage(page=page, summary=summary)


async def cohort_classes(session: AsyncSession, p: Principal, cohort: int) -> list[str]:
    """The classes (班级) of ``cohort`` among the graduates ``p`` may read, for the filter (sorted)."""
    classes = (
        (
            await session.execute(
                select(distinct(Graduate.class_name)).where(
                    graduates_clause(p),
                    not_deleted_clause(),
                    Graduate.cohort == cohort,
                    Graduate.class_name.is_not(None),
                    Graduate.class_name != "",
                )
            )
        )
        .scalars()
        .all()
    )
    return sorted(c for c in classes if c is not None)  # the query leaves out NULL


async def filter_options(session: AsyncSession, p: Principal) -> tuple[list[int], list[tuple[str, str]]]:
    """The choices of the follow-up list's filters among the graduates ``p`` may read (erased ones
    left out): the cohorts present, latest first, and the majors present as ``(专业代码, name)`` by
    code (majors not in the catalogue are not offered)."""
    scope = (graduates_clause(p), not_deleted_clause())
    cohorts = (
        (
            await session.execute(
                select(distinct(Graduate.cohort))
                .where(*scope, Graduate.cohort.is_not(None))
                .order_by(Graduate.cohort.desc())
            )
        )
        .scalars()
        .all()
    )
    majors = (
        await session.execute(
            select(distinct(Graduate.major_code), Major.name)
            .join(Major, Major.code == Graduate.major_code)
            .where(*scope)
            .order_by(Graduate.major_code)
        )
    ).all()
    return [c for c in cohorts if c is not None], [(r[0], r[1]) for r in majors]


async def review_queue(session: AsyncSession, p: Principal, today: dt.date) -> list[dict[str, Any]]:
    """The outcomes awaiting the school's review (an unreviewed self-report, or an outcome the graduate
    disputes: :attr:`Standing.pending_self_reports` / :attr:`Standing.pending_disputes` on ``today``)
    among the graduates ``p`` may read, erased ones left out. Per item: ``graduate``, the ``outcome``
    event, ``about`` (``"self_report"`` / ``"dispute"``), the graduate's ``dispute`` event (if any),
    the ``current`` category and ``since`` (when the review became due); oldest first."""
    candidates = (
        select(DestinationEvent.graduate_id)
        .join(Graduate, Graduate.id == DestinationEvent.graduate_id)
        .where(
            graduates_clause(p),
            not_deleted_clause(),
            or_(DestinationEvent.source == S.SELF_REPORT, DestinationEvent.kind == K.DISPUTE),
        )
    )
    events = (
        (await session.execute(select(DestinationEvent).where(DestinationEvent.graduate_id.in_(candidates))))
        .scalars()
        .all()
    )
    by_graduate: dict[int, list[DestinationEvent]] = {}
    for e in events:
        by_graduate.setdefault(e.graduate_id, []).append(e)
    if not by_graduate:
        return []
    graduates = {
        g.id: g for g in (await session.execute(select(Graduate).where(Graduate.id.in_(list(by_graduate))))).scalars()
    }
    items = []
    for graduate_id, evs in by_graduate.items():
        state = standing(evs, today)
        by_id = {e.id: e for e in evs}
        disputes = {
            e.refers_to_id: e
            for e in sorted(evs, key=lambda e: (e.recorded_at, e.id))
            if e.kind is K.DISPUTE and e.source is S.SELF_REPORT
        }
        for about, ids in (("self_report", state.pending_self_reports), ("dispute", state.pending_disputes)):
            for event_id in ids:
                outcome = by_id[event_id]
                since = disputes[event_id].recorded_at if about == "dispute" else outcome.recorded_at
                items.append(
                    {
                        "graduate": graduates[graduate_id],
                        "outcome": outcome,
                        "about": about,
                        "dispute": disputes.get(event_id) if about == "dispute" else None,
                        "current": state.category,
                        "since": since,
                    }
                )
    return sorted(items, key=lambda i: (i["since"], i["outcome"].id))


async def confirmation_counts(
    session: AsyncSession, p: Principal, cohort: int, school_ids: Sequence[int], day: dt.date
) -> dict[int, dict[Confirmation, int]]:
    """Per school of ``school_ids``: how many graduates of ``cohort`` that ``p`` may read (erased
    graduates left out, as on the follow-up list) are in each :class:`Confirmation` state of the
    destination counting on ``day`` — :func:`standing`, the one home of that state (no second rule).
    Two queries. Used by the dashboards' data-quality panel (:mod:`service.reports.dashboard`)."""
    in_schools = Graduate.school_id.in_(list(school_ids))
    graduates = (
        await session.execute(
            select(Graduate.id, Graduate.school_id).where(
                graduates_clause(p), not_deleted_clause(), Graduate.cohort == cohort, in_schools
            )
        )
    ).all()
    events = await _events(session, p, cohort, in_schools)
    out: dict[int, dict[Confirmation, int]] = {sid: {c: 0 for c in Confirmation} for sid in school_ids}
    none: list[Any] = []
    for gid, school_id in graduates:
        state = standing(events.get(gid, none), day).confirmation
        out.setdefault(school_id, {c: 0 for c in Confirmation})[state] += 1
    return out


async def send_reminders(
    session: AsyncSession,
    p: Principal,
    graduate_ids: Sequence[int],
    school_name: str,
    message: str | None = None,
    request: Any = None,
) -> tuple[int, int]:
    """Send ``follow_up_reminder`` (report or confirm your destination) to the selected graduates
    ``p`` may read, through :func:`service.notifications.service.notify`; each reminded graduate
    gets a ``remind`` audit event. Returns ``(graduates reminded, graduates without an active
    account)`` — the latter need a phone call.

    Raises:
        NotFoundError: a selected id is not a graduate ``p`` may read (nothing is sent).
        InvalidFieldError: no graduate selected, or more than 2,000 at once.
    """
    from service.errors import InvalidFieldError, NotFoundError
    from service.notifications.kinds import Kind
    from service.notifications.service import graduate_recipients, notify
    from service.privacy.audit import record
    from service.privacy.models import AuditAction

    ids = sorted(set(graduate_ids))
    if not ids:
        raise InvalidFieldError("graduate_id", "select at least one graduate")
    if len(ids) > 2000:
        raise InvalidFieldError("graduate_id", f"{len(ids)} graduates selected; at most 2,000 at once")
    visible = set(
        (
            await session.execute(
                select(Graduate.id).where(Graduate.id.in_(ids), graduates_clause(p), not_deleted_clause())
            )
        ).scalars()
    )
    missing = [i for i in ids if i not in visible]
    if missing:
        raise NotFoundError("graduate", missing[0])
    accounts = await graduate_recipients(session, ids)
    params = {"school_name": school_name, **({"message": message} if message else {})}
    await notify(
        session,
        recipients=[u for users in accounts.values() for u in users],
        kind=Kind.FOLLOW_UP_REMINDER,
        params=params,
        link="/web/destination",
    )
    for graduate_id in accounts:
        await record(
            session,
            p,
            AuditAction.REMIND,
            "graduate",
            graduate_id,
            graduate_id=graduate_id,
            request=request,
            detail={"selected": len(ids)},
        )
    return len(accounts), len(ids) - len(accounts)


# --- export ------------------------------------------------------------------------------------

#: Chinese labels of the export (the MOE 毕业去向 category names, as in :mod:`service.destinations.models`).
CATEGORY_ZH = {
    DestinationCategory.EMPLOYMENT_AGREEMENT: "签就业协议形式就业",
    DestinationCategory.LABOUR_CONTRACT: "签劳动合同形式就业",
    DestinationCategory.OTHER_EMPLOYMENT: "其他录用形式就业",
    DestinationCategory.SELF_EMPLOYED: "自主创业",
    DestinationCategory.FREELANCE: "自由职业",
    DestinationCategory.MILITARY: "应征义务兵",
    DestinationCategory.FURTHER_STUDY: "升学",
    DestinationCategory.ABROAD: "出国、出境",
    DestinationCategory.SEEKING: "待就业",
    DestinationCategory.NOT_SEEKING: "暂不就业",
}
FLAG_ZH = {
    Flag.UNKNOWN: "去向未知",
    Flag.SELF_REPORT: "自报待审核",
    Flag.DISPUTED: "有异议",
    Flag.EMPLOYER_UNCONFIRMED: "用人单位登记待确认",
}
RECORDER_ZH = {Recorder.SCHOOL: "学校", Recorder.GRADUATE: "毕业生", Recorder.EMPLOYER: "用人单位"}
CONFIRMATION_ZH = {
    Confirmation.NONE: "",
    Confirmation.UNCONFIRMED: "待毕业生确认",
    Confirmation.SELF_REPORTED: "毕业生自报",
    Confirmation.CONFIRMED: "毕业生已确认",
    Confirmation.VERIFIED: "学校已核实",
}


def export_header(with_phone: bool) -> list[str]:
    """Column headers of the export; 联系电话 only for callers who may see phones."""
    return (
        ["学号", "姓名", "班级", "专业代码", "专业", "届别"]
        + (["联系电话"] if with_phone else [])
        + ["身份证号(后4位)", "账号已激活", "毕业去向", "单位", "登记方", "确认状态", "距上次更新(天)", "待办标记"]
    )


def export_cells(r: FollowUpRow, with_phone: bool) -> list[Any]:
    """One row of the export, in :func:`export_header` order (text cells are neutralised by the writer)."""
    return (
        [r.student_number or "", r.name, r.class_name or "", r.major_code or "", r.major_name or "", r.cohort or ""]
        + ([r.phone or ""] if with_phone else [])
        + [
            r.id_number_masked or "",
            "是" if r.has_account else "否",
            CATEGORY_ZH[r.category] if r.category else "去向未知",
            r.employer_name or "",
            RECORDER_ZH[r.recorder] if r.recorder else "",
            CONFIRMATION_ZH[r.confirmation],
            "" if r.days_since_update is None else r.days_since_update,
            "、".join(FLAG_ZH[f] for f in r.flags),
        ]
    )


def to_csv(rows: Sequence[FollowUpRow], with_phone: bool) -> bytes:
    """UTF-8 CSV with a BOM (Excel opens it as UTF-8); every cell through
    :func:`service.reports.export.neutralise` (OWASP CSV injection)."""
    import csv
    import io

    from service.reports.export import neutralise

    buffer = io.StringIO()
    w = csv.writer(buffer)
    w.writerow(export_header(with_phone))
    for r in rows:
        w.writerow([neutralise(v) for v in export_cells(r, with_phone)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[FollowUpRow], with_phone: bool) -> bytes:
    """One sheet 跟踪名单, text cells written as strings with the quote prefix where they begin
    with a formula trigger (:func:`service.reports.export._append_text_safe`)."""
    import io

    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from service.reports.export import _append_text_safe

    wb = Workbook(write_only=False)
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook's one sheet
    ws.title = "跟踪名单"
    _append_text_safe(ws, export_header(with_phone))
    for r in rows:
        _append_text_safe(ws, export_cells(r, with_phone))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
