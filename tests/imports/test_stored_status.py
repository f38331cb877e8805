"""Issue 20.6: ``vocmatch scrape-page`` (and the import preview) show the status a posting would be
stored with — open, expired (validThrough passed), closed (the page says so) — and why; the store
gives it that status."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.boards.config import load_board
from scrapers.boards.crawl import item_from_detail
from scrapers.items import PostingItem
from scrapers.jobposting.page import closed_notice, postings_from_html
from service.cli.crawl import scrape_page
from service.imports.postings import stored_status
from service.imports.service import import_path
from service.postings.models import Posting, PostingStatus

NOW = dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC)  # 12:00 in Shanghai


def _page(data: dict, body: str = "") -> str:
    block = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "JobPosting",
            "hiringOrganization": "苏州精工机械有限公司",
            "jobLocation": {"address": {"addressRegion": "江苏省", "addressLocality": "苏州市"}},
            **data,
        },
        ensure_ascii=False,
    )
    return (
        f'<html><head><meta charset="utf-8"><script type="application/ld+json">{block}</script></head>'
        f"<body>{body}</body></html>"
    )


@pytest.mark.parametrize(
    ("data", "body", "label", "status", "words"),
    [
        (
            {"title": "数控车工", "validThrough": "2026-05-31"},
            "",
            "expired",
            PostingStatus.CLOSED,
            ["validThrough 2026-05-31 has passed", "closed since 2026-06-01 00:00"],
        ),
        (
            {"title": "数控车工", "validThrough": "2026-03-01T18:00:00+08:00"},
            "",
            "expired",
            PostingStatus.CLOSED,
            ["has passed", "2026-03-01 18:00", "91 days ago"],
        ),
        (
            {"title": "数控车工", "validThrough": "2026-06-01"},
            "",
            "open",
            PostingStatus.OPEN,
            ["open until validThrough 2026-06-01 ends", "2026-06-02 00:00"],
        ),
        (
            {"title": "数控车工"},
            "<div class='tip'>该职位已停止招聘</div>",
            "closed",
            PostingStatus.CLOSED,
            ["the page says '该职位已停止招聘'"],
        ),
        (
            {"title": "Welder", "validThrough": "2099-01-01"},
            "<p>This job is no longer available.</p>",
            "closed",
            PostingStatus.CLOSED,
            ["This job is no longer available"],
        ),
        ({"title": "数控车工"}, "", "open", None, ["no validThrough", "stale after completed crawls"]),
    ],
)
def test_status_and_why(data: dict, body: str, label: str, status: PostingStatus | None, words: list[str]) -> None:
    [item] = postings_from_html(_page(data, body), source="t")
    assert isinstance(item, PostingItem), item
    found = stored_status(item, NOW)
    assert (found.label, found.status) == (label, status)
    for word in words:
        assert word in found.reason, found.reason


@pytest.mark.parametrize(
    "body",
    [
        "<script>var msg = '该职位已关闭';</script><p>招聘中</p>",  # not visible text
        "<p>职位关闭前请尽快投递</p>",
        "<p>We are hiring</p>",
    ],
)
def test_no_closed_notice_where_the_page_says_none(body: str) -> None:
    assert closed_notice(f"<html><body>{body}</body></html>") is None


def test_a_list_page_of_several_postings_is_not_closed_by_one_notice() -> None:
    two = _page({"title": "a"}).replace(
        "</script>", '</script><script type=\'application/ld+json\'>{"@type": "JobPosting", "title": "b"}</script>'
    )
    items = postings_from_html(two.replace("<body>", "<body>该职位已下线"), source="t")
    assert len(items) == 2 and all(i.closed_notice is None for i in items)


def test_board_detail_page_with_a_notice() -> None:
    config = load_board("example_cn")
    item = item_from_detail(
        _page({"title": "焊工"}, "<h2>该岗位已招满</h2>"), "https://jobs.example.cn/job/5.html", config, 1
    )
    assert isinstance(item, PostingItem) and item.closed_notice == "该岗位已招满"


def test_cli_scrape_page_shows_status_and_why(tmp_path: Path) -> None:
    runner = CliRunner()
    expired = tmp_path / "expired.html"
    expired.write_text(_page({"title": "数控车工", "validThrough": "2020-01-31"}), encoding="utf-8")
    closed = tmp_path / "closed.html"
    closed.write_text(_page({"title": "焊工"}, "<p>该职位已关闭</p>"), encoding="utf-8")
    table = runner.invoke(scrape_page, [str(expired)])
    assert table.exit_code == 0, table.output
    assert "状态 status: expired — validThrough 2020-01-31 has passed" in table.output
    assert "stored closed" in table.output
    shown = json.loads(runner.invoke(scrape_page, [str(closed), "--json"]).output)
    assert shown["postings"][0]["status"] == {
        "label": "closed",
        "stored": "closed",
        "reason": "the page says '该职位已关闭'",
    }
    fair = tmp_path / "fair.csv"
    fair.write_text(
        "单位名称,岗位,截止日期\n苏州精工机械有限公司,数控车工,2020-03-01\n苏州精工机械有限公司,焊工,2099-03-01\n",
        encoding="utf-8",
    )
    lines = runner.invoke(scrape_page, [str(fair)]).output
    assert "状态 status: expired — validThrough 2020-03-01 has passed" in lines
    assert "状态 status: open — open until validThrough 2099-03-01 ends" in lines


async def test_the_store_gives_the_status_shown(session: AsyncSession, tmp_path: Path) -> None:
    pages = {
        "closed.html": _page({"title": "焊工", "identifier": "C-1"}, "<p>职位已下线</p>"),
        "expired.html": _page({"title": "电工", "identifier": "E-1", "validThrough": "2020-01-31"}),
        "open.html": _page({"title": "钳工", "identifier": "O-1", "validThrough": "2099-01-31"}),
    }
    for name, text in pages.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        await import_path(session, tmp_path / name)
    await session.commit()
    stored = {p.external_id: p.status for p in (await session.execute(select(Posting))).scalars()}
    assert stored == {"C-1": PostingStatus.CLOSED, "E-1": PostingStatus.CLOSED, "O-1": PostingStatus.OPEN}


def test_scrape_page_stored_shows_a_stale_listing(settings, tmp_path: Path) -> None:
    """``--stored`` reads how the listing is stored now: a posting its boards stopped listing is stale,
    which one page cannot tell; the reason names the boards and when they last listed it."""
    from service.db import make_engine, session_scope
    from tests.conftest import run_async

    page = tmp_path / "page.html"
    page.write_text(
        _page({"title": "焊工", "identifier": "S-9", "url": "https://www.zhipin.com/job_detail/s9.html"}),
        encoding="utf-8",
    )
    other = tmp_path / "other.html"
    other.write_text(
        _page(
            {
                "title": "钳工",
                "identifier": "S-10",
                "url": "https://www.zhipin.com/job_detail/s10.html",
                "validThrough": "2020-01-01",
            }
        ),
        encoding="utf-8",
    )

    async def store() -> None:
        engine = make_engine(settings)
        try:
            async with session_scope(engine) as session:
                await import_path(session, page)
                await import_path(session, other)
                posting = (await session.execute(select(Posting).where(Posting.external_id == "S-9"))).scalar_one()
                posting.stale_at = dt.datetime(2026, 5, 20, tzinfo=dt.UTC)
        finally:
            await engine.dispose()

    run_async(store)
    env = {"VOCMATCH_DATABASE_URL": settings.database_url}
    shown = CliRunner().invoke(scrape_page, [str(page), "--stored"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "数据库 stored now: stale since 2026-05-20" in shown.output and "zhipin.com last listed it" in shown.output
    assert "状态 status: open" in shown.output  # storing this page would list it again
    closed = json.loads(CliRunner().invoke(scrape_page, [str(other), "--stored", "--json"], env=env).output)
    assert closed["postings"][0]["stored_now"].startswith("closed (posting ")
    assert "validThrough 2020-01-01" in closed["postings"][0]["stored_now"]
    new = tmp_path / "new.html"
    new.write_text(_page({"title": "电工", "identifier": "N-1"}), encoding="utf-8")
    assert "stored now: not stored" in CliRunner().invoke(scrape_page, [str(new), "--stored"], env=env).output
