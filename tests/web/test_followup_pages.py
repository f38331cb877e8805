"""The follow-up pages over real HTTP on SQLite and PostgreSQL: the list's flags change as records
arrive and are reviewed, scoping (another school's staff get nothing), the export's columns and
injection safety, reminders reach only the selected graduates, and a survey record with its
evidence lands in the history and the audit log."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.catalog.models import Major
from service.destinations.models import (
    DestinationCategory,
    DestinationEvent,
    DestinationEventKind,
    DestinationSource,
)
from service.graduates.models import Graduate
from service.notifications.models import Notification
from service.privacy.models import AuditAction, AuditEvent
from tests.web.conftest import World, sign_in, text_of

ID_NUMBER = "11010519491231002X"  # the GB 11643-1999 example number


def _row(html: str, graduate_id: int) -> str | None:
    """The ``<tr>`` of ``graduate_id`` on the follow-up list, or ``None``."""
    found = re.search(rf'<tr data-graduate-id="{graduate_id}".*?</tr>', html, re.S)
    return found.group(0) if found else None


def _flags(web: httpx.Client, graduate_id: int, cohort: int = 2025) -> set[str]:
    page = web.get("/web/follow-up", params={"cohort": cohort})
    assert page.status_code == 200, page.text
    row = _row(page.text, graduate_id)
    assert row is not None, f"graduate {graduate_id} not listed"
    return set(re.search(r'data-flags="([^"]*)"', row).group(1).split())


def _category(web: httpx.Client, graduate_id: int) -> str:
    row = _row(web.get("/web/follow-up", params={"cohort": 2025}).text, graduate_id)
    assert row is not None
    cell = re.search(r'<td class="category"><span class="destination">(.*?)</span>', row, re.S)
    assert cell is not None
    return text_of(cell.group(1)).strip()


def _provenance(web: httpx.Client, graduate_id: int) -> str:
    """The line under the destination: who recorded it and whether the graduate confirmed it."""
    row = _row(web.get("/web/follow-up", params={"cohort": 2025}).text, graduate_id)
    assert row is not None
    cell = re.search(r'<span class="meta provenance">(.*?)</span>', row, re.S)
    return text_of(cell.group(1)).strip() if cell else ""


def _as(web: httpx.Client, world: World, account: str) -> str:
    web.cookies.clear()
    sign_in(web, world.logins[account])
    return web.cookies["vocmatch_csrf"]


async def _events(session: AsyncSession, graduate_id: int) -> list[DestinationEvent]:
    session.expire_all()
    return list(
        (
            await session.execute(
                select(DestinationEvent)
                .where(DestinationEvent.graduate_id == graduate_id)
                .order_by(DestinationEvent.id)
            )
        ).scalars()
    )


async def test_flags_change_as_records_arrive_and_are_reviewed(
    web: httpx.Client, world: World, session: AsyncSession
) -> None:
    g = world.ids["graduate_a"]
    day = (dt.date.today() - dt.timedelta(days=10)).isoformat()
    token = _as(web, world, "school_a")
    assert _flags(web, g) == {"unknown"}
    # the school's survey: seeking work, evidence "other" described in the note
    r = web.post(
        f"/web/follow-up/{g}",
        data={"_csrf_token": token, "category": "seeking", "occurred_on": day, "evidence": "other", "note": "电话回访"},
    )
    assert r.status_code == 303, r.text
    assert _flags(web, g) == set() and _category(web, g) == "待就业"
    # the graduate reports a labour contract from the same day: flagged; the survey still wins that day
    token = _as(web, world, "graduate_a")
    r = web.post(
        "/web/destination",
        data={
            "_csrf_token": token,
            "category": "labour_contract",
            "employer_name": "广州数控设备有限公司",
            "occurred_on": day,
        },
    )
    assert r.status_code == 303, r.text
    token = _as(web, world, "school_a")
    assert _flags(web, g) == {"self_report"} and _category(web, g) == "待就业"
    queue = web.get("/web/follow-up/review")
    self_report = (await _events(session, g))[-1]
    assert f'data-event-id="{self_report.id}" data-about="self_report"' in queue.text
    # refusing needs a reason: nothing stored without one
    r = web.post(f"/web/follow-up/review/{self_report.id}", data={"_csrf_token": token, "decision": "refuse"})
    assert r.status_code == 422 and f'id="reason-{self_report.id}-error"' in r.text
    assert len(await _events(session, g)) == 2
    # accepted: the flag goes, the destination changes to the report, recorded by the school
    r = web.post(
        f"/web/follow-up/review/{self_report.id}",
        data={"_csrf_token": token, "decision": "accept", "reason": "已核对劳动合同"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/web/follow-up/review?done=accept"
    assert _flags(web, g) == set()
    assert _category(web, g).startswith("签劳动合同形式就业")
    row = text_of(_row(web.get("/web/follow-up", params={"cohort": 2025}).text, g) or "")
    assert "学校" in row and "学校已核实" in row
    accepted = (await _events(session, g))[-1]
    assert (accepted.kind, accepted.source, accepted.refers_to_id) == (
        DestinationEventKind.OUTCOME,
        DestinationSource.SCHOOL_SURVEY,
        self_report.id,
    )
    assert "review-empty" in web.get("/web/follow-up/review").text
    # the graduate was told, with the reason
    graduate_user = (await session.execute(select(User.id).where(User.graduate_id == g))).scalar_one()
    told = (await session.execute(select(Notification).where(Notification.user_id == graduate_user))).scalars().all()
    assert [(n.kind, n.params["decision"], n.params["reason"]) for n in told] == [
        ("destination_review_decided", "accepted", "已核对劳动合同")
    ]
    # the graduate disputes it: flagged, it stops counting (precedence: the survey counts again)
    token = _as(web, world, "graduate_a")
    r = web.post(f"/web/destination/{accepted.id}/dispute", data={"_csrf_token": token, "reason": "我已离职"})
    assert r.status_code == 303
    token = _as(web, world, "school_a")
    assert _flags(web, g) == {"disputed"} and _category(web, g) == "待就业"
    # the school keeps the record (refuses the objection): it counts again, verified
    r = web.post(
        f"/web/follow-up/review/{accepted.id}",
        data={"_csrf_token": token, "decision": "refuse", "reason": "社保记录显示仍在职"},
    )
    assert r.status_code == 303
    assert _flags(web, g) == set() and _category(web, g).startswith("签劳动合同形式就业")
    audit = (
        await session.execute(
            select(AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.graduate_id == g, AuditEvent.action == AuditAction.REVIEW)
            .order_by(AuditEvent.id)
        )
    ).all()
    assert [(a, d["decision"], d["about"]) for a, d in audit] == [
        (AuditAction.REVIEW, "accepted", "self_report"),
        (AuditAction.REVIEW, "refused", "dispute"),
    ]
    # a refused self-report stops counting; an employer's hire awaits the graduate's confirmation
    session.add(
        DestinationEvent(
            graduate_id=g,
            occurred_on=dt.date.today(),
            source=DestinationSource.PLATFORM_HIRE,
            kind=DestinationEventKind.OUTCOME,
            category=DestinationCategory.OTHER_EMPLOYMENT,
            employer_name="广州数控设备有限公司",
        )
    )
    await session.commit()
    assert _flags(web, g) == {"employer_unconfirmed"}
    assert (
        "employer_unconfirmed"
        in web.get("/web/follow-up", params={"cohort": 2025, "flag": "employer_unconfirmed"}).text
    )
    assert _row(web.get("/web/follow-up", params={"cohort": 2025, "flag": "unknown"}).text, g) is None


async def test_refused_self_report_stops_counting(web: httpx.Client, world: World, session: AsyncSession) -> None:
    g = world.ids["graduate_a"]
    token = _as(web, world, "graduate_a")
    web.post(
        "/web/destination",
        data={"_csrf_token": token, "category": "further_study", "occurred_on": dt.date.today().isoformat()},
    )
    token = _as(web, world, "school_a")
    assert _flags(web, g) == {"self_report"} and _category(web, g) == "升学"
    assert _provenance(web, g) == "登记方：毕业生 · 毕业生自报"
    report = (await _events(session, g))[-1]
    r = web.post(
        f"/web/follow-up/review/{report.id}",
        data={"_csrf_token": token, "decision": "refuse", "reason": "未收到录取通知书"},
    )
    assert r.status_code == 303
    assert _flags(web, g) == {"unknown"}
    # the graduate is told, and their page says the school refused it, with the reason
    graduate_user = (await session.execute(select(User.id).where(User.graduate_id == g))).scalar_one()
    told = (await session.execute(select(Notification.params).where(Notification.user_id == graduate_user))).scalars()
    assert list(told) == [{"decision": "refused", "reason": "未收到录取通知书"}]
    _as(web, world, "graduate_a")
    assert "审核不通过：未收到录取通知书" in text_of(web.get("/web/destination").text)
    token = _as(web, world, "school_a")
    # deciding twice is a conflict
    again = web.post(f"/web/follow-up/review/{report.id}", data={"_csrf_token": token, "decision": "accept"})
    assert again.status_code == 409


async def test_another_schools_staff_get_nothing(web: httpx.Client, world: World, session: AsyncSession) -> None:
    a = world.ids["graduate_a"]
    session.add(
        DestinationEvent(
            graduate_id=a,
            occurred_on=dt.date.today(),
            source=DestinationSource.SELF_REPORT,
            kind=DestinationEventKind.OUTCOME,
            category=DestinationCategory.FURTHER_STUDY,
        )
    )
    await session.commit()
    report = (await _events(session, a))[-1]
    token = _as(web, world, "school_b")
    page = web.get("/web/follow-up", params={"cohort": 2025})
    assert page.status_code == 200 and "陈小明" not in page.text and "13800138000" not in page.text
    assert _row(page.text, world.ids["graduate_b"]) is not None
    export = web.get("/web/follow-up/export", params={"cohort": 2025, "format": "csv"})
    assert "陈小明" not in export.content.decode("utf-8-sig")
    assert web.get(f"/web/follow-up/{a}").status_code == 404
    assert (
        web.post(
            f"/web/follow-up/{a}",
            data={
                "_csrf_token": token,
                "category": "seeking",
                "evidence": "other",
                "note": "x",
                "occurred_on": "2025-07-01",
            },
        ).status_code
        == 404
    )
    assert "陈小明" not in web.get("/web/follow-up/review").text
    assert (
        web.post(f"/web/follow-up/review/{report.id}", data={"_csrf_token": token, "decision": "accept"}).status_code
        == 404
    )
    assert web.post("/web/follow-up/remind", data={"_csrf_token": token, "graduate_id": str(a)}).status_code == 404
    assert len(await _events(session, a)) == 1
    assert (await session.execute(select(Notification))).scalars().all() == []
    # the department of 广州 sees school A's graduate but no phone number; graduates and employers nothing
    _as(web, world, "department_a")
    page = web.get("/web/follow-up", params={"cohort": 2025})
    assert _row(page.text, a) is not None and "13800138000" not in page.text
    assert _row(page.text, world.ids["graduate_b"]) is None
    assert web.get("/web/follow-up/review").status_code == 403
    for account in ("graduate_a", "employer_a"):
        _as(web, world, account)
        assert web.get("/web/follow-up").status_code == 403
        assert web.get("/web/follow-up/export").status_code == 403


HOSTILE = '=HYPERLINK("http://evil.example","x")'


async def test_export_columns_and_injection_safety(web: httpx.Client, world: World, session: AsyncSession) -> None:
    a = world.ids["graduate_a"]
    await session.execute(
        update(Graduate)
        .where(Graduate.id == a)
        .values(name=HOSTILE, class_name="@SUM(1+1)", student_number="+2025001", id_number=ID_NUMBER)
    )
    await session.commit()
    _as(web, world, "school_a")
    r = web.get("/web/follow-up/export", params={"cohort": 2025, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "学号",
        "姓名",
        "班级",
        "专业代码",
        "专业",
        "届别",
        "联系电话",
        "身份证号(后4位)",
        "账号已激活",
        "毕业去向",
        "单位",
        "登记方",
        "确认状态",
        "距上次更新(天)",
        "待办标记",
    ]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["姓名"] == "'" + HOSTILE and row["班级"] == "'@SUM(1+1)" and row["学号"] == "'+2025001"
    assert row["联系电话"] == "13800138000" and row["账号已激活"] == "是"
    assert row["身份证号(后4位)"] == "*" * 14 + "002X" and ID_NUMBER not in r.text and "110105" not in r.text
    assert row["毕业去向"] == "去向未知" and row["待办标记"] == "去向未知"
    x = web.get("/web/follow-up/export", params={"cohort": 2025, "format": "xlsx"})
    assert x.status_code == 200
    ws = load_workbook(io.BytesIO(x.content)).active
    header = [c.value for c in ws[1]]
    name = ws.cell(row=2, column=header.index("姓名") + 1)
    assert name.value == HOSTILE and name.data_type == "s" and name.quotePrefix
    assert ws.cell(row=2, column=header.index("联系电话") + 1).value == "13800138000"
    exported = (
        (
            await session.execute(
                select(AuditEvent.graduate_id).where(
                    AuditEvent.action == AuditAction.EXPORT, AuditEvent.object_type == "follow_up_export"
                )
            )
        )
        .scalars()
        .all()
    )
    assert exported == [a, a]
    # the department's export has no phone column at all
    _as(web, world, "department_a")
    rows = list(
        csv.reader(
            io.StringIO(
                web.get("/web/follow-up/export", params={"cohort": 2025, "format": "csv"}).content.decode("utf-8-sig")
            )
        )
    )
    assert "联系电话" not in rows[0] and "13800138000" not in str(rows)


async def test_reminder_reaches_only_the_selected_graduates(
    web: httpx.Client, world: World, session: AsyncSession
) -> None:
    school = world.ids["school_a"]
    others = [Graduate(name=f"同学{i}", school_id=school, cohort=2025, student_number=f"20250{i}") for i in range(3)]
    session.add_all(others)
    await session.flush()
    users = [
        User(role=Role.GRADUATE, email=f"g{i}@example.cn", graduate_id=g.id, password_hash="x")
        for i, g in enumerate(others[:2])
    ]  # others[2] has no account
    session.add_all(users)
    await session.commit()
    ids = [g.id for g in others]
    user0 = users[0].id
    token = _as(web, world, "school_a")
    r = web.post(
        "/web/follow-up/remind",
        data={
            "_csrf_token": token,
            "back": "cohort=2025",
            "graduate_id": [str(world.ids["graduate_a"]), str(ids[0]), str(ids[2])],
            "message": "请本周内登录填报",
        },
    )
    assert r.status_code == 303 and "reminded=2" in r.headers["location"] and "no_account=1" in r.headers["location"]
    session.expire_all()
    told = (await session.execute(select(Notification.user_id, Notification.kind, Notification.params))).all()
    a_user = (await session.execute(select(User.id).where(User.graduate_id == world.ids["graduate_a"]))).scalar_one()
    assert sorted(u for u, _, _ in told) == sorted([a_user, user0])
    assert {k for _, k, _ in told} == {"follow_up_reminder"}
    assert all(p == {"school_name": "广州市机电技师学校", "message": "请本周内登录填报"} for _, _, p in told)
    page = web.get(r.headers["location"])
    assert 'id="reminded"' in page.text
    # nothing selected: refused; the department cannot send reminders
    assert web.post("/web/follow-up/remind", data={"_csrf_token": token}).status_code == 422
    token = _as(web, world, "department_a")
    assert web.post("/web/follow-up/remind", data={"_csrf_token": token, "graduate_id": str(ids[1])}).status_code == 403


async def test_survey_record_with_evidence_in_history_and_audit(
    web: httpx.Client, world: World, session: AsyncSession
) -> None:
    g = world.ids["graduate_a"]
    token = _as(web, world, "school_a")
    form = web.get(f"/web/follow-up/{g}")
    assert form.status_code == 200 and 'id="survey-form"' in form.text
    # evidence and date are required; nothing stored without them
    bad = web.post(f"/web/follow-up/{g}", data={"_csrf_token": token, "category": "military", "occurred_on": ""})
    assert bad.status_code == 422 and 'id="evidence-error"' in bad.text and 'id="occurred_on-error"' in bad.text
    assert await _events(session, g) == []
    r = web.post(
        f"/web/follow-up/{g}",
        data={"_csrf_token": token, "category": "military", "occurred_on": "2025-09-01", "evidence": "military_notice"},
    )
    assert r.status_code == 303 and r.headers["location"] == f"/web/follow-up/{g}?saved=1"
    [event] = await _events(session, g)
    assert (event.source, event.category, event.evidence.value, event.occurred_on) == (
        DestinationSource.SCHOOL_SURVEY,
        DestinationCategory.MILITARY,
        "military_notice",
        dt.date(2025, 9, 1),
    )
    history = web.get(f"/web/follow-up/{g}?saved=1")
    item = re.search(rf'data-event-id="{event.id}".*?</li>', history.text, re.S).group(0)
    assert "入伍通知书" in item and "学校调查" in text_of(item) and "2025-09-01" in item
    audit = (
        (
            await session.execute(
                select(AuditEvent).where(
                    AuditEvent.object_type == "destination_event", AuditEvent.object_id == str(event.id)
                )
            )
        )
        .scalars()
        .all()
    )
    assert [(e.action, e.detail["source"], e.detail["evidence"]) for e in audit] == [
        (AuditAction.CREATE, "school_survey", "military_notice")
    ]
    # the same record through the API carries the evidence too
    api = web.get(f"/graduates/{g}/destinations")
    assert api.status_code == 200 and api.json()["events"][0]["evidence"] == "military_notice"


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
async def test_pages_in_both_languages(web: httpx.Client, world: World, lang: str) -> None:
    _as(web, world, "school_a")
    page = web.get("/web/follow-up", params={"cohort": 2025, "lang": lang})
    assert page.status_code == 200
    text = text_of(page.text)
    if lang == "en":
        assert "Follow-up list" in text and "Destination unknown" in text
    else:
        assert "毕业去向跟踪" in text and "去向未知" in text and "Follow-up list" not in text
    review = text_of(web.get("/web/follow-up/review").text)
    assert ("Review queue" in review) if lang == "en" else ("待审核" in review)


async def test_filter_sort_and_page(web: httpx.Client, world: World, session: AsyncSession) -> None:
    school = world.ids["school_a"]
    session.add(Major(code="660103", name="数控技术应用", category="装备制造大类"))
    await session.flush()
    many = [
        Graduate(
            name=f"学生{i:02d}",
            school_id=school,
            cohort=2025,
            student_number=f"S{i:03d}",
            class_name="数控1班" if i % 2 else "数控2班",
            major_code="660103" if i < 10 else None,
        )
        for i in range(60)
    ]
    session.add_all(many)
    await session.commit()
    _as(web, world, "school_a")

    def ids(**params: Any) -> list[int]:
        html = web.get("/web/follow-up", params={"cohort": 2025, **params}).text
        return [int(i) for i in re.findall(r'<tr data-graduate-id="(\d+)"', html)]

    first, second = ids(sort="student_number"), ids(sort="student_number", page=2)
    assert len(first) == 50 and len(second) == 11 and not set(first) & set(second)  # 61 graduates: 50 + 11
    by_number = sorted(many, key=lambda g: g.student_number or "")
    assert first[:4] == [world.ids["graduate_a"]] + [g.id for g in by_number[:3]]  # no student number: first
    assert set(ids(class_name="数控1班")) == {g.id for g in many if g.class_name == "数控1班"}
    assert set(ids(major="660103")) == {g.id for g in many[:10]}
    assert set(ids(q="学生07")) == {many[7].id}
    assert set(ids(flag="self_report")) == set()
    assert web.get("/web/follow-up", params={"cohort": 2025, "flag": "nonsense"}).status_code == 422
    assert web.get("/web/follow-up", params={"cohort": 2025, "sort": "salary"}).status_code == 400
