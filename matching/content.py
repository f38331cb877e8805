"""Content-based ranker: postings for a seeker (:meth:`ContentRanker.recommend`) and seekers for a
posting (:meth:`ContentRanker.rank_seekers`), with an explanation for every match.

Follows the scikit-learn estimator contract: ``__init__`` only stores parameters, :meth:`fit`
learns attributes ending in ``_`` and returns ``self``. Scoring is a weighted mean of the
features in :mod:`matching.features` over the known ones, times profile-completeness confidence.

Candidate generation (so a request does not score every posting): the union of

* an inverted index from skill keys (taxonomy concept, or normalised free text, plus fuzzy
  matches of the seeker's free-text skills) to the postings naming them,
* an inverted index from title tokens (jieba words / English words) to postings,
* the top ``n_candidates`` postings by TF-IDF cosine (char n-grams 1–3 over title, skills and the
  start of the description), computed from the query's ``max_query_terms`` heaviest n-grams
  only (query-term pruning) through an impact-ordered inverted index that keeps, per n-gram, its
  ``max_term_postings`` heaviest postings (posting-list pruning: a common n-gram such as a space or
  ``a`` names nearly every posting, and summing it over a million postings per request is what made
  candidate generation linear). The cosine used to choose candidates is thus approximate; the
  text feature of the postings scored is exact (the full row-major matrix).

Location is part of the score, so candidates are location-aware too: an index key naming more
than ``max_postings`` postings is narrowed to the postings in the seeker's province or preferred
places (plus its ``max_postings`` best by cosine elsewhere); the cosine top-N is taken both over all
postings and over the seeker's local ones. Small tables (at most twice ``n_candidates`` rows)
are scored whole, which is cheaper than gathering candidates.

Which postings of the index keys are kept is decided by their whole score, not by the cosine: at a
million postings a key such as a common skill or the title word ``cook`` names tens of thousands of
postings that tie on the cosine and differ in what decides the top (the share of the posting's
required skills the seeker has, the title, the place, the pay, recency). Each is scored with every
feature but the text one exact and the text cosine at its lower bound (the capped, pruned sum) and at
its upper bound (plus the most the cut lists and the unread n-grams can add); a posting is kept only
if its upper bound reaches the ``k``-th best lower bound — the threshold test of MaxScore (H. Turtle
and J. Flood, "Query evaluation: strategies and optimizations", IPM 31(6), 1995) and WAND (A. Broder
et al., "Efficient query evaluation using a two-level retrieval process", CIKM 2003), with the per-list
maxima of block-max indexes (S. Ding and T. Suel, "Faster top-k document retrieval using block-max
indexes", SIGIR 2011) bounding the text part. Among the postings considered the ``k`` best are then
exact (:meth:`ContentRanker.candidates`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from matching.documents import JobDoc, Match, SeekerDoc
from matching.features import FEATURES, WEIGHTS
from matching.index import (
    JobTable,
    Positions,
    Postings,
    build_table,
    fit_vectorizer,
    impact_ordered,
    job_text,
    skill_key,
)
from matching.scoring import Bound, Profile, bind, build_profiles, combine, explain, features
from matching.taxonomy import Taxonomy
from vocab.text import normalise

#: Default of :attr:`ContentRanker.max_term_postings`, from ``bench/bench_index_scale.py``: at 300,000
#: postings the top-10 overlap with brute force is the uncapped search's (0.950 against 0.947) at 0.65× its
#: median; at 1,000,000 it costs recall (0.853 against 0.933 uncapped, 0.903 at 50,000) for 8× less time.
MAX_TERM_POSTINGS = 20_000
#: Most postings of the seeker's index keys scored with bounds per request (:meth:`ContentRanker.candidates`).
MAX_BOUNDED = 50_000
TEXT = FEATURES.index("text")


@dataclass(frozen=True)
class Shortlist:
    """One seeker's best postings, scored but not yet explained (:meth:`ContentRanker.shortlist`).

    ``rows`` are rows of the ranker's table, best first; ``features`` ``(len(rows), len(FEATURES))``
    the 0–1 feature values (``NaN`` = unknown), ``fit`` / ``score`` their 0–1 combination before and
    after the profile's confidence, ``rel`` each posting's location relation code; ``profile`` and
    ``bound`` the seeker as scored. :meth:`match` explains one entry; explaining 200 postings costs
    more than scoring them (about 2.4 ms against 0.7 ms at 100,000 postings), so a re-ranker
    explains only what it returns.
    """

    profile: Profile
    bound: Bound
    table: JobTable
    rows: np.ndarray
    features: np.ndarray
    rel: np.ndarray
    fit: np.ndarray
    score: np.ndarray

    def __len__(self) -> int:
        return len(self.rows)

    def match(self, i: int) -> Match:
        """Entry ``i`` (0-based) as a :class:`Match` with its explanation."""
        row = int(self.rows[i])
        return Match(
            job_id=int(self.table.ids[row]),
            seeker_id=self.profile.doc.id,
            score=float(self.score[i]),
            explanation=explain(
                self.profile, self.bound, self.table, row, self.features[i], int(self.rel[i]), float(self.fit[i])
            ),
        )


class ContentRanker(BaseEstimator):
    """Rank postings for seekers and seekers for postings by content agreement (no learning from clicks).

    Parameters:
        taxonomy: resolves skills, certificates and occupations to concepts (``None``: free text only).
        n_candidates: postings taken by TF-IDF cosine per request, overall and again among the
            seeker's local postings (in addition to index hits).
        max_postings: most postings one index key (skill or title word) contributes; larger lists
            are narrowed to the seeker's region, then to their best by cosine.
        max_query_terms: n-grams of the seeker's text used for the cosine candidate search.
        description_chars: characters of each description (and seeker summary) put into TF-IDF.
        max_items: list entries (skills, titles, certificates) read per document; longer lists are cut.
        as_of: date against which posting age is measured (``None``: today at scoring time).
        today: the calendar "today at scoring time" is read from, called on every scoring (``None``:
            the machine's, :meth:`datetime.date.today`). The service passes its users' calendar
            (Asia/Shanghai), which a server on UTC is a day behind from 16:00 to 24:00 UTC: a posting
            posted yesterday in Beijing would then be scored as posted today.
        weights: feature name → weight overriding :data:`matching.features.WEIGHTS`.
        max_term_postings: postings kept per n-gram in the candidate search's inverted index (its
            heaviest; ``None``: all). Bounds the work per request and the index's size.
        keep_docs: keep the fitted :class:`JobDoc` in ``table_.jobs`` (``False``: scoring, explaining
            and :meth:`save` need none of them; a caller that needs a posting's document reads it
            from its own store).
    """

    def __init__(
        self,
        taxonomy: Taxonomy | None = None,
        n_candidates: int = 300,
        max_postings: int = 200,
        max_query_terms: int = 64,
        description_chars: int = 300,
        max_items: int = 100,
        as_of: dt.date | None = None,
        today: Callable[[], dt.date] | None = None,
        weights: dict[str, float] | None = None,
        max_term_postings: int | None = MAX_TERM_POSTINGS,
        keep_docs: bool = True,
    ) -> None:
        self.taxonomy = taxonomy
        self.n_candidates = n_candidates
        self.max_postings = max_postings
        self.max_query_terms = max_query_terms
        self.description_chars = description_chars
        self.max_items = max_items
        self.as_of = as_of
        self.today = today
        self.weights = weights
        self.max_term_postings = max_term_postings
        self.keep_docs = keep_docs

    def fit(self, jobs: Sequence[JobDoc], y: object = None) -> ContentRanker:
        """Index ``jobs`` (the postings that may be recommended). ``y`` is ignored. Returns ``self``.

        Raises ``ValueError`` when two jobs share an id or a weight names an unknown feature.
        """
        jobs = list(jobs)
        weights = {**WEIGHTS, **(self.weights or {})}
        if set(weights) != set(WEIGHTS):
            raise ValueError(f"weights: unknown feature(s) {sorted(set(weights) - set(WEIGHTS))}; known: {FEATURES}")
        self.weights_ = np.array([float(weights[f]) for f in FEATURES])
        self.text_vectorizer_, text = fit_vectorizer(
            [job_text(j, self.description_chars, self.max_items) for j in jobs]
        )
        self.title_vectorizer_, titles = fit_vectorizer([normalise(j.title or "") for j in jobs])
        self._index(jobs, text, titles)
        t = self.table_
        # postings per title token: the tokens of each distinct title, counted once per posting with it
        per_title = np.bincount(t.title_id, minlength=len(t.titles)).astype(np.float64)
        df = np.bincount(
            t.title_tok.indices, weights=np.repeat(per_title, np.diff(t.title_tok.indptr)), minlength=len(t.title_cols)
        )
        n = len(jobs)
        self.title_idf_ = {tok: math.log((1 + n) / (1 + df[c])) + 1.0 for tok, c in t.title_cols.items()}
        self.default_idf_ = math.log(1 + n) + 1.0
        self.popularity_scale_ = float(t.popularity.max()) if n and t.popularity.max() > 0 else 1.0
        return self

    def extend(self, jobs: Sequence[JobDoc]) -> ContentRanker:
        """A new fitted ranker over ``jobs`` that keeps this fit's vocabularies and corpus statistics
        (the text and title vectorisers, title IDF, popularity scale, weights): the jobs are only
        *transformed*, nothing is learned, so its scores are on the same scale as this ranker's and
        a job scores the same in either (this ranker is not changed). Costs time in ``len(jobs)``
        only; the delta of a live index (:class:`matching.live.LiveIndex`) is one.

        Raises ``ValueError`` when two jobs share an id, ``NotFittedError`` before :meth:`fit`."""
        self._check_fitted()
        jobs = list(jobs)
        other = type(self)(**self.get_params(deep=False))
        other.weights_ = self.weights_
        other.text_vectorizer_, other.title_vectorizer_ = self.text_vectorizer_, self.title_vectorizer_
        other.title_idf_, other.default_idf_ = self.title_idf_, self.default_idf_
        other.popularity_scale_ = self.popularity_scale_
        other._index(
            jobs,
            self.text_vectorizer_.transform([job_text(j, self.description_chars, self.max_items) for j in jobs]),
            self.title_vectorizer_.transform([normalise(j.title or "") for j in jobs]),
        )
        return other

    def _index(self, jobs: list[JobDoc], text: sp.csr_matrix, titles: sp.csr_matrix) -> None:
        """The table and the inverted indexes over ``jobs`` given their TF-IDF rows (fit and extend)."""
        ids = np.array([j.id for j in jobs], dtype=np.int64)
        self.position_ = Positions.of(ids)
        if len(self.position_) != len(ids):
            seen: set[int] = set()
            for i, j in enumerate(jobs):
                if j.id in seen:
                    raise ValueError(f"jobs[{i}]: duplicate job id {j.id}")
                seen.add(j.id)
        keys: dict[str, str | None] = {}

        def key(text: str | None) -> str | None:  # job skill lists repeat a lot: resolve each text once
            kt = text or ""
            if kt not in keys:
                keys[kt] = skill_key(kt, self.taxonomy)
            return keys[kt]

        self.table_ = build_table(jobs, self.taxonomy, text, titles, self.max_items, key, self.keep_docs)
        self._derive()

    def _derive(self) -> None:
        """The ranker's own indexes, derived from :attr:`table_`."""
        t = self.table_
        n = len(t)
        by = t.by_skill
        skill_rows = np.concatenate([by[k].indices for k in ("req", "pref", "cert")])
        skill_keys = np.concatenate(
            [np.repeat(np.arange(len(by[k])), np.diff(by[k].indptr)) for k in ("req", "pref", "cert")]
        )
        self.skill_index_ = Postings.of(
            sp.csr_matrix(
                (np.ones(len(skill_rows), dtype=np.float32), (skill_keys, skill_rows)), shape=(len(t.skill_cols), n)
            )
        )
        self.title_index_ = Postings.of(t.title_tok[t.title_id].T)
        self.text_columns_ = impact_ordered(t.text, self.max_term_postings)
        posted = np.nan_to_num(t.posted, nan=-np.inf)
        self.prior_order_ = np.lexsort((t.ids, -t.popularity, -posted)).astype(np.int32)  # newest, then most popular
        # province / city / county id → its rows, for location-aware candidates (one id space for all
        # levels: a name that is both a province and a city keeps the rows of the finer level)
        by_place: dict[int, np.ndarray] = {}
        for level in (t.province, t.city_code, t.city_name, t.county) if n else ():
            order = np.argsort(level, kind="stable")
            keys_, starts = np.unique(level[order], return_index=True)
            for k, rows in zip(keys_, np.split(order, starts[1:]), strict=True):
                if k >= 0:
                    by_place[int(k)] = rows
        n_places = max(by_place, default=-1) + 1
        lengths = np.zeros(n_places, dtype=np.int64)
        for k, rows in by_place.items():
            lengths[k] = len(rows)
        indptr = np.zeros(n_places + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        parts = [by_place.get(k, np.zeros(0, dtype=np.int64)) for k in range(n_places)]
        self.place_rows_ = Postings(
            indptr=indptr, indices=np.concatenate(parts).astype(np.int32) if parts else np.zeros(0, dtype=np.int32)
        )

    def save(self, directory: str | Path) -> Path:
        """Write this fitted ranker as a snapshot directory (:mod:`matching.snapshot`: ``.npy`` arrays
        plus the vocabularies; not the documents, not the taxonomy). Returns the directory."""
        from matching import snapshot

        return snapshot.save(self, directory)

    @classmethod
    def load(cls, directory: str | Path, taxonomy: Taxonomy | None = None, *, mmap: bool = True) -> ContentRanker:
        """A ranker :meth:`save`-d into ``directory``, answering exactly as the saved one (give the
        ``taxonomy`` it was fitted with). ``mmap``: arrays memory-mapped read-only, shared with every
        process that loads the same snapshot; its ``table_.jobs`` is ``None``."""
        from matching import snapshot

        return snapshot.load(directory, taxonomy, mmap=mmap)

    def _check_fitted(self) -> None:
        # sklearn's check_is_fitted inspects the class on every call (~100 µs); this is the same test
        if not hasattr(self, "table_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet: call fit(jobs) first")

    def _as_of(self) -> int:
        return (self.as_of or (self.today or dt.date.today)()).toordinal()

    def _profiles(self, seekers: Sequence[SeekerDoc]) -> list[Profile]:
        return build_profiles(
            seekers,
            self.taxonomy,
            self.text_vectorizer_,
            self.title_vectorizer_,
            self.description_chars,
            self.max_items,
        )

    def _bind(self, p: Profile, table: JobTable) -> Bound:
        return bind(p, table, self.title_idf_, self.default_idf_)

    def _local_rows(self, b: Bound) -> np.ndarray | None:
        """Which rows are in the seeker's province or preferred places, as a boolean mask over the
        rows (``None`` when the seeker gives no place): membership tests against it cost a look-up
        per posting, where intersecting sorted arrays cost a sort of the province's rows per request."""
        ids = [b.loc[1], *b.pref[0], *b.pref[1], *b.pref[2], *b.pref[3]]
        if not any(i >= 0 for i in ids):
            return None
        places = self.place_rows_
        mask = np.zeros(len(self.table_), dtype=bool)
        for i in ids:
            if 0 <= i < len(places):
                mask[places[i]] = True
        return mask

    def content_features(self, seeker: SeekerDoc, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """The content features of ``seeker`` against ``rows`` of this fit, as :meth:`recommend` scores
        them: ``(features (len(rows), len(FEATURES)), combined score per row, profile confidence)``.
        The public way for other models (the learned ranker's features) to read the content scores."""
        self._check_fitted()
        p = self._profiles([seeker])[0]
        f, _ = features(p, self._bind(p, self.table_), self.table_, rows, self._as_of(), self.popularity_scale_)
        _, score = combine(f, self.weights_, p.confidence)
        return f, score, p.confidence

    def title_match(self, titles: Sequence[str], rows: np.ndarray) -> np.ndarray:
        """The ``title`` feature of ``rows`` for a seeker whose positions of interest are ``titles``
        (most important first), without taxonomy: how well postings' titles agree with a list of titles
        (e.g. of postings a seeker applied to)."""
        self._check_fitted()
        p = build_profiles(
            [SeekerDoc(id=0, desired_titles=tuple(titles))],
            None,
            self.text_vectorizer_,
            self.title_vectorizer_,
            self.description_chars,
            self.max_items,
        )[0]
        f, _ = features(p, self._bind(p, self.table_), self.table_, rows, 0, self.popularity_scale_)
        return f[:, FEATURES.index("title")]

    def _text_bounds(self, p: Profile) -> tuple[np.ndarray, float]:
        """The candidate search's text cosine of every row from the impact-ordered lists, and how far
        below the exact cosine it can be (a bound, the same for every row).

        The cosine is summed over the query's ``max_query_terms`` heaviest n-grams, each from its capped
        posting list: a lower bound of the exact cosine (all weights are non-negative). What it misses
        is bounded as in MaxScore (Turtle & Flood 1995) and WAND (Broder et al. 2003), by each term's
        largest possible contribution: for a list cut to its heaviest postings, a row not in it weighs
        at most the lightest kept weight (``q_t × min kept``); a term not read at all contributes at
        most ``q_t × its list's heaviest weight`` (the list is never cut below its maximum)."""
        t = self.table_
        cos = np.zeros(len(t), dtype=np.float32)
        q = p.text_vec
        slack = 0.0
        if not q.nnz:
            return cos, slack
        order = np.argsort(-q.data)
        columns = self.text_columns_
        cap = self.max_term_postings
        for i, (term, weight) in enumerate(zip(q.indices[order], q.data[order], strict=True)):
            a, b_ = columns.indptr[term], columns.indptr[term + 1]
            if b_ == a:
                continue
            data = columns.data[a:b_]
            if i < self.max_query_terms:
                cos[columns.indices[a:b_]] += data * weight  # a column's rows are distinct
                if cap is not None and b_ - a >= cap:  # possibly cut: unseen rows weigh at most its lightest
                    slack += float(weight) * float(data.min())
            else:
                slack += float(weight) * float(data.max())
        return cos, slack

    def candidates(self, p: Profile, b: Bound, k: int | None = None) -> np.ndarray:
        """Row positions worth scoring for profile ``p`` (sorted, unique); see the module doc.

        ``k`` (the number of answers wanted): postings of the index keys are chosen by their score
        instead of by text cosine. Every posting of the seeker's skill and title keys (a long list
        narrowed to the seeker's region, plus its best by cosine elsewhere) is scored with the text
        feature at its lower and upper bound (:meth:`_text_bounds`; the score grows with the text
        feature); only those whose upper bound reaches the ``k``-th best lower bound can be among
        the ``k`` best and are kept — the threshold test of MaxScore (Turtle & Flood 1995) and WAND
        (Broder et al. 2003) over whole scores, with per-term upper bounds as in block-max indexes
        (Ding & Suel 2011). Within these postings (and the cosine top ``n_candidates``) the ``k``
        best are therefore exact; at most ``MAX_BOUNDED`` of them are scored."""
        t = self.table_
        cos, slack = self._text_bounds(p)
        local = self._local_rows(b)

        def best(rows: np.ndarray, n: int) -> np.ndarray:
            if len(rows) <= n:
                return rows
            return rows[np.argpartition(-cos[rows], n - 1)[:n]]

        parts: list[np.ndarray] = []
        pool: list[np.ndarray] = []
        title_cols = {c for toks, _ in p.titles for tok in toks if (c := t.title_cols.get(tok)) is not None}
        for index, cols in ((self.skill_index_, b.cols), (self.title_index_, title_cols)):
            for c in cols:
                post = index.indices[index.indptr[c] : index.indptr[c + 1]]
                if k is None:
                    if len(post) > self.max_postings and local is not None:
                        post = post[local[post]]
                    parts.append(best(post, self.max_postings))
                    continue
                if len(post) > self.max_postings and local is not None:
                    pool.append(best(post, self.max_postings))
                    post = post[local[post]]
                pool.append(post)
        if self.n_candidates > 0:
            positive = cos > 0
            parts.append(best(np.flatnonzero(positive), self.n_candidates))
            if local is not None:
                parts.append(best(np.flatnonzero(local & positive), self.n_candidates))
        if pool and k is not None and k > 0:
            rows = unique(np.concatenate(pool + parts))
            parts.append(self._bounded(p, b, rows, cos[rows], slack, k))
        if not parts:
            return np.zeros(0, dtype=np.int64)
        return unique(np.concatenate(parts))

    def _bounded(self, p: Profile, b: Bound, rows: np.ndarray, cos: np.ndarray, slack: float, k: int) -> np.ndarray:
        """``rows`` whose score, with the text feature at its upper bound ``cos + slack``, reaches the
        ``k``-th best score with it at its lower bound ``cos`` (:meth:`candidates`)."""
        if len(rows) <= k:
            return rows
        if len(rows) > MAX_BOUNDED:  # bound the work: the rows with the best cosine
            keep = np.sort(np.argpartition(-cos, MAX_BOUNDED - 1)[:MAX_BOUNDED])
            rows, cos = rows[keep], cos[keep]
        as_of = self._as_of()
        f, _ = features(p, b, self.table_, rows, as_of, self.popularity_scale_, text=cos)
        _, low = combine(f, self.weights_, p.confidence)
        if not p.text_vec.nnz or slack <= 0:
            high = low
        else:
            f[:, TEXT] = np.minimum(cos + slack, 1.0)
            _, high = combine(f, self.weights_, p.confidence)
        kth = np.partition(low, len(low) - k)[len(low) - k]
        return rows[high >= kth]

    def recommend(
        self, seeker: SeekerDoc, k: int = 10, exclude: Collection[int] = (), *, exhaustive: bool = False
    ) -> list[Match]:
        """The ``k`` best postings for ``seeker`` as :class:`Match` (score 0–1, desc; ties by job id).

        ``exclude`` holds job ids never to return (already applied). ``exhaustive=True`` scores every
        posting instead of the candidates (the baseline for benchmarks and recall checks). When
        fewer than ``k`` candidates are found, the newest postings fill the set. Raises
        ``sklearn.exceptions.NotFittedError`` before :meth:`fit`.
        """
        short = self.shortlist(seeker, k, exclude, exhaustive=exhaustive)
        return [short.match(i) for i in range(len(short))]

    def shortlist(
        self, seeker: SeekerDoc, k: int = 10, exclude: Collection[int] = (), *, exhaustive: bool = False
    ) -> Shortlist:
        """:meth:`recommend`'s ``k`` best postings, scored, in the same order, without explanations.
        Raises ``sklearn.exceptions.NotFittedError`` before :meth:`fit`."""
        self._check_fitted()
        t = self.table_
        p = self._profiles([seeker])[0]
        b = self._bind(p, t)
        empty = np.zeros(0, dtype=np.int64)
        rows = empty
        if k > 0 and len(t):
            blocked = np.array([self.position_[i] for i in exclude if i in self.position_], dtype=np.int64)
            if exhaustive or len(t) <= 2 * self.n_candidates:
                rows = np.arange(len(t))
            else:
                rows = self.candidates(p, b, k + len(blocked))
                if len(rows) - len(blocked) < k:
                    extra = self.prior_order_[: k + len(blocked) + self.n_candidates]
                    rows = np.union1d(rows, extra)
            if len(blocked):
                rows = np.setdiff1d(rows, blocked, assume_unique=True)
        if not len(rows):
            none = np.zeros(0)
            return Shortlist(
                profile=p,
                bound=b,
                table=t,
                rows=empty,
                features=np.zeros((0, len(FEATURES))),
                rel=empty,
                fit=none,
                score=none,
            )
        f, rel = features(p, b, t, rows, self._as_of(), self.popularity_scale_)
        fit, score = combine(f, self.weights_, p.confidence)
        top = _top(score, t.ids[rows], k)
        return Shortlist(
            profile=p, bound=b, table=t, rows=rows[top], features=f[top], rel=rel[top], fit=fit[top], score=score[top]
        )

    def rank_seekers(self, job: JobDoc, seekers: Sequence[SeekerDoc], k: int = 10) -> list[Match]:
        """The ``k`` seekers best suited to ``job`` (the employer's view), same features and scores as
        :meth:`recommend`; ``missing_*`` lists what the job requires that the seeker lacks.

        ``job`` need not be among the fitted postings. Ranked by score desc, ties by seeker id.
        Raises ``sklearn.exceptions.NotFittedError`` before :meth:`fit`.
        """
        self._check_fitted()
        if k <= 0 or not seekers:
            return []
        return self.rank_profiles(job, self.seeker_profiles(seekers), k)

    def seeker_profiles(self, seekers: Sequence[SeekerDoc]) -> list[Profile]:
        """Seekers prepared for scoring with this fit's vocabularies and taxonomy (reusable for any job
        until the next :meth:`fit`; :class:`matching.seeker_index.SeekerIndex` keeps them)."""
        self._check_fitted()
        return self._profiles(seekers)

    def rank_profiles(self, job: JobDoc, profiles: Sequence[Profile], k: int = 10) -> list[Match]:
        """:meth:`rank_seekers` over profiles made by :meth:`seeker_profiles` of this fit."""
        self._check_fitted()
        if k <= 0 or not profiles:
            return []
        text = self.text_vectorizer_.transform([job_text(job, self.description_chars, self.max_items)]).tocsr()
        title = self.title_vectorizer_.transform([normalise(job.title or "")]).tocsr()
        t = build_table([job], self.taxonomy, text, title, self.max_items)
        rows = np.zeros(1, dtype=np.int64)
        as_of = self._as_of()
        scored = []
        for p in profiles:
            b = self._bind(p, t)
            f, rel = features(p, b, t, rows, as_of, self.popularity_scale_)
            fit, score = combine(f, self.weights_, p.confidence)
            scored.append((p, b, f[0], int(rel[0]), float(fit[0]), float(score[0])))
        ids = np.array([p.doc.id for p in profiles], dtype=np.int64)
        top = _top(np.array([s[5] for s in scored]), ids, k)
        return [
            Match(
                job_id=job.id,
                seeker_id=int(ids[i]),
                score=scored[i][5],
                explanation=explain(scored[i][0], scored[i][1], t, 0, scored[i][2], scored[i][3], scored[i][4]),
            )
            for i in top
        ]


def unique(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an int array (sort-based; faster than numpy 2's hashing ``np.unique`` here)."""
    if not len(a):
        return a.astype(np.int64)
    s = np.sort(a)
    return s[np.concatenate(([True], s[1:] != s[:-1]))].astype(np.int64)


def _top(score: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """Indexes of the ``k`` highest scores, ties broken by ascending id."""
    if len(score) > 4 * k:
        # keep everything tied with the k-th best so the id tie-break sees all of them
        kth = np.partition(-score, k - 1)[k - 1]
        pool = np.flatnonzero(-score <= kth)
    else:
        pool = np.arange(len(score))
    order = np.lexsort((ids[pool], -score[pool]))
    return pool[order[:k]]
