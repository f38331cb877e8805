"""Retrain the learned ranker from graded interactions and compare it with the incumbent on held-out seekers.

Used by the scheduled job (``service.recommendations.scheduled``); pure: postings, seekers and
interactions come in as plain records. Protocol, as in ``vocmatch evaluate recommend``: seekers
are split into training and held-out by a stable hash (:func:`is_held_out`); each held-out seeker's last
interaction (by time, then posting id) is the target, the earlier ones its history, every other
posting a candidate. Rankers compared on the same held-out queries: the new model, the incumbent
model (if any) and the content-only ranking (the cold-start fallback).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.content import ContentRanker
from matching.documents import JobDoc, SeekerDoc
from matching.evaluation.metrics import mean_metrics
from matching.ltr import LearnedRanker, Query, training_set
from matching.ltr_features import FEATURE_NAMES, FeatureBuilder, Interaction, InteractionStats

METRICS = {"recall@10": ("recall", 10), "NDCG@10": ("NDCG", 10)}
SPLIT_SALT = "vocmatch-ltr-holdout"
#: Profile-only (cold-start) training queries per seeker, as chosen for ``vocmatch evaluate recommend``.
COLD_QUERIES = 1


def is_held_out(key: Hashable, fraction: float, salt: str = SPLIT_SALT) -> bool:
    """Whether seeker ``key`` belongs to the held-out share ``fraction`` (0–1): SHA-256 of salt and key,
    as a number in [0, 1), below ``fraction``. Stable across runs, processes and machines."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64 < fraction


def _ordered(interactions: Sequence[Interaction]) -> dict[Hashable, list[Interaction]]:
    out: dict[Hashable, list[Interaction]] = defaultdict(list)
    for it in interactions:
        out[it.seeker].append(it)
    for items in out.values():
        items.sort(key=lambda it: (it.at, it.job_id))
    return dict(out)


def seeker_queries(
    interactions: Sequence[Interaction],
    seekers: Mapping[Any, SeekerDoc],
    max_per_seeker: int = 10,
    cold_per_seeker: int = 1,
) -> list[Query]:
    """Training queries: per seeker, cold queries (no history) for the first ``cold_per_seeker``
    interactions and warm queries for the last ``max_per_seeker`` after the first (history = the
    earlier postings). Seekers without a profile in ``seekers`` are skipped."""
    out: list[Query] = []
    for key, items in sorted(_ordered(interactions).items(), key=lambda kv: str(kv[0])):
        seeker = seekers.get(key)
        if seeker is None:
            continue
        out.extend(
            Query(seeker=seeker, at=it.at, targets={it.job_id: it.grade}, key=key)
            for it in items[: max(1, cold_per_seeker)]
        )
        for i in range(max(1, len(items) - max_per_seeker), len(items)):
            out.append(
                Query(
                    seeker=seeker,
                    history=tuple(it.job_id for it in items[:i]),
                    at=items[i].at,
                    targets={items[i].job_id: items[i].grade},
                    key=key,
                )
            )
    return out


def holdout_queries(interactions: Sequence[Interaction], seekers: Mapping[Any, SeekerDoc]) -> list[Query]:
    """One query per seeker with a profile: target = last interaction, history = the earlier ones."""
    out = []
    for key, items in sorted(_ordered(interactions).items(), key=lambda kv: str(kv[0])):
        if key in seekers:
            last = items[-1]
            out.append(
                Query(
                    seeker=seekers[key],
                    history=tuple(it.job_id for it in items[:-1]),
                    at=last.at,
                    targets={last.job_id: last.grade},
                    key=key,
                )
            )
    return out


