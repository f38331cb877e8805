"""``vocmatch evaluate recommend``: the learned ranker against four baselines on job-board interactions.

Data and protocol: :mod:`matching.evaluation.jobboard`; baselines: :mod:`matching.evaluation.baselines`;
model: :mod:`matching.ltr`. Metrics per group (warm, cold): recall@10, NDCG@10 (one relevant
item) and MRR (:mod:`matching.evaluation.metrics`), each ranking the whole candidate set.

Training never sees an evaluated applicant:

* one board (``test`` is ``None``: ``--train`` and ``--test`` the same folder): the applicants who
  viewed anything are split at random (``seed``) into ``test_fraction`` to evaluate and the rest to
  train on;
* two boards: the model trains on ``train``'s applicants and is evaluated on ``test``'s, with the
  pool of ``test``'s jobs (its ``jobs.csv``); applicants present in both are left out of training
  (counted in the output).

The boards are read from their folders by :func:`service.jobboard.read_board` (``matching`` does not
read the scrapers' files itself).

Popularity (baselines and model features) and every other interaction statistic is computed
from training interactions only; time-dependent features use those strictly before each
query's request time (the target's View.Start). Ties in any ranking are broken by one seeded
random order of the pool, the same for every model.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from matching.content import ContentRanker
from matching.documents import JobDoc
from matching.evaluation.baselines import BASELINES, CONTROL, Baselines, fit_blend, fit_creation_window, ranking
from matching.evaluation.jobboard import JobBoard, protocol_queries, training_queries
from matching.evaluation.metrics import lift_interval, mean_metrics, ndcg_at_k
from matching.ltr import MODEL_FAMILY, LearnedRanker, Query, training_set
from matching.ltr_features import FEATURE_NAMES, FeatureBuilder, Interaction, InteractionStats

MODEL_NAME = MODEL_FAMILY
METRICS = {"recall@10": ("recall", 10), "NDCG@10": ("NDCG", 10)}
#: Profile-only training queries per training applicant (their first interactions); see run_recommend.
#: More did not pay (docs/experiments.md, "Cold queries per training applicant").
COLD_QUERIES = 1
#: Training queries used to choose the blend baseline's weights, per group.
BLEND_FIT_QUERIES = 500


def split_applicants(views: Sequence[Interaction], test_fraction: float, seed: int) -> tuple[set, set]:
    """(train, test) applicant ids: a seeded random ``test_fraction`` of the applicants is the test set.
    Raises ``ValueError`` unless 0 < ``test_fraction`` < 1."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1 (exclusive), got {test_fraction}")
    # the seekers' ids are of one comparable type (ints in the evaluations)
    applicants = np.array(sorted({it.seeker for it in views}))  # type: ignore[type-var]
    order = np.random.default_rng(seed).permutation(len(applicants))
    n_test = int(round(test_fraction * len(applicants)))
    test = {a.item() for a in applicants[order[:n_test]]}
    return {a.item() for a in applicants} - test, test


def _builder(jobs: list[JobDoc], views: Sequence[Interaction]) -> FeatureBuilder:
    ranker = ContentRanker().fit(jobs)
    return FeatureBuilder(ranker, InteractionStats(ranker, views))


def _evaluate(
    queries: Sequence[Query],
    scorers: dict[str, Callable[[Query], np.ndarray]],
    builder: FeatureBuilder,
    tiebreak: np.ndarray,
) -> tuple[dict[str, dict[str, float]], dict[str, np.ndarray]]:
    """Mean recall@10 / NDCG@10 / MRR per scorer, and each scorer's NDCG@10 per query (in order)."""
    pos = builder.ranker.position_
    rankings: dict[str, list[list[int]]] = {name: [] for name in scorers}
    relevant = []
    for q in queries:
        target = pos[next(iter(q.targets))]
        blocked = np.array([pos[j] for j in q.history if j in pos], dtype=np.int64)
        for name, scorer in scorers.items():
            rankings[name].append(ranking(scorer(q), blocked, tiebreak, target))
        relevant.append({target})
    out, per_query = {}, {}
    for name, ranks in rankings.items():
        m = mean_metrics(ranks, relevant, ks=METRICS)
        out[name] = {k: round(m[k], 4) for k in ("recall@10", "NDCG@10", "MRR")}
        per_query[name] = np.array([ndcg_at_k(r, rel, 10) for r, rel in zip(ranks, relevant, strict=True)])
    return out, per_query


