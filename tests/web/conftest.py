"""Web page fixtures: plain-HTTP cookies, a per-test secret file, and a small world — a Guangzhou
school with one graduate, a verified employer with a posting that fits the graduate, an unverified
employer whose posting must never reach graduates, and one account per role (same pattern as
``tests/accounts/conftest.py``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.accounts.security import hash_password
from service.catalog.models import School
from service.config import Settings
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.postings.models import Posting
from tests.browser import launch_chromium
from tests.factories import places
from tests.harness import http_client

PASSWORD = "correct horse battery"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, cookie_secure=False)


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    logins: dict[str, str] = field(default_factory=dict)  # account name → e-mail


ACCOUNTS = {
    "graduate_a": (Role.GRADUATE, "graduate_id", "graduate_a"),
    "graduate_b": (Role.GRADUATE, "graduate_id", "graduate_b"),
    "employer_a": (Role.EMPLOYER, "employer_id", "employer_a"),
    "employer_b": (Role.EMPLOYER, "employer_id", "employer_b"),
    "school_a": (Role.SCHOOL, "school_id", "school_a"),
    "school_b": (Role.SCHOOL, "school_id", "school_b"),
    "department_a": (Role.DEPARTMENT, "region_code", "440100"),
}


@pytest.fixture
async def world(session: AsyncSession) -> World:
    """School A (广州 天河区) with graduate 陈小明 (skills 数控车床操作, CAD制图; wants ≥ 4500元/月),
    school B (南宁) with graduate 黄丽; verified employer A with posting A (数控车床操作工, needs
    数控车床操作, CAD制图, 电工 and the 电工证, 5000–7000元/月, 广州), unverified employer B with
    posting B (仓库管理员, 广州, 4000–6000元/月); one account per :data:`ACCOUNTS` entry."""
    session.add_all(
        [
            *places("440000", "440100", "440106", "440600", "440800", "450000", "450100"),
        ]
    )
    await session.flush()
    school_a = School(code="4144010001", name="广州市机电技师学校", region_code="440106")
    school_b = School(code="4145010001", name="南宁市第一职业技术学校", region_code="450100")
    employer_a = Employer(name="广州数控设备有限公司", verified=True, region_code="440106")
    employer_b = Employer(name="未审核贸易有限公司", verified=False, region_code="440106")
    session.add_all([school_a, school_b, employer_a, employer_b])
    await session.flush()
    graduate_a = Graduate(
        name="陈小明",
        school_id=school_a.id,
        phone="13800138000",
        cohort=2025,
        skills=["数控车床操作", "CAD制图"],
        min_salary_monthly=4500,
        region_code="440106",
        province="广东省",
        city="广州市",
    )
    graduate_b = Graduate(
        name="黄丽",
        school_id=school_b.id,
        phone="13900139000",
        cohort=2025,
        skills=["仓库管理"],
        region_code="450100",
        province="广西壮族自治区",
        city="南宁市",
    )
    posting_a = Posting(
        title="数控车床操作工",
        employer_id=employer_a.id,
        region_code="440106",
        province="广东省",
        city="广州市",
        salary_min_monthly=5000,
        salary_max_monthly=7000,
        required_skills=["数控车床操作", "CAD制图", "电工"],
        certificates=["电工证"],
    )
    posting_b = Posting(
        title="仓库管理员",
        employer_id=employer_b.id,
        region_code="440106",
        province="广东省",
        city="广州市",
        salary_min_monthly=4000,
        salary_max_monthly=6000,
        required_skills=["仓库管理", "数控车床操作"],
    )
    session.add_all([graduate_a, graduate_b, posting_a, posting_b])
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
        }
    )
    password_hash = await hash_password(PASSWORD)
    for name, (role, column, target) in ACCOUNTS.items():
        scope: dict[str, Any] = {column: target if column == "region_code" else w.ids[target]}
        user = User(role=role, email=f"{name}@example.cn", password_hash=password_hash, **scope)
        session.add(user)
        await session.flush()
        w.logins[name] = user.email or ""
    await session.commit()
    return w


def sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    """Sign in through the web form, as a browser does: fetch the form (its pre-session CSRF cookie),
    post it with the token; returns the 303 response (cookies land in ``client``)."""
    client.get("/web/sign-in")
    response = client.post(
        "/web/sign-in", data={"login": email, "password": password, "_csrf_token": client.cookies["vocmatch_csrf"]}
    )
    assert response.status_code == 303, response.text
    return response


def csrf(client: httpx.Client) -> dict[str, str]:
    """The CSRF header an htmx request sends (the value of the ``vocmatch_csrf`` cookie)."""
    return {"X-CSRF-Token": client.cookies["vocmatch_csrf"], "HX-Request": "true"}


def text_of(html: str) -> str:
    """The visible text of an HTML page, tags removed and whitespace collapsed (for assertions)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def web(server: Any) -> Any:
    """A browser-like HTTP client over loopback: no bearer token, cookies only (the root ``client``
    fixture signs in with a bearer header, which would bypass the cookie session and its CSRF check)."""
    with http_client(base_url=server.base_url, timeout=30) as c:
        yield c


@pytest.fixture
def browser(server: Any, world: World) -> Iterator[Any]:
    """A headless chromium, started after the server and the data (Playwright's sync API runs an
    event loop in this thread, so every other fixture must be set up before it)."""
    yield from launch_chromium()
