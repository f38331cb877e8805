"""Wiring for the web pages: the Jinja2 template config and the ``/web`` router.

``create_app`` adds::

    Litestar(route_handlers=[..., web_router(security.kit)], template_config=web_template_config(), ...)

The router authenticates with the same JWT cookie as the API (unless the app already did, when
authentication is switched on app-wide), turns "not signed in" into a redirect to the sign-in
page and other errors into an HTML error page in the visitor's language.
"""

from __future__ import annotations

import dataclasses
import gettext
import logging
from pathlib import Path
from typing import Annotated, Any

from jinja2 import pass_context
from jinja2.runtime import Context
from litestar import Request, Response, Router, get
from litestar.di import Provide
from litestar.exceptions import HTTPException, NotAuthorizedException, NotFoundException
from litestar.middleware import ASGIMiddleware
from litestar.params import PathParameter
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Receive, Scope, Send

from service.accounts.setup import AuthKit
from service.auth.guards import Principal
from service.errors import RETRY_AFTER_SECONDS, DomainError, database_unavailable
from service.notifications.service import NotificationService
from service.pagination import DbSession
from service.web import report_texts
from service.web.common import SIGN_IN, Page, build_page, error_texts, here, render
from service.web.i18n import Catalogues, load_catalogues
from service.web.times import local

WEB_DIR = Path(__file__).parent
logger = logging.getLogger(__name__)
PUBLIC = {"exclude_from_auth": True}


@pass_context
def _gettext(context: Context, message: str) -> str:
    translations: gettext.GNUTranslations = context["tr"]
    return translations.gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    translations: gettext.GNUTranslations = context["tr"]
    return translations.ngettext(singular, plural, n)


def _configure(engine: JinjaTemplateEngine) -> None:
    env = engine.engine
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
    env.trim_blocks = True
    env.lstrip_blocks = True
    env.globals.update(report_texts.jinja_globals())  # report words in the reader's language
    env.filters["local"] = local  # every datetime on a page: Beijing time in a <time> (service.web.times)


def web_template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja2 templates from ``service/web/templates`` (autoescaped) with gettext (``_()``) from the
    request's catalogue, which :func:`service.web.common.render` passes as ``tr``."""
    return TemplateConfig(directory=WEB_DIR / "templates", engine=JinjaTemplateEngine, engine_callback=_configure)


class PageAuthMiddleware(ASGIMiddleware):
    """Runs the app's JWT-cookie authentication for the pages unless an app-wide authentication
    middleware already put a :class:`Principal` in the scope (then it would only repeat the work)."""

    def __init__(self, kit: AuthKit) -> None:
        self.kit = kit

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if isinstance(scope.get("user"), Principal):
            await next_app(scope, receive, send)
            return
        auth = self.kit.auth.middleware
        await auth(next_app)(scope, receive, send)


def _error_page(catalogues: Catalogues) -> Any:
    def handle(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
        page = build_page(request, catalogues)
        status = int(getattr(exc, "status_code", 500))
        if database_unavailable(exc):  # as the API answers: 503 and when to try again
            status, headers = 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
            logger.warning("web page %s %s: database unavailable: %r", request.method, request.url.path, exc)
            heading, text = error_texts(page.tr, status)
            return render(
                page, "error.html", status_code=status, headers=headers, status=status, heading=heading, text=text
            )
        if isinstance(exc, NotAuthorizedException):
            target = f"{SIGN_IN}?next={here(request)}"
            if page.htmx:
                return Response(b"", status_code=200, headers={"HX-Redirect": target})
            return Redirect(path=target, status_code=303)
        detail = exc.detail if isinstance(exc, (HTTPException, DomainError)) else repr(exc)
        if status >= 500:
            logger.error("web page %s %s failed: %s", request.method, request.url.path, detail, exc_info=exc)
        else:  # the internal (English) detail goes to the log only, never to the page
            logger.info("web page %s %s answered %d: %s", request.method, request.url.path, status, detail)
        heading, text = error_texts(page.tr, status)
        return render(page, "error.html", status_code=status, status=status, heading=heading, text=text)

    return handle


@get("/", include_in_schema=False, opt=PUBLIC)
async def root() -> Redirect:
    """The service's front door: the web pages."""
    return Redirect(path="/web/", status_code=302)


@get("/favicon.ico", include_in_schema=False, opt=PUBLIC)
async def favicon() -> Redirect:
    """Browsers ask for ``/favicon.ico`` on their own: send them to the SVG icon of the pages."""
    return Redirect(path="/web/static/favicon.svg", status_code=301)


@get("/web/{unknown:path}", include_in_schema=False, opt=PUBLIC)
async def unknown_page(unknown: Annotated[str, PathParameter()]) -> None:
    """Any other path under ``/web``: the pages' HTML 404 (not the API's JSON problem), in the
    visitor's language, with the way back home."""
    raise NotFoundException(f"no page at /web{unknown}")


def web_router(kit: AuthKit) -> Router:
    """``GET /``, ``GET /favicon.ico`` and every page under ``/web`` (static files under ``/web/static``), with the
    ``page`` dependency (:class:`~service.web.common.Page`, with the signed-in user's unread
    notification count for the header's badge) and ``auth_kit`` injectable."""
    from service.web.alert_pages import AlertPages
    from service.web.auth_pages import AuthPages
    from service.web.conversation_pages import ConversationPages
    from service.web.dashboard_pages import DashboardPages
    from service.web.employer_pages import EmployerPages
    from service.web.followup_pages import FollowUpPages
    from service.web.graduate_pages import GraduatePages
    from service.web.internship_pages import InternshipPages
    from service.web.interview_pages import InterviewPages
    from service.web.notification_pages import NotificationPages
    from service.web.school_pages import SchoolPages
    from service.web.signup_pages import ROUTE_HANDLERS as SIGNUP_PAGES
    from service.web.suggest_pages import SuggestPages

    catalogues = load_catalogues()

    async def provide_page(request: Request[Any, Any, Any], db_session: DbSession) -> Page:
        page = build_page(request, catalogues)
        if page.principal is None or (page.htmx and not request.headers.get("hx-history-restore-request")):
            return page  # nobody signed in, or an htmx fragment (no header to show the count in)
        unread = await NotificationService(db_session).unread_count(page.principal.user_id)
        return dataclasses.replace(page, unread=unread)

    static = create_static_files_router(
        path="/web/static", directories=[WEB_DIR / "static"], opt=PUBLIC, include_in_schema=False, cache_control=None
    )
    handle = _error_page(catalogues)
    pages = Router(
        path="/",
        route_handlers=[
            AuthPages,
            GraduatePages,
            EmployerPages,
            SchoolPages,
            SuggestPages,
            NotificationPages,
            FollowUpPages,
            InterviewPages,
            InternshipPages,
            ConversationPages,
            DashboardPages,
            AlertPages,
            *SIGNUP_PAGES,
            unknown_page,
        ],
        middleware=[PageAuthMiddleware(kit)],
        include_in_schema=False,
        exception_handlers={HTTPException: handle, DomainError: handle, Exception: handle},
    )
    return Router(
        path="/",
        route_handlers=[root, favicon, static, pages],
        dependencies={"page": Provide(provide_page), "auth_kit": Provide(kit.provide, sync_to_thread=False)},
    )
