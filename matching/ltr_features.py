"""Features of the learned ranker for one seeker against many postings: content, interactions, history.

Three families, :data:`FEATURE_NAMES` in order, every value a float with ``NaN`` for unknown
(the gradient-boosted trees of :mod:`matching.ltr` route unknown values natively, so a seeker
without history or a posting without interactions is never "zero similarity"):

``content_*``
    The :class:`~matching.content.ContentRanker` features of :mod:`matching.features` (skill
    coverage, title, text, location, salary, education, job type, 对口, posting age, popularity),
    its combined 0–1 score and the profile's confidence, computed by the same code
    (:func:`matching.scoring.features`) on the ranker's fitted table, so the two never disagree.
interaction (from :class:`InteractionStats`, i.e. other seekers' interactions only)
    ``popularity``: log(1 + seekers who interacted with the posting); ``popularity_graded``:
    log(1 + sum of their relevance grades); ``recent_activity``: log(1 + interactions in the
    :data:`RECENT_DAYS` days before the request); ``days_since_first`` / ``days_since_last``:
    days from the posting's first / latest interaction before the request to the request (the
    posting's age as the platform saw it; ``NaN`` if none yet); ``city_activity`` /
    ``state_activity``: log(1 + interactions with any posting in the posting's city / province),
    i.e. location popularity; ``decayed_6h`` / ``_1d`` / ``_3d``: log(1 + Σ 2^(−age / half-life))
    over the posting's interactions before the request, age in days (time-decayed popularity: what
    is being looked at now, e.g. a posting that is being advertised; on the job board, the last
    day's views predict a newcomer's first view better than the last 14 days' or all-time counts),
    ``employer_decayed_1d`` / ``title_decayed_1d`` the same over all postings of the employer /
    normalised title; ``creation_vs_recent`` / ``creation_vs_newest``: the posting's place in the
    creation order (rank of its id among the postings, 0 = oldest, 1 = newest; ids increase with
    creation: the service's autoincrement ids, the job board's Job.ID, whose rank correlation with a
    job's first view is 0.71) minus the median place of the postings interacted with in the
    :data:`CREATION_WINDOW_DAYS` before the request / minus the newest place interacted with before
    it: how far the posting is, in posting order, from what is open and being looked at now. Unlike
    ``days_since_first`` it needs no interaction with the posting itself, so it also dates a posting
    nobody has seen yet (on the job board, more than half of a newcomer's first views). Time-dependent
    values use interactions strictly before the request time only.
history (warm seekers; ``NaN`` when the seeker has no history)
    ``history_size`` log(1 + postings in the history); ``history_text``: TF-IDF cosine of the profile
    text plus the history titles against the posting text; ``history_title_match``: the content
    ranker's title feature with the history titles as the seeker's titles; ``history_title_max`` / ``_mean`` /
    ``_last``: cosine of the TF-IDF title vectors (the ranker's character n-grams) between the
    candidate and the history postings (best, mean, most recent); ``history_city_share`` /
    ``history_state_share``: share of history postings in the candidate's city / province;
    ``history_city_last`` / ``history_state_last``: same place as the most recent one;
    ``history_company``: 1 if a history posting is from the same employer; ``co_interaction``:
    log(1 + Σ over history postings of seekers who interacted with both), item-to-item
    co-occurrence (Sarwar et al., "Item-based collaborative filtering recommendation
    algorithms", WWW 2001; Linden, Smith & York, "Amazon.com recommendations: item-to-item
    collaborative filtering", IEEE Internet Computing 7(1), 2003); ``co_city`` / ``co_employer`` /
    ``co_title``: the same idea over groups of postings — the highest share, over the history's
    cities (employers, titles), of other seekers interacting there who also interacted with the
    candidate's city (employer, title). Groups generalise where single postings are too sparse:
    most postings are seen by one seeker, but neighbouring cities, related employers and related
    job titles are shared by many.

A seeker's own interactions are left out of the statistics when a ``key`` is given (training
queries are built from seekers whose interactions are in the statistics; without this the
target would always look popular to the model, which it never does for a new seeker).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.utils.validation import check_is_fitted

from matching.content import ContentRanker, Shortlist
from matching.documents import SeekerDoc
from matching.features import FEATURES
from matching.index import seeker_text
from vocab.text import normalise

CONTENT_FEATURES = tuple(f"content_{name}" for name in FEATURES) + ("content_score", "content_confidence")
INTERACTION_FEATURES = (
    "popularity",
    "popularity_graded",
    "recent_activity",
    "days_since_first",
    "days_since_last",
    "city_activity",
    "city_recent",
    "state_activity",
    "employer_activity",
    "employer_recent",
    "title_activity",
    "title_recent",
    "decayed_6h",
    "decayed_1d",
    "decayed_3d",
    "employer_decayed_1d",
    "title_decayed_1d",
    "creation_vs_recent",
    "creation_vs_newest",
)
HISTORY_FEATURES = (
    "history_size",
    "history_text",
    "history_title_match",
    "history_title_max",
    "history_title_mean",
    "history_title_last",
    "history_city_share",
    "history_state_share",
    "history_city_last",
    "history_state_last",
    "history_company",
    "co_interaction",
    "co_city",
    "co_employer",
    "co_title",
)
#: The ranker's columns. Profile → postings association features (``profile_*_co``: what other seekers
#: with the same profile titles or home chose) were tried and removed (docs/experiments.md, "Profile
#: features"): off by default, they were ``NaN`` in every served row.
FEATURE_NAMES: tuple[str, ...] = CONTENT_FEATURES + INTERACTION_FEATURES + HISTORY_FEATURES
#: Window of ``recent_activity``, days.
RECENT_DAYS = 14.0
#: Half-lives of the ``decayed_*`` features, days.
HALF_LIVES = {"6h": 0.25, "1d": 1.0, "3d": 3.0}
DAY = 86400.0
#: ``creation_vs_recent``: window of the recent interactions whose postings' median place in the
#: creation order is the reference, days; with fewer than CREATION_MIN_RECENT interactions in it, the
#: latest CREATION_FALLBACK interactions before the request are the reference instead.
CREATION_WINDOW_DAYS = 3.0
CREATION_MIN_RECENT = 20
CREATION_FALLBACK = 50
#: Groups of postings whose co-occurrence in seekers' interactions gives ``co_<group>`` features.
CO_GROUPS = ("city", "employer", "title")


@dataclass(frozen=True, slots=True)
class Interaction:
    """One seeker–posting interaction: ``at`` in POSIX seconds (UTC), ``grade`` its graded relevance
    (:data:`matching.ltr.GRADES`: view 1 < apply 2 < interview 3 < hire 4)."""

    seeker: Hashable
    job_id: int
    at: float
    grade: float = 1.0


def _ids(keys: Sequence[Hashable], unknown: Hashable) -> np.ndarray:
    """Small int ids of ``keys`` in order of first appearance; ``unknown`` → -1."""
    seen: dict[Hashable, int] = {}
    return np.array([-1 if k == unknown else seen.setdefault(k, len(seen)) for k in keys], dtype=np.int64)


class InteractionStats:
    """Counts over interactions with the postings of a fitted :class:`ContentRanker`.

    Interactions with postings the ranker does not know are ignored (counted in ``ignored``).
    Repeated interactions of one seeker with one posting count once, at the earliest time with
    the highest grade. ``posting_ids``: every posting the creation order counts, open or
    closed (default: the ranker's postings). The service ranks open postings only but retrains on
    every posting, so it passes every stored posting's id: a posting's ``creation_vs_*`` are then the
    same in both. Built once per model (re)fit; :meth:`job_features` is per request.
    """

    def __init__(
        self,
        ranker: ContentRanker,
        interactions: Sequence[Interaction],
        posting_ids: Iterable[int] | None = None,
    ) -> None:
        check_is_fitted(ranker, "table_")
        t = ranker.table_
        n = len(t)
        best: dict[tuple[Hashable, int], tuple[float, float]] = {}
        first_at: dict[tuple[Hashable, int], float] = {}  # every interaction, known posting or not
        self.ignored = 0
        for it in interactions:
            pair = (it.seeker, it.job_id)
            first_at[pair] = min(first_at.get(pair, math.inf), float(it.at))
            row = ranker.position_.get(it.job_id)
            if row is None:
                self.ignored += 1
                continue
            key = (it.seeker, row)
            at, grade = best.get(key, (math.inf, 0.0))
            best[key] = (min(at, float(it.at)), max(grade, float(it.grade)))
        seekers: dict[Hashable, int] = {}
        ev_seeker = np.array([seekers.setdefault(s, len(seekers)) for s, _ in best], dtype=np.int64)
        ev_row = np.array([r for _, r in best], dtype=np.int64)
        ev_at = np.array([v[0] for v in best.values()], dtype=np.float64)
        ev_grade = np.array([v[1] for v in best.values()], dtype=np.float64)
        self.n_rows, self.seekers, self.table = n, seekers, t
        self.ev_seeker, self.ev_row, self.ev_at, self.ev_grade = ev_seeker, ev_row, ev_at, ev_grade
        self.count = np.bincount(ev_row, minlength=n).astype(np.float64)  # interactions per row
        # the creation order: every posting's id, sorted (ids increase with creation)
        known = np.asarray(list(posting_ids) if posting_ids is not None else [], dtype=np.int64)
        self.creation_order = np.unique(np.r_[known, np.asarray(t.ids, dtype=np.int64)])
        self.creation = self.creation_place(t.ids)  # place of each row, 0–1
        # interactions with postings in the creation order (also closed ones), for its reference
        cr_job = np.array([j for _, j in first_at], dtype=np.int64)
        in_order = np.isin(cr_job, self.creation_order)
        cr_seekers: dict[Hashable, int] = {}
        cr_seeker = np.array([cr_seekers.setdefault(sk, len(cr_seekers)) for sk, _ in first_at], dtype=np.int64)
        self.cr_seeker, self.cr_seekers = cr_seeker[in_order], cr_seekers
        self.cr_place = self.creation_place(cr_job[in_order])
        self.cr_at = np.array(list(first_at.values()), dtype=np.float64)[in_order]
        # place, employer and title groups of the rows; -1 = unknown. City = (province, city name)
        # so that two Springfields stay apart.
        city = np.where(t.city_name >= 0, t.province.astype(np.int64) * 1_000_003 + t.city_name, -1)
        self.groups = {
            "city": _ids(city.tolist(), -1),
            "state": _ids(t.province.tolist(), -1),
            "employer": _ids([normalise(e) for e in t.employers], "")[t.employer_id],
            "title": _ids([normalise(x) for x in t.titles], "")[t.title_id],
        }
        a = sp.csr_matrix((np.ones(len(ev_row)), (ev_seeker, ev_row)), shape=(len(seekers), n))
        self.group_sizes = {name: int(ids.max()) + 1 if len(ids) else 0 for name, ids in self.groups.items()}
        self.co = (a.T @ a).tocsr()  # rows × rows: seekers who interacted with both
        self.by_seeker = a
        self.group_co: dict[str, tuple[sp.csr_matrix, sp.csr_matrix]] = {}
        for name in CO_GROUPS:  # groups × groups: seekers who interacted with both groups
            ids = self.groups[name]
            ok = ids[ev_row] >= 0
            size = int(ids.max()) + 1 if len(ids) else 0
            ag = sp.csr_matrix((np.ones(int(ok.sum())), (ev_seeker[ok], ids[ev_row[ok]])), shape=(len(seekers), size))
            ag.sum_duplicates()
            ag.data[:] = 1.0  # the constructor summed repeats: a seeker counts once per group
            self.group_co[name] = ((ag.T @ ag).tocsr(), ag)

    def __len__(self) -> int:
        return len(self.ev_row)

    def own_rows(self, key: Hashable | None) -> np.ndarray:
        """Rows the seeker ``key`` interacted with (empty when unknown or ``None``)."""
        s = self.seekers.get(key) if key is not None else None
        if s is None:
            return np.zeros(0, dtype=np.int64)
        return self.by_seeker.indices[self.by_seeker.indptr[s] : self.by_seeker.indptr[s + 1]].astype(np.int64)

    def job_features(
        self, now: float | None, key: Hashable | None = None, rows: np.ndarray | None = None
    ) -> np.ndarray:
        """``(len(rows), len(INTERACTION_FEATURES))`` for a request at ``now`` (POSIX seconds), without
        ``key``'s own interactions; ``rows`` the postings' rows (default: all, in order).

        ``now=None`` (request time unknown): the time-dependent columns are ``NaN``.
        """
        n = self.n_rows
        sel = np.arange(n) if rows is None else np.asarray(rows, dtype=np.int64)
        own = self.ev_seeker == (self.seekers.get(key, -1) if key is not None else -1)
        ev_row, at, grade = self.ev_row[~own], self.ev_at[~own], self.ev_grade[~own]
        out = np.full((len(sel), len(INTERACTION_FEATURES)), np.nan)
        col = {name: i for i, name in enumerate(INTERACTION_FEATURES)}
        out[:, col["popularity"]] = np.log1p(np.bincount(ev_row, minlength=n)[sel])
        out[:, col["popularity_graded"]] = np.log1p(np.bincount(ev_row, weights=grade, minlength=n)[sel])
        recent = None
        if now is not None:
            before = at < now
            recent = before & (at >= now - RECENT_DAYS * DAY)
            out[:, col["recent_activity"]] = np.log1p(np.bincount(ev_row[recent], minlength=n)[sel])
            first, last = np.full(n, np.inf), np.full(n, -np.inf)
            np.minimum.at(first, ev_row[before], at[before])
            np.maximum.at(last, ev_row[before], at[before])
            first, last = first[sel], last[sel]
            out[:, col["days_since_first"]] = np.where(np.isfinite(first), (now - first) / DAY, np.nan)
            out[:, col["days_since_last"]] = np.where(np.isfinite(last), (now - last) / DAY, np.nan)
            age = (now - at[before]) / DAY
            weights = {label: np.exp2(-age / half_life) for label, half_life in HALF_LIVES.items()}
            for label, weight in weights.items():
                decayed = np.bincount(ev_row[before], weights=weight, minlength=n)
                out[:, col[f"decayed_{label}"]] = np.log1p(decayed[sel])
            out[:, col["creation_vs_recent"]], out[:, col["creation_vs_newest"]] = self.creation_offsets(now, key, sel)
        for name, ids in self.groups.items():
            size = self.group_sizes[name]
            ev = ids[ev_row]
            ids_sel = ids[sel]
            known = ids_sel >= 0
            total = np.bincount(ev[ev >= 0], minlength=size)
            out[known, col[f"{name}_activity"]] = np.log1p(total[ids_sel[known]])
            if recent is not None and f"{name}_recent" in col:
                ev_recent = ev[recent]
                out[known, col[f"{name}_recent"]] = np.log1p(
                    np.bincount(ev_recent[ev_recent >= 0], minlength=size)[ids_sel[known]]
                )
            if recent is not None and f"{name}_decayed_1d" in col:
                ev_before, weight = ev[before], weights["1d"]
                ok = ev_before >= 0
                total = np.bincount(ev_before[ok], weights=weight[ok], minlength=size)
                out[known, col[f"{name}_decayed_1d"]] = np.log1p(total[ids_sel[known]])
        return out

    def creation_place(self, ids: np.ndarray) -> np.ndarray:
        """Place of posting ``ids`` in the creation order, 0 (oldest) – 1 (newest): the rank of the id
        among every posting's id (``posting_ids`` and the ranker's) over their count − 1."""
        order = self.creation_order
        return np.searchsorted(order, np.asarray(ids, dtype=np.int64)) / max(len(order) - 1, 1)

    def creation_offsets(
        self, now: float, key: Hashable | None = None, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(creation_vs_recent, creation_vs_newest)`` of ``rows`` (default: all, in order) for a
        request at ``now`` (POSIX seconds), ``key``'s own interactions left out: each posting's place
        in the creation order (:meth:`creation_place`) minus the median place of the postings
        interacted with in the :data:`CREATION_WINDOW_DAYS` before ``now`` (the latest
        :data:`CREATION_FALLBACK` before ``now``, later first and ties by place, when the window holds
        fewer than :data:`CREATION_MIN_RECENT`), and minus the newest place interacted with before
        ``now``; both ``NaN`` when nothing was interacted with before. The reference counts the
        interactions with every posting of the creation order, also those the ranker does not hold
        (closed ones, in the service); interactions with other postings are left out."""
        sel = np.arange(self.n_rows) if rows is None else np.asarray(rows, dtype=np.int64)
        own = self.cr_seekers.get(key, -1) if key is not None else -1
        before = (self.cr_at < now) & (self.cr_seeker != own)
        places, at = self.cr_place[before], self.cr_at[before]
        if not len(places):
            return np.full(len(sel), np.nan), np.full(len(sel), np.nan)
        recent = places[at >= now - CREATION_WINDOW_DAYS * DAY]
        if len(recent) < CREATION_MIN_RECENT:
            recent = places[np.lexsort((places, -at))[:CREATION_FALLBACK]]
        place = self.creation[sel]
        return place - float(np.median(recent)), place - float(places.max())

    def group_confidence(
        self, name: str, history_rows: np.ndarray, key: Hashable | None = None, rows: np.ndarray | None = None
    ) -> np.ndarray:
        """Per row of ``rows`` (default: all, in order): max over the history's ``name`` groups g of
        P(interacted with the row's group | with g) among other seekers (the confidence of the
        association rule g → group; Agrawal, Imieliński & Swami, SIGMOD 1993). ``NaN`` for rows of
        unknown group or when no history group is known."""
        ids = self.groups[name]
        sel = ids if rows is None else ids[rows]
        out = np.full(len(sel), np.nan)
        hg = np.unique(ids[history_rows])
        hg = hg[hg >= 0]
        if not len(hg):
            return out
        co, ag = self.group_co[name]
        both = co[hg].toarray()  # history groups × groups
        s = self.seekers.get(key) if key is not None else None
        if s is not None:  # leave the seeker's own groups out
            own = ag.indices[ag.indptr[s] : ag.indptr[s + 1]]
            both[np.ix_(np.isin(hg, own), own)] -= 1.0
        support = both[np.arange(len(hg)), hg]
        with np.errstate(invalid="ignore", divide="ignore"):
            conf = np.where(support[:, None] > 0, both / support[:, None], 0.0).max(axis=0)
        known = sel >= 0
        out[known] = conf[sel[known]]
        return out

    def co_interaction(self, history_rows: np.ndarray, key: Hashable | None = None) -> np.ndarray:
        """Σ over ``history_rows`` of seekers (other than ``key``) who interacted with both, per row."""
        if not len(history_rows):
            return np.zeros(self.n_rows)
        co = np.asarray(self.co[history_rows].sum(axis=0)).ravel()
        own = self.own_rows(key)
        if len(own):  # ``key`` counted once in co[h, j] for every pair of its own rows
            co[own] -= np.isin(history_rows, own).sum()
        return np.maximum(co, 0.0)


