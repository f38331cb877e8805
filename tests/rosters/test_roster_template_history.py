"""The roster template and the roster history, over real HTTP on both databases.

Template: the .xlsx has a note on every header, drop-downs for 性别 and the 358 catalogue majors
(on a hidden sheet), identifiers formatted as text, and a filled template imports unchanged with
the roster import. History: each stored upload lists who made it and exactly the graduates it
added or changed; a refused upload leaves none; another school sees none of it."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import msgspec
import pytest
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.cn import ric

from service.accounts.models import Role
from service.accounts.security import ACCESS_COOKIE
from service.catalog.majors import catalogue
from service.catalog.models import School
from service.catalog.reference import load_majors
from service.config import Settings
from service.graduates.models import Gender, Graduate
from service.rosters.template import COLUMNS, MAJORS_SHEET, ROSTER_SHEET
from tests.conftest import LiveServer, create_account
from tests.factories import guangdong_regions
from tests.harness import http_client

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def id_number(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, cookie_secure=False)


@dataclass
class Site:
    base_url: str
    tokens: dict[str, str]
    logins: dict[str, str]
    school_a: str = "4144010001"
    school_b: str = "4145010001"

    def api(self, who: str) -> httpx.Client:
        return http_client(base_url=self.base_url, timeout=120, headers={"Authorization": f"Bearer {self.tokens[who]}"})

    def browser(self, who: str) -> httpx.Client:
        return http_client(base_url=self.base_url, timeout=120, cookies={ACCESS_COOKIE: self.tokens[who]})


@pytest.fixture
async def site(session: AsyncSession, settings: Settings) -> AsyncIterator[Site]:
    session.add_all(guangdong_regions(guangxi=True))
    await session.flush()
    a = School(code="4144010001", name="广州市机电技师学校", region_code="440106")
    b = School(code="4145010001", name="南宁市第一职业技术学校", region_code="450100")
    session.add_all([a, b])
    await load_majors(session, catalogue(), overwrite=False)
    await session.commit()
    tokens, logins = {}, {}
    for who, role, scope in (
        ("staff_a", Role.SCHOOL, {"school_id": a.id}),
        ("staff_b", Role.SCHOOL, {"school_id": b.id}),
        ("department", Role.DEPARTMENT, {"region_code": "440100"}),
        ("graduate", Role.GRADUATE, {}),
    ):
        if role is Role.GRADUATE:
            continue
        logins[who] = f"{who}@school.test"
        _, tokens[who] = create_account(settings, role, email=logins[who], **scope)
    with LiveServer(settings) as live:
        yield Site(live.base_url, tokens, logins)


def _template(site: Site) -> bytes:
    with site.api("staff_a") as c:
        response = c.get("/rosters/template")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(XLSX)
    assert "roster-template.xlsx" in response.headers["content-disposition"]
    return response.content


def test_template_has_notes_drop_downs_and_the_catalogue(site: Site) -> None:
    book = load_workbook(io.BytesIO(_template(site)))
    sheet, lists = book[ROSTER_SHEET], book[MAJORS_SHEET]
    assert book.active.title == ROSTER_SHEET and lists.sheet_state == "hidden"
    names = [row[0] for row in lists.iter_rows(min_row=2, values_only=True)]
    assert len(names) == 358 and names == [m.name for m in catalogue()]  # the catalogue, in code order
    headers = [c.value for c in sheet[1]]
    # 班级 too: the follow-up list filters by it and invitation codes are handed out per class
    assert headers == ["学号", "姓名", "性别", "身份证号", "专业", "毕业时间", "联系电话", "届别", "困难群体", "班级"]
    for cell, column in zip(sheet[1], COLUMNS, strict=True):
        assert cell.comment is not None and column.zh in cell.comment.text and column.en in cell.comment.text
    validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
    gender, major = validations["C2:C5001"], validations["E2:E5001"]
    assert gender.type == "list" and gender.formula1 == '"男,女"' and gender.showErrorMessage
    assert major.type == "list" and major.formula1 == f"'{MAJORS_SHEET}'!$A$2:$A$359"
    for letter in ("A", "D", "G"):  # 学号, 身份证号, 联系电话 are text cells
        assert sheet[f"{letter}2"].number_format == "@" and sheet[f"{letter}5001"].number_format == "@"
    # staff only; the page offers the same file
    with site.browser("staff_a") as c:
        page = c.get("/web/roster/template")
        assert page.status_code == 200 and page.content[:2] == b"PK"


def test_a_filled_template_imports_with_the_roster_import(site: Site) -> None:
    book = load_workbook(io.BytesIO(_template(site)))
    sheet = book[ROSTER_SHEET]
    rows = [
        (
            "0012026001",
            "陈小明",
            "男",
            id_number("44010620080101731"),
            "数控技术应用",
            "2026-06-30",
            "13800138000",
            "2026",
            "否",
            "数控2301班",
        ),
        (
            "0012026002",
            "林芳",
            "女",
            id_number("44010620080202742"),
            "计算机应用",
            "2026-06",
            "",
            "2026届",
            "低保家庭",
            "",
        ),
        ("0012026003", "黄伟", "", "", "660103", "2026-06-30", "020-12345678", "", "", ""),
    ]
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            if value:
                sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    book.save(out)
    with site.api("staff_a") as staff:
        report = staff.post(f"/schools/{site.school_a}/rosters", files={"data": ("名册.xlsx", out.getvalue(), XLSX)})
    assert report.status_code == 201, report.text
    body = report.json()
    assert (body["rows_read"], body["created"], body["rejected"], body["sheet"]) == (3, 3, [], ROSTER_SHEET)


async def test_filled_template_rows_are_stored_as_written(site: Site, session: AsyncSession) -> None:
    test_a_filled_template_imports_with_the_roster_import(site)
    stored = (
        await session.execute(
            select(
                Graduate.student_number,
                Graduate.gender,
                Graduate.major_code,
                Graduate.graduation_date,
                Graduate.phone,
                Graduate.disadvantaged,
                Graduate.class_name,
            ).order_by(Graduate.student_number)
        )
    ).all()
    assert [tuple(s) for s in stored] == [
        ("0012026001", Gender.MALE, "660103", dt.date(2026, 6, 30), "13800138000", False, "数控2301班"),
        ("0012026002", Gender.FEMALE, "710201", dt.date(2026, 6, 30), None, True, None),
        ("0012026003", Gender.UNKNOWN, "660103", dt.date(2026, 6, 30), "02012345678", None, None),
    ]


def test_roster_page_has_the_column_help_in_both_languages(site: Site) -> None:
    with site.browser("staff_a") as c:
        zh = c.get("/web/roster", params={"lang": "zh_Hans"})
        en = c.get("/web/roster", params={"lang": "en"})
    assert zh.status_code == 200 and 'id="column-help"' in zh.text and 'href="/web/roster/template"' in zh.text
    for column in COLUMNS:
        assert str(escape(column.zh)) in zh.text and str(escape(column.en)) in en.text
    assert "名册可以包含的列" in zh.text and "The columns the roster may have" in en.text


def _upload(c: httpx.Client, code: str, *rows: str) -> httpx.Response:
    body = "\n".join(["学号,姓名,联系电话,毕业时间", *rows]).encode()
    return c.post(f"/schools/{code}/rosters", files={"data": ("roster.csv", body, "text/csv")})


def test_history_lists_the_graduates_each_upload_added_or_changed(site: Site) -> None:
    staff = site.api("staff_a")
    first = _upload(
        staff, site.school_a, "S001,甲,13800000001,2026-06-30", "S002,乙,,2026-06-30", "S003,丙,,2026-06-30"
    )
    assert first.status_code == 201, first.text
    refused = _upload(staff, site.school_a, "S004,丁,not-a-phone,2026-06-30")
    assert refused.status_code == 422 and refused.json()["upload_id"] is None
    second = _upload(
        staff, site.school_a, "S001,甲,13800000009,2026-06-30", "S002,乙,,2026-06-30", "S005,戊,,2026-06-30"
    )
    assert second.status_code == 201, second.text
    listed = staff.get(f"/schools/{site.school_a}/rosters/uploads").json()
    assert listed["total"] == 2  # the refused upload stored nothing, history included
    newest, oldest = listed["items"]
    assert (newest["id"], oldest["id"]) == (second.json()["upload_id"], first.json()["upload_id"])
    assert (newest["added"], newest["changed"], newest["unchanged"]) == (1, 1, 1)
    assert (oldest["added"], oldest["changed"]) == (3, 0)
    assert newest["actor_login"] == site.logins["staff_a"] and newest["actor_role"] == "school"
    detail = staff.get(f"/schools/{site.school_a}/rosters/uploads/{newest['id']}").json()
    assert [(g["student_number"], g["change"], g["fields"], g["row"]) for g in detail["graduates"]] == [
        ("S001", "changed", ["phone"], 2),
        ("S005", "added", [], 4),
    ]
    first_detail = staff.get(f"/schools/{site.school_a}/rosters/uploads/{oldest['id']}").json()
    assert [(g["name"], g["change"]) for g in first_detail["graduates"]] == [
        ("甲", "added"),
        ("乙", "added"),
        ("丙", "added"),
    ]
    # the department of the region reads it; another school sees none of it
    with site.api("department") as c:
        assert c.get(f"/schools/{site.school_a}/rosters/uploads").json()["total"] == 2
    with site.api("staff_b") as c:
        assert c.get(f"/schools/{site.school_a}/rosters/uploads").status_code == 404
        assert c.get(f"/schools/{site.school_a}/rosters/uploads/{newest['id']}").status_code == 404
        assert c.get(f"/schools/{site.school_b}/rosters/uploads/{newest['id']}").status_code == 404
        assert c.get(f"/schools/{site.school_b}/rosters/uploads").json()["total"] == 0
    with site.browser("staff_a") as c:
        page = c.get("/web/roster/history", params={"lang": "en"})
        assert page.status_code == 200 and f'data-upload-id="{newest["id"]}"' in page.text
        assert site.logins["staff_a"] in page.text
        one = c.get(f"/web/roster/history/{newest['id']}", params={"lang": "zh_Hans"})
        assert one.status_code == 200 and "甲" in one.text and "戊" in one.text and "丙" not in one.text
    with site.browser("staff_b") as c:
        assert c.get(f"/web/roster/history/{newest['id']}").status_code == 404
    staff.close()


def test_the_department_reads_its_regions_roster_history_with_a_school_filter(site: Site) -> None:
    """The department of 广州 sees the uploads of the schools of its region on the same page as the
    school (with each upload's school and a school filter), opens one, and gets a 404 page for a
    school or an upload outside its region; the school's staff still see only their own."""
    with site.api("staff_a") as staff_a, site.api("staff_b") as staff_b:
        ours = _upload(staff_a, site.school_a, "S001,甲,,2026-06-30").json()["upload_id"]
        theirs = _upload(staff_b, site.school_b, "N001,壬,,2026-06-30").json()["upload_id"]
    with site.browser("department") as c:
        page = c.get("/web/roster/history", params={"lang": "en"})
        assert page.status_code == 200, page.text
        assert f'data-upload-id="{ours}"' in page.text and f'data-upload-id="{theirs}"' not in page.text
        assert '<td class="school">广州市机电技师学校</td>' in page.text and site.logins["staff_a"] in page.text
        assert f'<option value="{site.school_a}"' in page.text and f'value="{site.school_b}"' not in page.text
        one_school = c.get("/web/roster/history", params={"school": site.school_a})
        assert f'data-upload-id="{ours}"' in one_school.text and "selected" in one_school.text
        assert c.get("/web/roster/history", params={"school": site.school_b}).status_code == 404
        assert c.get("/web/roster/history", params={"school": "<x>"}).status_code == 400
        detail = c.get(f"/web/roster/history/{ours}")
        assert detail.status_code == 200 and "甲" in detail.text and "广州市机电技师学校" in detail.text
        assert c.get(f"/web/roster/history/{theirs}").status_code == 404
    with site.browser("staff_b") as c:
        page = c.get("/web/roster/history")
        assert f'data-upload-id="{theirs}"' in page.text and f'data-upload-id="{ours}"' not in page.text
        assert 'id="history-school"' not in page.text  # a school has no school filter
        assert c.get("/web/roster/history", params={"school": site.school_a}).status_code == 404
