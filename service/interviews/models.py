"""Interviews (面试) proposed on an application, and the times offered.

An employer proposes one or more times (:class:`InterviewSlot`) and a place or an online link; the
graduate accepts one time, declines, or asks for another time with a message. A new proposal on
the same application replaces an open one (``superseded``). The employer may cancel a proposed or
accepted interview (``cancelled``; an accepted one keeps its chosen time, so its calendar file can
say it is cancelled). Times are stored in UTC and shown in
Beijing time (Asia/Shanghai).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, IdType, TimestampMixin, UtcDateTime, str_enum


class InterviewStatus(enum.StrEnum):
    PROPOSED = "proposed"  # waiting for the graduate's answer
    ACCEPTED = "accepted"  # the graduate chose one of the times
    DECLINED = "declined"  # the graduate declined the interview
    RESCHEDULE_REQUESTED = "reschedule_requested"  # the graduate asked for another time
    SUPERSEDED = "superseded"  # the employer proposed again on the same application
    CANCELLED = "cancelled"  # the employer called it off (from proposed or accepted), optionally saying why


class InterviewMode(enum.StrEnum):
    IN_PERSON = "in_person"  # at ``place``
    ONLINE = "online"  # at ``online_url``


#: Statuses an answer can still change (the graduate may decline or ask for another time after accepting).
OPEN_STATUSES = (InterviewStatus.PROPOSED, InterviewStatus.ACCEPTED, InterviewStatus.RESCHEDULE_REQUESTED)
#: Statuses the employer may cancel from.
CANCELLABLE_STATUSES = (InterviewStatus.PROPOSED, InterviewStatus.ACCEPTED)


class Interview(TimestampMixin, Base):
    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    status: Mapped[InterviewStatus] = mapped_column(str_enum(InterviewStatus), default=InterviewStatus.PROPOSED)
    mode: Mapped[InterviewMode] = mapped_column(str_enum(InterviewMode))
    place: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(1000))
    #: the employer's note to the graduate (what to bring, whom to ask for)
    note: Mapped[str | None] = mapped_column(String(1000))
    #: the message of the last change of status: the graduate's with a decline or a request for another
    #: time, or the employer's reason for cancelling (a cancelled interview was proposed or accepted,
    #: which carry no message, so nothing of the graduate's is overwritten)
    answer_message: Mapped[str | None] = mapped_column(String(1000))
    #: when that change was made (answered or cancelled)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    #: when the day-before reminder went out (set once, by a conditional update)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    slots: Mapped[list[InterviewSlot]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="InterviewSlot.starts_at"
    )


class InterviewSlot(Base):
    """One proposed time; ``chosen`` marks the one the graduate accepted."""

    __tablename__ = "interview_slots"
    __table_args__ = (Index("ix_interview_slots_chosen_starts_at", "chosen", "starts_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    ends_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    chosen: Mapped[bool] = mapped_column(default=False)
