"""Response bodies for recommendations (jobs for a graduate) and candidates (graduates for a posting)."""

from __future__ import annotations

import datetime as dt

import msgspec

from vocab import EducationLevel, EmploymentType


class Reasons(msgspec.Struct):
    """Why this match: skills in the posting's wording, location, salary fit.

    ``location``: same_city | same_province | preferred | elsewhere | unknown.
    ``salary_fit``: meets (posting's upper bound reaches the graduate's minimum 元/月) | below | unknown.
    ``components``: each feature's 0–1 score (absent = unknown, left out of the score).
    """

    matched_skills: list[str]
    missing_skills: list[str]
    matched_certificates: list[str]
    missing_certificates: list[str]
    location: str
    salary_fit: str
    education_met: bool | None
    in_field: bool | None
    components: dict[str, float]


class PostingSummary(msgspec.Struct):
    id: int
    title: str
    employer_id: int
    employer_name: str
    city: str | None
    province: str | None
    region_code: str | None
    salary_min_monthly: int | None  # 元/月
    salary_max_monthly: int | None  # 元/月
    employment_type: EmploymentType
    education_required: EducationLevel
    posted_on: dt.date
    valid_through: dt.date | None


class Recommendation(msgspec.Struct):
    posting: PostingSummary
    score: float  # 0–1, higher is better
    reasons: Reasons


class RecommendationList(msgspec.Struct):
    """Ranked open postings for one graduate (best first)."""

    graduate_id: int
    model: str
    generated_at: dt.datetime
    items: list[Recommendation]


class CandidateSummary(msgspec.Struct):
    """A graduate as shown to an employer before they apply: no name, ID or contact details."""

    graduate_id: int
    school_name: str | None
    major_name: str | None
    cohort: int | None
    education: EducationLevel
    city: str | None
    skills: list[str]
    certificates: list[str]


class Candidate(msgspec.Struct):
    graduate: CandidateSummary
    score: float  # 0–1
    reasons: Reasons


class CandidateList(msgspec.Struct):
    """Ranked graduates for one posting (best first)."""

    posting_id: int
    model: str
    generated_at: dt.datetime
    items: list[Candidate]
