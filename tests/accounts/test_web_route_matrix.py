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

import datetime as dt
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
from service.destinations.models import DestinationCategory, DestinationSource
from service.destinations.schemas import DestinationCreate
from service.destinations.service import DestinationService
from service.web.common import HOME, SIGN_IN
from tests.accounts.test_route_matrix import (
    EVERY_SECRET,
    GRAD_SECRETS,
    OWN,
    PDF,
    ROLES,
    SECRETS,
    Maker,
    Status,
    World,
    _accepted_interview,
    _app_routes,
    _application_with_resume,
    _fresh_candidate,
    _fresh_interview,
    _fresh_invitation,
    _graduate_with_attachment,
    _internship,
    _internship_with_agreement,
    _job_alert,
    _notification,
    _roster,
    _roster_upload,
    _scope,
    _with_internships,
    _with_notifications,
    matrix_world,
)
from tests.conftest import sign_in
from tests.harness import http_client

#: Statuses that refuse (a 303 to the sign-in page included): the body must carry no foreign secret.
REFUSED = {303, 400, 401, 403, 404, 413, 422}


@dataclass
class Pages:
    """The world as the pages see it: the CSRF token valid for its server's secret."""

    w: World
    csrf: str


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The route matrix's world and live server on one backend (test_route_matrix.py)."""
    yield from matrix_world(request, tmp_path_factory)


@pytest.fixture(scope="module")
def pages(world: World) -> Pages:
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
    false). ``media_type``: the content type of a 2xx answer (a page unless it is a download).
    ``location``: where a 303/302 of a signed-in caller (or of anyone on a ``public`` page)
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
    #: what a successful answer is (a download, e.g. ``text/calendar``, instead of a page)
    media_type: str = "text/html"


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


def _fresh_self_report(w: World, side: str, role: str) -> int:
    """A new self-report of the side's graduate (it awaits the school's review)."""

    async def work(s: Any) -> int:
        event = await DestinationService(s).record(
            w.ids[f"graduate_{side}"],
            DestinationCreate(
                occurred_on=dt.date(2026, 7, 2),
                source=DestinationSource.SELF_REPORT,
                category=DestinationCategory.FURTHER_STUDY,
            ),
        )
        return event.id

    return w.run(work)


def _with_self_reports(w: World, side: str, role: str) -> dict[str, str]:
    """One pending self-report on each side (so the review queue has a foreign one to hide)."""
    _fresh_self_report(w, "a", role)
    _fresh_self_report(w, "b", role)
    return {}


def _survey_form(w: World, side: str, role: str) -> dict[str, str]:
    return {"category": "military", "occurred_on": "2026-09-01", "evidence": "military_notice"}


def _posting_form(w: World, side: str, role: str) -> dict[str, Any]:
    return {
        "title": f"网页岗位{next(w.counter)}",
        "salary_min": "4000",
        "salary_max": "6000",
        "employment_type": "FULL_TIME",
        "education_required": "any",
        "openings": "1",
        "required_skills": ["数控车床"],
    }


def _interview_form(w: World, side: str, role: str) -> dict[str, Any]:
    start = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))) + dt.timedelta(days=3)
    return {"slot_1": start.strftime("%Y-%m-%dT%H:%M"), "mode": "in_person", "place": "某会议室"}


_INTERVIEW_PAGE: dict[str, Status] = {
    "anonymous": 303,
    "graduate": (200, 404),
    "employer": (200, 404),
    "school": (200, 404),
    "department": (200, 404),
    "admin": (200, 200),
}


def _internship_form(w: World, side: str, role: str) -> dict[str, Any]:
    """The multipart form recording a placement of a new student of school A (学号 of its own)."""
    from service.graduates.models import Graduate

    n = next(w.counter)

    async def work(s: Any) -> str:
        s.add(Graduate(name=f"实习学生{n}", school_id=w.ids["school_a"], student_number=f"I{n:05d}", cohort=2027))
        return f"I{n:05d}"

    number = w.run(work)
    fields = {
        "student_number": number,
        "employer_name": OWN["employer_a_name"],
        "start_date": "2026-09-01",
        "end_date": "2027-06-30",
        "supervisor_name": "王老师",
    }
    return {**{k: (None, v) for k, v in fields.items()}, "agreement": ("agreement.pdf", PDF, "application/pdf")}


