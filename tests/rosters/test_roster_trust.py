"""Issue 14 for roster uploads (items 1, 3 and 14), over real HTTP on both backends: a roster cannot
give a second person a stored 身份证号, the duplicate is reported to the uploading school only —
row and column, never the other holder — and roster changes to roster-owned fields are audited;
graduation dates are bounded like cohorts."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.cn import ric

from service.accounts.models import Role
from service.catalog.models import School
from service.graduates.models import Gender, Graduate
from service.privacy.models import AuditAction, AuditEvent
from service.rosters.service import ID_NUMBER_TAKEN
from tests.factories import guangdong_regions


def id_number(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


HELD = id_number("44010620070101731")  # 陈小明's, at school A
OTHER = id_number("45010220070202742")  # nobody's yet
HEADER = "学号,姓名,性别,身份证号,毕业时间,届别"


@dataclass
class Schools:
    a: str
    b: str
    a_id: int
    b_id: int
    graduate: int


@pytest.fixture
async def schools(session: AsyncSession) -> Schools:
    session.add_all(guangdong_regions(guangxi=True))
    await session.flush()
    a = School(code="4144010001", name="广州市机电技师学校", region_code="440106")
    b = School(code="4145010001", name="南宁市第一职业技术学校", region_code="450100")
    session.add_all([a, b])
    await session.flush()
    graduate = Graduate(
        name="陈小明",
        school_id=a.id,
        student_number="0012025001",
        id_number=HELD,
        gender=Gender.MALE,
        cohort=2025,
        graduation_date=dt.date(2025, 6, 30),
    )
    session.add(graduate)
    await session.commit()
    return Schools(a=a.code, b=b.code, a_id=a.id, b_id=b.id, graduate=graduate.id)


def _upload(c: httpx.Client, code: str, *rows: str, valid_rows_only: bool = False) -> httpx.Response:
    body = "\n".join([HEADER, *rows]).encode("utf-8")
    return c.post(
        f"/schools/{code}/rosters",
        files={"data": ("roster.csv", body, "text/csv")},
        params={"valid_rows_only": str(valid_rows_only).lower()},
    )


async def _holders(session: AsyncSession, number: str) -> list[tuple[int | None, str | None]]:
    await session.rollback()
    stmt = select(Graduate.school_id, Graduate.student_number).where(Graduate.id_number == number)
    return [tuple(r) for r in (await session.execute(stmt)).all()]


Clients = Callable[..., httpx.Client]


@pytest.mark.parametrize("valid_rows_only", [False, True])
async def test_roster_cannot_give_a_stored_id_number_to_a_second_person(
    client_as: Clients, schools: Schools, session: AsyncSession, valid_rows_only: bool
) -> None:
    """School B's roster brings a number a school-A graduate holds (typed in lower case, another
    spelling of the same number does not help): the row is rejected naming row and column only —
    not the other holder, school or 学号 — and the number stays with its one holder."""
    staff_b = client_as(Role.SCHOOL, school_id=schools.b_id)
    report = _upload(
        staff_b,
        schools.b,
        "0452025001,黄丽,女,%s,2025-06-30,2025届" % OTHER,
        "0452025002,李雷,男,%s,2025-06-30,2025届" % HELD.lower(),
        valid_rows_only=valid_rows_only,
    )
    body = report.json()
    assert body["rejected"] == [
        {"row": 3, "column": "身份证号", "reason": ID_NUMBER_TAKEN, "field": "id_number", "code": "id_number_taken"}
    ], body
    assert report.status_code == (201 if valid_rows_only else 422)
    for leak in ("陈小明", "0012025001", "广州", schools.a, HELD[:6], HELD[-4:]):
        assert leak not in report.text.replace(schools.b, ""), leak
    assert not re.search(r"(graduate|学生|id)\W*\d", body["rejected"][0]["reason"])
    assert await _holders(session, HELD) == [(schools.a_id, "0012025001")]
    assert await _holders(session, OTHER) == ([(schools.b_id, "0452025001")] if valid_rows_only else [])


async def test_own_school_duplicate_is_reported_without_naming_the_holder(
    client_as: Clients, schools: Schools, session: AsyncSession
) -> None:
    """The same inside one school: a new 学号 with a stored student's number is a row error that
    does not name the student's 学号 (the school's staff correct the roster, not read it off)."""
    staff_a = client_as(Role.SCHOOL, school_id=schools.a_id)
    report = _upload(staff_a, schools.a, "0012025009,陈小明二,男,%s,2025-06-30,2025届" % HELD)
    assert report.status_code == 422
    assert report.json()["rejected"] == [
        {"row": 2, "column": "身份证号", "reason": ID_NUMBER_TAKEN, "field": "id_number", "code": "id_number_taken"}
    ]
    assert "0012025001" not in report.text
    assert await _holders(session, HELD) == [(schools.a_id, "0012025001")]


@pytest.mark.parametrize("day", ["1949-06-30", "2101-06-30"])
def test_roster_graduation_date_is_bounded_like_cohorts(client_as: Clients, schools: Schools, day: str) -> None:
    staff_a = client_as(Role.SCHOOL, school_id=schools.a_id)
    report = _upload(staff_a, schools.a, "0012025010,林芳,女,,%s," % day)
    assert report.status_code == 422
    rejected = report.json()["rejected"]
    assert [(e["row"], e["column"]) for e in rejected] == [(2, "毕业时间")]
    assert re.search(r"1950.2100", rejected[0]["reason"])


async def test_roster_changes_to_roster_fields_are_audited(
    client_as: Clients, schools: Schools, session: AsyncSession
) -> None:
    """A re-imported roster that moves a stored graduate to another cohort is a staff change to a
    roster-owned field: one audit event for that graduate naming the fields (no values); graduates
    it leaves unchanged get none."""
    staff_a = client_as(Role.SCHOOL, school_id=schools.a_id)
    report = _upload(
        staff_a,
        schools.a,
        "0012025001,陈小明,男,%s,2026-06-30,2026届" % HELD,
        "0012025011,新同学,女,,2026-06-30,2026届",
    )
    assert report.status_code == 201 and report.json()["updated"] == 1, report.text
    await session.rollback()
    events = (await session.execute(select(AuditEvent).where(AuditEvent.action == AuditAction.UPDATE))).scalars().all()
    assert [(e.graduate_id, e.actor_role, e.detail) for e in events] == [
        (
            schools.graduate,
            Role.SCHOOL,
            {
                "roster_fields": ["graduation_date", "cohort"],
                "via": "roster",
                "roster_upload": report.json()["upload_id"],
            },
        )
    ]
    assert events[0].path == f"/schools/{schools.a}/rosters"
