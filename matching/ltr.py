"""The learned ranker: gradient-boosted trees on (seeker, posting) features, trained from interactions.

Approach (pointwise learning to rank). scikit-learn has no LambdaMART, so the ranker regresses the
graded relevance of each (query, posting) pair with :class:`~sklearn.ensemble.HistGradientBoostingRegressor`
and ranks by the prediction. Li, Burges & Wu ("McRank: learning to rank using multiple
classification and gradient boosting", NIPS 2007) show that boosted trees fitted pointwise on
graded relevance rank about as well as the pairwise/listwise methods of the time, and that the
ranking depends on the predicted expected grade only; Burges ("From RankNet to LambdaRank to
LambdaMART: an overview", MSR-TR-2010-82) describes the listwise alternative. Query groups are
passed explicitly to :meth:`LearnedRanker.fit` and used twice: every query gets the same total
sample weight (a query with many sampled candidates does not dominate), and the number of
boosting rounds is chosen by NDCG@10 on held-out *queries* (a group-wise split; rows of one query
never sit on both sides). The prediction is the mean of ``n_bags`` such boosters, each fitted on a
bootstrap sample of the queries (bagging: boosted trees fitted on a few thousand queries vary from
sample to sample, and averaging them lowers that variance).

Training rows come from :func:`training_set`: per query, its positives (graded relevance
:data:`GRADES`: view 1 < apply 2 < interview 3 < hire 4) and uniformly sampled negatives
(negative sampling as in Rendle et al., "BPR: Bayesian personalized ranking from implicit
feedback", UAI 2009); "hard" negatives that a simple scorer puts first can be added but hurt a
pointwise model here (see :func:`training_set`).

Cold start: a seeker without history has ``NaN`` history features and a posting without
interactions ``NaN``/0 interaction features; the trees learned those cases from training queries
made the same way (:mod:`matching.evaluation.recommend` trains on both), so the content features
decide, with the ``creation_vs_*`` features dating a posting nobody has seen yet by its place in the
posting order. With no model at all
the service keeps :class:`~matching.content.ContentRanker`.
Places, employers and titles enter only through comparisons, never as categories, so an unseen
city or employer cannot break the model.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.model_selection import GroupShuffleSplit
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import ThreadpoolController

from matching.documents import Match, SeekerDoc
from matching.ltr_features import FEATURE_NAMES, FeatureBuilder

#: Graded relevance of an interaction (Järvelin & Kekäläinen's graded gains): the further a seeker
#: went with a posting, the more relevant it was to them.
GRADES: dict[str, float] = {"view": 1.0, "apply": 2.0, "interview": 3.0, "hire": 4.0}
MAX_GRADE = max(GRADES.values())
#: Name of this model family (features and fitting), the prefix of every trained version's name; a
#: change of :data:`~matching.ltr_features.FEATURE_NAMES` gets a new one (v3: ``creation_vs_*``; v4: without
#: the ``profile_*_co`` columns, which were ``NaN`` in every served row). A stored model of another
#: family has other ``feature_names``: the service refuses to serve it (content ranking until the next
#: retraining) and the retraining does not compare against it (``service.recommendations``).
MODEL_FAMILY = "ltr-hgb-v4"
#: Columns whose top postings are taken as hard negatives by :func:`training_set`.
HARD_NEGATIVE_FEATURES = ("content_score", "history_title_max", "co_interaction", "popularity")


@dataclass(frozen=True)
class Query:
    """One ranking request: who asks, what they did before, when, and (for training) what they chose.

    ``history`` holds posting ids, oldest first (never candidates); ``at`` the request time in POSIX
    seconds (``None``: unknown); ``targets`` posting id → graded relevance; ``key`` the seeker's key
    in the :class:`~matching.ltr_features.InteractionStats` (their own interactions are left out).
    """

    seeker: SeekerDoc
    history: tuple[int, ...] = ()
    at: float | None = None
    targets: Mapping[int, float] = field(default_factory=dict)
    key: Hashable | None = None


@functools.cache
def _thread_pools() -> ThreadpoolController:
    """The process's native thread pools (OpenMP, BLAS), found once. ``threadpool_limits`` builds a new
    controller on every use, which scans every loaded shared library: about 3 ms per prediction in a
    service process, a third of predicting 200 rows. scikit-learn's OpenMP runtime is loaded by the
    imports above, so a controller made at the first prediction sees it."""
    return ThreadpoolController()


def group_ndcg(y: np.ndarray, score: np.ndarray, groups: np.ndarray, k: int = 10) -> np.ndarray:
    """NDCG@k (gain 2^rel − 1, log2(rank + 1) discount; Järvelin & Kekäläinen 2002, Burges et al. 2005)
    of each group that has a relevant row, in order of first appearance. Ties in ``score`` are
    broken pessimistically (relevant rows last) so that a constant scorer earns nothing."""
    y, score, groups = np.asarray(y, float), np.asarray(score, float), np.asarray(groups)
    _, g = np.unique(groups, return_inverse=True)
    order = np.lexsort((y, -score, g))
    gs, ys = g[order], y[order]
    starts = np.flatnonzero(np.r_[True, gs[1:] != gs[:-1]])
    rank = np.arange(len(gs)) - np.repeat(starts, np.diff(np.r_[starts, len(gs)]))
    disc = np.where(rank < k, 1.0 / np.log2(rank + 2.0), 0.0)
    dcg = np.bincount(gs, weights=(2.0**ys - 1.0) * disc)
    ideal_order = np.lexsort((-y, g))
    iy = y[ideal_order]
    idcg = np.bincount(g[ideal_order], weights=(2.0**iy - 1.0) * disc)  # same rank layout per group
    has = idcg > 0
    return dcg[has] / idcg[has]


class LearnedRanker(BaseEstimator):
    """Pointwise gradient-boosted ranker over :data:`~matching.ltr_features.FEATURE_NAMES` (see module doc).

    Parameters: ``max_iter`` most boosting rounds, ``learning_rate``, ``max_leaf_nodes``,
    ``min_samples_leaf`` (``None``: rows / 3,000 clipped to 20–300, i.e. 300 for the job board's
    ~900,000 training rows and 20 for a small school's), ``l2_regularization`` (as in
    HistGradientBoostingRegressor);
    ``validation_fraction`` share of query groups held out to choose the number of rounds (0: use
    ``max_iter``); ``random_state``; ``n_threads`` OpenMP threads for fit and predict (``None``: all
    cores; 1 by default because a request scores a few hundred rows, where thread start-up and
    contention with the BLAS threads cost more than they save: 40 ms against 500 ms for 7,000 rows
    on two cores); ``feature_names`` the column names of ``X``; ``n_bags`` boosters averaged,
    each fitted on a bootstrap sample of the query groups (bagging, Breiman, "Bagging predictors",
    Machine Learning 24(2), 1996; 1: one booster on every query; the default's evaluation is in
    docs/experiments.md, "Bagging").

    Learned attributes: ``estimators_`` (the boosters), ``bag_iters_`` (rounds of each, chosen by
    NDCG@10 on held-out queries of its sample), ``n_iter_`` (their median), ``validation_curves_``,
    ``unknown_columns_``, ``n_groups_``, ``n_features_in_``.
    """

    def __init__(
        self,
        max_iter: int = 200,
        learning_rate: float = 0.1,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int | None = None,
        l2_regularization: float = 1.0,
        validation_fraction: float = 0.15,
        random_state: int = 0,
        n_threads: int | None = 1,
        feature_names: tuple[str, ...] = FEATURE_NAMES,
        n_bags: int = 3,
    ) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.n_threads = n_threads
        self.feature_names = feature_names
        self.n_bags = n_bags

    def _booster(self, max_iter: int, n_rows: int, seed: int) -> HistGradientBoostingRegressor:
        leaf = self.min_samples_leaf if self.min_samples_leaf is not None else int(np.clip(n_rows // 3000, 20, 300))
        return HistGradientBoostingRegressor(
            loss="squared_error",
            max_iter=max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=seed,
        )

    def fit(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> LearnedRanker:
        """Fit on rows ``X`` ``(n, n_features)`` (``NaN`` = unknown), graded relevance ``y`` ≥ 0 and query
        ids ``groups`` (one per row). Returns ``self``.

        Raises ``ValueError`` when the shapes disagree, ``y`` is negative, ``X`` has the wrong number of
        columns for ``feature_names``, or no group has a relevant row.
        """
        with _thread_pools().limit(limits=self.n_threads, user_api="openmp"):
            return self._fit(X, y, groups)

    def _fit(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> LearnedRanker:
        X, y = validate_data(self, X, y, ensure_all_finite="allow-nan", dtype=np.float64, y_numeric=True)
        groups = np.asarray(groups)
        if groups.shape != (len(y),):
            raise ValueError(f"groups has shape {groups.shape}; expected ({len(y)},), one query id per row")
        if X.shape[1] != len(self.feature_names):
            raise ValueError(f"X has {X.shape[1]} columns but feature_names names {len(self.feature_names)}")
        if (y < 0).any():
            raise ValueError("y (graded relevance) must be >= 0")
        _, g, sizes = np.unique(groups, return_inverse=True, return_counts=True)
        if not (np.bincount(g, weights=y) > 0).any():
            raise ValueError("no query group has a relevant row (y > 0): nothing to learn from")
        weight = (len(y) / len(sizes)) / sizes[g]
        # columns never known in training (e.g. salary on a board without salaries) carry no
        # information; HistGradientBoosting cannot bin an all-NaN column, so they become constant 0
        self.unknown_columns_ = np.flatnonzero(np.isnan(X).all(axis=0))
        if len(self.unknown_columns_):
            X = X.copy()
            X[:, self.unknown_columns_] = 0.0
        if self.n_bags < 1:
            raise ValueError(f"n_bags must be >= 1, got {self.n_bags}")
        self.estimators_, iters, self.validation_curves_ = [], [], []
        for b in range(self.n_bags):
            copies: np.ndarray
            if self.n_bags == 1:  # every query once
                copies = np.ones(len(sizes))
            else:  # a bootstrap sample of the queries: each query drawn 0, 1, 2… times
                rng = np.random.default_rng(self.random_state + b)
                copies = np.bincount(rng.integers(0, len(sizes), size=len(sizes)), minlength=len(sizes))
            keep = copies[g] > 0
            booster, n_iter, curve = self._fit_one(
                X[keep], y[keep], g[keep], weight[keep] * copies[g][keep], self.random_state + b
            )
            self.estimators_.append(booster)
            iters.append(n_iter)
            self.validation_curves_.append(curve)
        self.bag_iters_ = tuple(iters)
        self.n_iter_ = int(np.median(iters))
        self.n_groups_ = len(sizes)
        return self

    def _fit_one(
        self, X: np.ndarray, y: np.ndarray, g: np.ndarray, weight: np.ndarray, seed: int
    ) -> tuple[HistGradientBoostingRegressor, int, np.ndarray | None]:
        """One booster, its number of rounds chosen on held-out query groups, and the validation curve."""
        n_iter, curve = self.max_iter, None
        if self.validation_fraction > 0 and len(np.unique(g)) >= 20:
            split = GroupShuffleSplit(n_splits=1, test_size=self.validation_fraction, random_state=seed)
            tr, va = next(split.split(X, y, g))
            booster = self._booster(self.max_iter, len(y), seed).fit(X[tr], y[tr], sample_weight=weight[tr])
            curve = np.array([float(group_ndcg(y[va], s, g[va]).mean()) for s in booster.staged_predict(X[va])])
            n_iter = max(10, int(np.argmax(curve)) + 1)
        return self._booster(n_iter, len(y), seed).fit(X, y, sample_weight=weight), n_iter, curve

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted graded relevance (higher = better) for each row of ``X``.
        Raises ``NotFittedError`` before :meth:`fit`."""
        check_is_fitted(self, "estimators_")
        X = validate_data(self, X, reset=False, ensure_all_finite="allow-nan", dtype=np.float64)
        with _thread_pools().limit(limits=self.n_threads, user_api="openmp"):
            return np.mean([booster.predict(X) for booster in self.estimators_], axis=0)

    def score(self, X: np.ndarray, y: np.ndarray, groups: np.ndarray) -> float:
        """Mean NDCG@10 over the groups of ``X`` that have a relevant row (0–1)."""
        per = group_ndcg(np.asarray(y), self.predict(X), np.asarray(groups))
        return float(per.mean()) if len(per) else 0.0


