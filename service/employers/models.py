"""Employers (用人单位)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, IdType, TimestampMixin


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
    source: Mapped[str] = mapped_column(String(32), default="platform")
