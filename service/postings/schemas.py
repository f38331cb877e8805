"""Request and response bodies for postings, one per verb."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from service.pagination import Id
from service.postings.models import PostingStatus
from vocab import EducationLevel, EmploymentType, SalaryPeriod

Title = Annotated[str, Meta(min_length=1, max_length=200)]
Text = Annotated[str, Meta(max_length=20000)]
Money = Annotated[float, Meta(ge=0, le=100_000_000)]
SkillList = Annotated[list[Annotated[str, Meta(min_length=1, max_length=100)]], Meta(max_length=100)]
RegionCode = Annotated[str, Meta(pattern=r"^\d{6}$")]
Currency = Annotated[str, Meta(pattern=r"^[A-Z]{3}$")]


class PostingCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new vacancy or internship. Salary bounds are per ``salary_period`` in ``salary_currency``."""

    title: Title
    employer_id: Id
    description: Text = ""
    country: Annotated[str, Meta(pattern=r"^[A-Z]{2}$")] = "CN"
    region_code: RegionCode | None = None
    province: Annotated[str, Meta(max_length=64)] | None = None
    city: Annotated[str, Meta(max_length=64)] | None = None
    address: Annotated[str, Meta(max_length=300)] | None = None
    salary_min: Money | None = None
    salary_max: Money | None = None
    salary_period: SalaryPeriod | None = SalaryPeriod.MONTH
    salary_currency: Currency = "CNY"
    salary_text: Annotated[str, Meta(max_length=100)] | None = None
    education_required: EducationLevel = EducationLevel.ANY
    experience_years: Annotated[int, Meta(ge=0, le=50)] | None = None
    required_skills: SkillList = msgspec.field(default_factory=list)
    preferred_skills: SkillList = msgspec.field(default_factory=list)
    certificates: SkillList = msgspec.field(default_factory=list)
    occupation_code: Annotated[str, Meta(max_length=200)] | None = None
    employment_type: EmploymentType = EmploymentType.FULL_TIME
    openings: Annotated[int, Meta(ge=1, le=100000)] = 1
    posted_on: dt.date | None = None
    valid_through: dt.date | None = None
    source_url: Annotated[str, Meta(max_length=1000)] | None = None


class PostingUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Partial update: only the fields present are changed; ``null`` clears an optional field."""

    title: Title | UnsetType = UNSET
    description: Text | UnsetType = UNSET
    region_code: RegionCode | None | UnsetType = UNSET
    province: Annotated[str, Meta(max_length=64)] | None | UnsetType = UNSET
    city: Annotated[str, Meta(max_length=64)] | None | UnsetType = UNSET
    address: Annotated[str, Meta(max_length=300)] | None | UnsetType = UNSET
    salary_min: Money | None | UnsetType = UNSET
    salary_max: Money | None | UnsetType = UNSET
    salary_period: SalaryPeriod | None | UnsetType = UNSET
    salary_currency: Currency | UnsetType = UNSET
    education_required: EducationLevel | UnsetType = UNSET
    experience_years: Annotated[int, Meta(ge=0, le=50)] | None | UnsetType = UNSET
    required_skills: SkillList | UnsetType = UNSET
    preferred_skills: SkillList | UnsetType = UNSET
    certificates: SkillList | UnsetType = UNSET
    occupation_code: Annotated[str, Meta(max_length=200)] | None | UnsetType = UNSET
    employment_type: EmploymentType | UnsetType = UNSET
    openings: Annotated[int, Meta(ge=1, le=100000)] | UnsetType = UNSET
    valid_through: dt.date | None | UnsetType = UNSET
    status: PostingStatus | UnsetType = UNSET


class PostingSourceRead(msgspec.Struct):
    """One board that lists the posting: its ``source`` name, the listing's ``url`` (tracking
    parameters removed) and when a crawl or import last saw it (UTC)."""

    source: str
    url: str | None
    last_seen_at: dt.datetime


class PostingLocation(msgspec.Struct):
    """One place of work: GB/T 2260 ``region_code`` when resolved (abroad ``None``), names, street."""

    region_code: str | None = None
    province: str | None = None
    city: str | None = None
    district: str | None = None
    address: str | None = None


class PostingRead(msgspec.Struct):
    """A posting as returned by the API; ``salary_*_monthly`` are 元/月 (or currency units per month).

    ``sources`` lists every board the posting was found on (empty for postings entered here);
    ``locations`` every place of work, the first being ``region_code``/``city``…; ``stale_at``
    is set when no board has listed it for several crawls (it is then not shown to graduates).
    """

    id: int
    title: str
    description: str
    employer_id: int
    employer_name: str
    country: str
    region_code: str | None
    province: str | None
    city: str | None
    address: str | None
    salary_min: float | None
    salary_max: float | None
    salary_period: SalaryPeriod | None
    salary_currency: str
    salary_min_monthly: int | None
    salary_max_monthly: int | None
    salary_text: str | None
    education_required: EducationLevel
    experience_years: int | None
    required_skills: list[str]
    preferred_skills: list[str]
    certificates: list[str]
    occupation_code: str | None
    employment_type: EmploymentType
    openings: int
    posted_on: dt.date
    valid_through: dt.date | None
    status: PostingStatus
    source: str
    source_url: str | None
    external_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    sources: list[PostingSourceRead] = msgspec.field(default_factory=list)
    locations: list[PostingLocation] = msgspec.field(default_factory=list)
    stale_at: dt.datetime | None = None
