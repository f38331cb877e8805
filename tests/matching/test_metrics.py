"""Ranking metrics on hand-computed toy rankings."""

from __future__ import annotations

import math

import pytest

from matching.evaluation.metrics import (
    average_precision,
    lift_interval,
    mean_metrics,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    reciprocal_rank,
)

RANKING = ["a", "b", "c", "d", "e", "f"]
RELEVANT = {"a", "c", "f", "z"}  # z is never retrieved


def test_average_precision_counts_unretrieved_relevant_as_zero() -> None:
    # precisions at the relevant ranks 1, 3, 6: 1/1, 2/3, 3/6; divided by 4 relevant items
    assert average_precision(RANKING, RELEVANT) == pytest.approx((1 + 2 / 3 + 3 / 6) / 4)


def test_average_precision_perfect_and_worst() -> None:
    assert average_precision(["x", "y", "q"], {"x", "y"}) == 1.0
    assert average_precision(["q", "r", "x"], {"x"}) == pytest.approx(1 / 3)
    assert average_precision(["q"], {"x"}) == 0.0
    assert average_precision(["q"], set()) == 0.0


def test_average_precision_ignores_repeated_items() -> None:
    assert average_precision(["a", "a", "c"], {"a", "c"}) == pytest.approx((1 + 2 / 3) / 2)


def test_precision_and_recall_at_k() -> None:
    assert precision_at_k(RANKING, RELEVANT, 5) == pytest.approx(2 / 5)
    assert recall_at_k(RANKING, RELEVANT, 5) == pytest.approx(2 / 4)
    # a ranking shorter than k is padded with non-relevant items (trec_eval P_k)
    assert precision_at_k(["a"], {"a"}, 5) == pytest.approx(1 / 5)
    assert recall_at_k(RANKING, RELEVANT, 10) == pytest.approx(3 / 4)


def test_ndcg_at_k_binary_gains() -> None:
    dcg = 1 / math.log2(2) + 1 / math.log2(4)  # relevant at ranks 1 and 3
    ideal = 1 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)  # 3 of 4 relevant fit in k=3
    assert ndcg_at_k(RANKING, RELEVANT, 3) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(["x", "y"], {"x", "y"}, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["q", "x"], {"x"}, 1) == 0.0


def test_reciprocal_rank() -> None:
    assert reciprocal_rank(["q", "r", "x"], {"x", "y"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["q"], {"x"}) == 0.0


def test_mean_metrics_averages_over_queries() -> None:
    out = mean_metrics([["a", "b"], ["b", "a"]], [{"a"}, {"a"}], ks={"P@1": ("P", 1), "recall@1": ("recall", 1)})
    assert out == pytest.approx({"MAP": 0.75, "MRR": 0.75, "P@1": 0.5, "recall@1": 0.5})


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_bad_k_is_refused(k: object) -> None:
    with pytest.raises(ValueError, match="k must be a positive integer"):
        precision_at_k(RANKING, RELEVANT, k)  # type: ignore[arg-type]  # not a positive int, on purpose


def test_mean_metrics_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="query 1 has no relevant item"):
        mean_metrics([["a"], ["b"]], [{"a"}, set()])
    with pytest.raises(ValueError, match="2 rankings but 1 relevance sets"):
        mean_metrics([["a"], ["b"]], [{"a"}])
    with pytest.raises(ValueError, match="no query"):
        mean_metrics([], [])
    with pytest.raises(ValueError, match="unknown metric"):
        mean_metrics([["a"]], [{"a"}], ks={"X@1": ("MAP", 1)})


def test_lift_interval_is_paired_and_holds_the_true_lift() -> None:
    import numpy as np

    rng = np.random.default_rng(5)
    base = rng.random(400)
    # the model is the baseline times 1.3 on every query: every paired resample gives exactly +30 %
    low, high = lift_interval(base * 1.3, base, seed=1)
    assert low == pytest.approx(0.3) and high == pytest.approx(0.3)
    # noisy per-query differences: the interval widens and still contains the sample lift
    model = base * 1.3 + rng.normal(0, 0.2, size=400)
    low, high = lift_interval(model, base, seed=1)
    sample = model.mean() / base.mean() - 1
    assert low < sample < high and high - low > 0.05
    assert lift_interval(model, base, seed=1) == (low, high)  # seeded
    narrow = lift_interval(model, base, level=0.5, seed=1)
    assert low < narrow[0] < narrow[1] < high


@pytest.mark.parametrize(
    ("model", "base", "kwargs", "message"),
    [
        ([0.1, 0.2], [0.1], {}, "one of each per query"),
        ([0.1], [0.1], {}, "at least 2"),
        ([0.1, 0.2], [0.1, 0.3], {"level": 1.0}, "level must be between 0 and 1"),
    ],
)
def test_lift_interval_refuses_bad_input(model: list[float], base: list[float], kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        lift_interval(model, base, **kwargs)
