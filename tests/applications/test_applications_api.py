"""Applications and their status machine over real HTTP on both backends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.applications.models import ALLOWED_TRANSITIONS, ApplicationStatus
from service.config import beijing_today
from service.db import make_sessionmaker
from service.destinations.models import DestinationEvent
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.postings.models import Posting, PostingStatus
from tests.conftest import Clock
from tests.factories import guangdong_regions

TODAY = beijing_today()  # the users' today, the day postings close by


class World:
    """Ids of the reference rows: three graduates and postings of every kind."""

    graduates: list[int]
    open_posting: int  # two openings
    single_opening: int
    filled: int
    expired: int
    open_today: int  # valid_through is today
    employer: int


@pytest.fixture
async def world(session: AsyncSession) -> World:
    session.add_all(guangdong_regions())
    employer = Employer(name="广州数控设备有限公司", industry="制造业", verified=True)
    graduates = [Graduate(name=name) for name in ("陈小明", "李华", "王芳")]
    session.add_all([employer, *graduates])
    await session.flush()

    def posting(title: str, **extra: object) -> Posting:
        fields: dict[str, object] = {
            "title": title,
            "employer_id": employer.id,
            "region_code": "440106",
            "salary_min": 5000,
            "salary_max": 7000,
            "salary_min_monthly": 5000,
            "salary_max_monthly": 7000,
            "posted_on": TODAY - dt.timedelta(days=10),
        }
        fields.update(extra)
        return Posting(**fields)

    postings = [
        posting("数控车床操作工", openings=2),
        posting("装配钳工", openings=1),
        posting("仓库管理员", status=PostingStatus.FILLED),
        posting("质检员", valid_through=TODAY - dt.timedelta(days=1)),
        posting("电工", valid_through=TODAY),
    ]
    session.add_all(postings)
    await session.commit()
    w = World()
    w.graduates = [g.id for g in graduates]
    w.open_posting, w.single_opening, w.filled, w.expired, w.open_today = (p.id for p in postings)
    w.employer = employer.id
    return w


def _apply(client: httpx.Client, graduate_id: int, posting_id: int, **extra: object) -> httpx.Response:
    return client.post("/applications", json={"graduate_id": graduate_id, "posting_id": posting_id, **extra})


def _move(client: httpx.Client, application_id: int, status: str, **extra: object) -> httpx.Response:
    return client.post(f"/applications/{application_id}/status", json={"status": status, **extra})


async def _destinations(engine: AsyncEngine) -> list[DestinationEvent]:
    async with make_sessionmaker(engine)() as s:
        return list((await s.execute(select(DestinationEvent).order_by(DestinationEvent.id))).scalars())


async def _posting(engine: AsyncEngine, posting_id: int) -> Posting:
    async with make_sessionmaker(engine)() as s:
        return await s.get_one(Posting, posting_id)


async def test_apply_read_list(client: httpx.Client, world: World, engine: AsyncEngine) -> None:
    created = _apply(client, world.graduates[0], world.open_posting, cover_letter="我有数控车工四级证书")
    assert created.status_code == 201, created.text
    a = created.json()
    assert (a["status"], a["posting_title"], a["cover_letter"]) == ("applied", "数控车床操作工", "我有数控车工四级证书")
    assert [(e["from_status"], e["to_status"]) for e in a["history"]] == [(None, "applied")]
    assert client.get(f"/applications/{a['id']}").json() == a
    assert (await _posting(engine, world.open_posting)).application_count == 1

    assert _apply(client, world.graduates[1], world.open_posting).status_code == 201
    assert _apply(client, world.graduates[0], world.open_today).status_code == 201  # valid through today
    assert (await _posting(engine, world.open_posting)).application_count == 2
    _move(client, a["id"], "viewed")

    def ids(**params: Any) -> list[int]:
        return [x["id"] for x in client.get("/applications", params=params).json()["items"]]

    assert len(ids(graduate_id=world.graduates[0])) == 2
    assert len(ids(posting_id=world.open_posting)) == 2
    assert ids(status="viewed") == [a["id"]]
    assert ids(graduate_id=world.graduates[0], posting_id=world.open_today) != []
    page = client.get("/applications", params={"limit": 1, "offset": 2}).json()
    assert page["total"] == 3 and len(page["items"]) == 1
    assert client.get("/applications", params={"status": "pending"}).status_code == 400


async def test_closed_duplicate_and_unknown(client: httpx.Client, world: World, engine: AsyncEngine) -> None:
    filled = _apply(client, world.graduates[0], world.filled)
    assert filled.status_code == 409 and "filled" in filled.json()["detail"]
    expired = _apply(client, world.graduates[0], world.expired)
    assert expired.status_code == 409
    assert (TODAY - dt.timedelta(days=1)).isoformat() in expired.json()["detail"]

    assert _apply(client, world.graduates[0], world.open_posting).status_code == 201
    duplicate = _apply(client, world.graduates[0], world.open_posting)
    assert duplicate.status_code == 409 and "already applied" in duplicate.json()["detail"]
    assert (await _posting(engine, world.open_posting)).application_count == 1  # not counted twice

    unknown_graduate = _apply(client, 987654, world.open_posting)
    assert unknown_graduate.status_code == 422 and "graduate_id" in unknown_graduate.json()["detail"]
    unknown_posting = _apply(client, world.graduates[0], 987654)
    assert unknown_posting.status_code == 422 and "posting_id" in unknown_posting.json()["detail"]
    bad = _apply(client, world.graduates[0], world.open_posting, extra=1)
    assert bad.status_code == 400 and "extra" in bad.json()["detail"]
    assert client.get("/applications").json()["total"] == 1


async def _posting_valid_through(engine: AsyncEngine, world: World, day: dt.date) -> int:
    async with make_sessionmaker(engine)() as s:
        posting = Posting(
            title="钳工", employer_id=world.employer, posted_on=day - dt.timedelta(days=10), valid_through=day
        )
        s.add(posting)
        await s.commit()
        return posting.id


async def test_postings_close_when_their_day_has_passed_in_beijing(
    client: httpx.Client, world: World, engine: AsyncEngine, evening_in_utc: Clock
) -> None:
    """17:30 UTC, 01:30 in Beijing: a posting valid through the server's date closed at midnight in
    Beijing (as the nightly expiry job has it) and takes no applications; one valid through Beijing's
    date is open all that day, its first hours included. With the server's date both were open."""
    closed = await _posting_valid_through(engine, world, evening_in_utc.server_day)
    refused = _apply(client, world.graduates[0], closed)
    assert refused.status_code == 409, refused.text
    assert f"closed for applications after {evening_in_utc.server_day.isoformat()}" in refused.json()["detail"]
    open_today = await _posting_valid_through(engine, world, evening_in_utc.beijing_day)
    assert _apply(client, world.graduates[0], open_today).status_code == 201


