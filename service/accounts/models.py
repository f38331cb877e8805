"""User accounts (账号), their roles and scopes, and login sessions (for refresh-token rotation)."""

from __future__ import annotations

import datetime as dt
import enum
import secrets

from sqlalchemy import CheckConstraint, ForeignKey, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, IdType, TimestampMixin, UtcDateTime, str_enum, utcnow


class Role(enum.StrEnum):
    """What a user is, and so which objects they may see (see :mod:`service.auth.guards`)."""

    GRADUATE = "graduate"  # 毕业生: their own profile, applications and destinations (scope: graduate_id)
    EMPLOYER = "employer"  # 用人单位成员: one employer's postings and applicants (scope: employer_id)
    SCHOOL = "school"  # 学校就业工作人员: one school's graduates and figures (scope: school_id)
    DEPARTMENT = "department"  # 教育行政部门: every school in one region (scope: region_code, GB/T 2260)
    ADMIN = "admin"  # 系统管理员: everything (no scope)


#: The one scope column each role must have set (all the others must be NULL).
SCOPE_COLUMN: dict[Role, str | None] = {
    Role.GRADUATE: "graduate_id",
    Role.EMPLOYER: "employer_id",
    Role.SCHOOL: "school_id",
    Role.DEPARTMENT: "region_code",
    Role.ADMIN: None,
}
_SCOPES = ("graduate_id", "employer_id", "school_id", "region_code")


def _scope_check() -> str:
    """SQL: exactly the role's scope column is set, the other three are NULL."""
    cases = []
    for role, column in SCOPE_COLUMN.items():
        parts = [f"{c} IS {'NOT ' if c == column else ''}NULL" for c in _SCOPES]
        cases.append(f"(role = '{role.value}' AND {' AND '.join(parts)})")
    return " OR ".join(cases)


class User(TimestampMixin, Base):
    """A login. ``email`` and/or ``phone`` identify it; the password is kept only as an argon2id hash."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("email IS NOT NULL OR phone IS NOT NULL", name="login_given"),
        CheckConstraint(_scope_check(), name="scope_matches_role"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)  # lower-cased
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)  # 11-digit mainland mobile
    password_hash: Mapped[str] = mapped_column(String(200))  # PHC string, $argon2id$...
    role: Mapped[Role] = mapped_column(str_enum(Role))
    graduate_id: Mapped[int | None] = mapped_column(ForeignKey("graduates.id", ondelete="CASCADE"), unique=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    #: language of the notifications (inbox and e-mail) the user gets: ``zh_Hans`` or ``en``
    language: Mapped[str] = mapped_column(String(8), default="zh_Hans", server_default="zh_Hans")


#: How many rotated-away refresh secrets (their SHA-256) a session remembers for reuse detection.
ROTATED_KEPT = 20


def new_session_public_id() -> str:
    """An unguessable session id for refresh tokens (144 random bits, URL-safe, 24 characters)."""
    return secrets.token_urlsafe(18)


class AuthSession(Base):
    """One login: the refresh-token family. Each refresh rotates ``refresh_hash``; presenting a
    secret that was really issued for this session and has since been rotated away (its hash is in
    ``rotated_hashes``) revokes the whole session (reuse detection, RFC 9700 §4.14.2). Anything
    else — a wrong or made-up secret — is refused and changes nothing.

    ``public_id`` is the session's name in refresh tokens (random, so sessions cannot be
    enumerated); the integer ``id`` stays internal."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, index=True, default=new_session_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    refresh_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 hex of the current refresh secret
    #: SHA-256 hex of the last :data:`ROTATED_KEPT` secrets rotated away, oldest first
    rotated_hashes: Mapped[list[str]] = mapped_column(default=list, server_default=text("'[]'"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, server_default=func.now())
    last_used_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, server_default=func.now())
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    user_agent: Mapped[str | None] = mapped_column(String(300))
    client_ip: Mapped[str | None] = mapped_column(String(45))
