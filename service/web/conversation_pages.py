"""Pages of the employer ↔ graduate conversation around an application: the graduate's printable
résumé, the applicant view for employers (résumé snapshot, contact details only with consent while
the application is live, audited), the message thread of an application, withdrawing and the
contact consent, and invitations to apply (sent from the recommended candidates, answered by the
graduate). Every page calls the same service functions as the API (:mod:`service.resumes.service`,
:mod:`service.conversations.service`, :class:`~service.applications.service.ApplicationService`)."""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import TooManyRequestsException
from litestar.params import Body
from litestar.response import Template

from service.accounts.models import Role
from service.applications.models import Application, ApplicationStatus
from service.applications.schemas import StatusChange
from service.applications.service import ApplicationService
from service.auth.guards import (
    can_change_application,
    can_manage_posting,
    ensure_allowed,
    ensure_candidates_allowed,
    ensure_visible,
    require_roles,
)
from service.auth.scoping import applications_clause, exists_where
from service.conversations.models import INVITATION_MAX_CHARS, MESSAGE_MAX_CHARS
from service.conversations.schemas import InvitationAnswer, InvitationCreate
from service.conversations.service import CLOSED_THREAD, invitations_clause, service_for, thread_side
from service.errors import ConflictError, InvalidFieldError
from service.pagination import DbSession, IdPath
from service.postings.models import Posting
from service.postings.repository import PostingRepository
from service.resumes import attachments
from service.resumes.controllers import applicant_attachment_response, file_response, pdf_response
from service.resumes.resume import build_resume
from service.resumes.service import LIVE, applicant, contact_withheld, load_profile, resume_of, set_consent
from service.storage import ATTACHMENT_BODY_BYTES
from service.web.common import Page, PageDep, render, see_other

GRADUATE = [require_roles(Role.GRADUATE)]
EMPLOYER = [require_roles(Role.EMPLOYER)]
PARTIES = [require_roles(Role.GRADUATE, Role.EMPLOYER)]
#: Longest note to the employer, as ``POST /applications`` takes it (characters).
NOTE_MAX_CHARS = 4000


async def _application(page: Page, db_session: DbSession, application_id: int) -> Application:
    """The application (posting loaded) if the signed-in user may read it; the 404 page otherwise."""
    ensure_visible(
        await exists_where(db_session, Application.id, application_id, applications_clause(page.user)),
        "application",
        application_id,
    )
    return await ApplicationService(db_session).get(application_id)


async def _thread_application(page: Page, db_session: DbSession, application_id: int) -> Application:
    application = await _application(page, db_session, application_id)
    ensure_visible(thread_side(page.user, application) is not None, "application", application_id)
    return application


async def _managed_with_candidates(page: Page, db_session: DbSession, posting_id: int) -> Posting:
    """The employer's own posting (404 page otherwise) whose candidates it may see (403 page while unverified)."""
    posting = await PostingRepository(db_session).get(posting_id)
    ensure_visible(posting is not None and can_manage_posting(page.user, posting), "posting", posting_id)
    assert posting is not None
    ensure_candidates_allowed(page.user, posting)
    return posting


@dataclass
class AttachmentForm:
    """The résumé page's upload form: the file in ``attachment``."""

    attachment: UploadFile | None = None


def _checked(value: Any) -> bool:
    return str(value or "").lower() in ("1", "true", "on", "yes")


