"""Conversions between the service's rows and the matching code's records and the API's schemas.

One home for them: the recommendation service, the retraining job, the web pages and the
repository all convert rows the same way (a posting → :class:`~matching.documents.JobDoc`, a
graduate → :class:`~matching.documents.SeekerDoc`, a match's explanation → :class:`Reasons`).
"""

from __future__ import annotations

import dataclasses

from matching.documents import Explanation, JobDoc, SeekerDoc
from service.graduates.models import Graduate
from service.postings.models import Posting
from service.recommendations.schemas import CandidateSummary, PostingSummary, Reasons
from vocab import EmploymentType


def job_doc(p: Posting) -> JobDoc:
    """A posting row → the ranker's :class:`JobDoc` (employer must be loaded)."""
    return JobDoc(
        id=p.id,
        title=p.title,
        description=p.description or "",
        required_skills=tuple(p.required_skills),
        preferred_skills=tuple(p.preferred_skills),
        certificates=tuple(p.certificates),
        education_required=p.education_required,
        country=p.country,
        region_code=p.region_code,
        province=p.province,
        city=p.city,
        salary_min_monthly=p.salary_min_monthly,
        salary_max_monthly=p.salary_max_monthly,
        employment_type=p.employment_type,
        occupation_code=p.occupation_code,
        posted_on=p.posted_on,
        popularity=p.application_count,
        employer_name=p.employer.name,
    )


def seeker_doc(g: Graduate) -> SeekerDoc:
    """A graduate row (certificates, experiences and major loaded) → :class:`SeekerDoc`."""
    job_types = []
    for value in g.preferred_job_types:
        try:
            job_types.append(EmploymentType(value))
        except ValueError:
            continue
    return SeekerDoc(
        id=g.id,
        skills=tuple(g.skills),
        certificates=tuple(c.name for c in g.certificates),
        desired_titles=tuple(g.desired_titles),
        experience_titles=tuple(e.title for e in g.experiences),
        summary=g.summary or "",
        education=g.education,
        major_code=g.major_code,
        major_name=g.major.name if g.major else None,
        country=g.country,
        region_code=g.region_code,
        province=g.province,
        city=g.city,
        preferred_locations=tuple(g.preferred_locations),
        min_salary_monthly=g.min_salary_monthly,
        preferred_job_types=tuple(job_types),
    )


def reasons(e: Explanation) -> Reasons:
    return Reasons(
        matched_skills=list(e.matched_skills),
        missing_skills=list(e.missing_skills),
        matched_certificates=list(e.matched_certificates),
        missing_certificates=list(e.missing_certificates),
        location=e.location,
        salary_fit=e.salary_fit,
        education_met=e.education_met,
        in_field=e.in_field,
        components={k: round(v, 4) for k, v in e.components.items()},
    )


def posting_summary(p: Posting) -> PostingSummary:
    return PostingSummary(
        id=p.id,
        title=p.title,
        employer_id=p.employer_id,
        employer_name=p.employer.name,
        city=p.city,
        province=p.province,
        region_code=p.region_code,
        salary_min_monthly=p.salary_min_monthly,
        salary_max_monthly=p.salary_max_monthly,
        employment_type=p.employment_type,
        education_required=p.education_required,
        posted_on=p.posted_on,
        valid_through=p.valid_through,
    )


def candidate_summary(g: Graduate) -> CandidateSummary:
    """What an employer sees of a candidate (school, major and certificates loaded): no name or contact."""
    return CandidateSummary(
        graduate_id=g.id,
        school_name=g.school.name if g.school else None,
        major_name=g.major.name if g.major else None,
        cohort=g.cohort,
        education=g.education,
        city=g.city,
        skills=list(g.skills),
        certificates=[c.name for c in g.certificates],
    )


def content_of(doc: JobDoc) -> JobDoc:
    """``doc`` without what is not content (its popularity, i.e. the application count): two postings
    whose :func:`content_of` are equal are indexed alike, so an application never changes the index."""
    return dataclasses.replace(doc, popularity=0)
