"""Which site a page or posting came from, as a postings ``source``.

A saved page imported as a file is stored under its site, so the same vacancy saved from two
boards is recognised across them (:mod:`scrapers.dedupe`) while two pages of one board are one
board's listings. The site is the registrable domain of the posting's URL (``jobs.51job.com`` →
``51job.com``, by the Public Suffix List through :mod:`publicsuffixlist`, so ``hr.abc.com.cn`` →
``abc.com.cn``), or a configured board's name when the domain is that board's (a page saved from a
crawled board joins that board's listings, under the id the crawl gives it: :func:`board_listing_id`). The page's URL comes from the posting's ``url``, else
the page's ``<link rel="canonical">``, ``og:url`` or the ``<!-- saved from url=… -->`` mark browsers
write into saved pages. A page without any URL keeps the generic source ``jsonld``.
"""

from __future__ import annotations

import ipaddress
import json
import re
from functools import cache
from urllib.parse import urlsplit

SOURCE_LIMIT = 32
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)\s*(\S+?)\s*-->", re.IGNORECASE)


@cache
def _psl():  # the list is parsed once (about 10k rules)
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def site_of(url: str | None) -> str | None:
    """``https://jobs.51job.com/x`` → ``51job.com``; an IP address or single-label host as it is;
    ``None`` for no URL or one without a host."""
    if not url:
        return None
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return None
    if not host:
        return None
    try:
        ipaddress.ip_address(host)
        return host[:SOURCE_LIMIT]
    except ValueError:
        pass
    return (_psl().privatesuffix(host) or host)[:SOURCE_LIMIT]


@cache
def board_sites() -> dict[str, str]:
    """Site → board name for the boards configured in ``scrapers/boards`` (their ``base_url``)."""
    from scrapers.boards.config import BOARDS_DIR

    sites: dict[str, str] = {}
    for path in sorted(BOARDS_DIR.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if (site := site_of(str(data.get("base_url") or ""))) and data.get("name"):
            sites.setdefault(site, str(data["name"])[:SOURCE_LIMIT])
    return sites


def source_for(url: str | None, default: str = "jsonld") -> str:
    """The ``source`` of a posting found at ``url``: its board's name, else its site, else ``default``."""
    site = site_of(url)
    if site is None:
        return default
    return board_sites().get(site, site)


def saved_page_url(page: str) -> str | None:
    """The address a saved page came from: ``<link rel="canonical">``, ``og:url``, or the
    ``saved from url`` mark; ``None`` when the page names none."""
    head = page[:200_000]
    if m := _SAVED_FROM.search(head[:4000]):
        return m.group(1)
    import lxml.html

    try:
        root = lxml.html.document_fromstring(head)
    except (ValueError, lxml.etree.ParserError):
        return None
    for xpath in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        found = [v.strip() for v in root.xpath(xpath) if v.strip().startswith(("http://", "https://"))]
        if found:
            return found[0]
    return None


def board_listing_id(board: str, url: str | None) -> str | None:
    """The id a crawl of ``board`` gives the page at ``url`` (its ``external_id.url_regex`` group), so
    a saved page of a crawled board is the crawl's listing, not a second one; ``None`` without one."""
    from scrapers.boards.config import BoardConfigError, load_board

    if not url:
        return None
    try:
        config = load_board(board)
    except BoardConfigError:
        return None
    m = config.id_regex.search(url) if config.id_regex is not None else None
    return m.group(1) if m else None
