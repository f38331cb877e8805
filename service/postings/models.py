"""Job postings (岗位), modelled on schema.org ``JobPosting``."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.config import beijing_today
from service.db import Base, IdType, JsonType, TimestampMixin, UtcDateTime, str_enum, utcnow
from service.employers.models import Employer
from vocab import EducationLevel, EmploymentType, SalaryPeriod


class PostingStatus(enum.StrEnum):
    OPEN = "open"
    FILLED = "filled"  # all openings taken: never recommended
    CLOSED = "closed"  # withdrawn by the employer: never recommended


class Posting(TimestampMixin, Base):
    """A vacancy or internship.

    Salaries are kept as published (``salary_min``/``salary_max`` per ``salary_period`` in
    ``salary_currency``) and normalised to 元 per month (``salary_*_monthly``) for ranking;
    ``salary_text`` keeps the original string. A ``None`` bound means unknown (``面议``).

    ``source``/``external_id`` name the source that first stored the posting (``platform`` for
    the API); every board it has been seen on is a :class:`PostingSource` in ``sources``.
    ``locations`` lists every place (``[{region_code, province, city, district, address}]``);
    the first is the primary one, copied to ``region_code``/``province``/``city``/``address``.
    ``stale_at`` is set when no source has listed the posting for several completed crawls
    (:mod:`service.crawling.staleness`); a stale posting is not shown to graduates.
    """

    __tablename__ = "postings"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_postings_status_valid_through", "status", "valid_through"),
        # the recommendation index's scan path reads max(updated_at) (the live path reads posting_changes)
        Index("ix_postings_updated_at", "updated_at"),
        # the job alerts' digest looks for postings first stored after each alert's watermark
        Index("ix_postings_created_at", "created_at"),
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

    education_required: Mapped[EducationLevel] = mapped_column(str_enum(EducationLevel), default=EducationLevel.ANY)
    experience_years: Mapped[int | None] = mapped_column()  # 0 = 应届/经验不限
    required_skills: Mapped[list[str]] = mapped_column(default=list)
    preferred_skills: Mapped[list[str]] = mapped_column(default=list)
    certificates: Mapped[list[str]] = mapped_column(default=list)  # 职业资格证书 required
    occupation_code: Mapped[str | None] = mapped_column(String(200))  # taxonomy concept code
    employment_type: Mapped[EmploymentType] = mapped_column(str_enum(EmploymentType), default=EmploymentType.FULL_TIME)
    openings: Mapped[int] = mapped_column(default=1)
    posted_on: Mapped[dt.date] = mapped_column(Date, default=beijing_today)  # the users' day
    valid_through: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[PostingStatus] = mapped_column(str_enum(PostingStatus), default=PostingStatus.OPEN)

    source: Mapped[str] = mapped_column(String(32), default="platform")
    source_url: Mapped[str | None] = mapped_column(String(1000))
    external_id: Mapped[str | None] = mapped_column(String(200))
    #: count of graduates who viewed/applied (popularity feature)
    application_count: Mapped[int] = mapped_column(default=0)
    #: hired applications counted against ``openings`` (never above it: the hire takes an opening with
    #: a conditional update, :meth:`service.applications.service.ApplicationService.change_status`)
    hire_count: Mapped[int] = mapped_column(default=0, server_default="0")
    #: :func:`scrapers.dedupe.duplicate_key` of employer, title and city (``None``: never merged)
    duplicate_key: Mapped[str | None] = mapped_column(String(300), index=True)
    stale_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    locations: Mapped[list[dict[str, Any]]] = mapped_column(JsonType, default=list, server_default="[]")
    sources: Mapped[list[PostingSource]] = relationship(
        lazy="raise",
        back_populates="posting",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="PostingSource.id",
    )


class PostingSource(Base):
    """One board's listing of a posting: ``(source, external_id)`` is unique; ``url`` has its
    tracking parameters removed (:func:`scrapers.urls.canonical_url`). ``last_seen_at`` is the
    start of the latest crawl or import that listed it. ``reference`` is the employer's requisition
    or reference number the listing gives (:func:`scrapers.dedupe.extract_reference`): listings with
    different numbers are never merged into one posting."""

    __tablename__ = "posting_sources"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index("ix_posting_sources_source_last_seen_at", "source", "last_seen_at"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    posting: Mapped[Posting] = relationship(lazy="raise", back_populates="sources")
    source: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(1000))
    reference: Mapped[str | None] = mapped_column(String(100))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class CrawlStatus(enum.StrEnum):
    RUNNING = "running"
    OK = "ok"  # every page fetched and stored: counts towards staleness
    PARTIAL = "partial"  # stored, but some pages failed: marks nothing stale
    FAILED = "failed"  # nothing stored (the error says why)


class CrawlRun(Base):
    """One crawl of a board or one import of a file, with its counts.

    ``kind`` is ``crawl`` or ``import``; ``board`` the board name or the imported path;
    ``source`` the postings' source the run covers (``None`` if it stored none or several).
    ``dropped_reasons`` counts dropped items by reason (``{"title is required": 2}``).
    """

    __tablename__ = "crawl_runs"
    __table_args__ = (Index("ix_crawl_runs_source_status_started_at", "source", "status", "started_at"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    board: Mapped[str] = mapped_column(String(300), index=True)
    source: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[CrawlStatus] = mapped_column(str_enum(CrawlStatus), default=CrawlStatus.RUNNING)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    pages_fetched: Mapped[int] = mapped_column(default=0)
    pages_failed: Mapped[int] = mapped_column(default=0)
    items_parsed: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    duplicates: Mapped[int] = mapped_column(default=0)  # repeated within the run
    merged: Mapped[int] = mapped_column(default=0)  # attached to a posting from another source
    dropped: Mapped[int] = mapped_column(default=0)
    dropped_reasons: Mapped[dict[str, Any]] = mapped_column(default=dict)
    unknown_skills: Mapped[int] = mapped_column(default=0)
    marked_stale: Mapped[int] = mapped_column(default=0)
    closed: Mapped[int] = mapped_column(default=0)  # past validThrough, closed by this run
    error: Mapped[str | None] = mapped_column(Text)
