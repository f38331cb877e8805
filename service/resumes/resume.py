"""The résumé (简历) as a plain document built from a graduate's profile.

The sections follow what Chinese vocational résumés carry (基本信息, 求职意向, 专业技能, 职业资格证书,
技能大赛获奖, 实习经历) and map onto schema.org ``Person``/``EducationalOccupationalCredential``/
``OrganizationRole`` terms (https://schema.org/Person, https://schema.org/EducationalOccupationalCredential);
the field names are ours. Deliberately left out: the 身份证号 (never shown to employers, not even in
part), the student number, gender and date of birth (not needed to judge a job application;
PIPL Art. 6, data minimisation), and the phone and e-mail, which an employer sees only with the
graduate's consent while the application is live (:mod:`service.resumes.service`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from service.graduates.models import Graduate

#: Version of the snapshot document (a stored snapshot is never rewritten; readers check it).
RESUME_VERSION = 1


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def build_resume(graduate: Graduate) -> dict[str, Any]:
    """The résumé document of ``graduate`` (school, major and the nested lists loaded:
    :func:`service.graduates.repository.full_profile`). JSON-ready: strings, numbers, lists."""
    return {
        "version": RESUME_VERSION,
        "name": graduate.name,
        "kind": graduate.kind.value,
        "school_name": graduate.school.name if graduate.school else None,
        "major_code": graduate.major_code,
        "major_name": graduate.major.name if graduate.major else None,
        "education": graduate.education.value,
        "cohort": graduate.cohort,
        "graduation_date": _date(graduate.graduation_date),
        "province": graduate.province,
        "city": graduate.city,
        "summary": graduate.summary or "",
        "skills": list(graduate.skills),
        "certificates": [
            {"name": c.name, "level": c.level, "issuer": c.issuer, "issued_on": _date(c.issued_on)}
            for c in graduate.certificates
        ],
        "awards": [
            {"competition": a.competition, "level": a.level, "prize": a.prize, "year": a.year} for a in graduate.awards
        ],
        "experiences": [
            {
                "kind": e.kind.value,
                "employer_name": e.employer_name,
                "title": e.title,
                "description": e.description or "",
                "city": e.city,
                "start_date": _date(e.start_date),
                "end_date": _date(e.end_date),
            }
            for e in graduate.experiences
        ],
        "preferences": {
            "desired_titles": list(graduate.desired_titles),
            "preferred_locations": list(graduate.preferred_locations),
            "min_salary_monthly": graduate.min_salary_monthly,
            "preferred_job_types": list(graduate.preferred_job_types),
        },
    }
