"""The web pages in the authorisation matrix (issues 6 and 7): every page route × role × own vs foreign object.

Companion of :mod:`tests.accounts.test_route_matrix` (the JSON API's matrix): the same
:class:`~tests.accounts.test_route_matrix.World` (its ``world`` fixture, built once per backend for
this module), the same callers, the same ``SECRETS`` of the foreign (B) side and ``OWN`` strings of
the A side. Its ``test_every_route_has_a_matrix_entry`` counts :data:`WEB_MATRIX` too, so a new
page without an entry here fails the suite.

Pages differ from the API in what a refusal looks like:

* the callers sign in like a browser: the access token in the ``vocmatch_access`` cookie (no
  ``Authorization`` header) and the double-submit CSRF token in the ``vocmatch_csrf`` cookie, sent
  back on every unsafe request as the ``_csrf_token`` form field (the ``X-CSRF-Token`` header for
  multipart uploads, as htmx does);
* anonymous → 303 to ``/web/sign-in?next=<path>`` (public pages — ``/``, the sign-in page,
  ``/web/static/…`` — answer on their own terms);
* wrong role → 403 page; another side's object (posting, application, destination record) →
  404 page, the same as for an id that does not exist;
* a successful form post → 303 to the page named in the entry's ``location``.

Every refused probe (303 to sign-in, 4xx) asserts that none of ``SECRETS`` is in the body; list
pages assert what each role must (``shows``) and must never (``hides``) see — ``hides`` on every
response of the probe, ``shows`` on the own side's.

Adding a page: add one entry to :data:`WEB_MATRIX` keyed ``"METHOD /path"`` exactly as
``test_every_page_route_has_an_entry`` prints it, giving a :class:`PageProbe` (see its fields;
``_signed_in(role=status, …)`` is "anonymous → 303 to sign-in, roles not named → 403").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import httpx
import jwt
import pytest
from litestar.middleware.csrf import generate_csrf_token
from sqlalchemy import func, select

from service.accounts.security import ACCESS_COOKIE, CSRF_COOKIE, derive_key, resolve_secret_key
from service.applications.models import Application
from service.web.common import HOME, SIGN_IN
from tests.accounts.test_route_matrix import (
    EVERY_SECRET, GRAD_SECRETS, OWN, ROLES, SECRETS, Maker, Status, World, _app_routes, _roster,
)
from tests.accounts.test_route_matrix import _notification, _with_notifications
from tests.accounts.test_route_matrix import world  # noqa: F401 - the shared module-scoped world fixture
from tests.conftest import sign_in

#: Statuses that refuse (a 303 to the sign-in page included): the body must carry no foreign secret.
REFUSED = {303, 400, 401, 403, 404, 413, 422}


@dataclass
class Pages:
    """The world as the pages see it: the CSRF token valid for its server's secret."""

    w: World
    csrf: str


@pytest.fixture(scope="module")
def pages(world: World) -> Pages:  # noqa: F811 - the imported fixture
    """The shared world plus one recorded outcome per graduate (so the dashboards have a
    foreign name to hide) and a CSRF token signed with the server's key."""
    world.fresh_outcome("a")
    world.fresh_outcome("b")
    secret = derive_key(resolve_secret_key(world.settings), "csrf")
    return Pages(w=world, csrf=generate_csrf_token(secret))


# --- the matrix ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class PageProbe:
    """One page's probes. ``path``, ``targets``, ``expect``, ``params``, ``files``, ``shows``,
    ``hides`` and ``own_only`` mean what they mean in :class:`tests.accounts.test_route_matrix.Probe`.

    ``form``: url-encoded fields of an unsafe request (``_csrf_token`` is added unless ``csrf`` is
    false). ``location``: where a 303/302 of a signed-in caller (or of anyone on a ``public`` page)
    must point — a prefix, formatted with the path's values; a dict gives one per role.
    ``session``: a maker of the access token to use instead of the world's (a probe that ends
    its login session must not end the world's). ``public``: the page needs no sign-in, so an
    anonymous 303 is not a refusal."""

    path: str
    expect: dict[str, Status]
    targets: dict[str, str | Maker] = field(default_factory=dict)
    form: Maker | None = None
    files: Maker | None = None
    params: Maker | None = None
    location: str | dict[str, str] | None = None
    shows: dict[str, tuple[str, ...]] = field(default_factory=dict)
    hides: dict[str, tuple[str, ...]] = field(default_factory=dict)
    own_only: bool = False
    public: bool = False
    csrf: bool = True
    session: Maker | None = None


