"""HTTP endpoints: the applicant view of an application, the graduate's contact consent, and the
résumé generated from a profile.

Authorisation: an application the caller may not read is a 404 (as in ``/applications``); the
consent is the applicant's alone (other roles 403); a graduate's résumé (JSON, PDF, attachment) is
read by the graduate and by the staff who may read the profile (employers read the snapshot of an
application instead: 403); only the graduate uploads or deletes their attachment. The applicant's
PDF and attachment follow the applicant view's rule (readers of the application; contact details
only while live with consent; audited).
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext as gettext_module
from dataclasses import dataclass
from typing import Any

from anyio import to_thread
from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import UploadFile
from litestar.params import JSONBody, MultipartBody

from service.accounts.models import Role
from service.applications.models import Application
from service.applications.service import ApplicationService
from service.auth.guards import (
    current_principal,
    ensure_allowed,
    ensure_visible,
    require_roles,
    require_signed_in,
)
from service.auth.scoping import applications_clause, exists_where, graduates_clause
from service.errors import NotFoundError
from service.graduates.models import Graduate
from service.pagination import DbSession, IdPath
from service.privacy.audit import record
from service.privacy.models import AuditAction
from service.resumes import attachments
from service.resumes.pdf import render_pdf, resolve_font
from service.resumes.resume import build_resume
from service.resumes.schemas import ApplicantRead, AttachmentRead, ConsentChange, ConsentRead, ResumeRead
from service.resumes.service import applicant, load_profile, set_consent
from service.rosters.controllers import _expect_file
from service.storage import ATTACHMENT_BODY_BYTES, download_headers
from service.web.i18n import LANG_COOKIE, load_catalogues, normalise_locale, pick_locale


@dataclass
class AttachmentUpload:
    """The multipart/form-data body: the résumé file (PDF or Word .docx) in the form field ``data``."""

    data: UploadFile


@functools.lru_cache(maxsize=1)
def _catalogues() -> Any:
    return load_catalogues()


def request_gettext(request: Request[Any, Any, Any]) -> Any:
    """The translation of the caller's language (``?lang=``, the language cookie, Accept-Language)."""
    locale = pick_locale(
        normalise_locale(request.query_params.get("lang")),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )
    translations: gettext_module.GNUTranslations = _catalogues().get(locale)
    return translations.gettext


async def pdf_response(
    request: Request[Any, Any, Any],
    resume: dict[str, Any],
    gettext: Any,
    *,
    contact: Any = None,
    taken_at: dt.datetime | None = None,
    name: str = "resume",
) -> Response[bytes]:
    """The résumé as a PDF download (rendered in a worker thread; 503 problem without a Chinese font)."""
    font = resolve_font(request.app.state.settings.resume_font)
    content = await to_thread.run_sync(
        lambda: render_pdf(resume, gettext, font=font, contact=contact, taken_at=taken_at)
    )
    return Response(
        content=content,
        media_type="application/pdf",
        headers=download_headers(f"{name}.pdf", f"{name}-{resume.get('name') or ''}.pdf"),
    )


def file_response(path: Any, row: Any, ascii_name: str) -> Response[bytes]:
    """A stored résumé attachment as a download with its checked content type."""
    suffix = ".pdf" if row.media_type == attachments.PDF_TYPE else ".docx"
    return Response(
        content=path.read_bytes(),
        media_type=row.media_type,
        headers=download_headers(f"{ascii_name}{suffix}", row.filename),
    )


async def visible_application(request: Request, db_session: DbSession, application_id: int) -> Application:
    """The application (posting and history loaded) if the caller may read it; 404 otherwise."""
    clause = applications_clause(current_principal(request))
    ensure_visible(
        await exists_where(db_session, Application.id, application_id, clause), "application", application_id
    )
    return await ApplicationService(db_session).get(application_id)


