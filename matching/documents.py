"""Plain records the matching code works on: no ORM, no web framework.

``service`` converts its rows into these; ``scrapers`` never needs them. Salaries are whole
currency units per month (元/月 for CNY). Region codes are GB/T 2260 six-digit codes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from vocab import EducationLevel, EmploymentType


@dataclass(frozen=True, slots=True)
class JobDoc:
    """A posting as the ranker sees it."""

    id: int
    title: str
    description: str = ""
    required_skills: tuple[str, ...] = ()
    preferred_skills: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    education_required: EducationLevel = EducationLevel.ANY
    country: str = "CN"
    region_code: str | None = None
    province: str | None = None
    city: str | None = None
    salary_min_monthly: int | None = None
    salary_max_monthly: int | None = None
    employment_type: EmploymentType = EmploymentType.FULL_TIME
    occupation_code: str | None = None
    posted_on: dt.date | None = None
    popularity: int = 0  # applications/views so far
    employer_name: str = ""


@dataclass(frozen=True, slots=True)
class SeekerDoc:
    """A graduate or other job seeker as the ranker sees them."""

    id: int
    skills: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()
    desired_titles: tuple[str, ...] = ()  # positions of interest
    experience_titles: tuple[str, ...] = ()  # internships and jobs held
    summary: str = ""
    education: EducationLevel = EducationLevel.SECONDARY_VOCATIONAL
    major_code: str | None = None
    major_name: str | None = None
    country: str = "CN"
    region_code: str | None = None
    province: str | None = None
    city: str | None = None
    preferred_locations: tuple[str, ...] = ()  # region codes or place names
    min_salary_monthly: int | None = None
    preferred_job_types: tuple[EmploymentType, ...] = ()


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a job and a seeker were matched, in terms a person can check.

    ``location`` is one of ``same_city``, ``same_province``, ``preferred``, ``elsewhere`` or
    ``unknown``; ``salary_fit`` one of ``meets``, ``below``, ``unknown``; ``education_met``
    is ``None`` when either side is unknown. ``components`` holds each 0–1 feature score.
    """

    matched_skills: tuple[str, ...] = ()
    missing_skills: tuple[str, ...] = ()
    matched_certificates: tuple[str, ...] = ()
    missing_certificates: tuple[str, ...] = ()
    location: str = "unknown"
    salary_fit: str = "unknown"
    education_met: bool | None = None
    in_field: bool | None = None  # 对口: posting's occupation belongs to the seeker's major
    components: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Match:
    """One ranked result: ``score`` in [0, 1], higher is better."""

    job_id: int
    seeker_id: int
    score: float
    explanation: Explanation
