"""``/me/saved-jobs`` and ``/me/job-alerts`` over real HTTP on both databases: a graduate's own only,
404 for postings graduates may not see and for other graduates' alerts, 403 for other roles, problems
naming the field."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.config import Settings
from tests.alerts.conftest import World, add_posting
from tests.conftest import Clock, LiveServer, sign_in
from tests.harness import http_client


@pytest.fixture
def graduate(server: LiveServer, settings: Settings, world: World) -> Iterator[Callable[[str], httpx.Client]]:
    """``graduate("a")`` → a client signed in (bearer) as the world's graduate A's account."""
    opened: list[httpx.Client] = []

    def make(side: str) -> httpx.Client:
        token = sign_in(settings, world.ids[f"user_{side}"])
        opened.append(http_client(base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {token}"}))
        return opened[-1]

    yield make
    for c in opened:
        c.close()


def test_saved_jobs_api(
    client_as: Callable[..., httpx.Client], graduate: Callable[[str], httpx.Client], world: World
) -> None:
    me = graduate("a")
    posting = world.ids["posting_a"]
    r = me.put(f"/me/saved-jobs/{posting}")
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "open" and r.json()["employer_name"] == "广州数控设备有限公司"
    assert me.put(f"/me/saved-jobs/{posting}").status_code == 200  # again: unchanged
    hidden = me.put(f"/me/saved-jobs/{world.ids['posting_b']}")
    assert hidden.status_code == 404 and "仓库管理员" not in hidden.text
    page = me.get("/me/saved-jobs").json()
    assert page["total"] == 1 and [i["posting_id"] for i in page["items"]] == [posting]
    other = graduate("b")
    assert other.get("/me/saved-jobs").json()["total"] == 0
    assert me.delete(f"/me/saved-jobs/{posting}").status_code == 204
    assert me.delete(f"/me/saved-jobs/{posting}").status_code == 204
    assert me.get("/me/saved-jobs").json()["total"] == 0
    employer = client_as(Role.EMPLOYER, employer_id=world.ids["employer_a"])
    assert employer.put(f"/me/saved-jobs/{posting}").status_code == 403
    assert employer.get("/me/job-alerts").status_code == 403


async def test_a_saved_job_past_its_day_in_beijing_is_expired(
    graduate: Callable[[str], httpx.Client], world: World, session: AsyncSession, evening_in_utc: Clock
) -> None:
    """17:30 UTC, 01:30 tomorrow in Beijing: a saved posting valid through the server's date is
    ``expired`` for the graduate (the saved-jobs list and the save answer), one valid through Beijing's
    date ``open``. With the server's date both were open until 08:00 in Beijing."""
    a = world.ids["employer_a"]
    closed = await add_posting(session, a, "数控（昨天截止）", valid_through=evening_in_utc.server_day)
    open_today = await add_posting(session, a, "数控（今天截止）", valid_through=evening_in_utc.beijing_day)
    await session.commit()
    me = graduate("a")
    assert me.put(f"/me/saved-jobs/{closed.id}").json()["state"] == "expired"
    assert me.put(f"/me/saved-jobs/{open_today.id}").json()["state"] == "open"
    states = {item["posting_id"]: item["state"] for item in me.get("/me/saved-jobs").json()["items"]}
    assert states == {closed.id: "expired", open_today.id: "open"}


def test_job_alerts_api(graduate: Callable[[str], httpx.Client], world: World) -> None:
    me = graduate("a")
    r = me.post(
        "/me/job-alerts",
        json={"name": "广州数控", "filters": {"q": "数控", "region": "440100", "min_salary": 4500, "internship": True}},
    )
    assert r.status_code == 201, r.text
    alert = r.json()
    assert alert["filters"] == {"q": "数控", "region": "440100", "min_salary": "4500", "internship": "1"}
    assert alert["query"] == "q=%E6%95%B0%E6%8E%A7&region=440100&min_salary=4500&internship=1"
    assert alert["active"] is True and alert["last_sent_at"] is None
    bad = me.post("/me/job-alerts", json={"name": "x", "filters": {"region": "999999x"}})
    assert bad.status_code == 400  # longer than a region code: refused by the body's schema
    bad = me.post("/me/job-alerts", json={"name": "x", "filters": {"region": "12345a"}})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "filters.region", bad.text
    empty = me.post("/me/job-alerts", json={"name": "x", "filters": {}})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "filters"
    unknown = me.post("/me/job-alerts", json={"name": "x", "filters": {"major": "数控"}})
    assert unknown.status_code == 400
    path = f"/me/job-alerts/{alert['id']}"
    changed = me.patch(path, json={"name": "数控（广州）", "active": False}).json()
    assert (changed["name"], changed["active"]) == ("数控（广州）", False)
    assert me.patch(path, json={"name": " "}).status_code == 422
    assert [a["id"] for a in me.get("/me/job-alerts").json()] == [alert["id"]]
    other = graduate("b")
    for response in (other.get(path), other.patch(path, json={"active": True}), other.delete(path)):
        assert response.status_code == 404 and "数控" not in response.text
    assert me.get(path).json()["active"] is False  # unchanged by the other graduate
    assert me.delete(path).status_code == 204
    assert me.get(path).status_code == 404 and me.get("/me/job-alerts").json() == []
