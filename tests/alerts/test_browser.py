"""Saved jobs and job alerts in a real browser (Playwright driving Debian's chromium, headless) at
375 px, in Chinese and English: save a job from the list (htmx), save a search from /web/jobs, pause it;
both pages fit the screen. SQLite only (the data paths run on both databases in the other tests);
screenshots go to ``test-artifacts/screenshots/``."""

from __future__ import annotations

import re
from typing import Any

import pytest

from service.config import Settings
from service.db import make_engine, make_sessionmaker
from tests.alerts.conftest import World, add_posting, build_world
from tests.browser import SCREENSHOTS
from tests.conftest import TEST_PASSWORD, LiveServer, run_async


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def stored_world(settings: Settings) -> World:
    """The alerts world, committed, with one more long-titled posting (built outside the test's loop:
    the browser test is synchronous, as Playwright's sync API wants)."""

    async def work() -> World:
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine)() as s:
                world = await build_world(s)
                await add_posting(s, world.ids["employer_a"], "数控铣床操作工（长期招聘，包食宿，五险一金）")
                await s.commit()
                return world
        finally:
            await engine.dispose()

    return run_async(work)


def test_save_a_job_and_a_search_at_375_px(stored_world: World, server: LiveServer, chromium: Any) -> None:
    from playwright.sync_api import expect

    base, email = server.base_url, stored_world.emails["a"]

    page = chromium.new_page(viewport={"width": 375, "height": 800}, locale="zh-CN")
    page.goto(f"{base}/web/sign-in")
    page.get_by_label("电子邮箱或手机号").fill(email)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    page.goto(f"{base}/web/jobs?q=数控&min_salary=4500")
    first = page.locator("li.card.job").first
    first.get_by_role("button", name="☆ 收藏").click()  # htmx swaps the button
    expect(first.locator("button.save-toggle")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#save-search").screenshot(path=str(SCREENSHOTS / "jobs-save-search-375.png"))
    page.get_by_label("每天接收这个搜索的新职位：给它起个名字").fill("广州数控 4500 以上")
    page.get_by_role("button", name="保存搜索").click()
    page.wait_for_url("**/web/job-alerts?saved=created**")
    assert page.get_by_role("status").inner_text().startswith("搜索已保存")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "job-alerts-375.png"), full_page=True)
    page.get_by_role("button", name=re.compile(r"^暂停\s*:\s*广州数控 4500 以上$")).click()
    page.wait_for_url("**saved=pause")
    expect(page.locator(".job-alert .status")).to_have_text("已暂停")
    page.get_by_role("link", name="收藏的职位").first.click()
    page.wait_for_url("**/web/saved-jobs")
    expect(page.locator("li.saved-job")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=str(SCREENSHOTS / "saved-jobs-375.png"), full_page=True)
    for path in ("/web/saved-jobs?lang=en", "/web/job-alerts?lang=en"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
    expect(page.get_by_role("button", name=re.compile(r"^Resume\s*:\s*广州数控 4500 以上$"))).to_be_visible()