class ConversationPages(Controller):
    path = "/web"

    # --- résumé and applicant ------------------------------------------------------------

    @get("/resume", guards=GRADUATE)
    async def resume(self, page: PageDep, db_session: DbSession) -> Template:
        """The graduate's résumé from the profile as it is now, laid out for printing, with its PDF
        download and the form for the résumé attachment (PDF or .docx). Applying keeps a copy of
        the résumé, and the attachment, as they are then."""
        return await self._resume_page(page, db_session)

    async def _resume_page(
        self, page: Page, db_session: DbSession, *, error: str | None = None, status_code: int = 200
    ) -> Template:
        assert page.user.graduate_id is not None
        resume = build_resume(await load_profile(db_session, page.user.graduate_id))
        settings = page.request.app.state.settings
        return render(
            page,
            "conversations/resume.html",
            status_code=status_code,
            resume=resume,
            contact=None,
            snapshot_at=None,
            attachment=await attachments.current(db_session, page.user.graduate_id),
            attachment_error=error,
            max_mb=f"{settings.max_resume_attachment_bytes / 2**20:g}",
            saved=page.request.query_params.get("saved"),
        )

    @get("/resume.pdf", guards=GRADUATE, media_type="application/pdf")
    async def resume_pdf(self, page: PageDep, db_session: DbSession) -> Response[bytes]:
        """The same résumé as a PDF download (as ``GET /graduates/{id}/resume.pdf``), headings in the
        page's language, the Chinese font embedded."""
        assert page.user.graduate_id is not None
        resume = build_resume(await load_profile(db_session, page.user.graduate_id))
        return await pdf_response(page.request, resume, page.gettext)

    @get("/resume/attachment", guards=GRADUATE, media_type="application/octet-stream")
    async def own_attachment(self, page: PageDep, db_session: DbSession) -> Response[bytes]:
        """Download one's own current résumé attachment (404 page when there is none)."""
        assert page.user.graduate_id is not None
        row = await attachments.current(db_session, page.user.graduate_id)
        path = attachments.file_of(
            row, page.request.app.state.settings.attachment_dir, "résumé attachment of graduate", page.user.graduate_id
        )
        return file_response(path, row, "resume-attachment")

    @post("/resume/attachment", guards=GRADUATE, request_max_body_size=ATTACHMENT_BODY_BYTES)
    async def upload_attachment(
        self,
        page: PageDep,
        db_session: DbSession,
        data: Annotated[AttachmentForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[Any] | Template:
        """Upload (or replace) the résumé attachment (as ``POST /graduates/{id}/resume/attachment``):
        303 back to the résumé; 422 with the page and the reason (empty, too large, not a PDF or
        .docx by content) otherwise, nothing stored."""
        assert page.user.graduate_id is not None
        settings = page.request.app.state.settings
        upload = data.attachment
        content = await upload.read() if upload is not None else b""
        filename = (upload.filename if upload is not None else "") or "?"
        try:
            await attachments.upload(
                db_session,
                page.user.graduate_id,
                content,
                filename,
                directory=settings.attachment_dir,
                limit=settings.max_resume_attachment_bytes,
            )
        except attachments.AttachmentRefused as exc:
            await db_session.rollback()
            mb = f"{settings.max_resume_attachment_bytes / 2**20:g}"
            message = {
                "empty": page.gettext("Choose a file: %(file)s is empty."),
                "too_large": page.gettext("%(file)s is larger than the %(mb)s MB allowed."),
            }.get(
                exc.reason,
                page.gettext(
                    "%(file)s is not a PDF or Word (.docx) document by its content, "
                    "whatever its name says: save your résumé as PDF or .docx."
                ),
            )
            return await self._resume_page(
                page, db_session, error=message % {"file": filename, "mb": mb}, status_code=422
            )
        return see_other("/web/resume?saved=attachment", page)

    @post("/resume/attachment/delete", guards=GRADUATE, status_code=303)
    async def delete_attachment(self, page: PageDep, db_session: DbSession) -> Response[Any]:
        """Delete the résumé attachment (as ``DELETE /graduates/{id}/resume/attachment``);
        applications already made keep the file they were sent with."""
        assert page.user.graduate_id is not None
        await attachments.remove(db_session, page.user.graduate_id, page.request.app.state.settings.attachment_dir)
        return see_other("/web/resume?saved=attachment_deleted", page)

    @get("/applicants/{application_id:int}/resume.pdf", guards=EMPLOYER, media_type="application/pdf")
    async def applicant_pdf(self, page: PageDep, db_session: DbSession, application_id: IdPath) -> Response[bytes]:
        """The applicant's résumé snapshot as a PDF (as ``GET /applications/{id}/applicant/resume.pdf``:
        contact details only while live with consent; audited). 404 page for another employer's."""
        application = await _application(page, db_session, application_id)
        view = await applicant(db_session, page.user, application, page.request)
        ensure_visible(view.resume is not None, "résumé snapshot of application", application_id)
        assert view.resume is not None
        return await pdf_response(
            page.request,
            view.resume,
            page.gettext,
            contact=view.contact,
            taken_at=view.resume_taken_at,
            name=f"resume-application-{application_id}",
        )

    @get("/applicants/{application_id:int}/attachment", guards=EMPLOYER, media_type="application/octet-stream")
    async def applicant_attachment(
        self, page: PageDep, db_session: DbSession, application_id: IdPath
    ) -> Response[bytes]:
        """The résumé attachment the application carries (as ``GET /applications/{id}/applicant/attachment``;
        audited). 404 page for another employer's or when there is none."""
        application = await _application(page, db_session, application_id)
        return await applicant_attachment_response(page.request, db_session, application)

    @get("/applicants/{application_id:int}", guards=EMPLOYER)
    async def applicant_page(self, page: PageDep, db_session: DbSession, application_id: IdPath) -> Template:
        """One applicant as the employer reads them (as ``GET /applications/{id}/applicant``): the
        résumé snapshot taken when they applied, their note, and their phone and e-mail only while
        the application is live and they agreed; audited. 404 page for another employer's."""
        application = await _application(page, db_session, application_id)
        view = await applicant(db_session, page.user, application, page.request)
        return render(
            page,
            "conversations/applicant.html",
            view=view,
            application=application,
            resume=view.resume,
            contact=view.contact,
            snapshot_at=view.resume_taken_at,
        )

    # --- the graduate's application actions ------------------------------------------------

    @post("/applications/{application_id:int}/withdraw", guards=GRADUATE, status_code=303)
    async def withdraw(self, page: PageDep, db_session: DbSession, application_id: IdPath) -> Response[Any]:
        """Withdraw one's live application (as ``POST /applications/{id}/status`` with
        ``withdrawn``): the employer is told, contact details are no longer shown to it. 404 page
        for another graduate's application; 409 page once it is final."""
        application = await _application(page, db_session, application_id)
        ensure_allowed(can_change_application(page.user, application, ApplicationStatus.WITHDRAWN), "withdraw")
        await ApplicationService(db_session, actor=page.user, request=page.request).change_status(
            application_id, StatusChange(status=ApplicationStatus.WITHDRAWN)
        )
        return see_other("/web/applications?saved=withdrawn", page)

    @post("/applications/{application_id:int}/consent", guards=GRADUATE, status_code=303)
    async def consent(self, page: PageDep, db_session: DbSession, application_id: IdPath) -> Response[Any]:
        """Share (``contact_consent=1``) or stop sharing one's phone and e-mail with the
        application's employer (as ``PUT /applications/{id}/contact-consent``); back to the page
        named by ``next`` (the thread or my applications)."""
        application = await _application(page, db_session, application_id)
        ensure_allowed(application.graduate_id == page.user.graduate_id, "change the consent")
        form = await page.request.form()
        await set_consent(db_session, application, _checked(form.get("contact_consent")))
        back = f"/web/applications/{application_id}/messages"
        return see_other(back if form.get("next") == "thread" else "/web/applications?saved=consent", page)

    # --- the thread --------------------------------------------------------------------------

    async def _thread_page(
        self,
        page: Page,
        db_session: DbSession,
        application: Application,
        *,
        error: str | None = None,
        draft: str = "",
        status_code: int = 200,
    ) -> Template:
        service = service_for(db_session, page.request.app.state.settings)
        messages, _ = await service.thread(page.user, application, 500, 0)
        resume = await resume_of(db_session, application.id)
        side = thread_side(page.user, application)
        return render(
            page,
            "conversations/thread.html",
            status_code=status_code,
            application=application,
            messages=messages,
            side=side,
            error=error,
            draft=draft,
            max_chars=MESSAGE_MAX_CHARS,
            closed=application.status in CLOSED_THREAD,
            consent=bool(resume and resume.contact_consent),
            live=application.status in LIVE,
            contact_shared=contact_withheld(application, resume) is None,
        )

    @get("/applications/{application_id:int}/messages", guards=PARTIES)
    async def thread(self, page: PageDep, db_session: DbSession, application_id: IdPath) -> Template:
        """The messages between the applicant and the employer, oldest first, with the form to
        write (as ``GET /applications/{id}/messages``). 404 page for anyone else."""
        application = await _thread_application(page, db_session, application_id)
        return await self._thread_page(page, db_session, application)

    @post("/applications/{application_id:int}/messages", guards=PARTIES, status_code=303)
    async def send(self, page: PageDep, db_session: DbSession, application_id: IdPath) -> Response[Any] | Template:
        """Write a message (as ``POST /applications/{id}/messages``): 303 back to the thread; the
        thread again with the error next to the box (422 empty, too long, an ID number, contact
        details before consent; 409 closed; 429 too many, what was typed kept)."""
        application = await _thread_application(page, db_session, application_id)
        form = await page.request.form()
        body = str(form.get("body") or "")
        service = service_for(db_session, page.request.app.state.settings)
        try:
            await service.send(page.user, application, body)
        except InvalidFieldError as exc:
            return await self._thread_page(
                page, db_session, application, error=_message_error(page.tr, exc), draft=body, status_code=422
            )
        except ConflictError:
            return await self._thread_page(
                page,
                db_session,
                application,
                draft=body,
                status_code=409,
                error=page.gettext("This conversation is closed: the application was withdrawn or not selected."),
            )
        except TooManyRequestsException as exc:
            headers = exc.headers or {}
            return await self._thread_page(
                page,
                db_session,
                application,
                draft=body,
                status_code=429,
                error=page.gettext("You are sending messages too quickly. Wait %(s)s seconds and send again.")
                % {"s": headers.get("Retry-After", "60")},
            )
        return see_other(f"/web/applications/{application_id}/messages#latest", page)

    # --- invitations -----------------------------------------------------------------------

    @post("/postings/{posting_id:int}/invitations", guards=EMPLOYER, status_code=303)
    async def invite(self, page: PageDep, db_session: DbSession, posting_id: IdPath) -> Response[Any]:
        """Invite a recommended candidate to apply (as ``POST /postings/{id}/invitations``); back
        to the candidates page, which shows the invitation. 404 page for another employer's
        posting; 403 while unverified; 409/422 pages when the candidate cannot be invited."""
        posting = await _managed_with_candidates(page, db_session, posting_id)
        form = await page.request.form()
        try:
            graduate_id = int(str(form.get("graduate_id") or ""))
        except ValueError:
            raise InvalidFieldError("graduate_id", "choose a candidate") from None
        message = str(form.get("message") or "")[:INVITATION_MAX_CHARS] or None
        service = service_for(db_session, page.request.app.state.settings)
        await service.invite(page.user, posting, InvitationCreate(graduate_id=graduate_id, message=message))
        return see_other(f"/web/postings/{posting_id}/candidates?invited=1", page)

    @get("/invitations", guards=GRADUATE)
    async def invitations(self, page: PageDep, db_session: DbSession) -> Template:
        """The graduate's invitations to apply, newest first, each to accept (apply, with a note and
        the contact choice) or decline."""
        service = service_for(db_session, page.request.app.state.settings)
        items, _ = await service.invitations(invitations_clause(page.user), for_employer=False)
        return render(
            page,
            "conversations/invitations.html",
            items=items,
            note_max=NOTE_MAX_CHARS,
            saved=page.request.query_params.get("saved"),
        )

    @post("/invitations/{invitation_id:int}/accept", guards=GRADUATE, status_code=303)
    async def accept(self, page: PageDep, db_session: DbSession, invitation_id: IdPath) -> Response[Any]:
        """Accept: apply with the résumé (as ``POST /invitations/{id}/accept``) and go to the new
        application's conversation. 404 page for another graduate's invitation; 409 page if
        already answered or the job closed."""
        form = await page.request.form()
        note = str(form.get("cover_letter") or "").strip()[:NOTE_MAX_CHARS] or None
        service = service_for(db_session, page.request.app.state.settings)
        invitation = await service.get_invitation(invitation_id, invitations_clause(page.user))
        application = await service.accept(
            invitation, InvitationAnswer(cover_letter=note, share_contact=_checked(form.get("share_contact")))
        )
        return see_other(f"/web/applications/{application.id}/messages", page)

    @post("/invitations/{invitation_id:int}/decline", guards=GRADUATE, status_code=303)
    async def decline(self, page: PageDep, db_session: DbSession, invitation_id: IdPath) -> Response[Any]:
        """Decline (as ``POST /invitations/{id}/decline``); the employer never learns who."""
        service = service_for(db_session, page.request.app.state.settings)
        await service.decline(await service.get_invitation(invitation_id, invitations_clause(page.user)))
        return see_other("/web/invitations?saved=declined", page)


def _message_error(tr: gettext.GNUTranslations, exc: InvalidFieldError) -> str:
    """The message refusal in the page's language, chosen by the rule's code
    (:meth:`~service.conversations.service.ConversationService.send`)."""
    if exc.code == "message_has_id_number":
        return tr.gettext("Do not send ID card numbers in messages.")
    if exc.code == "contact_before_consent":
        return tr.gettext(
            "To give the employer your phone or e-mail, switch on sharing your contact details "
            "for this application first."
        )
    if exc.code == "message_empty":
        return tr.gettext("Write a message first.")
    return tr.gettext("A message can have at most %(n)s characters.") % {"n": MESSAGE_MAX_CHARS}
