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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.guards import Principal
from service.accounts.scoping import graduates_clause
from service.catalog.models import Major
from service.destinations.models import (
    DestinationCategory, DestinationEvent, DestinationEventKind, DestinationSource,
)
from service.destinations.precedence import History
from service.graduates.identity import mask_id_number
from service.graduates.models import Graduate
from service.pagination import Page
from service.privacy.deletion import not_deleted_clause

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
    return ((kind is K.OUTCOME and source is S.SCHOOL_SURVEY)
            or (kind in (K.CONFIRMATION, K.DISPUTE) and source is S.SCHOOL_REVIEW))


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
    state = (Confirmation.SELF_REPORTED if self_report
             else Confirmation.VERIFIED if e.refers_to_id is not None else Confirmation.UNCONFIRMED)
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
    pending_disputes = tuple(oid for oid, r in latest_review.items()
                             if K(r.kind) is K.DISPUTE and S(r.source) is S.SELF_REPORT)
    eff = History(ordered).on(day)
    flags: list[Flag] = []
    if eff is None:
        flags.append(Flag.UNKNOWN)
    if pending_self:
        flags.append(Flag.SELF_REPORT)
    if pending_disputes:
        flags.append(Flag.DISPUTED)
    if eff is None:
        return Standing(None, None, None, Confirmation.NONE, ordered[-1].recorded_at if ordered else None,
                        tuple(flags), pending_self, pending_disputes)
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
    return Standing(event, eff.category, RECORDER.get(S(event.source), Recorder.SCHOOL), state,
                    ordered[-1].recorded_at, tuple(flags), pending_self, pending_disputes)


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


_EVENT_COLUMNS = (DestinationEvent.id, DestinationEvent.graduate_id, DestinationEvent.kind,
                  DestinationEvent.refers_to_id, DestinationEvent.occurred_on, DestinationEvent.recorded_at,
                  DestinationEvent.source, DestinationEvent.category, DestinationEvent.in_field,
                  DestinationEvent.internship, DestinationEvent.employer_name)


async def _graduates(session: AsyncSession, p: Principal, cohort: int) -> list[Any]:
    from service.accounts.models import User

    account = select(User.id).where(User.graduate_id == Graduate.id, User.active.is_(True)).exists()
    stmt = (select(Graduate.id, Graduate.name, Graduate.student_number, Graduate.class_name, Graduate.major_code,
                   Major.name.label("major_name"), Graduate.cohort, Graduate.phone, Graduate.id_number,
                   account.label("has_account"))
            .outerjoin(Major, Major.code == Graduate.major_code)
            .where(graduates_clause(p), not_deleted_clause(), Graduate.cohort == cohort))
    return list((await session.execute(stmt)).all())


async def _events(session: AsyncSession, p: Principal, cohort: int, *where: Any) -> dict[int, list[Any]]:
    stmt = (select(*_EVENT_COLUMNS).join(Graduate, Graduate.id == DestinationEvent.graduate_id)
            .where(and_(graduates_clause(p), Graduate.cohort == cohort, *where)))
    out: dict[int, list[Any]] = {}
    for row in (await session.execute(stmt)).all():
        out.setdefault(row.graduate_id, []).append(row)
    return out


async def follow_up_rows(session: AsyncSession, p: Principal, cohort: int, *, show_phone: bool,
                         today: dt.date | None = None) -> list[FollowUpRow]:
    """Every graduate of ``cohort`` that ``p`` may read (:func:`~service.accounts.scoping.graduates_clause`:
    own school, the region's schools, everything for the admin; erased graduates left out), with
    their :func:`standing` on ``today`` (default today). Two queries whatever the size of the school."""
    today = today or dt.date.today()
    graduates = await _graduates(session, p, cohort)
    events = await _events(session, p, cohort)
    rows = []
    none: list[Any] = []
    for gid, name, student_number, class_name, major_code, major_name, g_cohort, phone, id_number, account \
            in graduates:
        s = standing(events.get(gid, none), today)
        event, last = s.event, s.last_update
        rows.append(FollowUpRow(
            gid, name, student_number, class_name, major_code, major_name, g_cohort, phone if show_phone else None,
            mask_id_number(id_number), bool(account), None if event is None else event.id, s.category,
            None if event is None else event.employer_name, s.recorder, s.confirmation, last,
            None if last is None else (today - last.date()).days, s.flags))
    return rows


async def confirmation_counts(session: AsyncSession, p: Principal, cohort: int, school_ids: Sequence[int],
                              day: dt.date) -> dict[int, dict[Confirmation, int]]:
    """Per school of ``school_ids``: how many graduates of ``cohort`` that ``p`` may read (erased
    graduates left out, as on the follow-up list) are in each :class:`Confirmation` state of the
    destination counting on ``day`` — :func:`standing`, the one home of that state (no second rule).
    Two queries. Used by the dashboards' data-quality panel (:mod:`service.reports.dashboard`)."""
    in_schools = Graduate.school_id.in_(list(school_ids))
    graduates = (await session.execute(select(Graduate.id, Graduate.school_id).where(
        graduates_clause(p), not_deleted_clause(), Graduate.cohort == cohort, in_schools))).all()
    events = await _events(session, p, cohort, in_schools)
    out: dict[int, dict[Confirmation, int]] = {sid: {c: 0 for c in Confirmation} for sid in school_ids}
    none: list[Any] = []
    for gid, school_id in graduates:
        state = standing(events.get(gid, none), day).confirmation
        out.setdefault(school_id, {c: 0 for c in Confirmation})[state] += 1
    return out


