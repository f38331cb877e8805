"""Board configuration: a JSON file describing a site with CSS selectors (parsel syntax).

Shape (``example_cn.json`` is a complete example)::

    {
      "name": "example_cn",                  # stored as the postings' source (≤ 32 characters)
      "base_url": "https://jobs.example.cn",  # start URLs and links are resolved against it
      "start_urls": ["/jobs/list?page=1"],
      "country": "CN", "timezone": "Asia/Shanghai",
      "list": {"item_links": "ul.job-list a.job-name::attr(href)",
               "next_page": "a.next-page::attr(href)", "max_pages": 20},
      "detail": {"use_jsonld": true,          # a page's JobPosting data first, selectors fill the gaps
                 "external_id": {"url_regex": "/job/(\\\\d+)\\\\.html"},
                 "fields": {"title": "h1.job-name::text", "description": {"css": "div.job-desc", "html": true},
                            "salary_text": ".salary::text", "...": "..."}},
      "fetch": {"min_delay": 2.0, "max_per_host": 2}   # any FetchPolicy field
    }

A field is a selector string (``::text`` / ``::attr(x)``; every match is joined with a space) or
an object: ``css`` (the selector), ``html`` (take the element's HTML and convert it to text with
line breaks), ``regex`` (keep group 1 of the first match), ``join`` (separator, default " ").
Fields are :class:`~scrapers.items.PostingItem` attributes: title, employer_name, description,
salary_text, location_text, address, education_text, experience_text, employer_industry,
posted_on, valid_through, openings, skills (split on 、,，/).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from scrapers.fetch import FetchPolicy
from vocab import TIMEZONE

BOARDS_DIR = Path(__file__).parent
FIELDS = (
    "title",
    "employer_name",
    "description",
    "salary_text",
    "location_text",
    "address",
    "education_text",
    "experience_text",
    "employer_industry",
    "posted_on",
    "valid_through",
    "openings",
    "skills",
)


class BoardConfigError(ValueError):
    """A board file that is not valid: the message names the file and the key."""


@dataclass(frozen=True)
class FieldSpec:
    css: str
    html: bool = False
    regex: re.Pattern[str] | None = None
    join: str = " "


@dataclass
class BoardConfig:
    """A parsed board file (see the module documentation for the JSON shape)."""

    name: str
    base_url: str
    start_urls: list[str]
    item_links: str
    next_page: str | None = None
    max_pages: int = 20
    use_jsonld: bool = True
    id_regex: re.Pattern[str] | None = None
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    country: str = "CN"
    timezone: str = TIMEZONE
    fetch: FetchPolicy = field(default_factory=FetchPolicy)


def _field(name: str, raw: Any, where: str) -> FieldSpec:
    if isinstance(raw, str):
        return FieldSpec(css=raw)
    if not isinstance(raw, dict) or not isinstance(raw.get("css"), str):
        raise BoardConfigError(f'{where}: detail.fields.{name} must be a selector or {{"css": …}}')
    try:
        regex = re.compile(raw["regex"]) if raw.get("regex") else None
    except re.error as exc:
        raise BoardConfigError(f"{where}: detail.fields.{name}.regex: {exc}") from None
    return FieldSpec(css=raw["css"], html=bool(raw.get("html")), regex=regex, join=str(raw.get("join", " ")))


def parse_board(data: dict[str, Any], where: str = "board") -> BoardConfig:
    """Validate a board dict. Raises :class:`BoardConfigError` naming the bad key."""
    try:
        name, base_url = str(data["name"]), str(data["base_url"])
        listing = data["list"]
        item_links = str(listing["item_links"])
    except (KeyError, TypeError) as exc:
        raise BoardConfigError(f"{where}: missing key {exc}") from None
    if not name or len(name) > 32:
        raise BoardConfigError(f"{where}: name must be 1–32 characters (it is the postings' source)")
    detail = data.get("detail", {})
    unknown = set(detail.get("fields", {})) - set(FIELDS)
    if unknown:
        raise BoardConfigError(f"{where}: unknown detail.fields {sorted(unknown)}; known: {', '.join(FIELDS)}")
    known_policy = {f.name for f in fields(FetchPolicy)}
    bad_policy = set(data.get("fetch", {})) - known_policy
    if bad_policy:
        raise BoardConfigError(f"{where}: unknown fetch settings {sorted(bad_policy)}")
    id_regex = (detail.get("external_id") or {}).get("url_regex")
    return BoardConfig(
        name=name,
        base_url=base_url,
        start_urls=list(data.get("start_urls") or ["/"]),
        item_links=item_links,
        next_page=listing.get("next_page"),
        max_pages=int(listing.get("max_pages", 20)),
        use_jsonld=bool(detail.get("use_jsonld", True)),
        id_regex=re.compile(id_regex) if id_regex else None,
        fields={k: _field(k, v, where) for k, v in detail.get("fields", {}).items()},
        country=str(data.get("country", "CN")),
        timezone=str(data.get("timezone", TIMEZONE)),
        fetch=FetchPolicy(**data.get("fetch", {})),
    )


def load_board(name_or_path: str | Path, base_url: str | None = None) -> BoardConfig:
    """A board by name (``scrapers/boards/NAME.json``) or path; ``base_url`` overrides the file's
    (to crawl a saved copy of the site, e.g. in tests). Raises :class:`BoardConfigError`."""
    path = Path(name_or_path)
    if not path.suffix:
        path = BOARDS_DIR / f"{name_or_path}.json"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in BOARDS_DIR.glob("*.json")))
        raise BoardConfigError(f"no board {str(name_or_path)!r} (boards: {known})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise BoardConfigError(f"{path.name}: not JSON ({exc})") from None
    if base_url is not None:
        data["base_url"] = base_url
    return parse_board(data, path.name)
