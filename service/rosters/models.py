"""Roster history: each stored roster upload, who made it, and which graduates it added or changed."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.accounts.models import Role
from service.db import Base, IdType, UtcDateTime, str_enum, utcnow


class RosterChange(enum.StrEnum):
    ADDED = "added"  # the upload created the graduate
    CHANGED = "changed"  # the upload changed stored fields of the graduate


class RosterUpload(Base):
    """One roster upload that stored rows (an upload refused as a whole stores nothing, this included).

    The actor is kept as plain ids (no foreign key), like :class:`service.privacy.models.AuditEvent`:
    deleting an account never rewrites the history.
    """

    __tablename__ = "roster_uploads"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    filename: Mapped[str] = mapped_column(String(255))
    actor_user_id: Mapped[int | None] = mapped_column(IdType)
    actor_role: Mapped[Role | None] = mapped_column(str_enum(Role))
    rows_read: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    rejected_rows: Mapped[int] = mapped_column(default=0)


class RosterUploadGraduate(Base):
    """A graduate an upload added or changed, with the names of the fields changed (never values)."""

    __tablename__ = "roster_upload_graduates"

    upload_id: Mapped[int] = mapped_column(ForeignKey("roster_uploads.id", ondelete="CASCADE"), primary_key=True)
    graduate_id: Mapped[int] = mapped_column(
        ForeignKey("graduates.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    change: Mapped[RosterChange] = mapped_column(str_enum(RosterChange))
    fields: Mapped[list[str]] = mapped_column(default=list)
    row: Mapped[int | None] = mapped_column()  # the row of the file


__all__ = ["RosterChange", "RosterUpload", "RosterUploadGraduate"]
