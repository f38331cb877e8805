"""Plain items yielded by sources and filled in by the pipeline (no ORM, no I/O).

A source sets the raw texts (``salary_text``, ``education_text``, ``experience_text``,
``location_text``); the normalisation steps in :mod:`scrapers.normalise` derive the typed
fields from them. ``row`` is the record's row as a spreadsheet shows the CSV file (header =
row 1, first record = row 2), so a report can say "row 17, column 薪资".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from vocab import EducationLevel, EmploymentType, SalaryPeriod


@dataclass(frozen=True)
class Issue:
    """A problem found in one row: ``column`` names the source column (or item field)."""

    row: int
    column: str
    message: str

    def as_tuple(self) -> tuple[int, str, str]:
        return (self.row, self.column, self.message)


class RejectItem(Exception):
    """Raised by a pipeline step to drop an item; the run goes on with the next one."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"{column}: {reason}")
        self.column = column
        self.reason = reason


@dataclass
class SalaryRange:
    """A published salary. Amounts are in 元 (or the currency unit) per ``period``.

    ``months_per_year`` is set for ``·13薪``-style pay (13 monthly salaries a year); the
    monthly equivalents then spread the annual total over 12 months. ``None`` bounds are
    unknown (面议) or open (``…以上`` has no maximum).
    """

    text: str
    minimum: float | None = None
    maximum: float | None = None
    period: SalaryPeriod | None = None
    months_per_year: int | None = None
    min_monthly: int | None = None  # 元/月
    max_monthly: int | None = None  # 元/月
    #: ISO 4217 code when the source states it (schema.org ``MonetaryAmount.currency``)
    currency: str | None = None

    @property
    def known(self) -> bool:
        return self.minimum is not None or self.maximum is not None


@dataclass
class PlaceItem:
    """One job location: ``text`` as the source gives it (``广东省-深圳市-南山区``, for the region
    resolver) and the street ``address``; the resolved GB/T 2260 ``region_code`` and names are
    filled by :func:`scrapers.pipeline.normalise_location` (abroad the source's city/state)."""

    text: str
    address: str | None = None
    region_code: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        """``{region_code, province, city, district, address}`` as stored in ``postings.locations``."""
        return {
            "region_code": self.region_code,
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "address": self.address,
        }


@dataclass(kw_only=True)
class PostingItem:
    """One job posting (schema.org ``JobPosting``) as scraped, plus its normalised fields."""

    source: str
    external_id: str
    row: int
    title: str
    employer_name: str | None
    description: str = ""
    employer_industry: str | None = None
    employer_size: str | None = None
    employer_kind: str | None = None  # 民营公司 / 国企 / 上市公司 …
    country: str = "CN"
    location_text: str | None = None
    region_code: str | None = None
    province: str | None = None
    city: str | None = None
    address: str | None = None
    salary_text: str | None = None
    salary: SalaryRange | None = None
    education_text: str | None = None
    education: EducationLevel | None = None
    experience_text: str | None = None
    experience_years: int | None = None
    employment_type: EmploymentType | None = None
    skills: list[str] = field(default_factory=list)
    benefits: list[str] = field(default_factory=list)
    other_requirements: list[str] = field(default_factory=list)  # e.g. 英语熟练, 普通话良好
    openings: int | None = None
    posted_on: dt.date | None = None
    #: last day the posting is open (local date) and the instant it closes (aware); a date-only
    #: ``validThrough`` closes at the end of that local day (see :mod:`scrapers.jobposting.dates`)
    valid_through: dt.date | None = None
    expires_at: dt.datetime | None = None
    source_url: str | None = None
    #: every location the posting names (``location_text`` is the first); schema.org
    #: ``jobLocation`` may list several
    locations: list[str] = field(default_factory=list)
    #: every location with its address and resolved region (the first is the primary one, copied
    #: to ``region_code``/``province``/``city``/``address``)
    places: list[PlaceItem] = field(default_factory=list)
    #: the page's own words saying the vacancy is closed (``该职位已停止招聘``); stored ``closed``
    closed_notice: str | None = None
    #: the employer's requisition or reference number (招聘编号, ``Req #``, a schema.org ``identifier``
    #: naming the hiring organisation): two postings with different ones are different vacancies
    #: even when employer, title and city agree (:mod:`scrapers.dedupe`)
    reference: str | None = None
    #: :func:`scrapers.dedupe.duplicate_key` (set by the de-duplication step; ``None``: never merged)
    duplicate_key: str | None = None
    #: skills the source gave that the taxonomy does not know (kept as free text)
    unknown_skills: list[str] = field(default_factory=list)
    #: item field → the source column it came from, so issues name the column the user sees
    columns: dict[str, str] = field(default_factory=dict)
    warnings: list[Issue] = field(default_factory=list)

    def column(self, item_field: str) -> str:
        return self.columns.get(item_field, item_field)

    def warn(self, column: str, message: str) -> None:
        self.warnings.append(Issue(self.row, column, message))


@dataclass(kw_only=True)
class ExperienceItem:
    """A job a seeker held."""

    row: int
    title: str
    employer_name: str | None = None
    city: str | None = None
    province: str | None = None  # state code abroad
    description: str = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    origin: str = ""  # the file of ``row``


@dataclass(kw_only=True)
class SeekerItem:
    """A job seeker from another platform (anonymised: no name, only an id)."""

    source: str
    external_id: str
    row: int  # first row of the seeker in its source file
    country: str = "CN"
    province: str | None = None
    city: str | None = None
    desired_titles: list[str] = field(default_factory=list)
    experiences: list[ExperienceItem] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    #: the file the seeker's first row is in, so issues say which file ``row`` refers to
    origin: str = ""
    warnings: list[Issue] = field(default_factory=list)

    def column(self, name: str) -> str:
        return f"{self.origin} {name}".strip()

    def warn(self, column: str, message: str) -> None:
        self.warnings.append(Issue(self.row, column, message))


Item = PostingItem | SeekerItem
