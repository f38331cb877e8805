"""Conversation fixtures: a small world of two verified employers, two graduates (graduate A with a
full profile: certificates, an award, an internship, a 身份证号 and a phone) and school staff, one
account each; ``api(name)`` gives an HTTP client signed in as one of them. Message rates are low
(``3/minute``) so the limit is reached in a test."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.catalog.models import Major, School
from service.config import Settings
from service.employers.models import Employer
from service.graduates.models import (
    ExperienceKind,
    Graduate,
    GraduateAward,
    GraduateCertificate,
    GraduateExperience,
)
from service.postings.models import Posting
from service.privacy.models import AuditEvent
from tests.conftest import TEST_PASSWORD, LiveServer, test_password_hash
from tests.factories import bearer_clients, guangdong_regions
from tests.harness import http_client

ID_NUMBER = "11010519491231002X"
PHONE = "13800138000"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(
        settings, cookie_secure=False, message_rate_per_sender="3/minute", invitation_rate_per_sender="5/minute"
    )


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)


ACCOUNTS = {
    "graduate_a": (Role.GRADUATE, "graduate_id"),
    "graduate_b": (Role.GRADUATE, "graduate_id"),
    "employer_a": (Role.EMPLOYER, "employer_id"),
    "employer_b": (Role.EMPLOYER, "employer_id"),
    "school_a": (Role.SCHOOL, "school_id"),
}


@pytest.fixture
async def world(session: AsyncSession) -> World:
    session.add_all(guangdong_regions())
    await session.flush()
    session.add(Major(code="660103", name="数控技术应用", category="装备制造大类", class_name="机械设计制造类"))
    school = School(code="4144010001", name="广州市机电技师学校", region_code="440106")
    employer_a = Employer(name="广州数控设备有限公司", verified=True, region_code="440106")
    employer_b = Employer(name="佛山另一家机械有限公司", verified=True, region_code="440106")
    session.add_all([school, employer_a, employer_b])
    await session.flush()
    graduate_a = Graduate(
        name="陈小明",
        school_id=school.id,
        major_code="660103",
        phone=PHONE,
        id_number=ID_NUMBER,
        cohort=2026,
        city="广州市",
        skills=["数控车床操作", "CAD制图"],
        min_salary_monthly=4500,
        preferred_locations=["广州市"],
        summary="踏实肯干",
    )
    graduate_a.certificates = [GraduateCertificate(name="电工证", level="中级")]
    graduate_a.awards = [GraduateAward(competition="全国职业院校技能大赛", level="省级", prize="二等奖", year=2025)]
    graduate_a.experiences = [
        GraduateExperience(
            kind=ExperienceKind.WORK_PLACEMENT,
            employer_name="广州机床厂",
            title="数控车床实习生",
            start_date=dt.date(2025, 9, 1),
            end_date=dt.date(2026, 2, 28),
        )
    ]
    graduate_b = Graduate(name="黄丽娟", school_id=school.id, phone="13900139000", cohort=2026, skills=["仓库管理"])
    posting_a = Posting(title="数控车床操作工", employer_id=employer_a.id, required_skills=["数控车床操作"])
    posting_b = Posting(title="装配钳工", employer_id=employer_b.id)
    session.add_all([graduate_a, graduate_b, posting_a, posting_b])
    await session.flush()
    w = World(
        ids={
            "school_a": school.id,
            "employer_a": employer_a.id,
            "employer_b": employer_b.id,
            "graduate_a": graduate_a.id,
            "graduate_b": graduate_b.id,
            "posting_a": posting_a.id,
            "posting_b": posting_b.id,
        }
    )
    for name, (role, column) in ACCOUNTS.items():
        user = User(role=role, email=f"{name}@example.cn", password_hash=test_password_hash(), **{column: w.ids[name]})
        session.add(user)
        await session.flush()
        w.ids[f"user_{name}"] = user.id
        w.emails[name] = user.email or ""
    await session.commit()
    return w


@pytest.fixture
def api(server: LiveServer, settings: Settings, world: World) -> Iterator[Callable[[str], httpx.Client]]:
    """``api("employer_a")`` → a client signed in (bearer token) as that account of the world."""
    with bearer_clients(server.base_url, settings) as make:
        yield lambda name: make(world.ids[f"user_{name}"])


async def audit(session: AsyncSession, object_type: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.object_type == object_type).order_by(AuditEvent.id)
    return list((await session.execute(stmt.execution_options(populate_existing=True))).scalars())


def apply(
    client: httpx.Client,
    world: World,
    *,
    share_contact: bool = False,
    note: str | None = None,
    posting: str = "posting_a",
    graduate: str = "graduate_a",
) -> int:
    """Apply through the API; the new application's id."""
    body: dict[str, object] = {
        "graduate_id": world.ids[graduate],
        "posting_id": world.ids[posting],
        "share_contact": share_contact,
    }
    if note is not None:
        body["cover_letter"] = note
    response = client.post("/applications", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


Browser = Callable[[str], httpx.Client]


@pytest.fixture
def browser(server: LiveServer, world: World) -> Iterator[Browser]:
    """``browser("graduate_a")`` → a client signed in through the sign-in form (cookies, CSRF)."""
    opened: list[httpx.Client] = []

    def make(name: str) -> httpx.Client:
        c = http_client(base_url=server.base_url, timeout=30)
        opened.append(c)
        c.get("/web/sign-in")
        signed = c.post(
            "/web/sign-in",
            data={"login": world.emails[name], "password": TEST_PASSWORD, "_csrf_token": c.cookies["vocmatch_csrf"]},
        )
        assert signed.status_code == 303, signed.text
        return c

    yield make
    for c in opened:
        c.close()


def post(c: httpx.Client, path: str, **data: Any) -> httpx.Response:
    return c.post(path, data={**data, "_csrf_token": c.cookies["vocmatch_csrf"]})
