"""HTTP endpoints for accounts (``/auth``); employer vetting is in :mod:`service.employers.controllers`."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, Router, delete, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotAuthorizedException
from litestar.middleware.csrf import generate_csrf_token
from litestar.params import JSONBody

from service.accounts.devices import DEVICE_COOKIE
from service.accounts.hardening import refuse_cross_site, require_json
from service.accounts.schemas import (
    AccountAccepted,
    LoginRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    UserCreate,
    UserRead,
)
from service.accounts.security import ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE
from service.accounts.service import AccountService, LoginTakenError, RefreshReuseError, normalise_login, to_read
from service.accounts.setup import AuthKit
from service.auth.guards import (
    current_principal,
    require_signed_in,
)
from service.inputs import SIGN_IN_BODY_BYTES
from service.pagination import DbSession

PUBLIC = {"exclude_from_auth": True}
Kit = NamedDependency[AuthKit]


def _client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


async def _login(
    request: Request[Any, Any, Any], db_session: DbSession, auth_kit: AuthKit, data: LoginRequest
) -> tuple[Any, TokenPair, Cookie]:
    """Check the password under the sign-in limits and open a login session: the user, the token
    pair and the device cookie to set (:mod:`service.accounts.devices`). Failures count per
    (account, client): the device when its cookie is valid for the account, else the address."""
    email, phone = normalise_login(data.login)
    account = email or phone or ""  # one key whatever the spelling (+86, spaces, case)
    device_cookie = request.cookies.get(DEVICE_COOKIE)
    client = auth_kit.devices.client_for(device_cookie, account) or f"ip:{_client_ip(request)}"
    await auth_kit.limiter.attempt(_client_ip(request), account, client)
    service = AccountService(db_session)
    try:
        user = await service.authenticate(data.login, data.password)
    except NotAuthorizedException:
        await auth_kit.limiter.failed(account, client)
        raise
    await auth_kit.limiter.succeeded(account, client)
    auth_session, refresh = await service.open_session(
        user, auth_kit.settings.refresh_token_ttl_seconds, request.headers.get("user-agent"), _client_ip(request)
    )
    return user, auth_kit.pair(user.id, auth_session.id, refresh), auth_kit.devices.cookie(device_cookie, account)


#: The one answer to a registration or account creation, whether or not the login name was free.
ACCEPTED = AccountAccepted(
    detail=(
        "accepted: unless this e-mail address or mobile number already belongs to an account, the account now "
        "exists and signs in at POST /auth/login; otherwise nothing was changed / 已受理：该邮箱或手机号如尚未注册，账号已建立，"
        "可直接登录；如已注册则未作任何改动"
    )
)

JSON_ONLY = [require_json]
SIGN_IN = [require_json, refuse_cross_site]


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]
    request_max_body_size = SIGN_IN_BODY_BYTES

    @post("/register", summary="Register a graduate or an employer", opt=PUBLIC, guards=JSON_ONLY, status_code=202)
    async def register(
        self, request: Request[Any, Any, Any], db_session: DbSession, auth_kit: Kit, data: JSONBody[RegisterRequest]
    ) -> AccountAccepted:
        """Self-registration: ``role`` ``graduate`` with ``graduate: {name}`` creates a new
        profile; ``employer`` with ``employer: {name, uscc?, …}`` creates an unverified employer.
        Then sign in at ``POST /auth/login``.

        202 with the same body whether the e-mail address or mobile number was free (the account
        now exists) or already someone's (nothing is created or changed): the answer never tells
        whether an address is registered.

        Errors: 400 malformed body or password outside 8–128 characters; 415 a body that is not
        ``application/json``; 422 missing section, no e-mail/phone, bad 统一社会信用代码 or region;
        409 统一社会信用代码 taken; 429 with ``Retry-After`` (seconds) after
        ``VOCMATCH_REGISTER_RATE_PER_IP`` attempts from one address (every well-formed attempt
        counts, refused ones too).
        """
        await auth_kit.limiter.registration(_client_ip(request))
        try:
            await AccountService(db_session).register(data)
        except LoginTakenError:
            await db_session.rollback()  # the profile made for it goes too
        return ACCEPTED

    @post("/login", summary="Sign in: access and refresh tokens", opt=PUBLIC, status_code=200, guards=SIGN_IN)
    async def login(
        self, request: Request[Any, Any, Any], db_session: DbSession, auth_kit: Kit, data: JSONBody[LoginRequest]
    ) -> Response[TokenPair]:
        """``login`` is the e-mail address or mobile number. Returns a short-lived access token
        (``expires_in`` seconds) and a single-use refresh token, and sets the device cookie
        (``vocmatch_device``) by which later failed sign-ins from this client are counted apart
        from everyone else's.

        Errors: 401 ``wrong login name or password`` (the same for unknown accounts); 403 sent by
        a page of another site; 415 a body that is not ``application/json``; 429 with
        ``Retry-After`` (seconds) after too many attempts from one address, or too many failures
        for the account from this device or address (``VOCMATCH_LOGIN_RATE_PER_ACCOUNT``: each
        window filled makes the wait longer; other clients are not delayed).
        """
        _, pair, device = await _login(request, db_session, auth_kit, data)
        return Response(pair, status_code=200, cookies=[device])

    @post("/refresh", summary="Trade a refresh token for new tokens", opt=PUBLIC, status_code=200, guards=JSON_ONLY)
    async def refresh(self, db_session: DbSession, auth_kit: Kit, data: JSONBody[RefreshRequest]) -> TokenPair:
        """New access and refresh tokens; the refresh token sent stops working. 401 when it is
        invalid, expired or revoked — and a token that was issued for the session and already
        rotated away revokes its session (a made-up one changes nothing)."""
        try:
            auth_session, refresh = await AccountService(db_session).rotate(data.refresh_token)
        except RefreshReuseError:
            await db_session.commit()  # keep the revocation although the answer is 401
            raise
        return auth_kit.pair(auth_session.user_id, auth_session.id, refresh)

    @post("/logout", summary="End the login session of a refresh token", opt=PUBLIC, status_code=204, guards=JSON_ONLY)
    async def logout(self, db_session: DbSession, data: JSONBody[RefreshRequest]) -> None:
        """Revoke the session: its refresh token and every access token issued in it stop working
        at once. 204 also for unknown tokens (nothing to end)."""
        await AccountService(db_session).close_session(data.refresh_token)

    @get("/me", summary="The signed-in account", guards=[require_signed_in])
    async def me(self, request: Request[Any, Any, Any], db_session: DbSession) -> UserRead:
        """The caller's account: role and scope ids. 401 without a valid token."""
        user = await AccountService(db_session).repo.get(current_principal(request).user_id)
        assert user is not None  # the middleware just loaded it
        return to_read(user)

    @post(
        "/users",
        summary="Create an account within your scope",
        guards=[require_signed_in, require_json],
        status_code=202,
    )
    async def create_user(
        self, request: Request[Any, Any, Any], db_session: DbSession, data: JSONBody[UserCreate]
    ) -> AccountAccepted:
        """Staff and employers create accounts they answer for: the admin any; a department
        admin school staff of its schools and department admins of sub-regions; school staff
        colleagues and accounts for their own graduates (linking a roster record); an employer
        member colleagues.

        202 with the same body whether the e-mail address or mobile number was free (the account
        now exists) or already someone's (nothing is created or changed), as for
        ``POST /auth/register``: the answer never tells whether an address is registered.

        Errors: 403 role not allowed, or a scope object the caller may read but not use (another
        school, a region outside theirs, another verified employer); 415 a body that is not
        ``application/json``; 422 scope id missing, unknown or not readable by the caller, or no
        e-mail/phone; 409 the graduate already has an account."""
        try:
            await AccountService(db_session).provision(current_principal(request), data)
        except LoginTakenError:
            await db_session.rollback()
        return ACCEPTED

    # --- cookie session for web pages ------------------------------------------------------

    @post(
        "/session", summary="Sign in for web pages (cookies)", opt={**PUBLIC, "exclude_from_csrf": True}, guards=SIGN_IN
    )
    async def open_web_session(
        self, request: Request[Any, Any, Any], db_session: DbSession, auth_kit: Kit, data: JSONBody[LoginRequest]
    ) -> Response[UserRead]:
        """As ``/auth/login`` but the tokens go into HttpOnly cookies (``vocmatch_access``,
        ``vocmatch_refresh`` on ``/auth``) and a ``vocmatch_csrf`` cookie is set: unsafe requests
        made with these cookies must echo it in ``X-CSRF-Token``. Signing in needs no CSRF token
        (a stale refresh cookie must not block it); login CSRF is stopped instead by accepting only
        ``application/json`` (415 otherwise; other sites' pages cannot send it) and refusing
        requests sent by another site's page (403). Errors as ``/auth/login``."""
        user, pair, device = await _login(request, db_session, auth_kit, data)
        csrf = generate_csrf_token(auth_kit.csrf.secret)
        cookies = [
            *auth_kit.session_cookies(pair),
            device,
            Cookie(
                key=CSRF_COOKIE,
                value=csrf,
                path="/",
                secure=auth_kit.settings.cookie_secure,
                httponly=False,
                samesite="lax",
            ),
        ]
        return Response(to_read(user), status_code=201, cookies=cookies)

    @post("/session/refresh", summary="Renew the web session cookies", opt=PUBLIC, status_code=204)
    async def refresh_web_session(
        self, request: Request[Any, Any, Any], db_session: DbSession, auth_kit: Kit
    ) -> Response[None]:
        """Rotate the refresh cookie and renew the access cookie (needs ``X-CSRF-Token``); 401 as
        ``/auth/refresh``."""
        try:
            auth_session, refresh = await AccountService(db_session).rotate(request.cookies.get(REFRESH_COOKIE, ""))
        except RefreshReuseError:
            await db_session.commit()
            raise
        pair = auth_kit.pair(auth_session.user_id, auth_session.id, refresh)
        return Response(None, status_code=204, cookies=auth_kit.session_cookies(pair))

    @delete("/session", summary="Sign out of the web session", opt=PUBLIC, status_code=204)
    async def close_web_session(self, request: Request[Any, Any, Any], db_session: DbSession) -> Response[None]:
        """Revoke the cookie session and clear its cookies (needs ``X-CSRF-Token``); 204."""
        await AccountService(db_session).close_session(request.cookies.get(REFRESH_COOKIE, ""))
        expired = [
            Cookie(key=ACCESS_COOKIE, value="", path="/", max_age=0),
            Cookie(key=REFRESH_COOKIE, value="", path="/auth", max_age=0),
            Cookie(key=CSRF_COOKIE, value="", path="/", max_age=0),
        ]
        return Response(None, status_code=204, cookies=expired)


def accounts_router(kit: AuthKit) -> Router:
    """The ``/auth`` endpoints and sign-up's, with ``auth_kit`` injectable.
    The app installs ``kit.auth`` for every route (``on_app_init``); handlers marked public skip it."""
    from service.signup.controllers import ROUTES as SIGNUP_ROUTES

    return Router(
        path="/",
        route_handlers=[AuthController, *SIGNUP_ROUTES],
        dependencies={"auth_kit": Provide(kit.provide, sync_to_thread=False)},
    )
