"""The in-app inbox, the per-user channel preferences and the delivery outbox."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, PrimaryKeyConstraint, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, IdType, JsonType, UtcDateTime, str_enum, utcnow


class Notification(Base):
    """One inbox entry: ``kind`` and its ``params`` (texts are rendered when read, in the reader's
    language: :func:`service.notifications.kinds.render`), a local ``link`` and when it was read."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id_id", "user_id", "id"),  # the inbox, newest first
        Index("ix_notifications_user_id_read_at", "user_id", "read_at"),  # the unread count
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    link: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, server_default=func.now())
    read_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class NotificationPreference(Base):
    """A user's choice for one kind on one channel (``email``; later ``sms``, ``wechat``). No row:
    the kind's default (:attr:`service.notifications.kinds.KindSpec.email_default`). The in-app
    inbox is always on and has no rows."""

    __tablename__ = "notification_preferences"
    __table_args__ = (PrimaryKeyConstraint("user_id", "kind", "channel"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean)


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for ``due_at``
    SENDING = "sending"  # claimed by a drainer until ``due_at`` (its lease)
    SENT = "sent"
    FAILED = "failed"  # gave up: permanent refusal or ``notify_max_attempts`` reached


#: Rows a drainer may claim once ``due_at`` has passed, as SQL. Queries say it in exactly these
#: words, with the values written out: only then can SQLite (and PostgreSQL's generic plans) tell
#: that the partial index ``ix_notification_outbox_due_at`` covers them.
QUEUED = "status IN ('pending', 'sending')"


class OutboxMessage(Base):
    """One message to deliver on one channel, written in the same transaction as the event
    (transactional outbox) and drained by :mod:`service.notifications.delivery`.

    ``subject``/``body`` are rendered in the recipient's language when queued; ``link`` is local
    (the drainer prefixes ``VOCMATCH_PUBLIC_URL``). ``message_key`` makes the ``Message-ID``
    (``<key@domain of VOCMATCH_MAIL_FROM>``), the same on every attempt. ``due_at`` is when the row
    may next be claimed: for ``pending`` the earliest (next) attempt, for ``sending`` the end of
    the drainer's lease. ``attempts`` counts claims.
    """

    __tablename__ = "notification_outbox"
    __table_args__ = (
        # the drainers' queue, in due order: only rows still to deliver are in it. (No index on
        # status: SQLite would prefer it for the claim and sort every queued row each time.)
        Index("ix_notification_outbox_due_at", "due_at", postgresql_where=text(QUEUED), sqlite_where=text(QUEUED)),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(8))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(1000))
    message_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[OutboxStatus] = mapped_column(str_enum(OutboxStatus), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, server_default=func.now())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
