"""ContentRanker: ranking, explanations, location order, estimator contract, odd inputs, real titles."""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path
from typing import cast

import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matching.content import ContentRanker
from matching.documents import JobDoc, SeekerDoc
from matching.features import WEIGHTS, place, preferences
from matching.taxonomy import Taxonomy
from tests.matching.test_taxonomy import CONCEPTS, MAJORS
from vocab import EducationLevel, EmploymentType

TODAY = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return Taxonomy.from_records(CONCEPTS, MAJORS)


def cn_jobs() -> list[JobDoc]:
    return [
        JobDoc(
            id=1,
            title="服务员",
            description="餐厅服务，热情开朗",
            required_skills=("沟通能力",),
            region_code="440106",
            posted_on=TODAY,
        ),
        JobDoc(
            id=2,
            title="数控车工",
            description="操作数控车床，按图纸加工零件",
            required_skills=("数控编程", "看懂图纸"),
            preferred_skills=("焊接",),
            certificates=("电工证",),
            region_code="440106",
            salary_min_monthly=5000,
            salary_max_monthly=7000,
            occupation_code="occ.cnc-machinist",
            posted_on=TODAY - dt.timedelta(days=3),
        ),
        JobDoc(id=3, title="焊工", required_skills=("焊接",), region_code="440106", posted_on=TODAY),
        JobDoc(
            id=4,
            title="Java开发工程师",
            required_skills=("Java", "MySQL"),
            region_code="310101",
            education_required=EducationLevel.BACHELOR,
            posted_on=TODAY,
        ),
    ]


CNC_SEEKER = SeekerDoc(
    id=7,
    skills=("CNC编程", "車床操作"),
    certificates=("低压电工作业证",),
    desired_titles=("数控车工",),
    major_code="660103",
    major_name="数控技术应用",
    region_code="440104",
    min_salary_monthly=6000,
)


def test_cnc_seeker_gets_cnc_job_first_with_explanation(tax: Taxonomy) -> None:
    ranker = ContentRanker(taxonomy=tax, as_of=TODAY).fit(cn_jobs())
    matches = ranker.recommend(CNC_SEEKER, k=4)
    assert [m.job_id for m in matches][0] == 2
    assert all(0.0 <= m.score <= 1.0 for m in matches)
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    e = matches[0].explanation
    assert e.matched_skills == ("数控编程",)  # the posting's wording, matched through the CNC编程 alias
    assert e.missing_skills == ("看懂图纸",)
    assert e.matched_certificates == ("电工证",) and e.missing_certificates == ()
    assert e.location == "same_city" and e.salary_fit == "meets" and e.education_met is True
    assert e.in_field is True
    assert e.components["required_skills"] == pytest.approx(0.5)
    assert e.components["confidence"] == 1.0
    assert set(e.components) <= {*WEIGHTS, "fit", "confidence"}


def test_without_taxonomy_free_text_still_matches() -> None:
    ranker = ContentRanker(as_of=TODAY).fit(cn_jobs())
    seeker = SeekerDoc(id=1, skills=("数控编程",), desired_titles=("数控车工",), region_code="440100")
    top = ranker.recommend(seeker, k=1)[0]
    assert top.job_id == 2 and top.explanation.matched_skills == ("数控编程",)
    assert top.explanation.in_field is None  # no taxonomy: 对口 unknown


def test_empty_profile_scores_lower_and_marks_unknown(tax: Taxonomy) -> None:
    ranker = ContentRanker(taxonomy=tax, as_of=TODAY).fit(cn_jobs())
    empty = ranker.recommend(SeekerDoc(id=8, education=EducationLevel.ANY), k=4)
    full = ranker.recommend(CNC_SEEKER, k=4)
    assert len(empty) == 4
    assert max(m.score for m in empty) < 0.2 < full[0].score
    for m in empty:
        c = m.explanation.components
        for unknown in ("required_skills", "certificates", "title", "text", "location", "salary", "in_field"):
            assert unknown not in c
        assert c["confidence"] < 0.2
        assert m.explanation.location == "unknown" and m.explanation.salary_fit == "unknown"
        assert m.explanation.in_field is None


