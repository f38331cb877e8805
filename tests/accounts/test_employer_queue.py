"""The employer approval queue pages through a long queue in SQL, with a city filter (a city
includes its counties), a name filter and the count of all that match — the page and
``GET /employers/verification-queue`` through the same service method. Real HTTP, both databases."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from service.config import Settings
from service.employers.models import Employer
from tests.accounts.conftest import Browser, World, staff_browser

GUANGZHOU, NANNING = 60, 5


async def _queue(session: AsyncSession) -> None:
    """60 pending companies in 天河区 (广州市) and 5 in 南宁市, besides the world's employer B
    (pending, no region), and one scraped employer in 广州 that is never in the queue."""
    session.add_all(
        [Employer(name=f"广州测试{i:02d}有限公司", region_code="440106", source="platform") for i in range(GUANGZHOU)]
    )
    session.add_all(
        [Employer(name=f"南宁测试{i}有限公司", region_code="450100", source="platform") for i in range(NANNING)]
    )
    session.add(Employer(name="广州抓取有限公司", region_code="440106", source="crawl"))
    await session.commit()


def _ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="card" id="employer-(\d+)">', html)]


async def test_api_pages_and_filters(
    client_for: Callable[[str], httpx.Client], world: World, session: AsyncSession
) -> None:
    await _queue(session)
    admin = client_for("admin")
    first = admin.get("/employers/verification-queue", params={"limit": 40}).json()
    rest = admin.get("/employers/verification-queue", params={"limit": 40, "offset": 40}).json()
    assert first["total"] == rest["total"] == GUANGZHOU + NANNING + 1
    assert len(first["items"]) == 40 and len(rest["items"]) == GUANGZHOU + NANNING + 1 - 40
    seen = [i["employer"]["id"] for i in first["items"] + rest["items"]]
    assert len(set(seen)) == len(seen)  # no company on two pages
    city = admin.get("/employers/verification-queue", params={"city": "440100", "limit": 5}).json()
    assert city["total"] == GUANGZHOU and len(city["items"]) == 5  # the city holds its counties
    assert admin.get("/employers/verification-queue", params={"city": "450100"}).json()["total"] == NANNING
    named = admin.get("/employers/verification-queue", params={"q": "测试07"}).json()
    assert [i["employer"]["name"] for i in named["items"]] == ["广州测试07有限公司"]
    bad = admin.get("/employers/verification-queue", params={"city": "广州"})
    assert bad.status_code == 400 and "city" in bad.text
    # a department admin's queue stays inside its region whatever the filter asks
    assert (
        client_for("department_b").get("/employers/verification-queue", params={"city": "440100"}).json()["total"] == 0
    )


async def test_web_queue_pages_filters_and_counts(
    browser: Callable[..., Browser],
    settings: Settings,
    world: World,
    session: AsyncSession,
) -> None:
    await _queue(session)
    admin = staff_browser(browser, settings, world, "admin")
    total = GUANGZHOU + NANNING + 1
    first = admin.c.get("/web/employers/queue", params={"lang": "en"})
    assert first.status_code == 200
    assert len(_ids(first.text)) == 50 and f"{total} companies" in first.text and "Page 1 of 2" in first.text
    assert 'href="/web/employers/queue?page=2"' in first.text
    second = admin.c.get("/web/employers/queue", params={"page": 2})
    assert len(_ids(second.text)) == total - 50 and not set(_ids(first.text)) & set(_ids(second.text))
    assert "Page 2 of 2" in second.text  # the language chosen stays
    nanning = admin.c.get("/web/employers/queue", params={"city": "450100", "lang": "en"})
    assert len(_ids(nanning.text)) == NANNING and f"{NANNING} companies" in nanning.text
    assert '<option value="450100" selected>南宁市</option>' in nanning.text
    assert re.search(r'<option value="440100"\s*>广州市</option>', nanning.text)
    guangzhou = admin.c.get("/web/employers/queue", params={"city": "440100", "page": 1})
    assert len(_ids(guangzhou.text)) == 50 and "city=440100&amp;page=2" in guangzhou.text
    named = admin.c.get("/web/employers/queue", params={"q": "南宁测试3"})
    assert len(_ids(named.text)) == 1
    assert admin.c.get("/web/employers/queue", params={"page": 0}).status_code == 400
    # the department of 广西 sees only its region's companies (and employer B, which has none)
    department = staff_browser(browser, settings, world, "department_b")
    assert len(_ids(department.c.get("/web/employers/queue").text)) == NANNING + 1
