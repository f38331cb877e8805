"""NYC Jobs (City of New York job postings, NYC Open Data): ``NYC_Jobs.csv``.

Columns used: Job ID, Agency (the employer), Posting Type (Internal/External: the same vacancy
published twice, so a second row with the same Job ID is a duplicate), Business Title (title),
Job Category, Full-Time/Part-Time indicator (F/P), Salary Range From/To with Salary Frequency
(Annual/Hourly/Daily → :class:`~vocab.SalaryPeriod` YEAR/HOUR/DAY, amounts in USD),
Work Location (street address), Job Description, Minimum Qual Requirements, Preferred Skills,
Posting Date (ISO datetime). Postings are in New York City (country US, state NY).

The copy in ``shared/data`` has text that was decoded as Windows-1252 once too often
(``Cityâ€™s``); such text is repaired when it round-trips cleanly, else left as it is.
"""

from __future__ import annotations

import datetime as dt

from scrapers.csvio import CsvFileSource, CsvRow, clean
from scrapers.items import Issue, PostingItem, SalaryRange
from vocab import EmploymentType, SalaryPeriod, to_monthly

SOURCE = "nyc_jobs"
COLUMNS = ("Job ID", "Agency", "Business Title", "Salary Range From", "Salary Range To", "Salary Frequency")
FREQUENCIES = {
    "annual": SalaryPeriod.YEAR,
    "hourly": SalaryPeriod.HOUR,
    "daily": SalaryPeriod.DAY,
    "weekly": SalaryPeriod.WEEK,
    "monthly": SalaryPeriod.MONTH,
}
_EMPLOYMENT = {"F": EmploymentType.FULL_TIME, "P": EmploymentType.PART_TIME}


def fix_mojibake(text: str) -> str:
    """``Cityâ€™s`` → ``City’s`` (UTF-8 read as Windows-1252); other text unchanged."""
    if "â€" not in text and "Ã" not in text:
        return text
    raw = bytearray()
    for ch in text:  # the five bytes cp1252 leaves undefined came through as U+0081 … U+009D
        try:
            raw += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) > 0xFF:
                return text
            raw.append(ord(ch))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return text


def nyc_salary(low: str | None, high: str | None, frequency: str | None) -> tuple[SalaryRange | None, str | None]:
    """Salary From/To + Frequency → a USD range (and a warning message, if any)."""
    if low is None and high is None:
        return None, None
    try:
        minimum = float(low) if low is not None else None
        maximum = float(high) if high is not None else None
    except ValueError:
        return None, f"salary {low!r}-{high!r} is not a number"
    period = FREQUENCIES.get((frequency or "").strip().lower())
    warning = None if period else f"Salary Frequency {frequency!r} is not Annual/Hourly/Daily; period unknown"
    if minimum is not None and maximum is not None and minimum > maximum:
        minimum, maximum = maximum, minimum
        warning = "salary bounds swapped; put in order"
    text = (
        f"USD {minimum:g}-{maximum:g} {frequency or ''}".strip()
        if minimum is not None and maximum is not None
        else f"USD {minimum if minimum is not None else maximum:g} {frequency or ''}".strip()
    )
    return SalaryRange(
        text=text,
        minimum=minimum,
        maximum=maximum,
        period=period,
        min_monthly=to_monthly(minimum, period),
        max_monthly=to_monthly(maximum, period),
        currency="USD",
    ), warning


class NycJobs(CsvFileSource):
    """Postings from ``NYC_Jobs.csv`` (country US, province NY, city New York, salaries in USD)."""

    name = SOURCE
    columns = COLUMNS

    @staticmethod
    def _item(row: CsvRow) -> PostingItem | Issue:
        v = {k: clean(fix_mojibake(val)) for k, val in row.values.items()}
        job_id = v.get("Job ID")
        if job_id is None:
            return Issue(row.row, "Job ID", "no job id")
        item = PostingItem(
            source=SOURCE,
            external_id=job_id,
            row=row.row,
            title=v.get("Business Title") or "",
            employer_name=v.get("Agency"),
            country="US",
            province="NY",
            city="New York",
            address=v.get("Work Location"),
            employment_type=_EMPLOYMENT.get((v.get("Full-Time/Part-Time indicator") or "").upper()),
            columns={
                "title": "Business Title",
                "employer_name": "Agency",
                "address": "Work Location",
                "salary_text": "Salary Range From",
                "posted_on": "Posting Date",
            },
        )
        item.salary, warning = nyc_salary(
            v.get("Salary Range From"), v.get("Salary Range To"), v.get("Salary Frequency")
        )
        if item.salary is not None:
            item.salary_text = item.salary.text
        if warning:
            item.warn("Salary Frequency" if "Frequency" in warning else "Salary Range From", warning)
        parts = [
            f"Job category: {v['Job Category']}" if v.get("Job Category") else "",
            f"Civil service title: {v['Civil Service Title']}" if v.get("Civil Service Title") else "",
            v.get("Job Description") or "",
            f"Minimum qualifications: {v['Minimum Qual Requirements']}" if v.get("Minimum Qual Requirements") else "",
            f"Preferred skills: {v['Preferred Skills']}" if v.get("Preferred Skills") else "",
        ]
        item.description = "\n\n".join(p for p in parts if p)
        if date_text := v.get("Posting Date"):
            try:
                item.posted_on = dt.date.fromisoformat(date_text[:10])
            except ValueError:
                item.warn("Posting Date", f"{date_text[:40]!r} is not a date (the row's columns may be shifted)")
        return item
