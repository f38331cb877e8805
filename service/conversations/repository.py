"""Queries for messages and invitations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import ColumnElement, SQLColumnExpression, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.conversations.models import Invitation, InvitationStatus, Message
from service.employers.models import Employer
from service.postings.models import Posting


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def thread(self, application_id: int, limit: int, offset: int) -> tuple[Sequence[Message], int]:
        """One page of the thread, oldest first, and the number of messages in it."""
        where = Message.application_id == application_id
        total = (await self.session.execute(select(func.count()).select_from(Message).where(where))).scalar_one()
        stmt = select(Message).where(where).order_by(Message.id).limit(limit).offset(offset)
        return (await self.session.execute(stmt)).scalars().all(), total

    async def mark_read(self, application_id: int, reader_is_graduate: bool, at: dt.datetime) -> None:
        """Mark the other side's unread messages of the thread read."""
        other = Message.sender_role != Role.GRADUATE if reader_is_graduate else Message.sender_role == Role.GRADUATE
        await self.session.execute(
            update(Message)
            .where(Message.application_id == application_id, other, Message.read_at.is_(None))
            .values(read_at=at)
            .execution_options(synchronize_session=False)
        )

    async def sent_since(
        self,
        column: SQLColumnExpression[int | None],
        user_id: int,
        since: dt.datetime,
        created: SQLColumnExpression[dt.datetime],
    ) -> tuple[int, dt.datetime | None]:
        """How many rows ``user_id`` wrote since ``since`` (``column``/``created`` of the table), and the oldest."""
        row = (
            await self.session.execute(
                select(func.count(), func.min(created)).where(column == user_id, created >= since)
            )
        ).one()
        return int(row[0]), row[1]

    async def invitation_statuses(self, posting_id: int, where: ColumnElement[bool]) -> dict[int, InvitationStatus]:
        """``{graduate id: status}`` of the invitations to apply to posting ``posting_id`` that ``where``
        admits (the caller's scope: :func:`~service.conversations.service.invitations_clause`, as
        ``GET /invitations``)."""
        stmt = select(Invitation.graduate_id, Invitation.status).where(Invitation.posting_id == posting_id, where)
        return dict((await self.session.execute(stmt)).tuples().all())

    async def invitations(
        self,
        where: ColumnElement[bool],
        limit: int,
        offset: int,
    ) -> tuple[Sequence[tuple[Invitation, str, str]], int]:
        """Invitations matching ``where``, newest first, each with its posting title and employer name."""
        base = (
            select(Invitation, Posting.title, Employer.name)
            .join(Posting, Posting.id == Invitation.posting_id)
            .join(Employer, Employer.id == Posting.employer_id)
            .where(where)
        )
        total = (await self.session.execute(select(func.count()).select_from(base.subquery()))).scalar_one()
        rows = (await self.session.execute(base.order_by(Invitation.id.desc()).limit(limit).offset(offset))).all()
        return [(r[0], r[1], r[2]) for r in rows], total
