"""Privacy fixtures: the accounts tests' world of two of everything (one account per role, own vs
foreign objects), plus signed-in HTTP clients per account and an anonymous one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.accounts.security import hash_password
from service.applications.models import Application, ApplicationEvent, ApplicationStatus
from service.config import Settings
from service.destinations.models import DestinationEvent, DestinationEventKind
from service.employers.models import Employer
from service.graduates.models import Graduate, GraduateAward, GraduateCertificate
from service.postings.models import Posting
from tests.accounts.conftest import PASSWORD, World, bearer, http_settings, login, make_world
from tests.conftest import LiveServer
from tests.harness import http_client
from tests.reports import worked_case

ID_NUMBER = "11010519491231002X"  # a valid GB 11643 number (check character X)


# the accounts tests' settings and world (tests/accounts/conftest.py), here too
@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {}


@pytest.fixture
def settings(settings: Settings, settings_overrides: dict[str, Any]) -> Settings:
    return http_settings(settings, settings_overrides)


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await make_world(session)


@pytest.fixture
def anon(server: LiveServer) -> Iterator[httpx.Client]:
    """A client with no credentials at all (the root ``client`` may carry a default sign-in)."""
    with http_client(base_url=server.base_url, timeout=30) as c:
        yield c


@pytest.fixture
def as_user(server: LiveServer, world: World) -> Iterator[Callable[[str], httpx.Client]]:
    """``as_user("school_a")`` → a client sending that account's bearer token (signed in once)."""
    clients: dict[str, httpx.Client] = {}

    def get(name: str) -> httpx.Client:
        if name not in clients:
            c = http_client(base_url=server.base_url, timeout=30)
            c.headers.update(bearer(login(c, world.logins[name])))
            clients[name] = c
        return clients[name]

    yield get
    for c in clients.values():
        c.close()


NAME, PHONE, EMAIL = "李晓峰", "13800138123", "lixiaofeng@example.cn"


LETTER, NOTE = "我是李晓峰, 电话13800138123, 希望应聘", "李晓峰本人电话确认"


NEEDLES = (NAME, PHONE, EMAIL, ID_NUMBER, LETTER, NOTE, "希望应聘", "本人电话确认")


@pytest.fixture
async def case(session: AsyncSession) -> dict[str, int]:
    """The reports' worked case; graduate a1 given a name, 身份证号, phone, account, certificate,
    award, an open application with a cover letter and a note, and a confirmation with a note;
    accounts for school A and B staff, a 广东 department admin and the admin."""
    ids = dict(await worked_case.load(session))
    a1 = ids["a1"]
    await session.execute(
        update(Graduate)
        .where(Graduate.id == a1)
        .values(
            name=NAME,
            phone=PHONE,
            id_number=ID_NUMBER,
            summary=f"{NAME}的自我介绍",
            skills=["叉车"],
            city="广州",
            external_id="ext-lixf",
        )
    )
    school_a, school_b = (
        await session.execute(select(Graduate.school_id).where(Graduate.id.in_([a1, ids["b1"]])).order_by(Graduate.id))
    ).scalars()
    employer = Employer(name="Z物流有限公司", verified=True)
    session.add(employer)
    await session.flush()
    posting = Posting(title="仓库管理员", employer_id=employer.id)
    session.add(posting)
    await session.flush()
    application = Application(
        graduate_id=a1, posting_id=posting.id, cover_letter=LETTER, status=ApplicationStatus.INTERVIEW
    )
    session.add(application)
    await session.flush()
    session.add_all(
        [
            ApplicationEvent(application_id=application.id, from_status=None, to_status=ApplicationStatus.APPLIED),
            ApplicationEvent(
                application_id=application.id,
                from_status=ApplicationStatus.APPLIED,
                to_status=ApplicationStatus.INTERVIEW,
                note=f"面试通知已发{PHONE}",
            ),
            GraduateCertificate(graduate_id=a1, name="叉车司机", level="初级"),
            GraduateAward(graduate_id=a1, competition="广州市职业技能大赛", prize="二等奖", year=2024),
        ]
    )
    later = (
        (
            await session.execute(
                select(DestinationEvent)
                .where(DestinationEvent.graduate_id == a1)
                .order_by(DestinationEvent.occurred_on.desc())
            )
        )
        .scalars()
        .first()
    )
    session.add(
        DestinationEvent(
            graduate_id=a1,
            kind=DestinationEventKind.CONFIRMATION,
            refers_to_id=later.id,
            occurred_on=dt.date(2025, 10, 22),
            source="self_report",
            category=later.category,
            note=NOTE,
            recorded_at=dt.datetime(2025, 10, 22, tzinfo=dt.UTC),
        )
    )
    password_hash = await hash_password(PASSWORD)
    users = {
        "a1": User(role=Role.GRADUATE, email=EMAIL, phone=PHONE, graduate_id=a1, password_hash=password_hash),
        "staff_a": User(role=Role.SCHOOL, email="staff_a@example.cn", school_id=school_a, password_hash=password_hash),
        "staff_b": User(role=Role.SCHOOL, email="staff_b@example.cn", school_id=school_b, password_hash=password_hash),
        "department": User(
            role=Role.DEPARTMENT, email="dept@example.cn", region_code="440000", password_hash=password_hash
        ),
        "admin": User(role=Role.ADMIN, email="admin@example.cn", password_hash=password_hash),
    }
    session.add_all(users.values())
    await session.commit()
    return ids | {"application": application.id} | {f"user_{k}": u.id for k, u in users.items()}


@pytest.fixture
def clients(server: LiveServer) -> Iterator[dict[str, httpx.Client]]:
    logins = {
        "a1": EMAIL,
        "staff_a": "staff_a@example.cn",
        "staff_b": "staff_b@example.cn",
        "department": "dept@example.cn",
        "admin": "admin@example.cn",
    }
    out = {}
    for name, email in logins.items():
        c = http_client(base_url=server.base_url, timeout=30)
        c.headers.update(bearer(login(c, email)))
        out[name] = c
    yield out
    for c in out.values():
        c.close()
