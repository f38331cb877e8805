"""Interview and hire pages in a real browser (headless chromium) at 375 px: nothing scrolls sideways,
every field is labelled, and the graduate accepts a proposed time by tapping it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.applications.models import Application, ApplicationEvent, ApplicationStatus
from service.interviews.schemas import InterviewCreate, SlotCreate
from service.interviews.service import InterviewService
from tests.web.conftest import World
from tests.web.test_browser import (
    _all_fields_labelled,
    _no_horizontal_scroll,
    _shot,
    _sign_in,
)


@pytest.fixture
async def proposed(session: AsyncSession, world: World) -> dict[str, int]:
    """graduate_a's application to posting_a with an interview proposed for two times (set up before
    the browser starts: Playwright's sync API runs its own event loop)."""
    application = Application(
        graduate_id=world.ids["graduate_a"],
        posting_id=world.ids["posting_a"],
        history=[ApplicationEvent(from_status=None, to_status=ApplicationStatus.APPLIED)],
    )
    session.add(application)
    await session.flush()
    soon = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
    interview = await InterviewService(session).propose(
        application.id,
        InterviewCreate(
            slots=[SlotCreate(starts_at=soon), SlotCreate(starts_at=soon + dt.timedelta(days=1), duration_minutes=60)],
            place="广州市天河区科韵路16号广州信息港A栋3楼人力资源部面试室（请提前十分钟到前台登记）",
            note="请携带身份证、毕业证书和技能等级证书的原件及复印件",
        ),
    )
    await session.commit()
    return {"application": application.id, "interview": interview.id, "slot": interview.slots[1].id}


def test_interview_pages_fit_a_375px_phone(
    proposed: dict[str, int],
    browser: Any,
    server: Any,
    world: World,
) -> None:
    base = server.base_url
    phone = {"viewport": {"width": 375, "height": 740}, "locale": "zh-CN", "is_mobile": True}
    ctx = browser.new_context(**phone)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, base, world.logins["employer_a"])
    for path in (
        f"/web/postings/{world.ids['posting_a']}/applications",
        f"/web/applications/{proposed['application']}/interviews/new",
        f"/web/applications/{proposed['application']}/hire",
        f"/web/interviews/{proposed['interview']}",
    ):
        page.goto(f"{base}{path}")
        _no_horizontal_scroll(page)
        _all_fields_labelled(page, path)
    ctx.close()

    ctx = browser.new_context(**phone)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, base, world.logins["graduate_a"])
    page.goto(f"{base}/web/applications")
    page.get_by_role("link", name="已邀请面试，等待回复").click()
    page.wait_for_url(f"**/web/interviews/{proposed['interview']}")
    _no_horizontal_scroll(page)
    _all_fields_labelled(page, "/web/interviews/…")
    _shot(page, "phone-graduate-interview")
    page.locator(f'input[name="slot_id"][value="{proposed["slot"]}"]').check()
    page.get_by_role("button", name="接受这个时间").click()
    page.wait_for_url("**saved=accept")
    assert "已确认面试" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="添加到我的日历（.ics）").is_visible()
    _no_horizontal_scroll(page)
    page.goto(f"{base}/web/destination")
    _no_horizontal_scroll(page)
    assert "顶岗实习" in page.locator("#what-counts").inner_text()
    ctx.close()
