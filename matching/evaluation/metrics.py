"""Ranking metrics for one query: average precision, recall@k, P@k, NDCG@k, reciprocal rank.

Every function takes ``ranking`` (a sequence of item ids, best first; ids may be any hashable,
typically corpus indices) and ``relevant`` (the ids judged relevant, binary relevance) and returns a
float in 0–1. Ids in ``ranking`` that are not in ``relevant`` count as non-relevant; relevant ids
missing from ``ranking`` count as never retrieved. ``k`` must be a positive integer, else
``ValueError``. An empty ``relevant`` set gives 0.0 (such queries are usually left out of the mean;
:func:`mean_metrics` refuses them).

Definitions follow trec_eval (NIST, the Text REtrieval Conference evaluation tool), which the
TalentCLEF 2025 task uses through ``ranx``/``pytrec_eval``:

* AP: mean over the relevant items of the precision at each relevant item's rank; relevant
  items not retrieved contribute 0 (trec_eval ``map``; Manning, Raghavan & Schütze,
  *Introduction to Information Retrieval*, 2008, §8.4). MAP is its mean over queries.
* P@k: relevant items among the first k, divided by k (trec_eval ``P_k``; a ranking shorter than
  k is padded with non-relevant items).
* recall@k: relevant items among the first k, divided by the number of relevant items
  (trec_eval ``recall_k``).
* NDCG@k: DCG@k = Σ_{i=1..k} rel_i / log2(i + 1), divided by the DCG of an ideal ranking
  (Järvelin & Kekäläinen, "Cumulated gain-based evaluation of IR techniques", ACM TOIS 20(4), 2002;
  the log2(i + 1) discount as in trec_eval ``ndcg_cut``).
* RR: 1 / rank of the first relevant item, 0 if none (Voorhees, TREC-8 QA track, 1999). MRR is
  its mean over queries.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence

import numpy as np


def _check_k(k: int) -> None:
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")


def average_precision(ranking: Sequence[Hashable], relevant: Collection[Hashable]) -> float:
    """Average precision (0–1) of the full ``ranking`` (trec_eval ``map`` for one query)."""
    if not relevant:
        return 0.0
    hits, total = 0, 0.0
    seen: set[Hashable] = set()
    for rank, item in enumerate(ranking, start=1):
        if item in relevant and item not in seen:
            seen.add(item)
            hits += 1
            total += hits / rank
    return total / len(relevant)


def precision_at_k(ranking: Sequence[Hashable], relevant: Collection[Hashable], k: int) -> float:
    """P@k (0–1): share of the first ``k`` ranked items that are relevant (trec_eval ``P_k``)."""
    _check_k(k)
    return len(set(ranking[:k]) & set(relevant)) / k


def recall_at_k(ranking: Sequence[Hashable], relevant: Collection[Hashable], k: int) -> float:
    """recall@k (0–1): share of the relevant items found in the first ``k`` (trec_eval ``recall_k``)."""
    _check_k(k)
    if not relevant:
        return 0.0
    return len(set(ranking[:k]) & set(relevant)) / len(set(relevant))


def ndcg_at_k(ranking: Sequence[Hashable], relevant: Collection[Hashable], k: int) -> float:
    """NDCG@k (0–1) with binary gains and the log2(rank + 1) discount (Järvelin & Kekäläinen 2002)."""
    _check_k(k)
    rel = set(relevant)
    if not rel:
        return 0.0
    dcg = sum(1.0 / math.log2(i + 1) for i, item in enumerate(ranking[:k], start=1) if item in rel)
    ideal = sum(1.0 / math.log2(i + 1) for i in range(1, min(k, len(rel)) + 1))
    return dcg / ideal


def reciprocal_rank(ranking: Sequence[Hashable], relevant: Collection[Hashable]) -> float:
    """Reciprocal rank (0–1) of the first relevant item; 0.0 when none is ranked (Voorhees 1999)."""
    for rank, item in enumerate(ranking, start=1):
        if item in relevant:
            return 1.0 / rank
    return 0.0


def mean_metrics(
    rankings: Iterable[Sequence[Hashable]],
    relevants: Iterable[Collection[Hashable]],
    ks: Mapping[str, tuple[str, int]] | None = None,
) -> dict[str, float]:
    """Mean of the metrics over queries, keyed ``"MAP"``, ``"MRR"``, ``"recall@10"``, ``"P@5"``, ``"NDCG@10"``.

    ``rankings[i]`` is query i's ranking, ``relevants[i]`` its relevant ids. ``ks`` replaces the
    cut-off metrics: a mapping of output name to ``(metric, k)`` with metric one of ``"recall"``,
    ``"P"``, ``"NDCG"``. Raises ``ValueError`` when the lengths differ, when there is no query, or
    when query i has no relevant item (say which), since such a query has no defined AP.
    """
    cut = dict(ks) if ks is not None else {"recall@10": ("recall", 10), "P@5": ("P", 5), "NDCG@10": ("NDCG", 10)}
    funcs = {"recall": recall_at_k, "P": precision_at_k, "NDCG": ndcg_at_k}
    for name, (metric, k) in cut.items():
        if metric not in funcs:
            raise ValueError(f"{name}: unknown metric {metric!r}; use one of {sorted(funcs)}")
        _check_k(k)
    rankings, relevants = list(rankings), list(relevants)
    if len(rankings) != len(relevants):
        raise ValueError(f"{len(rankings)} rankings but {len(relevants)} relevance sets")
    if not rankings:
        raise ValueError("no query to evaluate")
    sums = dict.fromkeys(["MAP", "MRR", *cut], 0.0)
    for i, (ranking, relevant) in enumerate(zip(rankings, relevants, strict=True)):
        if not relevant:
            raise ValueError(f"query {i} has no relevant item; leave it out of the evaluation")
        sums["MAP"] += average_precision(ranking, relevant)
        sums["MRR"] += reciprocal_rank(ranking, relevant)
        for name, (metric, k) in cut.items():
            sums[name] += funcs[metric](ranking, relevant, k)
    return {name: total / len(rankings) for name, total in sums.items()}


def lift_interval(
    model: Sequence[float] | np.ndarray,
    baseline: Sequence[float] | np.ndarray,
    level: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float]:
    """Confidence interval of the relative lift ``mean(model) / mean(baseline) − 1`` of one metric.

    ``model[i]`` and ``baseline[i]`` are the metric (e.g. NDCG@10, 0–1) of the same query i under the
    two rankers: the queries are resampled in pairs (paired percentile bootstrap, Efron & Tibshirani,
    *An Introduction to the Bootstrap*, 1993; for IR evaluation Sakai, "Evaluating evaluation
    metrics based on the bootstrap", SIGIR 2006), through :func:`scipy.stats.bootstrap`. Returns
    ``(low, high)`` as fractions (0.25 = +25 %). Deterministic for a given ``seed``.

    Raises ``ValueError`` when the lengths differ, there are fewer than 2 queries, or ``level`` is not
    between 0 and 1.
    """
    from scipy.stats import bootstrap  # imported here: scipy is slow to import and only this needs it

    a, b = np.asarray(model, dtype=float), np.asarray(baseline, dtype=float)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"model has {a.shape} values and baseline {b.shape}; need one of each per query")
    if len(a) < 2:
        raise ValueError(f"{len(a)} queries: a bootstrap interval needs at least 2")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1 (exclusive), got {level}")

    def lift(x: np.ndarray, y: np.ndarray, axis: int = -1) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return x.mean(axis=axis) / y.mean(axis=axis) - 1.0

    res = bootstrap(
        (a, b),
        lift,
        paired=True,
        vectorized=True,
        n_resamples=n_resamples,
        confidence_level=level,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)
