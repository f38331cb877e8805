"""Notifications: :func:`notify` (what other domains call), the recipients helpers, and the
inbox and preferences a user manages (:class:`NotificationService`).

:func:`notify` writes, in the caller's transaction, one inbox row per recipient and — per the
recipient's preferences — one outbox row per channel to deliver on (transactional outbox): if the
caller's transaction rolls back, nobody is told anything; if it commits, every message is queued
and the drainer (:mod:`service.notifications.delivery`) delivers it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.db import utcnow
from service.errors import ConflictError, InvalidFieldError, NotFoundError
from service.notifications.channels import EMAIL
from service.notifications.kinds import KINDS, Kind, KindSpec, check_params, language_of, render, spec_of
from service.notifications.models import Notification, OutboxMessage, OutboxStatus
from service.notifications.repository import NotificationRepository
from service.notifications.schemas import (
    KindPreference,
    NotificationRead,
    OutboxRead,
    PreferencesRead,
    PreferencesUpdate,
)

#: Outbox channels and the account field that holds each one's address. A new channel (SMS:
#: ``"sms": "phone"``) is one entry here, a :class:`~service.notifications.channels.Channel`, and
#: its column on the preferences page.
CHANNEL_ADDRESS = {EMAIL: "email"}


class NotifyResult(msgspec.Struct, frozen=True):
    """What :func:`notify` wrote: the inbox rows' and the outbox rows' ids."""

    notification_ids: list[int]
    outbox_ids: list[int]


def check_link(link: str | None) -> str | None:
    """``link`` if it is a path on this service (``/web/…``); raises ``ValueError`` otherwise, so a
    notification can never send its reader to another site."""
    if link is None:
        return None
    if not link.startswith("/") or link.startswith("//") or "\\" in link or any(c in link for c in "\r\n\t "):
        raise ValueError(f"notification link must be a local path such as /web/applications, not {link!r}")
    return link


async def notify(
    session: AsyncSession,
    *,
    recipients: Iterable[int],
    kind: Kind | str,
    params: Mapping[str, Any] | None = None,
    link: str | None = None,
) -> NotifyResult:
    """Tell the users ``recipients`` (user ids) about an event of ``kind``, inside the caller's
    transaction (flushes, never commits).

    For each distinct, active recipient (inactive accounts get only ``account_activation``): an
    inbox row (unless the kind is e-mail only) and, for each channel the recipient has on for
    ``kind`` and has an address for (an e-mail address for ``email``), an outbox row whose text is
    rendered now in the recipient's language. Unknown user ids are skipped.

    Example::

        await notify(session, recipients=await employer_recipients(session, posting.employer_id),
                     kind=Kind.APPLICATION_RECEIVED, params={"posting_title": posting.title},
                     link=f"/web/postings/{posting.id}/applications")

    Raises:
        ValueError: unknown kind, params missing/unknown/of the wrong type for the kind (see
            :data:`service.notifications.kinds.KINDS`), or ``link`` not a local path.
    """
    spec = spec_of(kind)
    stored = check_params(spec, params or {})
    link = check_link(link)
    if spec.link_required and link is None:
        raise ValueError(f"{spec.kind}: a link is required")
    repo = NotificationRepository(session)
    users = [u for u in await repo.recipients(recipients) if u.active or not spec.inbox]
    if not users:
        return NotifyResult(notification_ids=[], outbox_ids=[])
    choices = await repo.preferences([u.id for u in users], [spec.kind.value])
    inbox: dict[int, Notification] = {}
    if spec.inbox:
        inbox = {u.id: Notification(user_id=u.id, kind=spec.kind.value, params=stored, link=link) for u in users}
        session.add_all(inbox.values())
        await session.flush()
    outbox = []
    now = utcnow()
    for user in users:
        for channel, field in CHANNEL_ADDRESS.items():
            address = getattr(user, field)
            if not address or not wants(spec, choices, user.id, channel):
                continue
            language = language_of(user.language)
            subject, body = render(spec.kind, stored, language)
            notification = inbox.get(user.id)
            outbox.append(
                OutboxMessage(
                    user_id=user.id,
                    notification_id=notification.id if notification else None,
                    channel=channel,
                    kind=spec.kind.value,
                    recipient=address,
                    language=language,
                    subject=subject[:300],
                    body=body,
                    link=link,
                    message_key=uuid.uuid4().hex,
                    status=OutboxStatus.PENDING,
                    attempts=0,
                    due_at=now,
                )
            )
    session.add_all(outbox)
    await session.flush()
    return NotifyResult(notification_ids=[n.id for n in inbox.values()], outbox_ids=[o.id for o in outbox])


def wants(spec: KindSpec, choices: Mapping[tuple[int, str, str], bool], user_id: int, channel: str) -> bool:
    """Whether ``user_id`` gets ``spec``'s kind on ``channel``: always when the kind is not
    configurable, else the stored choice or the kind's default."""
    if not spec.configurable:
        return True
    return choices.get((user_id, spec.kind.value, channel), spec.email_default)


# --- recipients --------------------------------------------------------------------------------


async def employer_recipients(session: AsyncSession, employer_id: int) -> list[int]:
    """The user ids of the employer's active member accounts."""
    stmt = (
        select(User.id)
        .where(User.employer_id == employer_id, User.role == Role.EMPLOYER, User.active.is_(True))
        .order_by(User.id)
    )
    return list((await session.execute(stmt)).scalars())