def _signed_in(**roles: Status) -> dict[str, Status]:
    """A page for signed-in callers: anonymous → 303 to the sign-in page, roles not named → 403 page."""
    return {"anonymous": 303, **{r: 403 for r in ROLES[1:]}, **roles}


def _same(status: int) -> dict[str, Status]:
    return {r: status for r in ROLES}


def _new_login_session(w: World, side: str, role: str) -> str:
    """A second login session of the world's account for ``role`` (signing out ends only this one)."""
    if role == "anonymous":
        return ""
    user_id = int(jwt.decode(w.tokens[role], options={"verify_signature": False})["sub"])
    return sign_in(w.settings, user_id)


def _fresh_posting(w: World, side: str, role: str) -> int:
    return w.fresh_posting(side)


def _fresh_application(w: World, side: str, role: str) -> int:
    return w.fresh_application(side)


def _fresh_outcome(w: World, side: str, role: str) -> int:
    return w.fresh_outcome(side)


def _posting_form(w: World, side: str, role: str) -> dict[str, Any]:
    return {"title": f"网页岗位{next(w.counter)}", "salary_min": "4000", "salary_max": "6000",
            "employment_type": "FULL_TIME", "education_required": "any", "openings": "1",
            "required_skills": ["数控车床"]}


WEB_MATRIX: dict[str, PageProbe] = {
    # --- public: the front door, the landing redirect, sign-in, static files ----------------------
    "GET /": PageProbe("/", _same(302), location="/web/", public=True, own_only=True),
    "GET /favicon.ico": PageProbe("/favicon.ico", _same(301), location="/web/static/favicon.svg", public=True,
                                  own_only=True),
    # the landing page: the role's home page (anonymous: the sign-in page, then back here)
    "GET /web": PageProbe("/web/", _same(303), own_only=True, location={r.value: home for r, home in HOME.items()}),
    "GET /web/sign-in": PageProbe("/web/sign-in", _same(200), public=True, own_only=True),
    # an empty form is 400 for everyone; the sign-in form is exempt from CSRF (no token sent)
    "POST /web/sign-in": PageProbe("/web/sign-in", _same(400), form=lambda w, s, r: {"login": "", "password": ""},
                                   public=True, own_only=True, csrf=False),
    "GET /web/static/{file_path:path}": PageProbe("/web/static/css/site.css", _same(200), public=True,
                                                  own_only=True),
    # any other path under /web: the HTML 404 page for everyone (never the sign-in page, never JSON)
    "GET /web/{unknown:path}": PageProbe("/web/no-such-page", _same(404), public=True, own_only=True),
    "POST /web/sign-out": PageProbe("/web/sign-out", _same(303), form=lambda w, s, r: {}, location=SIGN_IN,
                                    session=_new_login_session, own_only=True),
    # --- sign-up (public forms; a post without the pre-session form token is 403 for everyone) -----
    "GET /web/sign-up": PageProbe("/web/sign-up", _same(200), public=True, own_only=True),
    "POST /web/sign-up": PageProbe("/web/sign-up", _same(403), form=lambda w, s, r: {}, public=True,
                                   own_only=True, csrf=False),
    "GET /web/sign-up/trainee": PageProbe("/web/sign-up/trainee", _same(200), public=True, own_only=True),
    "POST /web/sign-up/trainee": PageProbe("/web/sign-up/trainee", _same(403), form=lambda w, s, r: {},
                                           public=True, own_only=True, csrf=False),
    "GET /web/sign-up/employer": PageProbe("/web/sign-up/employer", _same(200), public=True, own_only=True),
    "POST /web/sign-up/employer": PageProbe("/web/sign-up/employer", _same(403), form=lambda w, s, r: {},
                                            public=True, own_only=True, csrf=False),
    "GET /web/activate": PageProbe("/web/activate", _same(200), public=True, own_only=True),
    "POST /web/activate": PageProbe("/web/activate", _same(403), form=lambda w, s, r: {}, public=True,
                                    own_only=True, csrf=False),
    # --- employer verification: the member's status page; the staff's queue and decisions ---------
    "GET /web/verification": PageProbe("/web/verification", _signed_in(employer=200), own_only=True,
                                       shows={"employer": ("employer_a_name",)},
                                       hides={"employer": ("employer_b_name",)}),
    "GET /web/employers/queue": PageProbe("/web/employers/queue", _signed_in(school=200, department=200, admin=200),
                                          own_only=True, hides={"school": ("employer_b_name",)}),
    "POST /web/employers/{employer_id:int}/approve": PageProbe(
        "/web/employers/{e}/approve", _signed_in(school=(303, 403), department=(303, 403), admin=303),
        {"e": lambda w, s, r: w.fresh_employer(s)}, form=lambda w, s, r: {}, location="/web/employers/queue"),
    "POST /web/employers/{employer_id:int}/refuse": PageProbe(
        "/web/employers/{e}/refuse", _signed_in(school=(303, 403), department=(303, 403), admin=303),
        {"e": lambda w, s, r: w.fresh_employer(s)}, form=lambda w, s, r: {"reason": "资料不全"},
        location="/web/employers/queue"),
    # --- invitations: the share activated (staff), the class sheets (the school's own staff) --------
    "GET /web/invitations": PageProbe("/web/invitations", _signed_in(school=200, department=200, admin=200),
                                      own_only=True),
    "POST /web/invitations": PageProbe("/web/invitations", _signed_in(school=200), own_only=True,
                                       form=lambda w, s, r: {"cohort": "", "class_name": "", "days": "7"},
                                       hides={"school": GRAD_SECRETS}),
    # --- any signed-in caller: the taxonomy suggestions and the chips widget ----------------------
    "GET /web/suggest": PageProbe("/web/suggest", {**_same(200), "anonymous": 303}, own_only=True,
                                  params=lambda w, s, r: {"field": "skills", "skills_new": "数控"}),
    "GET /web/chips": PageProbe("/web/chips", {**_same(200), "anonymous": 303}, own_only=True,
                                params=lambda w, s, r: {"field": "skills", "pick": "数控车削加工"}),
    # --- graduate pages ----------------------------------------------------------------------------
    # own side: the recommendations; foreign side: a search for the unverified employer's posting
    "GET /web/jobs": PageProbe(
        "/web/jobs", _signed_in(graduate=200),
        params=lambda w, s, r: {} if s == "a" else {"q": "仓库管理员"},
        hides={"graduate": ("posting_b_title", "employer_b_name")}),
    "GET /web/jobs/{posting_id:int}": PageProbe(
        "/web/jobs/{p}", _signed_in(graduate=(200, 404)), {"p": "posting"},
        shows={"graduate": ("posting_a_title",)}),
    # an employer's page: the verified employer A for graduates; the unverified B is a 404 page
    "GET /web/employers/{employer_id:int}": PageProbe(
        "/web/employers/{e}", _signed_in(graduate=(200, 404)), {"e": "employer"},
        shows={"graduate": ("employer_a_name",)}),
    "POST /web/jobs/{posting_id:int}/apply": PageProbe(
        "/web/jobs/{p}/apply", _signed_in(graduate=(303, 404)), {"p": _fresh_posting},
        form=lambda w, s, r: {}, location="/web/jobs/{p}"),
    "GET /web/applications": PageProbe(
        "/web/applications", _signed_in(graduate=200), own_only=True,
        shows={"graduate": ("posting_a_title",)},
        hides={"graduate": ("posting_b_title", "employer_b_name", "application_b_letter")}),
    "GET /web/profile": PageProbe("/web/profile", _signed_in(graduate=200), own_only=True,
                                  hides={"graduate": GRAD_SECRETS}),
    # the form holds the graduate's present skills, so the world does not change
    "POST /web/profile": PageProbe("/web/profile", _signed_in(graduate=303), own_only=True,
                                   form=lambda w, s, r: {"skills": ["数控车床"]}, location="/web/profile?saved=1"),
    "GET /web/destination": PageProbe("/web/destination", _signed_in(graduate=200), own_only=True,
                                      hides={"graduate": GRAD_SECRETS}),
    "POST /web/destination": PageProbe(
        "/web/destination", _signed_in(graduate=303), own_only=True,
        form=lambda w, s, r: {"category": "further_study", "occurred_on": "2026-07-01"},
        location="/web/destination?saved=report"),
    "POST /web/destination/{event_id:int}/confirm": PageProbe(
        "/web/destination/{e}/confirm", _signed_in(graduate=(303, 404)), {"e": _fresh_outcome},
        form=lambda w, s, r: {}, location="/web/destination?saved=confirm"),
    "POST /web/destination/{event_id:int}/dispute": PageProbe(
        "/web/destination/{e}/dispute", _signed_in(graduate=(303, 404)), {"e": _fresh_outcome},
        form=lambda w, s, r: {"reason": "信息有误"}, location="/web/destination?saved=dispute"),
    # --- employer pages ----------------------------------------------------------------------------
    "GET /web/postings": PageProbe("/web/postings", _signed_in(employer=200), own_only=True,
                                   shows={"employer": ("posting_a_title",)},
                                   hides={"employer": ("posting_b_title", "employer_b_name")}),
    "GET /web/postings/new": PageProbe("/web/postings/new", _signed_in(employer=200), own_only=True),
    "POST /web/postings/new": PageProbe("/web/postings/new", _signed_in(employer=303), own_only=True,
                                        form=_posting_form, location="/web/postings?saved="),
    "GET /web/postings/{posting_id:int}/edit": PageProbe(
        "/web/postings/{p}/edit", _signed_in(employer=(200, 404)), {"p": "posting"},
        shows={"employer": ("posting_a_title",)}),
    "POST /web/postings/{posting_id:int}/edit": PageProbe(
        "/web/postings/{p}/edit", _signed_in(employer=(303, 404)), {"p": _fresh_posting}, form=_posting_form,
        location="/web/postings?saved={p}"),
    # the applicants of the own posting by name (they applied); never the foreign posting's
    "GET /web/postings/{posting_id:int}/applications": PageProbe(
        "/web/postings/{p}/applications", _signed_in(employer=(200, 404)), {"p": "posting"},
        shows={"employer": ("graduate_a_name", "posting_a_title")}, hides={"employer": EVERY_SECRET}),
    "GET /web/postings/{posting_id:int}/candidates": PageProbe(
        "/web/postings/{p}/candidates", _signed_in(employer=(200, 404)), {"p": "posting"},
        hides={"employer": GRAD_SECRETS}),
    "POST /web/applications/{application_id:int}/status": PageProbe(
        "/web/applications/{a}/status", _signed_in(employer=(303, 404)), {"a": _fresh_application},
        form=lambda w, s, r: {"status": "viewed"}, location="/web/postings/"),
    # --- school, department and admin pages --------------------------------------------------------
    # the latest destinations: the own school's (region's) graduates, never the other school's
    "GET /web/dashboard": PageProbe(
        "/web/dashboard", _signed_in(school=200, department=200, admin=200), own_only=True,
        shows={r: ("graduate_a_name",) for r in ("school", "department", "admin")},
        hides={"school": GRAD_SECRETS, "department": GRAD_SECRETS}),
    "GET /web/roster": PageProbe("/web/roster", _signed_in(school=200), own_only=True),
    "POST /web/roster": PageProbe("/web/roster", _signed_in(school=200), own_only=True, files=_roster),
    # --- notification pages: every signed-in caller's own; another user's notification is a 404 page
    "GET /web/notifications": PageProbe(
        "/web/notifications", {**_same(200), "anonymous": 303}, own_only=True, params=_with_notifications,
        shows={r: ("notification_a_title",) for r in ROLES[1:]},
        hides={r: ("notification_b_title",) for r in ROLES[1:]}),
    "GET /web/notifications/{notification_id:int}/open": PageProbe(
        "/web/notifications/{n}/open", {**{r: (303, 404) for r in ROLES[1:]}, "anonymous": 303},
        {"n": _notification}, location="/web/applications"),
    "POST /web/notifications/{notification_id:int}/read": PageProbe(
        "/web/notifications/{n}/read", {**{r: (303, 404) for r in ROLES[1:]}, "anonymous": 303},
        {"n": _notification}, form=lambda w, s, r: {}, location="/web/notifications"),
    "POST /web/notifications/read-all": PageProbe(
        "/web/notifications/read-all", {**_same(303)}, own_only=True, form=lambda w, s, r: {},
        location="/web/notifications"),
    "GET /web/notifications/preferences": PageProbe(
        "/web/notifications/preferences", {**_same(200), "anonymous": 303}, own_only=True),
    "POST /web/notifications/preferences": PageProbe(
        "/web/notifications/preferences", {**_same(303)}, own_only=True,
        form=lambda w, s, r: {"language": "zh_Hans", "email": ["message_received"]} if r in ("graduate", "employer",
                                                                                              "admin")
        else {"language": "zh_Hans"}, location="/web/notifications/preferences?saved=1"),
}