async def test_a_posting_is_open_through_its_day_in_beijing_on_a_server_ahead_of_beijing(
    client: httpx.Client, world: World, engine: AsyncEngine, set_clock: Callable[..., Clock]
) -> None:
    """A server whose calendar is ahead of Beijing's (20:00 in Beijing is already tomorrow in New
    Zealand): a posting valid through Beijing's today still takes applications — the users' calendar,
    not the later of the two (``latest_today``), decides when a posting closes."""
    clock = set_clock(days_ahead=-1, at=dt.time(20, 0))
    posting_id = await _posting_valid_through(engine, world, clock.beijing_day)
    created = _apply(client, world.graduates[0], posting_id)
    assert created.status_code == 201, created.text


def test_status_moves_append_history(client: httpx.Client, world: World) -> None:
    a = _apply(client, world.graduates[0], world.open_posting).json()
    for status, note in (("viewed", None), ("interview", "周三上午面试"), ("offer", "月薪 6000")):
        moved = _move(client, a["id"], status, **({"note": note} if note else {}))
        assert moved.status_code == 200, moved.text
        assert moved.json()["status"] == status
    history = client.get(f"/applications/{a['id']}").json()["history"]
    assert [(e["from_status"], e["to_status"], e["note"]) for e in history] == [
        (None, "applied", None),
        ("applied", "viewed", None),
        ("viewed", "interview", "周三上午面试"),
        ("interview", "offer", "月薪 6000"),
    ]
    times = [dt.datetime.fromisoformat(e["at"]) for e in history]
    assert times == sorted(times) and all(t.tzinfo is not None for t in times)

    backwards = _move(client, a["id"], "viewed")
    assert backwards.status_code == 409
    assert "offer" in backwards.json()["detail"] and "viewed" in backwards.json()["detail"]
    assert len(client.get(f"/applications/{a['id']}").json()["history"]) == 4

    withdrawn = _move(client, a["id"], "withdrawn", note="已接受其他单位")
    assert withdrawn.status_code == 200
    for status in ApplicationStatus:
        final = _move(client, a["id"], status.value)
        assert final.status_code == 409, status
        assert "withdrawn" in final.json()["detail"] and status.value in final.json()["detail"]
    assert client.get(f"/applications/{a['id']}").json()["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (current, target)
        for current in (
            ApplicationStatus.APPLIED,
            ApplicationStatus.VIEWED,
            ApplicationStatus.INTERVIEW,
            ApplicationStatus.OFFER,
        )
        for target in ApplicationStatus
        if target != current
    ],
)
def test_every_move_follows_the_table(
    client: httpx.Client, world: World, current: ApplicationStatus, target: ApplicationStatus
) -> None:
    a = _apply(client, world.graduates[0], world.open_posting).json()
    if current != ApplicationStatus.APPLIED:
        assert _move(client, a["id"], current.value).status_code == 200
    response = _move(client, a["id"], target.value)
    assert response.status_code == (200 if target in ALLOWED_TRANSITIONS[current] else 409), response.text


