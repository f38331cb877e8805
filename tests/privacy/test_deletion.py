"""Deleting a graduate: the request-then-execute flow, erasure of every trace of the person, and
the employment figures of past reports unchanged when recomputed for the same date and cut-off."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import JSON, String, Text, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.accounts.models import Role, User
from service.accounts.security import hash_password
from service.applications.models import Application, ApplicationEvent, ApplicationStatus
from service.db import make_sessionmaker
from service.destinations.models import DestinationEvent, DestinationEventKind
from service.employers.models import Employer
from service.graduates.models import Graduate, GraduateAward, GraduateCertificate
from service.models import Base
from service.postings.models import Posting
from service.reports.build import build_report
from service.reports.compute import ReportParams, Scope
from tests.accounts.conftest import PASSWORD, bearer, login
from tests.conftest import LiveServer
from tests.privacy.conftest import ID_NUMBER
from tests.reports import worked_case

NAME, PHONE, EMAIL = "李晓峰", "13800138123", "lixiaofeng@example.cn"
LETTER, NOTE = "我是李晓峰, 电话13800138123, 希望应聘", "李晓峰本人电话确认"
NEEDLES = (NAME, PHONE, EMAIL, ID_NUMBER, LETTER, NOTE, "希望应聘", "本人电话确认")
REPORT = {
    "scope": "all",
    "as_of": "2025-12-31",
    "cohort": 2025,
    "recorded_before": "2026-01-01T00:00:00Z",
    "threshold": 1,
}
PARAMS = ReportParams(
    scope=Scope.parse("all"),
    cohorts=(2025,),
    as_of=dt.date(2025, 12, 31),
    recorded_before=worked_case.CUTOFF,
    threshold=1,
)


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
        c = httpx.Client(base_url=server.base_url, timeout=30)
        c.headers.update(bearer(login(c, email)))
        out[name] = c
    yield out
    for c in out.values():
        c.close()


async def _report(engine: AsyncEngine) -> dict[str, Any]:
    async with make_sessionmaker(engine)() as s:
        return await build_report(s, PARAMS)


async def _traces_of_person(engine: AsyncEngine) -> list[str]:
    """``table.column`` of every text or JSON value anywhere in the database holding a needle."""
    found = []
    async with make_sessionmaker(engine)() as s:
        for table in Base.metadata.sorted_tables:
            columns = [
                c
                for c in table.columns
                if isinstance(c.type, (String, Text, JSON)) or isinstance(getattr(c.type, "impl", None), (String, Text))
            ]
            for column in columns:
                for (value,) in (await s.execute(select(column))).all():
                    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    found += [f"{table.name}.{column.name}: {n}" for n in NEEDLES if n in text]
    return found


async def test_request_then_school_deletes_and_reports_stay(
    case: dict[str, int], clients: dict[str, httpx.Client], engine: AsyncEngine
) -> None:
    a1 = case["a1"]
    before, before_http = await _report(engine), clients["admin"].get("/reports", params=REPORT)
    assert before_http.status_code == 200, before_http.text
    assert await _traces_of_person(engine)  # the needles are really there to begin with

    assert clients["a1"].delete(f"/graduates/{a1}").status_code == 403  # the graduate asks instead
    assert clients["staff_a"].delete(f"/graduates/{a1}").status_code == 409  # not asked yet
    wrong = clients["a1"].post(f"/graduates/{a1}/deletion-request", json={"password": "not my password"})
    assert wrong.status_code == 401, wrong.text
    asked = clients["a1"].post(f"/graduates/{a1}/deletion-request", json={"password": PASSWORD})
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "pending" and asked.json()["requested_by_role"] == "graduate"
    assert clients["a1"].post(f"/graduates/{a1}/deletion-request", json={"password": PASSWORD}).status_code == 409
    assert clients["staff_a"].get(f"/graduates/{a1}/deletion-request").json()["status"] == "pending"
    assert clients["staff_b"].get(f"/graduates/{a1}/deletion-request").status_code == 404
    assert clients["staff_b"].delete(f"/graduates/{a1}").status_code == 404  # another school's graduate
    assert clients["department"].delete(f"/graduates/{a1}").status_code == 403

    done = clients["staff_a"].delete(f"/graduates/{a1}")
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["deletion"]["status"] == "executed" and body["deletion"]["executed_by_role"] == "school"
    assert (
        body["accounts_deleted"],
        body["applications_withdrawn"],
        body["applications_scrubbed"],
        body["certificates_deleted"],
        body["awards_deleted"],
        body["destination_events_kept"],
    ) == (1, 1, 1, 1, 1, 3)

    assert await _traces_of_person(engine) == []
    assert await _report(engine) == before  # same figures as of the same date and cut-off
    after_http = clients["admin"].get("/reports", params=REPORT)
    assert after_http.json() == before_http.json()

    assert clients["a1"].get("/auth/me").status_code == 401  # the account is gone
    assert clients["staff_a"].delete(f"/graduates/{a1}").status_code == 409  # already deleted
    async with make_sessionmaker(engine)() as s:
        graduate = await s.get(Graduate, a1)
        assert graduate is not None and graduate.name == "(已删除)" and graduate.recommendable is False
        assert (graduate.cohort, graduate.school_id, graduate.gender.value) == (2025, graduate.school_id, "male")
        application = await s.get(Application, case["application"])
        assert application is not None and application.status is ApplicationStatus.WITHDRAWN
    audit = clients["admin"].get("/audit", params={"graduate_id": a1}).json()["items"]
    assert [e["action"] for e in audit[:2]] == ["delete", "deletion_request"]
    assert (audit[0]["actor_user_id"], audit[0]["actor_role"]) == (case["user_staff_a"], "school")
    assert audit[1]["actor_user_id"] == case["user_a1"]
    params = {k: v for k, v in REPORT.items() if k != "threshold"} | {"row": "total", "column": "employed"}
    trace = clients["admin"].get("/reports/trace", params=params)
    assert trace.status_code == 200, trace.text
    assert a1 in [t["graduate_id"] for t in trace.json()]  # still counted, by id only


async def test_admin_deletes_without_a_request(
    case: dict[str, int], clients: dict[str, httpx.Client], engine: AsyncEngine
) -> None:
    b1 = case["b1"]
    before = await _report(engine)
    done = clients["admin"].delete(f"/graduates/{b1}")
    assert done.status_code == 200, done.text
    assert done.json()["deletion"]["requested_by_role"] == "admin"
    assert await _report(engine) == before
    assert clients["staff_b"].get(f"/graduates/{b1}/deletion-request").json()["status"] == "executed"
    assert clients["admin"].delete("/graduates/999999").status_code == 404
    # the anonymised row is left out of lists, for its school and for the admin
    for who in ("staff_b", "admin"):
        listed = clients[who].get("/graduates", params={"limit": 200}).json()
        assert b1 not in {g["id"] for g in listed["items"]}
        assert listed["total"] == len(listed["items"])
