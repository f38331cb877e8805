"""Polite fetching against a real HTTP server on loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from scrapers.fetch import Disallowed, Fetcher, FetchError, FetchPolicy, decode_body, retry_after_seconds
from tests.scrapers.loopback_site import Site

#: Short waits, but a generous timeout: these tests count the requests the site answers, and on a loaded
#: machine a loopback answer took over 0.5 s — a timed-out try never reached the site's counter, so
#: "first try + 2 retries" counted 2 (test_timeout_redirect_loop_size_and_404 has its own short timeout).
FAST = FetchPolicy(min_delay=0, timeout=10, retries=2, backoff_base=0.05, backoff_max=0.1)


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as s:
        yield s


async def test_retry_after_is_honoured(site: Site) -> None:
    async with Fetcher(FAST) as f:
        started = time.monotonic()
        page = await f.get(site.url("/retry-after"))
        assert page.status == 200 and page.text == "ok"
        assert time.monotonic() - started >= 0.95  # waited the Retry-After second
        assert f.stats.retries == 1 and site.hits["/retry-after"] == 2


async def test_5xx_then_success_and_persistent_5xx(site: Site) -> None:
    async with Fetcher(FAST) as f:
        assert (await f.get(site.url("/flaky"))).text == "好了"
        with pytest.raises(FetchError, match="HTTP 503 \\(after 2 retries\\)"):
            await f.get(site.url("/always-503"))
    assert site.hits["/always-503"] == 3  # first try + 2 retries


async def test_timeout_redirect_loop_size_and_404(site: Site) -> None:
    policy = FetchPolicy(min_delay=0, timeout=0.3, retries=1, backoff_base=0.01, max_bytes=1_000_000)
    async with Fetcher(policy) as f:
        with pytest.raises(FetchError, match="timed out"):
            await f.get(site.url("/slow"))
        with pytest.raises(FetchError, match="redirect"):
            await f.get(site.url("/loop"))
        with pytest.raises(FetchError, match="larger than 1000000 bytes"):
            await f.get(site.url("/big"))
        with pytest.raises(FetchError, match="HTTP 404"):
            await f.get(site.url("/gone"))
    assert site.hits["/slow"] == 2 and site.hits["/gone"] == 1  # a 404 is not retried


async def test_robots_user_agent_and_conditional_requests(site: Site) -> None:
    async with Fetcher(FAST) as f:
        with pytest.raises(Disallowed):
            await f.get(site.url("/private/job/999.html"))
        first = await f.get(site.url("/job/101.html"))
        assert "数控车床操作工" in first.text and not first.not_modified
        second = await f.get(site.url("/job/101.html"))
        assert second.not_modified and second.status == 304 and f.stats.not_modified == 1
        unconditional = await f.get(site.url("/job/101.html"), conditional=False)
        assert unconditional.status == 200
    assert site.hits["/private/job/999.html"] == 0 and site.hits["/robots.txt"] == 1
    assert all(h["User-Agent"].startswith("vocmatch-crawler/") for _, h in site.log)
    assert site.log[2][1].get("If-None-Match") and "If-None-Match" not in site.log[3][1]


async def test_rate_limit_and_crawl_delay() -> None:
    with Site(robots="User-agent: *\nCrawl-delay: 0.3\n") as site:
        async with Fetcher(FetchPolicy(min_delay=0.1)) as f:
            started = time.monotonic()
            for _ in range(3):
                await f.get(site.url("/job/103.html"), conditional=False)
            assert time.monotonic() - started >= 0.85  # robots + 3 pages, 0.3 s apart


@pytest.mark.parametrize(
    ("robots", "status", "allowed"),
    [
        ("", 200, True),  # an empty robots.txt allows everything
        ("not found", 404, True),  # so does a missing one
        ("error", 503, False),  # an unavailable one disallows the host (RFC 9309)
        ("User-agent: vocmatch-crawler\nDisallow: /\n", 200, False),  # our User-Agent named
    ],
)
async def test_robots_answers(robots: str, status: int, allowed: bool) -> None:
    with Site(robots=robots, robots_status=status) as site:
        async with Fetcher(FAST) as f:
            assert await f.allowed(site.url("/job/101.html")) is allowed
            if not allowed:
                with pytest.raises(Disallowed):
                    await f.get(site.url("/job/101.html"))
        assert site.hits["/job/101.html"] == 0 or allowed


def test_retry_after_and_decoding() -> None:
    assert retry_after_seconds("5") == 5 and retry_after_seconds(None) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert retry_after_seconds("soon") is None
    gbk = "<meta charset=gbk><p>焊工</p>".encode("gb18030")
    assert "焊工" in decode_body(gbk, "text/html")
    assert decode_body("焊工".encode("gb18030"), None) == "焊工"
    assert decode_body("焊工".encode(), "text/html; charset=utf-8") == "焊工"
