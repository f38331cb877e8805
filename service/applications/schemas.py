"""Request and response bodies for applications (投递)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from service.applications.models import ApplicationStatus
from service.destinations.models import DestinationCategory
from service.pagination import Id


class ApplicationCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A graduate applies to a posting. ``cover_letter`` is the graduate's note to the employer;
    ``share_contact``: the graduate agrees that the employer sees their phone and e-mail while the
    application is live (changeable later: ``PUT /applications/{id}/contact-consent``). The
    application keeps a snapshot of the graduate's résumé as it is now."""

    graduate_id: Id
    posting_id: Id
    cover_letter: Annotated[str, Meta(max_length=4000)] | None = None
    share_contact: bool = False


class StatusChange(msgspec.Struct, forbid_unknown_fields=True):
    """Move an application to ``status``. The hire fields are only accepted with ``hired``:

    * ``destination_category`` — the contract type as a 毕业去向 category: ``labour_contract``
      (劳动合同), ``employment_agreement`` (就业协议) or ``other_employment`` (其他录用形式, the default);
    * ``start_date`` — the first working day (不晚于今天; not long before graduation), default today;
    * ``monthly_salary`` — the agreed monthly pay before tax (元/月), default unknown;
    * ``social_insurance`` — whether the employer pays social insurance (社会保险): true, false, or
      null for unknown.

    Hires for an internship (顶岗实习) or work-placement posting record no destination."""

    status: ApplicationStatus
    note: Annotated[str, Meta(max_length=1000)] | None = None
    destination_category: DestinationCategory | None = None
    start_date: dt.date | None = None
    monthly_salary: int | None = None
    social_insurance: bool | None = None


class ApplicationEventRead(msgspec.Struct):
    """One status change; ``from_status`` is null for the initial ``applied``."""

    from_status: ApplicationStatus | None
    to_status: ApplicationStatus
    note: str | None
    at: dt.datetime


class ApplicationRead(msgspec.Struct):
    id: int
    graduate_id: int
    posting_id: int
    posting_title: str
    status: ApplicationStatus
    cover_letter: str | None
    history: list[ApplicationEventRead]
    created_at: dt.datetime
    updated_at: dt.datetime
