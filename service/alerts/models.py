"""Saved jobs and job alerts (saved searches) of graduates and adult trainees.

A :class:`SavedJob` is one posting a graduate keeps to come back to; a closed, filled or expired
posting stays saved (the list shows it as such). A :class:`JobAlert` is a named search of the jobs
page (its filters as :func:`service.postings.search.parse_filters` reads them) whose new postings
the daily digest (job ``job_alert_digest``) sends. ``watermark`` is the creation time after which a
posting is new to the alert; every posting sent is kept as a :class:`JobAlertHit`, written in the
transaction that queues the notification, so no posting is sent twice for the same alert.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, PrimaryKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, IdType, JsonType, TimestampMixin, UtcDateTime, utcnow
from service.postings.models import Posting


class SavedJob(Base):
    __tablename__ = "saved_jobs"
    __table_args__ = (UniqueConstraint("graduate_id", "posting_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduates.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    posting: Mapped[Posting] = relationship(lazy="raise")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)


class JobAlert(TimestampMixin, Base):
    __tablename__ = "job_alerts"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduates.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: ``{filter name: value}`` strings (:meth:`service.postings.search.JobQuery.canonical`)
    filters: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    active: Mapped[bool] = mapped_column(default=True)
    #: postings created after this instant are new to the alert (moved on by each digest run)
    watermark: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    #: when the last digest listing this alert's postings was queued
    last_sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class JobAlertHit(Base):
    """One posting sent in a digest for one alert (never sent again for it)."""

    __tablename__ = "job_alert_hits"
    __table_args__ = (PrimaryKeyConstraint("alert_id", "posting_id"),)

    alert_id: Mapped[int] = mapped_column(ForeignKey("job_alerts.id", ondelete="CASCADE"))
    posting_id: Mapped[int] = mapped_column(ForeignKey("postings.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
