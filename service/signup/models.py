"""Invitations (激活邀请码): one single-use, expiring code per roster graduate, stored hashed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, IdType, UtcDateTime, utcnow


class ActivationCode(Base):
    """An invitation for one roster graduate to activate their account.

    Only the SHA-256 of the code is stored (``code_hash``): the code itself is shown once, on the
    printable sheet made when staff create it, so a copy of the database activates nobody.
    ``used_at`` is set by the activation that spends it (single use); ``revoked_at`` when staff
    issue a newer code for the same graduate (only the newest works)."""

    __tablename__ = "activation_codes"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduates.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, server_default=func.now())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
