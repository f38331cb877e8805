"""The audit log: written in the request's transaction, append-only, destination changes audited,
and ``GET /audit`` scoped by role (admin all; a school its graduates; a department its region)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.accounts.models import Role
from service.db import make_sessionmaker
from service.destinations.models import DestinationCategory, DestinationSource
from service.destinations.schemas import DestinationCreate, InFieldOverride
from service.destinations.service import DestinationService
from service.privacy.audit import record
from service.privacy.models import AuditAction, AuditAppendOnlyError, AuditEvent
from tests.accounts.conftest import World


async def test_record_adds_in_the_callers_transaction(session: AsyncSession, engine: AsyncEngine, world: World) -> None:
    admin = world.principals["admin"]
    event = await record(
        session,
        admin,
        "read",
        "graduate",
        world.ids["graduate_a"],
        graduate_id=world.ids["graduate_a"],
        detail={"fields": ["phone"], "count": 1},
    )
    assert event.id is not None and event.actor_role is Role.ADMIN and event.action is AuditAction.READ
    async with make_sessionmaker(engine)() as other:  # not committed: invisible elsewhere
        assert (await other.execute(select(AuditEvent))).first() is None
    await session.rollback()
    assert (await session.execute(select(AuditEvent))).first() is None  # rolled back with the request


async def test_audit_events_cannot_be_changed_or_deleted(session: AsyncSession, world: World) -> None:
    event = await record(session, None, AuditAction.EXPORT, "roster", "4144010001")
    await session.commit()
    ident = event.id
    assert event.actor_user_id is None and event.actor_role is None  # the system
    event.action = AuditAction.READ
    with pytest.raises(AuditAppendOnlyError):
        await session.flush()
    await session.rollback()
    await session.delete(await session.get(AuditEvent, ident))
    with pytest.raises(AuditAppendOnlyError):
        await session.flush()


async def test_detail_must_be_flat_and_action_known(session: AsyncSession) -> None:
    with pytest.raises(ValueError, match="scalar"):
        await record(session, None, AuditAction.READ, "graduate", 1, detail={"profile": {"name": "x"}})
    with pytest.raises(ValueError):
        await record(session, None, "peek", "graduate", 1)


async def test_every_destination_change_is_audited_with_its_actor(session: AsyncSession, world: World) -> None:
    gid = world.ids["graduate_a"]
    school, graduate = world.principals["school_a"], world.principals["graduate_a"]
    outcome = await DestinationService(session, actor=school).record(
        gid,
        DestinationCreate(
            occurred_on=dt.date(2025, 7, 10),
            source=DestinationSource.SCHOOL_SURVEY,
            category=DestinationCategory.LABOUR_CONTRACT,
            job_title="数控车床操作工",
            monthly_salary=4500,
            note="电话回访: 陈小明本人确认",
        ),
    )
    override = await DestinationService(session, actor=school).override_in_field(
        gid, outcome.id, InFieldOverride(in_field=True, reason="数控专业对口")
    )
    confirmation = await DestinationService(session, actor=graduate).confirm(gid, outcome.id, _confirmation())
    rows = (await session.execute(select(AuditEvent).order_by(AuditEvent.id))).scalars().all()
    assert [(r.action, r.object_id, r.actor_user_id, r.graduate_id) for r in rows] == [
        (AuditAction.CREATE, str(outcome.id), school.user_id, gid),
        (AuditAction.OVERRIDE, str(override.id), school.user_id, gid),
        (AuditAction.CONFIRM, str(confirmation.id), graduate.user_id, gid),
    ]
    assert rows[0].detail["category"] == "labour_contract" and rows[1].detail["refers_to_id"] == outcome.id
    text = repr([r.detail for r in rows])
    assert "陈小明" not in text and "对口" not in text and "电话" not in text  # no free text in the log


def _confirmation():
    from service.destinations.schemas import Confirmation

    return Confirmation(note=None)


def test_destination_recorded_over_http_is_audited(as_user: Callable[[str], httpx.Client], world: World) -> None:
    gid = world.ids["graduate_a"]
    admin = as_user("admin")
    made = admin.post(
        f"/graduates/{gid}/destinations/",
        json={"occurred_on": "2025-07-01", "source": "school_survey", "category": "further_study"},
    )
    assert made.status_code == 201, made.text
    page = admin.get("/audit", params={"graduate_id": gid, "object_type": "destination_event"}).json()
    assert page["total"] == 1
    event = page["items"][0]
    assert event["object_id"] == str(made.json()["id"]) and event["action"] == "create"


def test_destination_audit_names_actor_and_request(as_user: Callable[[str], httpx.Client], world: World) -> None:
    gid = world.ids["graduate_a"]
    admin = as_user("admin")
    made = admin.post(
        f"/graduates/{gid}/destinations/",
        json={"occurred_on": "2025-07-01", "source": "school_survey", "category": "further_study"},
    )
    event = admin.get("/audit", params={"graduate_id": gid}).json()["items"][0]
    assert event["object_id"] == str(made.json()["id"])
    assert (event["actor_user_id"], event["actor_role"]) == (world.ids["user_admin"], "admin")
    assert event["method"] == "POST" and event["path"] == f"/graduates/{gid}/destinations"
    assert event["client_ip"] == "127.0.0.1"


def test_reading_someone_elses_profile_is_audited_and_reading_ones_own_is_not(
    as_user: Callable[[str], httpx.Client], world: World
) -> None:
    gid = world.ids["graduate_a"]
    admin = as_user("admin")
    assert as_user("graduate_a").get(f"/graduates/{gid}").status_code == 200
    assert admin.get("/audit", params={"graduate_id": gid, "object_type": "graduate"}).json()["total"] == 0
    assert as_user("school_a").get(f"/graduates/{gid}").status_code == 200
    items = admin.get("/audit", params={"graduate_id": gid, "object_type": "graduate"}).json()["items"]
    assert [(e["action"], e["actor_user_id"], e["path"]) for e in items] == [
        ("read", world.ids["user_school_a"], f"/graduates/{gid}")
    ]


def test_listing_profiles_audits_one_read_per_graduate_listed(
    as_user: Callable[[str], httpx.Client], world: World
) -> None:
    listed = as_user("admin").get("/graduates", params={"limit": 200}).json()["items"]
    ids = {g["id"] for g in listed}
    assert {world.ids["graduate_a"], world.ids["graduate_b"]} <= ids
    events = as_user("admin").get("/audit", params={"object_type": "graduate_list", "limit": 200}).json()["items"]
    assert {e["graduate_id"] for e in events} == ids
    assert all(e["action"] == "read" and e["actor_user_id"] == world.ids["user_admin"] for e in events)
    # the graduate's school sees who listed its graduate
    school_view = as_user("school_a").get("/audit", params={"graduate_id": world.ids["graduate_a"]}).json()
    assert any(e["object_type"] == "graduate_list" for e in school_view["items"])


@pytest.fixture
async def logged(session: AsyncSession, world: World) -> World:
    """One read of each graduate by the admin, one system export about nobody."""
    admin = world.principals["admin"]
    for name in ("graduate_a", "graduate_b"):
        await record(session, admin, AuditAction.READ, "graduate", world.ids[name], graduate_id=world.ids[name])
    await record(session, None, AuditAction.EXPORT, "report", "all")
    await session.commit()
    return world


@pytest.mark.parametrize(
    ("account", "sees"),
    [
        ("admin", {"graduate_a", "graduate_b", None}),
        ("school_a", {"graduate_a"}),
        ("school_b", {"graduate_b"}),
        ("department_a", {"graduate_a"}),  # 广州市 holds school A (天河区)
        ("department_b", {"graduate_b"}),  # 广西 holds school B (南宁)
    ],
)
def test_audit_list_is_scoped(
    as_user: Callable[[str], httpx.Client], logged: World, account: str, sees: set[str | None]
) -> None:
    body = as_user(account).get("/audit", params={"limit": 200}).json()
    names = {v: k for k, v in logged.ids.items() if k.startswith("graduate_")}
    assert {names.get(e["graduate_id"]) if e["graduate_id"] else None for e in body["items"]} == sees
    assert body["total"] == len(body["items"])
    foreign = logged.ids["graduate_b" if "graduate_a" in sees else "graduate_a"]
    if account != "admin":  # filtering by a foreign graduate yields nothing, not an error that confirms it
        assert as_user(account).get("/audit", params={"graduate_id": foreign}).json()["total"] == 0


@pytest.mark.parametrize(("account", "status"), [("graduate_a", 403), ("employer_a", 403), (None, 401)])
def test_audit_list_refused(
    as_user: Callable[[str], httpx.Client], anon: httpx.Client, logged: World, account: str | None, status: int
) -> None:
    response = (as_user(account) if account else anon).get("/audit")
    assert response.status_code == status, response.text
    assert "graduate_id" not in response.text


def test_audit_filters(as_user: Callable[[str], httpx.Client], logged: World) -> None:
    admin = as_user("admin")
    assert admin.get("/audit", params={"action": "export"}).json()["total"] == 1
    assert admin.get("/audit", params={"actor_user_id": logged.ids["user_admin"]}).json()["total"] == 2
    assert admin.get("/audit", params={"since": "2999-01-01T00:00:00Z"}).json()["total"] == 0
    page = admin.get("/audit", params={"limit": 1, "offset": 1}).json()
    assert (page["total"], len(page["items"]), page["limit"], page["offset"]) == (3, 1, 1, 1)
    naive = admin.get("/audit", params={"since": "2025-01-01T00:00:00"})
    assert naive.status_code == 422 and "since" in naive.text
    assert admin.get("/audit", params={"action": "peek"}).status_code == 400
