"""The record of each scheduled job run (``job_runs``)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, IdType, UtcDateTime, str_enum, utcnow


class JobRunStatus(enum.StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the job raised (``error`` says what)
    MISSED = "missed"  # claimed past its misfire grace time: not run


class JobRun(Base):
    """One run of a scheduled job, claimed before it starts: ``(job, scheduled_for)`` is unique, so
    of several scheduler processes firing the same job for the same scheduled time only the one
    whose insert succeeds runs it. ``scheduled_for`` is the trigger's fire time without jitter
    (the same in every process); ``host``/``pid`` name the process that ran it."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "scheduled_for"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    job: Mapped[str] = mapped_column(String(300))
    scheduled_for: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    status: Mapped[JobRunStatus] = mapped_column(str_enum(JobRunStatus), default=JobRunStatus.RUNNING)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column()
    error: Mapped[str | None] = mapped_column(Text)
