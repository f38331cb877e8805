"""What every page handler shares: the per-request :class:`Page` (principal, locale, translations)
and :func:`render`, which adds them to the template context.

Pages read the signed-in :class:`~service.auth.guards.Principal` exactly as the API does and
query through the service layer with the scoping clauses of :mod:`service.auth.scoping`, so a
page never shows what the API would refuse.
"""

from __future__ import annotations

import gettext
import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import msgspec
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from service.accounts.models import Role
from service.auth.guards import Principal
from service.errors import DomainError
from service.web.i18n import LANG_COOKIE, Catalogues, html_lang, normalise_locale, pick_locale

#: Where each role lands after signing in.
HOME = {
    Role.GRADUATE: "/web/jobs",
    Role.EMPLOYER: "/web/postings",
    Role.SCHOOL: "/web/dashboard",
    Role.DEPARTMENT: "/web/dashboard",
    Role.ADMIN: "/web/dashboard",
}
SIGN_IN = "/web/sign-in"


@dataclass(frozen=True)
class Page:
    """Per-request page state: who is signed in (``None`` on public pages), the locale and its
    translations, and whether htmx asked for a fragment."""

    request: Request[Any, Any, Any]
    principal: Principal | None
    locale: str
    tr: gettext.GNUTranslations
    set_lang: bool  # the ``lang`` query parameter chose the locale: remember it in a cookie
    unread: int | None = None  # the signed-in user's unread notifications (the header's badge)

    @property
    def htmx(self) -> bool:
        return self.request.headers.get("hx-request") == "true"

    def gettext(self, message: str) -> str:
        return self.tr.gettext(message)

    @property
    def user(self) -> Principal:
        """The principal on a page that requires one (the auth middleware guarantees it)."""
        assert self.principal is not None, "page handler without authentication"
        return self.principal


def build_page(request: Request[Any, Any, Any], catalogues: Catalogues) -> Page:
    """The :class:`Page` for ``request`` (locale from ``?lang=``, the cookie or Accept-Language)."""
    query_lang = normalise_locale(request.query_params.get("lang"))
    locale = pick_locale(query_lang, request.cookies.get(LANG_COOKIE), request.headers.get("accept-language"))
    user = request.scope.get("user")
    return Page(
        request=request,
        principal=user if isinstance(user, Principal) else None,
        locale=locale,
        tr=catalogues.get(locale),
        set_lang=query_lang is not None,
    )


