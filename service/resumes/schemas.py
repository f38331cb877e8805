"""Response and request bodies of the résumé and applicant view."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec

from service.applications.models import ApplicationStatus


class AttachmentRead(msgspec.Struct):
    """A résumé attachment (PDF or Word .docx) the graduate uploaded; the file itself downloads from
    its ``…/attachment`` route."""

    id: int
    filename: str
    media_type: str
    size: int
    uploaded_at: dt.datetime

    @classmethod
    def of(cls, row: Any) -> AttachmentRead | None:
        if row is None:
            return None
        return cls(
            id=row.id, filename=row.filename, media_type=row.media_type, size=row.size, uploaded_at=row.uploaded_at
        )


class ContactRead(msgspec.Struct):
    """The graduate's phone and e-mail (only with consent, while the application is live)."""

    phone: str | None
    email: str | None


class ApplicantRead(msgspec.Struct):
    """An application as its employer reads it: the résumé snapshot taken when the graduate
    applied (``resume``: null for applications made before résumés were kept), the graduate's
    note, and ``contact`` — or, when it is withheld, why (``contact_withheld``: ``no_consent``
    or ``not_live``). Never any part of the 身份证号."""

    application_id: int
    graduate_id: int
    posting_id: int
    posting_title: str
    status: ApplicationStatus
    note: str | None
    resume: dict[str, Any] | None
    resume_taken_at: dt.datetime | None
    contact_consent: bool
    contact: ContactRead | None
    contact_withheld: str | None
    #: the attachment the graduate had when applying (``…/applicant/attachment``), if any
    attachment: AttachmentRead | None = None


class ConsentChange(msgspec.Struct, forbid_unknown_fields=True):
    """The graduate agrees (``true``) or no longer agrees (``false``) that the posting's employer
    sees their phone and e-mail."""

    contact_consent: bool


class ConsentRead(msgspec.Struct):
    application_id: int
    contact_consent: bool
    consent_changed_at: dt.datetime | None


class ResumeRead(msgspec.Struct):
    """A graduate's résumé generated from their profile now (:func:`service.resumes.resume.build_resume`)."""

    graduate_id: int
    resume: dict[str, Any]
    #: the graduate's current résumé attachment (``…/resume/attachment``), if any
    attachment: AttachmentRead | None = None