# --- the tests -----------------------------------------------------------------------------------

def test_every_page_route_has_an_entry() -> None:
    """Every route at ``/``, ``/favicon.ico`` or under ``/web`` has a :data:`WEB_MATRIX` entry, and every entry a route
    (``tests/accounts/test_route_matrix.py`` checks the union with the API's entries)."""
    routes = {r for r in _app_routes()
              if r.split(" ", 1)[1] in ("/", "/favicon.ico") or r.split(" ", 1)[1].startswith("/web")}
    missing = sorted(routes - WEB_MATRIX.keys())
    stale = sorted(WEB_MATRIX.keys() - routes)
    assert not missing, "pages without an entry in tests/accounts/test_web_route_matrix.py WEB_MATRIX:\n" \
        + "\n".join(missing)
    assert not stale, "WEB_MATRIX entries for pages the app no longer has:\n" + "\n".join(stale)


@pytest.fixture
def browser(pages: Pages) -> Iterator[Callable[..., httpx.Client]]:
    """Factory: ``browser(role, token)`` → a client carrying the session cookies of ``role``
    (``token`` instead of the world's when given; none for anonymous), following no redirects."""
    opened: list[httpx.Client] = []

    def make(role: str, token: str = "") -> httpx.Client:
        cookies = {}
        if role != "anonymous":
            cookies = {ACCESS_COOKIE: token or pages.w.tokens[role], CSRF_COOKIE: pages.csrf}
        c = httpx.Client(base_url=pages.w.base_url, timeout=60, cookies=cookies, follow_redirects=False)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


