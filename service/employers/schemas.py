"""Request and response bodies for employers (用人单位), one per verb."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

Name = Annotated[str, Meta(min_length=1, max_length=200)]
#: 统一社会信用代码 as typed; separators and case are normalised and the check digit verified
#: by the service (GB 32100-2015), so only the length is limited here.
Uscc = Annotated[str, Meta(min_length=1, max_length=40)]
RegionCode = Annotated[str, Meta(pattern=r"^\d{6}$")]
Industry = Annotated[str, Meta(max_length=100)]
Size = Annotated[str, Meta(max_length=32)]
Address = Annotated[str, Meta(max_length=300)]


class EmployerCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new employer. ``uscc`` is the 18-character 统一社会信用代码; ``region_code`` GB/T 2260.
    It starts unverified: only ``POST /employers/{id}/verify`` (staff) sets ``verified``."""

    name: Name
    uscc: Uscc | None = None
    industry: Industry | None = None
    size: Size | None = None  # e.g. "50-150人"
    region_code: RegionCode | None = None
    address: Address | None = None


class EmployerUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Partial update: only the fields present are changed; ``null`` clears an optional field.
    ``verified`` is not among them (see :class:`EmployerCreate`)."""

    name: Name | UnsetType = UNSET
    uscc: Uscc | None | UnsetType = UNSET
    industry: Industry | None | UnsetType = UNSET
    size: Size | None | UnsetType = UNSET
    region_code: RegionCode | None | UnsetType = UNSET
    address: Address | None | UnsetType = UNSET


class EmployerRead(msgspec.Struct):
    """An employer as returned by the API; ``uscc`` is upper case, without separators."""

    id: int
    name: str
    uscc: str | None
    industry: str | None
    size: str | None
    region_code: str | None
    address: str | None
    verified: bool
    source: str
    created_at: dt.datetime
    updated_at: dt.datetime
