"""Request and response bodies for internship placements (顶岗实习)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from service.internships.models import InternshipStatus
from service.pagination import Id

Text100 = Annotated[str, Meta(min_length=1, max_length=100)]
Text200 = Annotated[str, Meta(min_length=1, max_length=200)]


class InternshipCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A placement recorded by the student's school: the student (a graduate record of the school),
    the employer, optionally one of its postings, the period (``end_date`` ≥ ``start_date``), the
    supervising teacher (学校指导教师) and the internship liability insurance (实习责任保险:
    ``insurer`` required when ``insured``). The three-party agreement (三方协议) is uploaded as a PDF
    with ``POST /internships/{id}/agreement``."""

    graduate_id: Id
    employer_id: Id
    start_date: dt.date
    end_date: dt.date
    supervisor_name: Text100
    insured: bool = False
    insurer: Text200 | None = None
    policy_number: Annotated[str, Meta(min_length=1, max_length=64)] | None = None
    posting_id: Id | None = None


class InternshipRead(msgspec.Struct):
    """A placement as its readers see it (the student's name, never their ID number or phone)."""

    id: int
    graduate_id: int
    student_name: str
    school_id: int
    school_name: str
    major_code: str | None
    cohort: int | None
    employer_id: int
    employer_name: str
    posting_id: int | None
    posting_title: str | None
    start_date: dt.date
    end_date: dt.date
    supervisor_name: str
    insured: bool
    insurer: str | None
    policy_number: str | None
    agreement: bool  # an agreement PDF is stored (download: GET /internships/{id}/agreement)
    agreement_filename: str | None
    agreement_size: int | None
    status: InternshipStatus
    confirmed_at: dt.datetime | None


class CountRow(msgspec.Struct):
    """One row of a breakdown: ``key`` (school id, major code or employer id), its ``name``, the
    placements and the distinct students placed, and how many placements are confirmed."""

    key: str
    name: str
    placements: int
    students: int
    confirmed: int


class InternshipCounts(msgspec.Struct):
    """Placements in the caller's scope by school, major and employer, and for ``cohort`` the share
    of the cohort's students with at least one placement (``placed / students``; ``None`` when the
    cohort has no students)."""

    cohort: int | None
    students: int
    placed: int
    share_placed: float | None
    by_school: list[CountRow]
    by_major: list[CountRow]
    by_employer: list[CountRow]
