"""Request and response bodies for the audit log, data export and deletion."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from service.accounts.models import Role
from service.accounts.schemas import UserRead
from service.alerts.schemas import JobAlertRead, SavedJobRead
from service.applications.schemas import ApplicationRead
from service.conversations.schemas import InvitationRead, MessageRead
from service.destinations.schemas import DestinationRead
from service.graduates.schemas import GraduateRead
from service.privacy.models import AuditAction, AuditEvent, DeletionStatus, GraduateDeletion


class AuditEventRead(msgspec.Struct):
    """One audit event. ``actor_user_id``/``actor_role`` are null for the system (CLI, jobs);
    ``path`` is without the query string; ``detail`` holds ids and codes only."""

    id: int
    at: dt.datetime
    actor_user_id: int | None
    actor_role: Role | None
    action: AuditAction
    object_type: str
    object_id: str | None
    graduate_id: int | None
    method: str | None
    path: str | None
    client_ip: str | None
    detail: dict[str, Any]


def audit_read(e: AuditEvent) -> AuditEventRead:
    return AuditEventRead(
        id=e.id,
        at=e.at,
        actor_user_id=e.actor_user_id,
        actor_role=e.actor_role,
        action=e.action,
        object_type=e.object_type,
        object_id=e.object_id,
        graduate_id=e.graduate_id,
        method=e.method,
        path=e.path,
        client_ip=e.client_ip,
        detail=dict(e.detail),
    )


class DeletionRequestCreate(msgspec.Struct, forbid_unknown_fields=True):
    """The graduate asks for their personal data to be deleted. ``password`` (the account's
    current password) confirms it is really them, not someone holding a stolen token."""

    password: Annotated[str, Meta(min_length=1, max_length=128)]


class DeletionRead(msgspec.Struct):
    """A deletion request and whether it was carried out. ``*_role`` say who asked / executed
    (user ids are in the audit log)."""

    graduate_id: int
    status: DeletionStatus
    requested_at: dt.datetime
    requested_by_role: Role | None
    executed_at: dt.datetime | None
    executed_by_role: Role | None


def deletion_read(d: GraduateDeletion) -> DeletionRead:
    return DeletionRead(
        graduate_id=d.graduate_id,
        status=d.status,
        requested_at=d.requested_at,
        requested_by_role=d.requested_by_role,
        executed_at=d.executed_at,
        executed_by_role=d.executed_by_role,
    )


class DeletionReport(msgspec.Struct):
    """What a deletion did: counts of rows erased or changed (no personal data)."""

    deletion: DeletionRead
    accounts_deleted: int  # user accounts (with their login sessions)
    applications_withdrawn: int  # open applications moved to ``withdrawn``
    applications_scrubbed: int  # applications whose cover letter and notes were erased
    certificates_deleted: int
    awards_deleted: int
    experiences_deleted: int
    destination_events_kept: int  # kept (anonymous) for the employment figures; notes erased


class LoginSessionRead(msgspec.Struct):
    """One login session of the account (the refresh-token hash is never shown)."""

    id: int
    created_at: dt.datetime
    last_used_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    user_agent: str | None
    client_ip: str | None


class GraduateExport(msgspec.Struct):
    """Everything held about one graduate (个人信息副本), as of ``exported_at``.

    ``profile.id_number_masked`` is the only form of the 身份证号 the service ever returns
    (``id_number_held`` says whether one is stored); passwords are held only as argon2 hashes and
    never exported. ``employer_name`` of each application is the posting's employer.
    """

    exported_at: dt.datetime
    profile: GraduateRead
    id_number_held: bool
    applications: list[ApplicationExport]
    destinations: list[DestinationRead]
    account: UserRead | None
    login_sessions: list[LoginSessionRead]
    audit_events: list[AuditEventRead]
    deletion: DeletionRead | None
    #: invitations to apply the graduate received (service/conversations)
    invitations: list[InvitationRead] = msgspec.field(default_factory=list)
    #: saved postings and saved searches (service/alerts)
    saved_jobs: list[SavedJobRead] = msgspec.field(default_factory=list)
    job_alerts: list[JobAlertRead] = msgspec.field(default_factory=list)


class ApplicationExport(msgspec.Struct):
    """An application with its status history and the employer applied to, the résumé snapshot it
    keeps, the contact consent, and its message thread."""

    application: ApplicationRead
    employer_id: int
    employer_name: str
    resume_snapshot: dict[str, Any] | None = None
    contact_consent: bool = False
    messages: list[MessageRead] = msgspec.field(default_factory=list)
