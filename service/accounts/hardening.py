"""Request hardening the app factory switches on: login and API rate limits, the request-size
limit with a 413 that names it, security headers, and CSRF protection for cookie sessions.

Each piece is built by a function of :class:`~service.config.Settings` (nothing at import time).
"""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from limits import parse, parse_many
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, PermissionDeniedException, TooManyRequestsException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.handlers.base import BaseRouteHandler
from litestar.handlers.http_handlers import HTTPRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.middleware.csrf import CSRF_SECRET_LENGTH, CSRFMiddleware, generate_csrf_hash
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

from service.accounts.security import (
    ACCESS_COOKIE,
    CSRF_COOKIE,
    CSRF_HEADER,
    PUBLIC_PATHS,
    REFRESH_COOKIE,
    derive_key,
)
from service.auth.guards import Principal
from service.config import Settings


class LoginLimiter:
    """Sign-in and registration attempt limits (moving windows, ``limits`` library).

    * Every sign-in attempt counts against the client IP (``Settings.login_rate_per_ip``).
    * Failed sign-ins count against the pair (account, client) — the client being the device that
      holds a valid device cookie for the account (:mod:`service.accounts.devices`), else the client
      IP — in each window of ``Settings.login_rate_per_account`` (e.g. ``5/minute;10/15 minutes;
      20/hour;50/day``): each further run of failures waits longer (growing delays), and a success
      from that client clears its counts. Failures from one client never delay another, so nobody
      can keep the owner out of their account (OWASP Authentication Cheat Sheet, "Account Lockout";
      OWASP "Slow Down Online Guessing Attacks with Device Cookies").
    * Every registration counts against the client IP (``Settings.register_rate_per_ip``).

    One instance per app, shared by every way of signing in (``/auth/login``, ``/auth/session``,
    ``/web/sign-in``): copying returns the same instance."""

    def __init__(self, settings: Settings) -> None:
        self.storage_uri = settings.rate_limit_storage_uri
        self.per_ip = parse(settings.login_rate_per_ip)
        self.per_client = parse_many(settings.login_rate_per_account)
        self.register_per_ip = parse(settings.register_rate_per_ip)
        self._limiter: MovingWindowRateLimiter | None = None

    def __copy__(self) -> LoginLimiter:  # one set of counters per app, however often it is copied
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> LoginLimiter:
        return self

    @property
    def limiter(self) -> MovingWindowRateLimiter:
        """Created on first use, inside the server's event loop (the async storage needs one)."""
        if self._limiter is None:
            self._limiter = MovingWindowRateLimiter(storage_from_string(self.storage_uri))
        return self._limiter

    async def _retry_after(self, item: Any, *identifiers: str) -> int:
        stats = await self.limiter.get_window_stats(item, *identifiers)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def registration(self, client_ip: str) -> None:
        """Count a self-registration attempt against the client IP (``Settings.register_rate_per_ip``);
        raises 429 (``TooManyRequestsException`` with ``Retry-After`` seconds) beyond the limit."""
        if not await self.limiter.hit(self.register_per_ip, "register-ip", client_ip):
            retry = await self._retry_after(self.register_per_ip, "register-ip", client_ip)
            raise TooManyRequestsException(
                detail=f"too many registrations from this address (limit {self.register_per_ip}); try again in "
                f"{retry} seconds",
                headers={"Retry-After": str(retry)},
            )

    async def target_open(self, kind: str, key: str) -> None:
        """Refuse (429 with ``Retry-After``) a sign-up attempt on ``key`` — e.g. one (school, 学号)
        of an activation by roster details, or one client's invitation codes — once its failures
        fill a window of ``Settings.login_rate_per_account``. Failures are counted for every key
        tried, whether or not it names a real student, so the 429 itself tells nothing; guessing
        the six characters of one student's 身份证号 from many addresses meets the same limit."""
        full = [item for item in self.per_client if not await self.limiter.test(item, f"{kind}-failures", key)]
        if full:
            retry = max([await self._retry_after(item, f"{kind}-failures", key) for item in full])
            raise TooManyRequestsException(
                detail=f"too many failed attempts for these details (limit {full[-1]}); try again in {retry} seconds",
                headers={"Retry-After": str(retry)},
            )

    async def target_failed(self, kind: str, key: str) -> None:
        """Count one failed sign-up attempt on ``key`` (see :meth:`target_open`)."""
        for item in self.per_client:
            await self.limiter.hit(item, f"{kind}-failures", key)

    async def attempt(self, client_ip: str, account: str, client: str) -> None:
        """Count a sign-in attempt from ``client_ip`` for ``account`` (normalised login name) by
        ``client`` (``"device:…"`` or ``"ip:…"``).

        Raises:
            TooManyRequestsException: 429 with ``Retry-After`` seconds: too many attempts from this
                address, or too many failures for this account from this client (the wait is
                until every full window has room again).
        """
        if not await self.limiter.hit(self.per_ip, "login-ip", client_ip):
            retry = await self._retry_after(self.per_ip, "login-ip", client_ip)
            raise TooManyRequestsException(
                detail=f"too many login attempts from this address (limit {self.per_ip}); try again in {retry} seconds",
                headers={"Retry-After": str(retry)},
            )
        full = [
            item for item in self.per_client if not await self.limiter.test(item, "login-failures", account, client)
        ]
        if full:
            retry = max([await self._retry_after(item, "login-failures", account, client) for item in full])
            raise TooManyRequestsException(
                detail=f"too many failed sign-ins for this account from this device or address (limit {full[-1]}); "
                f"try again in {retry} seconds",
                headers={"Retry-After": str(retry)},
            )

    async def failed(self, account: str, client: str) -> None:
        for item in self.per_client:
            await self.limiter.hit(item, "login-failures", account, client)

    async def succeeded(self, account: str, client: str) -> None:
        for item in self.per_client:
            await self.limiter.clear(item, "login-failures", account, client)


