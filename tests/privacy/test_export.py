"""A graduate's data export: everything held about them, to them and the admin only, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from service.applications.models import ApplicationEvent, ApplicationStatus
from service.destinations.models import DestinationEvent, DestinationEventKind
from service.graduates.models import Graduate, GraduateCertificate
from tests.accounts.conftest import PASSWORD, World
from tests.privacy.conftest import ID_NUMBER


@pytest.fixture
async def rich(session: AsyncSession, world: World) -> World:
    """Graduate A with a 身份证号, a certificate, an application history and a destination."""
    gid = world.ids["graduate_a"]
    await session.execute(update(Graduate).where(Graduate.id == gid).values(id_number=ID_NUMBER))
    session.add(GraduateCertificate(graduate_id=gid, name="数控车工", level="中级"))
    session.add(
        ApplicationEvent(
            application_id=world.ids["application_a"], from_status=None, to_status=ApplicationStatus.APPLIED
        )
    )
    session.add(
        DestinationEvent(
            graduate_id=gid,
            occurred_on=dt.date(2025, 7, 1),
            source="school_survey",
            category="labour_contract",
            kind=DestinationEventKind.OUTCOME,
            monthly_salary=4200,
        )
    )
    await session.commit()
    return world


def test_graduate_exports_everything_about_themself(as_user: Callable[[str], httpx.Client], rich: World) -> None:
    gid = rich.ids["graduate_a"]
    response = as_user("graduate_a").get(f"/graduates/{gid}/export")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["profile"]["name"] == "陈小明" and body["profile"]["phone"] == "13800138000"
    assert body["profile"]["id_number_masked"] == "**************002X" and body["id_number_held"] is True
    assert ID_NUMBER not in response.text  # the full 身份证号 is never returned, not even to its holder
    assert [c["name"] for c in body["profile"]["certificates"]] == ["数控车工"]
    [application] = body["applications"]
    assert application["application"]["id"] == rich.ids["application_a"]
    assert application["employer_name"] == "广州数控设备有限公司"
    assert [h["to_status"] for h in application["application"]["history"]] == ["applied"]
    assert [d["monthly_salary"] for d in body["destinations"]] == [4200]
    assert body["account"]["email"] == "graduate_a@example.cn" and body["account"]["role"] == "graduate"
    assert "password" not in response.text and "$argon2" not in response.text and "refresh_hash" not in response.text
    assert len(body["login_sessions"]) == 1 and body["login_sessions"][0]["client_ip"] == "127.0.0.1"
    [export_event] = [e for e in body["audit_events"] if e["action"] == "export"]  # this export itself
    assert export_event["actor_user_id"] == rich.ids["user_graduate_a"] and export_event["graduate_id"] == gid
    assert body["deletion"] is None
    # a second export lists the first
    again = as_user("graduate_a").get(f"/graduates/{gid}/export").json()
    assert [e["action"] for e in again["audit_events"]].count("export") == 2


def test_admin_export_is_audited_with_the_admin(as_user: Callable[[str], httpx.Client], rich: World) -> None:
    gid = rich.ids["graduate_b"]
    assert as_user("admin").get(f"/graduates/{gid}/export").status_code == 200
    [event] = as_user("admin").get("/audit", params={"graduate_id": gid, "action": "export"}).json()["items"]
    assert (event["actor_user_id"], event["actor_role"], event["path"]) == (
        rich.ids["user_admin"],
        "admin",
        f"/graduates/{gid}/export",
    )


@pytest.mark.parametrize(
    ("account", "status"),
    [
        ("graduate_b", 404),  # may not even see graduate A
        ("employer_b", 404),  # A never applied to employer B
        ("school_b", 404),
        ("department_b", 404),
        ("school_a", 403),  # sees A's profile, may not export it
        ("department_a", 403),
        ("employer_a", 403),  # A applied to employer A
    ],
)
def test_export_refused(as_user: Callable[[str], httpx.Client], rich: World, account: str, status: int) -> None:
    response = as_user(account).get(f"/graduates/{rich.ids['graduate_a']}/export")
    assert response.status_code == status, response.text
    assert "陈小明" not in response.text and "13800138000" not in response.text
    if status == 404:  # the same answer as for an id that does not exist
        missing = as_user(account).get("/graduates/999999/export")
        assert missing.status_code == 404
        assert response.json()["detail"].replace(str(rich.ids["graduate_a"]), "N") == missing.json()["detail"].replace(
            "999999", "N"
        )
    assert as_user("admin").get("/audit", params={"action": "export"}).json()["total"] == 0  # nothing exported


def test_export_needs_a_token(anon: httpx.Client, rich: World) -> None:
    assert anon.get(f"/graduates/{rich.ids['graduate_a']}/export").status_code == 401
    assert anon.post("/auth/login", json={"login": rich.logins["graduate_a"], "password": PASSWORD}).status_code == 200
