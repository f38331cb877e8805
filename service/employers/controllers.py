"""HTTP endpoints for employers (``/employers``).

Authorisation (see :mod:`service.accounts.guards`): every route needs a signed-in user. Staff
(school, department, system admin) see every employer; employer members and graduates see
verified employers, and a member also its own. A member changes only its own employer; staff and
the admin create employer records (employers themselves register at ``POST /auth/register``).
``verified`` is set only by ``POST /employers/{id}/verify``.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, patch, post
from litestar.params import JSONBody, QueryParameter

from service.accounts.guards import (
    can_manage_employer,
    can_read_employer,
    current_principal,
    ensure_allowed,
    ensure_visible,
    require_roles,
    require_signed_in,
)
from service.accounts.models import Role
from service.accounts.scoping import employers_clause
from service.employers.repository import EmployerFilter
from service.employers.schemas import EmployerCreate, EmployerRead, EmployerUpdate
from service.employers.service import EmployerService, to_read
from service.pagination import DbSession, IdPath, Limit, Offset, Page


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
