"""A graduate's data export (个人信息副本): everything the service holds about one person."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.connection import ASGIConnection
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from service.accounts.models import AuthSession, User
from service.accounts.service import to_read as user_read
from service.applications.models import Application
from service.applications.service import to_read as application_read
from service.auth.guards import Principal
from service.config import beijing_today
from service.destinations.repository import DestinationRepository
from service.destinations.service import to_read as destination_read
from service.graduates.service import GraduateService
from service.graduates.service import to_read as graduate_read
from service.postings.models import Posting
from service.privacy.audit import events_about, record
from service.privacy.models import AuditAction, GraduateDeletion
from service.privacy.schemas import (
    ApplicationExport,
    GraduateExport,
    LoginSessionRead,
    audit_read,
    deletion_read,
)


async def export_graduate(
    session: AsyncSession,
    principal: Principal,
    graduate_id: int,
    request: ASGIConnection[Any, Any, Any, Any] | None = None,
) -> GraduateExport:
    """Collect the profile (身份证号 masked), applications with status history and employer (each
    with its résumé snapshot, contact consent and message thread), invitations to apply,
    saved jobs and job alerts, destination events, the login account (no password hash) and its
    sessions (no token hashes),
    the audit events about the graduate, and any deletion request; record an ``export`` audit
    event (included in the export itself). Authorisation is the caller's
    (:func:`service.privacy.access.check_export`).

    Raises:
        NotFoundError: unknown graduate (404).
    """
    graduate = await GraduateService(session).get(graduate_id)
    apps_stmt = (
        select(Application)
        .options(selectinload(Application.posting).selectinload(Posting.employer), selectinload(Application.history))
        .where(Application.graduate_id == graduate_id)
        .order_by(Application.id)
    )
    applications = (await session.execute(apps_stmt)).scalars().all()
    events = await DestinationRepository(session).history(graduate_id)
    user = (await session.execute(select(User).where(User.graduate_id == graduate_id))).scalar_one_or_none()
    sessions = (
        []
        if user is None
        else (await session.execute(select(AuthSession).where(AuthSession.user_id == user.id).order_by(AuthSession.id)))
        .scalars()
        .all()
    )
    deletion = (
        await session.execute(select(GraduateDeletion).where(GraduateDeletion.graduate_id == graduate_id))
    ).scalar_one_or_none()
    from service.conversations.models import Invitation, Message
    from service.conversations.service import service_for, to_message_read
    from service.resumes.models import ApplicationResume

    ids = [a.id for a in applications]
    resumes = (
        {
            r.application_id: r
            for r in (
                await session.execute(select(ApplicationResume).where(ApplicationResume.application_id.in_(ids)))
            ).scalars()
        }
        if ids
        else {}
    )
    threads: dict[int, list[Any]] = {}
    for m in (
        (await session.execute(select(Message).where(Message.application_id.in_(ids)).order_by(Message.id))).scalars()
        if ids
        else []
    ):
        threads.setdefault(m.application_id, []).append(to_message_read(m, graduate_side=True))
    invitations, _ = await service_for(session, None).invitations(
        Invitation.graduate_id == graduate_id, for_employer=False, limit=1000
    )
    from service.alerts.service import AlertService, alert_read, saved_read

    saved_list = AlertService(session, graduate_id)
    saved, _ = await saved_list.saved_jobs()
    alerts = await saved_list.alerts()
    await record(
        session,
        principal,
        AuditAction.EXPORT,
        "graduate",
        graduate_id,
        graduate_id=graduate_id,
        request=request,
        detail={"applications": len(applications), "destination_events": len(events), "account": user is not None},
    )
    return GraduateExport(
        exported_at=dt.datetime.now(dt.UTC),
        profile=graduate_read(graduate, id_tail=True),  # the holder or the admin (access.check_export)
        id_number_held=graduate.id_number is not None,
        applications=[
            ApplicationExport(
                application=application_read(a),
                employer_id=a.posting.employer_id,
                employer_name=a.posting.employer.name,
                resume_snapshot=resumes[a.id].snapshot if a.id in resumes else None,
                contact_consent=bool(a.id in resumes and resumes[a.id].contact_consent),
                messages=threads.get(a.id, []),
            )
            for a in applications
        ],
        destinations=[destination_read(e) for e in events],
        account=None if user is None else user_read(user),
        login_sessions=[
            LoginSessionRead(
                id=s.id,
                created_at=s.created_at,
                last_used_at=s.last_used_at,
                expires_at=s.expires_at,
                revoked_at=s.revoked_at,
                user_agent=s.user_agent,
                client_ip=s.client_ip,
            )
            for s in sessions
        ],
        audit_events=[audit_read(e) for e in await events_about(session, graduate_id)],
        deletion=None if deletion is None else deletion_read(deletion),
        invitations=invitations,
        saved_jobs=[saved_read(s, beijing_today()) for s in saved],
        job_alerts=[alert_read(a) for a in alerts],
    )
