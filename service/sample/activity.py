"""Sample applications (投递, with status histories) and 毕业去向 events.

Applications follow :data:`service.applications.models.ALLOWED_TRANSITIONS`; a hire on a
full-time posting is also reported as a destination (``platform_hire``, 签劳动合同形式就业, 对口).
Graduates of cohorts already past graduation get a school-survey destination (升学, 就业,
待就业 …); some of those still seeking report a job later, so a few graduates have a history
of two events.
"""

from __future__ import annotations

import datetime as dt
import random

from matching.taxonomy import Taxonomy
from service.config import ZONE, beijing_date
from service.sample.specs import ApplicationSpec, DestinationSpec, EmployerSpec, EventSpec, GraduateSpec, PostingSpec

#: Status paths (ApplicationStatus values) with their weights.
PATHS: tuple[tuple[tuple[str, ...], int], ...] = (
    (("applied",), 4),
    (("applied", "viewed"), 4),
    (("applied", "viewed", "interview"), 3),
    (("applied", "viewed", "interview", "offer"), 2),
    (("applied", "viewed", "interview", "offer", "hired"), 4),
    (("applied", "interview", "hired"), 1),
    (("applied", "viewed", "rejected"), 3),
    (("applied", "withdrawn"), 1),
)
NOTES = {
    "interview": "已通知面试",
    "offer": "已发放录用通知",
    "hired": "已办理入职",
    "rejected": "岗位要求不符",
    "withdrawn": "本人撤回",
}
#: Survey outcomes (DestinationCategory values) with weights; 升学 is common after 中职.
SURVEY = (
    ("further_study", 35),
    ("labour_contract", 30),
    ("employment_agreement", 5),
    ("other_employment", 8),
    ("self_employed", 2),
    ("military", 3),
    ("seeking", 12),
    ("not_seeking", 5),
)
EMPLOYED = frozenset({"labour_contract", "employment_agreement", "other_employment", "self_employed"})
APPLICANTS = 36


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    local = dt.datetime.combine(
        day, dt.time(rng.randint(9, 17), rng.randrange(0, 60, 5)), tzinfo=ZONE
    )  # office hours in Beijing
    return local.astimezone(dt.UTC)


def _events(rng: random.Random, path: tuple[str, ...], start: dt.date, today: dt.date) -> tuple[EventSpec, ...]:
    out: list[EventSpec] = []
    day, prev = start, None
    for status in path:
        if day > today:
            break
        out.append(EventSpec(from_status=prev, to_status=status, at=_at(day, rng), note=NOTES.get(status)))
        prev = status
        day += dt.timedelta(days=rng.randint(1, 5))
    return tuple(out)


def _survey(
    rng: random.Random, tax: Taxonomy, g: GraduateSpec, employers: list[EmployerSpec], category: str, day: dt.date
) -> DestinationSpec:
    employed = category in EMPLOYED and category != "self_employed"
    emp = rng.choice([e for e in employers if g.major_code in e.majors] or employers) if employed else None
    in_field = rng.random() < 0.7 if category in EMPLOYED else None
    major = tax.majors[g.major_code]
    if in_field:
        title = tax.concepts[rng.choice(major.occupations)].label
    else:
        other = rng.choice(sorted(m for m in tax.majors if m != g.major_code))
        title = tax.concepts[rng.choice(tax.majors[other].occupations)].label
    reason = None if in_field is None else ("岗位属于本专业对口岗位" if in_field else "从事非本专业岗位")
    return DestinationSpec(
        graduate_external_id=g.external_id,
        occurred_on=day,
        recorded_at=_at(day + dt.timedelta(days=14), rng),
        source="school_survey",
        category=category,
        employer_uscc=emp.uscc if emp else None,
        employer_name=emp.name if emp else ("个体经营" if category == "self_employed" else None),
        job_title=title if category in EMPLOYED else None,
        industry=emp.industry if emp else None,
        region_code=emp.region_code if emp else None,
        monthly_salary=rng.randrange(3500, 7001, 100) if category in EMPLOYED else None,
        labour_contract=category in ("labour_contract", "employment_agreement") if category in EMPLOYED else None,
        social_insurance=(rng.random() < 0.8) if category in EMPLOYED else None,
        in_field=in_field,
        in_field_reason=reason,
        application_posting_id=None,
    )


def make_activity(
    rng: random.Random,
    tax: Taxonomy,
    employers: list[EmployerSpec],
    postings: list[PostingSpec],
    graduates: list[GraduateSpec],
    today: dt.date,
) -> tuple[list[ApplicationSpec], list[DestinationSpec]]:
    """Applications of :data:`APPLICANTS` graduates (1–2 each, to postings of their major's
    occupations) and the destination events described in the module docstring."""
    employer_of = {e.uscc: e for e in employers}
    applications: list[ApplicationSpec] = []
    destinations: list[DestinationSpec] = []
    hired: set[str] = set()
    paths, weights = zip(*PATHS)
    for g in rng.sample(graduates, APPLICANTS):
        occupations = set(tax.majors[g.major_code].occupations)
        fits = [p for p in postings if p.occupation_code in occupations]
        for p in rng.sample(fits, min(len(fits), rng.randint(1, 2))):
            path = rng.choices(paths, weights)[0]
            if g.external_id in hired or p.employment_type != "FULL_TIME":
                path = tuple(s for s in path if s not in ("offer", "hired")) or ("applied",)
            events = _events(rng, path, p.posted_on + dt.timedelta(days=rng.randint(0, 10)), today)
            if not events:
                continue
            applications.append(ApplicationSpec(g.external_id, p.external_id, events))
            if events[-1].to_status == "hired":
                hired.add(g.external_id)
                emp = employer_of[p.employer_uscc]
                day = beijing_date(events[-1].at)
                pay = p.salary_min if p.salary_min is not None else None
                destinations.append(
                    DestinationSpec(
                        graduate_external_id=g.external_id,
                        occurred_on=day,
                        recorded_at=events[-1].at,
                        source="platform_hire",
                        category="labour_contract",
                        employer_uscc=emp.uscc,
                        employer_name=emp.name,
                        job_title=p.title,
                        industry=emp.industry,
                        region_code=p.region_code,
                        monthly_salary=int(pay) if pay is not None else None,
                        labour_contract=True,
                        social_insurance=True,
                        in_field=True,
                        in_field_reason="岗位属于本专业对口岗位",
                        application_posting_id=p.external_id,
                    )
                )
    categories, cat_weights = zip(*SURVEY)
    first_cohort = min(g.cohort for g in graduates)
    for g in graduates:
        survey_day = dt.date(g.cohort, 9, 1)
        if g.external_id in hired or survey_day > today or (g.cohort > first_cohort and rng.random() < 0.2):
            continue
        category = rng.choices(categories, cat_weights)[0]
        day = survey_day - dt.timedelta(days=rng.randint(0, 60))
        destinations.append(_survey(rng, tax, g, employers, category, day))
        later = dt.date(g.cohort, 12, 1)
        if category == "seeking" and later <= today and rng.random() < 0.5:
            destinations.append(_survey(rng, tax, g, employers, "labour_contract", later))
    return applications, destinations
