"""Accounts fixtures: plain-HTTP cookies, a per-test secret file, and a small world of two of
everything (regions, schools, employers, graduates, postings, applications) with one account per
role, so every check can be tried on an own and a foreign object."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
import pytest
from litestar.middleware.csrf import generate_csrf_token
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.accounts.security import ACCESS_COOKIE, CSRF_COOKIE, derive_key, hash_password, resolve_secret_key
from service.applications.models import Application
from service.auth.guards import Principal
from service.catalog.models import School
from service.config import Settings
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.postings.models import Posting
from tests.conftest import TEST_PASSWORD as PASSWORD
from tests.conftest import sign_in
from tests.factories import bearer_clients, guangdong_regions
from tests.harness import http_client


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Extra settings for one test (parametrize it to change them)."""
    return {}


@pytest.fixture
def settings(settings: Settings, settings_overrides: dict[str, Any]) -> Settings:
    return http_settings(settings, settings_overrides)


def http_settings(settings: Settings, overrides: dict[str, Any]) -> Settings:
    """``settings`` for plain-HTTP test servers (no Secure cookies), with ``overrides``."""
    return msgspec.structs.replace(settings, cookie_secure=False, **overrides)


@pytest.fixture
def client(anon_client: httpx.Client) -> httpx.Client:
    """Here ``client`` sends no token: these tests sign in themselves (``login``/``bearer``)."""
    return anon_client


@pytest.fixture
def admin_client(client_as: Callable[..., httpx.Client]) -> httpx.Client:
    """A client signed in as a (separate) system admin, for looking at what was stored."""
    return client_as(Role.ADMIN)


@dataclass
class World:
    """Ids of the seeded objects; ``a`` is "own" for the ``*_a`` accounts, ``b`` is foreign."""

    ids: dict[str, int] = field(default_factory=dict)
    logins: dict[str, str] = field(default_factory=dict)  # account name → e-mail
    principals: dict[str, Principal] = field(default_factory=dict)


#: account name → (role, scope column, seeded object it is scoped to)
ACCOUNTS = {
    "graduate_a": (Role.GRADUATE, "graduate_id", "graduate_a"),
    "graduate_b": (Role.GRADUATE, "graduate_id", "graduate_b"),
    "employer_a": (Role.EMPLOYER, "employer_id", "employer_a"),
    "employer_b": (Role.EMPLOYER, "employer_id", "employer_b"),
    "school_a": (Role.SCHOOL, "school_id", "school_a"),
    "school_b": (Role.SCHOOL, "school_id", "school_b"),
    "department_a": (Role.DEPARTMENT, "region_code", "440100"),  # 广州市: holds school_a
    "department_b": (Role.DEPARTMENT, "region_code", "450000"),  # 广西: holds school_b
    "admin": (Role.ADMIN, None, None),
}


@pytest.fixture
async def world(session: AsyncSession) -> World:
    """:func:`make_world`."""
    return await make_world(session)


async def make_world(session: AsyncSession) -> World:
    """Guangzhou school A (天河区) and Nanning school B, a verified employer A and an unverified B,
    one graduate per school, one posting per employer, graduate A applied to posting A and
    graduate B to posting B; and one account per entry of :data:`ACCOUNTS`."""
    session.add_all(guangdong_regions(guangxi=True))
    await session.flush()
    school_a = School(code="4144010001", name="广州市机电技师学校", region_code="440106")
    school_b = School(code="4145010001", name="南宁市第一职业技术学校", region_code="450100")
    employer_a = Employer(name="广州数控设备有限公司", verified=True, region_code="440106")
    employer_b = Employer(name="未审核贸易有限公司", verified=False)
    session.add_all([school_a, school_b, employer_a, employer_b])
    await session.flush()
    graduate_a = Graduate(name="陈小明", school_id=school_a.id, phone="13800138000")
    graduate_b = Graduate(name="黄丽", school_id=school_b.id, phone="13900139000")
    posting_a = Posting(title="数控车床操作工", employer_id=employer_a.id)
    posting_b = Posting(title="仓库管理员", employer_id=employer_b.id)
    session.add_all([graduate_a, graduate_b, posting_a, posting_b])
    await session.flush()
    application_a = Application(graduate_id=graduate_a.id, posting_id=posting_a.id)
    application_b = Application(graduate_id=graduate_b.id, posting_id=posting_b.id)
    session.add_all([application_a, application_b])
    await session.flush()
    w = World(
        ids={
            "school_a": school_a.id,
            "school_b": school_b.id,
            "employer_a": employer_a.id,
            "employer_b": employer_b.id,
            "graduate_a": graduate_a.id,
            "graduate_b": graduate_b.id,
            "posting_a": posting_a.id,
            "posting_b": posting_b.id,
            "application_a": application_a.id,
            "application_b": application_b.id,
        }
    )
    password_hash = await hash_password(PASSWORD)
    for name, (role, column, target) in ACCOUNTS.items():
        scope: dict[str, Any] = {}
        if column == "region_code":
            scope[column] = target
        elif column is not None:
            scope[column] = w.ids[target]
        user = User(role=role, email=f"{name}@example.cn", password_hash=password_hash, **scope)
        session.add(user)
        await session.flush()
        w.logins[name] = user.email or ""
        w.principals[name] = Principal.of(user)
        w.ids[f"user_{name}"] = user.id
    await session.commit()
    return w


@pytest.fixture
def client_for(server: Any, settings: Settings, world: World) -> Iterator[Callable[[str], httpx.Client]]:
    """Factory: ``client_for("employer_a")`` → a client signed in as that account of the world."""
    with bearer_clients(server.base_url, settings) as make:
        yield lambda name: make(world.ids[f"user_{name}"])


def login(client: httpx.Client, email: str, password: str = PASSWORD) -> dict[str, Any]:
    """Sign in and return the token pair (asserting success)."""
    response = client.post("/auth/login", json={"login": email, "password": password})
    assert response.status_code == 200, response.text
    return response.json()


def bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


class Browser:
    """A plain-HTTP browser of the public pages: GET a form (collecting its CSRF cookie), POST it."""

    def __init__(self, base_url: str, cookies: dict[str, str] | None = None) -> None:
        self.c = http_client(base_url=base_url, timeout=30, follow_redirects=False, cookies=cookies or {})

    def form(self, path: str, **params: str) -> httpx.Response:
        page = self.c.get(path, params=params)
        assert page.status_code == 200, page.text[:300]
        return page

    def post(self, path: str, data: dict[str, Any]) -> httpx.Response:
        token = self.c.cookies.get(CSRF_COOKIE)
        assert token, "no CSRF cookie: GET the form first"
        return self.c.post(path, data={**data, "_csrf_token": token})


@pytest.fixture
def browser(server: Any) -> Iterator[Callable[..., Browser]]:
    opened: list[Browser] = []

    def make(cookies: dict[str, str] | None = None) -> Browser:
        b = Browser(server.base_url, cookies)
        opened.append(b)
        return b

    yield make
    for b in opened:
        b.c.close()


def staff_browser(browser: Callable[..., Browser], settings: Settings, world: World, name: str) -> Browser:
    """A browser signed in (session cookie) as the world's account ``name``, with a valid CSRF cookie."""
    csrf = generate_csrf_token(derive_key(resolve_secret_key(settings), "csrf"))
    return browser({ACCESS_COOKIE: sign_in(settings, world.ids[f"user_{name}"]), CSRF_COOKIE: csrf})
