"""Crawl a configured board: list pages (with pagination) → detail pages → posting items.

A page that fails (HTTP error after the retries, robots.txt, timeout, unreadable) is recorded
with its URL and reason and the crawl goes on; nothing here stores anything. The items then go
through :func:`scrapers.pipeline.default_pipeline` like every other source.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from scrapers.boards.config import BoardConfig, FieldSpec
from scrapers.fetch import Fetcher, FetchError, FetchStats
from scrapers.items import Issue, PostingItem
from scrapers.jobposting.dates import DateError, closing_instant, local_date, parse_when
from scrapers.jobposting.page import closed_notice, postings_from_html
from scrapers.jobposting.text import html_to_text
from scrapers.urls import canonical_url

_SPLIT = re.compile(r"[、,，/|;；]")


@dataclass
class CrawlResult:
    """What one crawl saw. ``failed`` holds ``(url, reason)`` per page that could not be used;
    ``issues`` the same as :class:`Issue` rows (row = detail page number, column = URL) plus
    unreadable JSON-LD blocks, ready for the pipeline."""

    board: str
    items: list[PostingItem] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    list_pages: int = 0
    detail_pages: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: detail pages the server said are unchanged since the last crawl (HTTP 304)
    not_modified: list[str] = field(default_factory=list)
    #: links to other hosts found on list pages (not followed)
    off_site: list[str] = field(default_factory=list)
    fetch: FetchStats = field(default_factory=FetchStats)

    def records(self) -> list[PostingItem | Issue]:
        """Items and issues in one list, for :meth:`scrapers.pipeline.Pipeline.run`."""
        return [*self.issues, *self.items]


def select_field(selector: Selector, spec: FieldSpec) -> str | None:
    """The text a field spec selects in a page (``None`` when nothing matches)."""
    if spec.html:
        parts = [html_to_text(h) for h in selector.css(spec.css).getall()]
    else:
        parts = [" ".join(t.split()) for t in selector.css(spec.css).getall()]
    text = spec.join.join(p for p in parts if p).strip()
    if spec.regex is not None:
        m = spec.regex.search(text)
        text = m.group(1) if m else ""
    return text or None


def item_from_detail(page: str, url: str, config: BoardConfig, row: int) -> PostingItem | Issue:
    """One detail page → an item: its JobPosting data (when ``use_jsonld``) with the configured
    selectors filling fields it lacks, or the selectors alone. ``external_id`` is the URL's
    ``url_regex`` group when configured, else the JSON-LD identifier, else the canonical URL."""
    item: PostingItem | None = None
    issues: list[Issue] = []
    if config.use_jsonld:
        for record in postings_from_html(
            page, source=config.name, page_url=url, timezone=config.timezone, default_country=config.country
        ):
            if isinstance(record, PostingItem) and item is None:
                item = record
            elif isinstance(record, Issue):
                issues.append(record)
    if item is None:
        item = PostingItem(
            source=config.name,
            external_id="",
            row=row,
            title="",
            employer_name=None,
            country=config.country,
            source_url=canonical_url(url),
        )
    item.row = row
    selector = Selector(text=page)
    for name, spec in config.fields.items():
        if getattr(item, name) not in (None, "", []):
            continue
        value = select_field(selector, spec)
        if value is None:
            continue
        item.columns.setdefault(name, spec.css)
        if name == "skills":
            item.skills = [s.strip() for s in _SPLIT.split(value) if s.strip()]
        elif name == "openings":
            item.openings = int(value) if value.isdigit() else None
        elif name in ("posted_on", "valid_through"):
            try:
                when = parse_when(value, config.timezone)
            except DateError as exc:
                item.warn(spec.css, str(exc))
                continue
            setattr(item, name, local_date(when, config.timezone))
            if name == "valid_through":
                item.expires_at = closing_instant(when, config.timezone)
        else:
            setattr(item, name, value)
    if item.closed_notice is None:
        item.closed_notice = closed_notice(page)
    if config.id_regex is not None and (m := config.id_regex.search(url)):
        item.external_id = m.group(1)
    elif not item.external_id:
        item.external_id = canonical_url(url) or url
    item.source_url = item.source_url or canonical_url(url)
    if item.location_text and not item.locations:
        item.locations = [item.location_text]
    item.warnings.extend(issues)
    return item


async def crawl_board(
    config: BoardConfig, fetcher: Fetcher | None = None, progress: Callable[[str, int, int | None], None] | None = None
) -> CrawlResult:
    """Crawl ``config``: follow ``next_page`` links from each start URL (at most ``max_pages``
    list pages each, never the same page twice), then fetch every detail page once (by its URL
    without tracking parameters). Links to hosts other than ``base_url``'s are not followed.

    ``fetcher`` defaults to a :class:`~scrapers.fetch.Fetcher` with the board's ``fetch`` policy.
    Never raises for a page; a start URL that fails is recorded like any other page.
    ``progress(phase, done, total)`` is told the list pages read (``lists``, total unknown) and the
    detail pages fetched (``pages``).
    """
    tell = progress or (lambda phase, done, total: None)
    own = fetcher is None
    fetcher = fetcher or Fetcher(config.fetch)
    result = CrawlResult(board=config.name)
    try:
        details: dict[str, str] = {}
        home = urlsplit(config.base_url).netloc
        for start in config.start_urls:
            url: str | None = urljoin(config.base_url + "/", start)
            seen_lists: set[str] = set()
            while url and url not in seen_lists and len(seen_lists) < config.max_pages:
                seen_lists.add(url)
                try:
                    page = await fetcher.get(url, conditional=False)  # links are needed every time
                except FetchError as exc:
                    result.failed.append((url, exc.reason))
                    result.issues.append(Issue(0, url, f"list page skipped: {exc.reason}"))
                    break
                result.list_pages += 1
                tell("lists", result.list_pages, None)
                selector = Selector(text=page.text)
                for href in selector.css(config.item_links).getall():
                    link = canonical_url(urljoin(page.url, href.strip())) or ""
                    if urlsplit(link).netloc != home:
                        result.off_site.append(link)  # never leave the board's host
                        continue
                    details.setdefault(link, link)
                nxt = selector.css(config.next_page).get() if config.next_page else None
                url = urljoin(page.url, nxt.strip()) if nxt else None
                if url and urlsplit(url).netloc != home:
                    result.off_site.append(url)
                    url = None
        for number, link in enumerate(details.values(), start=1):
            tell("pages", number - 1, len(details))
            try:
                page = await fetcher.get(link)
            except FetchError as exc:
                result.failed.append((link, exc.reason))
                result.issues.append(Issue(number, link, f"detail page skipped: {exc.reason}"))
                continue
            result.detail_pages += 1
            if page.not_modified:
                result.not_modified.append(link)
                continue
            record = item_from_detail(page.text, page.url, config, number)
            if isinstance(record, Issue):
                result.issues.append(record)
            else:
                result.items.append(record)
        tell("pages", len(details), len(details))
    finally:
        result.fetch = fetcher.stats
        if own:
            await fetcher.__aexit__(None, None, None)
    return result
