"""Learned ranker: features (content, interactions, history), self-exclusion, estimator contract, re-ranking."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matching.content import ContentRanker
from matching.documents import JobDoc, SeekerDoc
from matching.ltr import MAX_GRADE, LearnedRanker, Query, group_ndcg, rerank, training_set
from matching.ltr_features import (
    CONTENT_FEATURES,
    DAY,
    FEATURE_NAMES,
    HISTORY_FEATURES,
    FeatureBuilder,
    Interaction,
    InteractionStats,
)
from tests.factories import synthetic_ranking

T0 = 1_700_000_000.0
COL = {name: i for i, name in enumerate(FEATURE_NAMES)}


def jobs() -> list[JobDoc]:
    return [
        JobDoc(id=1, title="Line Cook", country="US", province="NJ", city="Newark", employer_name="Diner A"),
        JobDoc(id=2, title="Prep Cook", country="US", province="NJ", city="Newark", employer_name="Diner B"),
        JobDoc(id=3, title="Cashier", country="US", province="NJ", city="Jersey City", employer_name="Shop C"),
        JobDoc(id=4, title="Cashier", country="US", province="CA", city="Fresno", employer_name="Shop C"),
        JobDoc(id=5, title="Security Officer", country="US", province="NY", city="New York", employer_name="Guard D"),
        JobDoc(id=6, title="Line Cook", country="US", province="CA", city="Fresno", employer_name="Diner A"),
    ]


VIEWS = [
    Interaction(seeker=100, job_id=1, at=T0),
    Interaction(seeker=100, job_id=2, at=T0 + 10 * DAY),
    Interaction(seeker=101, job_id=1, at=T0 + DAY),
    Interaction(seeker=101, job_id=2, at=T0 + 2 * DAY),
    Interaction(seeker=101, job_id=1, at=T0 - DAY),  # repeat view: counts once, at the earliest time
    Interaction(seeker=102, job_id=3, at=T0 + 3 * DAY, grade=4.0),
    Interaction(seeker=103, job_id=999, at=T0),  # unknown posting: ignored
]


@pytest.fixture(scope="module")
def builder() -> FeatureBuilder:
    ranker = ContentRanker().fit(jobs())
    return FeatureBuilder(ranker, InteractionStats(ranker, VIEWS))


def test_group_ndcg_by_hand() -> None:
    y = np.array([0, 1, 0, 0, 2, 0])
    score = np.array([0.9, 0.5, 0.1, 0.3, 0.2, 0.8])
    groups = np.array([7, 7, 7, 9, 9, 9])
    # group 7: relevant at rank 2 -> 1/log2(3); group 9: grade 2 at rank 3 -> (2^2-1)/log2(4) / (3/1)
    assert group_ndcg(y, score, groups) == pytest.approx([1 / math.log2(3), 0.5])
    # a constant scorer gets no credit from tie order (relevant rows last)
    assert group_ndcg(y, np.zeros(6), groups) == pytest.approx([1 / math.log2(4), 0.5])


def test_interaction_features_leave_the_seeker_out(builder: FeatureBuilder) -> None:
    stats = builder.stats
    assert stats is not None and stats.ignored == 1 and len(stats) == 5
    seeker = SeekerDoc(id=100, country="US", province="NJ", city="Newark", desired_titles=("line cook",))
    pos = builder.ranker.position_
    anyone = builder.matrix(seeker, now=T0 + 20 * DAY)
    own_out = builder.matrix(seeker, now=T0 + 20 * DAY, key=100)
    assert anyone[pos[1], COL["popularity"]] == pytest.approx(math.log1p(2))
    assert own_out[pos[1], COL["popularity"]] == pytest.approx(math.log1p(1))
    assert own_out[pos[3], COL["popularity_graded"]] == pytest.approx(math.log1p(4.0))
    # only interactions before the request count for time features
    early = builder.matrix(seeker, now=T0 + 1.5 * DAY, key=100)
    assert early[pos[1], COL["days_since_first"]] == pytest.approx(2.5)  # seeker 101's view at T0 - DAY
    assert math.isnan(early[pos[3], COL["days_since_first"]])  # first viewed after the request
    assert early[pos[1], COL["recent_activity"]] == pytest.approx(math.log1p(1))
    # location popularity: Newark holds 4 of the others' views (with the seeker's own: 4 + 2)
    assert anyone[pos[2], COL["city_activity"]] == pytest.approx(math.log1p(4))
    assert own_out[pos[2], COL["city_activity"]] == pytest.approx(math.log1p(2))
    assert math.isnan(builder.matrix(seeker)[pos[1], COL["days_since_last"]])  # no request time


def test_time_decayed_popularity_by_hand(builder: FeatureBuilder) -> None:
    pos = builder.ranker.position_
    seeker = SeekerDoc(id=100, country="US")
    # request at T0 + 2.5 days, seeker 100 left out: posting 1 was seen by 101 at T0 - 1 day (3.5 days
    # old); posting 2 by 101 at T0 + 2 days (0.5 days old; 100's view at T0 + 10 days is later)
    x = builder.matrix(seeker, now=T0 + 2.5 * DAY, key=100)
    assert x[pos[1], COL["decayed_1d"]] == pytest.approx(math.log1p(2**-3.5))
    assert x[pos[1], COL["decayed_3d"]] == pytest.approx(math.log1p(2 ** (-3.5 / 3)))
    assert x[pos[2], COL["decayed_6h"]] == pytest.approx(math.log1p(2**-2))
    assert x[pos[3], COL["decayed_1d"]] == 0.0  # viewed only after the request
    # employer "Diner A" holds postings 1 and 6: the employer's decayed count is posting 1's
    assert x[pos[6], COL["employer_decayed_1d"]] == pytest.approx(math.log1p(2**-3.5))
    assert x[pos[6], COL["decayed_1d"]] == 0.0
    # title "Line Cook" (postings 1 and 6) likewise; "Prep Cook" only posting 2
    assert x[pos[6], COL["title_decayed_1d"]] == pytest.approx(math.log1p(2**-3.5))
    assert x[pos[2], COL["title_decayed_1d"]] == pytest.approx(math.log1p(2**-0.5))
    # without a request time they are unknown, not zero
    assert np.isnan(builder.matrix(seeker)[:, COL["decayed_1d"]]).all()


def test_creation_order_features_by_hand(builder: FeatureBuilder) -> None:
    pos = builder.ranker.position_
    seeker = SeekerDoc(id=100, country="US")
    # ids 1..6 are places 0, 0.2 … 1 in the creation order. At T0 + 2.5 days, seeker 100 left out,
    # the others' interactions before the request are 101's with posting 1 (T0 - 1 day) and 2
    # (T0 + 2 days): fewer than CREATION_MIN_RECENT in the window, so the latest ones (both) are the
    # reference: median place 0.1, newest 0.2
    x = builder.matrix(seeker, now=T0 + 2.5 * DAY, key=100)
    assert x[pos[5], COL["creation_vs_recent"]] == pytest.approx(0.7)
    assert x[pos[5], COL["creation_vs_newest"]] == pytest.approx(0.6)
    assert x[pos[1], COL["creation_vs_recent"]] == pytest.approx(-0.1)
    # nothing before the request, or no request time: unknown
    assert np.isnan(builder.matrix(seeker, now=T0 - 2 * DAY)[:, COL["creation_vs_recent"]]).all()
    assert np.isnan(builder.matrix(seeker)[:, COL["creation_vs_newest"]]).all()


def test_creation_order_follows_ids_and_uses_the_recent_window() -> None:
    ranker = ContentRanker().fit(list(reversed(jobs())))  # table order is not creation order
    pos = ranker.position_
    # 25 seekers viewed posting 5 (place 0.8) in the last day; one viewed posting 6 (place 1) a week ago
    views = [Interaction(seeker=s, job_id=5, at=T0 - 0.5 * DAY) for s in range(25)]
    views.append(Interaction(seeker=99, job_id=6, at=T0 - 7 * DAY))
    x = FeatureBuilder(ranker, InteractionStats(ranker, views)).matrix(SeekerDoc(id=1, country="US"), now=T0)
    assert x[pos[1], COL["creation_vs_recent"]] == pytest.approx(-0.8)  # the window's median is posting 5
    assert x[pos[1], COL["creation_vs_newest"]] == pytest.approx(-1.0)  # the newest seen is posting 6
    assert x[pos[6], COL["creation_vs_recent"]] == pytest.approx(0.2)


def test_creation_reference_is_the_median_of_the_window_or_else_the_latest(builder: FeatureBuilder) -> None:
    ranker = builder.ranker
    pos = ranker.position_
    seeker = SeekerDoc(id=1, country="US")
    # window (last 3 days): 20 views of posting 2 (place 0.2) and 1 of posting 6 (place 1): median 0.2, not
    # the mean; 30 week-old views of posting 6 would move a median over the latest 50 to 1; 25 views of
    # posting 4 at the request time itself do not count (they would move the median to 0.6)
    views = [Interaction(seeker=s, job_id=2, at=T0 - DAY) for s in range(20)]
    views += [Interaction(seeker=50, job_id=6, at=T0 - DAY)]
    views += [Interaction(seeker=100 + s, job_id=6, at=T0 - 7 * DAY) for s in range(30)]
    views += [Interaction(seeker=200 + s, job_id=4, at=T0) for s in range(25)]
    stats = InteractionStats(ranker, views)
    recent, newest = stats.creation_offsets(T0, rows=np.array([pos[4]]))
    assert recent[0] == pytest.approx(0.6 - 0.2) and newest[0] == pytest.approx(0.6 - 1.0)
    # the seeker's own views are left out: without seeker 50 the newest place viewed is posting 2's
    own = InteractionStats(ranker, views[:21])
    x = FeatureBuilder(ranker, own).matrix(seeker, now=T0, key=50)
    assert x[pos[4], COL["creation_vs_newest"]] == pytest.approx(0.6 - 0.2)
    assert own.creation_offsets(T0)[1][pos[4]] == pytest.approx(0.6 - 1.0)
    assert np.allclose(own.creation_offsets(T0, 50)[0], x[:, COL["creation_vs_recent"]])
    # too few in the window: the latest CREATION_FALLBACK (50) before the request, not the oldest.
    # 50 recent-ish views of posting 5 (place 0.8) after 30 older views of posting 1 (place 0)
    old = [Interaction(seeker=s, job_id=1, at=T0 - 30 * DAY) for s in range(30)]
    later = [Interaction(seeker=100 + s, job_id=5, at=T0 - 10 * DAY + s) for s in range(50)]
    recent, _ = InteractionStats(ranker, old + later).creation_offsets(T0, rows=np.array([pos[5]]))
    assert recent[0] == pytest.approx(0.0)


def test_creation_places_are_the_same_when_only_open_postings_are_ranked() -> None:
    # the service ranks open postings (here 4, 5, 6) and passes every posting's id; retraining ranks all
    views = [Interaction(seeker=s, job_id=1 + s % 3, at=T0 - DAY) for s in range(30)]  # closed postings 1–3
    views += [Interaction(seeker=40, job_id=5, at=T0 - 2 * DAY), Interaction(seeker=41, job_id=6, at=T0 - DAY)]
    every = ContentRanker().fit(jobs())
    open_only = ContentRanker().fit([j for j in jobs() if j.id >= 4])
    all_stats = InteractionStats(every, views)
    open_stats = InteractionStats(open_only, views, posting_ids=[j.id for j in jobs()])
    for job_id in (4, 5, 6):
        a = all_stats.creation_offsets(T0, 41, np.array([every.position_[job_id]]))
        b = open_stats.creation_offsets(T0, 41, np.array([open_only.position_[job_id]]))
        assert np.allclose(a, b)
    # without every posting's id the places would be among the open ones only (and differ)
    alone = InteractionStats(open_only, views).creation_offsets(T0, 41, np.array([open_only.position_[4]]))
    assert not np.allclose(alone, all_stats.creation_offsets(T0, 41, np.array([every.position_[4]])))


def test_history_features(builder: FeatureBuilder) -> None:
    pos = builder.ranker.position_
    cold = builder.matrix(SeekerDoc(id=5, country="US"), now=T0)
    for name in HISTORY_FEATURES:
        assert np.isnan(cold[:, COL[name]]).all(), name
    warm = builder.matrix(SeekerDoc(id=5, country="US"), history=(1,), now=T0 + 30 * DAY, key=100)
    assert warm[pos[2], COL["history_city_last"]] == 1.0 and warm[pos[3], COL["history_city_last"]] == 0.0
    assert warm[pos[3], COL["history_state_last"]] == 1.0 and warm[pos[4], COL["history_state_last"]] == 0.0
    assert warm[pos[6], COL["history_company"]] == 1.0 and warm[pos[2], COL["history_company"]] == 0.0
    assert warm[pos[6], COL["history_title_max"]] == pytest.approx(1.0)  # same title
    assert warm[pos[6], COL["history_title_match"]] > warm[pos[5], COL["history_title_match"]]
    # co-interaction: 101 viewed 1 and 2 (100 did too, but 100 is the seeker and left out)
    assert warm[pos[2], COL["co_interaction"]] == pytest.approx(math.log1p(1))
    assert builder.matrix(SeekerDoc(id=5), history=(1,), now=T0)[pos[2], COL["co_interaction"]] == pytest.approx(
        math.log1p(2)
    )
    # of the others who viewed in Newark (101), all viewed in Newark; nobody viewed Jersey City with it
    assert warm[pos[2], COL["co_city"]] == pytest.approx(1.0)
    assert warm[pos[3], COL["co_city"]] == pytest.approx(0.0)


def test_unseen_places_employers_and_titles_do_not_break_features(builder: FeatureBuilder) -> None:
    odd = SeekerDoc(id=9, country="ZZ", province="Atlantis", city="Nowhere", desired_titles=("astronaut",))
    x = builder.matrix(odd, history=(5,), now=T0 + 99 * DAY, key="never-seen")
    assert x.shape == (6, len(FEATURE_NAMES)) and not np.isinf(x).any()
    v = builder.feature_vector(odd, 4, history=(5,), now=T0)
    assert set(v) == set(FEATURE_NAMES) and v["history_city_last"] == 0.0
    with pytest.raises(KeyError, match="job 12345"):
        builder.feature_vector(odd, 12345)


def test_learned_ranker_learns_and_follows_the_estimator_contract(trained_ranker: LearnedRanker) -> None:
    X, y, groups = synthetic_ranking(n_groups=100)
    model = trained_ranker
    assert clone(model).get_params() == model.get_params() and not hasattr(clone(model), "estimators_")
    with pytest.raises(NotFittedError):
        clone(model).predict(X)
    assert model.n_features_in_ == len(FEATURE_NAMES) and 10 <= model.n_iter_ <= 60
    Xt, yt, gt = synthetic_ranking(seed=1)
    assert model.score(Xt, yt, gt) > 0.8  # random scores give about 0.1
    with pytest.raises(ValueError, match="groups"):
        LearnedRanker().fit(X, y, groups[:-1])
    with pytest.raises(ValueError, match="no query group has a relevant row"):
        LearnedRanker().fit(X, np.zeros(len(y)), groups)
    with pytest.raises(ValueError, match="columns"):
        LearnedRanker().fit(X[:, :5], y, groups)


def test_bagged_ranker_averages_boosters_fitted_on_bootstrap_samples_of_queries(trained_ranker: LearnedRanker) -> None:
    X, y, groups = synthetic_ranking(n_groups=100)
    bagged = trained_ranker
    assert bagged.n_bags == 3 and len(bagged.estimators_) == 3 and len(bagged.bag_iters_) == 3
    assert bagged.n_iter_ == int(np.median(bagged.bag_iters_))
    Xt, yt, gt = synthetic_ranking(seed=1)
    each = np.array([b.predict(Xt) for b in bagged.estimators_])
    assert bagged.predict(Xt) == pytest.approx(each.mean(axis=0))
    assert not np.allclose(each[0], each[1])  # different samples, different boosters
    assert bagged.score(Xt, yt, gt) > 0.8
    # n_bags=1 is the single booster on every query, as before bagging
    single = LearnedRanker(min_samples_leaf=5, max_iter=40, n_bags=1, validation_fraction=0).fit(X, y, groups)
    assert len(single.estimators_) == 1 and single.n_iter_ == 40 and single.validation_curves_ == [None]
    with pytest.raises(ValueError, match="n_bags must be >= 1"):
        LearnedRanker(n_bags=0).fit(X, y, groups)


def test_training_set_keeps_targets_and_never_samples_history(builder: FeatureBuilder) -> None:
    q = Query(seeker=SeekerDoc(id=1), history=(1, 2), at=T0, targets={3: 2.0}, key=100)
    X, y, groups = training_set(builder, [q, Query(seeker=SeekerDoc(id=2), targets={999: 1.0})], n_random=10, seed=3)
    pos = builder.ranker.position_
    assert list(y) == [2.0, 0.0, 0.0, 0.0]  # target + the 3 postings that are neither target nor history
    assert set(groups) == {0}  # the query whose target is unknown is skipped
    assert X[0, COL["history_size"]] == pytest.approx(math.log1p(2))
    hist_rows = builder.matrix(q.seeker, q.history, q.at, np.array([pos[1], pos[2]]), q.key)
    assert not any(np.allclose(r, h, equal_nan=True) for r in X[1:] for h in hist_rows)


def test_rerank_keeps_explanations_and_scores_in_range(builder: FeatureBuilder, trained_ranker: LearnedRanker) -> None:
    model = trained_ranker
    seeker = SeekerDoc(id=7, country="US", province="NJ", city="Newark", desired_titles=("cook",))
    out = rerank(model, builder, seeker, k=3, exclude={2}, history=(1,), now=T0)
    assert len(out) == 3 and 2 not in [m.job_id for m in out]
    assert all(0.0 <= m.score <= 1.0 for m in out)
    assert [m.score for m in out] == sorted((m.score for m in out), reverse=True)
    for m in out:
        assert {"content_score", "learned", "location"} <= set(m.explanation.components)
        assert m.explanation.location in {"same_city", "same_province", "elsewhere", "unknown"}
    assert out[0].score == pytest.approx(
        min(
            max(
                model.predict(builder.matrix(seeker, (1,), T0, np.array([builder.ranker.position_[out[0].job_id]])))[0]
                / MAX_GRADE,
                0,
            ),
            1,
        )
    )


def test_every_served_column_is_known_for_some_seeker(builder: FeatureBuilder) -> None:
    """The interaction and history features as the service builds them (InteractionStats over the
    applications, no profiles: service.recommendations.caches.interaction_stats; the retraining job
    the same) leave no column NaN for every seeker and posting: a column the served model can never
    see is dead weight (issue 19, the former profile_*_co columns). The content columns are known
    whenever the seeker and posting say what they compare (test_content)."""
    cold = SeekerDoc(id=7, country="US", province="NJ", city="Jersey City", desired_titles=("line cook",))
    x = np.vstack([builder.matrix(cold, now=T0 + 20 * DAY), builder.matrix(cold, (1, 3), T0 + 20 * DAY)])
    served = [name for name in FEATURE_NAMES if name not in CONTENT_FEATURES]
    assert FEATURE_NAMES == CONTENT_FEATURES + tuple(served)
    never = [name for name in served if np.isnan(x[:, COL[name]]).all()]
    assert never == []


def test_job_features_of_some_rows_equal_those_of_all(builder: FeatureBuilder) -> None:
    stats = builder.stats
    assert stats is not None
    rows = np.array([5, 0, 2, 2])
    for now, key in ((None, None), (T0 + 2.5 * DAY, 100), (T0 + 20 * DAY, 102)):
        np.testing.assert_array_equal(stats.job_features(now, key, rows), stats.job_features(now, key)[rows])
    for name in ("city", "employer", "title"):
        for history, key in ((np.array([0]), None), (np.array([0, 1]), 100), (np.array([2]), 102)):
            full = stats.group_confidence(name, history, key)
            np.testing.assert_array_equal(stats.group_confidence(name, history, key, rows), full[rows])
    # the builder reuses the statistics' employer ids: same-employer history still found
    assert builder.company is stats.groups["employer"]
    pos = builder.ranker.position_
    x = builder.matrix(SeekerDoc(id=9, country="US"), history=(4,), now=T0, rows=np.array([pos[3], pos[1]]))
    assert list(x[:, COL["history_company"]]) == [1.0, 0.0]  # job 3 is Shop C's, like job 4; job 1 is not


def test_shortlist_features_are_reused_exactly_and_rerank_orders_by_the_model(
    builder: FeatureBuilder, trained_ranker: LearnedRanker
) -> None:
    ranker = builder.ranker
    seeker = SeekerDoc(id=7, country="US", province="NJ", city="Newark", desired_titles=("cook",), skills=("knife",))
    short = ranker.shortlist(seeker, k=4, exclude={2})
    assert len(short) == 4 and ranker.position_[2] not in short.rows
    # recommend is the shortlist, explained
    assert [(m.job_id, m.score) for m in ranker.recommend(seeker, k=4, exclude={2})] == [
        (short.match(i).job_id, short.match(i).score) for i in range(4)
    ]
    reused = builder.matrix(seeker, (1,), T0 + DAY, key=101, content=short)
    computed = builder.matrix(seeker, (1,), T0 + DAY, rows=short.rows, key=101)
    np.testing.assert_array_equal(reused, computed)
    with pytest.raises(ValueError, match="rows or content"):
        builder.matrix(seeker, rows=short.rows, content=short)
    other = ContentRanker().fit(jobs()).shortlist(seeker, k=4)
    with pytest.raises(ValueError, match="another ranker fit"):
        builder.matrix(seeker, content=other)
    assert len(ranker.shortlist(seeker, k=0)) == 0
    # rerank: the content ranker's candidates ordered by the model's prediction, ties by id
    model = trained_ranker
    rows = np.array([r for r in range(len(ranker.table_)) if ranker.table_.ids[r] != 2])
    pred = model.predict(builder.matrix(seeker, (1,), T0, rows=rows))
    ids = ranker.table_.ids[rows]
    expected = [int(ids[i]) for i in np.lexsort((ids, -pred))[:3]]
    assert [m.job_id for m in rerank(model, builder, seeker, k=3, exclude={2}, history=(1,), now=T0)] == expected
