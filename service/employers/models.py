"""Employers (用人单位)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, IdType, TimestampMixin, UtcDateTime


class Employer(TimestampMixin, Base):
    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    #: 统一社会信用代码 (GB 32100-2015), check digit verified; None for scraped employers.
    uscc: Mapped[str | None] = mapped_column(String(18), unique=True)
    industry: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[str | None] = mapped_column(String(32))  # e.g. "50-150人"
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    address: Mapped[str | None] = mapped_column(String(300))
    verified: Mapped[bool] = mapped_column(default=False)
    #: when staff last refused to approve it (审核未通过) and why; cleared by an approval or by a
    #: change of the identity fields (the employer corrected itself: back in the queue)
    refused_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    refusal_reason: Mapped[str | None] = mapped_column(String(500))
    #: the person staff may call about the sign-up (联系人) and their phone; shown to approving staff only
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(32), default="platform")


class VerificationStatus:
    """The three states of an employer's verification (审核状态), derived from ``verified`` and
    ``refused_at``: ``pending`` (待审核), ``approved`` (已通过), ``refused`` (未通过)."""

    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"

    @staticmethod
    def of(employer: Employer) -> str:
        if employer.verified:
            return VerificationStatus.APPROVED
        return VerificationStatus.REFUSED if employer.refused_at is not None else VerificationStatus.PENDING
