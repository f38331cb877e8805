"""Deterministic generation of the sample (pure: no database).

:func:`generate_sample` turns a seed and a reference date into plain records
(:mod:`service.sample.specs`): the same ``(seed, today)`` always gives equal records. Employers
come from ``data/employers.json`` (their 统一社会信用代码 are drawn here); postings, graduates,
applications and destinations are drawn from the core taxonomy and the hand-written texts.
"""

from __future__ import annotations

import datetime as dt
import random

from matching.taxonomy import Taxonomy
from service.config import beijing_today
from service.sample import datafiles
from service.sample.activity import make_activity
from service.sample.common import PROVINCE, city_name, pick, place_name, spell
from service.sample.identifiers import make_uscc
from service.sample.people import make_graduates
from service.sample.specs import EmployerSpec, PostingSpec, SampleData
from vocab import EducationLevel, EmploymentType, SalaryPeriod

#: Entry-level monthly pay (元/月) for full-time 中职 hires in Guangdong by major: the lower
#: bound's range; the upper bound is 1,000–2,500 above it, capped at 8,000.
PAY_BASE: dict[str, tuple[int, int]] = {
    "660103": (4500, 5500),
    "660301": (4500, 5500),
    "700206": (4000, 5000),
    "710201": (4000, 5000),
    "710105": (4000, 5000),
    "740106": (3800, 4500),
    "730801": (4200, 5000),
    "740202": (4000, 5000),
    "740201": (4000, 5500),
    "730701": (3800, 5000),
    "730301": (3500, 4500),
}
POSTINGS_TARGET = 108
#: Certificates a posting always asks for when the occupation lists them (operating licences).
LICENCES = frozenset(
    {
        "cert.low-voltage-electrician",
        "cert.welding-cutting",
        "cert.forklift",
        "cert.refrigeration-ac",
        "cert.health-certificate",
    }
)


def make_employers(rng: random.Random) -> list[EmployerSpec]:
    """One :class:`EmployerSpec` per ``employers.json`` record; about 6 in 7 verified."""
    out: list[EmployerSpec] = []
    seen: set[str] = set()
    for i, rec in enumerate(datafiles.employers()):
        code = make_uscc(rng, rec.region_code)
        while code in seen:
            code = make_uscc(rng, rec.region_code)
        seen.add(code)
        out.append(
            EmployerSpec(
                uscc=code,
                name=rec.name,
                industry=rec.industry,
                size=rec.size,
                region_code=rec.region_code,
                address=PROVINCE + place_name(rec.region_code) + rec.address,
                verified=i % 7 != 3,
                majors=rec.majors,
            )
        )
    return out


def _employment_type(rng: random.Random) -> EmploymentType:
    r = rng.random()
    if r < 0.72:
        return EmploymentType.FULL_TIME
    if r < 0.82:
        return EmploymentType.INTERN
    if r < 0.94:
        return EmploymentType.WORK_PLACEMENT
    return EmploymentType.PART_TIME


def _salary(
    rng: random.Random, major: str, kind: EmploymentType
) -> tuple[float | None, float | None, SalaryPeriod | None, str]:
    if kind is EmploymentType.PART_TIME:
        low = rng.randint(20, 26)
        high = low + rng.randint(2, 6)
        return float(low), float(high), SalaryPeriod.HOUR, f"{low}-{high}元/小时"
    if rng.random() < 0.05:
        return None, None, None, "面议"
    if kind is EmploymentType.INTERN:
        low = rng.randrange(2500, 3800, 100)
    elif kind is EmploymentType.WORK_PLACEMENT:
        low = rng.randrange(2800, 4100, 100)
    else:
        lo, hi = PAY_BASE[major]
        low = rng.randrange(lo, hi + 1, 500)
    high = min(8000, low + rng.randrange(1000, 2501, 500))
    return float(low), float(high), SalaryPeriod.MONTH, f"{low}-{high}元/月"


def _education(rng: random.Random, occupation: str) -> EducationLevel:
    r = rng.random()
    if occupation in ("occ.junior-programmer", "occ.software-tester", "occ.accounting-assistant") and r < 0.3:
        return EducationLevel.ASSOCIATE
    if r < 0.8:
        return EducationLevel.SECONDARY_VOCATIONAL
    return EducationLevel.ANY if r < 0.92 else EducationLevel.JUNIOR_SECONDARY


def _title(rng: random.Random, label: str, kind: EmploymentType) -> str:
    if kind is EmploymentType.INTERN:
        return f"{label}实习生"
    if kind is EmploymentType.WORK_PLACEMENT:
        return f"{label}（顶岗实习）"
    if kind is EmploymentType.PART_TIME:
        return f"兼职{label}"
    return rng.choice([label, label, f"{label}（应届生可）", f"招聘{label}", f"{label}（包食宿）", f"{label}学徒"])


