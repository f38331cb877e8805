"""Reference data: administrative regions (GB/T 2260), schools and majors (专业)."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, IdType, TimestampMixin, str_enum


class RegionLevel(enum.StrEnum):
    PROVINCE = "province"  # 省级
    CITY = "city"  # 地级 (prefecture-level city)
    COUNTY = "county"  # 县级 (county, district, county-level city)


class Region(Base):
    """An administrative division identified by its six-digit GB/T 2260 code (e.g. 440100 广州市)."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[RegionLevel] = mapped_column(str_enum(RegionLevel))
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)


class School(TimestampMixin, Base):
    """A secondary-vocational school (中职学校)."""

    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # 学校标识码 (10 digits)
    name: Mapped[str] = mapped_column(String(128))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)


class Major(Base):
    """A major (专业) of the 2021 MOE 职业教育专业目录, secondary-vocational part."""

    __tablename__ = "majors"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)  # 专业代码, e.g. 710201
    name: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(64))  # 专业大类, e.g. 电子与信息大类
