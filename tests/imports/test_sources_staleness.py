"""Several boards, one posting: cross-board de-duplication into posting_sources, crawl runs,
staleness after completed crawls, expiry by local date, several locations, skills at import.

Two boards are served over loopback: the saved ``example_cn`` board and a second board
(``other_cn``) whose JSON-LD pages repeat one of its vacancies under another spelling."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.boards.config import BOARDS_DIR, load_board
from scrapers.fetch import Fetcher, FetchPolicy
from service.cli.crawl import scrape
from service.config import Settings
from service.crawling.crawl import crawl_into
from service.imports.runs import expire_postings, latest_runs
from service.imports.service import import_path
from service.postings.models import CrawlRun, CrawlStatus, Posting, PostingSource, PostingStatus
from service.postings.repository import PostingFilter, PostingRepository
from service.postings.service import to_read
from tests.scrapers.loopback_site import Site

FAST = FetchPolicy(min_delay=0, timeout=2, retries=1, backoff_base=0.01)
T0 = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _jsonld(data: dict) -> bytes:
    block = json.dumps({"@context": "https://schema.org", "@type": "JobPosting", **data}, ensure_ascii=False)
    return (
        f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        f'<script type="application/ld+json">{block}</script></head><body></body></html>'
    ).encode()


def _list(*links: str) -> bytes:
    items = "".join(f'<li><a class="job-name" href="{href}">x</a></li>' for href in links)
    return f'<html><body><ul class="job-list">{items}</ul></body></html>'.encode()


OTHER_PAGES = {
    "/jobs/list_1.html": _list("/job/201.html?utm_source=wechat&utm_medium=share", "/job/202.html?spm=9.9"),
    # the example board's 103 (电工（长白班）, 上海浦江物业管理有限公司（浦东分公司）, 上海-浦东新区) again
    "/job/201.html": _jsonld(
        {
            "title": "电工",
            "identifier": "201",
            "hiringOrganization": {"@type": "Organization", "name": "上海浦江物业管理有限责任公司"},
            "jobLocation": {
                "@type": "Place",
                "address": {"addressRegion": "上海市", "addressLocality": "浦东新区", "streetAddress": "浦东南路 1 号"},
            },
            "baseSalary": {
                "@type": "MonetaryAmount",
                "currency": "CNY",
                "value": {"@type": "QuantitativeValue", "minValue": 7000, "maxValue": 9000, "unitText": "MONTH"},
            },
            "description": "<p>负责小区配电维护</p>",
            "datePosted": "2026-05-20",
        }
    ),
    # same employer and title in other cities: another posting, with two places of work
    "/job/202.html": _jsonld(
        {
            "title": "电工",
            "identifier": "202",
            "hiringOrganization": "上海浦江物业管理有限公司",
            "jobLocation": [
                {"@type": "Place", "address": {"addressRegion": "江苏省", "addressLocality": "苏州市"}},
                {
                    "@type": "Place",
                    "address": {
                        "addressRegion": "江苏省",
                        "addressLocality": "无锡市",
                        "streetAddress": "新吴区长江路 7 号",
                    },
                },
            ],
            "description": "要求持低压电工作业证，熟悉PLC编程",
            "datePosted": "2026-05-20",
        }
    ),
}


def _board_file(tmp_path: Path, name: str, base_url: str) -> Path:
    data = json.loads((BOARDS_DIR / "example_cn.json").read_text(encoding="utf-8"))
    data.update(name=name, base_url=base_url, fetch={"min_delay": 0, "retries": 1, "backoff_base": 0.01, "timeout": 2})
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def sites() -> Iterator[tuple[Site, Site]]:
    with Site() as example, Site() as other:
        other.pages = dict(OTHER_PAGES)
        yield example, other


async def _crawl(session: AsyncSession, board: str | Path, site: Site, now: dt.datetime, **kwargs):
    config = load_board(str(board), base_url=site.url())
    async with Fetcher(FAST) as fetcher:
        report = await crawl_into(session, config, fetcher, now=now, **kwargs)
    await session.commit()
    return report


async def _by_listing(session: AsyncSession, source: str, external_id: str) -> Posting:
    stmt = (
        select(Posting)
        .join(PostingSource, PostingSource.posting_id == Posting.id)
        .where(PostingSource.source == source, PostingSource.external_id == external_id)
    )
    return (await session.execute(stmt)).scalar_one()


async def test_same_vacancy_on_two_boards_is_one_posting(
    session: AsyncSession, sites: tuple[Site, Site], tmp_path: Path
) -> None:
    example, other = sites
    first = await _crawl(session, "example_cn", example, T0)
    assert (first.status, first.new, first.merged) == ("partial", 4, 0)  # 104 fails, 999 is robots-blocked
    second = await _crawl(session, _board_file(tmp_path, "other_cn", other.url()), other, T0)
    assert (second.status, second.new, second.merged, second.items_parsed) == ("ok", 1, 1, 2)
    assert (await session.execute(select(func.count()).select_from(Posting))).scalar_one() == 5

    electrician = await _by_listing(session, "other_cn", "201")
    assert electrician.id == (await _by_listing(session, "example_cn", "103")).id
    assert (electrician.source, electrician.external_id) == ("example_cn", "103")  # the first source stays primary
    assert electrician.title == "电工（长白班）"  # the first source's data wins …
    assert (electrician.salary_min_monthly, electrician.salary_max_monthly) == (7000, 9000)  # … gaps are filled
    merged = await PostingRepository(session).get(electrician.id)
    assert merged is not None
    read = to_read(merged)
    assert [(s.source, s.url.rsplit("/", 1)[1] if s.url else None) for s in read.sources] == [
        ("example_cn", "103.html"),
        ("other_cn", "201.html"),
    ]  # tracking parameters stripped
    assert all(s.last_seen_at == T0 for s in read.sources)

    suzhou = await _by_listing(session, "other_cn", "202")  # same employer and title, another city
    assert suzhou.id != electrician.id and suzhou.city == "苏州市"
    assert [(loc["region_code"], loc["city"], loc["address"]) for loc in suzhou.locations] == [
        ("320500", "苏州市", None),
        ("320200", "无锡市", "新吴区长江路 7 号"),
    ]
    assert suzhou.required_skills == ["低压电工作业证", "PLC编程"]  # extracted: the page names no skills
    repo = PostingRepository(session)
    in_wuxi, total = await repo.list(PostingFilter(region_code="320200"), 20, 0)  # its second location
    assert total == 1 and [p.id for p in in_wuxi] == [suzhou.id]
    in_jiangsu, _ = await repo.list(PostingFilter(region_code="320000"), 20, 0)
    assert suzhou.id in {p.id for p in in_jiangsu}
    stored = await repo.get(suzhou.id)
    assert stored is not None and [loc.city for loc in to_read(stored).locations] == ["苏州市", "无锡市"]

    again = await _crawl(session, _board_file(tmp_path, "other_cn", other.url()), other, T0 + dt.timedelta(days=1))
    assert (again.new, again.merged, again.updated, again.unchanged) == (0, 0, 0, 2)  # idempotent
    assert (await session.execute(select(func.count()).select_from(PostingSource))).scalar_one() == 6

    runs = await latest_runs(session)
    assert [(r.board, r.status, r.new, r.merged) for r in runs] == [
        ("other_cn", CrawlStatus.OK, 0, 0),
        ("other_cn", CrawlStatus.OK, 1, 1),
        ("example_cn", CrawlStatus.PARTIAL, 4, 0),
    ]
    partial = runs[-1]
    assert (partial.pages_fetched, partial.pages_failed, partial.items_parsed, partial.dropped) == (6, 2, 4, 2)
    assert partial.dropped_reasons == {"detail page skipped": 2} and "104.html" in (partial.error or "")
    assert partial.finished_at is not None and partial.finished_at >= partial.started_at


async def test_stale_after_three_completed_crawls(
    session: AsyncSession, sites: tuple[Site, Site], tmp_path: Path
) -> None:
    example, other = sites
    example.pages["/jobs/list_1.html"] = _list("/job/101.html", "/job/102.html", "/job/103.html")
    day = dt.timedelta(days=1)
    assert (await _crawl(session, "example_cn", example, T0)).status == "ok"
    other_board = _board_file(tmp_path, "other_cn", other.url())
    assert (await _crawl(session, other_board, other, T0)).merged == 1  # 103 is also other_cn's 201
    # the board stops listing 102 and 103; other_cn, crawled once only, still lists 103
    example.pages["/jobs/list_1.html"] = _list("/job/101.html")
    for n in (1, 2):
        report = await _crawl(session, "example_cn", example, T0 + n * day)
        assert (report.status, report.marked_stale) == ("ok", 0)  # missed 1, then 2 completed crawls
    example.pages["/jobs/list_1.html"] = _list("/job/101.html", "/job/104.html")  # 104 answers 500
    report = await _crawl(session, "example_cn", example, T0 + 3 * day)
    assert (report.status, report.marked_stale) == ("partial", 0)  # a partial crawl counts for nothing
    example.pages["/jobs/list_1.html"] = _list("/job/101.html")
    report = await _crawl(session, "example_cn", example, T0 + 4 * day)
    assert (report.status, report.marked_stale) == ("ok", 1)

    stale = await _by_listing(session, "example_cn", "102")
    assert stale.stale_at == T0 + 4 * day and stale.status is PostingStatus.OPEN
    assert (await _by_listing(session, "example_cn", "103")).stale_at is None  # other_cn still lists it
    assert (await _by_listing(session, "example_cn", "101")).stale_at is None
    open_ids = {p.id for p in await PostingRepository(session).list_open(dt.date(2026, 6, 5))}
    assert stale.id not in open_ids and (await _by_listing(session, "example_cn", "101")).id in open_ids

    example.pages["/jobs/list_1.html"] = _list("/job/101.html", "/job/102.html")
    report = await _crawl(session, "example_cn", example, T0 + 5 * day)
    assert report.updated == 1  # listed again: no longer stale
    await session.refresh(stale)
    assert stale.stale_at is None


async def test_a_failed_crawl_marks_nothing(session: AsyncSession, sites: tuple[Site, Site]) -> None:
    example, _ = sites
    example.pages["/jobs/list_1.html"] = _list("/job/101.html")
    for n in range(3):
        await _crawl(session, "example_cn", example, T0 + dt.timedelta(days=n), stale_after=1)
    del example.pages["/jobs/list_1.html"]  # the list page is gone: nothing can be read
    report = await _crawl(session, "example_cn", example, T0 + dt.timedelta(days=5), stale_after=1)
    assert (report.status, report.marked_stale) == ("failed", 0)
    assert (await _by_listing(session, "example_cn", "101")).stale_at is None
    run = (await session.execute(select(CrawlRun).where(CrawlRun.id == report.run_id))).scalar_one()
    assert run.status is CrawlStatus.FAILED and run.pages_fetched == 0 and "404" in (run.error or "")


async def test_valid_through_closes_at_the_end_of_the_local_day(
    session: AsyncSession, sites: tuple[Site, Site], tmp_path: Path
) -> None:
    _, other = sites
    other.pages["/job/201.html"] = other.pages["/job/201.html"].replace(
        b'"datePosted": "2026-05-20"', b'"datePosted": "2026-05-20", "validThrough": "2026-06-03"'
    )
    await _crawl(session, _board_file(tmp_path, "other_cn", other.url()), other, T0)
    posting = await _by_listing(session, "other_cn", "201")
    assert posting.valid_through == dt.date(2026, 6, 3) and posting.status is PostingStatus.OPEN
    # 23:59 on 3 June in Shanghai is 15:59 UTC: still open; 00:00 on 4 June closes it
    assert await expire_postings(session, dt.datetime(2026, 6, 3, 15, 59, tzinfo=dt.UTC)) == 0
    assert await expire_postings(session, dt.datetime(2026, 6, 3, 16, 0, tzinfo=dt.UTC)) == 1
    await session.refresh(posting)
    assert posting.status is PostingStatus.CLOSED


async def test_import_records_a_run_and_counts_unknown_skills(session: AsyncSession, tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(
        _jsonld(
            {
                "title": "机修工",
                "identifier": "M-1",
                "hiringOrganization": "无锡精工有限公司",
                "jobLocation": {"address": {"addressRegion": "江苏省", "addressLocality": "无锡市"}},
                "skills": "PLC编程、会开飞机的超能力",
            }
        )
    )
    report = await import_path(session, page)
    assert (report.stored, report.unknown_skills) == (1, 1)
    [run] = await latest_runs(session)
    assert (run.kind, run.source, run.status, run.new, run.unknown_skills) == ("import", "jsonld", "ok", 1, 1)
    posting = await _by_listing(session, "jsonld", "M-1")
    assert posting.required_skills == ["PLC编程", "会开飞机的超能力"]  # the source's skills are kept as given


def test_cli_scrape_alias_prints_the_run(settings: Settings, sites: tuple[Site, Site], tmp_path: Path) -> None:
    _, other = sites
    board = _board_file(tmp_path, "other_cn", other.url())
    env = {"VOCMATCH_DATABASE_URL": settings.database_url}
    result = CliRunner().invoke(scrape, [str(board)], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["board"], report["status"], report["new"], report["merged"]) == ("other_cn", "ok", 2, 0)
    assert isinstance(report["run_id"], int) and report["dropped_reasons"] == {}
    other.pages.clear()
    failed = CliRunner().invoke(scrape, [str(board)], env=env)
    assert failed.exit_code == 1 and '"status": "failed"' in failed.output


async def test_a_failed_run_is_kept_while_its_data_is_rolled_back(settings: Settings, engine) -> None:
    from functools import partial

    from service.db import session_scope
    from service.imports.runs import record_failed_run

    with pytest.raises(RuntimeError):
        async with session_scope(engine) as session:
            session.add(CrawlRun(kind="crawl", board="example_cn", source="example_cn", status=CrawlStatus.OK))
            await session.flush()
            raise RuntimeError("disk full")
    await record_failed_run(
        partial(session_scope, engine),
        "crawl",
        "example_cn",
        "example_cn",
        T0,
        "RuntimeError: disk full",
        pages_fetched=3,
    )
    async with session_scope(engine) as session:
        [run] = await latest_runs(session, "example_cn")
    assert (run.status, run.pages_fetched, run.error, run.started_at) == (
        CrawlStatus.FAILED,
        3,
        "RuntimeError: disk full",
        T0,
    )
