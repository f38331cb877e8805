"""HTTP endpoints: the audit log (``GET /audit``), a graduate's data export and deletion."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.params import JSONBody, QueryParameter

from service.accounts.models import Role
from service.auth.guards import current_principal, require_roles, require_signed_in
from service.errors import InvalidFieldError, NotFoundError
from service.inputs import SIGN_IN_BODY_BYTES
from service.pagination import DbSession, IdPath, IdQuery, Limit, Offset, Page
from service.privacy import access
from service.privacy.audit import AuditFilter, audit_clause, list_events
from service.privacy.deletion import execute_deletion, get_deletion, request_deletion
from service.privacy.export import export_graduate
from service.privacy.models import AuditAction
from service.privacy.scheduled import erase_from_files
from service.privacy.schemas import (
    AuditEventRead,
    DeletionRead,
    DeletionReport,
    DeletionRequestCreate,
    GraduateExport,
    audit_read,
    deletion_read,
)

AnyRequest = Request[Any, Any, Any]
Since = Annotated[dt.datetime | None, QueryParameter(description="events at or after (ISO 8601 with time zone)")]
Until = Annotated[dt.datetime | None, QueryParameter(description="events before (ISO 8601 with time zone)")]
ObjectType = Annotated[
    str | None, QueryParameter(max_length=40, pattern=r"^[a-z_]+$", description="e.g. graduate, destination_event")
]


def _aware(name: str, value: dt.datetime | None) -> dt.datetime | None:
    if value is not None and value.tzinfo is None:
        raise InvalidFieldError(name, "give a time zone, e.g. 2026-01-01T00:00:00+08:00")
    return None if value is None else value.astimezone(dt.UTC)


class AuditController(Controller):
    path = "/audit"
    tags = ["privacy"]

    @get(
        "/",
        summary="Audit log (who read, exported or changed personal data)",
        guards=[require_roles(Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)],
    )
    async def list_audit_events(
        self,
        request: AnyRequest,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        graduate_id: IdQuery = None,
        actor_user_id: IdQuery = None,
        action: Annotated[AuditAction | None, QueryParameter()] = None,
        object_type: ObjectType = None,
        since: Since = None,
        until: Until = None,
    ) -> Page[AuditEventRead]:
        """Audit events, newest first. The system admin sees all; school staff those about their
        school's graduates; department admins those about graduates of schools in their region.

        Errors: 401 signed out; 403 graduates and employers; 400 malformed filter; 422 ``since``
        or ``until`` without a time zone.
        """
        principal = current_principal(request)
        f = AuditFilter(
            graduate_id=graduate_id,
            actor_user_id=actor_user_id,
            action=action,
            object_type=object_type,
            since=_aware("since", since),
            until=_aware("until", until),
        )
        items, total = await list_events(db_session, f, limit, offset, audit_clause(principal))
        return Page(items=[audit_read(e) for e in items], total=total, limit=limit, offset=offset)


class PrivacyController(Controller):
    path = "/graduates/{graduate_id:int}"
    tags = ["privacy"]

    @get("/export", summary="Export all data held about a graduate", guards=[require_signed_in])
    async def export_graduate_data(
        self, request: AnyRequest, db_session: DbSession, graduate_id: IdPath
    ) -> GraduateExport:
        """Profile (身份证号 only masked), applications with status history, destination events,
        login account (no password hash) and sessions, audit events about the graduate, deletion
        request. The graduate themself and the system admin only; recorded as an ``export`` audit
        event. Errors: 401 signed out; 403 others who may see the graduate; 404 unknown or not visible."""
        principal = current_principal(request)
        await access.check_export(db_session, principal, graduate_id)
        return await export_graduate(db_session, principal, graduate_id, request)

    @post(
        "/deletion-request",
        summary="Ask for your data to be deleted",
        guards=[require_roles(Role.GRADUATE)],
        request_max_body_size=SIGN_IN_BODY_BYTES,
    )
    async def request_graduate_deletion(
        self, request: AnyRequest, db_session: DbSession, graduate_id: IdPath, data: JSONBody[DeletionRequestCreate]
    ) -> DeletionRead:
        """The graduate asks (201, status ``pending``), confirming with their password; staff of
        their school or the admin then carry it out with ``DELETE /graduates/{id}``.
        Errors: 401 signed out or wrong password; 403 another graduate's id (own school's staff
        and admins cannot ask on someone's behalf); 404 unknown; 409 already asked."""
        principal = current_principal(request)
        await access.check_request_deletion(db_session, principal, graduate_id)
        return deletion_read(await request_deletion(db_session, principal, graduate_id, data.password, request))

    @get(
        "/deletion-request",
        summary="State of a deletion request",
        guards=[require_roles(Role.GRADUATE, Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)],
    )
    async def get_graduate_deletion(
        self, request: AnyRequest, db_session: DbSession, graduate_id: IdPath
    ) -> DeletionRead:
        """``pending`` or ``executed`` with dates. 404 when the graduate is unknown or not visible
        to the caller, or has not asked."""
        await access.check_read_deletion(db_session, current_principal(request), graduate_id)
        deletion = await get_deletion(db_session, graduate_id)
        if deletion is None:
            raise NotFoundError("deletion request of graduate", graduate_id)
        return deletion_read(deletion)


# A plain handler, not a PrivacyController method: two controllers on one path make Litestar 2
# register OPTIONS twice (GraduateController already serves GET/PATCH /graduates/{id}).
@delete(
    "/graduates/{graduate_id:int}",
    summary="Delete a graduate's personal data",
    status_code=200,
    request_max_body_size=SIGN_IN_BODY_BYTES,
    tags=["privacy"],
    guards=[require_roles(Role.SCHOOL, Role.ADMIN)],
)
async def delete_graduate(request: AnyRequest, db_session: DbSession, graduate_id: IdPath) -> DeletionReport:
    """Erase the personal data (name, 身份证号, phone, free text, certificates, awards,
    experiences, login account) and withdraw open applications, keeping the anonymised row and
    destination events that the employment figures count. Staff of the graduate's school after
    the graduate asked; the system admin at any time. Audited (``delete``). On SQLite the values
    are gone from the database files when this answers; on PostgreSQL after the nightly
    ``purge_deleted`` job (:mod:`service.privacy.scheduled`).
    Errors: 401 signed out; 403 other roles or schools; 404 unknown; 409 already deleted, or
    no request from the graduate (school staff)."""
    principal = current_principal(request)
    graduate = await access.check_delete(db_session, principal, graduate_id)
    report = await execute_deletion(
        db_session, principal, graduate, request, attachment_dir=request.app.state.settings.attachment_dir
    )
    await db_session.commit()  # then the old values leave the files (SQLite now; PostgreSQL: nightly job)
    await erase_from_files(db_session.bind)  # type: ignore[arg-type]  # bound to the app's engine
    return report
