"""The events the existing code paths send, through the real API: a new application (→ the
employer's members), a status change (→ the graduate), a posting closed, filled or expired (→ its
live applicants) and an employer approved (→ its members); each in the recipient's language, in
the inbox and queued for e-mail, and nothing when the request fails."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.applications.models import Application, ApplicationEvent, ApplicationStatus
from service.config import Settings
from service.graduates.models import Graduate
from service.imports.runs import expire_postings
from service.notifications.models import Notification, OutboxMessage
from service.postings.models import Posting, PostingSource
from tests.conftest import LiveServer, sign_in
from tests.harness import http_client
from tests.notifications.conftest import Hiring, add_user, hiring_world


@pytest.fixture
def bearer(server: LiveServer, settings: Settings) -> Iterator[object]:
    """``bearer(user_id)`` → an HTTP client signed in as that existing account."""
    opened: list[httpx.Client] = []

    def make(user_id: int) -> httpx.Client:
        c = http_client(
            base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {sign_in(settings, user_id)}"}
        )
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


async def _inbox(session: AsyncSession, user_id: int) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
    return list((await session.execute(stmt.execution_options(populate_existing=True))).scalars())


async def _mail(session: AsyncSession, user_id: int) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.user_id == user_id).order_by(OutboxMessage.id)
    return list((await session.execute(stmt.execution_options(populate_existing=True))).scalars())


async def _apply(session: AsyncSession, world: Hiring, graduate_id: int | None = None) -> Application:
    application = Application(
        graduate_id=graduate_id or world.graduate.id,
        posting_id=world.posting.id,
        history=[ApplicationEvent(from_status=None, to_status=ApplicationStatus.APPLIED)],
    )
    session.add(application)
    await session.flush()
    return application


async def test_an_application_tells_every_member_of_the_employer(session: AsyncSession, bearer) -> None:
    world = await hiring_world(session)
    other = await hiring_world(session)  # another employer's members hear nothing
    await session.commit()
    response = bearer(world.graduate_user.id).post(
        "/applications", json={"graduate_id": world.graduate.id, "posting_id": world.posting.id}
    )
    assert response.status_code == 201, response.text
    zh, en = world.members
    for member in (zh, en):
        [n] = await _inbox(session, member.id)
        assert n.kind == "application_received" and n.params == {"posting_title": "数控车床操作工"}
        assert n.link == f"/web/postings/{world.posting.id}/applications"
    assert [m.subject for m in await _mail(session, zh.id)] == ["新投递：数控车床操作工"]
    assert [m.subject for m in await _mail(session, en.id)] == ["New application: 数控车床操作工"]
    assert "陈小明" not in (await _mail(session, zh.id))[0].body  # the applicant's name stays behind the link
    assert [await _inbox(session, m.id) for m in other.members] == [[], []]
    # a refused application (already applied: 409) tells nobody anything
    again = bearer(world.graduate_user.id).post(
        "/applications", json={"graduate_id": world.graduate.id, "posting_id": world.posting.id}
    )
    assert again.status_code == 409 and len(await _inbox(session, zh.id)) == 1


async def test_status_moves_tell_the_graduate_but_not_their_own_withdrawal(session: AsyncSession, bearer) -> None:
    world = await hiring_world(session)
    application = await _apply(session, world)
    await session.commit()
    employer = bearer(world.members[0].id)
    assert employer.post(f"/applications/{application.id}/status", json={"status": "interview"}).status_code == 200
    [n] = await _inbox(session, world.graduate_user.id)
    assert n.kind == "application_status_changed" and n.link == "/web/applications"
    assert n.params == {
        "posting_title": "数控车床操作工",
        "employer_name": "广州数控设备有限公司",
        "status": "interview",
    }
    [mail] = await _mail(session, world.graduate_user.id)
    assert mail.body == "你投递给广州数控设备有限公司的岗位「数控车床操作工」现在的状态是：邀请面试。"
    graduate = bearer(world.graduate_user.id)
    assert graduate.post(f"/applications/{application.id}/status", json={"status": "withdrawn"}).status_code == 200
    assert len(await _inbox(session, world.graduate_user.id)) == 1


async def test_closing_a_posting_tells_its_live_applicants_only(session: AsyncSession, bearer) -> None:
    world = await hiring_world(session)
    await _apply(session, world)  # live
    rejected_graduate = Graduate(name="李四")
    session.add(rejected_graduate)
    await session.flush()
    rejected_user = await add_user(session, Role.GRADUATE, graduate_id=rejected_graduate.id, language="en")
    rejected = await _apply(session, world, rejected_graduate.id)
    rejected.status = ApplicationStatus.REJECTED
    await session.commit()
    employer = bearer(world.members[1].id)
    response = employer.patch(f"/postings/{world.posting.id}", json={"status": "closed"})
    assert response.status_code == 200, response.text
    [n] = await _inbox(session, world.graduate_user.id)
    assert n.kind == "posting_closed" and n.params["reason"] == "closed"
    assert (await _mail(session, world.graduate_user.id))[0].body.startswith(
        "你投递的广州数控设备有限公司岗位「数控车床操作工」已被用人单位关闭，不再接受投递。"
    )
    assert not await _inbox(session, rejected_user.id)
    # closing it again (already closed) tells nobody again; editing the description neither
    assert employer.patch(f"/postings/{world.posting.id}", json={"status": "closed"}).status_code == 200
    assert employer.patch(f"/postings/{world.posting.id}", json={"description": "新描述"}).status_code == 200
    assert len(await _inbox(session, world.graduate_user.id)) == 1


async def test_a_hire_that_fills_the_posting_tells_the_other_applicants(session: AsyncSession, bearer) -> None:
    world = await hiring_world(session, openings=1)
    hired = await _apply(session, world)
    other_graduate = Graduate(name="王五")
    session.add(other_graduate)
    await session.flush()
    other_user = await add_user(session, Role.GRADUATE, graduate_id=other_graduate.id, language="en")
    await _apply(session, world, other_graduate.id)
    await session.commit()
    response = bearer(world.members[0].id).post(f"/applications/{hired.id}/status", json={"status": "hired"})
    assert response.status_code == 200, response.text
    assert [n.params["status"] for n in await _inbox(session, world.graduate_user.id)] == ["hired"]
    [closed] = await _inbox(session, other_user.id)
    assert closed.kind == "posting_closed" and closed.params["reason"] == "filled"
    assert (await _mail(session, other_user.id))[0].subject == "Posting closed: 数控车床操作工"


async def test_crawled_postings_past_their_closing_date_tell_their_applicants(session: AsyncSession) -> None:
    world = await hiring_world(session)
    world.posting.valid_through = dt.date(2026, 1, 31)
    session.add(PostingSource(posting_id=world.posting.id, source="example_cn", external_id="j1"))
    await _apply(session, world)
    await session.commit()
    assert await expire_postings(session, dt.datetime(2026, 3, 1, tzinfo=dt.UTC)) == 1
    await session.commit()
    [n] = await _inbox(session, world.graduate_user.id)
    assert n.kind == "posting_closed" and n.params["reason"] == "expired"
    assert (await session.get(Posting, world.posting.id)) is not None


async def test_approving_an_employer_tells_its_members_once(session: AsyncSession, client: httpx.Client) -> None:
    world = await hiring_world(session, verified=False)
    await session.commit()
    for _ in range(2):  # approving again is idempotent: one notification
        response = client.post(f"/employers/{world.employer.id}/verify")
        assert response.status_code == 200 and response.json()["verified"] is True
    for member, subject in zip(world.members, ("单位审核结果：已通过", "Employer verification: approved"), strict=True):
        [n] = await _inbox(session, member.id)
        assert n.kind == "employer_verification_decided" and n.link == "/web/postings"
        assert n.params == {"employer_name": "广州数控设备有限公司", "decision": "approved"}
        assert [m.subject for m in await _mail(session, member.id)] == [subject]
