"""HTTP endpoints for internship placements (``/internships``).

Authorisation (see :mod:`service.internships.service`): school staff record placements of their
students and upload the agreement; the employer's members confirm; the student, the employer,
the school's staff, department admins of the school's region and the admin read (anyone else:
404, as for an unknown id); staff read the counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import JSONBody, MultipartBody, QueryParameter

from service.accounts.models import Role
from service.auth.guards import current_principal, require_roles, require_signed_in
from service.internships.models import InternshipStatus
from service.internships.schemas import InternshipCounts, InternshipCreate, InternshipRead
from service.internships.service import InternshipService, default_cohort
from service.internships.storage import MAX_AGREEMENT_BYTES
from service.pagination import DbSession, IdPath, Limit, Offset, Page
from service.rosters.controllers import _expect_file

Cohort = Annotated[int | None, QueryParameter(ge=1950, le=2100, description="届别 of the students")]


@dataclass
class AgreementUpload:
    """The multipart/form-data body: the signed agreement (PDF) in the form field ``data``."""

    data: UploadFile


class InternshipController(Controller):
    path = "/internships"
    tags = ["internships"]

    @post("/", summary="Record an internship placement (顶岗实习)", guards=[require_roles(Role.SCHOOL, Role.ADMIN)])
    async def record_internship(
        self, request: Request, db_session: DbSession, data: JSONBody[InternshipCreate]
    ) -> InternshipRead:
        """Record a placement of one of the caller's school's students (status ``pending``; the
        employer's members and the student are notified). 404 a student the caller may not read;
        403 another school's student; 422 a bad field (named)."""
        service = InternshipService(db_session, current_principal(request), request)
        internship = await service.record(data)
        return await service.get(internship.id)

    @get("/", summary="Internship placements I may read", guards=[require_signed_in])
    async def list_internships(
        self,
        request: Request,
        db_session: DbSession,
        limit: Limit = 50,
        offset: Offset = 0,
        cohort: Cohort = None,
        status: Annotated[InternshipStatus | None, QueryParameter(description="pending or confirmed")] = None,
    ) -> Page[InternshipRead]:
        """The student's own; the employer's; the school's (region's) students'; all for the admin."""
        items, total = await InternshipService(db_session, current_principal(request), request).page(
            limit=limit, offset=offset, cohort=cohort, status=status
        )
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get(
        "/counts",
        summary="Internship counts by school, major and employer",
        guards=[require_roles(Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)],
    )
    async def internship_counts(
        self, request: Request, db_session: DbSession, cohort: Cohort = None
    ) -> InternshipCounts:
        """Counts in the caller's scope, and the share of ``cohort`` (default: the cohort in its
        placement year) placed. Internships are never employment: no employment figure counts them."""
        return await InternshipService(db_session, current_principal(request), request).counts(
            cohort or default_cohort()
        )

    @get("/{internship_id:int}", summary="One internship placement", guards=[require_signed_in])
    async def get_internship(self, request: Request, db_session: DbSession, internship_id: IdPath) -> InternshipRead:
        """404 for an unknown placement or one the caller may not read."""
        return await InternshipService(db_session, current_principal(request), request).get(internship_id)

    @post(
        "/{internship_id:int}/confirm",
        summary="The employer confirms a placement",
        status_code=200,
        guards=[require_roles(Role.EMPLOYER, Role.ADMIN)],
    )
    async def confirm_internship(
        self, request: Request, db_session: DbSession, internship_id: IdPath
    ) -> InternshipRead:
        """404 another employer's placement; 409 already confirmed."""
        service = InternshipService(db_session, current_principal(request), request)
        await service.confirm(internship_id)
        return await service.get(internship_id)

    @post(
        "/{internship_id:int}/agreement",
        summary="Upload the three-party agreement (三方协议, PDF)",
        type_decoders=[(lambda t: t is UploadFile, _expect_file)],
        status_code=200,
        guards=[require_roles(Role.SCHOOL, Role.ADMIN)],
        request_max_body_size=MAX_AGREEMENT_BYTES + 64 * 1024,
    )
    async def upload_agreement(
        self, request: Request, db_session: DbSession, internship_id: IdPath, data: MultipartBody[AgreementUpload]
    ) -> InternshipRead:
        """Store the PDF (field ``data``; checked by content, not name: 422 naming the file for one
        that is not a PDF, empty or over 10 MB) outside the database, replacing an earlier one."""
        service = InternshipService(db_session, current_principal(request), request)
        content = await data.data.read()
        await service.attach_agreement(
            internship_id, content, data.data.filename or "agreement.pdf", request.app.state.settings.attachment_dir
        )
        return await service.get(internship_id)

    @get(
        "/{internship_id:int}/agreement",
        summary="Download the agreement (PDF)",
        media_type="application/pdf",
        guards=[require_signed_in],
    )
    async def download_agreement(
        self, request: Request, db_session: DbSession, internship_id: IdPath
    ) -> Response[bytes]:
        """The stored PDF for a reader of the placement; 404 when none was uploaded."""
        return await agreement_response(request, db_session, internship_id)


async def agreement_response(request: Request, db_session: DbSession, internship_id: int) -> Response[bytes]:
    """The agreement PDF of a placement as an attachment (API and pages)."""
    service = InternshipService(db_session, current_principal(request), request)
    _, path = await service.agreement(internship_id, request.app.state.settings.attachment_dir)
    return Response(
        content=path.read_bytes(),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="agreement-{internship_id}.pdf"',
            "X-Content-Type-Options": "nosniff",
        },
    )