def test_location_order_cn_codes_and_names() -> None:
    jobs = [
        JobDoc(id=1, title="电工", region_code="110105"),  # 北京 elsewhere
        JobDoc(id=2, title="电工", region_code="440303"),  # 深圳, same province
        JobDoc(id=3, title="电工", province="广东", city="广州市"),  # same city by name
        JobDoc(id=4, title="电工", region_code="320102"),  # 南京, preferred
        JobDoc(id=5, title="电工"),
    ]  # unknown
    seeker = SeekerDoc(
        id=1, desired_titles=("电工",), region_code="440106", city="广州", preferred_locations=("320100",)
    )
    matches = ContentRanker(as_of=TODAY).fit(jobs).recommend(seeker, k=5)
    by_id = {m.job_id: m for m in matches}
    assert [by_id[i].explanation.location for i in (3, 2, 4, 1, 5)] == [
        "same_city",
        "same_province",
        "preferred",
        "elsewhere",
        "unknown",
    ]
    assert by_id[3].score > by_id[2].score > by_id[4].score > by_id[1].score


def test_location_order_us_city_and_state() -> None:
    jobs = [
        JobDoc(id=1, title="Line Cook", country="US", province="CA", city="Palo Alto"),
        JobDoc(id=2, title="Line Cook", country="US", province="NJ", city="Trenton"),
        JobDoc(id=3, title="Line Cook", country="US", province="NJ", city="Newark"),
        JobDoc(id=4, title="Line Cook", country="US", province="DE", city="Newark"),
    ]
    seeker = SeekerDoc(id=1, country="US", province="New Jersey", city="Newark", desired_titles=("line cook",))
    matches = ContentRanker(as_of=TODAY).fit(jobs).recommend(seeker, k=4)
    assert [m.job_id for m in matches] == [3, 2, 1, 4]  # Newark, DE is not Newark, NJ: ties by id
    assert [m.explanation.location for m in matches] == ["same_city", "same_province", "elsewhere", "elsewhere"]


def test_place_keys() -> None:
    assert place("CN", "440106", None, None).city_code == "4401"
    assert place("CN", "110105", None, None).city_code == "1101"
    assert place("CN", None, None, "北京市").province == "CN:11"
    assert place("CN", None, "广东省", "广州市") == place("CN", None, "广东", "广州")
    assert place("US", None, "nj", "Newark").province == place("US", None, "New Jersey", "newark").province
    prefs = preferences("CN", ("440000", "320100", "440106", "深圳", "广西壮族自治区"))
    assert prefs.provinces == {"CN:44", "CN:45"} and prefs.city_codes == {"3201"}
    assert prefs.counties == {"440106"} and prefs.city_names == {"深圳"}


def test_salary_education_job_type() -> None:
    jobs = [
        JobDoc(
            id=1,
            title="电工",
            salary_max_monthly=3000,
            education_required=EducationLevel.ASSOCIATE,
            employment_type=EmploymentType.PART_TIME,
        ),
        JobDoc(id=2, title="电工", salary_max_monthly=8000, employment_type=EmploymentType.WORK_PLACEMENT),
    ]
    seeker = SeekerDoc(
        id=1, desired_titles=("电工",), min_salary_monthly=6000, preferred_job_types=(EmploymentType.INTERN,)
    )
    matches = ContentRanker(as_of=TODAY).fit(jobs).recommend(seeker, k=2)
    assert [m.job_id for m in matches] == [2, 1]
    good, bad = (m.explanation for m in matches)
    assert good.salary_fit == "meets" and bad.salary_fit == "below"
    assert good.education_met is True and bad.education_met is False
    assert good.components["job_type"] == 0.5 and bad.components["job_type"] == 0.0
    assert bad.components["salary"] == pytest.approx(0.25)


def test_exclude_k_and_ties_by_job_id() -> None:
    jobs = [JobDoc(id=i, title="电工") for i in (9, 3, 5, 1)]
    ranker = ContentRanker(as_of=TODAY).fit(jobs)
    seeker = SeekerDoc(id=1, desired_titles=("电工",))
    assert [m.job_id for m in ranker.recommend(seeker, k=3)] == [1, 3, 5]
    assert [m.job_id for m in ranker.recommend(seeker, k=10, exclude={1, 5, 404})] == [3, 9]
    assert ranker.recommend(seeker, k=0) == []


