"""Store normalised posting items: employers by (source, name); postings by (source, external_id),
else by duplicate key, with every board a posting was seen on kept in ``posting_sources``.

Matching an item to a stored posting (:func:`store_postings`):

1. its ``(source, external_id)`` in ``posting_sources`` (or, for postings stored without a
   sources row, in ``postings``): the same listing seen again;
2. else its :attr:`~scrapers.items.PostingItem.duplicate_key` (employer, title and city, see
   :mod:`scrapers.dedupe`) equal to a posting's that has no listing from the same source yet:
   the same vacancy on another board, attached as a further source (``merged``). Two ids on one
   board are two postings (a board lists a vacancy once), and so are two listings whose
   requisition numbers differ (``posting_sources.reference``, :mod:`scrapers.dedupe`).

The source that first stored a posting stays its primary one (``postings.source``/``external_id``)
and its data wins; another source only fills fields the posting lacks (salary, location, dates…).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.dedupe import reference_key
from scrapers.items import PlaceItem, PostingItem, SalaryRange
from scrapers.urls import canonical_url
from service.config import TIMEZONE
from service.employers.models import Employer
from service.imports.regions import ensure_regions
from service.imports.report import ImportReport
from service.postings.models import Posting, PostingSource, PostingStatus
from service.postings.service import MAX_MONTHLY_SALARY
from vocab import EmploymentType, SalaryPeriod, to_monthly

BATCH = 500
_CURRENCY = {"CN": "CNY", "US": "USD"}


def salary_fields(salary: SalaryRange | None) -> dict[str, Any]:
    """Posting salary columns for a parsed salary.

    ``·N薪`` pay is stored as its annual total (period ``YEAR``, amount × N), which keeps
    ``salary_*_monthly == to_monthly(salary_*, salary_period)`` true; ``salary_text`` keeps
    the published form (``1-1.5万·13薪``). Pay above :data:`MAX_MONTHLY_SALARY` a month is kept
    as text only (unknown), like ``面议``.
    """
    if salary is None:
        return {
            "salary_min": None,
            "salary_max": None,
            "salary_period": None,
            "salary_text": None,
            "salary_min_monthly": None,
            "salary_max_monthly": None,
        }
    low, high, period = salary.minimum, salary.maximum, salary.period
    if salary.months_per_year and period == SalaryPeriod.MONTH:
        n = salary.months_per_year
        low = round(low * n, 2) if low is not None else None
        high = round(high * n, 2) if high is not None else None
        period = SalaryPeriod.YEAR
    monthly = (to_monthly(low, period), to_monthly(high, period))
    if any(m is not None and m > MAX_MONTHLY_SALARY for m in monthly):
        # an absurd amount (a typo, a misread unit) is unknown pay, not a stored figure
        return {
            "salary_min": None,
            "salary_max": None,
            "salary_period": None,
            "salary_text": salary.text[:100],
            "salary_min_monthly": None,
            "salary_max_monthly": None,
        }
    return {
        "salary_min": low,
        "salary_max": high,
        "salary_period": period,
        "salary_text": salary.text[:100],
        "salary_min_monthly": monthly[0],
        "salary_max_monthly": monthly[1],
    }


def posting_fields(item: PostingItem, employer_id: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """The Posting columns an item sets (``posted_on`` only when the source gives a date).

    Expiry: an item whose ``expires_at`` (schema.org ``validThrough``; a date-only value closes at
    the end of that local day) is not after ``now`` (default: the current time) is stored
    ``closed``; one whose closing time is still ahead is (re)opened. The salary currency is the
    one the source states, else CNY for Chinese and USD for US postings.
    """
    currency = (item.salary.currency if item.salary is not None and item.salary.currency else None) or _CURRENCY.get(
        item.country, "CNY"
    )
    fields: dict[str, Any] = {
        "title": item.title,
        "description": item.description,
        "employer_id": employer_id,
        "country": item.country,
        "region_code": item.region_code,
        "province": item.province,
        "city": item.city,
        "address": item.address,
        "salary_currency": currency[:3],
        "education_required": item.education,
        "experience_years": item.experience_years,
        "required_skills": list(item.skills),
        "employment_type": item.employment_type or EmploymentType.FULL_TIME,
        "openings": item.openings or 1,
        "source": item.source,
        "external_id": item.external_id,
        "duplicate_key": item.duplicate_key,
        "locations": [place_dict(p) for p in item.places],
        **salary_fields(item.salary),
    }
    if item.posted_on is not None:
        fields["posted_on"] = item.posted_on
    if item.valid_through is not None:
        fields["valid_through"] = item.valid_through
    if item.source_url:
        fields["source_url"] = item.source_url[:1000]
    if (status := stored_status(item, now).status) is not None:
        fields["status"] = status
    return fields


@dataclass(frozen=True)
class StoredStatus:
    """The status :func:`posting_fields` gives an item, in words.

    ``label``: ``open``; ``expired`` (its ``validThrough`` has passed: stored ``closed``); ``closed``
    (the page says the vacancy is closed: stored ``closed``). ``status`` is the stored value, ``None``
    when the item sets none (a new posting is ``open``; a stored one keeps its status). ``reason``
    says why. Staleness is never decided from one page: a posting is stale once its boards' completed
    crawls stop listing it (:mod:`service.crawling.staleness`).
    """

    label: str
    status: PostingStatus | None
    reason: str


def stored_status(item: PostingItem, now: dt.datetime | None = None, timezone: str = TIMEZONE) -> StoredStatus:
    """Whether ``item`` would be stored open or closed at ``now`` (aware, default the current time), and why."""
    now = now or dt.datetime.now(dt.UTC)
    if item.closed_notice:
        return StoredStatus("closed", PostingStatus.CLOSED, f"the page says {item.closed_notice!r}")
    if item.expires_at is not None:
        closes = item.expires_at.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")
        through = f"validThrough {item.valid_through.isoformat()}" if item.valid_through else "validThrough"
        if item.expires_at <= now:
            days = (now - item.expires_at).days
            return StoredStatus(
                "expired",
                PostingStatus.CLOSED,
                f"{through} has passed: closed since {closes} {timezone}"
                f"{f' ({days} days ago)' if days else ''}; stored closed, never recommended",
            )
        return StoredStatus("open", PostingStatus.OPEN, f"open until {through} ends ({closes} {timezone})")
    return StoredStatus(
        "open", None, "no validThrough: open while its boards list it (stale after completed crawls stop listing it)"
    )


_PLACE_LIMITS = {"region_code": 6, "province": 64, "city": 64, "district": 64, "address": 300}


def place_dict(place: PlaceItem) -> dict[str, str | None]:
    """A ``postings.locations`` entry ``{region_code, province, city, district, address}``,
    texts cut to the lengths of the matching posting columns."""
    return {k: (v[: _PLACE_LIMITS[k]] if isinstance(v, str) else v) for k, v in place.as_dict().items()}


async def _employers(
    session: AsyncSession, items: Sequence[PostingItem], report: ImportReport
) -> dict[tuple[str, str], int]:
    """Employer ids by (source, name), creating the missing ones (``verified=False``)."""
    wanted: dict[tuple[str, str], PostingItem] = {}
    for item in items:
        wanted.setdefault((item.source, item.employer_name or ""), item)
    found: dict[tuple[str, str], Employer] = {}
    keys = list(wanted)
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        for source in {s for s, _ in chunk}:
            names = [n for s, n in chunk if s == source]
            stmt = select(Employer).where(Employer.source == source, Employer.name.in_(names)).order_by(Employer.id)
            for employer in (await session.execute(stmt)).scalars():
                found.setdefault((source, employer.name), employer)
    new: list[Employer] = []
    for key, item in wanted.items():
        known = found.get(key)
        if known is None:
            created = Employer(
                name=key[1], source=key[0], verified=False, industry=item.employer_industry, size=item.employer_size
            )
            new.append(created)
            found[key] = created
        else:  # fill what an earlier import did not know
            known.industry = known.industry or item.employer_industry
            known.size = known.size or item.employer_size
    session.add_all(new)
    await session.flush()
    report.employers_created += len(new)
    return {key: employer.id for key, employer in found.items()}


#: fields another source may fill when the posting lacks them (never overwritten)
_FILLABLE = (
    "description",
    "region_code",
    "province",
    "city",
    "address",
    "experience_years",
    "required_skills",
    "valid_through",
    "locations",
)
_SALARY = (
    "salary_min",
    "salary_max",
    "salary_period",
    "salary_min_monthly",
    "salary_max_monthly",
    "salary_text",
    "salary_currency",
)


def _fill_missing(posting: Posting, fields: dict[str, Any]) -> bool:
    """Set the posting's empty fields from another source's ``fields``; True if any changed.
    The salary columns move together, and only when the posting's pay is unknown (no bounds,
    e.g. ``面议``) and the other source knows it."""
    changed = False
    for name in _FILLABLE:
        value = fields.get(name)
        if value in (None, "", []) or getattr(posting, name) not in (None, "", []):
            continue
        setattr(posting, name, value)
        changed = True
    known = ("salary_min", "salary_max")
    if all(getattr(posting, k) is None for k in known) and any(fields.get(k) is not None for k in known):
        for name in _SALARY:
            setattr(posting, name, fields.get(name))
        changed = True
    return changed


class _Index:
    """Stored postings an item may belong to, with the sources each already has."""

    def __init__(self) -> None:
        self.by_listing: dict[tuple[str, str], Posting] = {}
        self.listing_rows: dict[tuple[str, str], PostingSource] = {}
        self.by_key: dict[str, list[Posting]] = {}
        self.sources_of: dict[int, set[str]] = {}
        self.references_of: dict[int, set[str]] = {}

    def candidate(self, item: PostingItem) -> Posting | None:
        """A posting with the item's duplicate key, no listing from the item's source yet, and no
        requisition number other than the item's (:func:`scrapers.dedupe.same_requisition`)."""
        mine = reference_key(item.reference)
        for posting in self.by_key.get(item.duplicate_key or "", ()):
            theirs = self.references_of.get(id(posting), set())
            if mine and theirs and mine not in theirs:
                continue  # another requisition of the same job: another vacancy
            if item.source not in self.sources_of.get(id(posting), set()):
                return posting
        return None

    def add(self, posting: Posting, source: str, external_id: str, row: PostingSource) -> None:
        self.by_listing[(source, external_id)] = posting
        self.listing_rows[(source, external_id)] = row
        self.sources_of.setdefault(id(posting), set()).add(source)
        self.add_reference(posting, row.reference)

    def add_reference(self, posting: Posting, reference: str | None) -> None:
        if key := reference_key(reference):
            self.references_of.setdefault(id(posting), set()).add(key)
        if posting.duplicate_key and posting not in self.by_key.setdefault(posting.duplicate_key, []):
            self.by_key[posting.duplicate_key].append(posting)


