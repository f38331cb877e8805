"""Polite HTTP fetching for crawls (async httpx).

* **robots.txt** is read once per host (:mod:`protego`); a disallowed URL raises
  :class:`Disallowed` without a request. A missing robots.txt (4xx) allows everything; one that
  cannot be fetched (5xx, timeout) disallows the host for this crawl, as RFC 9309 §2.3.1.4 advises.
* **Rate limit per host**: at least ``min_delay`` seconds between two requests to one host (or
  the robots.txt ``Crawl-delay``, when larger), and at most ``max_per_host`` requests at once.
* **Retries** (:mod:`tenacity`): timeouts, connection errors, 429 and 5xx are retried up to
  ``retries`` times with exponential backoff and jitter; a ``Retry-After`` (seconds or an HTTP
  date, RFC 9110 §10.2.3) is honoured, capped at ``max_retry_after``.
* **Conditional requests**: ETag / Last-Modified of earlier responses (kept in ``validators``,
  which a caller may persist between crawls) are sent back; a 304 gives ``not_modified``.
* **Limits**: a timeout per request, at most ``max_redirects`` redirects (a redirect loop is an
  error), at most ``max_bytes`` of body (larger responses are cut off with an error).
* An identifying **User-Agent** with a contact URL.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
from protego import Protego
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

USER_AGENT = "vocmatch-crawler/0.1 (+https://github.com/vocmatch/vocmatch; job matching for vocational graduates)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_\-]+)""", re.IGNORECASE)


