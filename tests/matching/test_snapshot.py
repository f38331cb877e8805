"""The compact index (issue 18): snapshots saved and loaded memory-mapped answer exactly as the fitted
ranker; no documents needed; the capped n-gram index; positions; the n-gram TF-IDF fitted in chunks."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

import matching.ngrams
from matching.content import ContentRanker
from matching.documents import JobDoc, SeekerDoc
from matching.index import Positions, impact_ordered
from matching.live import LiveIndex
from matching.ngrams import CharNgramTfidf
from matching.taxonomy import Taxonomy
from tests.matching.test_content import CNC_SEEKER, TODAY, cn_jobs
from tests.matching.test_taxonomy import CONCEPTS, MAJORS

TITLES = ["数控车工", "焊工", "服务员", "电工", "Line Cook", "Cashier", "Java开发工程师", "仓库管理员", "Prep Cook"]
SKILLS = ["数控编程", "焊接", "沟通能力", "Java", "电工证", "food safety", "cash handling", "叉车", "看懂图纸"]
CODES = ["440106", "440303", "310101", "110105", "510104"]
SEEKERS = [
    CNC_SEEKER,
    SeekerDoc(id=1, desired_titles=("line cook",), skills=("food safety",), region_code="440106"),
    SeekerDoc(id=2, desired_titles=("电工",), certificates=("电工证",), summary="维修电工 三年", region_code="310101"),
    SeekerDoc(id=3, desired_titles=("服务员", "Cashier"), preferred_locations=("440303",), min_salary_monthly=5000),
    SeekerDoc(id=4),
]


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return Taxonomy.from_records(CONCEPTS, MAJORS)


def many_jobs(n: int = 1500) -> list[JobDoc]:
    rng = random.Random(11)
    return [
        JobDoc(
            id=i * 3,
            title=rng.choice(TITLES),
            description=rng.choice(["", "按图纸加工零件", "熟悉收银", "kitchen prep and line work"]),
            required_skills=tuple(rng.sample(SKILLS, rng.randint(0, 3))),
            preferred_skills=tuple(rng.sample(SKILLS, rng.randint(0, 1))),
            certificates=("电工证",) if rng.random() < 0.2 else (),
            region_code=rng.choice(CODES),
            salary_min_monthly=rng.choice([None, 4000, 6000]),
            posted_on=TODAY - dt.timedelta(days=rng.randint(0, 60)),
            popularity=rng.randint(0, 30),
            employer_name=rng.choice(["", "甲公司", "Acme"]),
        )
        for i in range(1, n + 1)
    ]


def answers(ranker: ContentRanker, exhaustive: bool = False) -> list[list[tuple[int, float, object]]]:
    return [
        [(m.job_id, m.score, m.explanation) for m in ranker.recommend(s, k=10, exhaustive=exhaustive)] for s in SEEKERS
    ]


@pytest.mark.parametrize("mmap", [True, False])
def test_a_loaded_snapshot_answers_exactly_as_the_fitted_ranker(tax: Taxonomy, tmp_path: Path, mmap: bool) -> None:
    # n_candidates small so that the candidate path (not scoring everything) is what is compared
    ranker = ContentRanker(taxonomy=tax, as_of=TODAY, n_candidates=50, max_postings=60, max_term_postings=200)
    ranker.fit(many_jobs())
    loaded = ContentRanker.load(ranker.save(tmp_path / "snap"), tax, mmap=mmap)
    assert loaded.table_.jobs is None
    assert loaded.get_params(deep=False) | {"taxonomy": tax, "keep_docs": True} == ranker.get_params(deep=False)
    assert answers(loaded) == answers(ranker)
    assert answers(loaded, exhaustive=True) == answers(ranker, exhaustive=True)
    job = many_jobs(3)[1]
    assert loaded.rank_seekers(job, SEEKERS, k=5) == ranker.rank_seekers(job, SEEKERS, k=5)
    extra = [JobDoc(id=1, title="数控车工", required_skills=("数控编程",), region_code="440106", posted_on=TODAY)]
    assert answers(loaded.extend(extra)) == answers(ranker.extend(extra))


def test_a_snapshot_is_memory_mapped_and_read_only(tax: Taxonomy, tmp_path: Path) -> None:
    ranker = ContentRanker(taxonomy=tax, as_of=TODAY).fit(many_jobs(200))
    loaded = ContentRanker.load(ranker.save(tmp_path / "snap"), tax)
    t = loaded.table_
    for arr in (t.ids, t.text.data, t.text.indices, t.text.indptr, loaded.text_columns_.data, loaded.position_.ids):
        assert not arr.flags.writeable  # the pages of the file: shared by every process mapping it
        base = arr
        while not isinstance(base, np.memmap) and base.base is not None:
            base = base.base
        assert isinstance(base, np.memmap)
    assert not any(p.name.startswith("table.jobs") for p in (tmp_path / "snap").iterdir())


def test_save_wants_a_new_directory_and_load_a_snapshot(tax: Taxonomy, tmp_path: Path) -> None:
    ranker = ContentRanker(taxonomy=tax, as_of=TODAY).fit(cn_jobs())
    snap = ranker.save(tmp_path / "snap")
    with pytest.raises(FileExistsError):
        ranker.save(snap)
    meta = json.loads((snap / "meta.json").read_text(encoding="utf-8"))
    (snap / "meta.json").write_text(json.dumps({**meta, "format": "something else"}), encoding="utf-8")
    with pytest.raises(ValueError, match="not a vocmatch-content-ranker"):
        ContentRanker.load(snap, tax)


def test_without_documents_the_answers_are_the_same(tax: Taxonomy) -> None:
    jobs = many_jobs(800)
    with_docs = ContentRanker(taxonomy=tax, as_of=TODAY, n_candidates=40).fit(jobs)
    without = ContentRanker(taxonomy=tax, as_of=TODAY, n_candidates=40, keep_docs=False).fit(jobs)
    assert without.table_.jobs is None and with_docs.table_.jobs == jobs
    assert answers(without) == answers(with_docs)
    t = without.table_
    row = without.position_[jobs[5].id]
    assert t.title(row) == jobs[5].title
    assert [w for w, _, k in t.skills(row) if k == "req"] == list(dict.fromkeys(jobs[5].required_skills))


def test_uncapped_candidates_are_the_exact_cosine_search(tax: Taxonomy) -> None:
    """``max_term_postings=None`` keeps every posting of every n-gram: the candidate search of
    before the cap; a cap above every list's length changes nothing either."""
    jobs = many_jobs()
    params: dict[str, Any] = {"taxonomy": tax, "as_of": TODAY, "n_candidates": 30, "max_postings": 40}
    exact = ContentRanker(**params, max_term_postings=None).fit(jobs)
    assert exact.text_columns_.nnz == exact.table_.text.nnz
    big = ContentRanker(**params, max_term_postings=len(jobs)).fit(jobs)
    assert answers(big) == answers(exact)


