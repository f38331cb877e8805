"""The conversation pages in a real browser (Playwright driving Debian's chromium, headless) at
375 px: a graduate applies with a note, writes to the employer and prints the résumé; the employer
reads the applicant and answers; no page is wider than the screen. SQLite only (the data paths run
on both backends in ``test_pages.py``); screenshots go to ``test-artifacts/screenshots/``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser import SCREENSHOTS
from tests.conftest import TEST_PASSWORD, LiveServer
from tests.conversations.conftest import World


@pytest.fixture
def backend() -> str:
    return "sqlite"


def _sign_in(browser: Any, base_url: str, email: str) -> Any:
    page = browser.new_page(viewport={"width": 375, "height": 800}, locale="zh-CN")
    page.goto(f"{base_url}/web/sign-in")
    page.get_by_label("电子邮箱或手机号").fill(email)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    return page


#: An element's text colour and the background colour it is drawn on (its first ancestor that has one).
_COLOURS = """e => {
  let back = e;
  while (back && getComputedStyle(back).backgroundColor === "rgba(0, 0, 0, 0)") back = back.parentElement;
  return [getComputedStyle(e).color, back ? getComputedStyle(back).backgroundColor : "rgb(255, 255, 255)"];
}"""


def _fits(page: Any, name: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, f"{name} is wider than 375 px"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"conversation-{name}-375.png"), full_page=True)


def test_apply_write_and_answer_at_375_px(world: World, server: LiveServer, chromium: Any) -> None:
    graduate = _sign_in(chromium, server.base_url, world.emails["graduate_a"])
    graduate.goto(f"{server.base_url}/web/jobs/{world.ids['posting_a']}")
    graduate.get_by_label("给用人单位的留言（可选）").fill("我有数控车床实习经验")
    graduate.get_by_role("button", name="投递简历").click()
    graduate.get_by_role("link", name="消息").click()
    graduate.wait_for_url("**/messages")
    _fits(graduate, "thread-graduate")
    graduate.get_by_label("你的消息").fill("<b>您好</b>，请问什么时候面试？")
    graduate.get_by_role("button", name="发送").click()
    graduate.wait_for_url("**/messages#latest")
    assert graduate.locator(".msg.mine .body").inner_text() == "<b>您好</b>，请问什么时候面试？"
    graduate.goto(f"{server.base_url}/web/resume")
    _fits(graduate, "resume")
    graduate.goto(f"{server.base_url}/web/applications")
    _fits(graduate, "applications")
    # the withdraw button (a button drawn as a link) is visible: its text is not the colour of what
    # lies behind it (it was white on white, the colour of the header's buttons)
    withdraw = graduate.get_by_role("button", name="撤回")
    text, behind = withdraw.evaluate(_COLOURS)
    assert withdraw.is_visible() and text != behind, (text, behind)

    employer = _sign_in(chromium, server.base_url, world.emails["employer_a"])
    employer.goto(f"{server.base_url}/web/postings/{world.ids['posting_a']}/applications")
    employer.get_by_role("link", name="陈小明").click()
    employer.wait_for_url("**/web/applicants/*")
    assert "电工证" in employer.content() and "13800138000" not in employer.content()
    _fits(employer, "applicant")
    employer.get_by_role("link", name="消息").first.click()
    employer.wait_for_url("**/messages")
    assert employer.locator(".msg.theirs .body").inner_text() == "<b>您好</b>，请问什么时候面试？"
    employer.get_by_label("你的消息").fill("下周一上午十点，欢迎来厂里面试。")
    employer.get_by_role("button", name="发送").click()
    employer.wait_for_url("**/messages#latest")
    _fits(employer, "thread-employer")


def test_resume_file_and_pdf_at_375_px(
    world: World,
    server: LiveServer,
    chromium: Any,
    tmp_path: Path,
) -> None:
    """The graduate adds a résumé file through the file picker, sees it and the PDF link; a Word
    file renamed to .pdf is refused with the reason beside the field; the employer's applicant page
    offers both downloads; every page fits 375 px."""
    from tests.conversations.test_resume_files import _docx

    graduate = _sign_in(chromium, server.base_url, world.emails["graduate_a"])
    graduate.goto(f"{server.base_url}/web/resume")
    bad = tmp_path / "一份很长的文件名用来检查窄屏上不会撑破页面的布局.pdf"
    bad.write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 64)
    graduate.get_by_label("添加文件 (PDF, .docx)").set_input_files(str(bad))
    graduate.get_by_role("button", name="上传").click()
    graduate.wait_for_load_state("networkidle")
    assert "不是 PDF 或 Word (.docx) 文档" in graduate.locator("#attachment-error").inner_text()
    _fits(graduate, "resume-file-refused")
    good = tmp_path / "陈小明的简历.docx"
    good.write_bytes(_docx())
    graduate.get_by_label("添加文件 (PDF, .docx)").set_input_files(str(good))
    graduate.get_by_role("button", name="上传").click()
    graduate.wait_for_url("**/web/resume?saved=attachment")
    assert "陈小明的简历.docx" in graduate.locator("#attachment").inner_text()
    assert graduate.get_by_role("link", name="下载 PDF").get_attribute("href") == "/web/resume.pdf"
    _fits(graduate, "resume-file")
    graduate.goto(f"{server.base_url}/web/jobs/{world.ids['posting_a']}")
    graduate.get_by_role("button", name="投递简历").click()
    graduate.wait_for_load_state("networkidle")

    employer = _sign_in(chromium, server.base_url, world.emails["employer_a"])
    employer.goto(f"{server.base_url}/web/postings/{world.ids['posting_a']}/applications")
    employer.get_by_role("link", name="陈小明").click()
    employer.wait_for_url("**/web/applicants/*")
    assert employer.get_by_role("link", name="下载 PDF 简历").is_visible()
    assert (
        "陈小明的简历.docx" in employer.get_by_role("link", name="求职者上传的简历文件: 陈小明的简历.docx").inner_text()
    )
    _fits(employer, "applicant-file")
