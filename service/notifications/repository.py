"""Database queries for notifications: the inbox and preferences (in the caller's session) and
the outbox as the drainers use it (:class:`OutboxQueue`: each call its own short transaction)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.accounts.models import User
from service.db import rowcount
from service.notifications.models import QUEUED, Notification, NotificationPreference, OutboxMessage, OutboxStatus


class NotificationRepository:
    """One user's inbox and preferences, in the caller's transaction (flushes, never commits)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def page(
        self,
        user_id: int,
        unread_only: bool,
        limit: int,
        offset: int,
    ) -> tuple[Sequence[Notification], int]:
        """The user's notifications, newest first, and how many there are in all."""
        where = [Notification.user_id == user_id]
        if unread_only:
            where.append(Notification.read_at.is_(None))
        total = (await self.session.execute(select(func.count()).select_from(Notification).where(*where))).scalar_one()
        rows = (
            (
                await self.session.execute(
                    select(Notification).where(*where).order_by(Notification.id.desc()).limit(limit).offset(offset)
                )
            )
            .scalars()
            .all()
        )
        return rows, total

    async def unread_count(self, user_id: int) -> int:
        stmt = (
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        )
        return (await self.session.execute(stmt)).scalar_one()

    async def get_own(self, user_id: int, notification_id: int) -> Notification | None:
        """The notification if it is the user's (another user's is ``None``, as a missing one)."""
        stmt = select(Notification).where(Notification.id == notification_id, Notification.user_id == user_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def mark_all_read(self, user_id: int, now: dt.datetime) -> int:
        stmt = (
            update(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None))
            .values(read_at=now)
            .execution_options(synchronize_session=False)
        )
        return rowcount(await self.session.execute(stmt)) or 0

    async def preferences(
        self,
        user_ids: Iterable[int],
        kinds: Iterable[str] | None = None,
    ) -> dict[tuple[int, str, str], bool]:
        """``{(user_id, kind, channel): enabled}`` of the stored choices."""
        ids = list(user_ids)
        if not ids:
            return {}
        stmt = select(NotificationPreference).where(NotificationPreference.user_id.in_(ids))
        if kinds is not None:
            stmt = stmt.where(NotificationPreference.kind.in_(list(kinds)))
        return {(p.user_id, p.kind, p.channel): p.enabled for p in (await self.session.execute(stmt)).scalars()}

    async def set_preference(self, user_id: int, kind: str, channel: str, enabled: bool) -> None:
        row = await self.session.get(NotificationPreference, (user_id, kind, channel))
        if row is None:
            self.session.add(NotificationPreference(user_id=user_id, kind=kind, channel=channel, enabled=enabled))
        else:
            row.enabled = enabled

    async def recipients(self, user_ids: Iterable[int]) -> Sequence[User]:
        ids = sorted(set(user_ids))
        if not ids:
            return []
        return (await self.session.execute(select(User).where(User.id.in_(ids)).order_by(User.id))).scalars().all()


