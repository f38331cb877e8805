"""Internship fixtures: attachments in the test's own folder, and a small world of two schools
(A in 广州 天河区, B in 南宁), current students of the 2027 cohort at A, a 2026 graduate at A,
one student at B, two verified employers and accounts for the people the tests act as."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypedDict

import httpx
import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.accounts.security import ACCESS_COOKIE
from service.catalog.models import Major, School
from service.config import Settings
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.postings.models import Posting
from tests.conftest import LiveServer, create_account
from tests.factories import places
from tests.harness import http_client

#: The smallest file a PDF reader opens: header (ISO 32000-1 §7.5.2) … end-of-file marker (§7.5.5).
PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] "
    b"/Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, cookie_secure=False)


@dataclass
class World:
    settings: Settings
    base_url: str = ""
    ids: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    opened: list[httpx.Client] = field(default_factory=list)

    def api(self, who: str) -> httpx.Client:
        c = http_client(base_url=self.base_url, timeout=30, headers={"Authorization": f"Bearer {self.tokens[who]}"})
        self.opened.append(c)
        return c

    def browser(self, who: str) -> httpx.Client:
        """A cookie-signed-in client (as the pages are used)."""
        c = http_client(base_url=self.base_url, timeout=30, cookies={ACCESS_COOKIE: self.tokens[who]})
        self.opened.append(c)
        return c


async def _build(session: AsyncSession) -> dict[str, int]:
    session.add_all(
        [
            *places("440000", "440100", "440106", "450000", "450100"),
            Major(code="660103", name="数控技术应用", category="装备制造大类", class_name="机械设计制造类"),
            Major(code="710102", name="计算机应用", category="电子与信息大类", class_name="计算机类"),
        ]
    )
    await session.flush()
    a = School(code="4144010001", name="广州市机电技师学校", region_code="440106")
    b = School(code="4145010001", name="南宁市第一职业技术学校", region_code="450100")
    e1 = Employer(name="广州数控设备有限公司", verified=True, region_code="440106")
    e2 = Employer(name="广州软件园有限公司", verified=True, region_code="440106")
    session.add_all([a, b, e1, e2])
    await session.flush()
    june = dt.date(2027, 6, 30)
    students = [
        Graduate(
            name=f"在校生{i}",
            school_id=a.id,
            student_number=f"A27{i:03d}",
            cohort=2027,
            graduation_date=june,
            major_code="660103" if i < 3 else "710102",
        )
        for i in range(4)
    ]
    graduated = [
        Graduate(
            name=f"毕业生{i}",
            school_id=a.id,
            student_number=f"A26{i:03d}",
            cohort=2026,
            graduation_date=dt.date(2026, 6, 30),
            major_code="660103",
        )
        for i in range(2)
    ]
    other = Graduate(name="南宁学生", school_id=b.id, student_number="B27001", cohort=2027, graduation_date=june)
    session.add_all([*students, *graduated, other])
    posting = Posting(title="数控车床实习生", employer_id=e1.id)
    other_posting = Posting(title="软件测试实习生", employer_id=e2.id)
    session.add_all([posting, other_posting])
    await session.flush()
    ids = {
        "school_a": a.id,
        "school_b": b.id,
        "employer_1": e1.id,
        "employer_2": e2.id,
        "student_b": other.id,
        "posting_1": posting.id,
        "posting_2": other_posting.id,
    }
    ids.update({f"student_{i}": g.id for i, g in enumerate(students)})
    ids.update({f"graduated_{i}": g.id for i, g in enumerate(graduated)})
    await session.commit()
    return ids


class Scope(TypedDict, total=False):
    """What an account is tied to (the keyword arguments of :func:`tests.conftest.create_account`)."""

    school_id: int
    region_code: str
    employer_id: int
    graduate_id: int


@pytest.fixture
async def world(session: AsyncSession, settings: Settings) -> World:
    w = World(settings=settings, ids=await _build(session))
    accounts: dict[str, tuple[Role, Scope]] = {
        "staff_a": (Role.SCHOOL, {"school_id": w.ids["school_a"]}),
        "staff_b": (Role.SCHOOL, {"school_id": w.ids["school_b"]}),
        "department_gz": (Role.DEPARTMENT, {"region_code": "440100"}),
        "department_nn": (Role.DEPARTMENT, {"region_code": "450100"}),
        "employer_1": (Role.EMPLOYER, {"employer_id": w.ids["employer_1"]}),
        "employer_2": (Role.EMPLOYER, {"employer_id": w.ids["employer_2"]}),
        "student_0": (Role.GRADUATE, {"graduate_id": w.ids["student_0"]}),
        "student_1": (Role.GRADUATE, {"graduate_id": w.ids["student_1"]}),
        "admin": (Role.ADMIN, {}),
    }
    for name, (role, scope) in accounts.items():
        w.users[name], w.tokens[name] = create_account(settings, role, **scope)
    return w


@pytest.fixture
def live(world: World, server: LiveServer) -> Iterator[World]:
    """The world served by the session's shared live server for these settings (its in-memory state
    reset for the test, see :class:`tests.harness.ServerPool`): a server of its own per test cost
    2.5–3 s of set-up each (measured, 24 tests), and this module's settings override has no per-test value."""
    world.base_url = server.base_url
    yield world
    for c in world.opened:
        c.close()
