"""The drill-down in a real browser (headless chromium, SQLite only as in ``test_browser.py``), at
375 px in Chinese and on the desktop in English: the department goes from its province to one major
of one school by the links, sees the breadcrumb and the level's name in the title at each level,
opens the printable annual report and downloads it as .xlsx; no page scrolls sideways, every field
has a label, no table word is split."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from tests.browser import launch_chromium
from tests.web.test_browser import (
    _all_fields_labelled,
    _no_horizontal_scroll,
    _no_word_split_in_tables,
    _shot,
    _sign_in,
)
from tests.web.test_dashboards import _world


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
async def cases(session: AsyncSession) -> None:
    await _world(session)


@pytest.fixture
def browser(server: Any, cases: None) -> Iterator[Any]:
    yield from launch_chromium()


def _check(page: Any) -> None:
    _no_horizontal_scroll(page)
    _all_fields_labelled(page, page.url)
    _no_word_split_in_tables(page)


@pytest.mark.parametrize(("width", "lang"), [(375, "zh_Hans"), (1280, "en")])
def test_department_drills_down_to_a_major_and_exports_the_annual_report(
    browser: Any, server: Any, cases: None, width: int, lang: str
) -> None:
    base = server.base_url
    ctx = browser.new_context(
        viewport={"width": width, "height": 800}, locale="zh-CN", is_mobile=width < 500, accept_downloads=True
    )
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    _sign_in(page, base, "gd@example.cn")
    page.goto(f"{base}/web/dashboard?as_of=2025-12-31&cohort=2025&lang={lang}")
    page.click("#drill-root")
    for name, next_link in (
        ("广东省", "广州市"),
        ("广州市", "天河区"),
        ("天河区", "天河职校"),
        ("天河职校", "物流服务与管理"),
    ):
        assert page.title().startswith(name)
        assert page.locator('#breadcrumb [aria-current="page"]').inner_text() == name
        _check(page)
        page.locator("table a", has_text=next_link).first.click()
        page.wait_for_load_state("networkidle")
    assert page.title().startswith("天河职校 · 物流服务与管理")
    crumbs = page.locator("#breadcrumb li").all_inner_texts()
    assert [c.strip() for c in crumbs] == ["广东省", "广州市", "天河区", "天河职校", "物流服务与管理"]
    assert page.locator("#table-trend tbody tr").count() == 5
    _check(page)
    _shot(page, f"dashboard-major-{width}")
    # back up by the breadcrumb to the province, then the annual report
    page.locator("#breadcrumb a", has_text="广东省").click()
    page.wait_for_load_state("networkidle")
    page.click("#annual-link")
    page.wait_for_load_state("networkidle")
    title = {
        "zh_Hans": "广东省2025届中等职业学校毕业生就业质量年度报告",  # the title in the reader's language
        "en": "广东省: annual report on the employment of the 2025 secondary vocational graduates",
    }[lang]
    assert page.title().startswith(title)
    _check(page)
    _shot(page, f"dashboard-annual-{width}")
    with page.expect_download() as info:
        page.locator("a[download]", has_text="XLSX").first.click()
    wb = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    assert "分学校" in wb.sheetnames and wb["封面"]["A1"].value.startswith("广东省2025届")
    ctx.close()
