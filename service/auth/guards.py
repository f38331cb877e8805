"""Object-level authorisation (OWASP API Security Top 10 2023, API1 "Broken Object Level
Authorization"): who may see or change which object.

Three layers, used together by every route:

* :func:`require_roles` / :func:`require_signed_in` — Litestar guards on a handler (401 when not
  signed in, 403 when the role may never use the route);
* ``can_*`` predicates — pure functions ``(principal, object, facts) -> bool`` for one object,
  after it is loaded; :func:`ensure_visible` turns a ``False`` into 404 (existence is not revealed)
  and :func:`ensure_allowed` into 403 (for objects the caller may see but not change);
* :mod:`service.auth.scoping` — SQL ``WHERE`` clauses that filter lists the same way.

Relations a predicate reads (``posting.employer``, ``application.posting``…) must be loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from service.accounts.models import Role, User
from service.applications.models import Application, ApplicationStatus
from service.catalog.models import School
from service.catalog.regions import region_prefix
from service.employers.models import Employer
from service.errors import NotFoundError
from service.graduates.models import Graduate
from service.postings.models import Posting
from service.postings.visibility import visible_to_graduates

STAFF = frozenset({Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN})


class Principal(msgspec.Struct, frozen=True, kw_only=True):
    """The signed-in user of a request: id, role and the one scope id the role carries."""

    user_id: int
    role: Role
    graduate_id: int | None = None
    employer_id: int | None = None
    school_id: int | None = None
    region_code: str | None = None  # GB/T 2260, department admins only
    session_id: int | None = None

    @classmethod
    def of(cls, user: User, session_id: int | None = None) -> Principal:
        return cls(
            user_id=user.id,
            role=user.role,
            graduate_id=user.graduate_id,
            employer_id=user.employer_id,
            school_id=user.school_id,
            region_code=user.region_code,
            session_id=session_id,
        )


def current_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    """The request's :class:`Principal`.

    Raises:
        NotAuthorizedException: 401, nobody is signed in (no or invalid token).
    """
    user = connection.scope.get("user")
    if not isinstance(user, Principal):
        raise NotAuthorizedException("sign in first: send 'Authorization: Bearer <access token>'")
    return user


def require_signed_in(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """Litestar guard: any signed-in user (401 otherwise)."""
    current_principal(connection)


def require_roles(*roles: Role) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A Litestar guard letting only ``roles`` through: 401 when not signed in, 403 otherwise.

    Example: ``@post("/", guards=[require_roles(Role.EMPLOYER, Role.ADMIN)])``.
    """
    allowed = frozenset(roles)
    names = ", ".join(r.value for r in roles)

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        if current_principal(connection).role not in allowed:
            raise PermissionDeniedException(f"this needs one of the roles: {names}")

    guard.__name__ = f"require_roles({names})"
    return guard


def ensure_visible(allowed: bool, resource: str, ident: object) -> None:
    """Raise the same 404 as for a missing ``resource`` when the caller may not see it (no leak)."""
    if not allowed:
        raise NotFoundError(resource, ident)


def ensure_allowed(allowed: bool, action: str) -> None:
    """Raise 403 naming ``action`` when the caller may see the object but not do this to it."""
    if not allowed:
        raise PermissionDeniedException(f"not allowed to {action}")


def region_contains(scope_code: str | None, code: str | None) -> bool:
    """Whether GB/T 2260 ``code`` lies inside ``scope_code`` (``440106`` is inside ``440100``)."""
    return bool(scope_code and code and code.startswith(region_prefix(scope_code)))


def _staff_sees_school(p: Principal, school_id: int | None, school_region: str | None) -> bool:
    if p.role is Role.ADMIN:
        return True
    if p.role is Role.SCHOOL:
        return school_id is not None and school_id == p.school_id
    if p.role is Role.DEPARTMENT:
        return region_contains(p.region_code, school_region)
    return False


