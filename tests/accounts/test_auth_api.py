"""Registration, login, refresh rotation, logout, provisioning and employer vetting over real HTTP."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import User
from service.catalog.models import Region, RegionLevel
from service.employers.models import Employer
from service.graduates.models import Graduate
from tests.accounts.conftest import PASSWORD, World, bearer, login

USCC = "91110108551385082Q"  # valid GB 32100-2015 code


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Traceback" not in response.text and "SELECT" not in response.text
    return response.json()


def test_register_graduate_and_employer_then_sign_in(client: httpx.Client) -> None:
    graduate = client.post(
        "/auth/register",
        json={"role": "graduate", "email": "Xiaoming@Example.CN", "password": PASSWORD, "graduate": {"name": "陈小明"}},
    )
    assert graduate.status_code == 202, graduate.text  # the same answer as for a taken address
    assert "password_hash" not in graduate.text and PASSWORD not in graduate.text

    employer = client.post(
        "/auth/register",
        json={
            "role": "employer",
            "phone": "+86 138-0013-8000",
            "password": PASSWORD,
            "employer": {"name": "广州数控设备有限公司", "uscc": USCC},
        },
    )
    assert employer.status_code == 202, employer.text

    tokens = login(client, "13800138000")
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 900
    me = client.get("/auth/me", headers=bearer(tokens)).json()
    assert me["role"] == "employer" and me["phone"] == "13800138000" and me["employer_id"] is not None
    assert client.get(f"/employers/{me['employer_id']}", headers=bearer(tokens)).json()["verified"] is False

    me = client.get("/auth/me", headers=bearer(login(client, "XIAOMING@example.cn"))).json()
    assert (me["role"], me["email"]) == ("graduate", "xiaoming@example.cn") and me["graduate_id"] is not None


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"role": "graduate", "email": "a@b.cn", "password": "short", "graduate": {"name": "x"}}, 400, "password"),
        ({"role": "admin", "email": "a@b.cn", "password": PASSWORD}, 400, "role"),
        ({"role": "school", "email": "a@b.cn", "password": PASSWORD}, 400, "role"),
        ({"role": "graduate", "email": "a@b.cn", "password": PASSWORD}, 422, "graduate"),
        ({"role": "employer", "email": "a@b.cn", "password": PASSWORD}, 422, "employer"),
        ({"role": "graduate", "password": PASSWORD, "graduate": {"name": "x"}}, 422, "email"),
        ({"role": "graduate", "email": "not-an-email", "password": PASSWORD, "graduate": {"name": "x"}}, 400, "email"),
        ({"role": "graduate", "phone": "12345", "password": PASSWORD, "graduate": {"name": "x"}}, 400, "phone"),
        (
            {"role": "graduate", "phone": "+86 123 4567 8901", "password": PASSWORD, "graduate": {"name": "x"}},
            422,
            "phone",
        ),
        (
            {
                "role": "employer",
                "email": "a@b.cn",
                "password": PASSWORD,
                "employer": {"name": "x", "uscc": "91110108551385082A"},
            },
            422,
            "uscc",
        ),
    ],
)
def test_bad_registration_names_the_field_and_stores_nothing(
    client: httpx.Client, admin_client: httpx.Client, body: dict[str, Any], status: int, field: str
) -> None:
    problem = _problem(client.post("/auth/register", json=body), status)
    assert field in problem["detail"]
    assert admin_client.get("/employers").json()["total"] == 0
    assert admin_client.get("/graduates").json()["total"] == 0


async def test_duplicate_login_is_answered_as_a_new_one_and_leaves_no_employer(
    client: httpx.Client, world: World, session: AsyncSession
) -> None:
    before = (await session.execute(select(func.count()).select_from(Employer))).scalar_one()
    response = client.post(
        "/auth/register",
        json={
            "role": "employer",
            "email": "EMPLOYER_A@example.cn",
            "password": PASSWORD,
            "employer": {"name": "又一家公司"},
        },
    )
    assert response.status_code == 202, response.text  # as for a new address: no membership oracle (issue 14)
    await session.rollback()
    assert (await session.execute(select(func.count()).select_from(Employer))).scalar_one() == before


def _sign_in_token(client: httpx.Client) -> str:
    """The pre-session CSRF token of the sign-in form (its cookie lands in ``client``)."""
    client.get("/web/sign-in")
    return client.cookies["vocmatch_csrf"]


def test_wrong_password_and_unknown_account_look_the_same(client: httpx.Client, world: World) -> None:
    wrong = _problem(client.post("/auth/login", json={"login": world.logins["school_a"], "password": "nope"}), 401)
    unknown = _problem(client.post("/auth/login", json={"login": "nobody@example.cn", "password": "nope"}), 401)
    assert wrong["detail"] == unknown["detail"] == "wrong login name or password"


def test_me_needs_a_valid_token(client: httpx.Client, world: World) -> None:
    assert "No JWT token found" in _problem(client.get("/auth/me"), 401)["detail"]
    _problem(client.get("/auth/me", headers={"Authorization": "Bearer not.a.token"}), 401)
    tokens = login(client, world.logins["admin"])
    claims = jwt.decode(tokens["access_token"], options={"verify_signature": False})
    forged = jwt.encode(claims, "a-different-secret-of-sufficient-length!!", algorithm="HS256")
    _problem(client.get("/auth/me", headers={"Authorization": f"Bearer {forged}"}), 401)
    none_alg = jwt.encode(claims, None, algorithm="none")
    _problem(client.get("/auth/me", headers={"Authorization": f"Bearer {none_alg}"}), 401)
    assert client.get("/auth/me", headers=bearer(tokens)).json()["role"] == "admin"


def test_refresh_rotates_and_reuse_revokes_the_session(client: httpx.Client, world: World) -> None:
    first = login(client, world.logins["graduate_a"])
    second = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200, second.text
    second_tokens = second.json()
    assert second_tokens["refresh_token"] != first["refresh_token"]
    assert client.get("/auth/me", headers=bearer(second_tokens)).status_code == 200

    # the old refresh token comes back (it was copied): the whole session ends
    _problem(client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]}), 401)
    _problem(client.post("/auth/refresh", json={"refresh_token": second_tokens["refresh_token"]}), 401)
    _problem(client.get("/auth/me", headers=bearer(second_tokens)), 401)
    _problem(client.get("/auth/me", headers=bearer(first)), 401)
    for junk in ["", "abc", "1.", "999999.xyz", "1.x" * 100]:
        assert client.post("/auth/refresh", json={"refresh_token": junk}).status_code in (400, 401)


def test_logout_ends_access_and_refresh_at_once(client: httpx.Client, world: World) -> None:
    tokens = login(client, world.logins["employer_a"])
    other_device = login(client, world.logins["employer_a"])
    assert client.post("/auth/logout", json={"refresh_token": tokens["refresh_token"]}).status_code == 204
    _problem(client.get("/auth/me", headers=bearer(tokens)), 401)
    _problem(client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401)
    assert client.get("/auth/me", headers=bearer(other_device)).status_code == 200
    assert client.post("/auth/logout", json={"refresh_token": "12345.unknown"}).status_code == 204


async def test_deactivated_user_is_locked_out(client: httpx.Client, world: World, session: AsyncSession) -> None:
    tokens = login(client, world.logins["school_a"])
    await session.execute(update(User).where(User.id == world.ids["user_school_a"]).values(active=False))
    await session.commit()
    _problem(client.get("/auth/me", headers=bearer(tokens)), 401)
    _problem(client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401)
    _problem(client.post("/auth/login", json={"login": world.logins["school_a"], "password": PASSWORD}), 401)


@pytest.mark.parametrize("settings_overrides", [{"access_token_ttl_seconds": 1}])
def test_access_token_expires(client: httpx.Client, world: World) -> None:
    tokens = login(client, world.logins["admin"])
    assert client.get("/auth/me", headers=bearer(tokens)).status_code == 200
    time.sleep(2.2)
    _problem(client.get("/auth/me", headers=bearer(tokens)), 401)
    renewed = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}).json()
    assert client.get("/auth/me", headers=bearer(renewed)).status_code == 200


def test_failed_logins_lock_the_account_not_others(client: httpx.Client, world: World) -> None:
    account = world.logins["graduate_a"]
    for _ in range(5):
        _problem(client.post("/auth/login", json={"login": account, "password": "wrong"}), 401)
    locked = client.post("/auth/login", json={"login": f" {account.upper()} ", "password": PASSWORD})
    problem = _problem(locked, 429)
    assert "for this account" in problem["detail"] and "5 per 1 minute" in problem["detail"]
    assert 0 < int(locked.headers["retry-after"]) <= 60
    login(client, world.logins["graduate_b"])


def test_api_failures_lock_the_web_sign_in(client: httpx.Client, world: World) -> None:
    account = world.logins["graduate_a"]
    for _ in range(5):
        _problem(client.post("/auth/login", json={"login": account, "password": "wrong"}), 401)
    web = client.post(
        "/web/sign-in", data={"login": account.upper(), "password": PASSWORD, "_csrf_token": _sign_in_token(client)}
    )
    assert web.status_code == 429 and "vocmatch_access" not in web.headers.get("set-cookie", "")
    _problem(client.post("/auth/session", json={"login": account, "password": PASSWORD}), 429)


def test_web_failures_lock_the_api_login(client: httpx.Client, world: World) -> None:
    account = world.logins["graduate_a"]
    token = _sign_in_token(client)
    for _ in range(5):
        assert (
            client.post("/web/sign-in", data={"login": account, "password": "wrong", "_csrf_token": token}).status_code
            == 401
        )
    problem = _problem(client.post("/auth/login", json={"login": account, "password": PASSWORD}), 429)
    assert "for this account" in problem["detail"]
    assert (
        client.post("/web/sign-in", data={"login": account, "password": PASSWORD, "_csrf_token": token}).status_code
        == 429
    )


async def test_phone_spellings_share_one_failure_count(
    client: httpx.Client, world: World, session: AsyncSession
) -> None:
    await session.execute(update(User).where(User.id == world.ids["user_graduate_a"]).values(phone="13800138000"))
    await session.commit()
    for spelling in ["13800138000", "+8613800138000", "138 0013 8000", "138-0013-8000", "8613800138000"]:
        _problem(client.post("/auth/login", json={"login": spelling, "password": "wrong"}), 401)
    _problem(client.post("/auth/login", json={"login": "+86 138 0013 8000", "password": PASSWORD}), 429)


@pytest.mark.parametrize("settings_overrides", [{"login_rate_per_ip": "3/minute"}])
def test_logins_are_limited_per_address(client: httpx.Client, world: World) -> None:
    for name in ("graduate_a", "graduate_b", "school_a"):
        login(client, world.logins[name])
    problem = _problem(client.post("/auth/login", json={"login": world.logins["admin"], "password": PASSWORD}), 429)
    assert "from this address" in problem["detail"]


async def test_accounts_are_created_only_within_scope(
    client: httpx.Client, world: World, session: AsyncSession
) -> None:
    extra = Graduate(name="王小红", school_id=world.ids["school_a"])
    foreign = Graduate(name="李四", school_id=world.ids["school_b"])
    other = Employer(name="另一家已审核公司", verified=True)
    session.add_all([extra, foreign, other])
    await session.commit()
    tokens = {name: login(client, email) for name, email in world.logins.items()}

    def create(who: str, **body: Any) -> httpx.Response:
        body.setdefault("password", PASSWORD)
        return client.post("/auth/users", json=body, headers=bearer(tokens[who]))

    assert create("school_a", role="graduate", email="g1@x.cn", graduate_id=extra.id).status_code == 202
    # foreign and missing ids get the same answer: nothing about the other school leaks
    foreign_answer = _problem(create("school_a", role="graduate", email="g2@x.cn", graduate_id=foreign.id), 422)
    missing_answer = _problem(create("school_a", role="graduate", email="g2@x.cn", graduate_id=987654), 422)
    assert foreign_answer["detail"].replace(str(foreign.id), "N") == missing_answer["detail"].replace("987654", "N")
    _problem(create("school_a", role="graduate", email="g3@x.cn", graduate_id=extra.id), 409)
    _problem(create("school_a", role="admin", email="a@x.cn"), 403)
    # a school, region or verified employer the caller can see but not use: 403 naming why
    seen = _problem(create("school_a", role="school", email="s@x.cn", school_id=world.ids["school_b"]), 403)
    assert (
        seen["detail"] == f"school_id {world.ids['school_b']} is outside your scope: you may not create accounts for it"
    )
    _problem(create("school_a", role="school", email="s@x.cn", school_id=987654), 422)
    assert create("department_a", role="school", email="s1@x.cn", school_id=world.ids["school_a"]).status_code == 202
    _problem(create("department_a", role="school", email="s2@x.cn", school_id=world.ids["school_b"]), 403)
    assert create("department_a", role="department", email="d1@x.cn", region_code="440106").status_code == 202
    _problem(create("department_a", role="department", email="d2@x.cn", region_code="440000"), 403)
    _problem(create("department_a", role="department", email="d2@x.cn", region_code="990000"), 422)
    assert (
        create("employer_a", role="employer", email="e1@x.cn", employer_id=world.ids["employer_a"]).status_code == 202
    )
    _problem(create("employer_a", role="employer", email="e2@x.cn", employer_id=world.ids["employer_b"]), 422)
    _problem(create("employer_a", role="employer", email="e2@x.cn", employer_id=other.id), 403)  # verified: seen
    _problem(create("employer_a", role="employer", email="e3@x.cn"), 422)
    refused = _problem(create("employer_a", role="school", email="e5@x.cn", school_id=world.ids["school_a"]), 403)
    assert refused["detail"] == "an employer account may not create school accounts"
    _problem(
        create(
            "employer_a",
            role="employer",
            email="e4@x.cn",
            employer_id=world.ids["employer_a"],
            school_id=world.ids["school_a"],
        ),
        422,
    )
    _problem(create("graduate_a", role="graduate", email="g4@x.cn", graduate_id=extra.id), 403)
    assert create("admin", role="admin", email="root2@x.cn").status_code == 202
    _problem(client.post("/auth/users", json={"role": "admin", "email": "x@x.cn", "password": PASSWORD}), 401)
    assert client.get("/auth/me", headers=bearer(login(client, "s1@x.cn"))).json()["school_id"] == world.ids["school_a"]


@pytest.mark.parametrize(
    ("account", "status"),
    [
        (None, 401),
        ("graduate_a", 403),
        ("employer_a", 403),
        ("employer_b", 403),
        ("school_a", 403),
        ("school_b", 403),
        ("department_a", 200),
        ("department_b", 200),
        ("admin", 200),
    ],
)
def test_verify_employer_by_role(
    client: httpx.Client, admin_client: httpx.Client, world: World, account: str | None, status: int
) -> None:
    """Employer B has no region recorded: only department admins and the admin may approve it."""
    headers = bearer(login(client, world.logins[account])) if account else {}
    employer_id = world.ids["employer_b"]
    response = client.post(f"/employers/{employer_id}/verify", headers=headers)
    assert response.status_code == status, response.text
    verified = admin_client.get(f"/employers/{employer_id}").json()["verified"]
    if status == 200:
        assert response.json()["verified"] is True and verified is True
        assert client.post("/employers/987654/verify", headers=headers).status_code == 404
    else:
        assert verified is False and "未审核" not in response.text


@pytest.mark.parametrize(
    ("region", "allowed"),
    [
        ("440106", {"school_a", "department_a", "admin"}),  # 天河区: school A's county
        ("440104", {"school_a", "department_a", "admin"}),  # 越秀区: elsewhere in school A's city
        ("440304", {"admin"}),  # 深圳 福田区: same province, another city
        ("450100", {"school_b", "department_b", "admin"}),  # 南宁
    ],
)
async def test_verify_employer_only_within_the_callers_area(
    client: httpx.Client,
    admin_client: httpx.Client,
    world: World,
    session: AsyncSession,
    region: str,
    allowed: set[str],
) -> None:
    for code, name, level, parent in (
        ("440104", "越秀区", RegionLevel.COUNTY, "440100"),
        ("440300", "深圳市", RegionLevel.CITY, "440000"),
        ("440304", "福田区", RegionLevel.COUNTY, "440300"),
    ):
        session.add(Region(code=code, name=name, level=level, parent_code=parent))
        await session.flush()
    employer_id = world.ids["employer_b"]
    await session.execute(update(Employer).where(Employer.id == employer_id).values(region_code=region))
    await session.commit()
    for account in ("school_a", "school_b", "department_a", "department_b", "admin"):
        headers = bearer(login(client, world.logins[account]))
        response = client.post(f"/employers/{employer_id}/verify", headers=headers)
        if account in allowed:
            assert response.status_code == 200, (account, response.text)
            await session.execute(update(Employer).where(Employer.id == employer_id).values(verified=False))
            await session.commit()
        else:
            problem = _problem(response, 403)
            assert "not allowed to approve employer" in problem["detail"] and "city" in problem["detail"], account
            assert admin_client.get(f"/employers/{employer_id}").json()["verified"] is False
            assert client.get(f"/employers/{employer_id}", headers=headers).status_code == 200  # may still read it