def training_set(
    builder: FeatureBuilder, queries: Sequence[Query], n_random: int = 300, n_hard: int = 0, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, y, groups)`` for :meth:`LearnedRanker.fit`: per query its targets plus sampled negatives.

    Negatives are postings that are neither targets nor history: ``n_random`` drawn uniformly and,
    if ``n_hard`` > 0, the ``n_hard`` best by each column of :data:`HARD_NEGATIVE_FEATURES`.
    Uniform negatives are the default: a pointwise model then learns relevance under the same
    distribution of postings as the whole pool it ranks at serving time (docs/experiments.md,
    "Uniform negatives").
    Queries whose targets are all unknown postings are skipped. Deterministic for a given ``seed``.
    """
    rng = np.random.default_rng(seed)
    pos = builder.ranker.position_
    hard_cols = [FEATURE_NAMES.index(c) for c in HARD_NEGATIVE_FEATURES]
    xs, ys, gs = [], [], []
    n = len(builder.ranker.table_)
    for qi, q in enumerate(queries):
        targets = {pos[j]: g for j, g in q.targets.items() if j in pos}
        if not targets:
            continue
        blocked = np.zeros(n, dtype=bool)
        blocked[[pos[j] for j in q.history if j in pos]] = True
        blocked[list(targets)] = True
        free = np.flatnonzero(~blocked)
        picked = [rng.choice(free, size=min(n_random, len(free)), replace=False)]
        full = builder.matrix(q.seeker, q.history, q.at, key=q.key) if n_hard > 0 else None
        for c in hard_cols if n_hard > 0 else ():
            assert full is not None  # built above when n_hard > 0
            col = np.nan_to_num(full[free, c], nan=-np.inf)
            if np.isfinite(col).any():
                picked.append(free[np.argsort(-col, kind="stable")[:n_hard]])
        neg = np.unique(np.concatenate(picked))
        rows = np.r_[np.array(list(targets), dtype=np.int64), neg]
        xs.append(full[rows] if full is not None else builder.matrix(q.seeker, q.history, q.at, rows, q.key))
        ys.append(np.r_[np.array(list(targets.values()), dtype=float), np.zeros(len(neg))])
        gs.append(np.full(len(rows), qi))
    if not xs:
        return np.zeros((0, len(FEATURE_NAMES))), np.zeros(0), np.zeros(0, dtype=np.int64)
    return np.vstack(xs), np.concatenate(ys), np.concatenate(gs)


def rerank(
    model: LearnedRanker,
    builder: FeatureBuilder,
    seeker: SeekerDoc,
    k: int = 10,
    exclude: Collection[int] = (),
    history: Sequence[int] = (),
    now: float | None = None,
    key: Hashable | None = None,
    n_candidates: int = 200,
) -> list[Match]:
    """The ``k`` best postings for ``seeker``: :class:`ContentRanker` candidates re-ordered by ``model``.

    The content ranker (``builder.ranker``) shortlists its best ``n_candidates`` (``exclude``
    honoured; their content features are reused, and only the ``k`` returned are explained); the
    model scores them with ``history`` (posting ids the
    seeker interacted with, oldest first) at request time ``now`` (POSIX seconds). Each
    :class:`Match` keeps its explanation, with ``components["content_score"]`` (the content
    ranker's score) and ``components["learned"]`` added; ``score`` is the predicted grade divided by
    :data:`MAX_GRADE`, clipped to 0–1. Ties go to the lower posting id.
    """
    short = builder.ranker.shortlist(seeker, k=max(k, n_candidates), exclude=exclude)
    if not len(short) or k <= 0:
        return []
    pred = model.predict(builder.matrix(seeker, history, now, key=key, content=short))
    score = np.clip(pred / MAX_GRADE, 0.0, 1.0)
    ids = short.table.ids[short.rows]
    order = np.lexsort((ids, -pred))[:k]
    out = []
    for i in order:
        m = short.match(int(i))  # only the returned postings are explained
        components = {
            **m.explanation.components,
            "content_score": round(m.score, 4),
            "learned": round(float(score[i]), 4),
        }
        out.append(
            Match(
                job_id=m.job_id,
                seeker_id=m.seeker_id,
                score=float(score[i]),
                explanation=dataclasses.replace(m.explanation, components=components),
            )
        )
    return out
