"""Issue 14, item 1 for accounts: no request tells its caller whether an e-mail address or mobile
number belongs to someone — not self-registration, not the accounts staff and employers create,
not the sign-in answers — over real HTTP on both databases."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import User
from service.employers.models import Employer
from service.graduates.models import Graduate
from tests.accounts.conftest import World, bearer, login

INTRUDER_PASSWORD = "an intruder's password"


async def _counts(session: AsyncSession) -> tuple[int, int, int]:
    await session.rollback()  # see what the server committed
    users, graduates, employers = [
        (await session.execute(select(func.count()).select_from(m))).scalar_one() for m in (User, Graduate, Employer)
    ]
    return users, graduates, employers


async def test_registration_does_not_tell_whether_an_address_is_taken(
    client: httpx.Client, world: World, session: AsyncSession
) -> None:
    """Registering with someone's e-mail address or phone number (any spelling) gets exactly the
    answer a free one gets; nothing is created for it and the owner's password still works."""
    await session.execute(update(User).where(User.id == world.ids["user_graduate_b"]).values(phone="13900139000"))
    await session.commit()
    before = await _counts(session)

    def register(**login_name: str) -> httpx.Response:
        return client.post(
            "/auth/register",
            json={"role": "graduate", "password": INTRUDER_PASSWORD, "graduate": {"name": "冒名者"}, **login_name},
        )

    taken = [
        register(email=world.logins["graduate_a"].upper()),
        register(phone="+86 139-0013-9000"),
        client.post(
            "/auth/register",
            json={
                "role": "employer",
                "email": world.logins["employer_a"],
                "password": INTRUDER_PASSWORD,
                "employer": {"name": "冒名公司"},
            },
        ),
    ]
    assert await _counts(session) == before  # nothing created for a taken address
    fresh = register(email="fresh@example.cn")
    for answer in taken:
        assert (answer.status_code, answer.json()) == (fresh.status_code, fresh.json()), answer.text
    assert fresh.status_code == 202
    assert await _counts(session) == (before[0] + 1, before[1] + 1, before[2])
    login(client, world.logins["graduate_a"])  # the owners' passwords are unchanged
    login(client, "13900139000")
    assert (
        client.post(
            "/auth/login", json={"login": world.logins["graduate_a"], "password": INTRUDER_PASSWORD}
        ).status_code
        == 401
    )
    login(client, "fresh@example.cn", INTRUDER_PASSWORD)


async def test_account_creation_does_not_tell_whether_an_address_is_taken(
    client: httpx.Client, world: World, session: AsyncSession
) -> None:
    """An employer member (anyone can become one by registering) creating a colleague with an
    address that already belongs to someone gets the answer a free address gets; nothing changes."""
    employer = bearer(login(client, world.logins["employer_a"]))

    def create(email: str) -> httpx.Response:
        return client.post(
            "/auth/users",
            headers=employer,
            json={
                "role": "employer",
                "email": email,
                "password": INTRUDER_PASSWORD,
                "employer_id": world.ids["employer_a"],
            },
        )

    before = await _counts(session)
    taken = create(world.logins["graduate_b"])
    assert await _counts(session) == before
    fresh = create("colleague@example.cn")
    assert (taken.status_code, taken.json()) == (fresh.status_code, fresh.json()) and fresh.status_code == 202
    assert await _counts(session) == (before[0] + 1, before[1], before[2])
    login(client, world.logins["graduate_b"])
    login(client, "colleague@example.cn", INTRUDER_PASSWORD)


def test_sign_in_answers_do_not_tell_which_accounts_exist(client: httpx.Client, world: World) -> None:
    """A wrong password for a real account and any password for an unknown one get the same
    answer, also once the failure windows fill (the 429 names no account either)."""

    def answers(account: str) -> list[tuple[int, Any]]:
        out = []
        for n in range(6):
            r = client.post("/auth/login", json={"login": account, "password": f"guess-{n}"})
            out.append((r.status_code, re.sub(r"in \d+ seconds", "in N seconds", r.json()["detail"])))
        return out

    assert answers(world.logins["school_b"]) == answers("nobody-here@example.cn")