async def _load_index(session: AsyncSession, batch: Sequence[PostingItem]) -> _Index:
    index = _Index()
    for source in sorted({i.source for i in batch}):
        ids = sorted({i.external_id for i in batch if i.source == source})
        stmt = (
            select(PostingSource, Posting)
            .join(Posting, Posting.id == PostingSource.posting_id)
            .where(PostingSource.source == source, PostingSource.external_id.in_(ids))
        )
        for row, posting in (await session.execute(stmt)).tuples():
            index.add(posting, row.source, row.external_id, row)
        missing = [x for x in ids if (source, x) not in index.by_listing]
        if missing:  # stored without a sources row (e.g. the sample data): give them one now
            unlisted = select(Posting).where(Posting.source == source, Posting.external_id.in_(missing))
            for posting in (await session.execute(unlisted)).scalars():
                row = PostingSource(
                    posting_id=posting.id,
                    source=source,
                    external_id=posting.external_id or "",
                    url=posting.source_url,
                    first_seen_at=posting.created_at,
                    last_seen_at=posting.updated_at,
                )
                session.add(row)
                index.add(posting, source, row.external_id, row)
    keys = sorted(
        {i.duplicate_key for i in batch if i.duplicate_key and (i.source, i.external_id) not in index.by_listing}
    )
    if keys:
        postings = (
            (await session.execute(select(Posting).where(Posting.duplicate_key.in_(keys)).order_by(Posting.id)))
            .scalars()
            .all()
        )
        by_id = {p.id: p for p in postings}
        if by_id:
            listings = select(PostingSource.posting_id, PostingSource.source, PostingSource.reference).where(
                PostingSource.posting_id.in_(list(by_id))
            )
            for posting_id, source, reference in (await session.execute(listings)).tuples():
                index.sources_of.setdefault(id(by_id[posting_id]), set()).add(source)
                index.add_reference(by_id[posting_id], reference)
        for posting in postings:
            index.sources_of.setdefault(id(posting), set()).add(posting.source)
            index.by_key.setdefault(posting.duplicate_key or "", []).append(posting)
    return index


