"""Deleting a graduate's personal data while keeping the anonymous counts reports were built from.

Flow: the graduate asks (``POST /graduates/{id}/deletion-request``, confirmed with their password:
a pending :class:`~service.privacy.models.GraduateDeletion`); staff of their school or the system
admin carry it out (``DELETE /graduates/{id}``; the admin may also act on a request received in
writing, without a pending one). Both steps are audited.

What :func:`execute_deletion` does, in the request's one transaction:

* **erased** — name (replaced by :data:`DELETED_NAME`), 身份证号, phone, student number, external
  id, 班级, training institution, home region/province/city, skills, summary, wished titles, locations, salary and job types;
  certificates, awards and internships/jobs (rows deleted); the login account(s) and their login
  sessions and the activation codes; cover letters and status-change notes of every application, its
  résumé snapshot and contact consent, the message threads of the graduate's applications and the
  invitations to apply sent to them (:func:`service.conversations.service.erase_for_graduate`); the
  free-text ``note`` of every destination event and the reason text of the school's 对口 overrides; the
  three-party agreements (三方协议) of their internship placements, files included (the placements stay:
  school, employer, period); their résumé attachments, files included, also those applications carry.
* **withdrawn** — applications still open (applied/viewed/interview/offer), with a history entry.
* **kept** — the graduate row's id, kind, gender, school, major, education level, graduation date,
  cohort (届), country and 困难群体 flag, and every destination event's structured fields (category,
  dates, employer, title, industry, region, salary, contract, insurance, 对口 flag): exactly what
  :mod:`service.reports.compute` counts, so a report recomputed for an earlier date and knowledge
  cut-off gives the same figures. ``recommendable`` is set false (never recommended again).
* **audit log** — kept as it is: it names ids, never personal data, and is the record of who
  processed the data (including this deletion).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import msgspec
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from sqlalchemy import ColumnElement, Table, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.accounts.security import verify_password
from service.applications.models import Application, ApplicationEvent, ApplicationStatus
from service.auth.guards import Principal
from service.db import rowcount
from service.destinations.models import DestinationEvent, DestinationEventKind
from service.errors import ConflictError
from service.graduates.models import Graduate
from service.graduates.repository import full_profile
from service.internships.service import erase_agreements
from service.privacy.audit import record
from service.privacy.models import AuditAction, DeletionStatus, GraduateDeletion
from service.privacy.schemas import DeletionReport, deletion_read
from service.resumes.attachments import erase_for_graduate as erase_resume_attachments
from service.signup.models import ActivationCode

#: What an erased graduate's ``name`` becomes (the column is NOT NULL).
DELETED_NAME = "(已删除)"
OPEN_STATUSES = (
    ApplicationStatus.APPLIED,
    ApplicationStatus.VIEWED,
    ApplicationStatus.INTERVIEW,
    ApplicationStatus.OFFER,
)
_ERASED: dict[str, Any] = {
    "name": DELETED_NAME,
    "student_number": None,
    "id_number": None,
    "phone": None,
    "external_id": None,
    "region_code": None,
    "province": None,
    "city": None,
    "skills": [],
    "summary": "",
    "desired_titles": [],
    "preferred_locations": [],
    "min_salary_monthly": None,
    "preferred_job_types": [],
    "recommendable": False,
    "class_name": None,
    "training_institution": None,
}


async def get_deletion(session: AsyncSession, graduate_id: int) -> GraduateDeletion | None:
    stmt = select(GraduateDeletion).where(GraduateDeletion.graduate_id == graduate_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def request_deletion(
    session: AsyncSession,
    principal: Principal,
    graduate_id: int,
    password: str,
    request: ASGIConnection[Any, Any, Any, Any] | None = None,
) -> GraduateDeletion:
    """Record the graduate's own request (status ``pending``), after checking their password.

    Raises:
        NotAuthorizedException: wrong password (401).
        ConflictError: a request already exists (pending or executed; 409).
    """
    user = await session.get(User, principal.user_id)
    if user is None or not await verify_password(user.password_hash, password):
        raise NotAuthorizedException("password: wrong password; the request was not recorded")
    existing = await get_deletion(session, graduate_id)
    if existing is not None:
        raise ConflictError(
            f"graduate {graduate_id} already asked for deletion on "
            f"{existing.requested_at:%Y-%m-%d} (status {existing.status.value})"
        )
    deletion = GraduateDeletion(
        graduate_id=graduate_id,
        status=DeletionStatus.PENDING,
        requested_at=dt.datetime.now(dt.UTC),
        requested_by_user_id=principal.user_id,
        requested_by_role=principal.role,
    )
    session.add(deletion)
    await session.flush()
    await record(
        session,
        principal,
        AuditAction.DELETION_REQUEST,
        "graduate",
        graduate_id,
        graduate_id=graduate_id,
        request=request,
    )
    return deletion


async def _withdraw_and_scrub_applications(session: AsyncSession, graduate_id: int) -> tuple[int, int]:
    apps = (
        (
            await session.execute(
                select(Application).where(Application.graduate_id == graduate_id).order_by(Application.id)
            )
        )
        .scalars()
        .all()
    )
    withdrawn = 0
    for app in apps:
        if app.status in OPEN_STATUSES:
            session.add(
                ApplicationEvent(application_id=app.id, from_status=app.status, to_status=ApplicationStatus.WITHDRAWN)
            )
            app.status = ApplicationStatus.WITHDRAWN
            withdrawn += 1
        app.cover_letter = None
    await session.flush()
    if apps:
        await session.execute(
            update(ApplicationEvent)
            .where(ApplicationEvent.application_id.in_([a.id for a in apps]))
            .values(note=None)
            .execution_options(synchronize_session=False)
        )
    return withdrawn, len(apps)


async def _scrub_destination_text(session: AsyncSession, graduate_id: int) -> int:
    """Erase free text on the (append-only) destination events with a table-level UPDATE: the
    ORM guard refuses changes to events, and this is the one change allowed to them."""
    table = cast(Table, DestinationEvent.__table__)  # a mapped class's table (typed as a FromClause)
    await session.execute(update(table).where(table.c.graduate_id == graduate_id).values(note=None))
    await session.execute(
        update(table)
        .where(table.c.graduate_id == graduate_id, table.c.kind == DestinationEventKind.IN_FIELD_OVERRIDE.value)
        .values(in_field_reason=None)
    )
    count = select(func.count()).select_from(table).where(table.c.graduate_id == graduate_id)
    return (await session.execute(count)).scalar_one()


async def execute_deletion(
    session: AsyncSession,
    principal: Principal,
    graduate: Graduate,
    request: ASGIConnection[Any, Any, Any, Any] | None = None,
    attachment_dir: str | None = None,
) -> DeletionReport:
    """Erase ``graduate``'s personal data as the module docstring says; flush, the caller commits.
    Authorisation (admin, or staff of the graduate's school) is the caller's
    (:func:`service.privacy.access.check_delete`); this checks the request state.

    Raises:
        ConflictError: already deleted (409), or school staff acting without a pending request
            from the graduate (409).
    """
    deletion = await get_deletion(session, graduate.id)
    if deletion is not None and deletion.status is DeletionStatus.EXECUTED:
        raise ConflictError(f"graduate {graduate.id} was already deleted on {deletion.executed_at:%Y-%m-%d}")
    if deletion is None and principal.role is not Role.ADMIN:
        raise ConflictError(
            f"graduate {graduate.id} has not asked for deletion: the graduate asks with "
            "POST /graduates/{id}/deletion-request (or the system admin acts on a written request)"
        )
    full = (
        await session.execute(
            select(Graduate)
            .options(*full_profile())
            .where(Graduate.id == graduate.id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    counts = {
        "certificates_deleted": len(full.certificates),
        "awards_deleted": len(full.awards),
        "experiences_deleted": len(full.experiences),
    }
    full.certificates, full.awards, full.experiences = [], [], []
    for name, value in _ERASED.items():
        setattr(full, name, value)
    withdrawn, scrubbed = await _withdraw_and_scrub_applications(session, full.id)
    from service.conversations.service import erase_for_graduate  # it reads this module's clause

    conversations = await erase_for_graduate(session, full.id)
    from service.alerts.service import erase_for_graduate as erase_alerts

    conversations |= {k: v for k, v in (await erase_alerts(session, full.id)).items() if v}
    kept = await _scrub_destination_text(session, full.id)
    agreements = await erase_agreements(session, full.id, attachment_dir)
    resume_files = await erase_resume_attachments(session, full.id, attachment_dir)
    accounts = rowcount(
        await session.execute(
            delete(User).where(User.graduate_id == full.id).execution_options(synchronize_session=False)
        )
    )
    # unused invitation codes would let someone open an account on the erased record
    await session.execute(
        delete(ActivationCode).where(ActivationCode.graduate_id == full.id).execution_options(synchronize_session=False)
    )
    now = dt.datetime.now(dt.UTC)
    if deletion is None:
        deletion = GraduateDeletion(
            graduate_id=full.id,
            requested_at=now,
            requested_by_user_id=principal.user_id,
            requested_by_role=principal.role,
        )
        session.add(deletion)
    deletion.status, deletion.executed_at = DeletionStatus.EXECUTED, now
    deletion.executed_by_user_id, deletion.executed_by_role = principal.user_id, principal.role
    await session.flush()
    report = DeletionReport(
        deletion=deletion_read(deletion),
        accounts_deleted=accounts or 0,
        applications_withdrawn=withdrawn,
        applications_scrubbed=scrubbed,
        destination_events_kept=kept,
        **counts,
    )
    detail = {k: v for k, v in msgspec.structs.asdict(report).items() if isinstance(v, int)} | conversations
    if agreements:
        detail["internship_agreements_deleted"] = agreements
    if resume_files:
        detail["resume_attachments_deleted"] = resume_files
    await record(
        session, principal, AuditAction.DELETE, "graduate", full.id, graduate_id=full.id, request=request, detail=detail
    )
    return report


def not_deleted_clause() -> ColumnElement[bool]:
    """Graduates whose deletion has not been executed (lists leave the anonymised rows out; their
    destination events still count in reports)."""
    return Graduate.id.not_in(
        select(GraduateDeletion.graduate_id).where(GraduateDeletion.status == DeletionStatus.EXECUTED)
    )
