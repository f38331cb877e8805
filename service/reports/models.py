"""Stored report snapshots: one per (scope, cohort, period, as-of date), enforced by the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, String, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, IdType, UtcDateTime, utcnow


class ReportSnapshot(Base):
    """A report computed once and kept: ``data`` is the JSON body of the report.

    ``recorded_before`` is the knowledge cut-off used (events recorded later are ignored), so
    recomputing with the same (scope, cohort, as_of, recorded_before) reproduces ``data`` exactly.
    """

    __tablename__ = "report_snapshots"
    __table_args__ = (UniqueConstraint("scope", "cohort", "period", "as_of"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))  # "all", "region:440000", "school:4144010001"
    cohort: Mapped[int] = mapped_column()  # 届
    period: Mapped[str] = mapped_column(String(16))  # monthly, term_end, initial, year_end, manual
    as_of: Mapped[dt.date] = mapped_column(Date)
    recorded_before: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    job: Mapped[str | None] = mapped_column(String(64))  # scheduled job that made it, if any
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, server_default=func.now())
    data: Mapped[dict[str, Any]] = mapped_column()
