"""HTTP endpoints for applications (``/applications``).

Authorisation (see :mod:`service.auth.guards`): a graduate applies for themselves and sees
only their own applications; an employer member sees and moves the applications to its
postings; school staff and department admins read those of their graduates; the admin all.
An application the caller may not read is a 404, in lists as in single reads.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, QueryParameter

from service.accounts.models import Role
from service.applications.models import Application, ApplicationStatus
from service.applications.repository import ApplicationFilter
from service.applications.schemas import ApplicationCreate, ApplicationRead, StatusChange
from service.applications.service import ApplicationService, to_read
from service.auth.guards import (
    can_apply,
    can_change_application,
    current_principal,
    ensure_allowed,
    ensure_visible,
    require_roles,
    require_signed_in,
)
from service.auth.scoping import applications_clause, exists_where
from service.pagination import DbSession, IdPath, IdQuery, Limit, Offset, Page


class ApplicationController(Controller):
    path = "/applications"
    tags = ["applications"]

    @post("/", summary="Apply to a posting", guards=[require_roles(Role.GRADUATE, Role.ADMIN)])
    async def create_application(
        self, request: Request, db_session: DbSession, data: JSONBody[ApplicationCreate]
    ) -> ApplicationRead:
        """Apply: 201 with status ``applied`` and history ``[applied]``. Graduates apply for
        themselves (the admin for anyone).

        Errors: 400 for a malformed body; 401 signed out; 403 other roles or another graduate's
        ``graduate_id``; 422 for an unknown ``graduate_id`` or ``posting_id`` (a posting the
        graduate may not see, i.e. of an unverified employer, counts as unknown); 409 if the
        posting is not open today (filled, closed or past ``valid_through``) or the graduate
        already applied to it.
        """
        p = current_principal(request)
        ensure_allowed(can_apply(p, data.graduate_id), f"apply for graduate {data.graduate_id}")
        return to_read(await ApplicationService(db_session, actor=p, request=request).create(data))

    @get("/{application_id:int}", summary="Read an application", guards=[require_signed_in])
    async def get_application(self, request: Request, db_session: DbSession, application_id: IdPath) -> ApplicationRead:
        """One application with its full status history; 404 if it does not exist or the caller
        may not read it."""
        clause = applications_clause(current_principal(request))
        ensure_visible(
            await exists_where(db_session, Application.id, application_id, clause), "application", application_id
        )
        return to_read(await ApplicationService(db_session).get(application_id))

    @post(
        "/{application_id:int}/status",
        summary="Change an application's status",
        status_code=200,
        guards=[require_roles(Role.GRADUATE, Role.EMPLOYER, Role.ADMIN)],
    )
    async def change_status(
        self, request: Request, db_session: DbSession, application_id: IdPath, data: JSONBody[StatusChange]
    ) -> ApplicationRead:
        """Move along applied → viewed → interview → offer → hired (steps may be skipped), or to
        rejected / withdrawn from any open state; hired, rejected and withdrawn are final.

        ``hired`` records a 毕业去向 event (source ``platform_hire``) and marks the posting
        ``filled`` once hires reach its openings. Errors: 404 unknown id; 409 forbidden move
        (both states named); 422 ``destination_category`` without ``hired`` or not an employment form
        (only ``employment_agreement``, ``labour_contract``, ``other_employment``).

        Who: the applicant may only withdraw; the posting's employer makes every other move; the
        admin anything. 404 for an application the caller may not read; 403 for a move the
        caller may not make (school and department staff only read).
        """
        p = current_principal(request)
        service = ApplicationService(db_session)
        ensure_visible(
            await exists_where(db_session, Application.id, application_id, applications_clause(p)),
            "application",
            application_id,
        )
        application = await service.get(application_id)
        ensure_allowed(
            can_change_application(p, application, data.status),
            f"move application {application_id} to {data.status.value}",
        )
        return to_read(
            await ApplicationService(db_session, actor=p, request=request).change_status(application_id, data)
        )

    @get("/", summary="List applications", guards=[require_signed_in])
    async def list_applications(
        self,
        request: Request,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        graduate_id: IdQuery = None,
        posting_id: IdQuery = None,
        status: Annotated[ApplicationStatus | None, QueryParameter()] = None,
    ) -> Page[ApplicationRead]:
        """Applications the caller may read, ordered by id, filtered; ``total`` counts all visible matches."""
        f = ApplicationFilter(graduate_id=graduate_id, posting_id=posting_id, status=status)
        scope = applications_clause(current_principal(request))
        items, total = await ApplicationService(db_session).list(f, limit, offset, scope)
        return Page(items=[to_read(a) for a in items], total=total, limit=limit, offset=offset)
