"""The four baselines of ``vocmatch evaluate recommend`` and a control, scored over a whole candidate pool.

``popularity``
    Training interactions per posting (global popularity).
``location_popularity``
    Postings in the seeker's city first, then in their state, then the rest, each tier by popularity.
``tfidf``
    Cosine of the TF-IDF character 1–3-gram vectors (:func:`matching.index.fit_vectorizer`, fitted on
    the pool) of the profile text and the posting text: profile = positions of interest,
    experience titles and descriptions (:func:`matching.index.seeker_text`) plus, for warm
    seekers, the titles of the postings in their history.
``blend``
    ``tfidf + w_state·same_state + w_city·same_city + w_pop·popularity/max popularity``, the
    weights chosen by grid search (:data:`BLEND_GRID`) on training queries, per group (warm/cold).
``blend_creation_window`` (:data:`CONTROL`, not one of the issue's baselines)
    ``blend``, with the postings inside a creation-order window ranked first: those whose
    ``creation_vs_recent`` (:meth:`~matching.ltr_features.InteractionStats.creation_offsets`: place
    in the posting order minus the median place of what was viewed in the last days) lies within
    the central :data:`WINDOW_COVERAGE` of the training targets' values, per group
    (:func:`fit_creation_window`). A control for the model's ``creation_vs_*`` features: the job
    board has no posting or closing dates and its pool holds four months of jobs, so a ranker that
    can tell which postings were open at the request time gains from that alone; this control is
    given a rough form of the same knowledge (a window that holds most targets but also most of the
    pool), so the model's lift over it is an upper bound of what the model adds beyond that.

The seeker's place is the most recent history posting's for warm seekers (where they are looking
now) and the profile's home for cold ones. Popularity counts training interactions only.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from matching.documents import JobDoc
from matching.features import place
from matching.index import seeker_text
from matching.ltr import Query
from matching.ltr_features import FeatureBuilder
from vocab.text import normalise

BASELINES = ("popularity", "location_popularity", "tfidf", "blend")
#: The control scored beside the baselines (module doc); reported on its own, never the "best baseline".
CONTROL = "blend_creation_window"
#: Candidate weights of state, city and popularity (TF-IDF has weight 1).
BLEND_GRID = (0.0, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2)
COMPONENTS = ("tfidf", "same_state", "same_city", "popularity")
#: Share of the training targets whose ``creation_vs_recent`` the window of ``blend_creation_window`` holds.
WINDOW_COVERAGE = 0.95
#: Added to the blend inside the window: more than any blend score (at most 1 + 3 × max(BLEND_GRID)).
WINDOW_BONUS = 1000.0


class Baselines:
    """Baseline scores for queries against the postings of ``builder`` (its ranker and statistics)."""

    def __init__(self, builder: FeatureBuilder, jobs: dict[int, JobDoc]) -> None:
        self.builder, self.jobs = builder, jobs
        r = builder.ranker
        t = r.table_
        count = builder.stats.count if builder.stats is not None else np.zeros(len(t))
        self.popularity = np.log1p(count)
        self.popularity_norm = self.popularity / max(float(self.popularity.max()), 1e-12)

    def _place(self, q: Query) -> tuple[int, int]:
        """(province id, city name id) of the seeker in the ranker table's interned ids (-1 unknown)."""
        s = q.seeker
        if q.history and q.history[-1] in self.jobs:
            j = self.jobs[q.history[-1]]
            p = place(j.country, j.region_code, j.province, j.city)
        else:
            p = place(s.country, s.region_code, s.province, s.city)
        ids = self.builder.ranker.table_.places.id
        return ids(p.province), ids(p.city_name)

    def components(self, q: Query) -> np.ndarray:
        """``(len(COMPONENTS), n_postings)``: TF-IDF cosine, same state, same city, normalised popularity."""
        r = self.builder.ranker
        t = r.table_
        titles = [self.jobs[j].title for j in q.history if j in self.jobs]
        text = " ".join(
            x for x in (seeker_text(q.seeker, r.description_chars, r.max_items), normalise(" ".join(titles))) if x
        )
        vec = r.text_vectorizer_.transform([text])
        cos = np.asarray((t.text @ vec.T).todense()).ravel() if vec.nnz else np.zeros(len(t))
        prov, city = self._place(q)
        same_state = (t.province == prov) & (prov >= 0)
        same_city = same_state & (t.city_name == city) & (city >= 0)
        return np.vstack([cos, same_state, same_city, self.popularity_norm])

    def creation_offset(self, q: Query) -> np.ndarray:
        """``creation_vs_recent`` of every posting at the query's time, its own interactions left out;
        all ``NaN`` when nothing was viewed before it, or without statistics or a query time."""
        if self.builder.stats is None or q.at is None:
            return np.full(len(self.builder.ranker.table_), np.nan)
        return self.builder.stats.creation_offsets(q.at, q.key)[0]

    def scores(
        self,
        q: Query,
        comps: np.ndarray,
        weights: dict[str, float],
        offset: np.ndarray | None = None,
        window: tuple[float, float] | None = None,
    ) -> dict[str, np.ndarray]:
        """Each baseline's score per posting (higher = better) from :meth:`components`;
        ``blend_creation_window`` only when ``offset`` (:meth:`creation_offset`) and ``window``
        (:func:`fit_creation_window`) are given."""
        tiers = 2.0 * comps[2] + comps[1]  # city > state > elsewhere
        w = np.array([1.0, weights["same_state"], weights["same_city"], weights["popularity"]])
        out = {
            "popularity": self.popularity,
            "location_popularity": tiers * 100.0 + self.popularity,
            "tfidf": comps[0],
            "blend": w @ comps,
        }
        if offset is not None and window is not None:
            with np.errstate(invalid="ignore"):  # NaN (nothing viewed yet) is outside
                inside = (offset >= window[0]) & (offset <= window[1])
            out[CONTROL] = out["blend"] + WINDOW_BONUS * inside
        return out