def train_ranker(
    builder: FeatureBuilder, queries: Sequence[Query], seed: int = 0, **params: Any
) -> tuple[LearnedRanker, dict[str, Any]]:
    """Fit a :class:`LearnedRanker` on ``queries`` (their own interactions left out of the features).
    Returns the model and a training summary (queries, rows, positives, boosting rounds)."""
    t0 = time.perf_counter()
    X, y, groups = training_set(builder, queries, seed=seed)
    t1 = time.perf_counter()
    model = LearnedRanker(random_state=seed, **params).fit(X, y, groups)
    summary = {
        "queries": int(len(np.unique(groups))),
        "rows": int(len(y)),
        "positives": int((y > 0).sum()),
        "boosting_rounds": [int(n) for n in model.bag_iters_],
        "features_seconds": round(t1 - t0, 1),
        "fit_seconds": round(time.perf_counter() - t1, 1),
    }
    return model, summary


def evaluate_recommend(
    train: JobBoard,
    test: JobBoard | None,
    test_fraction: float = 0.3,
    seed: int = 20250301,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> dict[str, Any]:
    """The figures of :func:`run_recommend` (the model is dropped)."""
    return run_recommend(train, test, test_fraction, seed, progress, **options)[0]


def run_recommend(
    train: JobBoard,
    test: JobBoard | None,
    test_fraction: float = 0.3,
    seed: int = 20250301,
    progress: Callable[[str], None] | None = None,
    cold_per_applicant: int = COLD_QUERIES,
) -> tuple[dict[str, Any], LearnedRanker]:
    """Run the protocol (module doc); return the trained model and the figures as a JSON-ready dict:
    ``groups.{warm,cold}.{queries, model, baselines}`` with recall@10 / NDCG@10 / MRR, the blend
    weights, the lift of the model over the best baseline with the 95 % paired-bootstrap interval
    of its NDCG@10 lift (``ndcg_lift_ci95``, fractions; :func:`~matching.evaluation.metrics.lift_interval`),
    each query's NDCG@10 under the model and the best baseline (``ndcg_per_query``, by applicant, so
    that several runs can be pooled: :func:`pool_runs`), split and training summaries.

    ``cold_per_applicant``: profile-only training queries per training applicant with a profile
    (their first interactions, :func:`~matching.evaluation.jobboard.training_queries`). The default were chosen on a validation split of the
    training applicants (docs/experiments.md).

    ``test``: the board to evaluate on, or ``None`` to split ``train``'s applicants (module doc).

    Raises ``ValueError`` when a group has no query to evaluate.
    """
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    same = test is None or test is train
    train_board = train
    test_board = train if test is None else test
    if same:
        train_ids, test_ids = split_applicants(train_board.views, test_fraction, seed)
        split: dict[str, Any] = {
            "mode": "one folder: applicants split at random",
            "test_fraction": test_fraction,
            "seed": seed,
        }
    else:
        test_ids = {it.seeker for it in test_board.views}
        train_ids = {it.seeker for it in train_board.views} - test_ids
        split = {
            "mode": "two folders",
            "applicants_in_both_left_out_of_training": len({it.seeker for it in train_board.views} & test_ids),
        }
    train_views = [it for it in train_board.views if it.seeker in train_ids]
    test_views = [it for it in test_board.views if it.seeker in test_ids]
    split.update(
        train_applicants=len(train_ids),
        test_applicants=len(test_ids),
        train_interactions=len(train_views),
        test_interactions=len(test_views),
    )
    say(f"read {len(test_board.jobs)} jobs, {len(train_views)} training and {len(test_views)} test interactions")

    train_jobs = {j.id: j for j in train_board.jobs}
    test_jobs = {j.id: j for j in test_board.jobs}
    train_builder = _builder(train_board.jobs, train_views)
    test_builder = train_builder if same else _builder(test_board.jobs, train_views)
    tr_queries = training_queries(
        train_views, _profiles(train_board, train_ids), train_jobs, cold_per_applicant=cold_per_applicant
    )
    say(f"training on {len(tr_queries)} queries from {len(train_ids)} applicants")
    model, summary = train_ranker(train_builder, tr_queries, seed=seed)
    say(f"trained {MODEL_NAME}: {summary}")

    warm, cold = protocol_queries(test_views, _profiles(test_board, test_ids), test_jobs)
    if not warm or not cold:
        raise ValueError(f"{test_board.origin}: {len(warm)} warm and {len(cold)} cold test applicants; need both")
    tiebreak = np.random.default_rng(seed + 1).permutation(len(test_board.jobs))
    baselines = Baselines(test_builder, test_jobs)
    groups: dict[str, Any] = {}
    weights_by_group, windows = {}, {}
    train_base = Baselines(train_builder, train_jobs)
    first_cold = {q.key: q for q in reversed(tr_queries) if not q.history}  # each applicant's first interaction
    for group, queries, fit_queries in (
        ("warm", warm, [q for q in tr_queries if q.history]),
        ("cold", cold, [q for q in tr_queries if first_cold.get(q.key) is q]),
    ):
        weights_by_group[group] = _blend_weights(train_base, fit_queries, seed)
        windows[group] = fit_creation_window(train_base, fit_queries)
        cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}

        def comps(q: Query, cache: dict[int, tuple[np.ndarray, np.ndarray]] = cache) -> tuple[np.ndarray, np.ndarray]:
            if id(q) not in cache:
                cache.clear()
                cache[id(q)] = baselines.components(q), baselines.creation_offset(q)
            return cache[id(q)]

        w, window = weights_by_group[group], windows[group]
        scorers: dict[str, Callable[[Query], np.ndarray]] = {
            MODEL_NAME: lambda q: model.predict(test_builder.matrix(q.seeker, q.history, q.at, key=q.key))
        }
        for name in (*BASELINES, CONTROL):
            # mypy cannot infer a lambda with default arguments (the loop's values bound per lambda)
            scorers[name] = lambda q, name=name, w=w, window=window: baselines.scores(  # type: ignore[misc]
                q, comps(q)[0], w, offset=comps(q)[1], window=window
            )[name]
        result, per_query = _evaluate(queries, scorers, test_builder, tiebreak)
        best_name = max(BASELINES, key=lambda n: result[n]["NDCG@10"])
        lift = {
            m: round(result[MODEL_NAME][m] / result[best_name][m] - 1.0, 4) if result[best_name][m] else None
            for m in ("recall@10", "NDCG@10", "MRR")
        }
        low, high = lift_interval(per_query[MODEL_NAME], per_query[best_name], seed=seed)
        c_low, c_high = lift_interval(per_query[MODEL_NAME], per_query[CONTROL], seed=seed)
        c_ndcg = result[CONTROL]["NDCG@10"]
        groups[group] = {
            "queries": len(queries),
            "model": result[MODEL_NAME],
            "baselines": {n: result[n] for n in BASELINES},
            "best_baseline": best_name,
            "lift_over_best_baseline": lift,
            "ndcg_lift_ci95": [round(low, 4), round(high, 4)],
            "control": {
                "name": CONTROL,
                **result[CONTROL],
                "ndcg_lift": round(result[MODEL_NAME]["NDCG@10"] / c_ndcg - 1.0, 4) if c_ndcg else None,
                "ndcg_lift_ci95": [round(c_low, 4), round(c_high, 4)],
            },
            "ndcg_per_query": {
                "applicants": [q.key for q in queries],
                "model": [round(float(v), 4) for v in per_query[MODEL_NAME]],
                "best_baseline": [round(float(v), 4) for v in per_query[best_name]],
                "control": [round(float(v), 4) for v in per_query[CONTROL]],
            },
        }
        say(f"{group}: {groups[group]}")
    return {
        "protocol": "collapse repeat views to the earliest View.Start; order by (View.Start, Job.ID); warm = last of "
        ">=2 jobs vs pool minus history; cold = single job with a profile vs whole pool",
        "pool": len(test_board.jobs),
        "split": split,
        "groups": groups,
        "model": {
            "name": MODEL_NAME,
            "features": list(FEATURE_NAMES),
            "training": summary,
            "options": {"cold_per_applicant": cold_per_applicant},
        },
        "blend_weights": weights_by_group,
        "creation_windows": {g: [round(lo, 4), round(hi, 4)] for g, (lo, hi) in windows.items()},
        "seconds": round(time.perf_counter() - started, 1),
    }, model