def test_rank_seekers_mirrors_recommend(tax: Taxonomy) -> None:
    fillers = [JobDoc(id=100 + i, title=f"仓库管理员{i}", region_code="440106") for i in range(100)]
    ranker = ContentRanker(taxonomy=tax, as_of=TODAY).fit(cn_jobs() + fillers)  # > 64 rows: dense queries
    job = cn_jobs()[1]
    waiter = SeekerDoc(id=3, skills=("沟通能力",), desired_titles=("服务员",), region_code="440106")
    ranked = ranker.rank_seekers(job, [waiter, CNC_SEEKER, SeekerDoc(id=1)], k=3)
    assert [m.seeker_id for m in ranked] == [7, 3, 1]
    assert all(m.job_id == 2 for m in ranked)
    assert ranked[0].explanation.missing_skills == ("看懂图纸",)
    assert ranked[1].explanation.missing_skills == ("数控编程", "看懂图纸")
    assert ranked[1].explanation.missing_certificates == ("电工证",)
    from_recommend = next(m for m in ranker.recommend(CNC_SEEKER, k=4) if m.job_id == 2)
    assert ranked[0].score == pytest.approx(from_recommend.score)
    assert ranked[0].explanation == from_recommend.explanation
    new_job = JobDoc(id=99, title="数控车工", required_skills=("CNC programming",))  # not among the fitted jobs
    assert ranker.rank_seekers(new_job, [waiter, CNC_SEEKER], k=1)[0].seeker_id == 7


def test_estimator_contract(tax: Taxonomy) -> None:
    ranker = ContentRanker(taxonomy=tax, n_candidates=50)
    assert vars(ranker) == ranker.get_params()  # __init__ only stores parameters
    with pytest.raises(NotFittedError):
        ranker.recommend(CNC_SEEKER)
    assert ranker.fit(cn_jobs()) is ranker
    learned = set(vars(ranker)) - set(ranker.get_params())
    assert learned and all(name.endswith("_") for name in learned)
    copy = clone(ranker)
    assert copy.get_params()["n_candidates"] == 50 and not hasattr(copy, "table_")


def test_bad_fit_input_is_reported() -> None:
    with pytest.raises(ValueError, match="jobs\\[1\\]: duplicate job id 1"):
        ContentRanker().fit([JobDoc(id=1, title="a"), JobDoc(id=1, title="b")])
    with pytest.raises(ValueError, match="unknown feature"):
        ContentRanker(weights={"charm": 1.0}).fit([JobDoc(id=1, title="a")])


def test_odd_inputs_do_not_crash(tax: Taxonomy) -> None:
    odd_jobs = [
        JobDoc(id=1, title="", description=""),
        JobDoc(id=2, title="！！！", required_skills=("", "  ", "C#"), region_code="99", province="", city=None),
        JobDoc(
            id=3,
            title="x" * 5000,
            description="长" * 100_000,
            required_skills=tuple(f"技能{i}" for i in range(5000)),
            # values outside the enums on purpose (a document built from raw data): the ranker must not crash
            employment_type=cast(EmploymentType, "SOMETHING_ELSE"),
            education_required=cast(EducationLevel, "unknown_level"),
            popularity=-5,
        ),
        JobDoc(id=4, title="Line Cook", country="", region_code="000000", posted_on=TODAY + dt.timedelta(days=30)),
    ]
    ranker = ContentRanker(taxonomy=tax, as_of=TODAY).fit(odd_jobs)
    seekers = [
        SeekerDoc(id=1),
        SeekerDoc(id=2, skills=("",), desired_titles=("", "   "), summary="", preferred_locations=("", ",", "999999")),
        SeekerDoc(
            id=3,
            skills=tuple(f"skill {i}" for i in range(20_000)),
            desired_titles=("c#",) * 1000,
            min_salary_monthly=0,
            country="",
            city="Newark, NJ",
        ),
    ]
    for s in seekers:
        matches = ranker.recommend(s, k=10)
        assert len(matches) == 4
        assert all(0.0 <= m.score <= 1.0 for m in matches)
    assert len(ranker.rank_seekers(odd_jobs[2], seekers, k=5)) == 3
    empty = ContentRanker().fit([])
    assert empty.recommend(CNC_SEEKER) == []
    assert empty.rank_seekers(odd_jobs[0], [CNC_SEEKER])[0].seeker_id == 7


