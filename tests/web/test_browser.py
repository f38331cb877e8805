"""End to end in a real browser (Playwright driving Debian's chromium, headless) against the live
server on loopback: a graduate signs in, sees recommendations with reasons and applies; the employer
sees the application and marks the hire; the school dashboard shows the new destination. On the
built-in sample: search with filters, profile with suggestions, destination, a new posting, and the
dashboard with tables and charts.

Runs on SQLite only (a browser per backend doubles the time; the pages' data paths run on both
backends in ``test_pages_http.py``). Skipped when chromium is absent — except under ``CI``, where
that is a failure. Screenshots go to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.bootstrap import SAMPLE_PASSWORD, create_sample_accounts
from service.sample.loader import load_sample
from tests.browser import SCREENSHOTS, launch_chromium
from tests.web.conftest import PASSWORD, World


@pytest.fixture
def backend() -> str:
    """The browser flow runs on SQLite only (see the module docstring)."""
    return "sqlite"


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _sign_in(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/web/sign-in")
    page.get_by_label("电子邮箱或手机号").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    # the context's viewport, not window.innerWidth: a mobile context (is_mobile) zooms out to show
    # content wider than the screen, and innerWidth grows with it
    viewport = page.viewport_size["width"]
    assert width <= viewport, f"{page.url}: content {width}px wide in a {viewport}px viewport"


_SPLIT_WORDS_JS = """() => {
  const split = [];
  for (const cell of document.querySelectorAll("table th, table td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const m of node.data.matchAll(/[A-Za-z]{2,}/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) split.push(m[0]);
      }
    }
  }
  return split;
}"""


def _no_word_split_in_tables(page: Any) -> None:
    """No Latin word in a table cell is broken across lines ("Gra/dua/tes")."""
    split = page.evaluate(_SPLIT_WORDS_JS)
    assert not split, f"{page.url}: words split across lines in tables: {split}"


def _all_fields_labelled(page: Any, path: str) -> None:
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.name)""")
    assert unlabelled == [], f"{path}: fields without a label: {unlabelled}"


def test_graduate_applies_employer_hires_school_sees_it(browser: Any, server: Any, world: World) -> None:
    base = server.base_url
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(20_000)

    _sign_in(page, base, world.logins["graduate_a"])
    assert page.url.endswith("/web/jobs")
    card = page.locator(f'li.job[data-posting-id="{world.ids["posting_a"]}"]')
    reasons = card.locator(".reasons").inner_text()
    assert "匹配 2/3 项要求技能" in reasons and "缺少：电工、电工证" in reasons
    assert "薪资 5000–7000元/月 满足你的最低要求" in reasons
    assert page.locator("li.job", has_text="仓库管理员").count() == 0
    _shot(page, "graduate-jobs")
    card.get_by_role("link", name="数控车床操作工").click()
    page.get_by_role("button", name="投递简历").click()  # htmx swaps the box in place
    page.locator("#apply-box .status").wait_for()
    assert page.locator("#apply-box .status").inner_text() == "已投递"
    _shot(page, "graduate-job-applied")
    page.get_by_role("link", name="我的投递").first.click()
    assert "已投递" in page.locator("table").inner_text()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/web/sign-in")

    _sign_in(page, base, world.logins["employer_a"])
    assert page.url.endswith("/web/postings")
    page.get_by_role("link", name="投递 (1)").click()
    row = page.locator("tr", has_text="陈小明")
    _shot(page, "employer-applications")
    row.get_by_label("投递", exact=False).select_option("interview")
    row.get_by_role("button", name="保存").click()
    page.locator("tr", has_text="陈小明").locator(".status", has_text="面试").wait_for()
    row = page.locator("tr", has_text="陈小明")
    row.get_by_label("投递", exact=False).select_option("hired")
    row.get_by_role("button", name="保存").click()  # hiring asks for the start date and the agreed pay
    page.wait_for_url("**/hire")
    page.get_by_label("约定月薪", exact=False).fill("5500")
    page.get_by_label("合同类型").select_option("other_employment")
    page.get_by_role("button", name="确认录用").click()
    page.wait_for_url("**/applications")
    row = page.locator("tr", has_text="陈小明")
    row.locator(".status", has_text="已录用").wait_for()
    assert "已结束" in row.inner_text()
    _shot(page, "employer-hired")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/web/sign-in")

    _sign_in(page, base, world.logins["school_a"])
    assert page.url.endswith("/web/dashboard")
    latest = page.locator("#latest-destinations").inner_text()
    assert "陈小明" in latest and "其他录用形式就业" in latest and "广州数控设备有限公司" in latest
    _shot(page, "school-dashboard")
    page.get_by_role("link", name="English").click()
    assert page.locator("h1").inner_text().startswith("Employment dashboard")
    _shot(page, "school-dashboard-en")
    ctx.close()