def render(
    page: Page, template: str, status_code: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> Template:
    """Render ``template`` with ``context`` plus ``page``, ``principal``, ``locale`` and ``html_lang``;
    sets the language cookie (one year) when ``?lang=`` chose the locale."""
    cookies = []
    if page.set_lang:
        cookies.append(
            Cookie(key=LANG_COOKIE, value=page.locale, path="/", max_age=365 * 24 * 3600, samesite="lax", httponly=True)
        )
    base = {
        "page": page,
        "principal": page.principal,
        "locale": page.locale,
        "html_lang": html_lang(page.locale),
        "tr": page.tr,
        "path": page.request.url.path,
        "lang_url": lambda locale: with_lang(page.request, locale),
        "session_expires_in": session_expires_in(page.request),
        "session_ttl": session_ttl(page.request),
    }
    return Template(
        template_name=template,
        context={**base, **context},
        status_code=status_code,
        cookies=cookies,
        headers=headers or {},
    )


#: A query value longer than this (characters) is left out of the language switch's link: longer than
#: any value a page takes (search text: :data:`service.inputs.SEARCH_MAX_CHARS`; a ``next=`` path
#: holding such a search), so a page never repeats kilobytes of a query it refuses.
LINK_VALUE_MAX_CHARS = 1000


def with_lang(request: Request[Any, Any, Any], locale: str) -> str:
    """This page's path and query with ``lang`` set to ``locale`` (the language switch keeps where the
    user is: a search's filters, a page number), without values over :data:`LINK_VALUE_MAX_CHARS`."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang" and len(v) <= LINK_VALUE_MAX_CHARS]
    return f"{request.url.path}?{urlencode([*query, ('lang', locale)])}"


def here(request: Request[Any, Any, Any]) -> str:
    """This request's path and query, percent-encoded for a ``next=`` parameter."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return quote(target, safe="/")


def session_expires_in(request: Request[Any, Any, Any]) -> int | None:
    """Seconds left on the access token of a signed-in page (``None`` on public pages): the pages'
    script (``static/session.js``) renews the session before then while the user is active."""
    token = request.scope.get("auth")
    exp = getattr(token, "exp", None)
    return max(0, int(exp.timestamp() - time.time())) if exp is not None else None


def session_ttl(request: Request[Any, Any, Any]) -> int | None:
    """The lifetime of this page's access token in seconds (``exp − iat``; ``None`` on public pages):
    how long a renewed session lasts, for ``static/session.js``."""
    token = request.scope.get("auth")
    exp, iat = getattr(token, "exp", None), getattr(token, "iat", None)
    return int((exp - iat).total_seconds()) if exp is not None and iat is not None else None


def safe_next(value: str | None, principal: Principal | None = None) -> str:
    """A local page to go to after signing in: ``value`` when it is a path under ``/web/`` (never
    another site: ``//evil`` or ``https://…`` are refused), else the role's home page."""
    if value and value.startswith("/web/") and not value.startswith("//") and "\\" not in value:
        return value
    return HOME.get(principal.role, "/web/") if principal else "/web/"


def see_other(location: str, page: Page | None = None) -> Response[bytes]:
    """303 to ``location`` (``HX-Redirect`` instead when htmx made the request, so the whole page changes)."""
    if page is not None and page.htmx:
        return Response(b"", status_code=200, headers={"HX-Redirect": location})
    return Redirect(path=location, status_code=303)


#: Handler parameter type of the per-request :class:`Page` (the router provides ``page``).
PageDep = NamedDependency[Page]


_PATH_RE = re.compile(r"at `\$\.([A-Za-z_]+)")
_MISSING_RE = re.compile(r"missing required field `([A-Za-z_]+)`")


def error_field(message: str) -> str:
    """The top-level field a msgspec validation message or a domain error names
    (``"... - at `$.skills[3]`"`` → ``skills``; ``"certificates[0].name: ..."`` → ``certificates``);
    ``""`` when it names none."""
    found = _PATH_RE.search(message) or _MISSING_RE.search(message)
    if found:
        return found.group(1)
    head = message.split(":", 1)[0]
    return re.split(r"[\[.]", head, maxsplit=1)[0] if re.fullmatch(r"[A-Za-z_][\w\[\].]*", head) else ""


def convert_form(
    data: dict[str, Any],
    type_: type[Any],
    placeholders: dict[str, Any] | None = None,
) -> tuple[Any | None, dict[str, str]]:
    """Validate ``data`` (form values, strings allowed where numbers are expected) into the
    msgspec ``type_`` the API uses, collecting **every** bad field rather than the first: each
    failing field is recorded with the API's message and replaced by its ``placeholders`` value
    (or removed) before trying again. Returns ``(struct, {})`` or ``(None, {field: message})``."""
    work = dict(data)
    errors: dict[str, str] = {}
    for _ in range(len(data) + 2):
        try:
            value = msgspec.convert(work, type_, strict=False)
        except msgspec.ValidationError as exc:
            message = str(exc)
            field = error_field(message)
            if not field or field in errors:
                errors[field or "_form"] = message
                return None, errors
            errors[field] = message
            if placeholders and field in placeholders:
                work[field] = placeholders[field]
            else:
                work.pop(field, None)
            continue
        return (None, errors) if errors else (value, {})
    return None, errors


def domain_error_codes(exc: DomainError) -> dict[str, str]:
    """``{form field: code}`` of the items of a service error that carry a stable code
    (:class:`~service.errors.DomainError`), keyed as :func:`domain_errors`."""
    out = {}
    for item in exc.errors:
        if item.get("code"):
            field = error_field(str(item.get("field", "")) + ":") if item.get("field") else ""
            out[field or "_form"] = str(item["code"])
    if not out and exc.code:
        out["_form"] = exc.code
    return out


def domain_errors(exc: DomainError) -> dict[str, str]:
    """``{field: message}`` from a service error (``InvalidFieldError``/``ConflictError`` name the
    field in ``errors``); the whole detail under ``_form`` when no field is named."""
    out = {}
    for item in exc.errors:
        field = error_field(str(item.get("field", "")) + ":") if item.get("field") else ""
        out[field or "_form"] = str(item.get("message", exc.detail))
    return out or {"_form": exc.detail}


def split_items(text: str | None) -> list[str]:
    """Items typed in one box, separated by commas, 、, semicolons or new lines, trimmed, blanks
    and repeats dropped (order kept): ``"电工证， 焊工证、电工证"`` → ``["电工证", "焊工证"]``."""
    items = (part.strip() for part in re.split(r"[,，、;；\n]+", text or ""))
    return list(dict.fromkeys(item for item in items if item))


# --- translated messages for errors ----------------------------------------------------------

_BOUND_RE = re.compile(r"Expected `(int|float|decimal)` (>=|>|<=|<) (-?[\d.]+)")
_LENGTH_RE = re.compile(r"Expected `(str|array|object)` of length (>=|<=) (\d+)")


def field_message(tr: gettext.GNUTranslations, message: str) -> str:
    """A msgspec validation message (English, as the API gives it) as a short instruction in the
    page's language, e.g. ``"Expected `int` >= 0 - at `$.min_salary_monthly`"`` → ``"请输入不小于 0
    的整数"``. A service's refusal is translated by its code instead (:func:`domain_messages`).
    Unknown messages become a general "not valid" sentence; the English text is never shown on a page."""
    bound = _BOUND_RE.search(message)
    if bound:
        kind, op, number = bound.groups()
        whole = kind == "int"
        if op in (">=", ">"):
            text = (
                tr.gettext("Enter a whole number of at least %(n)s")
                if whole
                else tr.gettext("Enter a number of at least %(n)s")
            )
            return text % {"n": number if op == ">=" else (int(number) + 1 if whole else number)}
        text = (
            tr.gettext("Enter a whole number of at most %(n)s")
            if whole
            else tr.gettext("Enter a number of at most %(n)s")
        )
        return text % {"n": number if op == "<=" else (int(number) - 1 if whole else number)}
    length = _LENGTH_RE.search(message)
    if length:
        kind, op, number = length.groups()
        if kind == "str":
            text = (
                tr.gettext("Enter at least %(n)s characters")
                if op == ">="
                else tr.gettext("Enter at most %(n)s characters")
            )
        else:
            text = tr.gettext("Choose at least %(n)s items") if op == ">=" else tr.gettext("Choose at most %(n)s items")
        return text % {"n": number}
    if "Expected `int`" in message:
        return tr.gettext("Enter a whole number")
    if "Expected `float`" in message or "Expected `decimal`" in message:
        return tr.gettext("Enter a number")
    if "Expected `date`" in message or "date" in message.lower() and "invalid" in message.lower():
        return tr.gettext("Enter a date as YYYY-MM-DD")
    if "Invalid enum value" in message:
        return tr.gettext("Choose one of the offered values")
    if "missing required field" in message or "required" in message.lower():
        return tr.gettext("This field is required")
    if "matching regex" in message:
        return tr.gettext("This value does not have the expected form")
    return tr.gettext("This value is not valid")


def translate_errors(tr: gettext.GNUTranslations, errors: dict[str, str]) -> dict[str, str]:
    """``{field: message}`` from :func:`convert_form` with every message in the page's language
    (:func:`field_message`)."""
    return {field: field_message(tr, message) for field, message in errors.items()}


def N_(message: str) -> str:
    """Marks ``message`` for extraction into the catalogues; translated where it is shown."""
    return message


#: A service rule's page text by the rule's stable code (``DomainError.code``, also in the API's
#: problem ``errors``): pages choose the text by the code, never by the English detail.
MESSAGES_BY_CODE = {
    "date_in_future": N_("This date is in the future"),
    "start_in_future": N_("This date is in the future"),
    "date_too_early": N_("This date is too early"),
    "start_too_early": N_("This date is too early"),
    "not_for_category": N_("Leave this empty for the chosen destination"),
    "salary_min_above_max": N_("The lowest salary is above the highest"),
    "salary_out_of_range": N_("This amount is outside the accepted range"),
    "unknown_region": N_("Unknown region"),
    "region_retired": N_("Unknown region"),
}


def coded_message(
    tr: gettext.GNUTranslations, message: str, code: str | None, by_code: dict[str, str] | None = None
) -> str:
    """One service error item in the page's language: the text of its ``code`` in ``by_code`` (a
    page's own) or :data:`MESSAGES_BY_CODE`; else as a validation message (:func:`field_message`)."""
    for table in (by_code or {}, MESSAGES_BY_CODE):
        if code in table:
            return tr.gettext(table[code])
    return field_message(tr, message)


def domain_messages(
    tr: gettext.GNUTranslations, exc: DomainError, by_code: dict[str, str] | None = None
) -> dict[str, str]:
    """``{form field: message}`` of a service error (keyed as :func:`domain_errors`), each in the
    page's language by its code (:func:`coded_message`)."""
    codes = domain_error_codes(exc)
    return {
        field: coded_message(tr, message, codes.get(field), by_code) for field, message in domain_errors(exc).items()
    }


#: Status → (heading, explanation) of the error page (msgids; translated when rendered).
ERROR_TEXTS: dict[int, tuple[str, str]] = {
    400: (N_("Bad request"), N_("The address or the form data could not be understood. Check the link and try again.")),
    403: (N_("Not allowed"), N_("Your account may not open this page or change this object.")),
    404: (
        N_("Not found"),
        N_("This page or object could not be found. It may have been removed, or the link is wrong."),
    ),
    409: (N_("Conflict"), N_("This cannot be done in the object's current state. Reload the page and try again.")),
    413: (N_("Too large"), N_("What you sent is larger than this service accepts.")),
    422: (
        N_("Some input is not valid"),
        N_("Some of what you entered could not be accepted. Go back and check the form."),
    ),
    429: (N_("Too many requests"), N_("Wait a few minutes and try again.")),
    500: (N_("Something went wrong"), N_("The service could not complete this request. Try again later.")),
    503: (
        N_("Temporarily unavailable"),
        N_("The service cannot reach its database at the moment. Try again in a minute."),
    ),
}


def error_texts(tr: gettext.GNUTranslations, status: int) -> tuple[str, str]:
    """The translated heading and explanation for an error page with ``status`` (other 4xx as
    400, other 5xx as 500)."""
    key = status if status in ERROR_TEXTS else (500 if status >= 500 else 400)
    heading, text = ERROR_TEXTS[key]
    return tr.gettext(heading), tr.gettext(text)
