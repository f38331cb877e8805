"""Graduate destinations (毕业去向): an append-only history of outcome events."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, String, event, false, text
from sqlalchemy.orm import Mapped, Mapper, Session, UOWTransaction, mapped_column

from service.db import Base, IdType, UtcDateTime, str_enum, utcnow


class DestinationCategory(enum.StrEnum):
    """Ministry of Education 毕业去向 categories (教育部毕业生就业统计口径)."""

    EMPLOYMENT_AGREEMENT = "employment_agreement"  # 签就业协议形式就业
    LABOUR_CONTRACT = "labour_contract"  # 签劳动合同形式就业
    OTHER_EMPLOYMENT = "other_employment"  # 其他录用形式就业 / 灵活就业
    SELF_EMPLOYED = "self_employed"  # 自主创业
    FREELANCE = "freelance"  # 自由职业
    MILITARY = "military"  # 应征义务兵
    FURTHER_STUDY = "further_study"  # 升学
    ABROAD = "abroad"  # 出国、出境
    SEEKING = "seeking"  # 待就业
    NOT_SEEKING = "not_seeking"  # 暂不就业


class DestinationSource(enum.StrEnum):
    PLATFORM_HIRE = "platform_hire"  # employer marked an application hired
    SELF_REPORT = "self_report"
    SCHOOL_SURVEY = "school_survey"
    IMPORT = "import"
    SCHOOL_REVIEW = "school_review"  # the school corrected 对口 (in_field) with a reason


class EvidenceType(enum.StrEnum):
    """What a recorded outcome rests on (佐证材料), as the MOE asks schools to keep for each
    destination (教育部《关于做好普通高校毕业生就业统计工作的通知》"四不准" and the 佐证材料 of
    毕业去向登记): a labour contract, social-insurance payment, an admission (enrolment) letter, a
    military enlistment notice, or something else described in the note."""

    LABOUR_CONTRACT = "labour_contract"  # 劳动合同 / 就业协议
    SOCIAL_INSURANCE = "social_insurance"  # 社会保险缴纳记录
    ENROLMENT_LETTER = "enrolment_letter"  # 录取通知书
    MILITARY_NOTICE = "military_notice"  # 入伍通知书
    OTHER = "other"  # 其他 (described in the note)


class DestinationEventKind(enum.StrEnum):
    """What an event says. Only ``outcome`` events carry a destination; the others refer to one."""

    OUTCOME = "outcome"  # a destination (去向) reported by ``source``
    IN_FIELD_OVERRIDE = "in_field_override"  # the school sets 对口 of the referred outcome, with a reason
    CONFIRMATION = "confirmation"  # the graduate confirms the referred outcome
    DISPUTE = "dispute"  # the graduate disputes the referred outcome, with a reason


class DestinationEvent(Base):
    """One reported outcome for a graduate. Rows are never updated or deleted."""

    __tablename__ = "destination_events"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduates.id", ondelete="CASCADE"), index=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date)  # date the outcome took effect
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    source: Mapped[DestinationSource] = mapped_column(str_enum(DestinationSource))
    category: Mapped[DestinationCategory] = mapped_column(str_enum(DestinationCategory))
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id", ondelete="SET NULL"))
    employer_name: Mapped[str | None] = mapped_column(String(200))
    job_title: Mapped[str | None] = mapped_column(String(200))
    industry: Mapped[str | None] = mapped_column(String(100))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"))
    monthly_salary: Mapped[int | None] = mapped_column()  # 元/月
    labour_contract: Mapped[bool | None] = mapped_column()
    social_insurance: Mapped[bool | None] = mapped_column()
    in_field: Mapped[bool | None] = mapped_column()  # 对口
    in_field_reason: Mapped[str | None] = mapped_column(String(500))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(String(1000))
    kind: Mapped[DestinationEventKind] = mapped_column(
        str_enum(DestinationEventKind), default=DestinationEventKind.OUTCOME, server_default=text("'outcome'")
    )
    #: the outcome event an override / confirmation / dispute is about
    refers_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("destination_events.id", ondelete="CASCADE"), index=True
    )
    #: occupation concept (matching.taxonomy code) the job title resolved to, behind the 对口 proposal
    occupation_code: Mapped[str | None] = mapped_column(String(200))
    #: 实习/见习: never counted as employment (教育部 "不得将实习、见习证明作为就业证明")
    internship: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: the evidence (佐证材料) the school saw when it recorded the outcome; None: none stated
    evidence: Mapped[EvidenceType | None] = mapped_column(str_enum(EvidenceType))


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete a destination event."""


