"""``notify``: inbox and outbox rows written in the caller's transaction (a rollback leaves neither),
per the recipients' preferences, in each recipient's language; inactive, unknown and address-less
recipients; e-mail-only kinds."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.accounts.models import Role
from service.db import make_sessionmaker
from service.errors import InvalidFieldError
from service.notifications.kinds import Kind
from service.notifications.models import Notification, NotificationPreference, OutboxMessage, OutboxStatus
from service.notifications.schemas import PreferencesUpdate
from service.notifications.service import NotificationService, notify
from tests.notifications.conftest import add_user

PARAMS = {"posting_title": "数控车床操作工", "employer_name": "广州数控设备有限公司", "reason": "filled"}


async def _count(session: AsyncSession, model: type) -> int:
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


async def test_inbox_and_outbox_rows_in_the_recipients_language(session: AsyncSession) -> None:
    zh = await add_user(session, Role.ADMIN, language="zh_Hans")
    en = await add_user(session, Role.ADMIN, language="en")
    result = await notify(
        session, recipients=[zh.id, en.id, zh.id], kind=Kind.POSTING_CLOSED, params=PARAMS, link="/web/applications"
    )
    await session.commit()
    assert len(result.notification_ids) == 2 and len(result.outbox_ids) == 2  # the repeated id is one recipient
    rows = {o.recipient: o for o in (await session.execute(select(OutboxMessage))).scalars()}
    assert rows[zh.email].subject == "岗位已停止招聘：数控车床操作工" and rows[zh.email].language == "zh_Hans"
    assert rows[en.email].subject == "Posting closed: 数控车床操作工" and "has been filled" in rows[en.email].body
    assert {o.status for o in rows.values()} == {OutboxStatus.PENDING}
    assert len({o.message_key for o in rows.values()}) == 2 and all(o.attempts == 0 for o in rows.values())
    inbox = (await session.execute(select(Notification).order_by(Notification.user_id))).scalars().all()
    assert [n.user_id for n in inbox] == sorted([zh.id, en.id])
    assert inbox[0].params == PARAMS and inbox[0].link == "/web/applications" and inbox[0].read_at is None
    assert {o.notification_id for o in rows.values()} == set(result.notification_ids)


async def test_a_rolled_back_transaction_leaves_no_notification(engine: AsyncEngine) -> None:
    async with make_sessionmaker(engine)() as session:
        user = await add_user(session)
        await session.commit()
        await notify(session, recipients=[user.id], kind=Kind.POSTING_CLOSED, params=PARAMS)
        assert await _count(session, Notification) == 1 and await _count(session, OutboxMessage) == 1
        await session.rollback()  # the caller's change failed: nobody is told
        assert await _count(session, Notification) == 0 and await _count(session, OutboxMessage) == 0


async def test_preferences_decide_the_channels(session: AsyncSession) -> None:
    off = await add_user(session)
    on = await add_user(session)
    no_address = await add_user(session, email=None, phone="13800138000")
    service = NotificationService(session)
    await service.update_preferences(off.id, PreferencesUpdate(email={Kind.POSTING_CLOSED: False}))
    await service.update_preferences(on.id, PreferencesUpdate(email={Kind.POSTING_CLOSED: False}))
    await service.update_preferences(on.id, PreferencesUpdate(email={Kind.POSTING_CLOSED: True}))  # changed back
    result = await notify(session, recipients=[off.id, on.id, no_address.id], kind=Kind.POSTING_CLOSED, params=PARAMS)
    assert len(result.notification_ids) == 3  # the inbox is always on
    recipients = (await session.execute(select(OutboxMessage.recipient))).scalars().all()
    assert recipients == [on.email]
    assert await _count(session, NotificationPreference) == 2  # one row per user and kind, updated in place
    # another kind keeps its default (on) for the user who switched posting_closed off
    await notify(session, recipients=[off.id], kind=Kind.FOLLOW_UP_REMINDER, params={"school_name": "某校"})
    assert (
        await session.execute(select(OutboxMessage.recipient).where(OutboxMessage.kind == "follow_up_reminder"))
    ).scalars().all() == [off.email]


async def test_inactive_and_unknown_recipients_and_email_only_kinds(session: AsyncSession) -> None:
    inactive = await add_user(session, active=False, language="en")
    active = await add_user(session)
    result = await notify(session, recipients=[inactive.id, active.id, 987654], kind=Kind.POSTING_CLOSED, params=PARAMS)
    assert len(result.notification_ids) == 1 and len(result.outbox_ids) == 1
    # account activation: e-mail only, to the not yet active account, whatever its preferences say
    with pytest.raises(InvalidFieldError, match="account_activation cannot be switched off"):
        await NotificationService(session).update_preferences(
            inactive.id, PreferencesUpdate(email={Kind.ACCOUNT_ACTIVATION: False})
        )
    activation = await notify(
        session,
        recipients=[inactive.id],
        kind=Kind.ACCOUNT_ACTIVATION,
        params={"expires_hours": 48},
        link="/web/activate?token=abc",
    )
    assert activation.notification_ids == [] and len(activation.outbox_ids) == 1
    row = await session.get(OutboxMessage, activation.outbox_ids[0])
    assert row is not None and row.subject == "Activate your vocmatch account" and row.link == "/web/activate?token=abc"
    with pytest.raises(ValueError, match="a link is required"):
        await notify(session, recipients=[inactive.id], kind=Kind.ACCOUNT_ACTIVATION)
    assert await notify(session, recipients=[], kind=Kind.POSTING_CLOSED, params=PARAMS) == type(result)(
        notification_ids=[], outbox_ids=[]
    )