def pool_runs(results: Sequence[dict[str, Any]], seed: int = 0) -> dict[str, Any]:
    """Pool the per-query NDCG@10 of several :func:`run_recommend` results (e.g. one per split seed):
    per group, the queries, the mean NDCG@10 of the model and of each run's best baseline, the lift
    and its 95 % paired-bootstrap interval (:func:`~matching.evaluation.metrics.lift_interval`); the
    same against the control (``control_ndcg@10``, ``lift_over_control``, ``lift_over_control_ci95``)
    when every run scored it.
    An applicant evaluated in several runs counts once per run. Raises ``ValueError`` when no result
    is given or a result lacks ``ndcg_per_query``."""
    if not results:
        raise ValueError("no result to pool")
    out: dict[str, Any] = {}
    for group in ("warm", "cold"):
        model, base, control = [], [], []
        for r in results:
            per = r["groups"][group].get("ndcg_per_query")
            if per is None:
                raise ValueError(f"a result's {group} group has no ndcg_per_query to pool")
            model += per["model"]
            base += per["best_baseline"]
            control += per.get("control", [])
        m, b = float(np.mean(model)), float(np.mean(base))
        low, high = lift_interval(model, base, seed=seed)
        out[group] = {
            "queries": len(model),
            "model_ndcg@10": round(m, 4),
            "best_baseline_ndcg@10": round(b, 4),
            "lift": round(m / b - 1.0, 4) if b else None,
            "lift_ci95": [round(low, 4), round(high, 4)],
        }
        if len(control) == len(model):  # every run scored the control
            c = float(np.mean(control))
            c_low, c_high = lift_interval(model, control, seed=seed)
            out[group].update(
                {
                    "control_ndcg@10": round(c, 4),
                    "lift_over_control": round(m / c - 1.0, 4) if c else None,
                    "lift_over_control_ci95": [round(c_low, 4), round(c_high, 4)],
                }
            )
    return out


