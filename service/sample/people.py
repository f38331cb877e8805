"""Sample graduates (中职毕业生) of the cohorts 2024–2026: identity, studies, skills, preferences.

Two graduates per (school, major taught, cohort), twelve for the latest cohort (about 40 per
school, enough for the school dashboard to show figures rather than suppressed cells). A cohort ``N`` graduates on 30 June ``N``, was
born between 1 September ``N-19`` and 31 August ``N-18`` (entering 中职 at about 15), and did a
顶岗实习 in its last school year. Skills come mostly from the major, written the way students
write them (aliases, traditional characters, full-width letters, the odd typo), with a little
noise from other majors.
"""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import ric

from matching.taxonomy import Taxonomy
from service.sample import datafiles
from service.sample.common import city_code, city_name, counties_of, pick, region_names, spell
from service.sample.identifiers import make_id_number
from service.sample.specs import AwardSpec, CertificateSpec, EmployerSpec, ExperienceSpec, GraduateSpec

COHORTS = (2024, 2025, 2026)
PER_GROUP = 2
#: Graduates per (school, major) of the latest cohort: about 40 per school, so the school dashboard
#: (which reports on the latest cohort) shows figures above the small-cell threshold.
LATEST_PER_GROUP = 12
#: Share of women among students of each major (an assumption for the sample, not a statistic).
FEMALE_SHARE = {
    "660103": 0.1,
    "660301": 0.12,
    "700206": 0.08,
    "710201": 0.35,
    "710105": 0.2,
    "740106": 0.75,
    "730801": 0.4,
    "740202": 0.45,
    "740201": 0.3,
    "730701": 0.6,
    "730301": 0.85,
}
BIG_CITIES = ("广州市", "深圳市", "佛山市", "东莞市")
_PHONE_PREFIXES = (
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "152",
    "158",
    "159",
    "177",
    "186",
    "187",
    "188",
    "189",
    "199",
)


def _issuer(code: str) -> str:
    if code in (
        "cert.low-voltage-electrician",
        "cert.high-voltage-electrician",
        "cert.welding-cutting",
        "cert.refrigeration-ac",
    ):
        return "广东省应急管理厅"
    if code == "cert.forklift":
        return "市场监督管理局"
    if code == "cert.driving-c1":
        return "公安机关交通管理部门"
    if code == "cert.health-certificate":
        return "疾病预防控制中心"
    if code == "cert.junior-accountant":
        return "财政部会计资格评价中心"
    if code == "cert.ncre":
        return "教育部教育考试院"
    if code.startswith("cert.1x-"):
        return "1+X 证书培训评价组织"
    return "职业技能等级认定机构"


def _level(rng: random.Random, code: str, label: str) -> str | None:
    if code.startswith("cert.1x-"):
        return rng.choice(("初级", "中级"))
    if "职业技能等级证书" in label:
        return rng.choice(("五级/初级工", "四级/中级工"))
    if code == "cert.ncre":
        return rng.choice(("一级", "二级"))
    return None


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _certificates(
    rng: random.Random, tax: Taxonomy, major: str, cohort: int, today: dt.date
) -> tuple[CertificateSpec, ...]:
    out = []
    for code in tax.majors[major].certificates:
        if rng.random() < (0.9 if code == "cert.health-certificate" else 0.4):
            c = tax.concepts[code]
            cert = CertificateSpec(
                name=spell(rng, c, alias_rate=0.3),
                level=_level(rng, code, c.label),
                issuer=_issuer(code),
                issued_on=_between(rng, dt.date(cohort - 1, 9, 1), dt.date(cohort, 5, 31)),
            )
            if cert.issued_on <= today:
                out.append(cert)
    return tuple(out)


def _awards(rng: random.Random, major: str, city: str, cohort: int, today: dt.date) -> tuple[AwardSpec, ...]:
    if rng.random() >= 0.12:
        return ()
    item = datafiles.texts().competitions[major]
    r = rng.random()
    if r < 0.08:
        level, name = "国家级", f"全国职业院校技能大赛（中职组）{item}赛项"
    elif r < 0.4:
        level, name = "省级", f"广东省职业院校技能大赛（中职组）{item}赛项"
    else:
        level, name = "市级", f"{city}中等职业学校技能竞赛{item}项目"
    return (
        AwardSpec(
            competition=name,
            level=level,
            prize=rng.choice(("一等奖", "二等奖", "三等奖")),
            year=min(today.year, cohort - rng.randint(0, 1)),
        ),
    )


