"""Request and response bodies for interviews (面试)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from service.interviews.models import InterviewMode, InterviewStatus
from service.pagination import Id

#: At most this many times in one proposal (a choice, not a calendar).
MAX_SLOTS = 5


class SlotCreate(msgspec.Struct, forbid_unknown_fields=True):
    """One proposed time: ``starts_at`` is an ISO 8601 date-time **with** its offset
    (``2026-12-10T14:00:00+08:00`` for 14:00 Beijing time); the interview lasts ``duration_minutes``."""

    starts_at: dt.datetime
    duration_minutes: Annotated[int, Meta(ge=10, le=480)] = 30


class InterviewCreate(msgspec.Struct, forbid_unknown_fields=True):
    """The employer proposes one to :data:`MAX_SLOTS` times and a place (``mode`` ``in_person``)
    or an online link (``mode`` ``online``, an ``https://`` or ``http://`` address)."""

    slots: Annotated[list[SlotCreate], Meta(min_length=1, max_length=MAX_SLOTS)]
    mode: InterviewMode = InterviewMode.IN_PERSON
    place: Annotated[str, Meta(max_length=300)] | None = None
    online_url: Annotated[str, Meta(max_length=1000)] | None = None
    note: Annotated[str, Meta(max_length=1000)] | None = None


class InterviewAccept(msgspec.Struct, forbid_unknown_fields=True):
    """The graduate accepts the proposed time ``slot_id``."""

    slot_id: Id


class InterviewDecline(msgspec.Struct, forbid_unknown_fields=True):
    """The graduate declines, optionally saying why."""

    message: Annotated[str, Meta(max_length=1000)] | None = None


class InterviewReschedule(msgspec.Struct, forbid_unknown_fields=True):
    """The graduate asks for another time; ``message`` says which times suit them."""

    message: Annotated[str, Meta(min_length=1, max_length=1000)]


class InterviewCancel(msgspec.Struct, forbid_unknown_fields=True):
    """The employer cancels a proposed or accepted interview, optionally saying why (the graduate reads it)."""

    reason: Annotated[str, Meta(max_length=1000)] | None = None


class SlotRead(msgspec.Struct):
    """A proposed time in Beijing time (``+08:00``)."""

    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    chosen: bool


class InterviewRead(msgspec.Struct):
    id: int
    application_id: int
    posting_id: int
    posting_title: str
    employer_name: str
    status: InterviewStatus
    mode: InterviewMode
    place: str | None
    online_url: str | None
    note: str | None
    answer_message: str | None
    answered_at: dt.datetime | None
    slots: list[SlotRead]
    created_at: dt.datetime