def _client_identity(request: Request[Any, Any, Any]) -> str:
    user = request.scope.get("user")
    if isinstance(user, Principal):
        return f"user:{user.user_id}"
    return f"ip:{request.client.host if request.client else 'unknown'}"


def api_rate_limit_config(settings: Settings) -> RateLimitConfig:
    """``Settings.api_rate_per_minute`` requests per minute per signed-in user (per client IP when
    nobody is signed in or authentication runs later in the stack); 429 beyond, with
    ``RateLimit-*`` headers. Pass ``.middleware`` to the app."""
    return RateLimitConfig(
        rate_limit=("minute", settings.api_rate_per_minute),
        identifier_for_request=_client_identity,
        exclude=PUBLIC_PATHS,
    )


class BodySizeLimitMiddleware(ASGIMiddleware):
    """413 for a body larger than the route's ``request_max_body_size`` (the app's
    ``Settings.max_body_bytes`` unless the handler sets its own), naming the limit in bytes —
    checked on ``Content-Length`` before reading, and again while a chunked body streams in."""

    def __init__(self, default_limit: int) -> None:
        self.default_limit = default_limit

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope.get("route_handler")
        limit = handler.resolve_request_max_body_size() if isinstance(handler, HTTPRouteHandler) else self.default_limit
        if not limit:
            await next_app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            raise RequestEntityTooLarge(
                detail=f"request body of {int(declared)} bytes exceeds the limit of {limit} bytes"
            )
        received = 0

        async def limited_receive() -> ReceiveMessage:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestEntityTooLarge(detail=f"request body exceeds the limit of {limit} bytes")
            return message

        await next_app(scope, limited_receive, send)


def body_size_middleware(settings: Settings) -> BodySizeLimitMiddleware:
    """The request-size middleware; give the app ``request_max_body_size=settings.max_body_bytes`` too."""
    return BodySizeLimitMiddleware(settings.max_body_bytes)


_HTML_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_API_CSP = "default-src 'none'; frame-ancestors 'none'"
_ALWAYS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
    b"cross-origin-opener-policy": b"same-origin",
    b"cross-origin-resource-policy": b"same-origin",
    b"permissions-policy": b"camera=(), microphone=(), geolocation=(), payment=()",
}


def _has_credentials(scope: Scope) -> bool:
    headers = dict(scope.get("headers", []))
    cookie = headers.get(b"cookie", b"")
    return b"authorization" in headers or ACCESS_COOKIE.encode() in cookie or REFRESH_COOKIE.encode() in cookie


def security_headers_hook(settings: Settings) -> Any:
    """An app ``before_send`` hook adding security headers to every response (errors and 404s
    included): ``nosniff``, ``DENY`` framing, no referrer, a CSP (strict for data, one that lets the
    Swagger page run for HTML), ``Cache-Control: no-store`` on responses to signed-in requests
    (personal data must not sit in shared caches), and HSTS when ``Settings.hsts_seconds`` > 0
    (OWASP Secure Headers Project)."""
    extra = dict(_ALWAYS)
    if settings.hsts_seconds > 0:
        extra[b"strict-transport-security"] = f"max-age={settings.hsts_seconds}; includeSubDomains".encode()

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers", []))
        present = {name.lower() for name, _ in headers}
        content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
        wanted = dict(extra)
        wanted[b"content-security-policy"] = (_HTML_CSP if content_type.startswith(b"text/html") else _API_CSP).encode()
        if _has_credentials(scope):
            wanted[b"cache-control"] = b"no-store"
        headers.extend((name, value) for name, value in wanted.items() if name not in present)
        message["headers"] = headers

    return add_headers


def csrf_config(settings: Settings, secret: str) -> CSRFConfig:
    """CSRF protection (double-submit cookie signed with HMAC, Litestar ``CSRFConfig``) for web pages:
    the ``vocmatch_csrf`` cookie's value must come back in the ``X-CSRF-Token`` header (or form field
    ``_csrf_token``) on every unsafe request."""
    return CSRFConfig(
        secret=derive_key(secret, "csrf"),
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_secure=settings.cookie_secure,
        cookie_samesite="lax",
        cookie_httponly=False,
    )


