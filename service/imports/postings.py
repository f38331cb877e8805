"""Store normalised posting items: employers by (source, name), postings by (source, external_id)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from matching.vocab import EmploymentType, SalaryPeriod, to_monthly
from service.postings.service import MAX_MONTHLY_SALARY
from scrapers.items import PostingItem, SalaryRange
from service.employers.models import Employer
from service.imports.regions import ensure_regions
from service.imports.report import ImportReport
from service.postings.models import Posting, PostingStatus

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
        return {"salary_min": None, "salary_max": None, "salary_period": None, "salary_text": None,
                "salary_min_monthly": None, "salary_max_monthly": None}
    low, high, period = salary.minimum, salary.maximum, salary.period
    if salary.months_per_year and period == SalaryPeriod.MONTH:
        n = salary.months_per_year
        low = round(low * n, 2) if low is not None else None
        high = round(high * n, 2) if high is not None else None
        period = SalaryPeriod.YEAR
    monthly = (to_monthly(low, period), to_monthly(high, period))
    if any(m is not None and m > MAX_MONTHLY_SALARY for m in monthly):
        # an absurd amount (a typo, a misread unit) is unknown pay, not a stored figure
        return {"salary_min": None, "salary_max": None, "salary_period": None, "salary_text": salary.text[:100],
                "salary_min_monthly": None, "salary_max_monthly": None}
    return {"salary_min": low, "salary_max": high, "salary_period": period, "salary_text": salary.text[:100],
            "salary_min_monthly": monthly[0], "salary_max_monthly": monthly[1]}


def posting_fields(item: PostingItem, employer_id: int, now: dt.datetime | None = None) -> dict[str, Any]:
    """The Posting columns an item sets (``posted_on`` only when the source gives a date).

    Expiry: an item whose ``expires_at`` (schema.org ``validThrough``; a date-only value closes at
    the end of that local day) is not after ``now`` (default: the current time) is stored
    ``closed``; one whose closing time is still ahead is (re)opened. The salary currency is the
    one the source states, else CNY for Chinese and USD for US postings.
    """
    currency = (item.salary.currency if item.salary is not None and item.salary.currency else None) \
        or _CURRENCY.get(item.country, "CNY")
    fields: dict[str, Any] = {
        "title": item.title, "description": item.description, "employer_id": employer_id,
        "country": item.country, "region_code": item.region_code, "province": item.province, "city": item.city,
        "address": item.address, "salary_currency": currency[:3],
        "education_required": item.education, "experience_years": item.experience_years,
        "required_skills": list(item.skills), "employment_type": item.employment_type or EmploymentType.FULL_TIME,
        "openings": item.openings or 1, "source": item.source, "external_id": item.external_id,
        **salary_fields(item.salary),
    }
    if item.posted_on is not None:
        fields["posted_on"] = item.posted_on
    if item.valid_through is not None:
        fields["valid_through"] = item.valid_through
    if item.source_url:
        fields["source_url"] = item.source_url[:1000]
    if item.expires_at is not None:
        expired = item.expires_at <= (now or dt.datetime.now(dt.UTC))
        fields["status"] = PostingStatus.CLOSED if expired else PostingStatus.OPEN
    return fields


async def _employers(session: AsyncSession, items: Sequence[PostingItem], report: ImportReport) -> dict[
        tuple[str, str], int]:
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
    new = []
    for key, item in wanted.items():
        employer = found.get(key)
        if employer is None:
            employer = Employer(name=key[1], source=key[0], verified=False, industry=item.employer_industry,
                                size=item.employer_size)
            new.append(employer)
            found[key] = employer
        else:  # fill what an earlier import did not know
            employer.industry = employer.industry or item.employer_industry
            employer.size = employer.size or item.employer_size
    session.add_all(new)
    await session.flush()
    report.employers_created += len(new)
    return {key: employer.id for key, employer in found.items()}


async def store_postings(session: AsyncSession, items: Sequence[PostingItem], report: ImportReport,
                         now: dt.datetime | None = None) -> None:
    """Insert new postings, update changed ones, count unchanged ones. Flushes, never commits.

    ``now`` (aware; default the current time) decides which postings are already expired."""
    report.regions_added += await ensure_regions(session, (i.region_code for i in items if i.region_code))
    employer_ids = await _employers(session, items, report)
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        existing: dict[tuple[str, str], Posting] = {}
        for source in {i.source for i in batch}:
            ids = [i.external_id for i in batch if i.source == source]
            stmt = select(Posting).where(Posting.source == source, Posting.external_id.in_(ids))
            existing.update({(p.source, p.external_id or ""): p for p in (await session.execute(stmt)).scalars()})
        for item in batch:
            fields = posting_fields(item, employer_ids[(item.source, item.employer_name or "")], now)
            posting = existing.get((item.source, item.external_id))
            if posting is None:
                session.add(Posting(**fields))
                report.stored += 1
            elif any(getattr(posting, k) != v for k, v in fields.items()):
                for k, v in fields.items():
                    setattr(posting, k, v)
                report.updated += 1
            else:
                report.unchanged += 1
        await session.flush()