# --- graduates -----------------------------------------------------------------------------


def applied_to(employer_id: int | None, applications: list[Application]) -> bool:
    """Whether any of ``applications`` (``posting`` loaded) goes to ``employer_id`` and is not
    withdrawn — the ``applied_to_employer`` fact of :func:`can_read_graduate`."""
    return employer_id is not None and any(
        a.posting.employer_id == employer_id and a.status is not ApplicationStatus.WITHDRAWN for a in applications
    )


def can_read_graduate(
    p: Principal, graduate: Graduate, *, school_region: str | None = None, applied_to_employer: bool = False
) -> bool:
    """Read a profile: the graduate; their school's staff; a department admin whose region holds
    the school (``school_region`` = the school's region code); an employer the graduate applied to
    (``applied_to_employer``: an application to one of its postings that is not withdrawn — see
    :func:`applied_to`); the system admin."""
    if p.role is Role.GRADUATE:
        return graduate.id == p.graduate_id
    if p.role is Role.EMPLOYER:
        return applied_to_employer
    return _staff_sees_school(p, graduate.school_id, school_region)


def can_change_graduate(p: Principal, graduate: Graduate) -> bool:
    """Change a profile: the graduate, their school's staff, the system admin (departments only read)."""
    if p.role is Role.GRADUATE:
        return graduate.id == p.graduate_id
    if p.role is Role.SCHOOL:
        return graduate.school_id is not None and graduate.school_id == p.school_id
    return p.role is Role.ADMIN


def can_see_contact(
    p: Principal, graduate: Graduate, *, school_region: str | None = None, applied_to_employer: bool = False
) -> bool:
    """See the unmasked phone number: as :func:`can_read_graduate`; for an employer only after the
    graduate applied to it (or accepted its invitation: pass that as ``applied_to_employer``)."""
    return can_read_graduate(p, graduate, school_region=school_region, applied_to_employer=applied_to_employer)


def can_see_id_tail(p: Principal) -> bool:
    """See the last 4 characters of a readable graduate's 身份证号 (the most anyone is shown, the
    holder included): everyone who may read the profile except employers, who see no part of it."""
    return p.role is not Role.EMPLOYER


def can_read_destinations(p: Principal, graduate: Graduate, *, school_region: str | None = None) -> bool:
    """Read a graduate's 毕业去向 history: as :func:`can_read_graduate` but never employers."""
    return p.role is not Role.EMPLOYER and can_read_graduate(p, graduate, school_region=school_region)


def can_self_report_destination(p: Principal, graduate: Graduate) -> bool:
    """Record a self-report, or confirm / dispute an outcome: only the graduate (or the admin)."""
    return p.role is Role.ADMIN or (p.role is Role.GRADUATE and graduate.id == p.graduate_id)


def can_survey_destination(p: Principal, graduate: Graduate) -> bool:
    """Record a school-survey outcome or override 对口: the graduate's school staff (or the admin)."""
    return p.role is Role.ADMIN or (
        p.role is Role.SCHOOL and graduate.school_id is not None and graduate.school_id == p.school_id
    )


# --- employers and postings ----------------------------------------------------------------


def can_read_employer(p: Principal, employer: Employer) -> bool:
    """Staff see every employer; an employer member its own and verified ones; graduates verified ones."""
    if p.role in STAFF:
        return True
    return employer.verified or (p.role is Role.EMPLOYER and employer.id == p.employer_id)


def can_manage_employer(p: Principal, employer: Employer) -> bool:
    """Change an employer's details (never ``verified``: see
    :func:`service.employers.verification.can_verify_employer`)."""
    return p.role is Role.ADMIN or (p.role is Role.EMPLOYER and employer.id == p.employer_id)


def can_read_posting(p: Principal, posting: Posting) -> bool:
    """Staff see every posting; an employer member only its own; a graduate only postings of
    verified employers (``posting.employer`` must be loaded)."""
    if p.role in STAFF:
        return True
    if p.role is Role.EMPLOYER:
        return posting.employer_id == p.employer_id
    return visible_to_graduates(posting)


