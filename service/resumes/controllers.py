"""HTTP endpoints: the applicant view of an application, the graduate's contact consent, and the
résumé generated from a profile.

Authorisation: an application the caller may not read is a 404 (as in ``/applications``); the
consent is the applicant's alone (other roles 403); a graduate's résumé is read by the graduate
and by the staff who may read the profile (employers read the snapshot of an application
instead: 403).
"""

from __future__ import annotations

from litestar import Controller, Request, get, put
from litestar.params import JSONBody

from service.accounts.guards import (
    current_principal, ensure_allowed, ensure_visible, require_roles, require_signed_in,
)
from service.accounts.models import Role
from service.accounts.scoping import applications_clause, exists_where, graduates_clause
from service.applications.models import Application
from service.applications.service import ApplicationService
from service.graduates.models import Graduate
from service.pagination import DbSession, IdPath
from service.privacy.audit import record
from service.privacy.models import AuditAction
from service.resumes.resume import build_resume
from service.resumes.schemas import ApplicantRead, ConsentChange, ConsentRead, ResumeRead
from service.resumes.service import applicant, load_profile, set_consent


async def visible_application(request: Request, db_session: DbSession, application_id: int) -> Application:
    """The application (posting and history loaded) if the caller may read it; 404 otherwise."""
    clause = applications_clause(current_principal(request))
    ensure_visible(await exists_where(db_session, Application.id, application_id, clause),
                   "application", application_id)
    return await ApplicationService(db_session).get(application_id)


class ResumeController(Controller):
    tags = ["applications"]

    @get("/applications/{application_id:int}/applicant", summary="Read an applicant's résumé snapshot",
         guards=[require_signed_in])
    async def get_applicant(self, request: Request, db_session: DbSession, application_id: IdPath) -> ApplicantRead:
        """The application as its employer reads it: the résumé snapshot taken when the graduate
        applied (later profile edits do not change it), the graduate's note, and the phone and
        e-mail — only while the application is live and the graduate has agreed
        (``contact_withheld`` says why not). Never any part of the 身份证号. Every read by someone
        other than the graduate is audited (``applicant``; ``applicant_contact`` when contact
        details were shown). 404 for an application the caller may not read."""
        application = await visible_application(request, db_session, application_id)
        return await applicant(db_session, current_principal(request), application, request)

    @put("/applications/{application_id:int}/contact-consent", summary="Share or stop sharing contact details",
         guards=[require_roles(Role.GRADUATE)], status_code=200)
    async def put_consent(self, request: Request, db_session: DbSession, application_id: IdPath,
                          data: JSONBody[ConsentChange]) -> ConsentRead:
        """The applicant agrees (``true``) or stops agreeing (``false``) that the posting's employer
        sees their phone and e-mail (PIPL Art. 23 and 15). 404 for another graduate's application;
        409 to agree for an application that is no longer live."""
        p = current_principal(request)
        application = await visible_application(request, db_session, application_id)
        ensure_allowed(application.graduate_id == p.graduate_id, "change another graduate's consent")
        return await set_consent(db_session, application, data.contact_consent)

    @get("/graduates/{graduate_id:int}/resume", summary="A graduate's résumé from their profile now",
         guards=[require_roles(Role.GRADUATE, Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)])
    async def get_resume(self, request: Request, db_session: DbSession, graduate_id: IdPath) -> ResumeRead:
        """The résumé generated from the profile as it is now (school, major, skills,
        certificates, awards, internships, preferences; no 身份证号, phone or e-mail). The graduate
        reads their own; staff those they may read (audited). 404 for a graduate the caller may
        not read; employers 403 (they read the snapshot an application keeps)."""
        p = current_principal(request)
        ensure_visible(await exists_where(db_session, Graduate.id, graduate_id, graduates_clause(p)),
                       "graduate", graduate_id)
        if p.graduate_id != graduate_id:
            await record(db_session, p, AuditAction.READ, "resume", graduate_id, graduate_id=graduate_id,
                         request=request)
        return ResumeRead(graduate_id=graduate_id, resume=build_resume(await load_profile(db_session, graduate_id)))