WEB_MATRIX: dict[str, PageProbe] = {
    # --- public: the front door, the landing redirect, sign-in, static files ----------------------
    "GET /": PageProbe("/", _same(302), location="/web/", public=True, own_only=True),
    "GET /favicon.ico": PageProbe(
        "/favicon.ico", _same(301), location="/web/static/favicon.svg", public=True, own_only=True
    ),
    # the landing page: the role's home page (anonymous: the sign-in page, then back here)
    "GET /web": PageProbe("/web/", _same(303), own_only=True, location={r.value: home for r, home in HOME.items()}),
    "GET /web/sign-in": PageProbe("/web/sign-in", _same(200), public=True, own_only=True),
    # an empty form is 400 for everyone; the sign-in form is exempt from CSRF (no token sent)
    "POST /web/sign-in": PageProbe(
        "/web/sign-in",
        _same(400),
        form=lambda w, s, r: {"login": "", "password": ""},
        public=True,
        own_only=True,
        csrf=False,
    ),
    "GET /web/static/{file_path:path}": PageProbe("/web/static/css/site.css", _same(200), public=True, own_only=True),
    # any other path under /web: the HTML 404 page for everyone (never the sign-in page, never JSON)
    "GET /web/{unknown:path}": PageProbe("/web/no-such-page", _same(404), public=True, own_only=True),
    "POST /web/sign-out": PageProbe(
        "/web/sign-out",
        _same(303),
        form=lambda w, s, r: {},
        location=SIGN_IN,
        session=_new_login_session,
        own_only=True,
    ),
    # --- sign-up (public forms; a post without the pre-session form token is 403 for everyone) -----
    "GET /web/sign-up": PageProbe("/web/sign-up", _same(200), public=True, own_only=True),
    "POST /web/sign-up": PageProbe(
        "/web/sign-up", _same(403), form=lambda w, s, r: {}, public=True, own_only=True, csrf=False
    ),
    "GET /web/sign-up/trainee": PageProbe("/web/sign-up/trainee", _same(200), public=True, own_only=True),
    "POST /web/sign-up/trainee": PageProbe(
        "/web/sign-up/trainee", _same(403), form=lambda w, s, r: {}, public=True, own_only=True, csrf=False
    ),
    "GET /web/sign-up/employer": PageProbe("/web/sign-up/employer", _same(200), public=True, own_only=True),
    "POST /web/sign-up/employer": PageProbe(
        "/web/sign-up/employer", _same(403), form=lambda w, s, r: {}, public=True, own_only=True, csrf=False
    ),
    "GET /web/activate": PageProbe("/web/activate", _same(200), public=True, own_only=True),
    "POST /web/activate": PageProbe(
        "/web/activate", _same(403), form=lambda w, s, r: {}, public=True, own_only=True, csrf=False
    ),
    # --- employer verification: the member's status page; the staff's queue and decisions ---------
    "GET /web/verification": PageProbe(
        "/web/verification",
        _signed_in(employer=200),
        own_only=True,
        shows={"employer": ("employer_a_name",)},
        hides={"employer": ("employer_b_name",)},
    ),
    "GET /web/employers/queue": PageProbe(
        "/web/employers/queue",
        _signed_in(school=200, department=200, admin=200),
        own_only=True,
        hides={"school": ("employer_b_name",)},
    ),
    "POST /web/employers/{employer_id:int}/approve": PageProbe(
        "/web/employers/{e}/approve",
        _signed_in(school=(303, 403), department=(303, 403), admin=303),
        {"e": lambda w, s, r: w.fresh_employer(s)},
        form=lambda w, s, r: {},
        location="/web/employers/queue",
    ),
    "POST /web/employers/{employer_id:int}/refuse": PageProbe(
        "/web/employers/{e}/refuse",
        _signed_in(school=(303, 403), department=(303, 403), admin=303),
        {"e": lambda w, s, r: w.fresh_employer(s)},
        form=lambda w, s, r: {"reason": "资料不全"},
        location="/web/employers/queue",
    ),
    # --- invitations: the share activated (staff), the class sheets (the school's own staff) --------
    "GET /web/activation-codes": PageProbe(
        "/web/activation-codes", _signed_in(school=200, department=200, admin=200), own_only=True
    ),
    "POST /web/activation-codes": PageProbe(
        "/web/activation-codes",
        _signed_in(school=200),
        own_only=True,
        form=lambda w, s, r: {"cohort": "", "class_name": "", "days": "7"},
        hides={"school": GRAD_SECRETS},
    ),
    # --- any signed-in caller: the taxonomy suggestions and the chips widget ----------------------
    "GET /web/suggest": PageProbe(
        "/web/suggest",
        {**_same(200), "anonymous": 303},
        own_only=True,
        params=lambda w, s, r: {"field": "skills", "skills_new": "数控"},
    ),
    "GET /web/chips": PageProbe(
        "/web/chips",
        {**_same(200), "anonymous": 303},
        own_only=True,
        params=lambda w, s, r: {"field": "skills", "pick": "数控车削加工"},
    ),
    # --- graduate pages ----------------------------------------------------------------------------
    # own side: the recommendations; foreign side: a search for the unverified employer's posting
    "GET /web/jobs": PageProbe(
        "/web/jobs",
        _signed_in(graduate=200),
        params=lambda w, s, r: {} if s == "a" else {"q": "仓库管理员"},
        hides={"graduate": ("posting_b_title", "employer_b_name")},
    ),
    # saved jobs and job alerts (service/web/alert_pages.py): the graduate's own
    "POST /web/jobs/{posting_id:int}/save": PageProbe(
        "/web/jobs/{p}/save",
        _signed_in(graduate=(303, 404)),
        {"p": "posting"},
        form=lambda w, s, r: {},
        location="/web/jobs/{p}",
    ),
    "GET /web/saved-jobs": PageProbe(
        "/web/saved-jobs",
        _signed_in(graduate=200),
        own_only=True,
        hides={"graduate": ("posting_b_title", "employer_b_name")},
    ),
    "GET /web/job-alerts": PageProbe("/web/job-alerts", _signed_in(graduate=200), own_only=True),
    "POST /web/job-alerts": PageProbe(
        "/web/job-alerts",
        _signed_in(graduate=303),
        own_only=True,
        form=lambda w, s, r: {"q": "数控", "name": "数控"},
        location="/web/job-alerts?saved=created",
    ),
    "POST /web/job-alerts/{alert_id:int}": PageProbe(
        "/web/job-alerts/{j}",
        _signed_in(graduate=(303, 404)),
        {"j": _job_alert},
        form=lambda w, s, r: {"action": "pause"},
        location="/web/job-alerts?saved=pause",
    ),
    "GET /web/jobs/{posting_id:int}": PageProbe(
        "/web/jobs/{p}", _signed_in(graduate=(200, 404)), {"p": "posting"}, shows={"graduate": ("posting_a_title",)}
    ),
    # an employer's page: the verified employer A for graduates; the unverified B is a 404 page
    "GET /web/employers/{employer_id:int}": PageProbe(
        "/web/employers/{e}",
        _signed_in(graduate=(200, 404)),
        {"e": "employer"},
        shows={"graduate": ("employer_a_name",)},
    ),
    "POST /web/jobs/{posting_id:int}/apply": PageProbe(
        "/web/jobs/{p}/apply",
        _signed_in(graduate=(303, 404)),
        {"p": _fresh_posting},
        form=lambda w, s, r: {},
        location="/web/jobs/{p}",
    ),
    "GET /web/applications": PageProbe(
        "/web/applications",
        _signed_in(graduate=200),
        own_only=True,
        shows={"graduate": ("posting_a_title",)},
        hides={"graduate": ("posting_b_title", "employer_b_name", "application_b_letter")},
    ),
    "GET /web/profile": PageProbe(
        "/web/profile", _signed_in(graduate=200), own_only=True, hides={"graduate": GRAD_SECRETS}
    ),
    # the form holds the graduate's present skills, so the world does not change
    "POST /web/profile": PageProbe(
        "/web/profile",
        _signed_in(graduate=303),
        own_only=True,
        form=lambda w, s, r: {"skills": ["数控车床"]},
        location="/web/profile?saved=1",
    ),
    "GET /web/destination": PageProbe(
        "/web/destination", _signed_in(graduate=200), own_only=True, hides={"graduate": GRAD_SECRETS}
    ),
    "POST /web/destination": PageProbe(
        "/web/destination",
        _signed_in(graduate=303),
        own_only=True,
        form=lambda w, s, r: {"category": "further_study", "occurred_on": "2026-07-01"},
        location="/web/destination?saved=report",
    ),
    "POST /web/destination/{event_id:int}/confirm": PageProbe(
        "/web/destination/{e}/confirm",
        _signed_in(graduate=(303, 404)),
        {"e": _fresh_outcome},
        form=lambda w, s, r: {},
        location="/web/destination?saved=confirm",
    ),
    "POST /web/destination/{event_id:int}/dispute": PageProbe(
        "/web/destination/{e}/dispute",
        _signed_in(graduate=(303, 404)),
        {"e": _fresh_outcome},
        form=lambda w, s, r: {"reason": "信息有误"},
        location="/web/destination?saved=dispute",
    ),
    # --- employer pages ----------------------------------------------------------------------------
    "GET /web/postings": PageProbe(
        "/web/postings",
        _signed_in(employer=200),
        own_only=True,
        shows={"employer": ("posting_a_title",)},
        hides={"employer": ("posting_b_title", "employer_b_name")},
    ),
    "GET /web/postings/new": PageProbe("/web/postings/new", _signed_in(employer=200), own_only=True),
    "POST /web/postings/new": PageProbe(
        "/web/postings/new",
        _signed_in(employer=303),
        own_only=True,
        form=_posting_form,
        location="/web/postings?saved=",
    ),
    "GET /web/postings/{posting_id:int}/edit": PageProbe(
        "/web/postings/{p}/edit",
        _signed_in(employer=(200, 404)),
        {"p": "posting"},
        shows={"employer": ("posting_a_title",)},
    ),
    "POST /web/postings/{posting_id:int}/edit": PageProbe(
        "/web/postings/{p}/edit",
        _signed_in(employer=(303, 404)),
        {"p": _fresh_posting},
        form=_posting_form,
        location="/web/postings?saved={p}",
    ),
    # the applicants of the own posting by name (they applied); never the foreign posting's
    "GET /web/postings/{posting_id:int}/applications": PageProbe(
        "/web/postings/{p}/applications",
        _signed_in(employer=(200, 404)),
        {"p": "posting"},
        shows={"employer": ("graduate_a_name", "posting_a_title")},
        hides={"employer": EVERY_SECRET},
    ),
    "GET /web/postings/{posting_id:int}/candidates": PageProbe(
        "/web/postings/{p}/candidates",
        _signed_in(employer=(200, 404)),
        {"p": "posting"},
        hides={"employer": GRAD_SECRETS},
    ),
    "POST /web/applications/{application_id:int}/status": PageProbe(
        "/web/applications/{a}/status",
        _signed_in(employer=(303, 404)),
        {"a": _fresh_application},
        form=lambda w, s, r: {"status": "viewed"},
        location="/web/postings/",
    ),
    # interviews and hires: the application's employer proposes and hires; the applicant answers
    "GET /web/applications/{application_id:int}/interviews/new": PageProbe(
        "/web/applications/{a}/interviews/new", _signed_in(employer=(200, 404)), {"a": _fresh_application}
    ),
    "POST /web/applications/{application_id:int}/interviews/new": PageProbe(
        "/web/applications/{a}/interviews/new",
        _signed_in(employer=(303, 404)),
        {"a": _fresh_application},
        form=_interview_form,
        location="/web/interviews/",
    ),
    "GET /web/interviews/{interview_id:int}": PageProbe(
        "/web/interviews/{i}", _INTERVIEW_PAGE, {"i": _fresh_interview}
    ),
    "GET /web/interviews/{interview_id:int}/calendar.ics": PageProbe(
        "/web/interviews/{i}/calendar.ics", _INTERVIEW_PAGE, {"i": _accepted_interview}, media_type="text/calendar"
    ),
    "POST /web/interviews/{interview_id:int}/cancel": PageProbe(
        "/web/interviews/{i}/cancel",
        _signed_in(employer=(303, 404)),
        {"i": _fresh_interview},
        form=lambda w, s, r: {"reason": "岗位已招满"},
        location="/web/interviews/{i}?saved=cancel",
    ),
    "POST /web/interviews/{interview_id:int}/answer": PageProbe(
        "/web/interviews/{i}/answer",
        _signed_in(graduate=(303, 404)),
        {"i": _fresh_interview},
        form=lambda w, s, r: {"action": "decline"},
        location="/web/interviews/{i}?saved=decline",
    ),
    "GET /web/applications/{application_id:int}/hire": PageProbe(
        "/web/applications/{a}/hire", _signed_in(employer=(200, 404)), {"a": _fresh_application}
    ),
    "POST /web/applications/{application_id:int}/hire": PageProbe(
        "/web/applications/{a}/hire",
        _signed_in(employer=(303, 404)),
        {"a": _fresh_application},
        form=lambda w, s, r: {"start_date": dt.date.today().isoformat(), "monthly_salary": "5000"},
        location="/web/postings/",
    ),
    # --- school, department and admin pages --------------------------------------------------------
    # the latest destinations: the own school's (region's) graduates, never the other school's
    "GET /web/dashboard": PageProbe(
        "/web/dashboard",
        _signed_in(school=200, department=200, admin=200),
        own_only=True,
        shows={r: ("graduate_a_name",) for r in ("school", "department", "admin")},
        hides={"school": GRAD_SECRETS, "department": GRAD_SECRETS},
    ),
    # the drill-down (issue 17): a department its region and below, school staff their school, the
    # admin all; another region or school is the 403 page (the world's graduates have no graduation
    # date, so no major has a row: the own major page is the 404 page after the scope check)
    "GET /web/dashboard/region/{region_code:str}": PageProbe(
        "/web/dashboard/region/{r}",
        _signed_in(school=403, department=(200, 403), admin=(200, 200)),
        {"r": lambda w, s, r: "440100" if s == "a" else "450100"},
        hides={r: GRAD_SECRETS for r in ROLES},
    ),
    "GET /web/dashboard/school/{school_code:str}": PageProbe(
        "/web/dashboard/school/{c}",
        _signed_in(school=(200, 403), department=(200, 403), admin=(200, 200)),
        {"c": "school_code"},
        hides={r: GRAD_SECRETS for r in ROLES},
    ),
    "GET /web/dashboard/school/{school_code:str}/major/{major_code:str}": PageProbe(
        "/web/dashboard/school/{c}/major/{m}",
        _signed_in(school=(404, 403), department=(404, 403), admin=(404, 404)),
        {"c": "school_code", "m": lambda w, s, r: "-"},
    ),
    "GET /web/dashboard/annual": PageProbe(
        "/web/dashboard/annual",
        _signed_in(school=(200, 403), department=(200, 403), admin=(200, 200)),
        params=lambda w, s, r: {"scope": _scope(w, s, r)},
        hides={r: GRAD_SECRETS for r in ROLES},
    ),
    "GET /web/roster": PageProbe("/web/roster", _signed_in(school=200), own_only=True),
    # follow-up: the list and its export for the own school (region); survey and review for the
    # graduate's school staff and the admin; reminders from school staff only
    "GET /web/follow-up": PageProbe(
        "/web/follow-up",
        _signed_in(school=200, department=200, admin=200),
        own_only=True,
        params=lambda w, s, r: {"cohort": "2026"},
        shows={r: ("graduate_a_name",) for r in ("school", "department", "admin")},
        hides={"school": GRAD_SECRETS, "department": GRAD_SECRETS},
    ),
    "GET /web/follow-up/export": PageProbe(
        "/web/follow-up/export",
        _signed_in(school=200, department=200, admin=200),
        own_only=True,
        media_type="text/csv",
        params=lambda w, s, r: {"cohort": "2026", "format": "csv"},
        shows={r: ("graduate_a_name",) for r in ("school", "department", "admin")},
        hides={"school": GRAD_SECRETS, "department": GRAD_SECRETS},
    ),
    "POST /web/follow-up/remind": PageProbe(
        "/web/follow-up/remind",
        _signed_in(school=(303, 404)),
        form=lambda w, s, r: {"graduate_id": str(w.ids[f"graduate_{s}"])},
        location="/web/follow-up?",
    ),
    "GET /web/follow-up/{graduate_id:int}": PageProbe(
        "/web/follow-up/{g}",
        _signed_in(school=(200, 404), admin=200),
        {"g": "graduate"},
        shows={"school": ("graduate_a_name",)},
        hides={"school": GRAD_SECRETS},
    ),
    "POST /web/follow-up/{graduate_id:int}": PageProbe(
        "/web/follow-up/{g}",
        _signed_in(school=(303, 404), admin=303),
        {"g": "graduate"},
        form=_survey_form,
        location="/web/follow-up/{g}?saved=1",
    ),
    "GET /web/follow-up/review": PageProbe(
        "/web/follow-up/review",
        _signed_in(school=200, admin=200),
        own_only=True,
        params=_with_self_reports,
        shows={"school": ("graduate_a_name",), "admin": ("graduate_a_name",)},
        hides={"school": GRAD_SECRETS},
    ),
    "POST /web/follow-up/review/{event_id:int}": PageProbe(
        "/web/follow-up/review/{e}",
        _signed_in(school=(303, 404), admin=303),
        {"e": _fresh_self_report},
        form=lambda w, s, r: {"decision": "accept"},
        location="/web/follow-up/review?done=accept",
    ),
    "POST /web/roster": PageProbe("/web/roster", _signed_in(school=200), own_only=True, files=_roster),
    "GET /web/roster/template": PageProbe(
        "/web/roster/template",
        _signed_in(school=200, department=200, admin=200),
        own_only=True,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    # the school's own uploads; the department's region's schools (same page, a school filter); all for the admin
    "GET /web/roster/history": PageProbe(
        "/web/roster/history",
        _signed_in(school=200, department=200, admin=200),
        own_only=True,
        params=lambda w, s, r: (_roster_upload(w, "a", r), {})[1],
        hides={r: GRAD_SECRETS for r in ("school", "department", "admin")},
    ),
    # the graduates an upload added: an upload of a school the caller sees by name; another's is a 404 page
    "GET /web/roster/history/{upload_id:int}": PageProbe(
        "/web/roster/history/{u}",
        _signed_in(school=(200, 404), department=(200, 404), admin=200),
        {"u": _roster_upload},
        shows={r: ("graduate_a_name",) for r in ("school", "department", "admin")},
    ),
    # --- internships: every role's own placements; the school records, the employer confirms ---------
    "GET /web/internships": PageProbe(
        "/web/internships",
        {**_same(200), "anonymous": 303},
        own_only=True,
        params=_with_internships,
        shows={r: ("graduate_a_name",) for r in ("employer", "school", "department", "admin")},
        hides={r: GRAD_SECRETS + ("employer_b_name",) for r in ("graduate", "employer", "school", "department")},
    ),
    "GET /web/internships/new": PageProbe("/web/internships/new", _signed_in(school=200), own_only=True),
    "POST /web/internships/new": PageProbe(
        "/web/internships/new",
        _signed_in(school=303),
        own_only=True,
        files=_internship_form,
        location="/web/internships?saved=",
    ),
    "POST /web/internships/{internship_id:int}/confirm": PageProbe(
        "/web/internships/{i}/confirm",
        _signed_in(employer=(303, 404)),
        {"i": _internship},
        form=lambda w, s, r: {},
        location="/web/internships?saved=confirmed",
    ),
    "GET /web/internships/{internship_id:int}/agreement": PageProbe(
        "/web/internships/{i}/agreement",
        {
            "anonymous": 303,
            "graduate": (200, 404),
            "employer": (200, 404),
            "school": (200, 404),
            "department": (200, 404),
            "admin": (200, 200),
        },
        {"i": _internship_with_agreement},
        media_type="application/pdf",
    ),
    # --- notification pages: every signed-in caller's own; another user's notification is a 404 page
    "GET /web/notifications": PageProbe(
        "/web/notifications",
        {**_same(200), "anonymous": 303},
        own_only=True,
        params=_with_notifications,
        shows={r: ("notification_a_title",) for r in ROLES[1:]},
        hides={r: ("notification_b_title",) for r in ROLES[1:]},
    ),
    "GET /web/notifications/{notification_id:int}/open": PageProbe(
        "/web/notifications/{n}/open",
        {**{r: (303, 404) for r in ROLES[1:]}, "anonymous": 303},
        {"n": _notification},
        location="/web/applications",
    ),
    "POST /web/notifications/{notification_id:int}/read": PageProbe(
        "/web/notifications/{n}/read",
        {**{r: (303, 404) for r in ROLES[1:]}, "anonymous": 303},
        {"n": _notification},
        form=lambda w, s, r: {},
        location="/web/notifications",
    ),
    "POST /web/notifications/read-all": PageProbe(
        "/web/notifications/read-all",
        {**_same(303)},
        own_only=True,
        form=lambda w, s, r: {},
        location="/web/notifications",
    ),
    "GET /web/notifications/preferences": PageProbe(
        "/web/notifications/preferences", {**_same(200), "anonymous": 303}, own_only=True
    ),
    "POST /web/notifications/preferences": PageProbe(
        "/web/notifications/preferences",
        {**_same(303)},
        own_only=True,
        form=lambda w, s, r: {"language": "zh_Hans", "email": ["message_received"]}
        if r in ("graduate", "employer", "admin")
        else {"language": "zh_Hans"},
        location="/web/notifications/preferences?saved=1",
    ),
    # --- conversations: résumé, applicant view, threads, withdraw and consent, invitations ------------
    "GET /web/resume": PageProbe(
        "/web/resume",
        _signed_in(graduate=200),
        own_only=True,
        shows={"graduate": ("graduate_a_name",)},
        hides={"graduate": GRAD_SECRETS},
    ),
    "GET /web/resume.pdf": PageProbe(
        "/web/resume.pdf", _signed_in(graduate=200), own_only=True, media_type="application/pdf"
    ),
    "GET /web/resume/attachment": PageProbe(
        "/web/resume/attachment",
        _signed_in(graduate=200),
        own_only=True,
        media_type="application/pdf",
        params=lambda w, s, r: (_graduate_with_attachment(w, "a"), {})[1],
    ),
    "POST /web/resume/attachment": PageProbe(
        "/web/resume/attachment",
        _signed_in(graduate=303),
        own_only=True,
        location="/web/resume?saved=attachment",
        files=lambda w, s, r: {"attachment": ("cv.pdf", PDF, "application/pdf")},
    ),
    "POST /web/resume/attachment/delete": PageProbe(
        "/web/resume/attachment/delete",
        _signed_in(graduate=303),
        own_only=True,
        form=lambda w, s, r: (_graduate_with_attachment(w, "a"), {})[1],
        location="/web/resume?saved=attachment_deleted",
    ),
    "GET /web/applicants/{application_id:int}/resume.pdf": PageProbe(
        "/web/applicants/{a}/resume.pdf",
        _signed_in(employer=(200, 404)),
        {"a": _application_with_resume},
        media_type="application/pdf",
    ),
    "GET /web/applicants/{application_id:int}/attachment": PageProbe(
        "/web/applicants/{a}/attachment",
        _signed_in(employer=(200, 404)),
        {"a": _application_with_resume},
        media_type="application/pdf",
    ),
    "GET /web/applicants/{application_id:int}": PageProbe(
        "/web/applicants/{a}",
        _signed_in(employer=(200, 404)),
        {"a": "application"},
        shows={"employer": ("posting_a_title",)},
        hides={"employer": EVERY_SECRET},
    ),
    "POST /web/applications/{application_id:int}/withdraw": PageProbe(
        "/web/applications/{a}/withdraw",
        _signed_in(graduate=(303, 404)),
        {"a": _fresh_application},
        form=lambda w, s, r: {},
        location="/web/applications?saved=withdrawn",
    ),
    "POST /web/applications/{application_id:int}/consent": PageProbe(
        "/web/applications/{a}/consent",
        _signed_in(graduate=(303, 404)),
        {"a": "application"},
        form=lambda w, s, r: {"contact_consent": "0"},
        location="/web/applications?saved=consent",
    ),
    "GET /web/applications/{application_id:int}/messages": PageProbe(
        "/web/applications/{a}/messages",
        _signed_in(graduate=(200, 404), employer=(200, 404)),
        {"a": "application"},
        shows={"graduate": ("posting_a_title",), "employer": ("posting_a_title",)},
        hides={"graduate": EVERY_SECRET, "employer": EVERY_SECRET},
    ),
    "POST /web/applications/{application_id:int}/messages": PageProbe(
        "/web/applications/{a}/messages",
        _signed_in(graduate=(303, 404), employer=(303, 404)),
        {"a": "application"},
        form=lambda w, s, r: {"body": "网页上的消息"},
        location="/web/applications/{a}/messages",
    ),
    "POST /web/postings/{posting_id:int}/invitations": PageProbe(
        "/web/postings/{p}/invitations",
        _signed_in(employer=(303, 404)),
        {"p": "posting"},
        form=lambda w, s, r: {"graduate_id": str(_fresh_candidate(w, s, r))},
        location="/web/postings/{p}/candidates?invited=1",
    ),
    "GET /web/invitations": PageProbe(
        "/web/invitations", _signed_in(graduate=200), own_only=True, hides={"graduate": EVERY_SECRET}
    ),
    "POST /web/invitations/{invitation_id:int}/accept": PageProbe(
        "/web/invitations/{i}/accept",
        _signed_in(graduate=(303, 404)),
        {"i": _fresh_invitation},
        form=lambda w, s, r: {},
        location="/web/applications/",
    ),
    "POST /web/invitations/{invitation_id:int}/decline": PageProbe(
        "/web/invitations/{i}/decline",
        _signed_in(graduate=(303, 404)),
        {"i": _fresh_invitation},
        form=lambda w, s, r: {},
        location="/web/invitations?saved=declined",
    ),
}


# --- the tests -----------------------------------------------------------------------------------


def test_every_page_route_has_an_entry() -> None:
    """Every route at ``/``, ``/favicon.ico`` or under ``/web`` has a :data:`WEB_MATRIX` entry, and every entry a route
    (``tests/accounts/test_route_matrix.py`` checks the union with the API's entries)."""
    routes = {
        r for r in _app_routes() if r.split(" ", 1)[1] in ("/", "/favicon.ico") or r.split(" ", 1)[1].startswith("/web")
    }
    missing = sorted(routes - WEB_MATRIX.keys())
    stale = sorted(WEB_MATRIX.keys() - routes)
    assert not missing, "pages without an entry in tests/accounts/test_web_route_matrix.py WEB_MATRIX:\n" + "\n".join(
        missing
    )
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
        c = http_client(base_url=pages.w.base_url, timeout=60, cookies=cookies, follow_redirects=False)
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


def _call(
    pages: Pages, browser: Callable[..., httpx.Client], key: str, probe: PageProbe, role: str, side: str
) -> tuple[httpx.Response, dict[str, Any]]:
    w = pages.w
    method = key.split(" ", 1)[0]
    values = {
        name: target(w, side, role) if callable(target) else w.ids[f"{target}_{side}"]
        for name, target in probe.targets.items()
    }
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
                    f"{path}?{query}" if query else path,
                    f"{path.rstrip('/')}?{query}" if query else path.rstrip("/"),
                ), f"{where}: sent to {location!r}, not the sign-in page"
            else:
                wanted = _expected_location(probe, role, values)
                assert wanted is not None, f"{where}: the entry names no location for a {expected}"
                assert location.startswith(wanted), f"{where}: sent to {location!r}, expected {wanted!r}…"
        elif not key.startswith("GET /web/static/"):
            kind = probe.media_type if expected < 300 else "text/html"  # refusals are HTML pages
            assert response.headers.get("content-type", "").startswith(kind), (
                f"{where}: not {kind}: {response.headers.get('content-type')}"
            )
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
    return w.run(
        lambda s: s.scalar(select(func.count()).select_from(Application).where(Application.posting_id == posting_id))
    )


def test_unsafe_page_request_without_the_csrf_token_is_refused(
    pages: Pages, browser: Callable[..., httpx.Client]
) -> None:
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
