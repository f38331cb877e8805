"""Request and response bodies for notifications."""

from __future__ import annotations

import datetime as dt

import msgspec
from msgspec import UNSET, UnsetType

from service.notifications.kinds import Kind, Language
from service.notifications.models import OutboxStatus


class NotificationRead(msgspec.Struct):
    """One inbox entry, its texts in the reader's language (the account's notification language).
    ``link`` is a path on this service; ``read_at`` is null while unread."""

    id: int
    kind: str
    title: str
    body: str
    link: str | None
    created_at: dt.datetime
    read_at: dt.datetime | None


class UnreadCount(msgspec.Struct):
    unread: int


class MarkedRead(msgspec.Struct):
    """How many notifications ``POST /notifications/read-all`` marked read."""

    marked: int


class KindPreference(msgspec.Struct):
    """One event kind: the in-app inbox (always on for kinds that have one) and e-mail."""

    kind: Kind
    in_app: bool
    email: bool


class PreferencesRead(msgspec.Struct):
    """The account's notification language, whether it has an e-mail address (without one no
    e-mail can be sent), and the kinds its role receives."""

    language: Language
    email_address: bool
    kinds: list[KindPreference]


class PreferencesUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Change the language and/or switch e-mail per kind (``{"application_received": false}``);
    fields left out are kept. The in-app inbox cannot be switched off."""

    language: Language | UnsetType = UNSET
    email: dict[Kind, bool] | UnsetType = UNSET


class OutboxRead(msgspec.Struct):
    """One queued message (system admin only): its state, without its text or address."""

    id: int
    user_id: int | None
    channel: str
    kind: str
    status: OutboxStatus
    attempts: int
    due_at: dt.datetime
    last_error: str | None
    created_at: dt.datetime
    sent_at: dt.datetime | None