def test_pages_fit_a_375px_phone_and_work_with_the_keyboard(browser: Any, server: Any, world: World) -> None:
    base = server.base_url
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN", is_mobile=True)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/web/sign-in")
    _no_horizontal_scroll(page)
    # keyboard only: tab to the fields, type, submit with Enter
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused  # something visible takes the focus first
    page.focus("#login")
    page.keyboard.type(world.logins["graduate_a"])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/web/jobs")
    for path in (
        "/web/jobs",
        f"/web/jobs/{world.ids['posting_a']}",
        "/web/applications",
        "/web/jobs?region=440100",
        "/web/profile",
        "/web/destination",
    ):
        page.goto(f"{base}{path}")
        _no_horizontal_scroll(page)
        _all_fields_labelled(page, path)
    _shot(page, "phone-graduate-applications")
    page.goto(f"{base}/web/jobs")
    _shot(page, "phone-graduate-jobs")
    ctx.close()
    for account, paths in (
        (
            "employer_a",
            (
                "/web/postings",
                f"/web/postings/{world.ids['posting_a']}/candidates",
                "/web/postings/new",
                f"/web/postings/{world.ids['posting_a']}/edit",
            ),
        ),
        ("school_a", ("/web/dashboard", "/web/roster")),
    ):
        ctx = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN", is_mobile=True)
        page = ctx.new_page()
        _sign_in(page, base, world.logins[account])
        for path in paths:
            page.goto(f"{base}{path}")
            _no_horizontal_scroll(page)
            _all_fields_labelled(page, path)
        ctx.close()


@pytest.fixture
async def sample(session: AsyncSession) -> dict[str, str]:
    """The built-in sample (``vocmatch seed``: 108 postings, 704 graduates of three cohorts — about 40
    per school in the latest — with applications and destinations) and its one-per-role accounts; returns role → login e-mail."""
    await load_sample(session)
    accounts = await create_sample_accounts(session)
    await session.commit()
    return {role: email for email, role, _ in accounts}


@pytest.fixture
def sample_browser(server: Any, sample: dict[str, str]) -> Iterator[Any]:
    """:func:`browser` over the sample data (the data is loaded before the browser starts)."""
    yield from launch_chromium()


