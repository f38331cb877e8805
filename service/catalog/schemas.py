"""Request and response bodies for the reference catalog: regions, schools, majors."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from service.catalog.models import RegionLevel


class RegionRead(msgspec.Struct):
    """A GB/T 2260 administrative division."""

    code: str
    name: str
    level: RegionLevel
    parent_code: str | None


class SchoolCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new school (中职学校): ``code`` is the 10-digit 学校标识码 issued by the Ministry of Education."""

    code: Annotated[str, Meta(pattern=r"^\d{10}$")]
    name: Annotated[str, Meta(min_length=1, max_length=128)]
    region_code: Annotated[str, Meta(pattern=r"^\d{6}$")]


class SchoolRead(msgspec.Struct):
    id: int
    code: str
    name: str
    region_code: str
    created_at: dt.datetime
    updated_at: dt.datetime


class MajorRead(msgspec.Struct):
    """A major (专业) of the 2021 职业教育专业目录; ``category`` is its 专业大类."""

    code: str
    name: str
    category: str
