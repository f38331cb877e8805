"""Résumé snapshots, contact consent and the applicant view.

Rules (PIPL 《个人信息保护法》 Art. 6 minimisation, Art. 23 separate consent for providing personal
information to another handler, Art. 15 withdrawal of consent):

* when a graduate applies, the application keeps a snapshot of the résumé
  (:func:`take_snapshot`, called by :meth:`service.applications.service.ApplicationService.create`);
  later profile edits never change it;
* the graduate's phone and e-mail reach the posting's employer only while the application is
  live (applied, viewed, interview, offer) **and** the graduate has agreed (:func:`contact_withheld`);
  the graduate may agree when applying and change their mind at any time;
* every time someone other than the graduate is shown the applicant, an audit ``read`` event is
  written (object type ``applicant``), and another (``applicant_contact``) when the contact details
  were shown; no part of the 身份证号 is ever part of it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.applications.models import Application, ApplicationStatus
from service.auth.guards import Principal
from service.db import utcnow
from service.errors import ConflictError, NotFoundError
from service.graduates.models import Graduate
from service.graduates.repository import full_profile
from service.privacy.audit import record
from service.privacy.models import AuditAction
from service.resumes import attachments
from service.resumes.models import ApplicationResume
from service.resumes.resume import build_resume
from service.resumes.schemas import ApplicantRead, AttachmentRead, ConsentRead, ContactRead

#: Applications still in the running: contact details may be shown (with consent) only for these.
LIVE = frozenset(
    {ApplicationStatus.APPLIED, ApplicationStatus.VIEWED, ApplicationStatus.INTERVIEW, ApplicationStatus.OFFER}
)


async def load_profile(session: AsyncSession, graduate_id: int) -> Graduate:
    """The graduate with school, major and nested lists. Raises :class:`NotFoundError`."""
    stmt = (
        select(Graduate)
        .options(*full_profile())
        .where(Graduate.id == graduate_id)
        .execution_options(populate_existing=True)
    )
    graduate = (await session.execute(stmt)).scalar_one_or_none()
    if graduate is None:
        raise NotFoundError("graduate", graduate_id)
    return graduate


async def take_snapshot(
    session: AsyncSession, application_id: int, graduate_id: int, share_contact: bool = False
) -> ApplicationResume:
    """Store the résumé of ``graduate_id`` as it is now with the application, the reference to
    their current attachment (an immutable row) and the contact consent given when applying. Flushes."""
    resume = build_resume(await load_profile(session, graduate_id))
    attachment = await attachments.current(session, graduate_id)
    row = ApplicationResume(
        application_id=application_id,
        snapshot=resume,
        taken_at=utcnow(),
        contact_consent=share_contact,
        consent_changed_at=utcnow() if share_contact else None,
        attachment_id=attachment.id if attachment is not None else None,
    )
    session.add(row)
    await session.flush()
    return row


def contact_withheld(application: Application, resume: ApplicationResume | None) -> str | None:
    """Why the contact details are not shown to the employer (``not_live``, ``no_consent``), or
    ``None`` when they may be."""
    if application.status not in LIVE:
        return "not_live"
    if resume is None or not resume.contact_consent:
        return "no_consent"
    return None


async def contact_of(session: AsyncSession, graduate_id: int) -> ContactRead:
    """The graduate's phone (the profile's, else the account's) and the account's e-mail."""
    graduate = await session.get(Graduate, graduate_id)
    account = (
        await session.execute(
            select(User.email, User.phone).where(User.graduate_id == graduate_id).order_by(User.id).limit(1)
        )
    ).first()
    phone = (graduate.phone if graduate is not None else None) or (account.phone if account else None)
    return ContactRead(phone=phone, email=account.email if account else None)


async def consented_contacts(session: AsyncSession, employer_id: int | None, graduate_ids: list[int]) -> set[int]:
    """The ``graduate_ids`` whose phone the employer may see: those with a live application to one
    of its postings for which they agreed to share contact details (the rule of :func:`contact_withheld`,
    applied to ``GET /graduates`` and ``GET /graduates/{id}`` too)."""
    if employer_id is None or not graduate_ids:
        return set()
    from service.postings.models import Posting

    stmt = (
        select(Application.graduate_id)
        .join(Posting, Posting.id == Application.posting_id)
        .join(ApplicationResume, ApplicationResume.application_id == Application.id)
        .where(
            Posting.employer_id == employer_id,
            Application.graduate_id.in_(graduate_ids),
            Application.status.in_(list(LIVE)),
            ApplicationResume.contact_consent.is_(True),
        )
    )
    return set((await session.execute(stmt)).scalars())


async def resume_of(session: AsyncSession, application_id: int) -> ApplicationResume | None:
    return await session.get(ApplicationResume, application_id, populate_existing=True)


async def applicant(
    session: AsyncSession,
    p: Principal,
    application: Application,
    request: Any = None,
) -> ApplicantRead:
    """The applicant view of ``application`` (posting loaded) for ``p``, who may read it (the
    caller checked). The graduate themself always sees their own contact details; anyone else only
    when :func:`contact_withheld` allows. Views by others are audited (see the module docstring)."""
    resume = await resume_of(session, application.id)
    own = p.role is Role.GRADUATE and p.graduate_id == application.graduate_id
    withheld = None if own else contact_withheld(application, resume)
    contact = await contact_of(session, application.graduate_id) if withheld is None else None
    if not own:
        await record(
            session,
            p,
            AuditAction.READ,
            "applicant",
            application.id,
            graduate_id=application.graduate_id,
            request=request,
        )
        if contact is not None:
            await record(
                session,
                p,
                AuditAction.READ,
                "applicant_contact",
                application.id,
                graduate_id=application.graduate_id,
                detail={"fields": ["phone", "email"]},
                request=request,
            )
    return ApplicantRead(
        application_id=application.id,
        graduate_id=application.graduate_id,
        posting_id=application.posting_id,
        posting_title=application.posting.title,
        status=application.status,
        note=application.cover_letter,
        resume=resume.snapshot if resume is not None else None,
        resume_taken_at=resume.taken_at if resume is not None and resume.snapshot is not None else None,
        contact_consent=bool(resume and resume.contact_consent),
        contact=contact,
        contact_withheld=withheld,
        attachment=AttachmentRead.of(await attachments.of_application(session, application.id)),
    )


async def set_consent(session: AsyncSession, application: Application, consent: bool) -> ConsentRead:
    """Record the graduate's consent (``True``) or its withdrawal (``False``) for ``application``.
    Withdrawing is always possible; agreeing only while the application is live.

    Raises:
        ConflictError: agreeing for an application that is no longer live (409).
    """
    if consent and application.status not in LIVE:
        raise ConflictError(
            f"contact_consent: application {application.id} is {application.status.value}; contact "
            "details are shared only while an application is live",
            [{"field": "contact_consent", "message": f"application is {application.status.value}"}],
        )
    row = await resume_of(session, application.id)
    if row is None:
        row = ApplicationResume(application_id=application.id, snapshot=None, taken_at=utcnow())
        session.add(row)
    if row.contact_consent != consent or row.consent_changed_at is None:
        row.contact_consent, row.consent_changed_at = consent, utcnow()
    await session.flush()
    return ConsentRead(
        application_id=application.id, contact_consent=row.contact_consent, consent_changed_at=row.consent_changed_at
    )
