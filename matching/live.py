"""A content index that takes changes as deltas: a fitted base, a small delta and a retired set.

:class:`LiveIndex` is immutable. :meth:`LiveIndex.with_changes` returns a new index in which
new and edited postings sit in a *delta* ranker (:meth:`ContentRanker.extend` of the base: the
postings are transformed with the base's fitted vectorisers and corpus statistics, nothing is
refitted) and closed, expired or edited postings of the base are *retired* (masked out of every
answer). Its cost grows with the number of changes since the base was fitted, never with the
number of postings; a caller refits the base from time to time (a full rebuild) and starts a
new ``LiveIndex`` from it, while the previous one keeps answering.

Because the delta shares the base's vocabularies and statistics, every posting scores exactly
as it would in one ranker holding the same postings with the base's statistics
(``base.extend(postings)``); a full refit differs only by the corpus statistics it learns (the
character n-gram IDF and title IDF of the new posting set, the popularity scale).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from matching.content import ContentRanker
from matching.documents import JobDoc, Match, SeekerDoc
from matching.taxonomy import Taxonomy


@dataclass(frozen=True)
class LiveIndex:
    """``base`` (fitted on the postings of the last rebuild) minus ``retired`` base ids, plus
    ``delta`` (``base.extend`` of ``pending``: postings added or edited since, by id)."""

    base: ContentRanker
    pending: dict[int, JobDoc] = field(default_factory=dict)
    retired: frozenset[int] = frozenset()
    delta: ContentRanker | None = None

    @classmethod
    def of(cls, base: ContentRanker) -> LiveIndex:
        """A live index serving exactly the postings ``base`` was fitted on."""
        return cls(base=base)

    def __len__(self) -> int:
        return len(self.base.position_) - len(self.retired) + len(self.pending)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self.pending or (job_id in self.base.position_ and job_id not in self.retired)

    def ids(self) -> set[int]:
        """Ids of every posting the index may return."""
        return (set(self.base.position_) - self.retired) | set(self.pending)

    def job(self, job_id: int) -> JobDoc:
        """The indexed document of posting ``job_id`` (``KeyError`` when not indexed; ``LookupError``
        for a base posting when the base keeps no documents)."""
        if job_id in self.pending:
            return self.pending[job_id]
        if job_id in self.retired:
            raise KeyError(job_id)
        jobs = self.base.table_.jobs
        if jobs is None:
            raise LookupError(
                f"posting {job_id}: the base index holds no documents (fitted with keep_docs=False or loaded)"
            )
        return jobs[self.base.position_[job_id]]

    @property
    def changes(self) -> int:
        """Postings added, edited or removed since the base was fitted (what a rebuild would fold in)."""
        return len(self.pending) + len(self.retired - set(self.pending))

    @property
    def taxonomy(self) -> Taxonomy | None:
        return self.base.taxonomy

    def with_changes(self, upserts: Iterable[JobDoc] = (), removals: Collection[int] = ()) -> LiveIndex:
        """A new index with ``upserts`` (new or edited postings, by id) indexed and ``removals``
        (closed, expired, hidden or deleted ids) gone; ``self`` is not changed. Re-indexes the
        pending postings only (``base.extend``), never the base. A posting both upserted and
        removed is removed."""
        pending = dict(self.pending)
        retired = set(self.retired)
        for doc in upserts:
            pending[doc.id] = doc
            if doc.id in self.base.position_:
                retired.add(doc.id)  # the base row is stale: the delta row answers for it
        for job_id in removals:
            pending.pop(job_id, None)
            if job_id in self.base.position_:
                retired.add(job_id)
        docs = sorted(pending.values(), key=lambda d: d.id)
        delta = self.base.extend(docs) if docs else None
        return LiveIndex(base=self.base, pending=pending, retired=frozenset(retired), delta=delta)

    def recommend(
        self, seeker: SeekerDoc, k: int = 10, exclude: Collection[int] = (), *, exhaustive: bool = False
    ) -> list[Match]:
        """:meth:`ContentRanker.recommend` over the live postings: the base's best (retired ones
        excluded) merged with the delta's best, by score desc then job id."""
        blocked = set(exclude) | self.retired if self.retired else exclude
        found = self.base.recommend(seeker, k=k, exclude=blocked, exhaustive=exhaustive)
        if self.delta is not None:
            found += self.delta.recommend(seeker, k=k, exclude=exclude, exhaustive=exhaustive)
            # round away float noise between the base's dense and the delta's sparse products
            found.sort(key=lambda m: (-round(m.score, 9), m.job_id))
        return found[:k]

    def learned_exclusions(self, exclude: Collection[int]) -> set[int]:
        """``exclude`` plus the retired base ids: what a re-ranker over :attr:`base` must leave out."""
        return set(exclude) | self.retired


def full_refit_equivalent(index: LiveIndex) -> ContentRanker:
    """One ranker over the live postings with the base's statistics (``base.extend``): what the
    live index answers like. For tests and checks; costs a table build over every posting."""
    docs: Sequence[JobDoc] = sorted((index.job(i) for i in index.ids()), key=lambda d: d.id)
    return index.base.extend(docs)