def _experiences(
    rng: random.Random, tax: Taxonomy, major: str, cohort: int, by_major: dict[str, list[EmployerSpec]], today: dt.date
) -> tuple[ExperienceSpec, ...]:
    start = dt.date(cohort - 1, 11, 1)
    if start > today:
        return ()
    end: dt.date | None = dt.date(cohort, 5, 31)
    if end is not None and end > today:
        end = None  # still on placement
    hosts = by_major.get(major) or []
    occ = tax.concepts[rng.choice(tax.majors[major].occupations)]
    host = rng.choice(hosts) if hosts else None
    host_name = host.name if host else "校企合作单位"
    host_city = city_name(host.region_code) if host else "广州市"
    duty = rng.choice(datafiles.texts().duties[major])
    out = [
        ExperienceSpec(
            kind="work_placement",
            employer_name=host_name,
            title=f"{occ.label}（顶岗实习）",
            description=duty,
            city=host_city,
            start_date=start,
            end_date=end,
        )
    ]
    if rng.random() < 0.15 and dt.date(cohort - 1, 7, 10) <= today:
        out.insert(
            0,
            ExperienceSpec(
                kind="internship",
                employer_name="暑期实习单位",
                title=f"{occ.label}（暑期实习）",
                description=rng.choice(datafiles.texts().duties[major]),
                city=host_city,
                start_date=dt.date(cohort - 1, 7, 10),
                end_date=dt.date(cohort - 1, 8, 25),
            ),
        )
    return tuple(out)


def _id_number(
    rng: random.Random, local: tuple[str, ...], anywhere: list[str], born: dt.date, male: bool, used: set[str]
) -> str:
    """A 身份证号 whose address code is a local county (7 in 10) or anywhere in Guangdong, and
    existed when the person was born (codes of districts created later are never issued); never
    one in ``used`` (one number per person: the database refuses a second holder), which it joins."""
    while True:
        home = rng.choice(local) if rng.random() < 0.7 else rng.choice(anywhere)
        number = make_id_number(rng, home, born, male)
        if ric.is_valid(number) and number not in used:
            used.add(number)
            return number


def _skills(rng: random.Random, tax: Taxonomy, major: str) -> tuple[str, ...]:
    codes = pick(rng, tax.majors[major].skills, 4, 8)
    if rng.random() < 0.2:  # noise: something learnt outside the major
        other = rng.choice(sorted(m for m in tax.majors if m != major))
        codes.append(rng.choice(tax.majors[other].skills))
    return tuple(dict.fromkeys(spell(rng, tax.concepts[c], alias_rate=0.25, variant_rate=0.15) for c in codes))


def make_graduates(
    rng: random.Random, tax: Taxonomy, employers: list[EmployerSpec], today: dt.date
) -> list[GraduateSpec]:
    """:data:`PER_GROUP` graduates for every (school, major, cohort) of ``schools.json``
    (:data:`LATEST_PER_GROUP` for the latest cohort)."""
    names = datafiles.name_parts()
    t = datafiles.texts()
    by_major: dict[str, list[EmployerSpec]] = {}
    for e in employers:
        for m in e.majors:
            by_major.setdefault(m, []).append(e)
    all_counties = sorted(c for c in region_names() if c[4:] != "00" or c in ("441900", "442000"))
    out: list[GraduateSpec] = []
    used_ids: set[str] = set()
    for school in datafiles.schools():
        city = city_name(school.region_code)
        for cohort in COHORTS:
            for m_pos, major in enumerate(school.majors, start=1):
                for k in range(1, (LATEST_PER_GROUP if cohort == max(COHORTS) else PER_GROUP) + 1):
                    male = rng.random() >= FEMALE_SHARE[major]
                    given = names.given_male if male else names.given_female
                    name = rng.choice(names.surnames) + "".join(rng.sample(given, 1 if rng.random() < 0.3 else 2))
                    born = _between(rng, dt.date(cohort - 19, 9, 1), dt.date(cohort - 18, 8, 31))
                    id_number = _id_number(
                        rng, counties_of(city_code(school.region_code)), all_counties, born, male, used_ids
                    )
                    skills = _skills(rng, tax, major)
                    major_name = tax.majors[major].name
                    desired = tuple(tax.concepts[o].label for o in pick(rng, tax.majors[major].occupations, 1, 3))
                    elsewhere = [c for c in BIG_CITIES if c != city]
                    locations = (city,) + ((rng.choice(elsewhere),) if rng.random() < 0.5 else ())
                    job_types = ("FULL_TIME",) + (("WORK_PLACEMENT",) if cohort == max(COHORTS) else ())
                    out.append(
                        GraduateSpec(
                            external_id=f"sample-grad-{len(out) + 1:04d}",
                            name=name,
                            gender="male" if male else "female",
                            id_number=id_number,
                            student_number=f"0{(cohort - 3) % 100:02d}{m_pos:02d}{k:03d}",
                            phone=rng.choice(_PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}",
                            school_code=school.code,
                            major_code=major,
                            cohort=cohort,
                            graduation_date=dt.date(cohort, 6, 30),
                            region_code=school.region_code,
                            city=city,
                            skills=skills,
                            summary=rng.choice(t.summary).format(major=major_name, skill=skills[0], city=city),
                            desired_titles=desired,
                            preferred_locations=locations,
                            min_salary_monthly=rng.choice((3500, 4000, 4500, 5000, 5500)),
                            preferred_job_types=job_types,
                            recommendable=rng.random() < 0.95,
                            certificates=_certificates(rng, tax, major, cohort, today),
                            awards=_awards(rng, major, city, cohort, today),
                            experiences=_experiences(rng, tax, major, cohort, by_major, today),
                        )
                    )
    return out
