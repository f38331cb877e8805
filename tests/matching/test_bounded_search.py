"""The candidate search's score bounds (issue 18): postings of the seeker's index keys are chosen by a
bound on their whole score (MaxScore / WAND threshold test), so the answers equal brute force on a
generated table of several thousand postings even with small candidate budgets."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from matching.content import ContentRanker
from matching.documents import SeekerDoc
from matching.taxonomy import Taxonomy
from tests.matching.test_content import TODAY
from tests.matching.test_snapshot import CODES, SKILLS, TITLES, many_jobs
from tests.matching.test_taxonomy import CONCEPTS, MAJORS

#: budgets far below the table (4,000 postings): the candidate path, with lists cut and narrowed
TIGHT: dict[str, Any] = {"n_candidates": 20, "max_postings": 20, "max_term_postings": 150}


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return Taxonomy.from_records(CONCEPTS, MAJORS)


@pytest.fixture(scope="module")
def ranker(tax: Taxonomy) -> ContentRanker:
    return ContentRanker(taxonomy=tax, as_of=TODAY, **TIGHT).fit(many_jobs(4000))


def seekers(n: int = 25) -> list[SeekerDoc]:
    rng = random.Random(5)
    return [
        SeekerDoc(
            id=100 + i,
            desired_titles=tuple(rng.sample(TITLES, rng.randint(1, 2))),
            skills=tuple(rng.sample(SKILLS, rng.randint(0, 2))),
            region_code=rng.choice([*CODES, None]),
            min_salary_monthly=rng.choice([None, 5000]),
        )
        for i in range(n)
    ]


def top(ranker: ContentRanker, s: SeekerDoc, **kw: Any) -> list[tuple[int, float]]:
    return [(m.job_id, round(m.score, 9)) for m in ranker.recommend(s, k=10, **kw)]


def test_bounded_candidates_give_the_brute_force_top_k(ranker: ContentRanker) -> None:
    for s in seekers():
        assert top(ranker, s) == top(ranker, s, exhaustive=True), s


def test_choosing_index_postings_by_cosine_alone_misses_some(
    ranker: ContentRanker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the bounds (the search before them) the same budgets lose brute-force answers."""
    plain = ContentRanker.candidates
    monkeypatch.setattr(ContentRanker, "candidates", lambda self, p, b, k=None: plain(self, p, b, None))
    assert any(top(ranker, s) != top(ranker, s, exhaustive=True) for s in seekers())


def test_text_bounds_hold_for_every_row(ranker: ContentRanker) -> None:
    """The capped, pruned cosine is a lower bound of the exact one and ``cos + slack`` an upper bound."""
    t = ranker.table_
    for s in seekers(10):
        p = ranker._profiles([s])[0]
        cos, slack = ranker._text_bounds(p)
        exact = (t.text @ p.text_vec.T).toarray().ravel()
        assert (cos <= exact + 1e-5).all() and (exact <= cos + slack + 1e-5).all()
        assert slack > 0 or np.allclose(cos, exact, atol=1e-5)


def test_excluded_postings_do_not_raise_the_threshold(ranker: ContentRanker) -> None:
    s = seekers(1)[0]
    first = [j for j, _ in top(ranker, s)][:5]
    assert top(ranker, s, exclude=first) == top(ranker, s, exclude=first, exhaustive=True)
