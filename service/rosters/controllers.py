"""HTTP endpoint for roster uploads (``POST /schools/{code}/rosters``).

Authorisation: the school's staff and the system admin only (401 signed out; 403 other roles
and staff of another school — the school list is public, so the 403 reveals nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, MultipartBody, QueryParameter
from sqlalchemy import select

from service.accounts.guards import can_manage_school, current_principal, ensure_allowed, require_roles
from service.accounts.models import Role
from service.catalog.models import School
from service.errors import InvalidFieldError
from service.pagination import DbSession
from service.rosters.service import RosterFileError

#: Largest roster file accepted (its content is further limited by :data:`service.rosters.reader.LIMITS`).
MAX_FILE_BYTES = 50 * 1024 * 1024
#: Largest request body of an upload route: the file plus the multipart envelope and form fields.
MAX_UPLOAD_BODY_BYTES = MAX_FILE_BYTES + 64 * 1024


def _expect_file(target_type: type, value: object) -> UploadFile:
    """Litestar type decoder for ``UploadFile``: a plain form value where the file belongs."""
    raise TypeError("a file is expected in form field data (a multipart file part with a filename), "
                    f"got a plain {type(value).__name__} value / data 字段应为上传的文件")


@dataclass
class RosterUpload:
    """The multipart/form-data body: the roster file in the form field ``data``."""

    data: UploadFile


class RosterController(Controller):
    path = "/schools/{school_code:str}/rosters"
    tags = ["rosters"]

    @post("/", summary="Upload a graduate roster (毕业生名册)",
          type_decoders=[(lambda t: t is UploadFile, _expect_file)],
          guards=[require_roles(Role.SCHOOL, Role.ADMIN)], request_max_body_size=MAX_UPLOAD_BODY_BYTES)
    async def upload_roster(
        self, request: Request, db_session: DbSession, school_code: FromPath[str], data: MultipartBody[RosterUpload],
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
        ensure_allowed(p.role is Role.ADMIN if school is None else can_manage_school(p, school),
                       f"upload a roster for school {school_code}")
        upload = data.data
        content = await upload.read()
        filename = upload.filename or "roster"
        if len(content) > MAX_FILE_BYTES:
            raise InvalidFieldError("data", f"{filename}: file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        try:
            report = await request.app.state.roster_workers.import_roster(content, filename, school_code,
                                                                          valid_rows_only, actor=p, request=request)
        except RosterFileError as exc:
            raise InvalidFieldError("data", f"{filename}: {exc}") from exc
        return Response(report.to_dict(), status_code=201 if report.written else 422)