def _call(pages: Pages, browser: Callable[..., httpx.Client], key: str, probe: PageProbe, role: str,
          side: str) -> tuple[httpx.Response, dict[str, Any]]:
    w = pages.w
    method = key.split(" ", 1)[0]
    values = {name: target(w, side, role) if callable(target) else w.ids[f"{target}_{side}"]
              for name, target in probe.targets.items()}
    token = probe.session(w, side, role) if probe.session is not None else ""
    kwargs: dict[str, Any] = {}
    if probe.params is not None:
        kwargs["params"] = probe.params(w, side, role)
    if probe.files is not None:
        kwargs["files"] = probe.files(w, side, role)
        if probe.csrf and role != "anonymous":
            kwargs["headers"] = {"X-CSRF-Token": pages.csrf}
    elif probe.form is not None:
        form = probe.form(w, side, role)
        kwargs["data"] = {**form, "_csrf_token": pages.csrf} if probe.csrf and role != "anonymous" else form
    return browser(role, token).request(method, probe.path.format(**values), **kwargs), values


def _expected_location(probe: PageProbe, role: str, values: dict[str, Any]) -> str | None:
    wanted = probe.location.get(role) if isinstance(probe.location, dict) else probe.location
    return None if wanted is None else wanted.format(**values)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(WEB_MATRIX))
