"""One HTML page (or a JSON-LD document) → posting items, with an issue per unreadable block.

Each item's ``row`` is the line of the page where its ``<script>`` block (or microdata element)
starts, so a warning reads "line 17, baseSalary: …". ``columns`` maps item fields to the
schema.org property names, which is what a board author sees in the page.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from scrapers.items import Issue, PlaceItem, PostingItem
from scrapers.jobposting.dates import DateError, closing_instant, local_date, parse_when
from scrapers.jobposting.extract import Node, find_nodes, postings_in_json
from scrapers.jobposting.lenient import LenientJSONError, loads_lenient
from scrapers.jobposting.salary import parse_base_salary
from scrapers.jobposting.text import clean_line, html_to_text
from scrapers.jobposting.values import (
    as_list,
    education,
    employment_types,
    experience,
    main_employment_type,
    places,
    text_of,
)
from scrapers.urls import canonical_url
from vocab import TIMEZONE

COLUMNS = {
    "title": "title",
    "employer_name": "hiringOrganization",
    "description": "description",
    "salary_text": "baseSalary",
    "location_text": "jobLocation",
    "address": "jobLocation",
    "education_text": "educationRequirements",
    "experience_text": "experienceRequirements",
    "external_id": "identifier",
    "posted_on": "datePosted",
    "valid_through": "validThrough",
    "employment_type": "employmentType",
    "employer_industry": "industry",
}


#: what a board writes on the page of a vacancy it no longer fills (Chinese and English boards)
CLOSED_NOTICE = re.compile(
    r"(该?(?:职位|岗位)(?:已|已经)(?:关闭|下线|结束|失效|过期|暂停招聘|停止招聘|招满|满员))|(?:已停止招聘|停止招聘了|招聘已结束|"
    r"已结束招聘|本职位已下架)|(?:this (?:job|position|posting) (?:is no longer available|has (?:been )?(?:closed|"
    r"filled|expired)))|(?:no longer accepting applications)",
    re.IGNORECASE,
)


def closed_notice(page: str) -> str | None:
    """The words on a page (its visible text, scripts and styles left out) saying the vacancy is
    closed, or ``None``."""
    try:
        root = lxml.html.document_fromstring(page)
    except (etree.ParserError, ValueError):
        return None
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    text = " ".join(root.text_content().split())
    m = CLOSED_NOTICE.search(text)
    return m.group(0) if m else None


_REFERENCE_NAME = re.compile(r"requisition|req\b|reference|ref\b|job\s*(?:id|number|no)|编号|编码|工号", re.IGNORECASE)


def _reference(value: Any, employer: str | None) -> str | None:
    """The employer's requisition number in ``identifier``: a ``PropertyValue`` whose ``name``
    is the hiring organisation (Google's JobPosting guidelines) or says requisition/reference/编号.
    A bare identifier is the board's own id, not the employer's."""
    for v in as_list(value):
        if not isinstance(v, dict):
            continue
        name = str(v.get("name") or v.get("propertyID") or "").strip()
        number = str(v.get("value") or v.get("@value") or "").strip()
        if number and name and ((employer and name.casefold() == employer.casefold()) or _REFERENCE_NAME.search(name)):
            return number[:100]
    return None


def _identifier(value: Any) -> str | None:
    for v in as_list(value):
        if isinstance(v, dict):
            v = v.get("value") or v.get("@value") or v.get("name")
        if v is not None and str(v).strip():
            return str(v).strip()[:200]
    return None


def _fallback_id(*parts: str | None) -> str:
    joined = "\x1f".join(p or "" for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


def posting_from_node(
    node: Node, *, source: str, page_url: str | None = None, timezone: str = TIMEZONE, default_country: str = "CN"
) -> PostingItem:
    """A :class:`PostingItem` from one ``JobPosting`` node; problems become item warnings.

    ``external_id``: ``identifier`` (text or ``PropertyValue.value``), else the posting's ``url``
    (tracking parameters removed), else a SHA-256 of employer, title, first location and
    ``datePosted``. The raw amounts stay in ``salary`` (with ``currency``); texts are cleaned
    of HTML. ``timezone`` (IANA) reads naive datetimes and closes date-only ``validThrough``.
    """
    d = node.data
    title = clean_line(text_of(d.get("title")) or text_of(d.get("name")) or "")
    employer = text_of(d.get("hiringOrganization"))
    found_places = places(d.get("jobLocation"))
    own_url = text_of(d.get("url"))
    if own_url and page_url:
        own_url = urljoin(page_url, own_url)
    own_url = canonical_url(own_url)
    url = own_url or canonical_url(page_url)
    first = found_places[0] if found_places else None
    external_id = _identifier(d.get("identifier")) or (own_url[:200] if own_url else None)
    if external_id is None:
        external_id = _fallback_id(employer, title, first.text if first else None, str(d.get("datePosted") or ""))
    country = first.country if first and first.country else default_country
    item = PostingItem(
        source=source,
        external_id=external_id,
        row=node.line,
        title=title,
        employer_name=employer,
        country=country,
        source_url=url,
        columns=dict(COLUMNS),
        reference=_reference(d.get("identifier"), employer),
    )
    parts = [
        html_to_text(
            d.get("description")
            if not isinstance(d.get("description"), list)
            else "\n".join(map(str, d["description"]))
        )
    ]
    for prop, heading in (("responsibilities", "岗位职责"), ("qualifications", "任职要求")):
        if extra := html_to_text(" ".join(map(str, as_list(d.get(prop))))):
            parts.append(f"{heading}：\n{extra}")
    item.description = "\n\n".join(p for p in parts if p)
    item.locations = [p.text for p in found_places]
    item.places = [
        PlaceItem(p.text, p.street)
        if (p.country or country) == "CN"
        else PlaceItem(p.text, p.street, province=p.region, city=p.locality)
        for p in found_places
    ]
    if first is not None:
        item.address = first.street
        if country == "CN":
            item.location_text = first.text
        else:
            item.city, item.province = first.locality, first.region
    elif d.get("jobLocationType") == "TELECOMMUTE":
        item.warn("jobLocation", "remote job (TELECOMMUTE) without a location")
    salary, messages = parse_base_salary(d.get("baseSalary"))
    if salary is not None:
        salary.currency = salary.currency or (text_of(d.get("salaryCurrency")) or "").upper() or None
        item.salary, item.salary_text = salary, salary.text or None
    for message in messages:
        item.warn("baseSalary", message)
    kinds = employment_types(d.get("employmentType"))
    item.employment_type = main_employment_type(kinds)
    if d.get("employmentType") and not kinds:
        item.warn("employmentType", f"{d.get('employmentType')!r} is not a schema.org employment type")
    item.education_text, level = education(d.get("educationRequirements"))
    item.education = level
    if level is not None:
        item.education_text = None  # already a level; the text parser would not know English categories
    item.experience_text, years = experience(d.get("experienceRequirements"))
    if years is not None:
        item.experience_years, item.experience_text = years, None
    item.employer_industry = text_of(d.get("industry"))
    item.skills = [s for v in as_list(d.get("skills")) for s in _split(text_of(v) or "")]
    if (openings := d.get("totalJobOpenings")) is not None:
        try:
            item.openings = max(1, int(float(str(openings))))
        except ValueError:
            item.warn("totalJobOpenings", f"{openings!r} is not a number")
    _dates(item, d, timezone)
    return item


def _split(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"[,，、;；/|]", text) if s.strip()]


def _dates(item: PostingItem, d: dict[str, Any], timezone: str) -> None:
    for prop in ("datePosted", "validThrough"):
        raw = d.get(prop)
        if raw in (None, ""):
            continue
        try:
            when = parse_when(raw, timezone)
        except DateError as exc:
            item.warn(prop, str(exc))
            continue
        if prop == "datePosted":
            item.posted_on = local_date(when, timezone)
        else:
            item.expires_at = closing_instant(when, timezone)
            item.valid_through = local_date(when, timezone)


def postings_from_html(
    page: str, *, source: str, page_url: str | None = None, timezone: str = TIMEZONE, default_country: str = "CN"
) -> list[PostingItem | Issue]:
    """Every JobPosting of an HTML page as items, plus an :class:`Issue` (row = line) per broken
    JSON-LD block. A page that is itself JSON (starts with ``{`` or ``[``) is read as one block.
    A page holding one posting whose visible text says it is closed (:data:`CLOSED_NOTICE`) sets the
    item's ``closed_notice``."""
    stripped = page.lstrip("\ufeff").lstrip()
    if stripped.startswith(("{", "[")):
        try:
            nodes = [Node(n, 1, "json-ld") for n in postings_in_json(loads_lenient(stripped))]
        except LenientJSONError as exc:
            return [Issue(1, "JSON-LD", str(exc))]
        errors = []
    else:
        nodes, block_errors = find_nodes(page)
        errors = [Issue(e.line, "JSON-LD", f"block at line {e.line} skipped: {e.message}") for e in block_errors]
    postings = [
        posting_from_node(node, source=source, page_url=page_url, timezone=timezone, default_country=default_country)
        for node in nodes
    ]
    if len(postings) == 1 and not stripped.startswith(("{", "[")) and (notice := closed_notice(page)):
        postings[0].closed_notice = notice  # a page of one vacancy that says it is closed
    return [*errors, *postings]


class JsonLdFile:
    """A saved page (``.html``/``.htm``/``.json``/``.jsonld``) as a pipeline source: yields its
    postings and an :class:`Issue` per unreadable block. ``rows_read`` counts both. The file's
    own path is not a source URL: only a posting's ``url``, or the address the page was saved from
    (:func:`scrapers.sites.saved_page_url`), is kept.

    Each posting's ``source`` is the site it came from (:func:`scrapers.sites.source_for`: a
    configured board's name, else the registrable domain such as ``51job.com``), so pages saved
    from two boards are two sources whose shared vacancies merge; without any URL it is ``source``
    (default ``jsonld``)."""

    def __init__(self, path: Path, source: str = "jsonld", timezone: str = TIMEZONE) -> None:
        self.path, self.name, self.timezone = Path(path), source, timezone
        self.rows_read = 0

    def __iter__(self) -> Iterator[PostingItem | Issue]:
        from scrapers.csvio import read_text
        from scrapers.sites import board_listing_id, board_sites, saved_page_url, source_for

        text, _ = read_text(self.path)
        page_url = saved_page_url(text)
        for record in postings_from_html(text, source=self.name, page_url=page_url, timezone=self.timezone):
            self.rows_read += 1
            if isinstance(record, PostingItem):
                record.source = source_for(record.source_url, self.name)
                if record.source in board_sites().values():  # a crawled board's page: the crawl's id
                    record.external_id = board_listing_id(record.source, record.source_url) or record.external_id
            yield record