def _profiles(board: JobBoard, ids: set) -> dict:
    return {a: p for a, p in board.profiles.items() if a in ids}


def _blend_weights(base: Baselines, queries: Sequence[Query], seed: int) -> dict[str, float]:
    pos = base.builder.ranker.position_
    rng = np.random.default_rng(seed)
    chosen = [queries[i] for i in sorted(rng.permutation(len(queries))[:BLEND_FIT_QUERIES])]
    chosen = [q for q in chosen if next(iter(q.targets)) in pos]
    if not chosen:
        return {"same_state": 0.0, "same_city": 0.0, "popularity": 0.0}
    comps = []
    stats = base.builder.stats
    assert stats is not None  # the baselines' popularity is built from the interaction stats
    for q in chosen:  # a training query's own interactions must not count towards its popularity
        c = base.components(q)
        c[3] = stats.job_features(None, q.key)[:, 0] / max(float(base.popularity.max()), 1e-12)
        comps.append(c)
    targets = [pos[next(iter(q.targets))] for q in chosen]
    blocked = [np.array([pos[j] for j in q.history if j in pos], dtype=np.int64) for q in chosen]
    tiebreak = np.random.default_rng(seed + 2).permutation(len(pos))
    weights, _ = fit_blend(comps, targets, blocked, tiebreak)
    return weights
