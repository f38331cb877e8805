"""Request and response bodies for invitations and activation figures."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

#: How long an invitation code is valid, in days: by default and at most.
DEFAULT_INVITATION_DAYS = 30
MAX_INVITATION_DAYS = 180


class InvitationCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Make codes for the graduates without an account of one cohort (届) and, optionally, one 班级."""

    cohort: Annotated[int, Meta(ge=1950, le=2100)] | None = None
    class_name: Annotated[str, Meta(min_length=1, max_length=64)] | None = None
    days: Annotated[int, Meta(ge=1, le=MAX_INVITATION_DAYS)] = DEFAULT_INVITATION_DAYS


class InvitationRead(msgspec.Struct):
    """One code, shown once (the service keeps only its hash); ``link`` opens the activation page."""

    graduate_id: int
    name: str
    student_number: str | None
    class_name: str | None
    code: str
    link: str
    expires_at: dt.datetime


class ActivationShareRead(msgspec.Struct):
    """Graduates of one school, cohort and class, how many activated an account, and the share."""

    school_id: int
    school_name: str
    cohort: int | None
    class_name: str | None
    graduates: int
    activated: int
    share: float
