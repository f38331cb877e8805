"""The notification pages in a real browser (Playwright driving Debian's chromium, headless) at 375 px:
the unread badge in the header, the inbox and the settings fit the screen and work with the keyboard
(Enter on the badge, htmx "mark as read", Space on a checkbox). SQLite only (the pages' data paths
run on both backends in ``test_pages.py``); screenshots go to ``test-artifacts/screenshots/``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from service.accounts.models import Role
from service.config import Settings
from tests.browser import SCREENSHOTS
from tests.conftest import TEST_PASSWORD, LiveServer, create_account
from tests.notifications.test_pages import _notify


@pytest.fixture
def graduate_account(settings: Settings) -> tuple[int, str]:
    """A graduate account with a known password, its e-mail; three unread notifications."""
    from service.db import make_engine, make_sessionmaker
    from service.graduates.models import Graduate
    from tests.conftest import run_async

    async def work() -> int:
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine)() as s:
                g = Graduate(name="陈小明")
                s.add(g)
                await s.commit()
                return g.id
        finally:
            await engine.dispose()

    email = "chen@example.cn"
    user_id, _ = create_account(settings, Role.GRADUATE, email=email, graduate_id=run_async(work))

    async def queue() -> None:
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine)() as s:
                await _notify(s, [user_id], 3)
        finally:
            await engine.dispose()

    run_async(queue)
    return user_id, email


@pytest.fixture
def backend() -> str:
    """The browser check runs on SQLite only (the pages' data paths run on both above)."""
    return "sqlite"


def test_inbox_and_settings_at_375_px_with_the_keyboard(
    graduate_account: tuple[int, str], server: LiveServer, chromium: Any
) -> None:
    from playwright.sync_api import expect

    _, email = graduate_account
    page = chromium.new_page(viewport={"width": 375, "height": 800}, locale="zh-CN")
    page.goto(f"{server.base_url}/web/sign-in")
    page.get_by_label("电子邮箱或手机号").fill(email)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    badge = page.locator("header .badge")
    assert badge.is_visible() and badge.inner_text().startswith("3")
    page.locator("header .inbox-link").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/web/notifications")
    assert page.get_by_role("heading", name="岗位已停止招聘：岗位2").is_visible()
    for width_page in ("inbox",):
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, width_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "notifications-inbox-375.png"), full_page=True)
    page.get_by_role("button", name=re.compile(r"^标为已读\s*:\s*岗位已停止招聘：岗位2$")).click()  # htmx swaps it
    expect(page.locator("li.notification.unread")).to_have_count(2)
    expect(page.locator("header .badge")).to_have_count(1)  # the badge counts on the next page load
    page.get_by_role("link", name="通知设置").click()
    page.wait_for_url("**/web/notifications/preferences")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SCREENSHOTS / "notifications-settings-375.png"), full_page=True)
    checkbox = page.get_by_label("投递的岗位停止招聘")
    assert checkbox.is_checked()
    checkbox.focus()
    page.keyboard.press("Space")
    page.get_by_label("通知和邮件使用的语言").select_option("en")
    page.get_by_role("button", name="保存设置").click()
    page.wait_for_url("**/preferences?saved=1")
    assert page.get_by_role("status").inner_text() == "通知设置已保存。"
    assert not page.get_by_label("投递的岗位停止招聘").is_checked()