# --- the outbox, as drainers see it --------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """How one attempt at a claimed row ended: ``sent`` (``scrub``: forget body and link),
    ``pending`` again from ``due_at``, or ``failed``; ``error`` says why it was not sent."""

    id: int
    status: OutboxStatus
    due_at: dt.datetime | None = None
    error: str | None = None
    scrub: bool = False


@dataclass(frozen=True)
class Claimed:
    """An outbox row claimed by one drainer (``attempts`` includes this claim)."""

    id: int
    channel: str
    kind: str
    recipient: str
    language: str
    subject: str
    body: str
    link: str | None
    message_key: str
    attempts: int
    created_at: dt.datetime


_CLAIMED_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.channel,
    OutboxMessage.kind,
    OutboxMessage.recipient,
    OutboxMessage.language,
    OutboxMessage.subject,
    OutboxMessage.body,
    OutboxMessage.link,
    OutboxMessage.message_key,
    OutboxMessage.attempts,
    OutboxMessage.created_at,
)


class OutboxQueue:
    """Claiming and settling outbox rows for one drainer. Every method runs and commits its own
    short transaction on ``engine``, so what it records is durable when it returns.

    Claiming is one conditional ``WITH picked AS MATERIALIZED (SELECT … LIMIT n) UPDATE … WHERE id
    IN picked … RETURNING``: on PostgreSQL the CTE takes ``FOR UPDATE SKIP LOCKED``, so concurrent drainers claim
    disjoint rows without waiting; on SQLite the statement takes the database's write lock before it
    reads, so claims are serialised. The outer ``WHERE`` repeats the claimable condition, so a row
    another drainer changed in between is never taken twice. Every later change of a claimed row
    checks ``lease_owner``: a drainer whose lease was taken over changes nothing.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def claim(self, owner: str, limit: int, lease_until: dt.datetime, now: dt.datetime) -> list[Claimed]:
        """Claim up to ``limit`` due rows (pending, or sending with an expired lease), oldest due
        first: status ``sending``, ``lease_owner`` = ``owner``, ``due_at`` = ``lease_until``, one more attempt."""
        due = (text(QUEUED), OutboxMessage.due_at <= now)
        # a materialised CTE, not a sub-select: PostgreSQL may re-run a sub-select once per outer
        # row, and its SKIP LOCKED then skips the rows this very UPDATE already changed and takes
        # the next ones, claiming far more than ``limit``
        picked = (
            select(OutboxMessage.id)
            .where(*due)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("picked")
            .prefix_with("MATERIALIZED")
        )
        stmt = (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(select(picked.c.id)), *due)
            .values(
                status=OutboxStatus.SENDING, lease_owner=owner, due_at=lease_until, attempts=OutboxMessage.attempts + 1
            )
            .returning(*_CLAIMED_COLUMNS)
            .execution_options(synchronize_session=False)
        )
        async with self.engine.begin() as conn:
            rows = (await conn.execute(stmt)).all()
        return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)

    def _held(self, owner: str, ids: Sequence[int]) -> Any:
        return (
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(list(ids)),
                OutboxMessage.lease_owner == owner,
                OutboxMessage.status == OutboxStatus.SENDING,
            )
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )

    async def settle(self, owner: str, outcomes: Sequence[Outcome], now: dt.datetime) -> set[int]:
        """Record ``outcomes`` of the owner's claimed rows in one transaction (group commit);
        returns the ids recorded (a row whose lease was taken over by another drainer is not)."""
        done: set[int] = set()
        async with self.engine.begin() as conn:
            for scrub in (False, True):
                ids = [o.id for o in outcomes if o.status is OutboxStatus.SENT and o.scrub is scrub]
                if ids:
                    extra: dict[str, object] = {"body": "", "link": None} if scrub else {}
                    stmt = self._held(owner, ids).values(
                        status=OutboxStatus.SENT, sent_at=now, lease_owner=None, last_error=None, **extra
                    )
                    done.update((await conn.execute(stmt)).scalars())
            for o in outcomes:
                if o.status is OutboxStatus.SENT:
                    continue
                values: dict[str, object] = {
                    "status": o.status,
                    "lease_owner": None,
                    "last_error": (o.error or "")[:1000],
                }
                if o.due_at is not None:
                    values["due_at"] = o.due_at
                done.update((await conn.execute(self._held(owner, [o.id]).values(**values))).scalars())
        return done

    async def release(self, owner: str, ids: Sequence[int], due_at: dt.datetime, error: str) -> int:
        """Hand back claimed rows never tried (the channel went down): pending from ``due_at``,
        the claim not counted as an attempt. Returns how many."""
        if not ids:
            return 0
        stmt = self._held(owner, ids).values(
            status=OutboxStatus.PENDING,
            due_at=due_at,
            lease_owner=None,
            attempts=OutboxMessage.attempts - 1,
            last_error=error[:1000],
        )
        async with self.engine.begin() as conn:
            return len((await conn.execute(stmt)).scalars().all())

    async def extend(self, owner: str, ids: Sequence[int], lease_until: dt.datetime) -> set[int]:
        """Extend the lease of the owner's claimed ``ids``; returns the ids still held."""
        if not ids:
            return set()
        async with self.engine.begin() as conn:
            return set((await conn.execute(self._held(owner, ids).values(due_at=lease_until))).scalars().all())

    async def purge_sent(self, before: dt.datetime) -> int:
        """Delete sent rows sent before ``before``; returns how many."""
        stmt = delete(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < before)
        async with self.engine.begin() as conn:
            return rowcount(await conn.execute(stmt.execution_options(synchronize_session=False))) or 0

    async def counts(self) -> dict[str, int]:
        """Rows per status."""
        stmt = select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        async with self.engine.connect() as conn:
            return {str(getattr(s, "value", s)): n for s, n in (await conn.execute(stmt)).all()}
