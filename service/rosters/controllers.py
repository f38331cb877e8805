"""HTTP endpoint for roster uploads (``POST /schools/{code}/rosters``)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, MultipartBody, QueryParameter

from service.errors import InvalidFieldError
from service.pagination import DbSession
from service.rosters.service import RosterFileError, import_roster

MAX_BYTES = 50 * 1024 * 1024


class RosterController(Controller):
    path = "/schools/{school_code:str}/rosters"
    tags = ["rosters"]

    @post("/", summary="Upload a graduate roster (毕业生名册)")
    async def upload_roster(
        self, db_session: DbSession, school_code: FromPath[str], data: MultipartBody[UploadFile],
        valid_rows_only: Annotated[bool, QueryParameter(description="store valid rows even if some fail")] = False,
    ) -> Response[dict[str, Any]]:
        """Import the uploaded .xlsx/.csv (multipart field ``data``) for the school with 学校标识码
        ``school_code`` and return the validation report (``rejected``: row, column, reason).

        201 when rows were stored; 422 with the report when rows were rejected and nothing was
        stored (all-or-nothing by default), or when the file cannot be read (field ``data``).
        """
        content = await data.read()
        if len(content) > MAX_BYTES:
            raise InvalidFieldError("data", f"file larger than {MAX_BYTES // (1024 * 1024)} MB")
        try:
            report = await import_roster(db_session, content, data.filename or "roster", school_code,
                                         valid_rows_only)
        except RosterFileError as exc:
            raise InvalidFieldError("data", str(exc)) from exc
        return Response(report.to_dict(), status_code=201 if report.written else 422)
