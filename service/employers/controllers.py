"""HTTP endpoints for employers (``/employers``).

Authorisation (see :mod:`service.auth.guards`): every route needs a signed-in user. Staff
(school, department, system admin) see every employer; employer members and graduates see
verified employers, and a member also its own. A member changes only its own employer; staff and
the admin create employer records (employers themselves register at ``POST /auth/register``).
``verified`` is set only by ``POST /employers/{id}/verify`` and ``POST /employers/{id}/refuse``
(staff, by :class:`~service.employers.verification.VerificationService`, which the approval queue
``GET /employers/verification-queue``, its web page and ``vocmatch employers`` use too).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.types import ControllerRouterHandler

from service.accounts.models import Role
from service.auth.guards import (
    can_manage_employer,
    can_read_employer,
    current_principal,
    ensure_allowed,
    ensure_visible,
    require_roles,
    require_signed_in,
)
from service.auth.scoping import employers_clause
from service.employers.models import Employer
from service.employers.repository import EmployerFilter
from service.employers.schemas import (
    EmployerCreate,
    EmployerRead,
    EmployerUpdate,
    RefusalRequest,
    VerificationQueueItem,
)
from service.employers.service import EmployerService, to_read, uscc_check, uscc_region_matches
from service.employers.verification import VerificationService
from service.inputs import SIGN_IN_BODY_BYTES
from service.pagination import DbSession, IdPath, Limit, Offset, Page

STAFF = [require_roles(Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)]


class EmployerController(Controller):
    path = "/employers"
    tags = ["employers"]

    @post("/", summary="Create an employer", guards=[require_roles(Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)])
    async def create_employer(self, db_session: DbSession, data: JSONBody[EmployerCreate]) -> EmployerRead:
        """Record an employer (用人单位) on its behalf: staff and the system admin only (employers
        register themselves at ``POST /auth/register``). It starts unverified.

        Errors: 400 for a malformed body (field named, ``verified`` included: it is not accepted);
        401 signed out; 403 graduates and employer members; 422 for a 统一社会信用代码 (``uscc``)
        failing the GB 32100-2015 check or an unknown ``region_code``; 409 for a ``uscc`` already registered.
        """
        return to_read(await EmployerService(db_session).create(data))

    @get("/{employer_id:int}", summary="Read an employer", guards=[require_signed_in])
    async def get_employer(self, request: Request, db_session: DbSession, employer_id: IdPath) -> EmployerRead:
        """One employer; 404 if ``employer_id`` does not exist or the caller may not see it
        (an unverified employer, for graduates and other employers)."""
        employer = await EmployerService(db_session).get(employer_id)
        ensure_visible(can_read_employer(current_principal(request), employer), "employer", employer_id)
        return to_read(employer)

    @patch("/{employer_id:int}", summary="Update an employer", guards=[require_roles(Role.EMPLOYER, Role.ADMIN)])
    async def update_employer(
        self, request: Request, db_session: DbSession, employer_id: IdPath, data: JSONBody[EmployerUpdate]
    ) -> EmployerRead:
        """Change the fields present in the body: members of the employer and the system admin.
        Changing the name, ``uscc`` or ``region_code`` of a verified employer withdraws its
        verification (audited) until staff approve it again. 404 for an unknown id or one the
        caller may not see; 403 for another (verified) employer or for staff; 400/409/422 as for create."""
        p = current_principal(request)
        service = EmployerService(db_session, actor=p, request=request)
        employer = await service.get(employer_id)
        ensure_visible(can_read_employer(p, employer), "employer", employer_id)
        ensure_allowed(can_manage_employer(p, employer), f"change employer {employer_id}")
        return to_read(await service.update(employer_id, data))

    @get("/", summary="List employers", guards=[require_signed_in])
    async def list_employers(
        self,
        request: Request,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        q: Annotated[str | None, QueryParameter(max_length=100, description="name contains")] = None,
        region_code: Annotated[
            str | None, QueryParameter(pattern=r"^\d{6}$", description="GB/T 2260; includes sub-regions")
        ] = None,
        industry: Annotated[str | None, QueryParameter(max_length=100, description="exact industry")] = None,
        verified: Annotated[bool | None, QueryParameter()] = None,
    ) -> Page[EmployerRead]:
        """Employers the caller may see, ordered by id, filtered; ``total`` counts all visible matches."""
        f = EmployerFilter(q=q, region_code=region_code, industry=industry, verified=verified)
        scope = employers_clause(current_principal(request))
        items, total = await EmployerService(db_session).list(f, limit, offset, scope)
        return Page(items=[to_read(e) for e in items], total=total, limit=limit, offset=offset)


# --- verification (审核) ---------------------------------------------------------------------


def queue_item(e: Employer) -> VerificationQueueItem:
    return VerificationQueueItem(
        employer=to_read(e),
        contact_name=e.contact_name,
        contact_phone=e.contact_phone,
        uscc_check=uscc_check(e.uscc),
        uscc_region_matches=uscc_region_matches(e.uscc, e.region_code),
    )


@get(
    "/employers/verification-queue", summary="Employers awaiting approval (审核队列)", tags=["employers"], guards=STAFF
)
async def verification_queue(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    limit: Limit = 20,
    offset: Offset = 0,
    status: Annotated[
        str,
        QueryParameter(pattern=r"^(pending|refused|approved)$", description="pending (default), refused or approved"),
    ] = "pending",
    city: Annotated[
        str | None,
        QueryParameter(pattern=r"^\d{6}$", description="region code (GB/T 2260); a city includes its counties"),
    ] = None,
    q: Annotated[str | None, QueryParameter(max_length=100, description="part of the employer's name")] = None,
) -> Page[VerificationQueueItem]:
    """Employers registered on the platform that the caller may approve — school staff those in
    their school's city, department admins those in their region or without one, the admin all —
    in one verification ``status`` (pending: oldest first), with the contact person and the
    统一社会信用代码 check (GB 32100-2015); ``city`` and ``q`` narrow it, ``total`` counts all that
    match. Errors: 401 signed out; 403 graduates and employers; 400 a malformed ``city``."""
    service = VerificationService(db_session, current_principal(request))
    items, total = await service.queue(status=status, limit=limit, offset=offset, region_code=city, q=q)
    return Page(items=[queue_item(e) for e in items], total=total, limit=limit, offset=offset)


@post(
    "/employers/{employer_id:int}/verify",
    summary="Approve an employer (审核)",
    tags=["employers"],
    guards=STAFF,
    status_code=200,
    request_max_body_size=SIGN_IN_BODY_BYTES,
)
async def verify_employer(
    request: Request[Any, Any, Any], db_session: DbSession, employer_id: FromPath[int]
) -> EmployerRead:
    """Mark the employer ``verified``; its postings become visible to graduates and its members are
    notified (the first time only). Idempotent.
    Who may approve which employer (by its ``region_code``): the system admin any; a department
    admin employers inside its region and those without a region; school staff employers in their
    school's city (:func:`~service.employers.verification.can_verify_employer`).

    Errors: 401 signed out; 403 other roles, or an employer outside the caller's area (staff may
    still read it); 404 unknown id."""
    service = VerificationService(db_session, current_principal(request), request)
    return to_read(await service.verify(await service.to_decide(employer_id)))


@post(
    "/employers/{employer_id:int}/refuse",
    summary="Refuse to approve an employer (审核未通过)",
    tags=["employers"],
    guards=STAFF,
    status_code=200,
    request_max_body_size=SIGN_IN_BODY_BYTES,
)
async def refuse_employer(
    request: Request[Any, Any, Any], db_session: DbSession, employer_id: FromPath[int], data: JSONBody[RefusalRequest]
) -> EmployerRead:
    """Refuse with a ``reason`` (told to the employer's members as written, in a notification):
    the employer stays unverified (an approved one loses its approval), so its postings reach no
    graduate; audited. Who may: as ``POST /employers/{id}/verify``. Errors: 401; 403 other roles
    or an employer outside the caller's area; 404 unknown id; 422 blank reason."""
    service = VerificationService(db_session, current_principal(request), request)
    return to_read(await service.refuse(await service.to_decide(employer_id), data.reason))


ROUTES: list[ControllerRouterHandler] = [EmployerController, verification_queue, verify_employer, refuse_employer]
