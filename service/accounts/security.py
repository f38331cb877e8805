"""Credentials: argon2id password hashes, the signing secret, access tokens (JWT) and refresh tokens.

* Passwords: argon2id via ``argon2-cffi``'s :class:`~argon2.PasswordHasher` with the OWASP Password
  Storage Cheat Sheet parameters (m=19 MiB, t=2, p=1: about 0.1 s and 19 MiB per login, so a burst
  of logins cannot exhaust memory); hashing runs in a worker thread. Hashes made with other
  parameters still verify, and :func:`needs_rehash` tells when to upgrade one.
* Access token: a JWT (RFC 7519, HS256 via PyJWT through :mod:`litestar.security.jwt`) carrying
  ``sub`` (user id), ``sid`` (login session id), ``iss`` ``vocmatch`` and ``exp``; lifetime
  ``Settings.access_token_ttl_seconds``. Every request re-reads the user and session, so a logout,
  a revoked session or a deactivated user stops the token at once.
* Refresh token: ``<session public id>.<256 random bits>``, opaque; the public id is random (144
  bits), so no session can be named without holding one of its tokens, and only the secret's
  SHA-256 is stored. It rotates on each use (see :class:`service.accounts.models.AuthSession`).
  The access token's ``sid`` is the session's internal id: it is signed, so nobody can choose it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import os
import re
import secrets
import uuid
from pathlib import Path
from typing import Any

import anyio.to_thread
from advanced_alchemy.extensions.litestar import SQLAlchemyInitPlugin
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection
from litestar.security.jwt import JWTCookieAuth, Token
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import AuthSession, User
from service.auth.guards import Principal
from service.config import Settings
from service.db import utcnow

ISSUER = "vocmatch"
ALGORITHM = "HS256"
ACCESS_COOKIE = "vocmatch_access"
REFRESH_COOKIE = "vocmatch_refresh"
CSRF_COOKIE = "vocmatch_csrf"
CSRF_HEADER = "x-csrf-token"
MIN_SECRET_LENGTH = 32
#: Paths that stay public once authentication is switched on for the whole app.
PUBLIC_PATHS = ["^/health", "^/docs", "^/docs-assets"]

_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the login names nobody, so a miss costs as long as a wrong password."""
    return _hasher.hash(secrets.token_urlsafe(16))


async def hash_password(password: str) -> str:
    """argon2id PHC string (``$argon2id$v=19$m=19456,t=2,p=1$…``) for ``password``."""
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; ``None`` (no such user) takes as long and is False."""

    def check() -> bool:
        try:
            return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
        except (VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash used weaker parameters than the current defaults (rehash on next login)."""
    return _hasher.check_needs_rehash(password_hash)


def resolve_secret_key(settings: Settings) -> str:
    """The signing secret: ``settings.secret_key`` if set, else the embedded default kept in
    ``settings.secret_key_file`` (created once, mode 0600, atomically, so every worker on the
    machine reads the same key). Call once at start-up (it may touch the file system).

    Raises:
        ValueError: ``VOCMATCH_SECRET_KEY`` is set but shorter than 32 characters.
    """
    if settings.secret_key:
        if len(settings.secret_key) < MIN_SECRET_LENGTH:
            raise ValueError(f"VOCMATCH_SECRET_KEY must have at least {MIN_SECRET_LENGTH} characters")
        return settings.secret_key
    path = Path(settings.secret_key_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)  # atomic; fails if another worker got there first
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text().strip()
    if len(key) < MIN_SECRET_LENGTH:
        raise ValueError(f"{path} holds a key shorter than {MIN_SECRET_LENGTH} characters; delete it")
    return key


def derive_key(secret: str, purpose: str) -> str:
    """A separate key per purpose (``"jwt"``, ``"csrf"``) from the one secret: HMAC-SHA256(secret, purpose)."""
    return hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).hexdigest()


