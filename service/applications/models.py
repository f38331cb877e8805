"""Applications (投递) and their status history."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, IdType, TimestampMixin, UtcDateTime, str_enum, utcnow
from service.graduates.models import Graduate
from service.postings.models import Posting


class ApplicationStatus(enum.StrEnum):
    APPLIED = "applied"
    VIEWED = "viewed"
    INTERVIEW = "interview"
    OFFER = "offer"
    HIRED = "hired"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


#: Allowed moves: forward along applied → viewed → interview → offer → hired (steps may be
#: skipped), or to rejected (by the employer) / withdrawn (by the graduate) from any open state.
#: hired, rejected and withdrawn are final.
ALLOWED_TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    ApplicationStatus.APPLIED: frozenset(
        {
            ApplicationStatus.VIEWED,
            ApplicationStatus.INTERVIEW,
            ApplicationStatus.OFFER,
            ApplicationStatus.HIRED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        }
    ),
    ApplicationStatus.VIEWED: frozenset(
        {
            ApplicationStatus.INTERVIEW,
            ApplicationStatus.OFFER,
            ApplicationStatus.HIRED,
            ApplicationStatus.REJECTED,
            ApplicationStatus.WITHDRAWN,
        }
    ),
    ApplicationStatus.INTERVIEW: frozenset(
        {ApplicationStatus.OFFER, ApplicationStatus.HIRED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.OFFER: frozenset(
        {ApplicationStatus.HIRED, ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN}
    ),
    ApplicationStatus.HIRED: frozenset(),
    ApplicationStatus.REJECTED: frozenset(),
    ApplicationStatus.WITHDRAWN: frozenset(),
}


class Application(TimestampMixin, Base):
    __tablename__ = "applications"
    __table_args__ = (UniqueConstraint("graduate_id", "posting_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduates.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(str_enum(ApplicationStatus), default=ApplicationStatus.APPLIED)
    cover_letter: Mapped[str | None] = mapped_column(String(4000))
    graduate: Mapped[Graduate] = relationship(lazy="raise")
    posting: Mapped[Posting] = relationship(lazy="raise")
    history: Mapped[list[ApplicationEvent]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="ApplicationEvent.id"
    )


class ApplicationEvent(Base):
    """One status change of an application (append-only)."""

    __tablename__ = "application_events"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[ApplicationStatus | None] = mapped_column(str_enum(ApplicationStatus))
    to_status: Mapped[ApplicationStatus] = mapped_column(str_enum(ApplicationStatus))
    note: Mapped[str | None] = mapped_column(String(1000))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
