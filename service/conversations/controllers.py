"""HTTP endpoints: the message thread of an application and invitations to apply.

Authorisation: a thread is read and written by its two parties — the applicant and the members
of the posting's employer; the admin reads it. An application the caller may not read is a 404
(another employer's, another graduate's); school and department staff, who may read the
application, get 403 for its private thread. Invitations: the employer (verified, for its own
posting) sends them; the invited graduate accepts or declines; others 404.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody

from service.accounts.models import Role
from service.applications.schemas import ApplicationRead
from service.applications.service import ApplicationService, to_read
from service.auth.guards import (
    can_manage_posting,
    current_principal,
    ensure_allowed,
    ensure_candidates_allowed,
    ensure_visible,
    require_roles,
    require_signed_in,
)
from service.conversations.models import Invitation
from service.conversations.schemas import (
    InvitationAnswer,
    InvitationCreate,
    InvitationRead,
    MessageCreate,
    MessageRead,
)
from service.conversations.service import invitations_clause, service_for, thread_side
from service.pagination import DbSession, IdPath, Limit, Offset, Page
from service.postings.models import Posting
from service.postings.repository import PostingRepository
from service.privacy.audit import record
from service.privacy.models import AuditAction
from service.resumes.controllers import visible_application


async def readable_thread(request: Request, db_session: DbSession, application_id: int) -> Any:
    """The application if the caller may read its thread: 404 when it may not read the
    application, 403 when it may (staff) but is not a party (the admin reads)."""
    p = current_principal(request)
    application = await visible_application(request, db_session, application_id)
    ensure_allowed(
        p.role is Role.ADMIN or thread_side(p, application) is not None,
        f"read the messages of application {application_id} (only its applicant and employer)",
    )
    return application


class ConversationController(Controller):
    tags = ["conversations"]

    @get(
        "/applications/{application_id:int}/messages",
        summary="Read an application's messages",
        guards=[require_signed_in],
    )
    async def list_messages(
        self, request: Request, db_session: DbSession, application_id: IdPath, limit: Limit = 20, offset: Offset = 0
    ) -> Page[MessageRead]:
        """The thread between the applicant and the employer, oldest first; reading marks the
        other side's messages read. 404 for an application the caller may not read; 403 for
        staff (the thread is the two parties')."""
        application = await readable_thread(request, db_session, application_id)
        p = current_principal(request)
        if thread_side(p, application) is None:  # the admin reading two people's messages: audited
            await record(
                db_session,
                p,
                AuditAction.READ,
                "application_messages",
                application.id,
                graduate_id=application.graduate_id,
                request=request,
            )
        service = service_for(db_session, request.app.state.settings)
        items, total = await service.thread(p, application, limit, offset)
        return Page(items=items, total=total, limit=limit, offset=offset)

    @post(
        "/applications/{application_id:int}/messages",
        summary="Write a message",
        guards=[require_roles(Role.GRADUATE, Role.EMPLOYER)],
    )
    async def send_message(
        self, request: Request, db_session: DbSession, application_id: IdPath, data: JSONBody[MessageCreate]
    ) -> MessageRead:
        """Write to the other side (1–2000 characters); they are notified. 404 for an application
        the caller may not read; 409 once it is withdrawn or rejected; 422 for an empty body, a
        身份证号, or (from the graduate) a phone number or e-mail before agreeing to share contact
        details; 429 over ``VOCMATCH_MESSAGE_RATE_PER_SENDER``."""
        application = await readable_thread(request, db_session, application_id)
        service = service_for(db_session, request.app.state.settings)
        return await service.send(current_principal(request), application, data.body)


async def managed_posting(request: Request, db_session: DbSession, posting_id: int) -> Posting:
    """The posting if the caller manages it (404 otherwise) and may see its candidates (403)."""
    p = current_principal(request)
    posting = await PostingRepository(db_session).get(posting_id)
    ensure_visible(
        posting is not None and (p.role is Role.ADMIN or can_manage_posting(p, posting)), "posting", posting_id
    )
    assert posting is not None
    ensure_candidates_allowed(p, posting)
    return posting


class InvitationController(Controller):
    tags = ["invitations"]

    @post(
        "/postings/{posting_id:int}/invitations",
        summary="Invite a candidate to apply",
        guards=[require_roles(Role.EMPLOYER, Role.ADMIN)],
    )
    async def invite(
        self, request: Request, db_session: DbSession, posting_id: IdPath, data: JSONBody[InvitationCreate]
    ) -> InvitationRead:
        """Invite a recommended candidate (``graduate_id`` of ``GET /postings/{id}/candidates``) to
        apply; the candidate is notified and stays anonymous to the employer until they accept.
        404 for another employer's posting; 403 while the employer is unverified; 422 for a
        graduate who is not a candidate; 409 if the posting is closed, or the candidate applied or
        was invited already; 429 over ``VOCMATCH_INVITATION_RATE_PER_SENDER``."""
        posting = await managed_posting(request, db_session, posting_id)
        service = service_for(db_session, request.app.state.settings)
        return await service.invite(current_principal(request), posting, data)

    @get(
        "/postings/{posting_id:int}/invitations",
        summary="Invitations sent for a posting",
        guards=[require_roles(Role.EMPLOYER, Role.ADMIN)],
    )
    async def posting_invitations(
        self, request: Request, db_session: DbSession, posting_id: IdPath, limit: Limit = 20, offset: Offset = 0
    ) -> Page[InvitationRead]:
        """The posting's invitations, newest first, each candidate as the anonymous summary (no
        name, no contact); an accepted one names its ``application_id``."""
        posting = await managed_posting(request, db_session, posting_id)
        service = service_for(db_session, request.app.state.settings)
        items, total = await service.invitations(
            Invitation.posting_id == posting.id, for_employer=True, limit=limit, offset=offset
        )
        return Page(items=items, total=total, limit=limit, offset=offset)

    @get("/invitations", summary="My invitations", guards=[require_roles(Role.GRADUATE, Role.EMPLOYER, Role.ADMIN)])
    async def list_invitations(
        self, request: Request, db_session: DbSession, limit: Limit = 20, offset: Offset = 0
    ) -> Page[InvitationRead]:
        """A graduate's invitations (with the employer's name and the posting), or an employer's
        sent ones (anonymous candidates), newest first."""
        p = current_principal(request)
        service = service_for(db_session, request.app.state.settings)
        items, total = await service.invitations(
            invitations_clause(p), for_employer=p.role is not Role.GRADUATE, limit=limit, offset=offset
        )
        return Page(items=items, total=total, limit=limit, offset=offset)

    @post(
        "/invitations/{invitation_id:int}/accept",
        summary="Accept an invitation: apply",
        guards=[require_roles(Role.GRADUATE)],
    )
    async def accept(
        self, request: Request, db_session: DbSession, invitation_id: IdPath, data: JSONBody[InvitationAnswer]
    ) -> ApplicationRead:
        """Apply for the invitation's posting (as ``POST /applications``: résumé snapshot, note,
        contact consent); 201 with the application. 404 for another graduate's invitation; 409 if
        already answered or the posting takes no applications."""
        p = current_principal(request)
        service = service_for(db_session, request.app.state.settings)
        invitation = await service.get_invitation(invitation_id, invitations_clause(p))
        application = await service.accept(invitation, data)
        return to_read(await ApplicationService(db_session).get(application.id))

    @post(
        "/invitations/{invitation_id:int}/decline",
        summary="Decline an invitation",
        guards=[require_roles(Role.GRADUATE)],
        status_code=200,
    )
    async def decline(self, request: Request, db_session: DbSession, invitation_id: IdPath) -> InvitationRead:
        """Decline; the employer sees ``declined`` and never the name. 404 for another graduate's
        invitation; 409 if already answered."""
        p = current_principal(request)
        service = service_for(db_session, request.app.state.settings)
        invitation = await service.decline(await service.get_invitation(invitation_id, invitations_clause(p)))
        items, _ = await service.invitations(Invitation.id == invitation.id, for_employer=False, limit=1)
        return items[0]
