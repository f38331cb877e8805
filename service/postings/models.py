"""Job postings (岗位), modelled on schema.org ``JobPosting``."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matching.vocab import EducationLevel, EmploymentType, SalaryPeriod
from service.db import Base, str_enum, IdType, TimestampMixin
from service.employers.models import Employer


class PostingStatus(enum.StrEnum):
    OPEN = "open"
    FILLED = "filled"  # all openings taken: never recommended
    CLOSED = "closed"  # withdrawn by the employer: never recommended



class Posting(TimestampMixin, Base):
    """A vacancy or internship.

    Salaries are kept as published (``salary_min``/``salary_max`` per ``salary_period`` in
    ``salary_currency``) and normalised to 元 per month (``salary_*_monthly``) for ranking;
    ``salary_text`` keeps the original string. A ``None`` bound means unknown (``面议``).
    """

    __tablename__ = "postings"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_postings_status_valid_through", "status", "valid_through"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"), index=True)
    employer: Mapped[Employer] = relationship(lazy="raise")

    country: Mapped[str] = mapped_column(String(2), default="CN")  # ISO 3166-1 alpha-2
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    province: Mapped[str | None] = mapped_column(String(64))  # name, or state code abroad
    city: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(300))

    salary_min: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False))
    salary_max: Mapped[float | None] = mapped_column(Numeric(12, 2, asdecimal=False))
    salary_period: Mapped[SalaryPeriod | None] = mapped_column(str_enum(SalaryPeriod))
    salary_currency: Mapped[str] = mapped_column(String(3), default="CNY")  # ISO 4217
    salary_min_monthly: Mapped[int | None] = mapped_column()  # 元/月 (or currency unit per month)
    salary_max_monthly: Mapped[int | None] = mapped_column()
    salary_text: Mapped[str | None] = mapped_column(String(100))

    education_required: Mapped[EducationLevel] = mapped_column(
        str_enum(EducationLevel), default=EducationLevel.ANY
    )
    experience_years: Mapped[int | None] = mapped_column()  # 0 = 应届/经验不限
    required_skills: Mapped[list[str]] = mapped_column(default=list)
    preferred_skills: Mapped[list[str]] = mapped_column(default=list)
    certificates: Mapped[list[str]] = mapped_column(default=list)  # 职业资格证书 required
    occupation_code: Mapped[str | None] = mapped_column(String(200))  # taxonomy concept code
    employment_type: Mapped[EmploymentType] = mapped_column(
        str_enum(EmploymentType), default=EmploymentType.FULL_TIME
    )
    openings: Mapped[int] = mapped_column(default=1)
    posted_on: Mapped[dt.date] = mapped_column(Date, default=dt.date.today)
    valid_through: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[PostingStatus] = mapped_column(str_enum(PostingStatus), default=PostingStatus.OPEN)

    source: Mapped[str] = mapped_column(String(32), default="platform")
    source_url: Mapped[str | None] = mapped_column(String(1000))
    external_id: Mapped[str | None] = mapped_column(String(200))
    #: count of graduates who viewed/applied (popularity feature)
    application_count: Mapped[int] = mapped_column(default=0)