def _listing(session: AsyncSession, posting: Posting, item: PostingItem, seen_at: dt.datetime) -> PostingSource:
    """A new ``posting_sources`` row for ``item`` on ``posting`` (through the relationship when the
    posting is not flushed yet or its ``sources`` are loaded, else by ``posting_id``)."""
    row = PostingSource(
        source=item.source,
        external_id=item.external_id,
        first_seen_at=seen_at,
        last_seen_at=seen_at,
        reference=item.reference[:100] if item.reference else None,
    )
    if posting.id is None:
        row.posting = posting  # inserted with the posting, once its fields are set
    elif "sources" not in sa_inspect(posting).unloaded:
        row.posting = posting  # keeps the loaded ``sources`` collection up to date
        session.add(row)
    else:
        row.posting_id = posting.id
        session.add(row)
    return row


async def store_postings(
    session: AsyncSession,
    items: Sequence[PostingItem],
    report: ImportReport,
    now: dt.datetime | None = None,
    seen_at: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Insert new postings, update changed ones, attach listings from other boards, count the rest.
    Flushes, never commits. Returns the ids of the postings the items belong to.

    ``now`` (aware; default the current time) decides which postings are already expired;
    ``seen_at`` (default ``now``) is recorded as every listing's ``last_seen_at`` (the start of
    the crawl or import run). A stale posting seen again is no longer stale. Counts go to
    ``report``: ``stored`` (new postings), ``merged`` (a new listing of a posting stored from
    another board), ``updated``, ``unchanged``, ``unknown_skills``. ``progress(n)`` is told how
    many items are stored after each batch.
    """
    now = now or dt.datetime.now(dt.UTC)
    seen_at = seen_at or now
    report.regions_added += await ensure_regions(session, (i.region_code for i in items if i.region_code))
    seen: list[int] = []
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        index = await _load_index(session, batch)
        plan: list[tuple[PostingItem, Posting, str]] = []
        for item in batch:
            listing = (item.source, item.external_id)
            posting = index.by_listing.get(listing)
            if posting is not None:
                primary = posting.source == item.source and posting.external_id == item.external_id
                plan.append((item, posting, "primary" if primary else "secondary"))
                continue
            posting = index.candidate(item)
            how = "merge"
            if posting is None:
                how = "new"
                posting = Posting(source=item.source, external_id=item.external_id, duplicate_key=item.duplicate_key)
            index.add(posting, item.source, item.external_id, _listing(session, posting, item, seen_at))
            plan.append((item, posting, how))
        own = [i for i, _, how in plan if how in ("new", "primary")]
        employer_ids = await _employers(session, own, report) if own else {}
        for item, posting, how in plan:
            row = index.listing_rows[(item.source, item.external_id)]
            url = canonical_url(item.source_url)  # None for a blank one too: the stored URL stays
            row.url = url[:1000] if url else row.url
            row.reference = item.reference[:100] if item.reference else row.reference
            row.last_seen_at = seen_at
            report.unknown_skills += len(item.unknown_skills)
            was_stale = posting.stale_at is not None
            posting.stale_at = None
            if how == "new":
                for k, v in posting_fields(item, employer_ids[(item.source, item.employer_name or "")], now).items():
                    setattr(posting, k, v)
                session.add(posting)
                report.stored += 1
            elif how == "primary":
                fields = posting_fields(item, employer_ids[(item.source, item.employer_name or "")], now)
                if any(getattr(posting, k) != v for k, v in fields.items()):
                    for k, v in fields.items():
                        setattr(posting, k, v)
                    report.updated += 1
                elif was_stale:
                    report.updated += 1
                else:
                    report.unchanged += 1
            else:
                changed = _fill_missing(posting, posting_fields(item, posting.employer_id, now))
                if how == "merge":
                    report.merged += 1
                elif changed or was_stale:
                    report.updated += 1
                else:
                    report.unchanged += 1
        await session.flush()
        seen.extend(p.id for _, p, _ in plan)
        if progress is not None:
            progress(start + len(batch))
    return list(dict.fromkeys(seen))


async def stored_now(
    session: AsyncSession, items: Sequence[PostingItem], stale_after: int = 3
) -> dict[tuple[str, str], str]:
    """How the listings of ``items`` are stored now, in words, by ``(source, external_id)``: the
    posting's status and, when it is stale, since when and why (``stale_after``: the setting
    ``VOCMATCH_STALE_AFTER_CRAWLS``). Listings not stored are left out. Reads only."""
    wanted = {(i.source, i.external_id) for i in items}
    out: dict[tuple[str, str], str] = {}
    for source in sorted({s for s, _ in wanted}):
        ids = sorted(e for s, e in wanted if s == source)
        stmt = (
            select(PostingSource, Posting)
            .join(Posting, Posting.id == PostingSource.posting_id)
            .where(PostingSource.source == source, PostingSource.external_id.in_(ids))
        )
        for row, posting in (await session.execute(stmt)).tuples():
            listings = (
                (
                    await session.execute(
                        select(PostingSource.source, PostingSource.last_seen_at).where(
                            PostingSource.posting_id == posting.id
                        )
                    )
                )
                .tuples()
                .all()
            )
            if posting.stale_at is not None:
                seen = ", ".join(f"{s} last listed it {when:%Y-%m-%d}" for s, when in listings)
                text = (
                    f"stale since {posting.stale_at:%Y-%m-%d} (posting {posting.id}): none of its boards listed it "
                    f"in {stale_after} completed crawls ({seen}); storing this page lists it again"
                )
            else:
                text = f"{posting.status} (posting {posting.id}, listed by {', '.join(s for s, _ in listings)})"
                if posting.status is PostingStatus.CLOSED and posting.valid_through is not None:
                    text += f", validThrough {posting.valid_through.isoformat()}"
            out[(row.source, row.external_id)] = text
    return out
