"""Internship placements (顶岗实习) over real HTTP on both databases: the school records a placement,
the employer confirms it, the student sees it (API and page) and everyone is notified; another
school can neither see nor record; the agreement must be a PDF by content; counts and the share
of a cohort placed; and no employment figure changes because of internships."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.auth.guards import Principal
from service.employers.models import Employer
from service.internships.service import InternshipService
from service.internships.storage import SUBDIR
from service.notifications.models import Notification
from tests.internships.conftest import PDF, World


def _placement(w: World, student: str = "student_0", employer: str = "employer_1", **extra: Any) -> dict[str, Any]:
    return {
        "graduate_id": w.ids[student],
        "employer_id": w.ids[employer],
        "start_date": "2026-09-01",
        "end_date": "2027-06-30",
        "supervisor_name": "王老师",
        "insured": True,
        "insurer": "中国人寿财产保险",
        "policy_number": "PICC-2026-001",
        **extra,
    }


async def _notified(session: AsyncSession, user_id: int, kind: str) -> list[Notification]:
    await session.rollback()
    return list(
        (
            await session.execute(
                select(Notification).where(Notification.user_id == user_id, Notification.kind == kind)
            )
        ).scalars()
    )


async def test_placement_recorded_confirmed_by_the_employer_and_seen_by_the_student(
    live: World, session: AsyncSession
) -> None:
    w = live
    staff = w.api("staff_a")
    created = staff.post("/internships", json=_placement(w, posting_id=w.ids["posting_1"]))
    assert created.status_code == 201, created.text
    placement = created.json()
    assert placement["status"] == "pending" and placement["employer_name"] == "广州数控设备有限公司"
    assert placement["posting_title"] == "数控车床实习生" and placement["insured"] is True
    ident = placement["id"]
    # the employer is asked to confirm, the student told; neither notification names the other party's data
    to_confirm = await _notified(session, w.users["employer_1"], "internship_to_confirm")
    assert len(to_confirm) == 1 and to_confirm[0].link == "/web/internships"
    assert to_confirm[0].params == {
        "school_name": "广州市机电技师学校",
        "start_date": "2026-09-01",
        "end_date": "2027-06-30",
    }
    assert len(await _notified(session, w.users["student_0"], "internship_recorded")) == 1
    assert await _notified(session, w.users["employer_2"], "internship_to_confirm") == []

    employer = w.api("employer_1")
    listed = employer.get("/internships").json()
    assert [i["id"] for i in listed["items"]] == [ident] and listed["items"][0]["student_name"] == "在校生0"
    assert w.api("employer_2").post(f"/internships/{ident}/confirm").status_code == 404  # not theirs: not seen
    assert w.api("student_0").post(f"/internships/{ident}/confirm").status_code == 403
    confirmed = employer.post(f"/internships/{ident}/confirm")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed", confirmed.text
    assert employer.post(f"/internships/{ident}/confirm").status_code == 409
    assert len(await _notified(session, w.users["student_0"], "internship_confirmed")) == 1

    mine = w.api("student_0").get("/internships").json()
    assert [(i["id"], i["status"]) for i in mine["items"]] == [(ident, "confirmed")]
    assert w.api("student_1").get("/internships").json()["items"] == []
    assert w.api("student_1").get(f"/internships/{ident}").status_code == 404
    page = w.browser("student_0").get("/web/internships", params={"lang": "en"})
    assert page.status_code == 200 and f'data-internship-id="{ident}"' in page.text
    assert "广州数控设备有限公司" in page.text and "Confirmed by the employer" in page.text
    zh = w.browser("student_0").get("/web/internships", params={"lang": "zh_Hans"})
    assert "单位已确认" in zh.text


def test_the_employer_confirms_on_the_web(live: World) -> None:
    w = live
    ident = w.api("staff_a").post("/internships", json=_placement(w)).json()["id"]
    browser = w.browser("employer_1")
    page = browser.get("/web/internships")
    assert page.status_code == 200 and f'action="/web/internships/{ident}/confirm"' in page.text
    token = _csrf_of(browser)
    done = browser.post(f"/web/internships/{ident}/confirm", data={"_csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/web/internships?saved=confirmed", done.text
    assert w.api("student_0").get(f"/internships/{ident}").json()["status"] == "confirmed"


def _csrf_of(browser: Any) -> str:
    browser.cookies.delete("vocmatch_csrf")
    browser.get("/web/sign-in")
    return browser.cookies["vocmatch_csrf"]


def test_another_school_can_neither_see_nor_record(live: World) -> None:
    w = live
    ident = w.api("staff_a").post("/internships", json=_placement(w)).json()["id"]
    staff_b = w.api("staff_b")
    assert staff_b.post("/internships", json=_placement(w)).status_code == 404  # A's student: not visible to B
    assert staff_b.get(f"/internships/{ident}").status_code == 404
    assert staff_b.get(f"/internships/{ident}/agreement").status_code == 404
    assert staff_b.get("/internships").json()["total"] == 0
    assert staff_b.get("/internships/counts", params={"cohort": 2027}).json()["placed"] == 0
    # the department of A's region reads (never records); the other region's sees nothing
    assert w.api("department_gz").get(f"/internships/{ident}").status_code == 200
    assert w.api("department_gz").post("/internships", json=_placement(w)).status_code == 403
    assert w.api("department_nn").get(f"/internships/{ident}").status_code == 404
    # B's staff record for their own student only
    own = staff_b.post("/internships", json=_placement(w, student="student_b"))
    assert own.status_code == 201, own.text
    assert w.api("staff_a").get(f"/internships/{own.json()['id']}").status_code == 404
    assert (
        staff_b.post(f"/internships/{ident}/agreement", files={"data": ("a.pdf", PDF, "application/pdf")}).status_code
        == 404
    )


def test_bad_placements_are_refused_with_the_field_named(live: World) -> None:
    w = live
    staff = w.api("staff_a")
    for body, field in (
        (_placement(w, end_date="2026-08-01"), "end_date"),
        (_placement(w, insurer=None), "insurer"),
        (_placement(w, posting_id=w.ids["posting_2"]), "posting_id"),
        (_placement(w, employer_id=999999), "employer_id"),
    ):
        refused = staff.post("/internships", json=body)
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["field"] == field
    assert staff.get("/internships").json()["total"] == 0


def test_agreement_must_be_a_pdf_by_content(live: World) -> None:
    w = live
    staff = w.api("staff_a")
    ident = staff.post("/internships", json=_placement(w)).json()["id"]
    word = b"PK\x03\x04\x14\x00\x06\x00" + b"word/document.xml" * 20  # a .docx renamed to .pdf
    refused = staff.post(f"/internships/{ident}/agreement", files={"data": ("三方协议.pdf", word, "application/pdf")})
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["errors"][0]["field"] == "agreement"
    assert "三方协议.pdf" in problem["detail"] and "not a PDF" in problem["detail"] and "zip" in problem["detail"]
    folder = Path(w.settings.attachment_dir) / SUBDIR
    assert not folder.exists() or not any(folder.iterdir())  # nothing stored
    assert staff.get(f"/internships/{ident}").json()["agreement"] is False
    assert (
        staff.post(f"/internships/{ident}/agreement", files={"data": ("empty.pdf", b"", "application/pdf")}).status_code
        == 422
    )
    stored = staff.post(f"/internships/{ident}/agreement", files={"data": ("三方协议.pdf", PDF, "application/pdf")})
    assert stored.status_code == 200 and stored.json()["agreement"] is True, stored.text
    assert [p.read_bytes() for p in folder.iterdir()] == [PDF]  # outside the database, under the setting
    download = w.api("student_0").get(f"/internships/{ident}/agreement")
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"].startswith("application/pdf")
    assert w.api("employer_2").get(f"/internships/{ident}/agreement").status_code == 404


def test_web_form_records_and_refuses_a_renamed_file(live: World) -> None:
    w = live
    browser = w.browser("staff_a")
    token = _csrf_of(browser)
    form = {
        "student_number": "A27001",
        "employer_name": "广州数控设备有限公司",
        "start_date": "2026-09-01",
        "end_date": "2027-06-30",
        "supervisor_name": "李老师",
        "insured": "1",
        "insurer": "平安保险",
    }
    headers = {"X-CSRF-Token": token}
    bad = browser.post(
        "/web/internships/new",
        data=form,
        headers=headers,
        params={"lang": "en"},
        files={"agreement": ("agreement.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 50, "application/pdf")},
    )
    assert bad.status_code == 422 and "agreement.pdf is not a PDF by its content" in bad.text
    assert w.api("staff_a").get("/internships").json()["total"] == 0  # nothing stored
    no_file = {"agreement": ("", b"", "application/octet-stream")}  # what a browser sends with no file chosen
    unknown = browser.post(
        "/web/internships/new",
        data={**form, "student_number": "B27001"},
        headers=headers,
        files=no_file,
        params={"lang": "en"},
    )
    assert unknown.status_code == 422 and w.api("staff_a").get("/internships").json()["total"] == 0
    assert "No student of your school has this student number." in unknown.text
    early = browser.post(
        "/web/internships/new", data={**form, "end_date": "2026-08-01"}, headers=headers, files=no_file
    )
    assert early.status_code == 422 and 'id="end_date-error"' in early.text
    ok = browser.post(
        "/web/internships/new",
        data=form,
        headers=headers,
        follow_redirects=False,
        files={"agreement": ("agreement.pdf", PDF, "application/pdf")},
    )
    assert ok.status_code == 303, ok.text
    items = w.api("staff_a").get("/internships").json()["items"]
    assert [(i["student_name"], i["agreement"], i["insurer"]) for i in items] == [("在校生1", True, "平安保险")]


def test_counts_by_school_major_employer_and_the_share_placed(live: World) -> None:
    w = live
    staff = w.api("staff_a")
    for student, employer in (("student_0", "employer_1"), ("student_1", "employer_1"), ("student_3", "employer_2")):
        assert staff.post("/internships", json=_placement(w, student, employer)).status_code == 201
    # a second placement of the same student counts as a placement, not as a second student
    assert (
        staff.post("/internships", json=_placement(w, "student_0", "employer_2", start_date="2027-03-01")).status_code
        == 201
    )
    w.api("employer_1").post(f"/internships/{staff.get('/internships').json()['items'][-1]['id']}/confirm")
    counts = staff.get("/internships/counts", params={"cohort": 2027}).json()
    assert (counts["students"], counts["placed"], counts["share_placed"]) == (4, 3, 0.75)
    assert [(r["name"], r["placements"], r["students"]) for r in counts["by_school"]] == [("广州市机电技师学校", 4, 3)]
    assert sorted((r["key"], r["placements"], r["students"]) for r in counts["by_major"]) == [
        ("660103", 3, 2),
        ("710102", 1, 1),
    ]
    by_employer = {r["name"]: (r["placements"], r["students"], r["confirmed"]) for r in counts["by_employer"]}
    assert by_employer == {"广州数控设备有限公司": (2, 2, 1), "广州软件园有限公司": (2, 2, 0)}
    assert staff.get("/internships/counts", params={"cohort": 2026}).json()["share_placed"] == 0.0
    # the department sees the same for its region; graduates and employers get no counts
    assert w.api("department_gz").get("/internships/counts", params={"cohort": 2027}).json()["placed"] == 3
    assert w.api("employer_1").get("/internships/counts").status_code == 403
    page = w.browser("staff_a").get("/web/internships", params={"cohort": "2027", "lang": "en"})
    assert page.status_code == 200 and 'id="share-placed">75.0%' in page.text


def test_internships_never_count_as_employment(live: World) -> None:
    """The report of the 2026 cohort (a graduate employed, one placed in an internship before and
    one after graduating) is the same, number for number, before and after the placements."""
    w = live
    admin = w.api("admin")
    outcome = admin.post(
        f"/graduates/{w.ids['graduated_1']}/destinations",
        json={
            "occurred_on": "2026-07-01",
            "source": "school_survey",
            "category": "labour_contract",
            "employer_name": "某公司",
        },
    )
    assert outcome.status_code == 201, outcome.text
    params: dict[str, Any] = {
        "scope": "school:4144010001",
        "as_of": "2026-09-01",
        "cohort": 2026,
        "threshold": 1,
        "recorded_before": "2030-01-01T00:00:00+00:00",
    }
    before = admin.get("/reports", params=params)
    assert before.status_code == 200, before.text
    total = before.json()["breakdowns"]["total"][0]["counts"]
    assert total["employed"] == 1
    staff = w.api("staff_a")
    for student, start, end in (
        ("graduated_0", "2025-09-01", "2026-06-30"),
        ("graduated_0", "2026-07-01", "2026-12-31"),
        ("graduated_1", "2026-07-01", "2026-08-31"),
    ):
        ident = staff.post("/internships", json=_placement(w, student, start_date=start, end_date=end)).json()["id"]
        assert w.api("employer_1").post(f"/internships/{ident}/confirm").status_code == 200
    after = admin.get("/reports", params=params)
    assert after.json() == before.json()
    assert w.api("admin").get(f"/graduates/{w.ids['graduated_0']}/destinations").json()["current"] is None


async def test_erasing_a_student_erases_the_agreement_file(live: World, session: AsyncSession) -> None:
    """The signed agreement identifies the student: erasing their personal data deletes the file and
    forgets it; the placement (school, employer, period) stays, so the counts do not change."""
    w = live
    staff = w.api("staff_a")
    ident = staff.post("/internships", json=_placement(w)).json()["id"]
    assert (
        staff.post(f"/internships/{ident}/agreement", files={"data": ("a.pdf", PDF, "application/pdf")}).status_code
        == 200
    )
    folder = Path(w.settings.attachment_dir) / SUBDIR
    assert len(list(folder.iterdir())) == 1
    erased = w.api("admin").delete(f"/graduates/{w.ids['student_0']}")
    assert erased.status_code == 200, erased.text
    assert list(folder.iterdir()) == []
    after = w.api("admin").get(f"/internships/{ident}").json()
    assert after["agreement"] is False and after["agreement_filename"] is None
    assert w.api("admin").get(f"/internships/{ident}/agreement").status_code == 404
    assert staff.get("/internships/counts", params={"cohort": 2027}).json()["placed"] == 1


async def test_unverified_employers_get_no_placement_and_see_none(live: World, session: AsyncSession) -> None:
    """A placement goes to a verified employer only (an unchecked sign-up may carry a real company's
    name); an employer whose approval is withdrawn no longer sees its placements nor their agreements."""
    from sqlalchemy import update

    from service.employers.models import Employer

    w = live
    staff = w.api("staff_a")
    ident = staff.post("/internships", json=_placement(w)).json()["id"]
    assert (
        staff.post(f"/internships/{ident}/agreement", files={"data": ("a.pdf", PDF, "application/pdf")}).status_code
        == 200
    )
    assert w.api("employer_1").get("/internships").json()["total"] == 1
    await session.execute(update(Employer).where(Employer.id == w.ids["employer_1"]).values(verified=False))
    await session.commit()
    refused = staff.post("/internships", json=_placement(w, student="student_1"))
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "employer_id"
    employer = w.api("employer_1")
    assert employer.get("/internships").json()["total"] == 0
    assert employer.get(f"/internships/{ident}").status_code == 404
    assert employer.get(f"/internships/{ident}/agreement").status_code == 404


def test_a_replaced_agreement_leaves_no_file_behind(live: World) -> None:
    """Replacing the agreement deletes the earlier file once the replacement is stored, so no signed
    agreement outlives its row (an erasure deletes only the one the row names)."""
    w = live
    staff = w.api("staff_a")
    ident = staff.post("/internships", json=_placement(w)).json()["id"]
    folder = Path(w.settings.attachment_dir) / SUBDIR
    for _ in range(2):
        assert (
            staff.post(f"/internships/{ident}/agreement", files={"data": ("a.pdf", PDF, "application/pdf")}).status_code
            == 200
        )
    assert len(list(folder.iterdir())) == 1
    erased = w.api("admin").delete(f"/graduates/{w.ids['student_0']}")
    assert erased.status_code == 200, erased.text
    assert list(folder.iterdir()) == []


async def test_the_form_looks_up_students_and_employers_through_the_service(
    world: World, session: AsyncSession
) -> None:
    """The record page's lookups (the employer list, a 学号, an employer's name) are the domain
    service's, scoped to the actor: a school finds only its own students; namesakes give no guess."""
    staff_a = Principal(user_id=world.users["staff_a"], role=Role.SCHOOL, school_id=world.ids["school_a"])
    staff_b = Principal(user_id=world.users["staff_b"], role=Role.SCHOOL, school_id=world.ids["school_b"])
    service = InternshipService(session, staff_a)
    assert await service.employer_choices(10) == ["广州数控设备有限公司", "广州软件园有限公司"]
    assert await service.employer_choices(1) == ["广州数控设备有限公司"]
    assert await service.student_named(" A27001 ") == world.ids["student_1"]
    assert await service.student_named("B27001") is None  # another school's student
    assert await InternshipService(session, staff_b).student_named("B27001") == world.ids["student_b"]
    assert await service.employer_named(" 广州数控设备有限公司 ") == world.ids["employer_1"]
    session.add(Employer(name="广州数控设备有限公司", verified=True, region_code="440106"))
    await session.flush()
    assert await service.employer_named("广州数控设备有限公司") is None  # two namesakes: never a guess
    assert await service.employer_named("不存在的公司") is None
