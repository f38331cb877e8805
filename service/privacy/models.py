"""Audit log (who read, exported or changed personal data) and graduate deletion requests.

Both tables outlive the people they mention: ``audit_events`` keeps actor and graduate ids as
plain integers (no foreign key), so deleting an account never deletes or rewrites its trail, and
a ``graduate_deletions`` row marks a graduate whose personal data was erased (the tombstone: the
anonymised ``graduates`` row stays, with the fields the employment reports count by).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import ForeignKey, String, event
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from service.accounts.models import Role
from service.db import Base, IdType, UtcDateTime, str_enum, utcnow


class AuditAction(enum.StrEnum):
    """What an audit event records."""

    READ = "read"  # personal data shown to someone other than the person
    EXPORT = "export"  # a data export (the graduate's own, a roster, a report trace)
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"  # personal data erased (graduate deletion)
    OVERRIDE = "override"  # the school set 对口 of a destination with a reason
    CONFIRM = "confirm"  # the graduate confirmed a destination
    DISPUTE = "dispute"  # the graduate disputed a destination
    REVIEW = "review"  # the school accepted or refused a graduate's self-report or dispute, with a reason
    REMIND = "remind"  # the school sent graduates a follow-up reminder
    DELETION_REQUEST = "deletion_request"  # the graduate asked for their data to be deleted


class AuditEvent(Base):
    """One audited act. Rows are only ever inserted (see :class:`AuditAppendOnlyError`).

    ``actor_user_id``/``actor_role`` are ``None`` for the system (CLI, scheduled jobs, imports).
    ``detail`` holds ids, counts and field names, never personal data (names, numbers, free text).
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(IdType, index=True)
    actor_role: Mapped[Role | None] = mapped_column(str_enum(Role))
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction), index=True)
    object_type: Mapped[str] = mapped_column(String(40))  # "graduate", "destination_event", "roster"…
    object_id: Mapped[str | None] = mapped_column(String(64))  # id or code of the object
    graduate_id: Mapped[int | None] = mapped_column(IdType, index=True)  # the person concerned
    method: Mapped[str | None] = mapped_column(String(10))
    path: Mapped[str | None] = mapped_column(String(500))  # without the query string
    client_ip: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DeletionStatus(enum.StrEnum):
    PENDING = "pending"  # asked for by the graduate, not yet carried out
    EXECUTED = "executed"  # personal data erased


class GraduateDeletion(Base):
    """A graduate's request to have their personal data deleted, and its execution (one per graduate)."""

    __tablename__ = "graduate_deletions"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduates.id", ondelete="CASCADE"), unique=True)
    status: Mapped[DeletionStatus] = mapped_column(str_enum(DeletionStatus), default=DeletionStatus.PENDING)
    requested_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    requested_by_user_id: Mapped[int | None] = mapped_column(IdType)
    requested_by_role: Mapped[Role | None] = mapped_column(str_enum(Role))
    executed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    executed_by_user_id: Mapped[int | None] = mapped_column(IdType)
    executed_by_role: Mapped[Role | None] = mapped_column(str_enum(Role))


class AuditAppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an audit event."""


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(_mapper: Mapper, _conn: object, target: AuditEvent) -> None:
    raise AuditAppendOnlyError(f"audit event {target.id} is append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(_mapper: Mapper, _conn: object, target: AuditEvent) -> None:
    raise AuditAppendOnlyError(f"audit event {target.id} is append-only and cannot be deleted")
