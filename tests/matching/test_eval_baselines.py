"""Baselines of ``vocmatch evaluate recommend``: the creation-order window control, by hand."""

from __future__ import annotations

import numpy as np
import pytest

from matching.content import ContentRanker
from matching.documents import JobDoc, SeekerDoc
from matching.evaluation.baselines import WINDOW_COVERAGE, Baselines, fit_creation_window
from matching.ltr import Query
from matching.ltr_features import DAY, FeatureBuilder, Interaction, InteractionStats

T0 = 1_700_000_000.0
JOBS = [
    JobDoc(id=i, title=t, country="US", province="NJ", city="Newark", employer_name=f"Co{i}")
    for i, t in enumerate(["Line Cook", "Cashier", "Line Cook", "Cashier", "Line Cook", "Cashier"], start=1)
]
# 25 seekers viewed posting 2 (place 0.2 in the creation order of ids 1..6) half a day before T0
VIEWS = [Interaction(seeker=s, job_id=2, at=T0 - 0.5 * DAY) for s in range(25)]


@pytest.fixture(scope="module")
def base() -> Baselines:
    ranker = ContentRanker().fit(JOBS)
    return Baselines(FeatureBuilder(ranker, InteractionStats(ranker, VIEWS)), {j.id: j for j in JOBS})


def test_creation_window_holds_the_central_share_of_training_targets(base: Baselines) -> None:
    seeker = SeekerDoc(id=900, country="US", desired_titles=("line cook",))
    # targets at places 0.4, 0.6, 0.8: offsets from the recent median (0.2) are 0.2, 0.4, 0.6
    queries = [Query(seeker=seeker, at=T0, targets={j: 1.0}, key=900 + j) for j in (3, 4, 5)]
    low, high = fit_creation_window(base, queries)
    tail = 50.0 * (1.0 - WINDOW_COVERAGE)
    assert (low, high) == pytest.approx(tuple(np.percentile([0.2, 0.4, 0.6], [tail, 100.0 - tail])))
    assert low == pytest.approx(0.21) and high == pytest.approx(0.59)
    # no target with a value (nothing viewed before the queries): no window
    early = [Query(seeker=seeker, at=T0 - 2 * DAY, targets={3: 1.0}, key=1)]
    assert fit_creation_window(base, early) == (-np.inf, np.inf)


def test_window_puts_its_postings_first_and_keeps_the_blend_order_elsewhere(base: Baselines) -> None:
    pos = base.builder.ranker.position_
    q = Query(seeker=SeekerDoc(id=1, country="US", desired_titles=("line cook",)), at=T0, targets={1: 1.0}, key=1)
    weights = {"same_state": 0.1, "same_city": 0.1, "popularity": 0.2}
    offset = base.creation_offset(q)
    assert offset[pos[4]] == pytest.approx(0.4) and offset[pos[1]] == pytest.approx(-0.2)
    s = base.scores(q, base.components(q), weights, offset=offset, window=(0.3, 0.5))
    assert int(np.argmax(s["blend_creation_window"])) == pos[4]  # the only posting inside
    outside = np.arange(len(JOBS)) != pos[4]
    assert np.array_equal(s["blend_creation_window"][outside], s["blend"][outside])
    # nothing viewed before the request: every offset unknown, the window changes nothing
    early = Query(seeker=q.seeker, at=T0 - 2 * DAY, targets={1: 1.0}, key=1)
    s = base.scores(early, base.components(early), weights, offset=base.creation_offset(early), window=(0.3, 0.5))
    assert np.array_equal(s["blend_creation_window"], s["blend"])
    # a query without a time has no offsets: the control is the blend
    assert np.isnan(base.creation_offset(Query(seeker=q.seeker, targets={1: 1.0}, key=1))).all()
    # without a window the control is not scored
    assert "blend_creation_window" not in base.scores(q, base.components(q), weights)