def can_manage_posting(p: Principal, posting: Posting | None = None, *, employer_id: int | None = None) -> bool:
    """Create (pass ``employer_id`` from the body), change, or see candidates for a posting: members
    of its employer, and the system admin."""
    owner = posting.employer_id if posting is not None else employer_id
    return p.role is Role.ADMIN or (p.role is Role.EMPLOYER and owner is not None and owner == p.employer_id)


#: The 403 detail for candidates asked for by an employer that staff have not verified yet.
NOT_APPROVED = (
    "your employer is not approved yet: candidates are shown once school or department staff have verified it"
)


def can_see_candidates(p: Principal, posting: Posting) -> bool:
    """See the graduates recommended for a posting (also anonymised, on the web page): the system
    admin always; members of the posting's employer only once the employer is verified (an
    unvetted registration must not browse the candidate pool). Needs ``posting.employer`` loaded."""
    return p.role is Role.ADMIN or (can_manage_posting(p, posting) and posting.employer.verified)


def ensure_candidates_allowed(p: Principal, posting: Posting) -> None:
    """403 unless :func:`can_see_candidates`: ``not allowed to see candidates…`` for callers who do
    not manage the posting, :data:`NOT_APPROVED` for members of an unverified employer.
    (Check visibility — 404 — first.)"""
    ensure_allowed(can_manage_posting(p, posting), f"see candidates for posting {posting.id}")
    if not can_see_candidates(p, posting):
        raise PermissionDeniedException(NOT_APPROVED)


# --- applications --------------------------------------------------------------------------


def can_apply(p: Principal, graduate_id: int) -> bool:
    """Apply on behalf of ``graduate_id``: only that graduate (or the admin)."""
    return p.role is Role.ADMIN or (p.role is Role.GRADUATE and graduate_id == p.graduate_id)


def can_read_application(p: Principal, application: Application, *, school_region: str | None = None) -> bool:
    """The applicant; members of the posting's employer; the applicant's school staff or department
    (``school_region``); the admin. Needs ``application.posting`` and ``application.graduate`` loaded."""
    if p.role is Role.GRADUATE:
        return application.graduate_id == p.graduate_id
    if p.role is Role.EMPLOYER:
        return application.posting.employer_id == p.employer_id
    return _staff_sees_school(p, application.graduate.school_id, school_region)


def can_change_application(p: Principal, application: Application, to_status: ApplicationStatus) -> bool:
    """Move an application: the applicant may only withdraw; the posting's employer every move but
    ``withdrawn``; the admin anything; school and department staff nothing (they only read)."""
    if p.role is Role.ADMIN:
        return True
    if p.role is Role.GRADUATE:
        return application.graduate_id == p.graduate_id and to_status is ApplicationStatus.WITHDRAWN
    if p.role is Role.EMPLOYER:
        return application.posting.employer_id == p.employer_id and to_status is not ApplicationStatus.WITHDRAWN
    return False


# --- schools and figures -------------------------------------------------------------------


def can_read_figures(p: Principal, *, school: School | None = None, region_code: str | None = None) -> bool:
    """Employment figures (reports, snapshots, traces) for one ``school``, one ``region_code``, or
    — both ``None`` — everything: a school's staff for their school; a department admin for
    schools and regions inside theirs; the admin for all. Graduates and employers never."""
    if p.role is Role.ADMIN:
        return True
    if school is not None:
        return _staff_sees_school(p, school.id, school.region_code)
    if p.role is Role.DEPARTMENT and region_code is not None:
        return region_contains(p.region_code, region_code)
    return False


def can_manage_school(p: Principal, school: School) -> bool:
    """Upload rosters for / change a school: its staff and the admin."""
    return p.role is Role.ADMIN or (p.role is Role.SCHOOL and school.id == p.school_id)
