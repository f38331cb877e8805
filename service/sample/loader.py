"""Writing the reference data and the sample into the database (idempotent; flushes, never commits).

:func:`load_reference` upserts by natural key: regions by GB/T 2260 code, majors by MOE code,
taxonomy concepts by ``(scheme, code)`` with their aliases by label, major → occupation links,
schools by code. :func:`load_sample` adds the generated employers, postings, graduates,
applications and destinations once: when an employer with ``source = 'sample'`` exists, it adds
nothing and only counts.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.applications.models import Application, ApplicationEvent, ApplicationStatus
from service.catalog.models import Major, Region, School
from service.config import beijing_today
from service.destinations.models import DestinationCategory, DestinationEvent, DestinationSource
from service.employers.models import Employer
from service.graduates.models import (
    ExperienceKind,
    Gender,
    Graduate,
    GraduateAward,
    GraduateCertificate,
    GraduateExperience,
)
from service.postings.models import Posting, PostingStatus
from service.postings.service import apply_salary
from service.sample import datafiles
from service.sample.common import PROVINCE
from service.sample.generator import generate_sample
from service.sample.reference import load_reference
from service.sample.specs import GraduateSpec, PostingSpec, SampleData
from service.taxonomy.core import core_taxonomy
from service.taxonomy.models import Concept, ConceptAlias

__all__ = ["SAMPLE_SOURCE", "SampleCounts", "load_reference", "load_sample"]

#: ``source`` of every sample employer, posting and graduate.
SAMPLE_SOURCE = "sample"


class SampleCounts(msgspec.Struct, frozen=True):
    """Rows in the database after loading (all rows, not only the sample's); ``created`` tells
    whether this call added the sample (``False``: it was already there)."""

    created: bool
    regions: int
    majors: int
    schools: int
    concepts: int
    aliases: int
    employers: int
    postings: int
    graduates: int
    applications: int
    destination_events: int


async def _count(session: AsyncSession, created: bool) -> SampleCounts:
    async def n(m: type) -> int:
        return int(await session.scalar(select(func.count()).select_from(m)) or 0)

    return SampleCounts(
        created=created,
        regions=await n(Region),
        majors=await n(Major),
        schools=await n(School),
        concepts=await n(Concept),
        aliases=await n(ConceptAlias),
        employers=await n(Employer),
        postings=await n(Posting),
        graduates=await n(Graduate),
        applications=await n(Application),
        destination_events=await n(DestinationEvent),
    )


@lru_cache(maxsize=4)
def _generate(seed: int, today: dt.date) -> SampleData:
    """:func:`generate_sample` for the core taxonomy, kept for reuse (its records are immutable)."""
    return generate_sample(core_taxonomy(), seed=seed, today=today)


def _posting(spec: PostingSpec, employer_id: int) -> Posting:
    p = Posting(
        title=spec.title,
        description=spec.description,
        employer_id=employer_id,
        country="CN",
        region_code=spec.region_code,
        province=spec.province,
        city=spec.city,
        address=spec.address,
        salary_min=spec.salary_min,
        salary_max=spec.salary_max,
        salary_period=spec.salary_period,
        salary_currency="CNY",
        salary_text=spec.salary_text,
        education_required=spec.education_required,
        experience_years=spec.experience_years,
        required_skills=list(spec.required_skills),
        preferred_skills=list(spec.preferred_skills),
        certificates=list(spec.certificates),
        occupation_code=spec.occupation_code,
        employment_type=spec.employment_type,
        openings=spec.openings,
        posted_on=spec.posted_on,
        valid_through=spec.valid_through,
        status=PostingStatus(spec.status),
        source=SAMPLE_SOURCE,
        external_id=spec.external_id,
        application_count=0,
        hire_count=0,
    )
    apply_salary(p)
    return p


def _graduate(g: GraduateSpec, school_id: int) -> Graduate:
    return Graduate(
        name=g.name,
        gender=Gender(g.gender),
        student_number=g.student_number,
        id_number=g.id_number,
        phone=g.phone,
        school_id=school_id,
        major_code=g.major_code,
        graduation_date=g.graduation_date,
        cohort=g.cohort,
        country="CN",
        region_code=g.region_code,
        province=PROVINCE,
        city=g.city,
        skills=list(g.skills),
        summary=g.summary,
        desired_titles=list(g.desired_titles),
        preferred_locations=list(g.preferred_locations),
        min_salary_monthly=g.min_salary_monthly,
        preferred_job_types=list(g.preferred_job_types),
        recommendable=g.recommendable,
        source=SAMPLE_SOURCE,
        external_id=g.external_id,
        certificates=[
            GraduateCertificate(name=c.name, level=c.level, issuer=c.issuer, issued_on=c.issued_on)
            for c in g.certificates
        ],
        awards=[GraduateAward(competition=a.competition, level=a.level, prize=a.prize, year=a.year) for a in g.awards],
        experiences=[
            GraduateExperience(
                kind=ExperienceKind(e.kind),
                employer_name=e.employer_name,
                title=e.title,
                description=e.description,
                city=e.city,
                province=PROVINCE,
                start_date=e.start_date,
                end_date=e.end_date,
            )
            for e in g.experiences
        ],
    )


async def load_sample(session: AsyncSession, seed: int = 2026, today: dt.date | None = None) -> SampleCounts:
    """Load the reference data, then (once) the generated sample for ``seed``.

    ``today`` anchors posting and event dates (default: the users' today, :func:`service.config.beijing_today`); see
    :func:`service.sample.generator.generate_sample`. Flushes; the caller commits.

    Returns:
        Row counts after loading; a second call adds nothing and returns the same counts with
        ``created=False``.

    Raises:
        ValueError: a reference or sample data file is malformed (nothing is written then).
    """
    await load_reference(session)
    marker = await session.scalar(select(Employer.id).where(Employer.source == SAMPLE_SOURCE).limit(1))
    if marker is not None:
        return await _count(session, created=False)
    data = _generate(seed, today or beijing_today())

    employers = {
        e.uscc: Employer(
            name=e.name,
            uscc=e.uscc,
            industry=e.industry,
            size=e.size,
            region_code=e.region_code,
            address=e.address,
            verified=e.verified,
            source=SAMPLE_SOURCE,
        )
        for e in data.employers
    }
    session.add_all(employers.values())
    await session.flush()

    postings = {p.external_id: _posting(p, employers[p.employer_uscc].id) for p in data.postings}
    session.add_all(postings.values())
    school_ids = dict(
        (
            await session.execute(
                select(School.code, School.id).where(School.code.in_([s.code for s in datafiles.schools()]))
            )
        )
        .tuples()
        .all()
    )
    graduates = {g.external_id: _graduate(g, school_ids[g.school_code]) for g in data.graduates}
    session.add_all(graduates.values())
    await session.flush()

    applications: dict[tuple[str, str], Application] = {}
    for a in data.applications:
        posting = postings[a.posting_external_id]
        app = Application(
            graduate_id=graduates[a.graduate_external_id].id,
            posting_id=posting.id,
            status=ApplicationStatus(a.events[-1].to_status),
            history=[
                ApplicationEvent(
                    from_status=ApplicationStatus(e.from_status) if e.from_status else None,
                    to_status=ApplicationStatus(e.to_status),
                    note=e.note,
                    at=e.at,
                )
                for e in a.events
            ],
        )
        posting.application_count += 1
        posting.hire_count += app.status is ApplicationStatus.HIRED
        applications[(a.graduate_external_id, a.posting_external_id)] = app
    session.add_all(applications.values())
    await session.flush()

    for d in data.destinations:
        applied = applications.get((d.graduate_external_id, d.application_posting_id or ""))
        app_id = applied.id if applied is not None else None
        session.add(
            DestinationEvent(
                graduate_id=graduates[d.graduate_external_id].id,
                occurred_on=d.occurred_on,
                recorded_at=d.recorded_at,
                source=DestinationSource(d.source),
                category=DestinationCategory(d.category),
                employer_id=employers[d.employer_uscc].id if d.employer_uscc else None,
                employer_name=d.employer_name,
                job_title=d.job_title,
                industry=d.industry,
                region_code=d.region_code,
                monthly_salary=d.monthly_salary,
                labour_contract=d.labour_contract,
                social_insurance=d.social_insurance,
                in_field=d.in_field,
                in_field_reason=d.in_field_reason,
                application_id=app_id,
            )
        )
    await session.flush()
    return await _count(session, created=True)
