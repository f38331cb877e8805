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
ContactName = Annotated[str, Meta(min_length=1, max_length=100)]
ContactPhone = Annotated[str, Meta(pattern=r"^[+0-9][0-9 -]{6,19}$", description="phone of the contact person")]


class EmployerCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new employer. ``uscc`` is the 18-character 统一社会信用代码; ``region_code`` GB/T 2260.
    It starts unverified: only ``POST /employers/{id}/verify`` (staff) sets ``verified``."""

    name: Name
    uscc: Uscc | None = None
    industry: Industry | None = None
    size: Size | None = None  # e.g. "50-150人"
    region_code: RegionCode | None = None
    address: Address | None = None
    contact_name: ContactName | None = None  # 联系人, shown to approving staff only
    contact_phone: ContactPhone | None = None


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
    #: ``pending`` (待审核), ``approved`` or ``refused`` (with ``refusal_reason``)
    verification_status: str = "pending"
    refusal_reason: str | None = None


class VerificationQueueItem(msgspec.Struct):
    """An employer as approving staff see it in the queue (审核队列): its details, the contact
    person, and the result of the 统一社会信用代码 check (GB 32100-2015 check character)."""

    employer: EmployerRead
    contact_name: str | None
    contact_phone: str | None
    uscc_check: str  # ``valid`` / ``invalid`` / ``missing``
    uscc_region_matches: bool | None  # characters 3-8 of the code against the region given


class RefusalRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Why staff refuse to approve an employer (told to the employer as written)."""

    reason: Annotated[str, Meta(min_length=2, max_length=500)]
