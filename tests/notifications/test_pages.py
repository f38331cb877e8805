"""The notification pages over real HTTP with a browser's cookie session: the unread badge in the
header of every page, the inbox (both languages, unread filter, paging, mark one read — plain form
and htmx —, open, mark all read), another user's notification as a 404 page, the settings page;
and in a real browser at 375 px: badge, inbox and settings fit the screen and work with the keyboard."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar.middleware.csrf import generate_csrf_token
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.accounts.security import ACCESS_COOKIE, CSRF_COOKIE, derive_key, resolve_secret_key
from service.config import Settings
from service.notifications.kinds import Kind
from service.notifications.models import Notification, NotificationPreference
from service.notifications.service import notify
from tests.conftest import TEST_PASSWORD, LiveServer, create_account

PARAMS = {"posting_title": "数控车床操作工", "employer_name": "广州数控设备有限公司", "reason": "filled"}
Browser = Callable[..., tuple[int, httpx.Client]]


@pytest.fixture
def web(server: LiveServer, settings: Settings) -> Iterator[Browser]:
    """``web(role, **scope)`` → ``(user id, client)`` carrying a browser's session and CSRF cookies."""
    opened: list[httpx.Client] = []
    csrf = generate_csrf_token(derive_key(resolve_secret_key(settings), "csrf"))

    def make(role: Role = Role.ADMIN, **scope: Any) -> tuple[int, httpx.Client]:
        user_id, token = create_account(settings, role, **scope)
        c = httpx.Client(base_url=server.base_url, timeout=30, cookies={ACCESS_COOKIE: token, CSRF_COOKIE: csrf},
                         follow_redirects=False)
        c.csrf = csrf  # type: ignore[attr-defined]
        opened.append(c)
        return user_id, c

    yield make
    for c in opened:
        c.close()


def _badge(html: str) -> str | None:
    found = re.search(r'class="badge">([^<]+)<', html)
    return found.group(1) if found else None


async def _notify(session: AsyncSession, user_ids: list[int], times: int) -> None:
    for i in range(times):
        await notify(session, recipients=user_ids, kind=Kind.POSTING_CLOSED,
                     params={**PARAMS, "posting_title": f"岗位{i}"}, link="/web/dashboard")
    await session.commit()


async def test_badge_inbox_and_marking_read(session: AsyncSession, web: Browser) -> None:
    me, c = web(Role.ADMIN)
    other, other_c = web(Role.ADMIN)
    await _notify(session, [me], 23)
    await _notify(session, [other], 1)
    dashboard = c.get("/web/dashboard")
    assert dashboard.status_code == 200 and _badge(dashboard.text) == "23"  # on every page, in the header
    assert "23 条未读" in dashboard.text

    inbox = c.get("/web/notifications")
    assert inbox.status_code == 200 and "岗位已停止招聘：岗位22" in inbox.text and "岗位已停止招聘：岗位3" in inbox.text
    assert "岗位已停止招聘：岗位2<" not in inbox.text and 'rel="next"' in inbox.text  # 20 a page, newest first
    older = c.get("/web/notifications", params={"offset": 20})
    assert "岗位2<" in older.text and 'rel="prev"' in older.text and 'rel="next"' not in older.text
    english = c.get("/web/notifications", params={"lang": "en"})
    assert "Posting closed: 岗位22" in english.text and "has been filled" in english.text
    assert "23 unread" in english.text and "Mark all as read" in english.text
    assert c.get("/web/notifications", params={"lang": "zh_Hans"}).status_code == 200  # back to Chinese

    ids = [n.id for n in (await session.execute(select(Notification).where(Notification.user_id == me)
                                                 .order_by(Notification.id.desc()))).scalars()]
    plain = c.post(f"/web/notifications/{ids[0]}/read", data={"_csrf_token": c.csrf})  # type: ignore[attr-defined]
    assert plain.status_code == 303 and plain.headers["location"] == "/web/notifications"
    htmx = c.post(f"/web/notifications/{ids[1]}/read", data={"_csrf_token": c.csrf},  # type: ignore[attr-defined]
                  headers={"HX-Request": "true"})
    assert htmx.status_code == 200 and htmx.text.lstrip().startswith("<li") and "岗位21" in htmx.text
    assert "Mark as read" not in htmx.text and "标为已读" not in htmx.text
    opened = c.get(f"/web/notifications/{ids[2]}/open")
    assert opened.status_code == 303 and opened.headers["location"] == "/web/dashboard"
    assert _badge(c.get("/web/notifications").text) == "20"
    unread = c.get("/web/notifications", params={"unread": "1"})
    assert "岗位22" not in unread.text and "岗位19" in unread.text

    foreign = (await session.execute(select(Notification.id).where(Notification.user_id == other))).scalar_one()
    for response in (c.get(f"/web/notifications/{foreign}/open"),
                     c.post(f"/web/notifications/{foreign}/read", data={"_csrf_token": c.csrf})):  # type: ignore[attr-defined]
        assert response.status_code == 404 and "岗位0" not in response.text
    no_token = c.post(f"/web/notifications/{ids[3]}/read", data={})
    assert no_token.status_code == 403  # CSRF
    done = c.post("/web/notifications/read-all", data={"_csrf_token": c.csrf})  # type: ignore[attr-defined]
    assert done.status_code == 303 and _badge(c.get("/web/dashboard").text) is None
    assert "没有未读通知" in c.get("/web/notifications", params={"unread": "1"}).text
    assert _badge(other_c.get("/web/dashboard").text) == "1"  # the other user's untouched


async def test_the_settings_page_saves_language_and_email_choices(session: AsyncSession, web: Browser) -> None:
    from service.employers.models import Employer

    employer = Employer(name="广州数控设备有限公司", verified=True)
    session.add(employer)
    await session.commit()
    me, c = web(Role.EMPLOYER, employer_id=employer.id)
    page = c.get("/web/notifications/preferences")
    assert page.status_code == 200
    assert 'for="email-application_received"' in page.text and "岗位收到新投递" in page.text
    assert "email-posting_closed" not in page.text and "account_activation" not in page.text  # not an employer's
    saved = c.post("/web/notifications/preferences", data={
        "_csrf_token": c.csrf, "language": "en", "email": ["message_received"]})  # type: ignore[attr-defined]
    assert saved.status_code == 303 and saved.headers["location"] == "/web/notifications/preferences?saved=1"
    user = (await session.execute(select(User).where(User.id == me))).scalar_one()
    assert user.language == "en"
    choices = {p.kind: p.enabled for p in (await session.execute(
        select(NotificationPreference).where(NotificationPreference.user_id == me))).scalars()}
    assert choices["message_received"] is True and choices["application_received"] is False
    again = c.get("/web/notifications/preferences?saved=1")
    assert "通知设置已保存" in again.text and 'value="en" selected' in again.text
    bad = c.post("/web/notifications/preferences", data={"_csrf_token": c.csrf, "language": "xx"})  # type: ignore[attr-defined]
    assert bad.status_code == 400


# --- in a real browser ------------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture
def chromium(server: LiveServer) -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"chromium not installed at {CHROMIUM}; CI requires it")
        pytest.skip(f"chromium not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield b
        b.close()


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


def test_inbox_and_settings_at_375_px_with_the_keyboard(graduate_account: tuple[int, str], server: LiveServer,
                                                        chromium: Any) -> None:
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