class FeatureBuilder:
    """Feature matrices (:data:`FEATURE_NAMES` columns) for a seeker against rows of a fitted ranker.

    ``ranker`` is a fitted :class:`ContentRanker` (its postings are the rows), ``stats`` the
    interactions of other seekers with those postings (``None``: all interaction features unknown).
    """

    def __init__(self, ranker: ContentRanker, stats: InteractionStats | None = None) -> None:
        check_is_fitted(ranker, "table_")
        self.ranker, self.stats = ranker, stats
        t = ranker.table_
        if stats is not None and stats.table is t:  # the same ids, already computed (a service builds one per request)
            self.company = stats.groups["employer"]
        else:
            self.company = _ids([normalise(e) for e in t.employers], "")[t.employer_id]

    def matrix(
        self,
        seeker: SeekerDoc,
        history: Sequence[int] = (),
        now: float | None = None,
        rows: np.ndarray | None = None,
        key: Hashable | None = None,
        content: Shortlist | None = None,
    ) -> np.ndarray:
        """Features ``(len(rows), len(FEATURE_NAMES))`` of ``seeker`` against ``rows`` (default all postings).

        ``history``: ids of postings the seeker interacted with, oldest first (unknown ids are
        skipped); ``now``: request time, POSIX seconds (``None``: interaction times unknown);
        ``key``: the seeker's key in ``stats``, whose own interactions are left out; ``content``:
        the ranker's :meth:`~matching.content.ContentRanker.shortlist` for this seeker, whose rows
        are then the rows scored and whose content features are reused instead of computed again.
        Raises ``ValueError`` when both ``rows`` and ``content`` are given, or ``content`` comes from
        another fit.
        """
        r = self.ranker
        t = r.table_
        nc = len(CONTENT_FEATURES)
        if content is not None:
            if rows is not None:
                raise ValueError("give rows or content, not both: content's rows are the rows scored")
            if content.table is not t:
                raise ValueError("content is a shortlist of another ranker fit than this builder's")
            rows = content.rows
            out = np.full((len(rows), len(FEATURE_NAMES)), np.nan)
            f, score, confidence = content.features, content.score, content.profile.confidence
        else:
            rows = np.arange(len(t)) if rows is None else np.asarray(rows, dtype=np.int64)
            out = np.full((len(rows), len(FEATURE_NAMES)), np.nan)
            f, score, confidence = r.content_features(seeker, rows)
        out[:, : nc - 2] = f
        out[:, nc - 2] = score
        out[:, nc - 1] = confidence
        hist = np.array([r.position_[j] for j in history if j in r.position_], dtype=np.int64)
        if self.stats is not None:
            out[:, nc : nc + len(INTERACTION_FEATURES)] = self.stats.job_features(now, key, rows)
        if len(hist):
            self._history(out[:, nc + len(INTERACTION_FEATURES) :], seeker, rows, hist, key)
        return out

    def _history(
        self, out: np.ndarray, seeker: SeekerDoc, rows: np.ndarray, hist: np.ndarray, key: Hashable | None
    ) -> None:
        r = self.ranker
        t = r.table_
        text = " ".join([seeker_text(seeker, r.description_chars, r.max_items), *(normalise(t.title(h)) for h in hist)])
        q = r.text_vectorizer_.transform([text.strip()])
        every = len(rows) == len(t)  # slicing the sparse matrices only pays when few rows are scored
        texts = t.text if every else t.text[rows]
        titles = t.title_vec[t.title_id[rows]]  # one row per distinct title in the table: per row here
        sims = np.asarray(titles @ t.title_vec[t.title_id[hist]].T.toarray())  # rows × history

        def state(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return (t.province[a] == t.province[b]) & (t.province[a] >= 0)

        def city(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            return (t.city_name[a] == t.city_name[b]) & (t.city_name[a] >= 0) & (t.province[a] == t.province[b])

        same_city = city(rows[:, None], hist[None, :])
        same_state = state(rows[:, None], hist[None, :])
        last = hist[-1]
        col = {name: i for i, name in enumerate(HISTORY_FEATURES)}
        out[:, col["history_size"]] = math.log1p(len(hist))
        out[:, col["history_text"]] = np.asarray(texts @ q.T.toarray()).ravel() if q.nnz else 0.0
        out[:, col["history_title_match"]] = r.title_match([t.title(h) for h in hist[::-1]], rows)
        out[:, col["history_title_max"]] = sims.max(axis=1)
        out[:, col["history_title_mean"]] = sims.mean(axis=1)
        out[:, col["history_title_last"]] = sims[:, -1]
        out[:, col["history_city_share"]] = same_city.mean(axis=1)
        out[:, col["history_state_share"]] = same_state.mean(axis=1)
        out[:, col["history_city_last"]] = city(rows, np.full(len(rows), last))
        out[:, col["history_state_last"]] = state(rows, np.full(len(rows), last))
        hc = self.company[hist]
        out[:, col["history_company"]] = np.isin(self.company[rows], hc[hc >= 0])
        if self.stats is not None:
            out[:, col["co_interaction"]] = np.log1p(self.stats.co_interaction(hist, key)[rows])
            for name in CO_GROUPS:
                out[:, col[f"co_{name}"]] = self.stats.group_confidence(name, hist, key, rows)

    def feature_vector(
        self,
        seeker: SeekerDoc,
        job_id: int,
        history: Sequence[int] = (),
        now: float | None = None,
        key: Hashable | None = None,
    ) -> dict[str, float]:
        """The features of one (seeker, posting) pair by name (``NaN`` = unknown).

        Raises ``KeyError`` when ``job_id`` is not among the ranker's postings.
        """
        if job_id not in self.ranker.position_:
            raise KeyError(f"job {job_id} is not among the {len(self.ranker.table_)} fitted postings")
        row = np.array([self.ranker.position_[job_id]])
        return dict(zip(FEATURE_NAMES, map(float, self.matrix(seeker, history, now, row, key)[0]), strict=True))
