"""Plain records produced by the sample generator (before they become ORM rows).

Cross references use natural keys: employers by 统一社会信用代码, schools by their sample code,
postings and graduates by ``external_id`` (source ``sample``). Money is 元; dates are
``datetime.date``; timestamps are timezone-aware UTC.
"""

from __future__ import annotations

import datetime as dt

import msgspec

from vocab import EducationLevel, EmploymentType, SalaryPeriod


class EmployerSpec(msgspec.Struct, frozen=True):
    uscc: str
    name: str
    industry: str
    size: str
    region_code: str
    address: str
    verified: bool
    majors: tuple[str, ...]


class PostingSpec(msgspec.Struct, frozen=True):
    external_id: str
    employer_uscc: str
    title: str
    description: str
    region_code: str
    province: str
    city: str
    address: str
    salary_min: float | None
    salary_max: float | None
    salary_period: SalaryPeriod | None
    salary_text: str
    education_required: EducationLevel
    experience_years: int
    required_skills: tuple[str, ...]
    preferred_skills: tuple[str, ...]
    certificates: tuple[str, ...]
    occupation_code: str
    major_code: str
    employment_type: EmploymentType
    openings: int
    posted_on: dt.date
    valid_through: dt.date
    status: str  # PostingStatus value


class CertificateSpec(msgspec.Struct, frozen=True):
    name: str
    level: str | None
    issuer: str
    issued_on: dt.date


class AwardSpec(msgspec.Struct, frozen=True):
    competition: str
    level: str
    prize: str
    year: int


class ExperienceSpec(msgspec.Struct, frozen=True):
    kind: str  # ExperienceKind value
    employer_name: str
    title: str
    description: str
    city: str
    start_date: dt.date
    end_date: dt.date | None


class GraduateSpec(msgspec.Struct, frozen=True):
    external_id: str
    name: str
    gender: str  # Gender value
    id_number: str
    student_number: str
    phone: str
    school_code: str
    major_code: str
    cohort: int
    graduation_date: dt.date
    region_code: str
    city: str
    skills: tuple[str, ...]
    summary: str
    desired_titles: tuple[str, ...]
    preferred_locations: tuple[str, ...]
    min_salary_monthly: int
    preferred_job_types: tuple[str, ...]
    recommendable: bool
    certificates: tuple[CertificateSpec, ...]
    awards: tuple[AwardSpec, ...]
    experiences: tuple[ExperienceSpec, ...]


class EventSpec(msgspec.Struct, frozen=True):
    from_status: str | None  # ApplicationStatus values
    to_status: str
    at: dt.datetime
    note: str | None


class ApplicationSpec(msgspec.Struct, frozen=True):
    graduate_external_id: str
    posting_external_id: str
    events: tuple[EventSpec, ...]


class DestinationSpec(msgspec.Struct, frozen=True):
    graduate_external_id: str
    occurred_on: dt.date
    recorded_at: dt.datetime
    source: str  # DestinationSource value
    category: str  # DestinationCategory value
    employer_uscc: str | None
    employer_name: str | None
    job_title: str | None
    industry: str | None
    region_code: str | None
    monthly_salary: int | None
    labour_contract: bool | None
    social_insurance: bool | None
    in_field: bool | None
    in_field_reason: str | None
    application_posting_id: str | None  # posting external_id of the hiring application


class SampleData(msgspec.Struct, frozen=True):
    employers: tuple[EmployerSpec, ...]
    postings: tuple[PostingSpec, ...]
    graduates: tuple[GraduateSpec, ...]
    applications: tuple[ApplicationSpec, ...]
    destinations: tuple[DestinationSpec, ...]
