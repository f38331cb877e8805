"""The follow-up pages in a real browser (headless chromium, SQLite only as in ``test_browser.py``),
at 375 px and on the desktop, in Chinese and English: school staff open the list, record a survey
destination with its evidence, accept a self-report from the review queue and see the flags change;
no page scrolls sideways, every field has a label, no table word is split."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.destinations.models import DestinationCategory, DestinationEvent, DestinationEventKind, DestinationSource
from tests.browser import launch_chromium
from tests.web.conftest import World
from tests.web.test_browser import (
    _all_fields_labelled,
    _no_horizontal_scroll,
    _no_word_split_in_tables,
    _shot,
    _sign_in,
)


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
async def self_report(session: AsyncSession, world: World) -> int:
    """Graduate A's self-report (it awaits review)."""
    event = DestinationEvent(
        graduate_id=world.ids["graduate_a"],
        occurred_on=dt.date.today() - dt.timedelta(days=3),
        source=DestinationSource.SELF_REPORT,
        kind=DestinationEventKind.OUTCOME,
        category=DestinationCategory.FURTHER_STUDY,
        employer_name="广州市技师学院",
    )
    session.add(event)
    await session.commit()
    return event.id


@pytest.fixture
def browser(server: Any, world: World, self_report: int) -> Iterator[Any]:
    yield from launch_chromium()


@pytest.mark.parametrize(("width", "lang"), [(375, "zh_Hans"), (375, "en"), (1280, "en")])
def test_staff_record_review_and_see_flags_change(
    browser: Any, server: Any, world: World, self_report: int, width: int, lang: str
) -> None:
    base = server.base_url
    graduate = world.ids["graduate_a"]
    ctx = browser.new_context(viewport={"width": width, "height": 800}, locale="zh-CN", is_mobile=width < 500)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, base, world.logins["school_a"])
    en = lang == "en"
    page.goto(f"{base}/web/follow-up?cohort=2025&lang={lang}")
    row = page.locator(f'tr[data-graduate-id="{graduate}"]')
    assert row.get_attribute("data-flags") == "self_report"
    for path in ("/web/follow-up?cohort=2025", "/web/follow-up/review", f"/web/follow-up/{graduate}"):
        page.goto(f"{base}{path}")
        _no_horizontal_scroll(page)
        _all_fields_labelled(page, path)
        _no_word_split_in_tables(page)
    # record a survey destination with its evidence: it joins the history
    page.goto(f"{base}/web/follow-up/{graduate}")
    page.select_option("#category", "further_study")
    page.select_option("#evidence", "enrolment_letter")
    page.fill("#occurred_on", (dt.date.today() - dt.timedelta(days=20)).isoformat())
    page.click("#record-destination")
    page.wait_for_url(re.compile(r".*saved=1"))
    assert page.locator("#saved").is_visible()
    evidence = page.locator("#history .evidence").first.inner_text()
    assert evidence == ("Enrolment letter" if en else "录取通知书")
    _shot(page, f"follow-up-survey-{width}")
    # accept the self-report from the queue: the flag goes
    page.goto(f"{base}/web/follow-up/review")
    item = page.locator(f'li[data-event-id="{self_report}"]')
    item.locator("input[name=reason]").fill("已核对录取通知书" if not en else "Checked the letter")
    item.get_by_role("button", name="Accept the report" if en else "审核通过").click()
    page.wait_for_url(re.compile(r".*done=accept"))
    assert page.locator("#review-empty").is_visible()
    page.goto(f"{base}/web/follow-up?cohort=2025")
    assert page.locator(f'tr[data-graduate-id="{graduate}"]').get_attribute("data-flags") == ""
    assert (
        page.locator(f'tr[data-graduate-id="{graduate}"] td.category')
        .inner_text()
        .startswith("Further study" if en else "升学")
    )
    _shot(page, f"follow-up-list-{width}")
    if width >= 1280:  # on a desktop the whole list shows without scrolling its box sideways
        wrap = page.locator(".table-wrap").first
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), "the follow-up table scrolls at 1280 px"
    ctx.close()
