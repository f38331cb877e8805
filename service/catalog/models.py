"""Reference data: administrative regions (GB/T 2260), schools and majors (专业)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, IdType, TimestampMixin, str_enum


class RegionLevel(enum.StrEnum):
    PROVINCE = "province"  # 省级
    CITY = "city"  # 地级 (prefecture-level city)
    COUNTY = "county"  # 县级 (county, district, county-level city)


class Region(Base):
    """An administrative division identified by its six-digit GB/T 2260 code (e.g. 440100 广州市).

    ``retired_on`` is set when a later code list (``vocmatch reference regions``) no longer names
    the code: the row stays, so schools, graduates and postings that refer to it keep their
    history, but no new school may be placed there. ``None``: current.
    """

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[RegionLevel] = mapped_column(str_enum(RegionLevel))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    retired_on: Mapped[dt.date | None] = mapped_column(Date, default=None)


class School(TimestampMixin, Base):
    """A secondary-vocational school (中职学校)."""

    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # 学校标识码 (10 digits)
    name: Mapped[str] = mapped_column(String(128))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)


class Major(Base):
    """A major (专业) of the 2021 MOE 职业教育专业目录, secondary-vocational part, or one a
    department added later (增补专业).

    ``valid_from`` / ``retired_on`` bound the cohorts (届, graduation years) that may carry the
    major: a roster row of cohort ``Y`` is accepted when ``valid_from`` is unset or
    ``valid_from.year <= Y`` and ``retired_on`` is unset or ``Y <= retired_on.year`` (see
    :func:`service.catalog.majors.major_open_to`). A retired major is never deleted, so old
    rosters and reports keep it.
    """

    __tablename__ = "majors"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)  # 专业代码, e.g. 710201
    name: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))  # 专业大类, e.g. 电子与信息大类
    class_name: Mapped[str | None] = mapped_column(String(64), default=None)  # 专业类, e.g. 计算机类
    valid_from: Mapped[dt.date | None] = mapped_column(Date, default=None)
    retired_on: Mapped[dt.date | None] = mapped_column(Date, default=None)


class ReferenceVersion(Base):
    """The vintage of a national code list loaded into this database: ``name`` is ``regions``
    (GB/T 2260) or ``majors`` (专业目录), ``as_of`` the date the list describes, ``source`` where it
    came from (``built-in`` or the update file's name). A built-in load never replaces a newer
    list a department loaded (``vocmatch reference regions FILE``)."""

    __tablename__ = "reference_versions"

    name: Mapped[str] = mapped_column(String(16), primary_key=True)
    as_of: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
