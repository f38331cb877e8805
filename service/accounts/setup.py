"""Everything the app factory needs from accounts, built once per app from the settings.

``create_app`` does::

    security = build_security(settings)
    Litestar(route_handlers=[..., security.router], middleware=security.middleware,
             before_send=[security.headers_hook], request_max_body_size=settings.max_body_bytes,
             on_app_init=[security.auth.on_app_init], ...)

``on_app_init`` requires a valid token on every route not marked ``opt={"exclude_from_auth": True}``
(health and docs stay public through :data:`service.accounts.security.PUBLIC_PATHS`); each
handler's guards then decide which roles may use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import Cookie
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.security.jwt import JWTCookieAuth, Token
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from service.accounts.devices import DeviceCookies
from service.accounts.hardening import (
    LoginLimiter,
    api_rate_limit_config,
    body_size_middleware,
    cookie_csrf_middleware,
    csrf_config,
    security_headers_hook,
)
from service.accounts.schemas import TokenPair
from service.accounts.security import ACCESS_COOKIE, REFRESH_COOKIE, issue_access_token, jwt_auth, resolve_secret_key
from service.auth.guards import Principal
from service.config import Settings

if TYPE_CHECKING:
    from litestar import Router


class AuthKit:
    """Per-app authentication state handed to the ``/auth`` handlers (dependency ``auth_kit``).

    A plain class, not a dataclass: Litestar would otherwise try to convert it field by field."""

    __slots__ = ("auth", "csrf", "devices", "limiter", "settings")

    def __init__(
        self,
        settings: Settings,
        auth: JWTCookieAuth[Principal, Token],
        limiter: LoginLimiter,
        csrf: CSRFConfig,
        devices: DeviceCookies,
    ) -> None:
        self.settings = settings
        self.auth = auth
        self.limiter = limiter
        self.csrf = csrf
        self.devices = devices

    def provide(self) -> AuthKit:
        return self

    # Litestar deep-copies every Router it registers, dependencies included; without these the
    # ``/auth`` router and the web pages would each hold their own kit — and their own login
    # limiter, so a lockout earned at ``POST /auth/login`` would not hold at ``POST /web/sign-in``.
    def __copy__(self) -> AuthKit:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> AuthKit:
        return self

    def pair(self, user_id: int, session_id: int, refresh_token: str) -> TokenPair:
        """An access token for the session plus the (already rotated) refresh token."""
        return TokenPair(
            access_token=issue_access_token(self.auth, user_id, session_id),
            refresh_token=refresh_token,
            expires_in=self.settings.access_token_ttl_seconds,
            refresh_expires_in=self.settings.refresh_token_ttl_seconds,
        )

    def session_cookies(self, pair: TokenPair) -> list[Cookie]:
        """HttpOnly cookies carrying ``pair`` for web pages (refresh cookie only sent to ``/auth``)."""
        secure = self.settings.cookie_secure
        return [
            Cookie(
                key=ACCESS_COOKIE,
                value=pair.access_token,
                path="/",
                httponly=True,
                secure=secure,
                samesite="lax",
                max_age=pair.expires_in,
            ),
            Cookie(
                key=REFRESH_COOKIE,
                value=pair.refresh_token,
                path="/auth",
                httponly=True,
                secure=secure,
                samesite="strict",
                max_age=pair.refresh_expires_in,
            ),
        ]


@dataclass(frozen=True)
class Security:
    """The accounts router plus the app-wide hardening pieces."""

    kit: AuthKit
    router: Router
    rate_limit: RateLimitConfig
    middleware: list[Any] = field(default_factory=list)
    headers_hook: Any = None

    @property
    def auth(self) -> JWTCookieAuth[Principal, Token]:
        return self.kit.auth


def build_security(settings: Settings) -> Security:
    """Resolve the secret (may create ``var/secret_key``) and build the auth config, login limiter,
    device cookies, CSRF, rate-limit, body-size and header pieces for one app, and — only when
    ``Settings.trusted_proxies`` names proxies — uvicorn's ``ProxyHeadersMiddleware`` trusting
    ``X-Forwarded-For``/``X-Forwarded-Proto`` from those addresses alone.

    Raises:
        ValueError: a too-short ``VOCMATCH_SECRET_KEY`` or an unparsable login rate setting.
    """
    from service.accounts.controllers import accounts_router

    secret = resolve_secret_key(settings)
    kit = AuthKit(
        settings=settings,
        auth=jwt_auth(settings, secret),
        limiter=LoginLimiter(settings),
        csrf=csrf_config(settings, secret),
        devices=DeviceCookies(secret, secure=settings.cookie_secure),
    )
    rate_limit = api_rate_limit_config(settings)
    middleware: list[Any] = [body_size_middleware(settings), cookie_csrf_middleware(settings, secret)]
    if settings.trusted_proxies.strip():
        # first, so every later piece (rate limits, sign-in limits, audit, sessions) sees the client
        # address a trusted proxy vouched for; X-Forwarded-For from anyone else is ignored
        # uvicorn types its middleware with its own ASGI types (the same protocol as Litestar's)
        middleware.insert(0, DefineMiddleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies))  # type: ignore[arg-type]
    if settings.api_rate_per_minute > 0:
        middleware.append(rate_limit.middleware)
    return Security(
        kit=kit,
        router=accounts_router(kit),
        rate_limit=rate_limit,
        middleware=middleware,
        headers_hook=security_headers_hook(settings),
    )
