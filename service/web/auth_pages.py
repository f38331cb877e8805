"""Sign-in and sign-out pages (cookie session) and the role-based landing page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException, TooManyRequestsException
from litestar.middleware.csrf import generate_csrf_token
from litestar.params import Body
from litestar.response import Redirect, Template
from litestar.utils.empty import value_or_default
from litestar.utils.scope.state import ScopeState

from service.accounts.controllers import _login
from service.accounts.hardening import cross_site_reason, csrf_token_valid, csrf_tokens_match
from service.accounts.schemas import LoginRequest
from service.accounts.security import ACCESS_COOKIE, CSRF_COOKIE, REFRESH_COOKIE
from service.accounts.service import AccountService
from service.accounts.setup import AuthKit
from service.inputs import SIGN_IN_BODY_BYTES
from service.pagination import DbSession
from service.web.common import HOME, SIGN_IN, Page, PageDep, render, safe_next, see_other

PUBLIC = {"exclude_from_auth": True}


@dataclass
class SignInForm:
    """The sign-in form: e-mail or mobile number and password; ``next`` is where to go afterwards
    (the pre-session CSRF token ``_csrf_token`` is read from the form by the handler)."""

    login: str = ""
    password: str = ""
    next: str = ""


def public_form_page(
    page: Page, kit: AuthKit, template: str, *, status_code: int = 200, fresh: bool = False, **context: Any
) -> Template:
    """A public form (sign-in, sign-up) with a valid pre-session CSRF token: the ``vocmatch_csrf``
    cookie's (or the one the CSRF middleware just made) when valid and not ``fresh``, else a new
    one, set as the cookie. The token also reaches the template's ``csrf_token()``."""
    state = ScopeState.from_scope(page.request.scope)
    candidate = value_or_default(state.csrf_token, None) or page.request.cookies.get(CSRF_COOKIE)
    new_cookie = None
    if fresh or candidate is None or not csrf_token_valid(kit.csrf, candidate):
        candidate = generate_csrf_token(kit.csrf.secret)
        new_cookie = Cookie(
            key=CSRF_COOKIE,
            value=candidate,
            path="/",
            secure=kit.settings.cookie_secure,
            httponly=False,
            samesite="lax",
        )
    state.csrf_token = candidate
    rendered = render(page, template, status_code=status_code, **context)
    if new_cookie is not None:
        rendered.set_cookie(new_cookie)
    return rendered


async def public_post_refused(request: Request[Any, Any, Any], kit: AuthKit) -> bool:
    """Whether a public form post must be refused as cross-site: another site's page sent it, or
    its pre-session token (form field ``_csrf_token``) does not match the ``vocmatch_csrf`` cookie."""
    sent = (await request.form()).get("_csrf_token")
    return cross_site_reason(request.headers) is not None or not csrf_tokens_match(
        kit.csrf, sent, request.cookies.get(CSRF_COOKIE)
    )


def _sign_in_page(page: Page, kit: AuthKit, *, status_code: int = 200, fresh: bool = False, **context: Any) -> Template:
    """The sign-in form (:func:`public_form_page`)."""
    return public_form_page(page, kit, "sign_in.html", status_code=status_code, fresh=fresh, **context)


class AuthPages(Controller):
    path = "/web"
    request_max_body_size = SIGN_IN_BODY_BYTES

    @get("/")
    async def landing(self, page: PageDep) -> Redirect:
        """Signed in: 303 to the role's home page; otherwise (the authentication's 401, turned into
        a redirect by the pages' error handler) 303 to ``/web/sign-in?next=/web/``. Not public: a
        public route skips authentication, so it would never know who is signed in."""
        return Redirect(path=HOME[page.user.role], status_code=303)

    @get("/sign-in", opt=PUBLIC)
    async def sign_in_form(self, page: PageDep, auth_kit: NamedDependency[AuthKit]) -> Template:
        """The sign-in form (``?next=`` keeps the page to return to). It carries a pre-session CSRF
        token (also set as the ``vocmatch_csrf`` cookie) that the form post must echo."""
        wanted = page.request.query_params.get("next")
        return _sign_in_page(page, auth_kit, next=safe_next(wanted) if wanted else "", login="", error=None)

    @post("/sign-in", opt={**PUBLIC, "exclude_from_csrf": True}, status_code=303)
    async def sign_in(
        self,
        request: Request[Any, Any, Any],
        page: PageDep,
        db_session: DbSession,
        auth_kit: NamedDependency[AuthKit],
        data: Annotated[SignInForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any]:
        """Check the password (rate-limited like ``POST /auth/login``), open a login session and set
        the HttpOnly session cookies, the device cookie and a fresh CSRF cookie, then 303 to
        ``next`` or the role's home. A wrong login name or password re-renders the form with 401;
        too many attempts with 429. Login CSRF: the form's pre-session token must match the
        ``vocmatch_csrf`` cookie, and a post another site's page sent is refused — both 403 with
        the form again (a new token), nothing checked or counted."""
        if not data.login.strip() or not data.password:
            return _sign_in_page(
                page,
                auth_kit,
                status_code=400,
                next=data.next,
                login=data.login,
                error=page.gettext("Enter your e-mail or mobile number and your password."),
            )
        if await public_post_refused(request, auth_kit):
            return _sign_in_page(
                page,
                auth_kit,
                status_code=403,
                next=data.next,
                login=data.login,
                fresh=True,
                error=page.gettext("This sign-in form has expired or came from another site. Please sign in again."),
            )
        try:
            user, pair, device = await _login(
                request,
                db_session,
                auth_kit,
                LoginRequest(login=data.login.strip()[:200], password=data.password[:128]),
            )
        except TooManyRequestsException:
            return _sign_in_page(
                page,
                auth_kit,
                status_code=429,
                next=data.next,
                login=data.login,
                error=page.gettext("Too many attempts. Wait a few minutes and try again."),
            )
        except NotAuthorizedException:
            return _sign_in_page(
                page,
                auth_kit,
                status_code=401,
                next=data.next,
                login=data.login,
                error=page.gettext("Wrong login name or password."),
            )
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
        target = data.next if data.next and safe_next(data.next) == data.next else HOME[user.role]
        return Redirect(path=target, status_code=303, cookies=cookies)

    @post("/sign-out", status_code=303)
    async def sign_out(self, page: PageDep, db_session: DbSession) -> Response[Any]:
        """End the login session (its refresh and access tokens stop working at once), clear the
        cookies and go to the sign-in page. Needs the CSRF token (form field ``_csrf_token``)."""
        session_id = page.user.session_id
        if session_id is not None:
            await AccountService(db_session).end_session(session_id)
        expired = [
            Cookie(key=ACCESS_COOKIE, value="", path="/", max_age=0),
            Cookie(key=REFRESH_COOKIE, value="", path="/auth", max_age=0),
            Cookie(key=CSRF_COOKIE, value="", path="/", max_age=0),
        ]
        response = see_other(SIGN_IN, page)
        for cookie in expired:
            response.set_cookie(cookie)
        return response
