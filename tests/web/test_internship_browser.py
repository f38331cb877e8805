"""Internships, the roster template and the roster history in a real browser (Playwright driving
Debian's chromium, headless), on a 375-px phone and on a desktop, in Chinese and in English: the
school downloads the template, records a placement with its agreement PDF, the employer confirms
it, the student sees it; every page fits the phone without sideways scrolling and labels every field.

SQLite only, skipped without chromium except under ``CI`` (as ``test_browser.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from service.graduates.models import Graduate
from tests.browser import launch_chromium
from tests.web.conftest import World
from tests.web.test_browser import _all_fields_labelled, _no_horizontal_scroll, _shot, _sign_in

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] "
    b"/Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
async def numbered(world: World, session: AsyncSession) -> World:
    """Graduate 陈小明 of school A has the 学号 A2025001 (the form finds the student by it)."""
    await session.execute(
        update(Graduate).where(Graduate.id == world.ids["graduate_a"]).values(student_number="A2025001")
    )
    await session.commit()
    return world


@pytest.fixture
def browser(server: Any, numbered: World) -> Iterator[Any]:
    yield from launch_chromium()


def _check(page: Any, base: str, path: str) -> None:
    page.goto(f"{base}{path}")
    _no_horizontal_scroll(page)
    _all_fields_labelled(page, path)


@pytest.mark.parametrize(("size", "lang"), [("phone", "zh_Hans"), ("desktop", "en")])
def test_placement_template_and_history_in_the_browser(
    browser: Any, server: Any, numbered: World, tmp_path: Path, size: str, lang: str
) -> None:
    base, w = server.base_url, numbered
    options = PHONE if size == "phone" else DESKTOP
    zh = lang == "zh_Hans"
    ctx = browser.new_context(locale="zh-CN", accept_downloads=True, **options)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, base, w.logins["school_a"])
    page.goto(f"{base}/web/roster?lang={lang}")
    _no_horizontal_scroll(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载名册模板（.xlsx）" if zh else "Download the roster template (.xlsx)").click()
    saved = tmp_path / "template.xlsx"
    download.value.save_as(saved)
    assert load_workbook(saved).active.title == "毕业生名册"
    for path in ("/web/roster/history", "/web/internships", "/web/internships/new"):
        _check(page, base, path)
    agreement = tmp_path / "agreement.pdf"
    agreement.write_bytes(PDF)
    page.get_by_label("学号" if zh else "Student number (学号)").fill("A2025001")
    page.get_by_label("用人单位" if zh else "Employer", exact=True).fill("广州数控设备有限公司")
    page.get_by_label("开始日期" if zh else "First day").fill("2026-09-01")
    page.get_by_label("结束日期" if zh else "Last day").fill("2027-06-30")
    page.get_by_label("指导教师" if zh else "Supervising teacher").fill("王老师")
    page.get_by_label("已投保实习责任保险" if zh else "Internship liability insurance is taken out").check()
    page.get_by_label("承保公司" if zh else "Insurer").fill("平安保险")
    page.locator("#agreement").set_input_files(str(agreement))
    page.get_by_role("button", name="保存实习登记" if zh else "Record the placement").click()
    page.wait_for_url("**/web/internships?saved=*")
    card = page.locator("li.internship", has_text="陈小明")
    assert ("等待单位确认" if zh else "Awaiting the employer's confirmation") in card.inner_text()
    _no_horizontal_scroll(page)
    _shot(page, f"{size}-school-internships")
    ctx.close()

    ctx = browser.new_context(locale="zh-CN", **options)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, base, w.logins["employer_a"])
    _check(page, base, f"/web/internships?lang={lang}")
    page.get_by_role("button", name="确认该实习安排" if zh else "Confirm this placement").first.click()
    page.wait_for_url("**/web/internships?saved=confirmed")
    assert page.locator("li.internship", has_text="陈小明").locator(".ok").count() == 1
    ctx.close()

    ctx = browser.new_context(locale="zh-CN", **options)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, base, w.logins["graduate_a"])
    page.goto(f"{base}/web/jobs?lang={lang}")
    page.get_by_role("link", name="我的实习" if zh else "My internship").first.click()
    page.wait_for_url("**/web/internships")
    text = page.locator("li.internship").first.inner_text()
    assert "广州数控设备有限公司" in text and ("单位已确认" if zh else "Confirmed by the employer") in text
    _no_horizontal_scroll(page)
    _shot(page, f"{size}-student-internship")
    ctx.close()