async def graduate_recipients(session: AsyncSession, graduate_ids: Iterable[int]) -> dict[int, list[int]]:
    """``{graduate_id: [user ids]}`` of the graduates' active accounts (a graduate has at most one;
    graduates without an account are absent)."""
    ids = sorted(set(graduate_ids))
    if not ids:
        return {}
    stmt = select(User.graduate_id, User.id).where(User.graduate_id.in_(ids), User.active.is_(True)).order_by(User.id)
    out: dict[int, list[int]] = {}
    for graduate_id, user_id in (await session.execute(stmt)).all():
        out.setdefault(graduate_id, []).append(user_id)
    return out


# --- the inbox and preferences of one user -------------------------------------------------------


def to_read(n: Notification, language: str | None) -> NotificationRead:
    """An inbox row with its texts in ``language``."""
    title, body = render(n.kind, n.params or {}, language)
    return NotificationRead(
        id=n.id, kind=n.kind, title=title, body=body, link=n.link, created_at=n.created_at, read_at=n.read_at
    )


def outbox_read(o: OutboxMessage) -> OutboxRead:
    return OutboxRead(
        id=o.id,
        user_id=o.user_id,
        channel=o.channel,
        kind=o.kind,
        status=o.status,
        attempts=o.attempts,
        due_at=o.due_at,
        last_error=o.last_error,
        created_at=o.created_at,
        sent_at=o.sent_at,
    )


def kinds_for(role: Role) -> list[KindSpec]:
    """The kinds a user of ``role`` can receive and switch (the admin: every switchable kind)."""
    return [s for s in KINDS.values() if s.configurable and (role is Role.ADMIN or role in s.audience)]


class NotificationService:
    """One user's inbox and preferences. Flushes; the caller's transaction commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = NotificationRepository(session)

    async def _user(self, user_id: int) -> User:
        user = await self.session.get(User, user_id)
        if user is None:
            raise NotFoundError("user", user_id)
        return user

    async def language(self, user_id: int) -> str:
        return language_of((await self._user(user_id)).language)

    async def page(
        self,
        user_id: int,
        *,
        unread_only: bool = False,
        limit: int = 20,
        offset: int = 0,
    ) -> tuple[Sequence[Notification], int]:
        """The user's notifications, newest first, and the total."""
        return await self.repo.page(user_id, unread_only, limit, offset)

    async def unread_count(self, user_id: int) -> int:
        return await self.repo.unread_count(user_id)

    async def mark_read(self, user_id: int, notification_id: int) -> Notification:
        """Mark one of the user's notifications read (idempotent: the first time counts).

        Raises:
            NotFoundError: no such notification, or another user's (404 either way).
        """
        n = await self.repo.get_own(user_id, notification_id)
        if n is None:
            raise NotFoundError("notification", notification_id)
        if n.read_at is None:
            n.read_at = utcnow()
            await self.session.flush()
        return n

    async def mark_all_read(self, user_id: int) -> int:
        """Mark every unread notification of the user read; returns how many."""
        return await self.repo.mark_all_read(user_id, utcnow())

    async def preferences(self, user_id: int) -> PreferencesRead:
        """The user's language and, per kind the role can receive, in-app (always) and e-mail."""
        user = await self._user(user_id)
        specs = kinds_for(user.role)
        choices = await self.repo.preferences([user_id])
        return PreferencesRead(
            language=language_of(user.language),
            email_address=user.email is not None,
            kinds=[KindPreference(kind=s.kind, in_app=s.inbox, email=wants(s, choices, user_id, EMAIL)) for s in specs],
        )

    async def update_preferences(self, user_id: int, data: PreferencesUpdate) -> PreferencesRead:
        """Change the fields present in ``data``.

        Raises:
            InvalidFieldError: ``email`` names a kind that cannot be switched off (e.g.
                ``account_activation``; 422 naming it).
        """
        user = await self._user(user_id)
        if data.language is not msgspec.UNSET:
            user.language = data.language
        if data.email is not msgspec.UNSET:
            fixed = sorted(k.value for k in data.email if not KINDS[k].configurable)
            if fixed:
                raise InvalidFieldError("email", f"{', '.join(fixed)} cannot be switched off")
            for kind, enabled in data.email.items():
                await self.repo.set_preference(user_id, kind.value, EMAIL, enabled)
        await self.session.flush()
        return await self.preferences(user_id)

    # --- the admin's view of deliveries ----------------------------------------------------------

    async def outbox(
        self,
        status: OutboxStatus | None,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[OutboxMessage], int]:
        """Outbox rows (newest first), e.g. the ``failed`` ones, and the total."""
        where = [OutboxMessage.status == status] if status is not None else []
        total = (await self.session.execute(select(func.count()).select_from(OutboxMessage).where(*where))).scalar_one()
        rows = (
            (
                await self.session.execute(
                    select(OutboxMessage).where(*where).order_by(OutboxMessage.id.desc()).limit(limit).offset(offset)
                )
            )
            .scalars()
            .all()
        )
        return rows, total

    async def retry(self, outbox_id: int) -> OutboxMessage:
        """Queue a ``failed`` message again with a fresh set of attempts (idempotent for a pending one).

        Raises:
            NotFoundError: unknown id (404).
            ConflictError: the message was already sent, or is being sent now (409).
        """
        row = await self.session.get(OutboxMessage, outbox_id)
        if row is None:
            raise NotFoundError("outbox message", outbox_id)
        if row.status in (OutboxStatus.SENT, OutboxStatus.SENDING):
            raise ConflictError(
                f"outbox message {outbox_id} is {row.status.value}; only failed or pending messages can be retried"
            )
        row.status, row.attempts, row.due_at, row.lease_owner = OutboxStatus.PENDING, 0, utcnow(), None
        await self.session.flush()
        return row
