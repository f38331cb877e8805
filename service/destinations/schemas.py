"""Request and response bodies for graduate destinations (毕业去向), one per verb."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Annotated

import msgspec
from msgspec import Meta

from service.destinations.models import DestinationCategory, DestinationEventKind, DestinationSource, EvidenceType
from service.pagination import Id

Name = Annotated[str, Meta(min_length=1, max_length=200)]
Reason = Annotated[str, Meta(min_length=2, max_length=500)]
RegionCode = Annotated[str, Meta(pattern=r"^\d{6}$")]


class DestinationCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A reported destination. ``source`` is ``self_report``, ``school_survey`` or ``import``
    (``platform_hire`` events are only made by marking an application hired). ``monthly_salary``
    is 元/月 before tax. ``in_field`` (对口) is not accepted here: it is proposed from the
    major↔occupation mapping and the school can override it with a reason. ``occurred_on`` from
    1950-01-01 to today and ``monthly_salary`` up to 200,000 元/月 (checked by the service: 422).
    ``internship`` must be false: an internship or traineeship is not a destination (422 naming
    the field; the school records 顶岗实习 as an internship placement, ``POST /internships``)."""

    occurred_on: dt.date
    source: DestinationSource
    category: DestinationCategory
    employer_id: Id | None = None
    employer_name: Name | None = None
    job_title: Name | None = None
    occupation_code: Annotated[str, Meta(max_length=200)] | None = None
    industry: Annotated[str, Meta(max_length=100)] | None = None
    region_code: RegionCode | None = None
    monthly_salary: Annotated[int, Meta(ge=0, le=10_000_000)] | None = None  # plausibility: 422 in the service
    labour_contract: bool | None = None
    social_insurance: bool | None = None
    internship: bool = False
    note: Annotated[str, Meta(max_length=1000)] | None = None
    #: what the outcome rests on (佐证材料): a school survey states it; ``other`` is described in ``note``
    evidence: EvidenceType | None = None


class InFieldOverride(msgspec.Struct, forbid_unknown_fields=True):
    """The school's decision on 对口 for one outcome, with the reason (kept with the event)."""

    in_field: bool
    reason: Reason


class Confirmation(msgspec.Struct, forbid_unknown_fields=True):
    """The graduate confirms what was recorded."""

    note: Annotated[str, Meta(max_length=1000)] | None = None


class Dispute(msgspec.Struct, forbid_unknown_fields=True):
    """The graduate disputes what was recorded; the outcome stops counting until confirmed or replaced."""

    reason: Reason


class ReviewDecision(enum.StrEnum):
    ACCEPT = "accept"
    REFUSE = "refuse"


class Review(msgspec.Struct, forbid_unknown_fields=True):
    """The school's decision on a graduate's self-report or dispute, with the reason (required to
    refuse; the graduate is told it)."""

    decision: ReviewDecision
    reason: Reason | None = None


class DestinationRead(msgspec.Struct):
    """One stored event. ``refers_to_id`` names the outcome an override/confirmation/dispute is about."""

    id: int
    graduate_id: int
    kind: DestinationEventKind
    refers_to_id: int | None
    occurred_on: dt.date
    recorded_at: dt.datetime
    source: DestinationSource
    category: DestinationCategory
    employer_id: int | None
    employer_name: str | None
    job_title: str | None
    occupation_code: str | None
    industry: str | None
    region_code: str | None
    monthly_salary: int | None
    labour_contract: bool | None
    social_insurance: bool | None
    internship: bool
    in_field: bool | None
    in_field_reason: str | None
    application_id: int | None
    note: str | None
    evidence: EvidenceType | None = None


class CurrentDestination(msgspec.Struct):
    """The outcome that counts on ``as_of`` under the precedence rule
    (:mod:`service.destinations.precedence`); ``category`` is ``seeking`` for an internship stored
    before internships were refused (it counts only when no other outcome is known)."""

    event_id: int
    category: DestinationCategory
    employed: bool
    in_field: bool | None
    in_field_overridden: bool
    confirmed: bool


class DestinationHistory(msgspec.Struct):
    """Every event of a graduate recorded before ``recorded_before`` (all when ``None``) in
    recording order, and what counts on ``as_of`` as known then."""

    graduate_id: int
    as_of: dt.date
    current: CurrentDestination | None
    events: list[DestinationRead]
    recorded_before: dt.datetime | None = None


class FollowUpItem(msgspec.Struct):
    """One graduate on the follow-up list (``GET /follow-up``): the destination that counts
    (``category`` ``null``: 去向未知), who recorded it (``school``/``graduate``/``employer``), the
    confirmation state (``none``/``unconfirmed``/``self_reported``/``confirmed``/``verified``), days
    since the last recorded event (``null``: never) and the flags (``unknown``, ``self_report``,
    ``disputed``, ``employer_unconfirmed``). ``phone`` only for school staff and the admin;
    ``id_number_masked`` the last 4 characters."""

    graduate_id: int
    name: str
    student_number: str | None
    class_name: str | None
    major_code: str | None
    cohort: int | None
    phone: str | None
    id_number_masked: str | None
    has_account: bool
    event_id: int | None
    category: DestinationCategory | None
    employer_name: str | None
    recorder: str | None
    confirmation: str
    days_since_update: int | None
    flags: list[str]