def csrf_token_valid(config: CSRFConfig, token: str | None) -> bool:
    """Whether ``token`` is a CSRF token this app signed (Litestar's format: 64 hex characters and
    their HMAC-SHA256 under the CSRF key)."""
    if not token or len(token) <= CSRF_SECRET_LENGTH:
        return False
    secret, signature = token[:CSRF_SECRET_LENGTH], token[CSRF_SECRET_LENGTH:]
    return hmac.compare_digest(signature, generate_csrf_hash(token=secret, secret=config.secret))


def csrf_tokens_match(config: CSRFConfig, sent: str | None, cookie: str | None) -> bool:
    """Double-submit check: the token sent with the form or header is the cookie's, and valid."""
    return (
        csrf_token_valid(config, sent)
        and csrf_token_valid(config, cookie)
        and hmac.compare_digest(str(sent)[:CSRF_SECRET_LENGTH], str(cookie)[:CSRF_SECRET_LENGTH])
    )


def cross_site_reason(headers: Mapping[str, str]) -> str | None:
    """Why a request was sent by a page of another site, or ``None`` when it was not (same origin,
    or not a browser at all). Fetch Metadata first: a ``Sec-Fetch-Site`` other than
    ``same-origin`` or ``none`` (typed address, bookmark) is refused; without it, an ``Origin`` —
    else a ``Referer`` — naming another host than the ``Host`` header is refused. ``Origin: null``
    says nothing (our own pages send it, since their ``Referrer-Policy`` is ``no-referrer``), and a
    request without any of these headers is not from a browser (the algorithm of Go's
    ``net/http.CrossOriginProtection``; OWASP CSRF Prevention Cheat Sheet, "Verifying Origin with
    Standard Headers" and "Fetch Metadata headers")."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        return None if site in ("same-origin", "none") else f"Sec-Fetch-Site is {site[:20]!r}"
    host = headers.get("host", "").lower()
    for name in ("origin", "referer"):
        value = headers.get(name)
        if value is None or value == "null":
            continue
        netloc = urlsplit(value).netloc.lower()
        return None if netloc == host else f"{name.capitalize()} names another site"
    return None


def refuse_cross_site(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """Litestar guard for sign-in routes: 403 for a request a page of another site sent (login CSRF)."""
    reason = cross_site_reason(connection.headers)
    if reason is not None:
        raise PermissionDeniedException(f"cross-site request refused: {reason}")


def require_json(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """Litestar guard for JSON routes: 415 unless the body is sent as ``application/json``. Web
    pages of other sites can post forms (``text/plain`` included, whose body can be made to look
    like JSON) but cannot send ``application/json`` cross-origin without a CORS preflight, which
    this service never grants. Runs before the body is read."""
    assert isinstance(connection, Request)  # a guard of HTTP routes: the connection is their request
    if connection.content_type[0] != "application/json":
        raise HTTPException(status_code=415, detail="send the body as JSON with 'Content-Type: application/json'")


def _has_bearer_token(headers: dict[bytes, bytes]) -> bool:
    """Whether the request carries ``Authorization: Bearer <token>`` with a token (then that token,
    not a cookie, authenticates it: the JWT middleware reads the header first)."""
    scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").strip().partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


class CookieCsrfMiddleware(ASGIMiddleware):
    """Applies :class:`~litestar.middleware.csrf.CSRFMiddleware` to requests that authenticate by
    session cookie (a ``vocmatch_access``/``vocmatch_refresh`` cookie and no non-empty bearer
    token), and refuses such requests with an unsafe method when a page of another site sent them
    (:func:`cross_site_reason`). Browsers attach cookies to cross-site requests but never a bearer
    header, so API clients need no CSRF token; an empty or non-bearer ``Authorization`` header does
    not count (the JWT middleware then falls back to the cookie)."""

    def __init__(self, config: CSRFConfig) -> None:
        self.config = config

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = dict(scope.get("headers", []))
        cookie = headers.get(b"cookie", b"")
        by_cookie = ACCESS_COOKIE.encode() in cookie or REFRESH_COOKIE.encode() in cookie
        if not by_cookie or _has_bearer_token(headers):
            await next_app(scope, receive, send)
            return
        if scope.get("method") not in self.config.safe_methods:
            reason = cross_site_reason({k.decode("latin-1"): v.decode("latin-1") for k, v in headers.items()})
            if reason is not None:
                raise PermissionDeniedException(f"cross-site request refused: {reason}")
        await CSRFMiddleware(next_app, self.config)(scope, receive, send)


def cookie_csrf_middleware(settings: Settings, secret: str) -> CookieCsrfMiddleware:
    """The CSRF middleware for cookie sessions, ready for the app's ``middleware`` list."""
    return CookieCsrfMiddleware(csrf_config(settings, secret))
