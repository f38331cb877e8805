"""Rules the route matrix cannot show by status codes alone: list totals, unverified employers
hidden from graduates everywhere, opt-out from employer recommendations, scope changes refused,
and the first-admin command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.accounts.security import verify_password
from service.cli import main
from service.config import Settings
from service.db import make_engine, make_sessionmaker
from service.graduates.models import Graduate
from service.postings.models import Posting
from tests.accounts.conftest import World
from tests.conftest import run_async


def test_lists_count_only_what_the_caller_may_see(world: World, client_for: Callable[[str], httpx.Client]) -> None:
    """``total`` is filtered as the items are: a foreign row is neither listed nor counted."""
    graduate = client_for("graduate_a")
    employer = client_for("employer_a")
    school = client_for("school_b")
    postings = graduate.get("/postings").json()
    assert (postings["total"], [p["id"] for p in postings["items"]]) == (1, [world.ids["posting_a"]])
    assert graduate.get("/postings", params={"employer_id": world.ids["employer_b"]}).json()["total"] == 0
    assert graduate.get("/employers").json()["total"] == 1  # the unverified employer B is not counted
    applications = employer.get("/applications").json()
    assert (applications["total"], [a["id"] for a in applications["items"]]) == (1, [world.ids["application_a"]])
    graduates = school.get("/graduates").json()
    assert (graduates["total"], [g["name"] for g in graduates["items"]]) == (1, ["黄丽"])


async def test_unverified_employers_postings_are_hidden_from_graduates_until_verified(
    world: World, session: AsyncSession, client_for: Callable[[str], httpx.Client]
) -> None:
    """Graduates neither read, list, apply to, nor get recommended a posting of an unverified
    employer; once staff verify the employer they do."""
    skilled = Posting(
        title="仓库管理员（白班）",
        employer_id=world.ids["employer_b"],
        required_skills=["仓储管理"],
        posted_on=dt.date.today(),
    )
    session.add(skilled)
    graduate_row = await session.get(Graduate, world.ids["graduate_a"])
    assert graduate_row is not None
    graduate_row.skills = ["仓储管理"]
    await session.commit()
    graduate = client_for("graduate_a")
    staff = client_for("school_a")

    assert graduate.get(f"/postings/{skilled.id}").status_code == 404
    refused = graduate.post("/applications", json={"graduate_id": world.ids["graduate_a"], "posting_id": skilled.id})
    assert refused.status_code == 422 and f"posting {skilled.id} does not exist" in refused.text
    recommended = graduate.get(f"/graduates/{world.ids['graduate_a']}/recommendations").json()["items"]
    assert skilled.id not in [r["posting"]["id"] for r in recommended]
    # staff see what the graduate would be shown: the same rule applies to them reading it
    assert skilled.id not in [
        r["posting"]["id"] for r in staff.get(f"/graduates/{world.ids['graduate_a']}/recommendations").json()["items"]
    ]

    verified = client_for("department_a").post(f"/employers/{world.ids['employer_b']}/verify")
    assert verified.status_code == 200, verified.text  # employer B has no region: department or admin
    assert graduate.get(f"/postings/{skilled.id}").status_code == 200
    recommended = graduate.get(f"/graduates/{world.ids['graduate_a']}/recommendations").json()["items"]
    assert recommended[0]["posting"]["id"] == skilled.id  # the one posting asking for 仓储管理
    applied = graduate.post("/applications", json={"graduate_id": world.ids["graduate_a"], "posting_id": skilled.id})
    assert applied.status_code == 201, applied.text


def test_unverified_employers_see_no_candidates_until_verified(
    world: World, client_for: Callable[[str], httpx.Client]
) -> None:
    """A freshly registered (unvetted) employer may not browse the candidate pool, neither over the
    API nor on the anonymised web page: 403 naming why; the admin always may."""
    employer = client_for("employer_b")
    api = f"/postings/{world.ids['posting_b']}/candidates"
    web = f"/web/postings/{world.ids['posting_b']}/candidates"
    refused = employer.get(api)
    assert refused.status_code == 403 and "your employer is not approved yet" in refused.json()["detail"]
    assert "graduate_id" not in refused.text and "陈小明" not in refused.text
    page = employer.get(web)
    assert page.status_code == 403 and "陈小明" not in page.text and "score" not in page.text
    assert client_for("admin").get(api).status_code == 200

    assert client_for("department_a").post(f"/employers/{world.ids['employer_b']}/verify").status_code == 200
    assert employer.get(api).status_code == 200
    assert employer.get(web).status_code == 200


def test_withdrawing_the_only_application_hides_the_profile_from_the_employer(
    world: World, client_for: Callable[[str], httpx.Client]
) -> None:
    """An employer reads an applicant's profile only while an application to it stands: after the
    graduate withdraws it, the profile is 404, the list leaves it out and the web pages show no name."""
    employer = client_for("employer_a")
    graduate_id = world.ids["graduate_a"]
    web = f"/web/postings/{world.ids['posting_a']}/applications"
    assert employer.get(f"/graduates/{graduate_id}").status_code == 200
    assert "陈小明" in employer.get(web).text
    withdrawn = client_for("graduate_a").post(
        f"/applications/{world.ids['application_a']}/status", json={"status": "withdrawn"}
    )
    assert withdrawn.status_code == 200, withdrawn.text
    hidden = employer.get(f"/graduates/{graduate_id}")
    assert hidden.status_code == 404 and "陈小明" not in hidden.text and "13800138000" not in hidden.text
    assert employer.get("/graduates").json()["total"] == 0
    page = employer.get(web)
    assert page.status_code == 200 and "陈小明" not in page.text


async def test_graduates_who_opted_out_are_never_candidates(
    world: World, session: AsyncSession, client_for: Callable[[str], httpx.Client]
) -> None:
    employer = client_for("employer_a")
    url = f"/postings/{world.ids['posting_a']}/candidates"
    listed = {c["graduate"]["graduate_id"] for c in employer.get(url).json()["items"]}
    assert {world.ids["graduate_a"], world.ids["graduate_b"]} <= listed
    graduate = client_for("graduate_b")
    opted = graduate.patch(f"/graduates/{world.ids['graduate_b']}", json={"recommendable": False})
    assert opted.status_code == 200 and opted.json()["recommendable"] is False
    listed = {c["graduate"]["graduate_id"] for c in employer.get(url).json()["items"]}
    assert world.ids["graduate_b"] not in listed and world.ids["graduate_a"] in listed
    assert "黄丽" not in employer.get(url).text


def test_scope_changes_are_refused(world: World, client_for: Callable[[str], httpx.Client]) -> None:
    """Nobody moves an object out of (or into) a scope that is not theirs."""
    graduate = client_for("graduate_a")
    school = client_for("school_a")
    employer = client_for("employer_a")
    gid = world.ids["graduate_a"]
    assert graduate.patch(f"/graduates/{gid}", json={"school_id": world.ids["school_b"]}).status_code == 403
    assert school.patch(f"/graduates/{gid}", json={"school_id": world.ids["school_b"]}).status_code == 403
    assert school.patch(f"/graduates/{gid}", json={"school_id": world.ids["school_a"]}).status_code == 200
    assert graduate.get(f"/graduates/{gid}").json()["school_id"] == world.ids["school_a"]
    # a graduate may withdraw but not move their application on; the employer may not withdraw it
    aid = world.ids["application_a"]
    assert graduate.post(f"/applications/{aid}/status", json={"status": "offer"}).status_code == 403
    assert employer.post(f"/applications/{aid}/status", json={"status": "withdrawn"}).status_code == 403
    # a graduate records self-reports only; school staff survey outcomes, never self-reports
    body = {"occurred_on": "2026-07-01", "category": "further_study"}
    assert graduate.post(f"/graduates/{gid}/destinations", json={**body, "source": "school_survey"}).status_code == 403
    assert school.post(f"/graduates/{gid}/destinations", json={**body, "source": "self_report"}).status_code == 403
    # employers register themselves; the body cannot mark an employer verified
    assert school.post("/employers", json={"name": "某单位", "verified": True}).status_code == 400


def test_create_admin_command(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """``vocmatch users create-admin`` stores a working admin login; bad input exits 1 naming it."""
    monkeypatch.setenv("VOCMATCH_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    short = runner.invoke(main, ["users", "create-admin", "boss@example.cn", "--password", "short"])
    assert short.exit_code == 1 and "password" in short.output
    made = runner.invoke(main, ["users", "create-admin", "Boss@Example.cn"], input="a good password\na good password\n")
    assert made.exit_code == 0, made.output
    again = runner.invoke(main, ["users", "create-admin", "boss@example.cn", "--password", "another password"])
    assert again.exit_code == 1 and "already registered" in again.output

    async def stored() -> User:
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine)() as s:
                return (await s.execute(select(User).where(User.email == "boss@example.cn"))).scalar_one()
        finally:
            await engine.dispose()

    user = run_async(stored)
    assert user.role is Role.ADMIN and user.password_hash.startswith("$argon2id$")
    assert run_async(lambda: verify_password(user.password_hash, "a good password"))


def test_created_admin_signs_in_over_http(
    settings: Settings, anon_client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOCMATCH_DATABASE_URL", settings.database_url)
    result = CliRunner().invoke(main, ["users", "create-admin", "root@example.cn", "--password", "a good password"])
    assert result.exit_code == 0, result.output
    tokens = anon_client.post("/auth/login", json={"login": "root@example.cn", "password": "a good password"})
    assert tokens.status_code == 200, tokens.text
    me = anon_client.get("/auth/me", headers={"Authorization": f"Bearer {tokens.json()['access_token']}"})
    assert me.json()["role"] == "admin"
    assert anon_client.get("/graduates").status_code == 401


def test_seed_makes_sample_accounts_only_on_the_default_secret(
    settings: Settings, anon_client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``vocmatch seed`` on the embedded default secret prints one sample account per role, each
    able to sign in with the documented password; the school account sees the sample graduate.
    With ``VOCMATCH_SECRET_KEY`` set it makes none."""
    from service.accounts.bootstrap import SAMPLE_PASSWORD

    monkeypatch.setenv("VOCMATCH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("VOCMATCH_SECRET_KEY", "k" * 40)
    keyed = CliRunner().invoke(main, ["seed"])
    assert keyed.exit_code == 0, keyed.output
    assert "no sample accounts" in keyed.output and "@sample.vocmatch.cn" not in keyed.output
    monkeypatch.delenv("VOCMATCH_SECRET_KEY")
    seeded = CliRunner().invoke(main, ["seed"])
    assert seeded.exit_code == 0, seeded.output
    for role in ("admin", "school", "department", "employer", "graduate"):
        assert f"{role}@sample.vocmatch.cn" in seeded.output
    tokens = anon_client.post("/auth/login", json={"login": "school@sample.vocmatch.cn", "password": SAMPLE_PASSWORD})
    assert tokens.status_code == 200, tokens.text
    headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
    me = anon_client.get("/auth/me", headers=headers).json()
    graduates = anon_client.get("/graduates", headers=headers, params={"limit": 200}).json()
    assert graduates["total"] > 0 and {g["school_id"] for g in graduates["items"]} == {me["school_id"]}
    sample_graduate = anon_client.post(
        "/auth/login", json={"login": "graduate@sample.vocmatch.cn", "password": SAMPLE_PASSWORD}
    ).json()
    mine = anon_client.get("/auth/me", headers={"Authorization": f"Bearer {sample_graduate['access_token']}"}).json()
    assert mine["graduate_id"] in {g["id"] for g in graduates["items"]}
