"""HTTP endpoint for roster uploads (``POST /schools/{code}/rosters``).

Authorisation: the school's staff and the system admin only (401 signed out; 403 other roles
and staff of another school — the school list is public, so the 403 reveals nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, MultipartBody, QueryParameter
from sqlalchemy import select

from service.accounts.models import Role
from service.auth.guards import can_manage_school, current_principal, ensure_allowed, require_roles
from service.catalog.models import School
from service.errors import InvalidFieldError
from service.pagination import DbSession, IdPath, Limit, Offset, Page
from service.rosters.history import UploadDetail, UploadRead, list_uploads, school_for, upload_detail
from service.rosters.service import RosterFileError
from service.rosters.template import build_template, catalogue_major_names

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILENAME = "roster-template.xlsx"

#: Largest roster file accepted (its content is further limited by :data:`service.rosters.reader.LIMITS`).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Largest request body of an upload route: the file plus the multipart envelope and form fields.
MAX_UPLOAD_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024


def _expect_file(target_type: type, value: object) -> UploadFile:
    """Litestar type decoder for ``UploadFile``: a plain form value where the file belongs."""
    raise TypeError(
        "a file is expected in form field data (a multipart file part with a filename), "
        f"got a plain {type(value).__name__} value / data 字段应为上传的文件"
    )


@dataclass
class RosterUpload:
    """The multipart/form-data body: the roster file in the form field ``data``."""

    data: UploadFile


class RosterController(Controller):
    path = "/schools/{school_code:str}/rosters"
    tags = ["rosters"]

    @post(
        "/",
        summary="Upload a graduate roster (毕业生名册)",
        type_decoders=[(lambda t: t is UploadFile, _expect_file)],
        guards=[require_roles(Role.SCHOOL, Role.ADMIN)],
        request_max_body_size=MAX_UPLOAD_BODY_BYTES,
    )
    async def upload_roster(
        self,
        request: Request,
        db_session: DbSession,
        school_code: FromPath[str],
        data: MultipartBody[RosterUpload],
        valid_rows_only: Annotated[bool, QueryParameter(description="store valid rows even if some fail")] = False,
    ) -> Response[dict[str, Any]]:
        """Import the uploaded .xlsx/.csv (multipart field ``data``) for the school with 学校标识码
        ``school_code`` and return the validation report (``rejected``: row, column, reason;
        ``sheet``: the workbook's sheet read, its active one). The file is read and imported in a
        worker process (:mod:`service.rosters.workers`) within the limits of
        :data:`service.rosters.reader.LIMITS`; a file past one is a 422 naming it.

        201 when rows were stored; 422 with the report when rows were rejected and nothing was
        stored (all-or-nothing by default), or when the file cannot be read, is not the type its
        name says (a .xlsx that is not a zip) or has no data rows (field ``data``, file named).
        400 when no file arrives in field ``data`` (missing, another field name, or a plain value).
        403 for staff of another school (or an unknown code, unless the caller is the admin).
        """
        p = current_principal(request)
        school = (await db_session.execute(select(School).where(School.code == school_code))).scalar_one_or_none()
        ensure_allowed(
            p.role is Role.ADMIN if school is None else can_manage_school(p, school),
            f"upload a roster for school {school_code}",
        )
        upload = data.data
        content = await upload.read()
        filename = upload.filename or "roster"
        if len(content) > MAX_FILE_BYTES:
            raise InvalidFieldError("data", f"{filename}: file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        try:
            report = await request.app.state.roster_workers.import_roster(
                content, filename, school_code, valid_rows_only, actor=p, request=request
            )
        except RosterFileError as exc:
            raise InvalidFieldError("data", f"{filename}: {exc}") from exc
        return Response(report.to_dict(), status_code=201 if report.written else 422)

    @get(
        "/uploads",
        summary="Roster history: the school's stored uploads",
        guards=[require_roles(Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)],
    )
    async def roster_uploads(
        self, request: Request, db_session: DbSession, school_code: FromPath[str], limit: Limit = 50, offset: Offset = 0
    ) -> Page[UploadRead]:
        """Newest first: file, time, who uploaded it, rows read, graduates added and changed. 404 for
        a school the caller does not see (its staff, the department of its region, the admin)."""
        p = current_principal(request)
        school = await school_for(db_session, p, school_code)
        items, total = await list_uploads(db_session, p, school=school, limit=limit, offset=offset)
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get(
        "/uploads/{upload_id:int}",
        summary="Roster history: the graduates one upload added or changed",
        guards=[require_roles(Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)],
    )
    async def roster_upload(
        self, request: Request, db_session: DbSession, school_code: FromPath[str], upload_id: IdPath
    ) -> UploadDetail:
        """The upload and each graduate it added or changed (file row, fields changed: names only).
        404 for another school's upload."""
        p = current_principal(request)
        school = await school_for(db_session, p, school_code)
        return await upload_detail(db_session, p, school, upload_id, request=request)


class RosterTemplateController(Controller):
    path = "/rosters/template"
    tags = ["rosters"]

    @get(
        "/",
        summary="Download the roster template (.xlsx)",
        media_type=XLSX,
        guards=[require_roles(Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)],
    )
    async def roster_template(self, db_session: DbSession) -> Response[bytes]:
        """The .xlsx template the roster upload reads: a note on each header, drop-downs for 性别 and
        the catalogue's 专业 (on a hidden sheet), identifiers formatted as text."""
        return template_response(await catalogue_major_names(db_session))


def template_response(major_names: list[str]) -> Response[bytes]:
    """The template workbook as a download (API and page)."""
    return Response(
        content=build_template(major_names),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{TEMPLATE_FILENAME}"'},
    )