class FetchError(Exception):
    """A page that could not be fetched; ``reason`` says why (status, timeout, size, loop …)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason = url, reason


class Disallowed(FetchError):
    """robots.txt forbids the URL for our User-Agent."""


class _Retryable(Exception):
    def __init__(self, url: str, reason: str, retry_after: float | None = None) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.retry_after = url, reason, retry_after


@dataclass
class FetchPolicy:
    """How politely to fetch. Times in seconds, sizes in bytes."""

    user_agent: str = USER_AGENT
    timeout: float = 20.0
    min_delay: float = 2.0
    max_per_host: int = 2
    retries: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    max_retry_after: float = 120.0
    max_redirects: int = 5
    max_bytes: int = 5_000_000
    obey_robots: bool = True


@dataclass
class Page:
    """A fetched page: final URL, status, decoded text (``""`` when ``not_modified``)."""

    url: str
    status: int
    text: str
    headers: dict[str, str]
    not_modified: bool = False


@dataclass
class FetchStats:
    """Counts for one crawl: HTTP requests made (retries and robots.txt included), retries,
    pages fetched, 304s and failures."""

    requests: int = 0
    retries: int = 0
    pages: int = 0
    not_modified: int = 0
    failures: int = 0


@dataclass
class _Host:
    semaphore: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last: float = 0.0
    robots: Protego | None = None
    robots_error: str | None = None
    robots_loaded: bool = False


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; ``None`` if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


def decode_body(body: bytes, content_type: str | None) -> str:
    """Text of a response: the header's charset, else a ``<meta charset>``, else UTF-8, else GB18030."""
    candidates: list[str] = []
    if content_type and "charset=" in content_type.lower():
        candidates.append(content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'"))
    if m := _META_CHARSET.search(body[:4096]):
        candidates.append(m.group(1).decode("ascii").lower())
    candidates += ["utf-8", "gb18030"]
    for encoding in candidates:
        encoding = "gb18030" if encoding in ("gb2312", "gbk") else encoding
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return body.decode("utf-8", errors="replace")


class Fetcher:
    """An async HTTP client that follows :class:`FetchPolicy`. Use as ``async with Fetcher() as f``.

    ``sleep`` is :func:`asyncio.sleep` (replaceable for tests of timing, not needed otherwise).
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        validators: dict[str, dict[str, str]] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.policy = policy or FetchPolicy()
        self.validators = validators if validators is not None else {}
        self.stats = FetchStats()
        self._sleep = sleep
        self._hosts: dict[str, _Host] = {}
        self._client = httpx.AsyncClient(
            headers={"User-Agent": self.policy.user_agent, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"},
            timeout=self.policy.timeout,
            follow_redirects=True,
            max_redirects=self.policy.max_redirects,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

    def _host(self, url: str) -> _Host:
        key = urlsplit(url).netloc.lower()
        if key not in self._hosts:
            self._hosts[key] = _Host(asyncio.Semaphore(self.policy.max_per_host))
        return self._hosts[key]

    async def _wait_turn(self, host: _Host) -> None:
        delay = self.policy.min_delay
        if host.robots is not None and (crawl_delay := host.robots.crawl_delay(self.policy.user_agent)):
            delay = max(delay, float(crawl_delay))
        async with host.lock:
            wait = host.last + delay - time.monotonic()
            if wait > 0:
                await self._sleep(wait)
            host.last = time.monotonic()

    async def _load_robots(self, url: str, host: _Host) -> None:
        if host.robots_loaded:
            return
        parts = urlsplit(url)
        robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
        try:
            await self._wait_turn(host)
            self.stats.requests += 1
            response = await self._client.get(robots_url)
            if response.status_code >= 500:
                host.robots_error = f"robots.txt answered {response.status_code}; host not crawled"
            elif response.status_code >= 400:
                host.robots = Protego.parse("")
            else:
                host.robots = Protego.parse(
                    decode_body(response.content[:500_000], response.headers.get("content-type"))
                )
        except httpx.HTTPError as exc:
            host.robots_error = f"robots.txt unreachable ({type(exc).__name__}); host not crawled"
        host.robots_loaded = True

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt lets our User-Agent fetch ``url`` (loads robots.txt once per host)."""
        if not self.policy.obey_robots:
            return True
        host = self._host(url)
        await self._load_robots(url, host)
        return (
            host.robots_error is None and host.robots is not None and host.robots.can_fetch(url, self.policy.user_agent)
        )

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, self.policy.max_retry_after)
        backoff = self.policy.backoff_base * 2 ** (state.attempt_number - 1)
        return min(self.policy.backoff_max, backoff) * random.uniform(0.5, 1.0)  # jitter

    async def get(self, url: str, conditional: bool = True) -> Page:
        """Fetch ``url`` politely. Returns the page (``not_modified`` on a 304, only possible
        when ``conditional`` and an earlier response gave an ETag or Last-Modified).

        Raises:
            Disallowed: robots.txt forbids it (or robots.txt failed with 5xx / no answer).
            FetchError: a 4xx, a 5xx/429/timeout still failing after the retries, a redirect loop
                or more than ``max_redirects`` redirects, or a body over ``max_bytes``.
        """
        host = self._host(url)
        if not await self.allowed(url):
            self.stats.failures += 1
            raise Disallowed(url, host.robots_error or "disallowed by robots.txt")
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    if attempt.retry_state.attempt_number > 1:
                        self.stats.retries += 1
                    page = await self._once(url, host, conditional)
        except _Retryable as exc:
            self.stats.failures += 1
            raise FetchError(url, f"{exc.reason} (after {self.policy.retries} retries)") from None
        except FetchError:
            self.stats.failures += 1
            raise
        if page.not_modified:
            self.stats.not_modified += 1
        else:
            self.stats.pages += 1
        return page

    async def _once(self, url: str, host: _Host, conditional: bool) -> Page:
        headers = {}
        known = self.validators.get(url, {}) if conditional else {}
        if etag := known.get("etag"):
            headers["If-None-Match"] = etag
        if modified := known.get("last-modified"):
            headers["If-Modified-Since"] = modified
        async with host.semaphore:
            await self._wait_turn(host)
            self.stats.requests += 1
            try:
                async with self._client.stream("GET", url, headers=headers) as response:
                    status = response.status_code
                    if status in RETRY_STATUSES:
                        raise _Retryable(
                            url, f"HTTP {status}", retry_after_seconds(response.headers.get("retry-after"))
                        )
                    if status == 304:
                        return Page(str(response.url), 304, "", dict(response.headers), not_modified=True)
                    if status >= 400:
                        raise FetchError(url, f"HTTP {status}")
                    body = bytearray()
                    async for chunk in response.aiter_bytes():
                        body += chunk
                        if len(body) > self.policy.max_bytes:
                            raise FetchError(url, f"response larger than {self.policy.max_bytes} bytes")
            except httpx.TooManyRedirects:
                raise FetchError(url, f"more than {self.policy.max_redirects} redirects (a redirect loop?)") from None
            except httpx.TimeoutException as exc:
                raise _Retryable(url, f"timed out after {self.policy.timeout:g} s ({type(exc).__name__})") from None
            except httpx.TransportError as exc:
                raise _Retryable(url, f"connection failed ({type(exc).__name__})") from None
        new = {k: response.headers[k] for k in ("etag", "last-modified") if k in response.headers}
        if new:
            self.validators[url] = new
        return Page(
            str(response.url),
            status,
            decode_body(bytes(body), response.headers.get("content-type")),
            dict(response.headers),
        )