def ranking_metrics(
    score: Callable[[Query, np.ndarray], np.ndarray], builder: FeatureBuilder, queries: Sequence[Query], seed: int = 0
) -> dict[str, float]:
    """Mean recall@10, NDCG@10 and MRR of ``score(query, features)`` (higher = better, one value per
    posting) over ``queries``; history postings are not candidates, ties go by a seeded random order."""
    pos = builder.ranker.position_
    tiebreak = np.random.default_rng(seed).permutation(len(pos))
    rankings, relevant = [], []
    for q in queries:
        target = pos.get(next(iter(q.targets)))
        if target is None:
            continue
        s = np.asarray(score(q, builder.matrix(q.seeker, q.history, q.at, key=q.key)), dtype=float).copy()
        s[[pos[j] for j in q.history if j in pos]] = -np.inf
        order = np.lexsort((tiebreak, -s))
        ahead = int(np.flatnonzero(order == target)[0])
        rankings.append([int(i) for i in order[: max(10, ahead + 1)]])
        relevant.append({target})
    if not rankings:
        raise ValueError("no held-out query has a target among the postings")
    m = mean_metrics(rankings, relevant, ks=METRICS)
    return {"queries": len(rankings), "recall@10": m["recall@10"], "NDCG@10": m["NDCG@10"], "MRR": m["MRR"]}


def content_score(_q: Query, X: np.ndarray) -> np.ndarray:
    """The content-only ranking (the cold-start fallback) as a scorer for :func:`ranking_metrics`."""
    return np.nan_to_num(X[:, FEATURE_NAMES.index("content_score")])


@dataclass
class Retrained:
    """A new model, the held-out metrics of each ranking compared, and a training summary."""

    model: LearnedRanker
    metrics: dict[str, dict[str, float]]  # "candidate", "incumbent" (if any), "content"
    training: dict[str, Any]


def retrain(
    jobs: Sequence[JobDoc],
    seekers: Mapping[Any, SeekerDoc],
    interactions: Sequence[Interaction],
    incumbent: LearnedRanker | None = None,
    test_fraction: float = 0.3,
    seed: int = 0,
    min_train_queries: int = 20,
    min_holdout: int = 5,
    split_salt: str = SPLIT_SALT,
    cold_per_seeker: int = COLD_QUERIES,
    **params: Any,
) -> Retrained:
    """Split seekers, train a :class:`LearnedRanker` on the training part, score all rankers on the held-out part.

    The split is :func:`is_held_out` (a hash, not a random draw), so a seeker held out once stays
    held out in every later run: the incumbent model, trained by an earlier run, was never
    trained on the seekers it is now judged on. ``seed`` drives negative sampling and ties.

    Interaction statistics (popularity, co-interaction…) come from the training seekers only;
    ``cold_per_seeker`` profile-only queries per training seeker (:func:`seeker_queries`).
    Raises ``ValueError`` when there are fewer than ``min_train_queries`` training queries or
    ``min_holdout`` held-out seekers (too little data to learn or to judge a model).
    """
    keys = sorted({it.seeker for it in interactions if it.seeker in seekers}, key=str)
    held = {k for k in keys if is_held_out(k, test_fraction, split_salt)}
    train_it = [it for it in interactions if it.seeker not in held]
    test_it = [it for it in interactions if it.seeker in held]
    ranker = ContentRanker().fit(jobs)
    builder = FeatureBuilder(ranker, InteractionStats(ranker, train_it))
    queries = seeker_queries(train_it, seekers, cold_per_seeker=cold_per_seeker)
    holdout = holdout_queries(test_it, seekers)
    if len(queries) < min_train_queries or len(holdout) < min_holdout:
        raise ValueError(
            f"too little data: {len(queries)} training queries (need {min_train_queries}) and "
            f"{len(holdout)} held-out seekers (need {min_holdout})"
        )
    X, y, groups = training_set(builder, queries, seed=seed)
    model = LearnedRanker(random_state=seed, **params).fit(X, y, groups)
    metrics = {
        "candidate": ranking_metrics(lambda _q, F: model.predict(F), builder, holdout, seed),
        "content": ranking_metrics(content_score, builder, holdout, seed),
    }
    if incumbent is not None:
        metrics["incumbent"] = ranking_metrics(lambda _q, F: incumbent.predict(F), builder, holdout, seed)
    training = {
        "postings": len(jobs),
        "seekers": len(keys),
        "train_seekers": len(keys) - len(held),
        "holdout_seekers": len(held),
        "interactions": len(train_it),
        "queries": int(len(np.unique(groups))),
        "rows": int(len(y)),
        "boosting_rounds": [int(n) for n in model.bag_iters_],
        "grades": {
            str(g): int(c) for g, c in zip(*np.unique([it.grade for it in train_it], return_counts=True), strict=True)
        },
    }
    return Retrained(model=model, metrics=metrics, training=training)