def fit_creation_window(base: Baselines, queries: Sequence[Query]) -> tuple[float, float]:
    """``(low, high)``: the central :data:`WINDOW_COVERAGE` of the training queries' targets'
    ``creation_vs_recent`` (each query's own interactions left out; targets with no value skipped);
    ``(-inf, inf)`` when no target has one."""
    pos, values = base.builder.ranker.position_, list[float]()
    for q in queries:
        rows = [pos[j] for j in q.targets if j in pos]
        if rows and base.builder.stats is not None and q.at is not None:
            values.extend(base.builder.stats.creation_offsets(q.at, q.key, np.array(rows))[0])
    values = [v for v in values if np.isfinite(v)]
    if not values:
        return -np.inf, np.inf
    tail = 50.0 * (1.0 - WINDOW_COVERAGE)
    low, high = np.percentile(values, [tail, 100.0 - tail])
    return float(low), float(high)


def fit_blend(
    comps: Sequence[np.ndarray], targets: Sequence[int], blocked: Sequence[np.ndarray], tiebreak: np.ndarray
) -> tuple[dict[str, float], float]:
    """The :data:`BLEND_GRID` weights with the best mean NDCG@10 over training queries, and that mean.

    ``comps[i]`` is query i's :meth:`Baselines.components`, ``targets[i]`` its target row,
    ``blocked[i]`` rows that are not candidates; ties are ordered by ``tiebreak`` (lower first).
    """
    grid = np.array([(1.0, *w) for w in itertools.product(BLEND_GRID, repeat=3)], dtype=np.float32)
    total = np.zeros(len(grid))
    for c, target, block in zip(comps, targets, blocked, strict=True):
        s = grid @ c.astype(np.float32)  # combos × postings
        s[:, block] = -np.inf
        st = s[:, [target]]
        ahead = (s > st) | ((s == st) & (tiebreak < tiebreak[target])[None, :])
        rank = ahead.sum(axis=1)  # 0-based
        total += np.where(rank < 10, 1.0 / np.log2(rank + 2.0), 0.0)
    best = int(np.argmax(total))
    weights = dict(zip(COMPONENTS[1:], (round(float(w), 4) for w in grid[best, 1:]), strict=True))
    return weights, float(total[best] / max(len(targets), 1))


def ranking(score: np.ndarray, blocked: np.ndarray, tiebreak: np.ndarray, target: int) -> list[int]:
    """Rows best first (ties by ``tiebreak``), without ``blocked``, cut after the target or at 10."""
    s = score.astype(np.float64).copy()
    s[blocked] = -np.inf
    ahead = int(((s > s[target]) | ((s == s[target]) & (tiebreak < tiebreak[target]))).sum())
    order = np.lexsort((tiebreak, -s))
    return [int(i) for i in order[: max(10, ahead + 1)] if not np.isneginf(s[i])]


__all__ = ["BASELINES", "BLEND_GRID", "CONTROL", "Baselines", "fit_blend", "fit_creation_window", "ranking"]