class ResumeController(Controller):
    tags = ["applications"]

    @get(
        "/applications/{application_id:int}/applicant",
        summary="Read an applicant's résumé snapshot",
        guards=[require_signed_in],
    )
    async def get_applicant(self, request: Request, db_session: DbSession, application_id: IdPath) -> ApplicantRead:
        """The application as its employer reads it: the résumé snapshot taken when the graduate
        applied (later profile edits do not change it), the graduate's note, and the phone and
        e-mail — only while the application is live and the graduate has agreed
        (``contact_withheld`` says why not). Never any part of the 身份证号. Every read by someone
        other than the graduate is audited (``applicant``; ``applicant_contact`` when contact
        details were shown). 404 for an application the caller may not read."""
        application = await visible_application(request, db_session, application_id)
        return await applicant(db_session, current_principal(request), application, request)

    @put(
        "/applications/{application_id:int}/contact-consent",
        summary="Share or stop sharing contact details",
        guards=[require_roles(Role.GRADUATE)],
        status_code=200,
    )
    async def put_consent(
        self, request: Request, db_session: DbSession, application_id: IdPath, data: JSONBody[ConsentChange]
    ) -> ConsentRead:
        """The applicant agrees (``true``) or stops agreeing (``false``) that the posting's employer
        sees their phone and e-mail (PIPL Art. 23 and 15). 404 for another graduate's application;
        409 to agree for an application that is no longer live."""
        p = current_principal(request)
        application = await visible_application(request, db_session, application_id)
        ensure_allowed(application.graduate_id == p.graduate_id, "change another graduate's consent")
        return await set_consent(db_session, application, data.contact_consent)

    @get(
        "/graduates/{graduate_id:int}/resume",
        summary="A graduate's résumé from their profile now",
        guards=[require_roles(Role.GRADUATE, Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)],
    )
    async def get_resume(self, request: Request, db_session: DbSession, graduate_id: IdPath) -> ResumeRead:
        """The résumé generated from the profile as it is now (school, major, skills,
        certificates, awards, internships, preferences; no 身份证号, phone or e-mail). The graduate
        reads their own; staff those they may read (audited). 404 for a graduate the caller may
        not read; employers 403 (they read the snapshot an application keeps)."""
        p = current_principal(request)
        ensure_visible(
            await exists_where(db_session, Graduate.id, graduate_id, graduates_clause(p)), "graduate", graduate_id
        )
        if p.graduate_id != graduate_id:
            await record(
                db_session, p, AuditAction.READ, "resume", graduate_id, graduate_id=graduate_id, request=request
            )
        return ResumeRead(
            graduate_id=graduate_id,
            resume=build_resume(await load_profile(db_session, graduate_id)),
            attachment=AttachmentRead.of(await attachments.current(db_session, graduate_id)),
        )

    @get(
        "/graduates/{graduate_id:int}/resume.pdf",
        summary="A graduate's résumé as a PDF",
        guards=[require_roles(Role.GRADUATE, Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)],
        media_type="application/pdf",
    )
    async def get_resume_pdf(self, request: Request, db_session: DbSession, graduate_id: IdPath) -> Response[bytes]:
        """The résumé from the profile now as a PDF (A4, the Chinese font embedded and subset;
        headings in the caller's language, ``?lang=zh|en``); the same readers and audit as
        ``GET /graduates/{id}/resume``. 503 when the server has no Chinese font."""
        resume = await self._readable_resume(request, db_session, graduate_id)
        return await pdf_response(request, resume, request_gettext(request))

    async def _readable_resume(self, request: Request, db_session: DbSession, graduate_id: int) -> dict[str, Any]:
        p = current_principal(request)
        ensure_visible(
            await exists_where(db_session, Graduate.id, graduate_id, graduates_clause(p)), "graduate", graduate_id
        )
        if p.graduate_id != graduate_id:
            await record(
                db_session, p, AuditAction.READ, "resume", graduate_id, graduate_id=graduate_id, request=request
            )
        return build_resume(await load_profile(db_session, graduate_id))

    @get(
        "/applications/{application_id:int}/applicant/resume.pdf",
        summary="An applicant's résumé snapshot as a PDF",
        guards=[require_signed_in],
        media_type="application/pdf",
    )
    async def get_applicant_pdf(
        self, request: Request, db_session: DbSession, application_id: IdPath
    ) -> Response[bytes]:
        """The résumé snapshot of the application as a PDF, exactly as ``GET …/applicant`` shows it:
        phone and e-mail only while the application is live and the graduate agreed; audited the
        same way. 404 for an application the caller may not read or one without a snapshot."""
        application = await visible_application(request, db_session, application_id)
        view = await applicant(db_session, current_principal(request), application, request)
        if view.resume is None:
            raise NotFoundError("résumé snapshot of application", application_id)
        return await pdf_response(
            request,
            view.resume,
            request_gettext(request),
            contact=view.contact,
            taken_at=view.resume_taken_at,
            name=f"resume-application-{application_id}",
        )

    @get(
        "/applications/{application_id:int}/applicant/attachment",
        summary="Download the résumé attachment an application carries",
        guards=[require_signed_in],
        media_type="application/octet-stream",
    )
    async def get_applicant_attachment(
        self, request: Request, db_session: DbSession, application_id: IdPath
    ) -> Response[bytes]:
        """The file (PDF or .docx) the graduate had as their résumé attachment when applying —
        later replacements do not change it — for the readers of the application (as
        ``GET …/applicant``); audited (``applicant_attachment``). 404 when it carries none."""
        application = await visible_application(request, db_session, application_id)
        return await applicant_attachment_response(request, db_session, application)

    @get(
        "/graduates/{graduate_id:int}/resume/attachment",
        summary="Download a graduate's résumé attachment",
        guards=[require_roles(Role.GRADUATE, Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)],
        media_type="application/octet-stream",
    )
    async def get_attachment(self, request: Request, db_session: DbSession, graduate_id: IdPath) -> Response[bytes]:
        """The graduate's current résumé attachment; the readers (and audit) of
        ``GET /graduates/{id}/resume``. 404 when there is none."""
        p = current_principal(request)
        ensure_visible(
            await exists_where(db_session, Graduate.id, graduate_id, graduates_clause(p)), "graduate", graduate_id
        )
        row = await attachments.current(db_session, graduate_id)
        path = attachments.file_of(
            row, request.app.state.settings.attachment_dir, "résumé attachment of graduate", graduate_id
        )
        if p.graduate_id != graduate_id:
            await record(
                db_session,
                p,
                AuditAction.READ,
                "resume_attachment",
                graduate_id,
                graduate_id=graduate_id,
                request=request,
            )
        return file_response(path, row, "resume-attachment")

    @post(
        "/graduates/{graduate_id:int}/resume/attachment",
        summary="Upload the résumé attachment (PDF or .docx)",
        type_decoders=[(lambda t: t is UploadFile, _expect_file)],
        status_code=200,
        guards=[require_roles(Role.GRADUATE)],
        request_max_body_size=ATTACHMENT_BODY_BYTES,
    )
    async def upload_attachment(
        self, request: Request, db_session: DbSession, graduate_id: IdPath, data: MultipartBody[AttachmentUpload]
    ) -> AttachmentRead:
        """Store the graduate's résumé file (field ``data``), replacing the current one; applications
        already made keep the file they were sent with. Checked by content, not name: 422 naming
        the file for one that is empty, over ``VOCMATCH_MAX_RESUME_ATTACHMENT_BYTES`` (5 MiB by
        default) or neither a PDF nor a Word .docx document. Only the graduate themself (another
        graduate's: 404; other roles 403)."""
        self._own(request, graduate_id)
        settings = request.app.state.settings
        row = await attachments.upload(
            db_session,
            graduate_id,
            await data.data.read(),
            data.data.filename or "",
            directory=settings.attachment_dir,
            limit=settings.max_resume_attachment_bytes,
        )
        result = AttachmentRead.of(row)
        assert result is not None
        return result

    @delete(
        "/graduates/{graduate_id:int}/resume/attachment",
        summary="Delete the résumé attachment",
        guards=[require_roles(Role.GRADUATE)],
        status_code=204,
    )
    async def delete_attachment(self, request: Request, db_session: DbSession, graduate_id: IdPath) -> None:
        """The graduate deletes their current attachment (applications already made keep theirs).
        404 when there is none or for another graduate."""
        self._own(request, graduate_id)
        await attachments.remove(db_session, graduate_id, request.app.state.settings.attachment_dir)

    @staticmethod
    def _own(request: Request, graduate_id: int) -> None:
        ensure_visible(current_principal(request).graduate_id == graduate_id, "graduate", graduate_id)


async def applicant_attachment_response(
    request: Request, db_session: DbSession, application: Application
) -> Response[bytes]:
    """The attachment ``application`` carries, for a reader of it (checked by the caller); audited
    unless the reader is the applicant. 404 when there is none (API and pages)."""
    p = current_principal(request)
    row = await attachments.of_application(db_session, application.id)
    path = attachments.file_of(
        row, request.app.state.settings.attachment_dir, "résumé attachment of application", application.id
    )
    if not (p.role is Role.GRADUATE and p.graduate_id == application.graduate_id):
        await record(
            db_session,
            p,
            AuditAction.READ,
            "applicant_attachment",
            application.id,
            graduate_id=application.graduate_id,
            request=request,
        )
    return file_response(path, row, f"resume-application-{application.id}")