def test_impact_ordered_keeps_each_columns_heaviest_postings() -> None:
    m = sp.csr_matrix(np.array([[0.1, 0.0, 0.5], [0.9, 0.2, 0.4], [0.3, 0.0, 0.6], [0.8, 0.7, 0.0]], dtype=np.float32))
    cut = impact_ordered(m, 2).toarray()
    np.testing.assert_allclose(cut, [[0, 0, 0.5], [0.9, 0.2, 0], [0, 0, 0.6], [0.8, 0.7, 0]], rtol=1e-6)
    assert (impact_ordered(m, None).toarray() == m.toarray()).all()


def test_positions_map_ids_to_rows() -> None:
    pos = Positions.of(np.array([30, 10, 20], dtype=np.int64))
    assert dict(pos) == {10: 1, 20: 2, 30: 0} and pos == {30: 0, 10: 1, 20: 2}
    assert 10 in pos and 11 not in pos and "10" not in pos and pos.get(40) is None and len(pos) == 3
    with pytest.raises(KeyError):
        pos[11]


def test_tfidf_fitted_in_chunks_is_the_same_matrix(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [j.title + " " + " ".join(j.required_skills) for j in many_jobs(300)] + ["", "a"]
    whole = CharNgramTfidf().fit_transform(texts)
    monkeypatch.setattr(matching.ngrams, "CHUNK", 7)
    chunked = CharNgramTfidf()
    got = chunked.fit_transform(texts)
    assert got.shape == whole.shape and (got.toarray() == whole.toarray()).all()
    assert abs(chunked.transform(texts[:5]) - got[:5]).max() < 1e-6


def test_a_live_index_over_a_loaded_snapshot_takes_deltas(tax: Taxonomy, tmp_path: Path) -> None:
    jobs = many_jobs(400)
    ranker = ContentRanker(taxonomy=tax, as_of=TODAY, n_candidates=40).fit(jobs)
    loaded = ContentRanker.load(ranker.save(tmp_path / "snap"), tax)
    new = JobDoc(id=2, title="Line Cook", required_skills=("food safety",), region_code="440106", posted_on=TODAY)
    fitted_live = LiveIndex.of(ranker).with_changes([new], {jobs[0].id})
    loaded_live = LiveIndex.of(loaded).with_changes([new], {jobs[0].id})
    assert [loaded_live.recommend(s, k=10) for s in SEEKERS] == [fitted_live.recommend(s, k=10) for s in SEEKERS]
    assert loaded_live.job(2) == new and fitted_live.job(jobs[1].id) == jobs[1]
    with pytest.raises(LookupError, match="holds no documents"):
        loaded_live.job(jobs[1].id)  # the caller reads the posting from its own store
