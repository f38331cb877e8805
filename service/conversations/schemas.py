"""Request and response bodies of messages and invitations."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from service.accounts.models import Role
from service.conversations.models import INVITATION_MAX_CHARS, MESSAGE_MAX_CHARS, InvitationStatus
from service.pagination import Id
from service.recommendations.schemas import CandidateSummary


class MessageCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A message to the other side of the application (1–2000 characters; blank is refused)."""

    body: Annotated[str, Meta(min_length=1, max_length=MESSAGE_MAX_CHARS)]


class MessageRead(msgspec.Struct):
    """One message; ``mine`` is whether the caller's side wrote it (``sender_role``)."""

    id: int
    application_id: int
    sender_role: Role
    mine: bool
    body: str
    created_at: dt.datetime
    read_at: dt.datetime | None


class InvitationCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Invite a recommended candidate (``graduate_id`` from ``GET /postings/{id}/candidates``) to
    apply, with an optional message (up to 500 characters)."""

    graduate_id: Id
    message: Annotated[str, Meta(max_length=INVITATION_MAX_CHARS)] | None = None


class InvitationAnswer(msgspec.Struct, forbid_unknown_fields=True):
    """Accepting applies: with an optional note to the employer and the contact consent, as
    ``POST /applications`` takes them."""

    cover_letter: Annotated[str, Meta(max_length=4000)] | None = None
    share_contact: bool = False


class InvitationRead(msgspec.Struct):
    """An invitation. The employer sees the candidate only as ``candidate`` (anonymous: school,
    major, cohort, skills) until they accept; then ``application_id`` leads to the applicant."""

    id: int
    posting_id: int
    posting_title: str
    employer_name: str
    status: InvitationStatus
    message: str | None
    created_at: dt.datetime
    answered_at: dt.datetime | None
    application_id: int | None
    candidate: CandidateSummary | None = None
