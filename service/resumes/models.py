"""What an application keeps of the graduate at the moment they applied.

One :class:`ApplicationResume` per application (same primary key): the résumé snapshot (a JSON
document built by :func:`service.resumes.resume.build_resume`, frozen: later profile edits never
change it) and the graduate's consent to share their phone and e-mail with the posting's employer
(PIPL 《个人信息保护法》 Art. 23: providing personal information to another handler needs the
person's separate consent; Art. 15: consent can be withdrawn at any time).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, IdType, UtcDateTime, utcnow


class ResumeAttachment(Base):
    """A résumé file a graduate uploaded (PDF or DOCX), stored outside the database
    (``Settings.attachment_dir``/``resumes``/``key``; :mod:`service.resumes.attachments`).

    Rows are immutable: replacing the attachment uploads a new row and takes ``current`` off the
    old one, which is kept (file included) only while an application's snapshot names it — so what
    an employer received never changes — and deleted otherwise.
    """

    __tablename__ = "resume_attachments"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduates.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)  # file name under attachment_dir/resumes
    filename: Mapped[str] = mapped_column(String(255))  # as the graduate named it (shown, never a path)
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: the graduate's attachment now (at most one per graduate); applying snapshots this one
    current: Mapped[bool] = mapped_column(default=True)


class ApplicationResume(Base):
    """The résumé snapshot and the contact consent of one application."""

    __tablename__ = "application_resumes"

    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), primary_key=True)
    #: the résumé as it was when the graduate applied (no 身份证号, phone or e-mail in it); NULL for
    #: applications made before résumés were kept, and once the graduate's data is erased
    snapshot: Mapped[dict[str, Any] | None] = mapped_column()
    taken_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: the graduate agreed that the posting's employer may see their phone and e-mail
    contact_consent: Mapped[bool] = mapped_column(default=False)
    consent_changed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    #: the résumé attachment the graduate had when applying (an immutable row: replacing it later
    #: does not change what this application carries); NULL: none, or erased with the graduate
    attachment_id: Mapped[int | None] = mapped_column(ForeignKey("resume_attachments.id", ondelete="SET NULL"))
