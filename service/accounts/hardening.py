"""Request hardening the app factory switches on: login and API rate limits, the request-size
limit with a 413 that names it, security headers, and CSRF protection for cookie sessions.

Each piece is built by a function of :class:`~service.config.Settings` (nothing at import time).
"""

from __future__ import annotations

import math
import time
from typing import Any

from limits import parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.exceptions import TooManyRequestsException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.middleware import ASGIMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service.accounts.guards import Principal
from service.accounts.security import (
    ACCESS_COOKIE, CSRF_COOKIE, CSRF_HEADER, PUBLIC_PATHS, REFRESH_COOKIE, derive_key,
)
from service.config import Settings


class LoginLimiter:
    """Login and registration attempt limits (moving window, ``limits`` library): every login
    attempt counts against the client IP (``Settings.login_rate_per_ip``); failed attempts count
    against the account (``Settings.login_rate_per_account``), which a successful login clears;
    every registration counts against the client IP (``Settings.register_rate_per_ip``). One instance per app,
    shared by every way of signing in (``/auth/login``, ``/auth/session``, ``/web/sign-in``):
    copying returns the same instance."""

    def __init__(self, settings: Settings) -> None:
        self.storage_uri = settings.rate_limit_storage_uri
        self.per_ip = parse(settings.login_rate_per_ip)
        self.per_account = parse(settings.login_rate_per_account)
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

    async def _refuse(self, item: Any, key: str, who: str, what: str, action: str = "login attempts") -> None:
        stats = await self.limiter.get_window_stats(item, key, who)
        retry = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyRequestsException(
            detail=f"too many {action} {what} (limit {item}); try again in {retry} seconds",
            headers={"Retry-After": str(retry)},
        )

    async def registration(self, client_ip: str) -> None:
        """Count a self-registration attempt against the client IP (``Settings.register_rate_per_ip``);
        raises 429 (``TooManyRequestsException`` with ``Retry-After`` seconds) beyond the limit."""
        if not await self.limiter.hit(self.register_per_ip, "register-ip", client_ip):
            await self._refuse(self.register_per_ip, "register-ip", client_ip, "from this address", "registrations")

    async def attempt(self, client_ip: str, account: str) -> None:
        """Count an attempt; raises 429 (``TooManyRequestsException``, with ``Retry-After`` seconds)
        when the IP or the account is over its limit."""
        if not await self.limiter.hit(self.per_ip, "login-ip", client_ip):
            await self._refuse(self.per_ip, "login-ip", client_ip, "from this address")
        if not await self.limiter.test(self.per_account, "login-account", account):
            await self._refuse(self.per_account, "login-account", account, "for this account")

    async def failed(self, account: str) -> None:
        await self.limiter.hit(self.per_account, "login-account", account)

    async def succeeded(self, account: str) -> None:
        await self.limiter.clear(self.per_account, "login-account", account)


def _client_identity(request: Request[Any, Any, Any]) -> str:
    user = request.scope.get("user")
    if isinstance(user, Principal):
        return f"user:{user.user_id}"
    return f"ip:{request.client.host if request.client else 'unknown'}"


def api_rate_limit_config(settings: Settings) -> RateLimitConfig:
    """``Settings.api_rate_per_minute`` requests per minute per signed-in user (per client IP when
    nobody is signed in or authentication runs later in the stack); 429 beyond, with
    ``RateLimit-*`` headers. Pass ``.middleware`` to the app."""
    return RateLimitConfig(rate_limit=("minute", settings.api_rate_per_minute),
                           identifier_for_request=_client_identity, exclude=PUBLIC_PATHS)


class BodySizeLimitMiddleware(ASGIMiddleware):
    """413 for a body larger than the route's ``request_max_body_size`` (the app's
    ``Settings.max_body_bytes`` unless the handler sets its own), naming the limit in bytes —
    checked on ``Content-Length`` before reading, and again while a chunked body streams in."""

    def __init__(self, default_limit: int) -> None:
        self.default_limit = default_limit

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        handler = scope.get("route_handler")
        limit = handler.resolve_request_max_body_size() if handler is not None else self.default_limit
        if not limit:
            await next_app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            raise RequestEntityTooLarge(detail=f"request body of {int(declared)} bytes exceeds the limit of "
                                               f"{limit} bytes")
        received = 0

        async def limited_receive() -> Message:
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


_HTML_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
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
    return CSRFConfig(secret=derive_key(secret, "csrf"), cookie_name=CSRF_COOKIE, header_name=CSRF_HEADER,
                      cookie_secure=settings.cookie_secure, cookie_samesite="lax", cookie_httponly=False)


class CookieCsrfMiddleware(ASGIMiddleware):
    """Applies :class:`~litestar.middleware.csrf.CSRFMiddleware` to requests that authenticate by
    session cookie (a ``vocmatch_access``/``vocmatch_refresh`` cookie and no ``Authorization``
    header): browsers attach cookies to cross-site requests, but never a bearer header, so API
    clients need no CSRF token."""

    def __init__(self, config: CSRFConfig) -> None:
        self.config = config

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = dict(scope.get("headers", []))
        cookie = headers.get(b"cookie", b"")
        by_cookie = ACCESS_COOKIE.encode() in cookie or REFRESH_COOKIE.encode() in cookie
        if by_cookie and b"authorization" not in headers:
            await CSRFMiddleware(next_app, self.config)(scope, receive, send)
        else:
            await next_app(scope, receive, send)


def cookie_csrf_middleware(settings: Settings, secret: str) -> CookieCsrfMiddleware:
    """The CSRF middleware for cookie sessions, ready for the app's ``middleware`` list."""
    return CookieCsrfMiddleware(csrf_config(settings, secret))
