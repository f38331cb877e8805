"""Request and response bodies for the reference catalog: regions, schools, majors."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from service.catalog.models import RegionLevel


class RegionRead(msgspec.Struct):
    """A GB/T 2260 administrative division; ``retired_on`` is set for a code a later list dropped."""

    code: str
    name: str
    level: RegionLevel
    parent_code: str | None
    retired_on: dt.date | None = None


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
    """A major (专业) of the 2021 职业教育专业目录 or one added since; ``category`` is its 专业大类,
    ``class_name`` its 专业类; ``valid_from``/``retired_on`` bound the cohorts that may carry it."""

    code: str
    name: str
    category: str
    class_name: str | None = None
    valid_from: dt.date | None = None
    retired_on: dt.date | None = None


MajorCode = Annotated[str, Meta(pattern=r"^\d{6}$", description="six-digit 专业代码")]
MajorText = Annotated[str, Meta(min_length=1, max_length=64)]


class MajorCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A major added to the catalogue (增补专业). ``category`` (专业大类) and ``class_name`` (专业类)
    default to the names the 2021 catalogue gives the code's first two and four digits."""

    code: MajorCode
    name: MajorText
    category: MajorText | None = None
    class_name: MajorText | None = None
    valid_from: dt.date | None = None
    retired_on: dt.date | None = None


class MajorUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """Rename, re-file, date or retire a major (fields left out stay; ``retired_on: null`` reopens it)."""

    name: MajorText | UnsetType = UNSET
    category: MajorText | UnsetType = UNSET
    class_name: MajorText | None | UnsetType = UNSET
    valid_from: dt.date | None | UnsetType = UNSET
    retired_on: dt.date | None | UnsetType = UNSET
