"""The ``/notifications`` API over real HTTP: the caller's own inbox only (paged, newest first, unread
filter, texts in the account's language), marking read, the unread count, preferences per kind
and channel, and the admin's view of the outbox (failed deliveries, retry)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.config import Settings
from service.graduates.models import Graduate
from service.notifications.kinds import Kind
from service.notifications.models import OutboxMessage, OutboxStatus
from service.notifications.service import notify
from tests.conftest import LiveServer, create_account
from tests.harness import http_client

PARAMS = {"posting_title": "数控车床操作工", "employer_name": "广州数控设备有限公司", "reason": "filled"}
Account = tuple[int, httpx.Client]


@pytest.fixture
def account(server: LiveServer, settings: Settings) -> Iterator[Callable[..., Account]]:
    """``account(role, **scope)`` → ``(user id, client signed in as it)``."""
    opened: list[httpx.Client] = []

    def make(role: Role = Role.ADMIN, **scope: Any) -> Account:
        user_id, token = create_account(settings, role, **scope)
        c = http_client(base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {token}"})
        opened.append(c)
        return user_id, c

    yield make
    for c in opened:
        c.close()


async def _notify(session: AsyncSession, user_ids: list[int], times: int = 1) -> None:
    for i in range(times):
        await notify(
            session,
            recipients=user_ids,
            kind=Kind.POSTING_CLOSED,
            params={**PARAMS, "posting_title": f"岗位{i}"},
            link="/web/applications",
        )
    await session.commit()


async def test_the_inbox_is_the_callers_own_paged_newest_first(session: AsyncSession, account) -> None:
    me, client = account()
    other, other_client = account()
    await _notify(session, [me], times=5)
    await _notify(session, [other])
    page = client.get("/notifications", params={"limit": 2}).json()
    assert page["total"] == 5 and [n["title"] for n in page["items"]] == [
        "岗位已停止招聘：岗位4",
        "岗位已停止招聘：岗位3",
    ]
    assert page["items"][0]["body"].startswith("你投递的广州数控设备有限公司岗位「岗位4」已招满")
    assert page["items"][0]["link"] == "/web/applications" and page["items"][0]["read_at"] is None
    rest = client.get("/notifications", params={"limit": 10, "offset": 2}).json()["items"]
    assert [n["title"][-3:] for n in rest] == ["岗位2", "岗位1", "岗位0"]
    assert client.get("/notifications/unread-count").json() == {"unread": 5}

    first = page["items"][0]["id"]
    read = client.post(f"/notifications/{first}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert client.post(f"/notifications/{first}/read").json()["read_at"] == read.json()["read_at"]  # first time kept
    assert client.get("/notifications/unread-count").json() == {"unread": 4}
    assert client.get("/notifications", params={"unread": "true"}).json()["total"] == 4

    foreign = other_client.get("/notifications").json()["items"][0]["id"]
    refused = client.post(f"/notifications/{foreign}/read")
    assert refused.status_code == 404 and "岗位" not in refused.text  # another user's: as if it did not exist
    assert client.post("/notifications/987654/read").status_code == 404
    assert client.post("/notifications/read-all").json() == {"marked": 4}
    assert client.get("/notifications/unread-count").json() == {"unread": 0}
    assert other_client.get("/notifications/unread-count").json() == {"unread": 1}  # untouched


async def test_texts_follow_the_accounts_language(session: AsyncSession, account) -> None:
    me, client = account()
    await _notify(session, [me])
    assert client.patch("/notifications/preferences", json={"language": "en"}).json()["language"] == "en"
    [item] = client.get("/notifications").json()["items"]
    assert item["title"] == "Posting closed: 岗位0" and "has been filled" in item["body"]
    assert client.patch("/notifications/preferences", json={"language": "fr"}).status_code == 400


async def test_preferences_per_kind_and_channel(session: AsyncSession, account) -> None:
    graduate = Graduate(name="陈小明")
    session.add(graduate)
    await session.commit()
    me, client = account(Role.GRADUATE, graduate_id=graduate.id)
    prefs = client.get("/notifications/preferences").json()
    kinds = {k["kind"]: k for k in prefs["kinds"]}
    assert prefs["language"] == "zh_Hans" and prefs["email_address"] is True
    assert "application_received" not in kinds and "account_activation" not in kinds  # not a graduate's
    assert kinds["posting_closed"] == {"kind": "posting_closed", "in_app": True, "email": True}
    changed = client.patch("/notifications/preferences", json={"email": {"posting_closed": False}})
    assert changed.status_code == 200
    assert {k["kind"]: k["email"] for k in changed.json()["kinds"]}["posting_closed"] is False
    await _notify(session, [me])
    assert (await session.execute(select(OutboxMessage))).scalars().all() == []  # inbox only
    assert client.get("/notifications/unread-count").json() == {"unread": 1}
    fixed = client.patch("/notifications/preferences", json={"email": {"account_activation": False}})
    assert fixed.status_code == 422 and "account_activation" in fixed.text
    assert client.patch("/notifications/preferences", json={"email": {"party": True}}).status_code == 400
    assert client.patch("/notifications/preferences", json={"in_app": {"posting_closed": False}}).status_code == 400


async def test_the_admin_sees_failed_deliveries_and_queues_them_again(session: AsyncSession, account) -> None:
    me, admin = account(Role.ADMIN)
    await _notify(session, [me], times=2)
    rows = (await session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == rows[0].id)
        .values(status=OutboxStatus.FAILED, attempts=8, last_error="gave up after 8 attempts: 451")
    )
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == rows[1].id).values(status=OutboxStatus.SENT))
    await session.commit()
    failed = admin.get("/notifications/outbox", params={"status": "failed"}).json()
    assert failed["total"] == 1 and failed["items"][0]["last_error"] == "gave up after 8 attempts: 451"
    assert "recipient" not in failed["items"][0] and "body" not in failed["items"][0]
    retried = admin.post(f"/notifications/outbox/{rows[0].id}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "pending" and retried.json()["attempts"] == 0
    assert admin.post(f"/notifications/outbox/{rows[1].id}/retry").status_code == 409  # already sent
    assert admin.post("/notifications/outbox/987654/retry").status_code == 404
    graduate = Graduate(name="李四")
    session.add(graduate)
    await session.commit()
    _, someone = account(Role.GRADUATE, graduate_id=graduate.id)
    assert someone.get("/notifications/outbox").status_code == 403
    assert someone.post(f"/notifications/outbox/{rows[0].id}/retry").status_code == 403