def _sort_key(sort: str) -> Any:
    if sort == "name":
        return lambda r: (r.name, r.graduate_id)
    if sort == "student_number":
        return lambda r: (r.student_number or "", r.graduate_id)
    if sort == "class":
        return lambda r: (r.class_name or "", r.student_number or "", r.graduate_id)
    if sort == "category":
        return lambda r: (r.category.value if r.category else "", r.graduate_id)
    # stale: never updated first, then the longest without an update
    return lambda r: (r.days_since_update is not None, -(r.days_since_update or 0), r.graduate_id)


def select_rows(rows: Iterable[FollowUpRow], f: FollowUpFilter) -> list[FollowUpRow]:
    """``rows`` matching ``f``, in ``f.sort`` order (ties by graduate id, so pages are stable).

    Raises:
        ValueError: an unknown ``sort`` (the controller checks it first).
    """
    if f.sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    q = (f.q or "").strip()
    out = [r for r in rows
           if (f.flag is None or f.flag in r.flags)
           and (not f.major_code or r.major_code == f.major_code)
           and (not f.class_name or r.class_name == f.class_name)
           and (not q or q in r.name or q == (r.student_number or ""))]
    return sorted(out, key=_sort_key(f.sort))


def page_of(rows: list[FollowUpRow], limit: int, offset: int) -> Page[FollowUpRow]:
    """One page of the selected rows (the project's :class:`~service.pagination.Page`)."""
    return Page(items=rows[offset:offset + limit], total=len(rows), limit=limit, offset=offset)


def flag_counts(rows: Iterable[FollowUpRow]) -> dict[Flag, int]:
    """How many graduates carry each flag (for the filter buttons)."""
    counts = {flag: 0 for flag in Flag}
    for r in rows:
        for flag in r.flags:
            counts[flag] += 1
    return counts


async def send_reminders(session: AsyncSession, p: Principal, graduate_ids: Sequence[int], school_name: str,
                         message: str | None = None, request: Any = None) -> tuple[int, int]:
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
    visible = set((await session.execute(select(Graduate.id).where(Graduate.id.in_(ids), graduates_clause(p),
                                                                    not_deleted_clause()))).scalars())
    missing = [i for i in ids if i not in visible]
    if missing:
        raise NotFoundError("graduate", missing[0])
    accounts = await graduate_recipients(session, ids)
    params = {"school_name": school_name, **({"message": message} if message else {})}
    await notify(session, recipients=[u for users in accounts.values() for u in users],
                 kind=Kind.FOLLOW_UP_REMINDER, params=params, link="/web/destination")
    for graduate_id in accounts:
        await record(session, p, AuditAction.REMIND, "graduate", graduate_id, graduate_id=graduate_id,
                     request=request, detail={"selected": len(ids)})
    return len(accounts), len(ids) - len(accounts)


# --- export ------------------------------------------------------------------------------------

#: Chinese labels of the export (the MOE 毕业去向 category names, as in :mod:`service.destinations.models`).
CATEGORY_ZH = {
    DestinationCategory.EMPLOYMENT_AGREEMENT: "签就业协议形式就业", DestinationCategory.LABOUR_CONTRACT: "签劳动合同形式就业",
    DestinationCategory.OTHER_EMPLOYMENT: "其他录用形式就业", DestinationCategory.SELF_EMPLOYED: "自主创业",
    DestinationCategory.FREELANCE: "自由职业", DestinationCategory.MILITARY: "应征义务兵",
    DestinationCategory.FURTHER_STUDY: "升学", DestinationCategory.ABROAD: "出国、出境",
    DestinationCategory.SEEKING: "待就业", DestinationCategory.NOT_SEEKING: "暂不就业",
}
FLAG_ZH = {Flag.UNKNOWN: "去向未知", Flag.SELF_REPORT: "自报待审核", Flag.DISPUTED: "有异议",
           Flag.EMPLOYER_UNCONFIRMED: "用人单位登记待确认"}
RECORDER_ZH = {Recorder.SCHOOL: "学校", Recorder.GRADUATE: "毕业生", Recorder.EMPLOYER: "用人单位"}
CONFIRMATION_ZH = {Confirmation.NONE: "", Confirmation.UNCONFIRMED: "待毕业生确认",
                   Confirmation.SELF_REPORTED: "毕业生自报", Confirmation.CONFIRMED: "毕业生已确认",
                   Confirmation.VERIFIED: "学校已核实"}


def export_header(with_phone: bool) -> list[str]:
    """Column headers of the export; 联系电话 only for callers who may see phones."""
    return (["学号", "姓名", "班级", "专业代码", "专业", "届别"] + (["联系电话"] if with_phone else [])
            + ["身份证号(后4位)", "账号已激活", "毕业去向", "单位", "登记方", "确认状态", "距上次更新(天)", "待办标记"])


def export_cells(r: FollowUpRow, with_phone: bool) -> list[Any]:
    """One row of the export, in :func:`export_header` order (text cells are neutralised by the writer)."""
    return ([r.student_number or "", r.name, r.class_name or "", r.major_code or "", r.major_name or "",
             r.cohort or ""] + ([r.phone or ""] if with_phone else [])
            + [r.id_number_masked or "", "是" if r.has_account else "否",
               CATEGORY_ZH[r.category] if r.category else "去向未知", r.employer_name or "",
               RECORDER_ZH[r.recorder] if r.recorder else "", CONFIRMATION_ZH[r.confirmation],
               "" if r.days_since_update is None else r.days_since_update,
               "、".join(FLAG_ZH[f] for f in r.flags)])


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

    from service.reports.export import _append_text_safe

    wb = Workbook(write_only=False)
    ws = wb.active
    ws.title = "跟踪名单"
    _append_text_safe(ws, export_header(with_phone))
    for r in rows:
        _append_text_safe(ws, export_cells(r, with_phone))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