@event.listens_for(DestinationEvent, "before_update")
def _refuse_update(_mapper: Mapper, _conn: object, target: DestinationEvent) -> None:
    raise AppendOnlyError(f"destination event {target.id} is append-only; record a new event instead")


@event.listens_for(DestinationEvent, "before_delete")
def _refuse_delete(_mapper: Mapper, _conn: object, target: DestinationEvent) -> None:
    raise AppendOnlyError(f"destination event {target.id} is append-only and cannot be deleted")


class OutcomeInterval(Base):
    """The counted outcome of one graduate (:meth:`~service.destinations.precedence.History.on`) as
    bitemporal intervals, derived from their destination events (issue 18, "reports from a
    maintained outcome table"): the outcome counting on every day ``D`` with
    ``valid_from <= D < valid_to``, as known at every knowledge cut-off ``T`` (``recorded_before``:
    events with ``recorded_at < T``) with ``recorded_from < T <= recorded_to``; an open end is
    null. ``recorded_from`` is the ``recorded_at`` of the latest event the row knows of. No row
    for ``(D, T)``: nothing known (``unknown``).

    ``category`` is after rule 5 (an internship counts as ``seeking``, ``internship`` true, its
    details null); ``in_field`` after the school's override (rule 4). ``q2_employed`` /
    ``q4_employed``: directly employed on some day of the 2nd / 4th calendar quarter after the
    graduation quarter (:meth:`~service.destinations.precedence.History.employed_during`), as known
    at the row's cut-offs — the same on every row of one cut-off range; null without a graduation date.

    Never written by hand: :mod:`service.destinations.outcomes` recomputes a graduate's rows from
    their whole history in the flush that adds one of their events or changes their graduation
    date (:func:`_maintain_outcomes`), and ``vocmatch outcomes rebuild`` recomputes them all after
    a bulk load that bypassed the ORM."""

    __tablename__ = "graduate_outcomes"

    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduates.id", ondelete="CASCADE"), primary_key=True)
    recorded_from: Mapped[dt.datetime] = mapped_column(UtcDateTime(), primary_key=True)
    valid_from: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    recorded_to: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    event_id: Mapped[int] = mapped_column(IdType)  # the counted outcome event
    category: Mapped[DestinationCategory] = mapped_column(str_enum(DestinationCategory))
    internship: Mapped[bool] = mapped_column()
    in_field: Mapped[bool | None] = mapped_column()
    region_code: Mapped[str | None] = mapped_column(String(6))
    monthly_salary: Mapped[int | None] = mapped_column()
    labour_contract: Mapped[bool | None] = mapped_column()
    social_insurance: Mapped[bool | None] = mapped_column()
    q2_employed: Mapped[bool | None] = mapped_column()
    q4_employed: Mapped[bool | None] = mapped_column()


@event.listens_for(Session, "after_flush")
def _maintain_outcomes(session: Session, _ctx: UOWTransaction) -> None:
    """Keep ``graduate_outcomes`` in step in the same transaction: after a flush that added
    destination events or changed a graduate's graduation date, recompute those graduates' rows
    (:func:`service.destinations.outcomes.refresh`)."""
    from service.destinations.outcomes import graduates_touched, refresh

    ids = graduates_touched(session)
    if ids:
        refresh(session.connection(), ids)