async def test_hire_records_one_destination_and_fills_posting(
    client: httpx.Client, world: World, engine: AsyncEngine
) -> None:
    first = _apply(client, world.graduates[0], world.open_posting).json()
    second = _apply(client, world.graduates[1], world.open_posting).json()
    third = _apply(client, world.graduates[2], world.open_posting).json()

    start = TODAY - dt.timedelta(days=3)
    hired = _move(
        client,
        first["id"],
        "hired",
        note="7月1日入职",
        start_date=start.isoformat(),
        monthly_salary=5600,
        social_insurance=True,
    )
    assert hired.status_code == 200, hired.text
    events = await _destinations(engine)
    assert len(events) == 1
    e = events[0]
    # the date and pay the employer gave (issue 15 item 6), not the click date or the posting's minimum (5000)
    assert (e.graduate_id, e.source, e.category, e.occurred_on) == (
        world.graduates[0],
        "platform_hire",
        "other_employment",
        start,
    )
    assert (e.employer_id, e.employer_name, e.job_title, e.industry) == (
        world.employer,
        "广州数控设备有限公司",
        "数控车床操作工",
        "制造业",
    )
    assert (e.region_code, e.monthly_salary, e.social_insurance, e.application_id, e.in_field) == (
        "440106",
        5600,
        True,
        first["id"],
        None,
    )
    assert (await _posting(engine, world.open_posting)).status == PostingStatus.OPEN  # 1 of 2 openings

    contract = _move(client, second["id"], "hired", destination_category="labour_contract")
    assert contract.status_code == 200, contract.text
    events = await _destinations(engine)
    assert [(ev.application_id, ev.category, ev.labour_contract) for ev in events] == [
        (first["id"], "other_employment", None),
        (second["id"], "labour_contract", True),
    ]
    assert (await _posting(engine, world.open_posting)).status == PostingStatus.FILLED
    assert client.get(f"/postings/{world.open_posting}").json()["status"] == "filled"

    late = _apply(client, world.graduates[2], world.open_posting)  # a filled posting takes no applications
    assert late.status_code == 409
    assert _move(client, third["id"], "rejected").status_code == 200
    again = _move(client, first["id"], "hired")
    assert again.status_code == 409
    assert len(await _destinations(engine)) == 2  # refused moves record nothing