def test_candidates_agree_with_exhaustive_scoring(tax: Taxonomy) -> None:
    rng = random.Random(7)
    titles = ["数控车工", "焊工", "服务员", "电工", "Line Cook", "Cashier", "Java开发工程师", "仓库管理员"]
    skills = ["数控编程", "焊接", "沟通能力", "Java", "电工证", "food safety", "cash handling", "叉车"]
    codes = ["440106", "440303", "310101", "110105", "510104"]
    jobs = [
        JobDoc(
            id=i,
            title=rng.choice(titles),
            required_skills=tuple(rng.sample(skills, 2)),
            region_code=rng.choice(codes),
            posted_on=TODAY - dt.timedelta(days=rng.randint(0, 60)),
        )
        for i in range(1, 3001)
    ]
    ranker = ContentRanker(taxonomy=tax, as_of=TODAY, n_candidates=200, max_postings=300).fit(jobs)
    for title, skill in [("数控车工", "数控编程"), ("line cook", "food safety"), ("电工", "电工证")]:
        seeker = SeekerDoc(id=1, desired_titles=(title,), skills=(skill,), region_code="440106")
        fast = ranker.recommend(seeker, k=10)
        full = ranker.recommend(seeker, k=10, exhaustive=True)
        assert [m.score for m in fast] == pytest.approx([m.score for m in full])


def _us_jobs(shared: Path) -> list[JobDoc]:
    with (shared / "us_jobboard_views" / "jobs.csv").open(encoding="utf-8") as fh:
        return [
            JobDoc(
                id=int(r["Job.ID"]),
                title=r["Position"] or r["Title"],
                country="US",
                province=r["State.Code"],
                city=r["City"],
                employer_name=r["Company"],
            )
            for r in csv.DictReader(fh)
        ]


@pytest.mark.shared_data
@pytest.mark.parametrize(("state", "city"), [("CA", "Los Angeles"), ("IL", "Chicago")])
def test_line_cook_gets_kitchen_jobs_in_their_state(shared_data: Path, state: str, city: str) -> None:
    jobs = _us_jobs(shared_data)
    by_id = {j.id: j for j in jobs}
    ranker = ContentRanker().fit(jobs)
    seeker = SeekerDoc(
        id=1, country="US", province=state, city=city, desired_titles=("line cook",), experience_titles=("prep cook",)
    )
    top = [by_id[m.job_id] for m in ranker.recommend(seeker, k=5)]
    assert all(j.province == state for j in top), [(j.title, j.province) for j in top]
    kitchen = [j.title for j in top if any(w in j.title.lower() for w in ("cook", "kitchen", "chef", "culinary"))]
    assert len(kitchen) >= 4, [j.title for j in top]


def test_posting_age_is_measured_on_the_calendar_given() -> None:
    """``today``: the calendar read at scoring time when ``as_of`` is unset (the service passes the
    users' one, Beijing's, which a server on UTC is a day behind every evening): it scores as ``as_of``
    that day does, its copies (``extend``) keep it, and another day scores the postings' age otherwise."""

    def scores(ranker: ContentRanker) -> list[tuple[int, float]]:
        return [(m.job_id, round(m.score, 9)) for m in ranker.recommend(CNC_SEEKER, k=4)]

    on_the_day = ContentRanker(today=lambda: TODAY).fit(cn_jobs())
    assert scores(on_the_day) == scores(ContentRanker(as_of=TODAY).fit(cn_jobs()))
    assert on_the_day.extend(cn_jobs()).today is on_the_day.today
    later = ContentRanker(today=lambda: TODAY + dt.timedelta(days=90)).fit(cn_jobs())
    assert scores(later) != scores(on_the_day)
