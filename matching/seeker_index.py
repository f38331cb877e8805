"""Candidate generation for the employer's view: seekers for a posting without scoring every seeker.

A :class:`SeekerIndex` prepares the seekers once for a fitted :class:`~matching.content.ContentRanker`
(their scoring profiles, built with that fit's vocabularies and taxonomy, are the costly part of
:meth:`~matching.content.ContentRanker.rank_seekers`: tokenising, taxonomy look-ups, TF-IDF) and
answers each posting by scoring only its candidates, the union of

* the ``n_candidates`` seekers with the highest TF-IDF cosine between the posting's text and the
  seeker's (titles, skills, certificates, major, summary: the ranker's text feature), over all
  seekers and again over the seekers in the posting's province and in its city;
* the seekers holding a skill or certificate the posting names (same skill keys as the ranker:
  taxonomy concept or normalised free text), at most ``max_per_skill`` per skill: those in the
  posting's city first, then its province, then by cosine.

The score of a candidate is exactly :meth:`~matching.content.ContentRanker.rank_seekers`'s; a seeker
outside the candidates shares no text, skill or province with the posting, so the content score
has little to rank them by. Sets of at most ``2 × n_candidates`` seekers are scored whole.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

import numpy as np
import scipy.sparse as sp

from matching.content import ContentRanker, unique
from matching.documents import JobDoc, Match, SeekerDoc
from matching.features import place
from matching.index import job_text, skill_key
from matching.scoring import Profile


class SeekerIndex:
    """Seekers prepared for ranking against many postings (see the module doc).

    ``ranker`` a fitted content ranker (the index is valid until it is refitted); ``seekers`` the
    pool; ``n_candidates`` seekers taken by text cosine (over all, the province and the city);
    ``max_per_skill`` seekers taken per skill the posting names.
    """

    def __init__(
        self, ranker: ContentRanker, seekers: Sequence[SeekerDoc], n_candidates: int = 100, max_per_skill: int = 100
    ) -> None:
        self.ranker = ranker
        self.n_candidates, self.max_per_skill = n_candidates, max_per_skill
        ordered = sorted(seekers, key=lambda s: s.id)  # id order: the pool answers alike however it was made
        profiles = ranker.seeker_profiles(ordered) if ordered else []
        text = sp.vstack([p.text_vec for p in profiles]).tocsr() if profiles else None
        self._lay_out(profiles, text)

    def _lay_out(self, profiles: list[Profile], text: sp.csr_matrix | None) -> None:
        """Set the per-seeker arrays from ``profiles`` (in id order) and their stacked text vectors."""
        self.profiles = profiles
        self.ids = np.array([p.doc.id for p in profiles], dtype=np.int64)
        self.country = np.array([(p.doc.country or "").upper() for p in profiles], dtype=object)
        self.province = np.array([p.place.province or "" for p in profiles], dtype=object)
        self.city = np.array([p.place.city_code or p.place.city_name or "" for p in profiles], dtype=object)
        self.text = text
        by_key: dict[str, list[int]] = defaultdict(list)
        for i, p in enumerate(profiles):
            for key in p.keys:
                by_key[key].append(i)
        self.by_key = {k: np.array(v, dtype=np.int64) for k, v in by_key.items()}

    def with_changes(self, upserts: Sequence[SeekerDoc] = (), removals: Collection[int] = ()) -> SeekerIndex:
        """A new index with ``upserts`` (new or edited seekers, by id; the last of one id wins) in the
        pool and ``removals`` (ids) out of it; ``self`` is not changed. Only the upserted seekers are
        prepared (the costly part); the others' profiles and text rows are reused, and the pool stays
        in id order, so it answers exactly as ``SeekerIndex(ranker, <the same seekers>)`` would. A
        seeker both upserted and removed is removed."""
        gone = set(removals)
        fresh = sorted({s.id: s for s in upserts if s.id not in gone}.values(), key=lambda s: s.id)
        drop = np.array(sorted(gone | {s.id for s in fresh}), dtype=np.int64)
        keep = np.flatnonzero(~np.isin(self.ids, drop))
        added = self.ranker.seeker_profiles(fresh) if fresh else []
        ids = np.concatenate([self.ids[keep], np.array([s.id for s in fresh], dtype=np.int64)])
        order = np.argsort(ids, kind="stable")
        profiles = [self.profiles[i] for i in keep] + added
        parts = ([self.text[keep]] if self.text is not None and len(keep) else []) + [p.text_vec for p in added]
        text = sp.vstack(parts).tocsr()[order] if parts else None
        out = SeekerIndex.__new__(SeekerIndex)
        out.ranker, out.n_candidates, out.max_per_skill = self.ranker, self.n_candidates, self.max_per_skill
        out._lay_out([profiles[i] for i in order], text)
        return out

    def __len__(self) -> int:
        return len(self.profiles)

    def candidates(self, job: JobDoc, allowed: np.ndarray | None = None) -> np.ndarray:
        """Positions (sorted) of the seekers to score for ``job``; ``allowed`` a boolean mask over the
        pool (e.g. same country), ``None`` for all."""
        pool = np.flatnonzero(allowed) if allowed is not None else np.arange(len(self))
        if len(pool) <= 2 * self.n_candidates:
            return pool
        assert self.text is not None  # more seekers in the pool than candidates: there are profiles
        r = self.ranker
        q = r.text_vectorizer_.transform([job_text(job, r.description_chars, r.max_items)]).tocsr()
        cos = np.asarray((self.text @ q.T).todense()).ravel()
        mask = np.zeros(len(self), dtype=bool)
        mask[pool] = True

        def best(rows: np.ndarray, n: int) -> np.ndarray:
            rows = rows[cos[rows] > 0]
            if len(rows) > n:
                rows = rows[np.argpartition(-cos[rows], n - 1)[:n]]
            return rows

        parts = [best(pool, self.n_candidates)]
        where = place(job.country, job.region_code, job.province, job.city)
        local = np.zeros(len(self), dtype=np.int8)  # 2 same city, 1 same province
        if where.province:
            local[self.province == where.province] = 1
            parts.append(best(pool[local[pool] >= 1], self.n_candidates))
        if where.city_code or where.city_name:
            local[self.city == (where.city_code or where.city_name)] = 2
            parts.append(best(pool[local[pool] == 2], self.n_candidates))
        for text in (
            *job.required_skills[: r.max_items],
            *job.preferred_skills[: r.max_items],
            *job.certificates[: r.max_items],
        ):
            key = skill_key(text, r.taxonomy)
            rows = self.by_key.get(key) if key else None
            if rows is not None:
                rows = rows[mask[rows]]
                if len(rows) > self.max_per_skill:  # the posting's city first, then its province, then cosine
                    order = np.lexsort((-cos[rows], -local[rows]))
                    rows = rows[order[: self.max_per_skill]]
                parts.append(rows)
        return unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    def rank(self, job: JobDoc, k: int = 10, country: str | None = None, exhaustive: bool = False) -> list[Match]:
        """The ``k`` best seekers for ``job`` among the pool (only those of ``country`` when given), as
        :meth:`ContentRanker.rank_seekers` ranks them; ``exhaustive=True`` scores every allowed seeker
        (the baseline)."""
        if k <= 0 or not len(self):
            return []
        allowed = self.country == country.upper() if country else None
        if exhaustive:
            rows = np.flatnonzero(allowed) if allowed is not None else np.arange(len(self))
        else:
            rows = self.candidates(job, allowed)
            if len(rows) < k:  # too few similar seekers: fall back to every allowed one
                rows = np.flatnonzero(allowed) if allowed is not None else np.arange(len(self))
        return self.ranker.rank_profiles(job, [self.profiles[i] for i in rows], k)