async def test_single_opening_is_filled_by_one_hire(client: httpx.Client, world: World, engine: AsyncEngine) -> None:
    a = _apply(client, world.graduates[0], world.single_opening).json()
    assert _move(client, a["id"], "offer").status_code == 200
    assert await _destinations(engine) == []  # only a hire records a destination
    assert _move(client, a["id"], "hired").status_code == 200
    assert (await _posting(engine, world.single_opening)).status == PostingStatus.FILLED
    assert len(await _destinations(engine)) == 1


async def test_bad_status_bodies(client: httpx.Client, world: World, engine: AsyncEngine) -> None:
    a = _apply(client, world.graduates[0], world.open_posting).json()
    unknown = _move(client, a["id"], "promoted")
    assert unknown.status_code == 400 and "status" in unknown.json()["detail"]
    misplaced = _move(client, a["id"], "viewed", destination_category="labour_contract")
    assert misplaced.status_code == 422 and "destination_category" in misplaced.json()["detail"]
    bad_category = _move(client, a["id"], "hired", destination_category="lottery")
    assert bad_category.status_code == 400 and "destination_category" in bad_category.json()["detail"]
    assert client.get(f"/applications/{a['id']}").json()["status"] == "applied"
    assert await _destinations(engine) == []


def test_unknown_application_is_404_and_malformed_json_400(client: httpx.Client, world: World) -> None:
    missing = client.get("/applications/987654")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "application 987654 not found"
    assert _move(client, 987654, "viewed").status_code == 404
    for path in ("/applications", "/applications/1/status"):
        response = client.post(path, content=b"{not json", headers={"content-type": "application/json"})
        assert response.status_code == 400, path


async def test_hire_accepts_only_employment_categories(client: httpx.Client, world: World, engine: AsyncEngine) -> None:
    a = _apply(client, world.graduates[0], world.open_posting).json()
    assert _move(client, a["id"], "offer").status_code == 200
    for category in ("seeking", "further_study", "military", "not_seeking", "abroad", "self_employed", "freelance"):
        refused = _move(client, a["id"], "hired", destination_category=category)
        assert refused.status_code == 422, (category, refused.text)
        assert refused.json()["errors"][0]["field"] == "destination_category"
    assert client.get(f"/applications/{a['id']}").json()["status"] == "offer"  # nothing moved
    assert await _destinations(engine) == []
    hired = _move(client, a["id"], "hired", destination_category="employment_agreement")
    assert hired.status_code == 200, hired.text
    assert [e.category for e in await _destinations(engine)] == ["employment_agreement"]


async def test_create_is_the_home_of_the_posting_visibility_rule(
    client: httpx.Client, world: World, session: AsyncSession
) -> None:
    """ApplicationService.create itself refuses a posting graduates do not see (an unverified
    employer's) with the 422 of an unknown posting — whoever calls it (the job page, an invitation),
    unless staff apply for a graduate; the admin's POST /applications still may (unchanged)."""
    from service.accounts.models import Role
    from service.applications.schemas import ApplicationCreate
    from service.applications.service import ApplicationService
    from service.auth.guards import Principal
    from service.postings.visibility import HiddenPostingError

    hidden = Employer(name="未审核单位", verified=False)
    session.add(hidden)
    await session.flush()
    posting = Posting(title="焊工", employer_id=hidden.id, region_code="440106", posted_on=TODAY)
    session.add(posting)
    await session.commit()
    posting_id = posting.id
    data = ApplicationCreate(graduate_id=world.graduates[0], posting_id=posting_id)
    with pytest.raises(HiddenPostingError, match=f"posting {posting_id} does not exist") as refused:
        await ApplicationService(session).create(data)
    assert refused.value.errors == [{"field": "posting_id", "message": f"posting {posting_id} does not exist"}]
    graduate = Principal(user_id=1, role=Role.GRADUATE, graduate_id=world.graduates[0])
    with pytest.raises(HiddenPostingError):
        await ApplicationService(session, actor=graduate).create(data)
    await session.rollback()
    assert _apply(client, world.graduates[1], posting_id).status_code == 201  # the admin, for a graduate
