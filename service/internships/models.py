"""Internship placements (顶岗实习, now 岗位实习) of current students.

Source of the terms: 《职业学校学生实习管理规定》(教育部等八部门, 教职成〔2021〕4号): 岗位实习 is
arranged by the school, needs a three-party agreement (三方协议: school, employer, student) before it
starts (第十三条), a supervising teacher of the school (第十一条) and 实习责任保险 (第三十五条).

A placement is **not** a destination (毕业去向): it lives in its own table and no employment figure
(:mod:`service.reports`) reads it.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, IdType, TimestampMixin, UtcDateTime, str_enum


class InternshipStatus(enum.StrEnum):
    PENDING = "pending"  # recorded by the school, awaiting the employer's confirmation
    CONFIRMED = "confirmed"  # the employer confirmed the placement


class Internship(TimestampMixin, Base):
    """One placement of one student at one employer for a period.

    ``school_id`` is the student's school when recorded (kept, so scoping needs no join).
    The agreement PDF is stored outside the database (``Settings.attachment_dir``) under
    ``agreement_key``; the row keeps its original name, size and SHA-256.
    """

    __tablename__ = "internships"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="period_order"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduates.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"), index=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id", ondelete="CASCADE"), index=True)
    posting_id: Mapped[int | None] = mapped_column(ForeignKey("postings.id", ondelete="SET NULL"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    supervisor_name: Mapped[str] = mapped_column(String(100))  # 学校指导教师
    insured: Mapped[bool] = mapped_column(default=False)  # 实习责任保险
    insurer: Mapped[str | None] = mapped_column(String(200))
    policy_number: Mapped[str | None] = mapped_column(String(64))
    agreement_key: Mapped[str | None] = mapped_column(String(100))  # file name under attachment_dir
    agreement_filename: Mapped[str | None] = mapped_column(String(255))
    agreement_size: Mapped[int | None] = mapped_column()
    agreement_sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[InternshipStatus] = mapped_column(str_enum(InternshipStatus), default=InternshipStatus.PENDING)
    recorded_by_user_id: Mapped[int | None] = mapped_column(IdType)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    confirmed_by_user_id: Mapped[int | None] = mapped_column(IdType)
