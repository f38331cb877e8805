"""Sign-up in a real browser at 375 px (Playwright, headless chromium; SQLite only, as
``test_browser.py``): a graduate activates the account of their roster row and signs in; an
employer registers, the department approves it from the queue, and the employer's status page
says so. Skipped when chromium is absent (a failure under ``CI``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.cn import ric

from service.graduates.models import Graduate
from tests.browser import launch_chromium
from tests.web.conftest import World
from tests.web.test_browser import _no_horizontal_scroll, _shot, _sign_in

PHONE = {"viewport": {"width": 375, "height": 800}, "device_scale_factor": 2, "is_mobile": True, "locale": "zh-CN"}
ID_NUMBER = "44010620080101001" + ric.calc_check_digit("440106200801010010")
WRONG_ID = "44010620080101009" + ric.calc_check_digit("440106200801010090")
NEW_PASSWORD = "a long new password"


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
async def roster_row(session: AsyncSession, world: World) -> int:
    g = Graduate(
        name="陈名册",
        school_id=world.ids["school_a"],
        student_number="2026001",
        cohort=2026,
        class_name="数控1班",
        id_number=ID_NUMBER,
    )
    session.add(g)
    await session.commit()
    return g.id


@pytest.fixture
def browser(server: Any, world: World, roster_row: int) -> Iterator[Any]:
    yield from launch_chromium()


def test_graduate_activates_from_the_roster_row_at_375px(browser: Any, server: Any, world: World) -> None:
    page = browser.new_page(**PHONE)
    page.goto(f"{server.base_url}/web/sign-up?lang=zh_Hans")
    _no_horizontal_scroll(page)
    page.select_option("#school_id", label="广州市机电技师学校")
    page.fill("#student_number", "2026001")
    page.fill(
        "#id_number", WRONG_ID
    )  # well formed, on no roster  # wrong first: the one answer, nothing says which part
    page.fill("#email", "chen@example.cn")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#password_confirm", NEW_PASSWORD)
    page.get_by_role("button", name="激活账号").click()
    page.wait_for_load_state("networkidle")
    assert "所填信息与可激活的名册记录不符" in page.content()
    _no_horizontal_scroll(page)
    page.fill("#id_number", ID_NUMBER)
    page.fill("#password", NEW_PASSWORD)
    page.fill("#password_confirm", NEW_PASSWORD)
    page.get_by_role("button", name="激活账号").click()
    page.wait_for_load_state("networkidle")
    assert "注册已受理" in page.content()
    _shot(page, "signup-graduate-375")
    _sign_in(page, server.base_url, "chen@example.cn", NEW_PASSWORD)
    assert page.url.endswith("/web/jobs"), page.url
    page.close()


def test_employer_signs_up_and_is_approved_at_375px(browser: Any, server: Any, world: World) -> None:
    page = browser.new_page(**PHONE)
    page.goto(f"{server.base_url}/web/sign-up/employer?lang=en")
    _no_horizontal_scroll(page)
    page.fill("#company", "广州新锐机电有限公司")
    page.fill("#uscc", "91440101MA59UC8X38")
    page.select_option("#region_code", value="440100")
    page.fill("#contact_name", "张经理")
    page.fill("#email", "hr@xinrui.example.cn")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#password_confirm", NEW_PASSWORD)
    page.get_by_role("button", name="Register the company").click()
    page.wait_for_load_state("networkidle")
    assert "waits for approval" in page.content()
    _shot(page, "signup-employer-375")
    staff = browser.new_page(**PHONE)
    _sign_in(staff, server.base_url, world.logins["department_a"])
    staff.goto(f"{server.base_url}/web/employers/queue?lang=zh_Hans")
    _no_horizontal_scroll(staff)
    card = staff.locator("li.card", has_text="广州新锐机电有限公司")
    assert "校验码正确" in card.inner_text() and "张经理" in card.inner_text()
    _shot(staff, "employer-queue-375")
    card.get_by_role("button", name="通过", exact=True).click()
    staff.wait_for_load_state("networkidle")
    assert "已通过，已通知该单位" in staff.content()
    employer = browser.new_page(**PHONE)
    _sign_in(employer, server.base_url, "hr@xinrui.example.cn", NEW_PASSWORD)
    employer.goto(f"{server.base_url}/web/verification")
    assert "已通过" in employer.content()
    _no_horizontal_scroll(employer)
    for p in (page, staff, employer):
        p.close()