def test_web_route_matrix(pages: Pages, browser: Callable[..., httpx.Client], key: str, role: str) -> None:
    probe = WEB_MATRIX[key]
    own_body = ""
    for side in ("a",) if probe.own_only else ("a", "b"):
        response, values = _call(pages, browser, key, probe, role, side)
        status = probe.expect[role]
        expected = status if isinstance(status, int) else status[0 if side == "a" else 1]
        where = f"{key} as {role} on the {'own' if side == 'a' else 'foreign'} object"
        assert response.status_code == expected, f"{where}: {response.status_code} {response.text[:500]}"
        if expected in (301, 302, 303):
            location = response.headers.get("location", "")
            if role == "anonymous" and not probe.public:
                path = response.request.url.path  # the server names ``/web/`` as ``/web``
                query = response.request.url.query.decode()  # kept for after signing in
                back = unquote(location.removeprefix(f"{SIGN_IN}?next="))
                assert location.startswith(f"{SIGN_IN}?next=") and back in (
                    f"{path}?{query}" if query else path, f"{path.rstrip('/')}?{query}" if query else path.rstrip('/')), \
                    f"{where}: sent to {location!r}, not the sign-in page"
            else:
                wanted = _expected_location(probe, role, values)
                assert wanted is not None, f"{where}: the entry names no location for a {expected}"
                assert location.startswith(wanted), f"{where}: sent to {location!r}, expected {wanted!r}…"
        elif not key.startswith("GET /web/static/"):
            assert response.headers.get("content-type", "").startswith("text/html"), \
                f"{where}: not an HTML page: {response.headers.get('content-type')}"
        if expected in REFUSED:
            leaked = [k for k in EVERY_SECRET if SECRETS[k] in response.text]
            assert not leaked, f"{where}: refused, but the page carries {leaked}"
        for k in probe.hides.get(role, ()):
            assert SECRETS[k] not in response.text, f"{where}: {k} leaked into the page"
        if side == "a":
            own_body = response.text
    for k in probe.shows.get(role, ()):
        assert (OWN.get(k) or SECRETS[k]) in own_body, f"{key} as {role}: {k} should be on the page"


