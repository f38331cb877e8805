"""The example CSS-selector board crawled from saved pages served on loopback."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from scrapers.boards.config import BoardConfigError, load_board, parse_board
from scrapers.boards.crawl import crawl_board
from scrapers.fetch import Fetcher, FetchPolicy
from scrapers.pipeline import default_pipeline
from service.taxonomy.core import core_taxonomy
from tests.scrapers.loopback_site import Site
from vocab import EducationLevel, EmploymentType

FAST = FetchPolicy(min_delay=0, timeout=2, retries=1, backoff_base=0.01)


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as s:
        yield s


async def test_example_board_crawl(site: Site) -> None:
    config = load_board("example_cn", base_url=site.url())
    async with Fetcher(FAST) as fetcher:
        result = await crawl_board(config, fetcher)
    assert result.list_pages == 2  # list_2's "next" points back to list_1: not fetched twice
    # 101 is fetched once, without its tracking parameters; the link to the real host is not followed
    assert result.off_site == ["https://jobs.example.cn/job/101.html"] and site.hits["/job/101.html"] == 1
    assert [p for p, _ in site.log if p.startswith("/job/101")] == ["/job/101.html"]
    assert sorted(url.rsplit("/", 1)[1] for url, _ in result.failed) == ["104.html", "999.html"]
    reasons = dict((u.rsplit("/", 1)[1], r) for u, r in result.failed)
    assert "HTTP 500" in reasons["104.html"] and "robots.txt" in reasons["999.html"]
    assert site.hits["/private/job/999.html"] == 0
    pipeline = default_pipeline(core_taxonomy()).run(result.records())
    by_id = {i.external_id: i for i in pipeline.items}
    assert sorted(by_id) == ["101", "102", "103", "105"]
    lathe = by_id["101"]
    assert (lathe.title, lathe.employer_name, lathe.region_code) == ("数控车床操作工", "昆山精密机械有限公司", "320583")
    assert (lathe.salary.months_per_year, lathe.salary.min_monthly) == (13, 6500)
    assert lathe.experience_years == 1 and lathe.education is EducationLevel.SECONDARY_VOCATIONAL
    assert lathe.openings == 5 and lathe.skills == ["数控车床", "FANUC", "五险一金"]
    assert lathe.description == "岗位职责：\n\n1. 按图纸加工零件\n2. 首件自检\n\n任职要求：中专及以上，能看懂机械图纸。"
    assert lathe.posted_on == dt.date(2026, 3, 2) and lathe.address == "昆山市开发区前进东路 100 号"
    apprentice = by_id["102"]  # JSON-LD first: its salary and employer, selectors for the rest
    assert apprentice.employer_name == "苏州顺达汽车服务有限公司" and apprentice.salary.currency == "CNY"
    assert apprentice.employment_type is EmploymentType.INTERN and apprentice.valid_through == dt.date(2099, 12, 31)
    assert apprentice.experience_years == 0 and apprentice.education is EducationLevel.JUNIOR_SECONDARY
    electrician = by_id["103"]
    assert electrician.openings is None and not electrician.salary.known and electrician.region_code == "310115"
    assert electrician.experience_years == 3 and electrician.description == "* 持低压电工证\n* 负责厂区配电维护"
    assert by_id["105"].salary.min_monthly == 4350 and by_id["105"].region_code == "120116"


async def test_second_crawl_uses_conditional_requests(site: Site) -> None:
    config = load_board("example_cn", base_url=site.url())
    async with Fetcher(FAST) as fetcher:
        first = await crawl_board(config, fetcher)
        second = await crawl_board(config, fetcher)
    assert len(first.items) == 4 and second.items == []
    assert sorted(u.rsplit("/", 1)[1] for u in second.not_modified) == ["101.html", "102.html", "103.html", "105.html"]
    assert second.list_pages == 2  # list pages are always fetched in full


async def test_a_failing_start_page_is_recorded(site: Site) -> None:
    config = load_board("example_cn", base_url=site.url())
    config.start_urls = ["/jobs/missing.html", "/jobs/list_2.html"]
    async with Fetcher(FAST) as fetcher:
        result = await crawl_board(config, fetcher)
    assert result.failed[0][1] == "HTTP 404" and result.list_pages == 2  # list_2 → list_1 still crawled


def test_board_config_errors(tmp_path: Path) -> None:
    with pytest.raises(BoardConfigError, match="no board 'nope'"):
        load_board("nope")
    with pytest.raises(BoardConfigError, match="missing key 'list'"):
        parse_board({"name": "x", "base_url": "http://127.0.0.1"})
    base = {"name": "x", "base_url": "http://127.0.0.1", "list": {"item_links": "a::attr(href)"}}
    with pytest.raises(BoardConfigError, match="unknown detail.fields \\['salary'\\]"):
        parse_board({**base, "detail": {"fields": {"salary": ".s::text"}}})
    with pytest.raises(BoardConfigError, match="unknown fetch settings"):
        parse_board({**base, "fetch": {"speed": "max"}})
    with pytest.raises(BoardConfigError, match="regex"):
        parse_board({**base, "detail": {"fields": {"title": {"css": "h1::text", "regex": "("}}}})
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(BoardConfigError, match="bad.json: not JSON"):
        load_board(bad)
    assert json.loads((Path(__file__).parents[2] / "scrapers" / "boards" / "example_cn.json").read_text())
