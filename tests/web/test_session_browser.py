"""Web sessions in a real browser (issue 16, "Sessions and polish"): ``static/session.js`` keeps a
session alive while the user is active, and a form sent after the session ended survives signing in
again. The access token lives 6 seconds here (``access_token_ttl_seconds``), so "15 minutes later"
takes a few seconds; the browser drops the access cookie when it expires, as it would in production.

SQLite only, as the other browser tests (:mod:`tests.web.test_browser`)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest

from service.config import Settings
from tests.browser import launch_chromium
from tests.web.conftest import World
from tests.web.test_browser import _sign_in

TTL = 6


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return msgspec.structs.replace(settings, access_token_ttl_seconds=TTL)


@pytest.fixture
def browser(server: Any, world: World) -> Iterator[Any]:
    yield from launch_chromium()


def _profile_page(browser: Any, server: Any, world: World) -> Any:
    ctx = browser.new_context(viewport={"width": 375, "height": 800}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, server.base_url, world.logins["graduate_a"])
    page.goto(f"{server.base_url}/web/profile")
    return page


def test_an_active_user_stays_signed_in_past_the_token_lifetime(browser: Any, server: Any, world: World) -> None:
    page = _profile_page(browser, server, world)
    field = page.locator("#preferred_locations")
    field.fill("")
    started = time.monotonic()
    while time.monotonic() - started < 2.5 * TTL:  # typing slowly, well past the token's lifetime
        field.press_sequentially("广", delay=50)
        page.wait_for_timeout(700)
    field.fill("广州市")
    page.locator("#save-profile").click()
    page.wait_for_load_state("networkidle")
    assert "/web/profile" in page.url and "/web/sign-in" not in page.url
    assert page.locator("#preferred_locations").input_value() == "广州市"  # saved, shown back
    page.context.close()


def test_a_form_sent_after_the_session_ended_survives_signing_in_again(browser: Any, server: Any, world: World) -> None:
    page = _profile_page(browser, server, world)
    page.context.clear_cookies(name="vocmatch_refresh")  # the login session is gone (e.g. 14 days passed)
    page.locator("#preferred_locations").fill("广州市、天河区")
    page.locator("#min_salary_monthly").fill("4800")
    page.wait_for_timeout((TTL + 1) * 1000)  # the access cookie expires meanwhile
    page.locator("#save-profile").click()
    page.wait_for_url("**/web/sign-in?next=*")
    page.get_by_label("电子邮箱或手机号").fill(world.logins["graduate_a"])
    page.get_by_label("密码").fill("correct horse battery")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/web/profile")
    assert page.locator("#preferred_locations").input_value() == "广州市、天河区"
    assert page.locator("#min_salary_monthly").input_value() == "4800"
    assert "填写的内容已放回表单" in page.locator("p.notice").inner_text()
    page.locator("#save-profile").click()  # nothing was sent behind the user's back: they send it now
    page.wait_for_url("**/web/profile?saved=1")
    assert page.locator("#preferred_locations").input_value() == "广州市、天河区"
    page.context.close()
