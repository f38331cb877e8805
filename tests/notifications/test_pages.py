"""The notification pages over real HTTP with a browser's cookie session: the unread badge in the
header of every page, the inbox (both languages, unread filter, paging, mark one read — plain form
and htmx —, open, mark all read), another user's notification as a 404 page, the settings page
(the real browser at 375 px: ``test_browser.py``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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
from tests.conftest import LiveServer, create_account
from tests.harness import tls_context

PARAMS = {"posting_title": "数控车床操作工", "employer_name": "广州数控设备有限公司", "reason": "filled"}


class PageClient(httpx.Client):
    """A browser's client of the pages: its cookies and the CSRF token its forms send."""

    def __init__(self, *, csrf: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.csrf = csrf


Browser = Callable[..., tuple[int, PageClient]]


@pytest.fixture
def web(server: LiveServer, settings: Settings) -> Iterator[Browser]:
    """``web(role, **scope)`` → ``(user id, client)`` carrying a browser's session and CSRF cookies."""
    opened: list[PageClient] = []
    csrf = generate_csrf_token(derive_key(resolve_secret_key(settings), "csrf"))

    def make(role: Role = Role.ADMIN, **scope: Any) -> tuple[int, PageClient]:
        user_id, token = create_account(settings, role, **scope)
        c = PageClient(
            csrf=csrf,
            verify=tls_context(),
            base_url=server.base_url,
            timeout=30,
            cookies={ACCESS_COOKIE: token, CSRF_COOKIE: csrf},
            follow_redirects=False,
        )
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
        await notify(
            session,
            recipients=user_ids,
            kind=Kind.POSTING_CLOSED,
            params={**PARAMS, "posting_title": f"岗位{i}"},
            link="/web/dashboard",
        )
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

    ids = [
        n.id
        for n in (
            await session.execute(
                select(Notification).where(Notification.user_id == me).order_by(Notification.id.desc())
            )
        ).scalars()
    ]
    plain = c.post(f"/web/notifications/{ids[0]}/read", data={"_csrf_token": c.csrf})
    assert plain.status_code == 303 and plain.headers["location"] == "/web/notifications"
    htmx = c.post(
        f"/web/notifications/{ids[1]}/read",
        data={"_csrf_token": c.csrf},
        headers={"HX-Request": "true"},
    )
    assert htmx.status_code == 200 and htmx.text.lstrip().startswith("<li") and "岗位21" in htmx.text
    assert "Mark as read" not in htmx.text and "标为已读" not in htmx.text
    opened = c.get(f"/web/notifications/{ids[2]}/open")
    assert opened.status_code == 303 and opened.headers["location"] == "/web/dashboard"
    assert _badge(c.get("/web/notifications").text) == "20"
    unread = c.get("/web/notifications", params={"unread": "1"})
    assert "岗位22" not in unread.text and "岗位19" in unread.text

    foreign = (await session.execute(select(Notification.id).where(Notification.user_id == other))).scalar_one()
    for response in (
        c.get(f"/web/notifications/{foreign}/open"),
        c.post(f"/web/notifications/{foreign}/read", data={"_csrf_token": c.csrf}),
    ):
        assert response.status_code == 404 and "岗位0" not in response.text
    no_token = c.post(f"/web/notifications/{ids[3]}/read", data={})
    assert no_token.status_code == 403  # CSRF
    done = c.post("/web/notifications/read-all", data={"_csrf_token": c.csrf})
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
    saved = c.post(
        "/web/notifications/preferences", data={"_csrf_token": c.csrf, "language": "en", "email": ["message_received"]}
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/web/notifications/preferences?saved=1"
    user = (await session.execute(select(User).where(User.id == me))).scalar_one()
    assert user.language == "en"
    choices = {
        p.kind: p.enabled
        for p in (
            await session.execute(select(NotificationPreference).where(NotificationPreference.user_id == me))
        ).scalars()
    }
    assert choices["message_received"] is True and choices["application_received"] is False
    again = c.get("/web/notifications/preferences?saved=1")
    assert "通知设置已保存" in again.text and 'value="en" selected' in again.text
    bad = c.post("/web/notifications/preferences", data={"_csrf_token": c.csrf, "language": "xx"})
    assert bad.status_code == 400
