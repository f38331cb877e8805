"""Messages of an application's thread, and invitations to apply.

A :class:`Message` belongs to one application and is written by its graduate or by a member of
the posting's employer. An :class:`Invitation` asks a recommended candidate to apply for a
posting; the employer knows the candidate only as the anonymous candidate summary until the
candidate accepts, which creates the application (then the usual applicant rules apply).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.accounts.models import Role
from service.db import Base, IdType, UtcDateTime, str_enum, utcnow

#: Longest message body, characters.
MESSAGE_MAX_CHARS = 2000
#: Longest invitation text, characters.
INVITATION_MAX_CHARS = 500


class Message(Base):
    """One message of an application's thread (never edited)."""

    __tablename__ = "conversation_messages"
    __table_args__ = (
        Index("ix_conversation_messages_application_id_id", "application_id", "id"),  # the thread in order
        Index("ix_conversation_messages_sender_user_id_created_at", "sender_user_id", "created_at"),  # rate limit
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    #: the writer's account (NULL once the account is deleted; ``sender_role`` stays)
    sender_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sender_role: Mapped[Role] = mapped_column(str_enum(Role))
    body: Mapped[str] = mapped_column(String(MESSAGE_MAX_CHARS))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: when the other side first opened the thread after this message
    read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class InvitationStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"  # the candidate applied (``application_id``)
    DECLINED = "declined"


class Invitation(Base):
    """An employer's invitation to a recommended candidate to apply for one of its postings."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("posting_id", "graduate_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduates.id", ondelete="CASCADE"), index=True)
    invited_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    message: Mapped[str | None] = mapped_column(String(INVITATION_MAX_CHARS))
    status: Mapped[InvitationStatus] = mapped_column(str_enum(InvitationStatus), default=InvitationStatus.PENDING)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
