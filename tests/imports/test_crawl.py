"""Crawling the loopback board into the database: idempotent, survives a failing page; the
scheduled job and the CLI commands."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.boards.config import BOARDS_DIR, BoardConfigError, load_board
from scrapers.fetch import Fetcher, FetchPolicy
from service.cli.crawl import crawl, scrape_page
from service.config import Settings
from service.crawling.crawl import crawl_into
from service.crawling.scheduled import add_crawl_jobs
from service.postings.models import Posting, PostingStatus
from tests.scrapers.loopback_site import Site

FAST = FetchPolicy(min_delay=0, timeout=2, retries=1, backoff_base=0.01)
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as s:
        yield s


async def test_crawl_is_idempotent_and_survives_a_failing_page(session: AsyncSession, site: Site) -> None:
    config = load_board("example_cn", base_url=site.url())
    async with Fetcher(FAST) as fetcher:
        first = await crawl_into(session, config, fetcher, now=NOW)
    await session.commit()
    assert (first.list_pages, first.detail_pages, first.items_parsed, first.new) == (2, 4, 4, 4)
    assert {url.rsplit("/", 1)[1] for url, _ in first.failed_pages} == {"104.html", "999.html"}
    assert sorted(reason.split(":")[0] for _, _, reason in first.dropped) == ["detail page skipped"] * 2
    assert first.updated == 0
    stored = {p.external_id: p for p in (await session.execute(select(Posting))).scalars()}
    assert sorted(stored, key=str) == ["101", "102", "103", "105"] and {p.source for p in stored.values()} == {
        "example_cn"
    }
    assert stored["102"].status is PostingStatus.OPEN and stored["102"].valid_through == dt.date(2099, 12, 31)
    assert stored["101"].source_url.endswith("/job/101.html")  # tracking parameters gone
    async with Fetcher(FAST) as fresh:  # no ETags remembered: every page fetched and compared
        second = await crawl_into(session, config, fresh, now=NOW)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 4)
    assert (await session.execute(select(func.count()).select_from(Posting))).scalar_one() == 4
    later = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
    async with Fetcher(FAST) as fresh:
        third = await crawl_into(session, config, fresh, now=later)
    assert third.updated == 1  # 102's validThrough 2099-12-31 has passed: closed
    closed = (await session.execute(select(Posting).where(Posting.external_id == "102"))).scalar_one()
    assert closed.status is PostingStatus.CLOSED
    assert "失败页 failed page" in third.summary() and third.to_dict()["new"] == 0


def _fast_board(tmp_path: Path, base_url: str) -> Path:
    data = json.loads((BOARDS_DIR / "example_cn.json").read_text(encoding="utf-8"))
    data.update(base_url=base_url, fetch={"min_delay": 0, "retries": 1, "backoff_base": 0.01, "timeout": 2})
    path = tmp_path / "local_cn.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_cli_crawl_and_scrape_page(settings: Settings, site: Site, tmp_path: Path) -> None:
    board = _fast_board(tmp_path, site.url())
    env = {"VOCMATCH_DATABASE_URL": settings.database_url}
    runner = CliRunner()
    result = runner.invoke(crawl, [str(board)], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["board"], report["new"], len(report["failed_pages"])) == ("example_cn", 4, 2)
    again = json.loads(runner.invoke(crawl, [str(board)], env=env).output)
    assert again["new"] == 0 and again["unchanged"] + again["updated"] == 4
    missing = runner.invoke(crawl, ["nope"], env=env)
    assert missing.exit_code == 1 and "no board 'nope'" in missing.output
    plain = runner.invoke(scrape_page, [site.url("/job/101.html"), "--json"])
    assert plain.exit_code == 0 and json.loads(plain.output)["postings"] == []  # no JobPosting data on it
    page = runner.invoke(scrape_page, [site.url("/job/101.html"), "--board", str(board), "--json"])
    assert page.exit_code == 0, page.output
    [posting] = json.loads(page.output)["postings"]
    assert (posting["title"], posting["external_id"], posting["salary"]["min_monthly"]) == (
        "数控车床操作工",
        "101",
        6500,
    )
    fixture = Path(__file__).parents[1] / "scrapers" / "fixtures" / "jsonld" / "several_blocks.html"
    table = runner.invoke(scrape_page, [str(fixture)])
    assert "汽修学徒" in table.output and "第 10 行" in table.output and "baseSalary" in table.output
    blocked = runner.invoke(scrape_page, [site.url("/private/job/999.html")])
    assert blocked.exit_code == 1 and "robots.txt" in blocked.output


def test_scheduler_jobs() -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
    [job] = add_crawl_jobs(scheduler, Settings(), {"example_cn": None})
    assert job.id == "crawl:example_cn" and job.max_instances == 1 and job.coalesce
    assert "hour='3'" in str(job.trigger) and "minute='10'" in str(job.trigger)
    with pytest.raises(BoardConfigError):
        add_crawl_jobs(scheduler, Settings(), {"no_such_board": {"hour": 1}})