def test_sample_search_profile_destination_posting_and_dashboard(
    sample_browser: Any, server: Any, sample: dict[str, str]
) -> None:
    """On realistic data: the graduate filters jobs (htmx, the URL follows), adds a skill from the
    suggestions and saves the profile, sees the destination page; the employer publishes a posting
    with a suggested skill; the school dashboard shows tables and charts. Screenshots of each."""
    base = server.base_url
    ctx = sample_browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(20_000)

    _sign_in(page, base, sample["graduate"], SAMPLE_PASSWORD)
    assert page.url.endswith("/web/jobs") and page.locator("li.job").count() > 0
    _shot(page, "sample-graduate-jobs")
    page.get_by_label("只看实习和顶岗实习").check()  # htmx swaps the list and pushes the URL
    page.wait_for_url("**/web/jobs?*internship=1*")
    page.locator(".result-count").wait_for()
    page.get_by_label("最低月薪（元/月）").fill("3000")
    page.get_by_label("最低月薪（元/月）").press("Enter")  # submits through htmx too
    page.wait_for_url("**min_salary=3000**")
    shared = page.url
    assert "个岗位符合搜索条件" in page.locator(".result-count").inner_text()
    _shot(page, "sample-graduate-search")
    page.goto(shared)  # the shared link shows the same filters and list
    assert page.get_by_label("只看实习和顶岗实习").is_checked()
    assert page.get_by_label("最低月薪（元/月）").input_value() == "3000"

    page.get_by_role("link", name="我的资料").click()
    skills = page.locator("#chips-skills")
    before = skills.locator("input[type=checkbox]").count()
    page.locator("#skills-new").press_sequentially("数控", delay=50)
    suggestion = page.locator("#skills-suggestions button.suggestion", has_text="数控车削加工")
    suggestion.wait_for()
    suggestion.click()
    page.locator('#chips-skills input[value="数控车削加工"]').wait_for()
    assert page.locator("#chips-skills input[type=checkbox]").count() == before + 1
    page.get_by_label("最低月薪（元/月）").fill("4000")
    _shot(page, "graduate-profile")
    page.get_by_role("button", name="保存资料").click()
    page.wait_for_url("**/web/profile?saved=1")
    assert page.locator('#chips-skills input[value="数控车削加工"]').is_checked()
    page.get_by_role("link", name="我的去向").click()
    assert page.locator("h1").inner_text() == "我的毕业去向"
    _shot(page, "graduate-destination")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/web/sign-in")

    _sign_in(page, base, sample["employer"], SAMPLE_PASSWORD)
    page.get_by_role("link", name="发布岗位").first.click()
    page.get_by_label("岗位名称").fill("数控车床操作工（样例）")
    page.get_by_label("月薪下限（元/月）").fill("5000")
    page.get_by_label("月薪上限（元/月）").fill("7000")
    page.locator("#required_skills-new").press_sequentially("CAD", delay=50)
    pick = page.locator("#required_skills-suggestions button.suggestion").first
    pick.wait_for()
    picked = pick.inner_text().lstrip("+ ").split(" (")[0].split("（")[0].strip()
    pick.click()
    page.locator("#chips-required_skills input[type=checkbox]").first.wait_for()
    _shot(page, "employer-posting-form")
    page.get_by_role("button", name="发布岗位").click()
    page.wait_for_url("**/web/postings?saved=*")
    card = page.locator("li.posting", has_text="数控车床操作工（样例）")
    assert card.count() == 1
    card.get_by_role("link", name="修改").click()
    assert page.locator("#chips-required_skills input[type=checkbox]").first.get_attribute("value") == picked
    page.get_by_role("link", name="我的岗位").first.click()
    _shot(page, "employer-postings")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/web/sign-in")

    _sign_in(page, base, sample["school"], SAMPLE_PASSWORD)
    assert page.url.endswith("/web/dashboard")
    assert page.locator("section.breakdown table").count() >= 2
    charts = page.locator("figure.chart img")
    assert charts.count() >= 2
    page.wait_for_load_state("networkidle")
    for i in range(charts.count()):
        charts.nth(i).scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=charts.nth(i).element_handle())
    assert page.locator("dl.figures dd").first.inner_text().isdigit()  # graduates counted
    # about 40 graduates per school in the latest cohort: the school's own rates clear the threshold
    assert "%" in page.locator("dl.figures").inner_text()
    _shot(page, "school-dashboard")
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/web/sign-in")

    # the province's department: every sample school, so the rates clear the small-cell threshold
    _sign_in(page, base, sample["department"], SAMPLE_PASSWORD)
    assert page.locator("section.breakdown table").count() >= 4  # city, county, school, major, cohort
    assert "%" in page.locator("dl.figures").inner_text()
    page.wait_for_load_state("networkidle")
    _shot(page, "department-dashboard")
    ctx.close()

    # the English dashboard on a phone: whole words in the table headers, the tables scroll inside
    # their own box (the page does not), the charts come in English
    ctx = sample_browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN", is_mobile=True)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, base, sample["school"], SAMPLE_PASSWORD)
    page.goto(f"{base}/web/dashboard?lang=en")
    assert page.locator("section.breakdown table").count() >= 2
    _no_horizontal_scroll(page)
    _no_word_split_in_tables(page)
    assert "Graduates" in page.locator("section.breakdown thead").first.inner_text()
    assert all(
        "lang=en" in (src or "")
        for src in page.locator("figure.chart img").evaluate_all("imgs => imgs.map(i => i.getAttribute('src'))")
    )
    _shot(page, "phone-school-dashboard-en")
    ctx.close()
