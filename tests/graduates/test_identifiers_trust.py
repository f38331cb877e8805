"""Issue 14, items 1–3 and 14 for graduate profiles, over real HTTP and against the database itself,
on both backends: no membership oracle for 身份证号 and 学号, a mask that gives nothing away, one
number per person enforced by the database, and roster-owned fields that belong to the school."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.cn import ric

from service.accounts.models import Role
from service.applications.models import Application
from service.catalog.models import Major, School
from service.employers.models import Employer
from service.errors import _from_integrity
from service.graduates.identity import mask_id_number
from service.graduates.models import Gender, Graduate
from service.postings.models import Posting
from service.privacy.models import AuditAction, AuditEvent
from tests.factories import places


def id_number(first17: str) -> str:
    """A valid 身份证号 (GB 11643-1999) for the 17 given digits."""
    return first17 + ric.calc_check_digit(first17 + "0")


A_ID = id_number("44010620060315731")  # graduate A (school A, 广州), male; last 4: 7317
B_ID = id_number("45010220060412742")  # graduate B (school B, 南宁), female
FREE_ID = id_number("44010620060722753")  # nobody's
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@dataclass
class Ids:
    school_a: int
    school_b: int
    graduate_a: int
    graduate_b: int
    graduate_a2: int
    employer: int


@pytest.fixture
async def ids(session: AsyncSession) -> Ids:
    """School A (广州 天河区) with graduates A (身份证号 ``A_ID``, 学号 0012025001, applied to the
    employer's posting) and A2 (学号 0012025002, no number); school B (南宁) with graduate B
    (``B_ID``); a verified employer with one posting."""
    session.add_all(
        [
            *places("440000", "440100", "440106", "450000", "450100"),
            Major(code="660301", name="数控技术应用", category="装备制造大类"),
            Major(code="710201", name="计算机应用", category="电子与信息大类"),
        ]
    )
    await session.flush()
    school_a = School(code="4144010001", name="广州市机电技师学校", region_code="440106")
    school_b = School(code="4145010001", name="南宁市第一职业技术学校", region_code="450100")
    employer = Employer(name="广州数控设备有限公司", verified=True, region_code="440106")
    session.add_all([school_a, school_b, employer])
    await session.flush()
    a = Graduate(
        name="陈小明",
        school_id=school_a.id,
        student_number="0012025001",
        id_number=A_ID,
        gender=Gender.MALE,
        major_code="660301",
        cohort=2025,
        graduation_date=dt.date(2025, 6, 30),
        phone="13800138000",
    )
    a2 = Graduate(name="王小红", school_id=school_a.id, student_number="0012025002", cohort=2025)
    b = Graduate(
        name="黄丽",
        school_id=school_b.id,
        student_number="0452025001",
        id_number=B_ID,
        gender=Gender.FEMALE,
        cohort=2025,
    )
    posting = Posting(title="数控车床操作工", employer_id=employer.id)
    session.add_all([a, a2, b, posting])
    await session.flush()
    session.add(Application(graduate_id=a.id, posting_id=posting.id))
    await session.commit()
    return Ids(
        school_a=school_a.id,
        school_b=school_b.id,
        graduate_a=a.id,
        graduate_b=b.id,
        graduate_a2=a2.id,
        employer=employer.id,
    )


Clients = Callable[..., httpx.Client]


async def _stored(session: AsyncSession, graduate_id: int) -> Graduate:
    await session.rollback()  # see what the server committed
    return (
        await session.execute(
            select(Graduate).where(Graduate.id == graduate_id).execution_options(populate_existing=True)
        )
    ).scalar_one()


def _no_digits(problem: dict[str, Any]) -> None:
    """The problem names no record (id, 学号) and echoes no number: it holds no digits at all."""
    texts = [problem["detail"], *(e["message"] for e in problem.get("errors", []))]
    assert not any(re.search(r"\d", t) for t in texts), texts


# --- item 1: no membership oracle ----------------------------------------------------------------


async def test_graduate_cannot_set_an_id_number_and_learns_nothing_from_trying(
    client_as: Clients, ids: Ids, session: AsyncSession
) -> None:
    """A graduate sending a 身份证号 — free, another person's (in any spelling) or their own — gets
    one and the same refusal, and nothing changes."""
    me = client_as(Role.GRADUATE, graduate_id=ids.graduate_a)
    answers = [
        me.patch(f"/graduates/{ids.graduate_a}", json={"id_number": number})
        for number in (FREE_ID, B_ID, B_ID.translate(FULL_WIDTH), A_ID)
    ]
    assert {(a.status_code, a.text) for a in answers} == {(403, answers[0].text)}
    _no_digits(answers[0].json())
    assert (await _stored(session, ids.graduate_a)).id_number == A_ID


async def test_id_number_clash_names_no_other_record(client_as: Clients, ids: Ids, session: AsyncSession) -> None:
    """School A's staff entering a number another school's graduate holds learn only that it is
    taken (409 on ``id_number``) — not by whom, nor the number; the same for a number one of their
    own graduates holds."""
    staff = client_as(Role.SCHOOL, school_id=ids.school_a)
    body = {"name": "新同学", "school_id": ids.school_a, "student_number": "0012025099"}
    answers = [
        staff.post("/graduates", json={**body, "id_number": B_ID.translate(FULL_WIDTH)}),
        staff.patch(f"/graduates/{ids.graduate_a2}", json={"id_number": B_ID}),
        staff.patch(f"/graduates/{ids.graduate_a2}", json={"id_number": A_ID}),
    ]
    for answer in answers:
        assert answer.status_code == 409, answer.text
        assert answer.json()["errors"][0]["field"] == "id_number"
        _no_digits(answer.json())
        assert "黄丽" not in answer.text and "南宁" not in answer.text
    assert (await _stored(session, ids.graduate_a2)).id_number is None


def test_student_number_clash_names_no_other_record(client_as: Clients, ids: Ids) -> None:
    """A 学号 another student of the school holds: 409 on ``student_number``, naming nobody."""
    staff = client_as(Role.SCHOOL, school_id=ids.school_a)
    clash = staff.patch(f"/graduates/{ids.graduate_a2}", json={"student_number": "0012025001"})
    assert clash.status_code == 409 and clash.json()["errors"][0]["field"] == "student_number"
    _no_digits(clash.json())
    assert "陈小明" not in clash.text


# --- item 2: a mask that does not give the number away --------------------------------------------


def test_mask_keeps_only_the_last_four_characters() -> None:
    assert mask_id_number("44010620050101001X") == "*" * 14 + "001X"
    assert mask_id_number(None) is None


async def test_id_number_is_shown_as_its_last_four_at_most_and_never_to_employers(client_as: Clients, ids: Ids) -> None:
    """The holder, school staff, department admins and the admin see the last 4 characters; the
    employer the graduate applied to sees no part of the number, in the profile or the list; no
    longer run of the number (address code, birth date) appears anywhere."""
    last4 = "*" * 14 + A_ID[-4:]
    readers = {
        "holder": client_as(Role.GRADUATE, graduate_id=ids.graduate_a),
        "school": client_as(Role.SCHOOL, school_id=ids.school_a),
        "department": client_as(Role.DEPARTMENT, region_code="440000"),
        "admin": client_as(Role.ADMIN),
    }
    for who, c in readers.items():
        profile = c.get(f"/graduates/{ids.graduate_a}")
        assert profile.status_code == 200 and profile.json()["id_number_masked"] == last4, who
        assert A_ID[:6] not in profile.text and A_ID[6:14] not in profile.text, who
    export = readers["holder"].get(f"/graduates/{ids.graduate_a}/export")
    assert export.json()["profile"]["id_number_masked"] == last4 and A_ID[6:14] not in export.text
    employer = client_as(Role.EMPLOYER, employer_id=ids.employer)
    profile = employer.get(f"/graduates/{ids.graduate_a}")
    assert profile.status_code == 200 and profile.json()["id_number_masked"] is None
    listed = employer.get("/graduates")
    assert [g["id_number_masked"] for g in listed.json()["items"]] == [None]
    for response in (profile, listed):
        assert A_ID[-4:] not in response.text and A_ID[:6] not in response.text


async def test_integrity_error_log_names_no_id_number(session: AsyncSession, caplog: pytest.LogCaptureFixture) -> None:
    """A write the unique index refuses (a concurrent duplicate) is logged by constraint, never with
    the values (PostgreSQL's message goes on with ``DETAIL: Key (id_number)=(…)``)."""
    session.add(Graduate(name="甲", id_number=FREE_ID))
    await session.commit()
    session.add(Graduate(name="乙", id_number=FREE_ID))
    with pytest.raises(IntegrityError) as refused:
        await session.flush()
    await session.rollback()
    with caplog.at_level(logging.INFO, logger="service.errors"):
        problem = _from_integrity(refused.value)
    assert problem.status_code == 409 and "integrity error" in caplog.text
    assert FREE_ID not in caplog.text and FREE_ID[:14] not in caplog.text


# --- item 3: unique across the whole database ------------------------------------------------------


@pytest.mark.parametrize(
    "spelling", [str, str.lower, lambda n: n.translate(FULL_WIDTH)], ids=["same", "lower-case x", "full-width"]
)
async def test_the_database_holds_each_id_number_once(session: AsyncSession, spelling: Callable[[str], str]) -> None:
    """The database itself refuses a second holder of a number, however it is spelt: every write
    stores the normalised number, and a unique index compares those."""
    number = id_number("11010519491231002")  # check character X
    assert number.endswith("X")
    session.add(Graduate(name="甲", id_number=number))
    await session.commit()
    session.add(Graduate(name="乙", id_number=spelling(number)))
    with pytest.raises(IntegrityError):
        await session.flush()
    await session.rollback()
    session.add(Graduate(name="乙", id_number=FREE_ID))
    await session.commit()
    with pytest.raises(IntegrityError):  # below the ORM too: raw SQL
        await session.execute(text("UPDATE graduates SET id_number = :n WHERE name = '乙'"), {"n": number})
    await session.rollback()
    count = (
        await session.execute(select(func.count()).select_from(Graduate).where(Graduate.id_number == number))
    ).scalar_one()
    assert count == 1


# --- item 14: roster-owned fields belong to the school ---------------------------------------------

ROSTER_CHANGES = {
    "cohort": 2030,
    "graduation_date": "2030-06-30",
    "major_code": "710201",
    "student_number": "X1",
    "gender": "female",
    "education": "bachelor",
    "kind": "adult_trainee",
}


async def test_graduate_cannot_change_roster_owned_fields(client_as: Clients, ids: Ids, session: AsyncSession) -> None:
    """Each roster-owned field a graduate tries to change is refused (403 naming it) and stays as
    the school's roster has it — including leaving the school; values equal to the stored ones may
    be sent back with a change to the graduate's own fields."""
    me = client_as(Role.GRADUATE, graduate_id=ids.graduate_a)
    for field, value in {**ROSTER_CHANGES, "school_id": ids.school_b}.items():
        refused = me.patch(f"/graduates/{ids.graduate_a}", json={field: value, "skills": ["数控车床"]})
        assert refused.status_code == 403, (field, refused.text)
        assert field in refused.json()["detail"]
    for field in ("school_id", "cohort", "graduation_date", "major_code"):
        assert me.patch(f"/graduates/{ids.graduate_a}", json={field: None}).status_code == 403, field
    stored = await _stored(session, ids.graduate_a)
    assert (
        stored.cohort,
        str(stored.graduation_date),
        stored.major_code,
        stored.student_number,
        stored.gender,
        stored.education,
        stored.kind,
        stored.school_id,
    ) == (2025, "2025-06-30", "660301", "0012025001", "male", "secondary_vocational", "graduate", ids.school_a)
    assert stored.skills == []
    same = me.patch(
        f"/graduates/{ids.graduate_a}",
        json={"cohort": 2025, "school_id": ids.school_a, "gender": "male", "skills": ["数控车床"]},
    )
    assert same.status_code == 200, same.text
    assert (await _stored(session, ids.graduate_a)).skills == ["数控车床"]


async def test_staff_changes_to_roster_fields_are_audited(client_as: Clients, ids: Ids, session: AsyncSession) -> None:
    """School staff may correct the roster fields; each such change is in the audit log (who, which
    graduate, which fields — never the values), and a change of other fields adds no such event."""
    staff = client_as(Role.SCHOOL, school_id=ids.school_a)
    changed = staff.patch(
        f"/graduates/{ids.graduate_a}", json={"cohort": 2026, "graduation_date": "2026-06-30", "skills": ["数控车床"]}
    )
    assert changed.status_code == 200, changed.text
    assert staff.patch(f"/graduates/{ids.graduate_a}", json={"skills": ["钳工"]}).status_code == 200
    await session.rollback()
    events = (
        (
            await session.execute(
                select(AuditEvent).where(
                    AuditEvent.action == AuditAction.UPDATE, AuditEvent.graduate_id == ids.graduate_a
                )
            )
        )
        .scalars()
        .all()
    )
    assert [(e.actor_role, e.object_type, e.detail) for e in events] == [
        (Role.SCHOOL, "graduate", {"roster_fields": ["graduation_date", "cohort"]})
    ]
    assert "2026" not in str(events[0].detail) and events[0].method == "PATCH"
    audit = staff.get("/audit", params={"graduate_id": ids.graduate_a, "action": "update"}).json()
    assert audit["total"] == 1


@pytest.mark.parametrize("day", ["1949-12-31", "2101-01-01", "2999-06-30"])
def test_graduation_date_is_bounded_like_cohorts(client_as: Clients, ids: Ids, day: str) -> None:
    """A graduation date outside 1950–2100 (the cohort's range) is refused on create and update,
    naming the field; it cannot carry the derived cohort out of range either."""
    staff = client_as(Role.SCHOOL, school_id=ids.school_a)
    created = staff.post("/graduates", json={"name": "新同学", "school_id": ids.school_a, "graduation_date": day})
    assert created.status_code == 422, created.text
    assert created.json()["errors"][0]["field"] == "graduation_date"
    patched = staff.patch(f"/graduates/{ids.graduate_a2}", json={"graduation_date": day})
    assert patched.status_code == 422 and patched.json()["errors"][0]["field"] == "graduation_date"
    assert staff.get(f"/graduates/{ids.graduate_a2}").json()["cohort"] == 2025