_EDUCATION_TEXT = {
    EducationLevel.ANY: "学历不限，{major}等相关专业优先",
    EducationLevel.JUNIOR_SECONDARY: "初中及以上学历，{major}等相关专业优先",
    EducationLevel.ASSOCIATE: "大专及以上学历，优秀中专/中职应届生也可考虑",
}


def _description(
    rng: random.Random, major: str, major_name: str, skill: str, cert: str | None, city: str, education: EducationLevel
) -> str:
    t = datafiles.texts()
    lines = pick(rng, t.duties[major], 1, 2)
    reqs = [
        r
        for r in t.requirements
        if (cert or "{cert}" not in r) and ("学历" not in r or education not in _EDUCATION_TEXT)
    ]
    if education in _EDUCATION_TEXT:
        lines.append(_EDUCATION_TEXT[education].format(major=major_name))
    lines += [r.format(major=major_name, skill=skill, cert=cert or "") for r in pick(rng, reqs, 1, 2)]
    lines += [b.format(city=city) for b in pick(rng, t.benefits, 1, 2)]
    return "\n".join(f"{i}. {line}" for i, line in enumerate(lines[:6], start=1))


def make_postings(
    rng: random.Random, tax: Taxonomy, employers: list[EmployerSpec], today: dt.date
) -> list[PostingSpec]:
    """About :data:`POSTINGS_TARGET` postings spread over ``employers``; some internships and
    顶岗实习, a few expired (``valid_through`` before ``today``), filled or closed."""
    per = [2 + rng.randint(0, 1) for _ in employers]
    while sum(per) < POSTINGS_TARGET:
        per[rng.randrange(len(per))] += 1
    out: list[PostingSpec] = []
    for emp, n in zip(employers, per):
        for _ in range(n):
            i = len(out)
            major_code = rng.choice(emp.majors)
            major = tax.majors[major_code]
            occ = tax.concepts[rng.choice(major.occupations)]
            kind = _employment_type(rng)
            low, high, period, text = _salary(rng, major_code, kind)
            required = [spell(rng, tax.concepts[s], alias_rate=0.3) for s in pick(rng, occ.skills, 2, 4)]
            others = [s for s in major.skills if s not in occ.skills]
            preferred = [spell(rng, tax.concepts[s]) for s in pick(rng, others, 0, 2)]
            certs = [c for c in occ.certificates if c in LICENCES or rng.random() < 0.5]
            cert_texts = [spell(rng, tax.concepts[c], alias_rate=0.5) for c in certs]
            posted = today - dt.timedelta(days=rng.randint(1, 60))
            valid = posted + dt.timedelta(days=rng.randint(30, 90))
            status = "open"
            if i % 13 == 3:  # expired but never closed: filtering must hide it
                posted = today - dt.timedelta(days=rng.randint(70, 120))
                valid = today - dt.timedelta(days=rng.randint(1, 20))
            elif i % 17 == 5:
                status = "filled"
            elif i % 23 == 7:
                status = "closed"
            city = city_name(emp.region_code)
            education = _education(rng, occ.code)
            out.append(
                PostingSpec(
                    external_id=f"sample-posting-{i + 1:04d}",
                    employer_uscc=emp.uscc,
                    title=_title(rng, occ.label, kind),
                    description=_description(
                        rng, major_code, major.name, required[0], cert_texts[0] if cert_texts else None, city, education
                    ),
                    region_code=emp.region_code,
                    province=PROVINCE,
                    city=city,
                    address=emp.address,
                    salary_min=low,
                    salary_max=high,
                    salary_period=period,
                    salary_text=text,
                    education_required=education,
                    experience_years=0 if kind.is_internship or rng.random() < 0.85 else rng.randint(1, 2),
                    required_skills=tuple(required),
                    preferred_skills=tuple(preferred),
                    certificates=tuple(cert_texts),
                    occupation_code=occ.code,
                    major_code=major_code,
                    employment_type=kind,
                    openings=rng.randint(1, 10 if kind is EmploymentType.FULL_TIME else 20),
                    posted_on=posted,
                    valid_through=valid,
                    status=status,
                )
            )
    return out


def generate_sample(tax: Taxonomy, seed: int = 2026, today: dt.date | None = None) -> SampleData:
    """All sample records for ``seed``, with dates relative to ``today`` (default: the users'
    today, :func:`service.config.beijing_today`).

    Deterministic: equal ``(tax, seed, today)`` give equal results (``random.Random(seed)``; no
    other source of randomness or time is read).

    Raises:
        ValueError: a data file is malformed (see :mod:`service.sample.datafiles`).
    """
    today = today or beijing_today()
    rng = random.Random(seed)
    employers = make_employers(rng)
    postings = make_postings(rng, tax, employers, today)
    graduates = make_graduates(rng, tax, employers, today)
    applications, destinations = make_activity(rng, tax, employers, postings, graduates, today)
    return SampleData(tuple(employers), tuple(postings), tuple(graduates), tuple(applications), tuple(destinations))
