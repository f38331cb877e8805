"""Request and response bodies for graduates (求职者), one per verb.

``id_number`` (居民身份证号码) is accepted on create/update (from staff: a graduate cannot change
it) but never returned: reads carry ``id_number_masked`` — the last 4 characters only, for the
holder and staff; ``null`` for employers, who see no part of it.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import UNSET, Meta, UnsetType

from service.graduates.models import ExperienceKind, Gender, SeekerKind
from service.pagination import Id
from vocab import EducationLevel, EmploymentType

Name = Annotated[str, Meta(min_length=1, max_length=100)]
Short = Annotated[str, Meta(max_length=32)]
Place = Annotated[str, Meta(max_length=64)]
Label = Annotated[str, Meta(min_length=1, max_length=200)]
Text = Annotated[str, Meta(max_length=20000)]
RegionCode = Annotated[str, Meta(pattern=r"^\d{6}$")]
MajorCode = Annotated[str, Meta(pattern=r"^\d{6}$")]
#: as typed; length, check digit and birth date are checked by the service (GB 11643-1999)
IdNumber = Annotated[str, Meta(min_length=1, max_length=24)]
#: kept as text so leading zeros survive; digits with an optional leading + and separators
Phone = Annotated[str, Meta(pattern=r"^\+?\d[\d -]{4,18}$", max_length=20)]
StudentNumber = Annotated[str, Meta(min_length=1, max_length=32)]
StrList = Annotated[list[Annotated[str, Meta(min_length=1, max_length=100)]], Meta(max_length=100)]
Salary = Annotated[int, Meta(ge=0, le=10_000_000)]  # 元/月
YEAR_MIN, YEAR_MAX = 1950, 2100
Year = Annotated[int, Meta(ge=YEAR_MIN, le=YEAR_MAX)]


class Certificate(msgspec.Struct, forbid_unknown_fields=True):
    """A 职业资格证书 / 职业技能等级证书 / 1+X 证书."""

    name: Label
    level: Short | None = None  # 初级/中级/高级, 五级…一级
    issuer: Label | None = None
    issued_on: dt.date | None = None


class Award(msgspec.Struct, forbid_unknown_fields=True):
    """A skills-competition award (技能大赛获奖)."""

    competition: Label
    level: Short | None = None  # 国家级/省级/市级
    prize: Short | None = None  # 一等奖…
    year: Year | None = None


class Experience(msgspec.Struct, forbid_unknown_fields=True):
    """A work placement (顶岗实习), internship or job."""

    title: Label
    kind: ExperienceKind = ExperienceKind.JOB
    employer_name: Label | None = None
    description: Text = ""
    city: Place | None = None
    province: Place | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None


class CertificateRead(msgspec.Struct):
    id: int
    name: str
    level: str | None
    issuer: str | None
    issued_on: dt.date | None


class AwardRead(msgspec.Struct):
    id: int
    competition: str
    level: str | None
    prize: str | None
    year: int | None


class ExperienceRead(msgspec.Struct):
    id: int
    kind: ExperienceKind
    employer_name: str | None
    title: str
    description: str
    city: str | None
    province: str | None
    start_date: dt.date | None
    end_date: dt.date | None


class GraduateCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A new job seeker. ``min_salary_monthly`` is 元/月; ``cohort`` (届) defaults to the
    graduation year; ``gender`` must agree with the 17th digit of ``id_number`` if both are given."""

    name: Name
    kind: SeekerKind = SeekerKind.GRADUATE
    gender: Gender = Gender.UNKNOWN
    student_number: StudentNumber | None = None
    id_number: IdNumber | None = None
    phone: Phone | None = None
    school_id: Id | None = None
    major_code: MajorCode | None = None
    education: EducationLevel = EducationLevel.SECONDARY_VOCATIONAL
    graduation_date: dt.date | None = None
    cohort: Year | None = None
    country: Annotated[str, Meta(pattern=r"^[A-Z]{2}$")] = "CN"
    region_code: RegionCode | None = None
    province: Place | None = None
    city: Place | None = None
    skills: StrList = msgspec.field(default_factory=list)
    summary: Text = ""
    desired_titles: StrList = msgspec.field(default_factory=list)
    preferred_locations: StrList = msgspec.field(default_factory=list)  # region codes or city names
    min_salary_monthly: Salary | None = None
    preferred_job_types: Annotated[list[EmploymentType], Meta(max_length=10)] = msgspec.field(default_factory=list)
    recommendable: bool = True
    certificates: Annotated[list[Certificate], Meta(max_length=100)] = msgspec.field(default_factory=list)
    awards: Annotated[list[Award], Meta(max_length=100)] = msgspec.field(default_factory=list)
    experiences: Annotated[list[Experience], Meta(max_length=100)] = msgspec.field(default_factory=list)


class GraduateUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Partial update: only the fields present change; ``null`` clears an optional field; a nested
    list (``certificates``, ``awards``, ``experiences``) present replaces the stored list. The
    roster-owned fields (``kind``, ``gender``, ``student_number``, ``id_number``, ``school_id``,
    ``major_code``, ``education``, ``graduation_date``, ``cohort``) only staff change."""

    name: Name | UnsetType = UNSET
    kind: SeekerKind | UnsetType = UNSET
    gender: Gender | UnsetType = UNSET
    student_number: StudentNumber | None | UnsetType = UNSET
    id_number: IdNumber | None | UnsetType = UNSET
    phone: Phone | None | UnsetType = UNSET
    school_id: Id | None | UnsetType = UNSET
    major_code: MajorCode | None | UnsetType = UNSET
    education: EducationLevel | UnsetType = UNSET
    graduation_date: dt.date | None | UnsetType = UNSET
    cohort: Year | None | UnsetType = UNSET
    country: Annotated[str, Meta(pattern=r"^[A-Z]{2}$")] | UnsetType = UNSET
    region_code: RegionCode | None | UnsetType = UNSET
    province: Place | None | UnsetType = UNSET
    city: Place | None | UnsetType = UNSET
    skills: StrList | UnsetType = UNSET
    summary: Text | UnsetType = UNSET
    desired_titles: StrList | UnsetType = UNSET
    preferred_locations: StrList | UnsetType = UNSET
    min_salary_monthly: Salary | None | UnsetType = UNSET
    preferred_job_types: Annotated[list[EmploymentType], Meta(max_length=10)] | UnsetType = UNSET
    recommendable: bool | UnsetType = UNSET
    certificates: Annotated[list[Certificate], Meta(max_length=100)] | UnsetType = UNSET
    awards: Annotated[list[Award], Meta(max_length=100)] | UnsetType = UNSET
    experiences: Annotated[list[Experience], Meta(max_length=100)] | UnsetType = UNSET


class GraduateRead(msgspec.Struct):
    """A job seeker as returned by the API. There is no ``id_number`` field, only the mask."""

    id: int
    kind: SeekerKind
    name: str
    gender: Gender
    student_number: str | None
    #: the last 4 characters (``**************1234``) for the holder and staff; null for employers
    id_number_masked: str | None
    phone: str | None
    school_id: int | None
    school_name: str | None
    major_code: str | None
    major_name: str | None
    education: EducationLevel
    graduation_date: dt.date | None
    cohort: int | None
    country: str
    region_code: str | None
    province: str | None
    city: str | None
    skills: list[str]
    summary: str
    desired_titles: list[str]
    preferred_locations: list[str]
    min_salary_monthly: int | None
    preferred_job_types: list[EmploymentType]
    recommendable: bool
    certificates: list[CertificateRead]
    awards: list[AwardRead]
    experiences: list[ExperienceRead]
    source: str
    external_id: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