# --- CSRF and htmx -------------------------------------------------------------------------------

def _application_count(w: World, posting_id: int) -> int:
    return w.run(lambda s: s.scalar(select(func.count()).select_from(Application)
                                    .where(Application.posting_id == posting_id)))


def test_unsafe_page_request_without_the_csrf_token_is_refused(pages: Pages,
                                                              browser: Callable[..., httpx.Client]) -> None:
    """A signed-in graduate's form post without the CSRF token (or with the cookie's token
    mangled, or with a token the cookie does not hold) is refused with 403 and stores nothing;
    the same post with the token applies."""
    w = pages.w
    posting_id = w.fresh_posting("a")
    path = f"/web/jobs/{posting_id}/apply"
    c = browser("graduate")
    for data in ({}, {"_csrf_token": pages.csrf[:-4] + "0000"}):
        refused = c.post(path, data=data)
        assert refused.status_code == 403, refused.text[:300]
        assert _application_count(w, posting_id) == 0
    other = generate_csrf_token(derive_key(resolve_secret_key(w.settings), "csrf"))  # valid, but not the cookie's
    refused = c.post(path, data={"_csrf_token": other})
    assert refused.status_code == 403 and _application_count(w, posting_id) == 0
    applied = c.post(path, data={"_csrf_token": pages.csrf})
    assert applied.status_code == 303 and applied.headers["location"] == f"/web/jobs/{posting_id}"
    assert _application_count(w, posting_id) == 1


def test_anonymous_htmx_request_is_sent_to_sign_in(pages: Pages, browser: Callable[..., httpx.Client]) -> None:
    """htmx follows no 303 for a whole page: a signed-out htmx request gets ``HX-Redirect`` to the
    sign-in page (and no content), for a page and for a form post alike."""
    c = browser("anonymous")
    for method, path in (("GET", "/web/jobs"), ("POST", f"/web/postings/{pages.w.ids['posting_b']}/edit")):
        response = c.request(method, path, headers={"HX-Request": "true"})
        assert response.status_code == 200, response.text[:300]
        assert response.headers["hx-redirect"] == f"{SIGN_IN}?next={path}" and response.content == b""


def test_signed_out_session_no_longer_opens_pages(pages: Pages, browser: Callable[..., httpx.Client]) -> None:
    """Signing out ends that login session: its access cookie is sent to the sign-in page afterwards."""
    token = _new_login_session(pages.w, "a", "employer")
    c = browser("employer", token)
    assert c.get("/web/postings").status_code == 200
    assert c.post("/web/sign-out", data={"_csrf_token": pages.csrf}).status_code == 303
    after = browser("employer", token).get("/web/postings")
    assert after.status_code == 303 and after.headers["location"].startswith(SIGN_IN)
