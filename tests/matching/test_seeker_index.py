"""Candidate generation over seekers (the employer's view) agrees with scoring every seeker."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from matching.content import ContentRanker
from matching.documents import JobDoc, SeekerDoc
from matching.seeker_index import SeekerIndex
from matching.taxonomy import Taxonomy
from tests.matching.test_content import TODAY, cn_jobs
from tests.matching.test_taxonomy import CONCEPTS, MAJORS

TITLES = ["数控车工", "焊工", "服务员", "电工", "Line Cook", "Cashier", "Java开发工程师", "仓库管理员", "汽车维修工"]
SKILLS = ["数控编程", "焊接", "沟通能力", "Java", "电工证", "food safety", "cash handling", "叉车", "汽车保养"]
CODES = ["440106", "440303", "310101", "110105", "510104", "450102"]


@pytest.fixture(scope="module")
def ranker() -> ContentRanker:
    return ContentRanker(taxonomy=Taxonomy.from_records(CONCEPTS, MAJORS), as_of=TODAY).fit(cn_jobs())


def _seekers(n: int, seed: int = 3) -> list[SeekerDoc]:
    rng = random.Random(seed)
    return [
        SeekerDoc(
            id=i,
            desired_titles=(rng.choice(TITLES),),
            skills=tuple(rng.sample(SKILLS, rng.randint(0, 3))),
            region_code=rng.choice(CODES),
            country="US" if i % 10 == 0 else "CN",
        )
        for i in range(1, n + 1)
    ]


def test_index_ranks_like_scoring_every_seeker(ranker: ContentRanker) -> None:
    seekers = _seekers(1500)
    index = SeekerIndex(ranker, seekers, n_candidates=60, max_per_skill=80)
    scored = 0
    for i, (title, skill, code) in enumerate(
        [
            ("数控车工", "数控编程", "440106"),
            ("焊工", "焊接", "510104"),
            ("电工", "电工证", "310101"),
            ("汽车维修工", "汽车保养", "450102"),
            ("服务员", "沟通能力", "110105"),
        ]
    ):
        job = JobDoc(id=100 + i, title=title, required_skills=(skill,), region_code=code, posted_on=TODAY)
        fast = index.rank(job, k=10, country="CN")
        full = ranker.rank_seekers(job, [s for s in seekers if s.country == "CN"], k=10)
        assert [m.score for m in fast] == pytest.approx([m.score for m in full])
        assert [m.seeker_id for m in fast] == [m.seeker_id for m in full]
        assert all(m.seeker_id % 10 != 0 for m in fast)  # the US seekers are filtered out
        candidates = index.candidates(job, index.country == "CN")
        assert len(candidates) < 0.6 * 1350  # it does not score everyone
        scored += len(candidates)
    assert index.rank(cn_jobs()[0], k=10, exhaustive=True)[0].score >= index.rank(cn_jobs()[0], k=10)[0].score


def test_small_or_empty_pools(ranker: ContentRanker) -> None:
    assert SeekerIndex(ranker, []).rank(cn_jobs()[1], k=5) == []
    few = _seekers(12)
    index = SeekerIndex(ranker, few)
    assert [m.seeker_id for m in index.rank(cn_jobs()[1], k=5)] == [
        m.seeker_id for m in ranker.rank_seekers(cn_jobs()[1], few, k=5)
    ]
    # a posting sharing nothing with anyone still gets k seekers (the whole pool is scored)
    odd = JobDoc(id=99, title="宇航员", region_code="650102", posted_on=TODAY - dt.timedelta(days=1))
    assert len(SeekerIndex(ranker, _seekers(400), n_candidates=20).rank(odd, k=7)) == 7


def test_changes_as_deltas_answer_like_a_pool_built_afresh(ranker: ContentRanker) -> None:
    """Edited, new and removed seekers (the graduates' change feed) applied to a pool rank exactly as a
    pool prepared from scratch with the same seekers; the others' profiles are reused, not prepared again."""
    seekers = _seekers(800)
    index = SeekerIndex(ranker, seekers, n_candidates=40, max_per_skill=50)
    edited = [
        SeekerDoc(id=s.id, desired_titles=("焊工",), skills=("焊接",), region_code="510104") for s in seekers[5:40]
    ]
    new = _seekers(830, seed=9)[800:]
    removed = {s.id for s in seekers[100:160]} | {9999}  # an id the pool never had is fine
    changed = index.with_changes([*new, *edited], removed)
    by_id = {s.id: s for s in seekers} | {s.id: s for s in [*new, *edited]}
    afresh = SeekerIndex(ranker, [s for i, s in by_id.items() if i not in removed], n_candidates=40, max_per_skill=50)
    assert len(changed) == len(afresh) == 800 + 30 - 60 and len(index) == 800  # the old pool is untouched
    assert list(changed.ids) == list(afresh.ids)
    assert changed.profiles[0] is index.profiles[0]
    for job in [*cn_jobs()[:4], JobDoc(id=500, title="焊工", required_skills=("焊接",), region_code="510104")]:
        for country in ("CN", None):
            assert changed.rank(job, k=10, country=country) == afresh.rank(job, k=10, country=country)
    assert len(changed.with_changes(removals=set(changed.ids.tolist()))) == 0