def new_refresh_secret() -> tuple[str, str]:
    """A fresh refresh secret and its SHA-256 hex (the only part stored)."""
    secret = secrets.token_urlsafe(32)
    return secret, sha256_hex(secret)


def sha256_hex(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


_PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{16,32}$")


def split_refresh_token(token: str) -> tuple[str, str] | None:
    """``"<session public id>.<secret>"`` → ``(public id, secret)``, or ``None`` if malformed."""
    public_id, sep, secret = token.partition(".")
    if not sep or not _PUBLIC_ID.match(public_id) or not secret or len(token) > 200:
        return None
    return public_id, secret


def refresh_matches(session: AuthSession, secret: str) -> bool:
    """Whether ``secret`` is the session's current refresh secret (constant-time comparison)."""
    return hmac.compare_digest(session.refresh_hash, sha256_hex(secret))


def was_rotated_away(session: AuthSession, secret: str) -> bool:
    """Whether ``secret`` was really issued for this session and has since been replaced — the
    only case that proves a copied token (reuse detection); a made-up secret never matches."""
    digest = sha256_hex(secret)
    return any(hmac.compare_digest(old, digest) for old in session.rotated_hashes)


def _request_session(connection: ASGIConnection[Any, Any, Any, Any]) -> AsyncSession:
    """The request's database session (the same one handlers get as ``db_session``)."""
    config = connection.app.plugins.get(SQLAlchemyInitPlugin).config[0]
    return config.provide_session(connection.app.state, connection.scope)  # type: ignore[return-value]  # the async plugin's session


async def load_principal(session: AsyncSession, user_id: int, session_id: int) -> Principal | None:
    """The :class:`Principal` for an active user with a live (unrevoked, unexpired) session, else ``None``."""
    stmt = (
        select(User)
        .join(AuthSession, AuthSession.user_id == User.id)
        .where(
            User.id == user_id,
            User.active.is_(True),
            AuthSession.id == session_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > utcnow(),
        )
    )
    user = (await session.execute(stmt)).scalar_one_or_none()
    return None if user is None else Principal.of(user, session_id)


async def retrieve_principal(token: Token, connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """``retrieve_user_handler`` of the JWT middleware: token → :class:`Principal` (``None`` → 401)."""
    sid = token.extras.get("sid")
    if not token.sub.isdigit() or not isinstance(sid, int):
        return None
    return await load_principal(_request_session(connection), int(token.sub), sid)


def jwt_auth(settings: Settings, secret: str) -> JWTCookieAuth[Principal, Token]:
    """The authentication config: a bearer JWT in ``Authorization`` or, for web pages, in the
    ``vocmatch_access`` cookie (HttpOnly, SameSite=Lax). Handlers with ``opt={"exclude_from_auth":
    True}`` and :data:`PUBLIC_PATHS` are skipped; every other request without a valid token is 401.

    The app installs it with ``on_app_init=[auth.on_app_init]`` (see :func:`service.app.create_app`),
    protecting every route; ``.middleware`` would protect one router only.
    """
    return JWTCookieAuth[Principal, Token](
        token_secret=derive_key(secret, "jwt"),
        retrieve_user_handler=retrieve_principal,
        algorithm=ALGORITHM,
        key=ACCESS_COOKIE,
        secure=settings.cookie_secure,
        samesite="lax",
        default_token_expiration=dt.timedelta(seconds=settings.access_token_ttl_seconds),
        accepted_issuers=[ISSUER],
        exclude=PUBLIC_PATHS,
        exclude_opt_key="exclude_from_auth",
        description="Access token from POST /auth/login (Authorization: Bearer …), or the session cookie.",
    )


def issue_access_token(auth: JWTCookieAuth[Principal, Token], user_id: int, session_id: int) -> str:
    """A signed access token for ``user_id`` in login session ``session_id``."""
    return auth.create_token(
        identifier=str(user_id),
        token_issuer=ISSUER,
        token_unique_jwt_id=uuid.uuid4().hex,
        token_extras={"sid": session_id},
    )
