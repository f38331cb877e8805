"""HTTP endpoints for applications (``/applications``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter

from service.applications.models import ApplicationStatus
from service.applications.repository import ApplicationFilter
from service.applications.schemas import ApplicationCreate, ApplicationRead, StatusChange
from service.applications.service import ApplicationService, to_read
from service.pagination import DbSession, IdPath, IdQuery, Limit, Offset, Page


class ApplicationController(Controller):
    path = "/applications"
    tags = ["applications"]

    @post("/", summary="Apply to a posting")
    async def create_application(self, db_session: DbSession, data: JSONBody[ApplicationCreate]) -> ApplicationRead:
        """Apply: 201 with status ``applied`` and history ``[applied]``.

        Errors: 400 for a malformed body; 422 for an unknown ``graduate_id`` or ``posting_id``;
        409 if the posting is not open today (filled, closed or past ``valid_through``) or the
        graduate already applied to it.
        """
        return to_read(await ApplicationService(db_session).create(data))

    @get("/{application_id:int}", summary="Read an application")
    async def get_application(self, db_session: DbSession, application_id: IdPath) -> ApplicationRead:
        """One application with its full status history; 404 if it does not exist."""
        return to_read(await ApplicationService(db_session).get(application_id))

    @post("/{application_id:int}/status", summary="Change an application's status", status_code=200)
    async def change_status(
        self, db_session: DbSession, application_id: IdPath, data: JSONBody[StatusChange]
    ) -> ApplicationRead:
        """Move along applied → viewed → interview → offer → hired (steps may be skipped), or to
        rejected / withdrawn from any open state; hired, rejected and withdrawn are final.

        ``hired`` records a 毕业去向 event (source ``platform_hire``) and marks the posting
        ``filled`` once hires reach its openings. Errors: 404 unknown id; 409 forbidden move
        (both states named); 422 ``destination_category`` without ``hired`` or not an employment form
        (only ``employment_agreement``, ``labour_contract``, ``other_employment``).
        """
        return to_read(await ApplicationService(db_session).change_status(application_id, data))

    @get("/", summary="List applications")
    async def list_applications(
        self,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        graduate_id: IdQuery = None,
        posting_id: IdQuery = None,
        status: Annotated[ApplicationStatus | None, QueryParameter()] = None,
    ) -> Page[ApplicationRead]:
        """Applications ordered by id, filtered; ``total`` counts all matches."""
        f = ApplicationFilter(graduate_id=graduate_id, posting_id=posting_id, status=status)
        items, total = await ApplicationService(db_session).list(f, limit, offset)
        return Page(items=[to_read(a) for a in items], total=total, limit=limit, offset=offset)
