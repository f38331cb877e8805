"""Every SQL statement of the recommendations: the index's postings and their changes, the hidden
postings, the seeker pool, the applications the learned model reads, and retraining's data.

The caches (:mod:`service.recommendations.caches`), the index maintainer
(:mod:`service.recommendations.index`) and the retraining job
(:mod:`service.recommendations.scheduled`) read the database only through this class.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from matching.documents import JobDoc, SeekerDoc
from matching.ltr_features import Interaction
from service.applications.models import Application
from service.graduates.models import Graduate
from service.postings.changes import PostingChange
from service.postings.models import Posting
from service.postings.repository import open_on_clause
from service.postings.visibility import visible_to_graduates_clause
from service.recommendations.changes import RecommendationChange
from service.recommendations.documents import job_doc, seeker_doc
from service.recommendations.grades import grade_of


class RecommendationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- the postings of the content index -------------------------------------------------------
    async def posting_change_key(self) -> tuple[Any, ...]:
        """(row count, latest ``updated_at``, largest id) of the postings: it changes whenever a posting
        is added, edited, closed *or applied to* (the count bumps ``updated_at``), so it only says
        *that* something may have changed; :meth:`changed_postings` says what."""
        stmt = select(func.count(Posting.id), func.max(Posting.updated_at), func.max(Posting.id))
        return tuple((await self.session.execute(stmt)).one())

    async def open_job_docs(self, today: dt.date) -> list[JobDoc]:
        """Every posting open on ``today`` as a :class:`JobDoc`, by id (what a full build indexes)."""
        stmt = select(Posting).options(joinedload(Posting.employer)).where(open_on_clause(today)).order_by(Posting.id)
        return [job_doc(p) for p in (await self.session.execute(stmt)).scalars()]

    async def changed_postings(self, since: dt.datetime | None, today: dt.date) -> list[tuple[JobDoc, bool]]:
        """(document, open on ``today``) of every posting updated at or after ``since``, by id."""
        stmt = select(Posting, open_on_clause(today)).options(joinedload(Posting.employer)).order_by(Posting.id)
        if since is not None:
            stmt = stmt.where(Posting.updated_at >= since)
        return [(job_doc(p), bool(is_open)) for p, is_open in (await self.session.execute(stmt)).all()]

    async def posting_count(self) -> int:
        """How many postings are stored (decides where the first build runs)."""
        return int((await self.session.execute(select(func.count(Posting.id)))).scalar() or 0)

    async def last_change_seq(self) -> int:
        """The largest sequence number of the postings' change feed (0 when empty): one index lookup."""
        return int((await self.session.execute(select(func.max(PostingChange.seq)))).scalar() or 0)

    async def change_at(self, seq: int) -> str | None:
        """When the postings' change feed row ``seq`` was written (ISO format; ``None``: no such row):
        what an index snapshot records of the feed, to know the database it was built from again."""
        at = (await self.session.execute(select(PostingChange.at).where(PostingChange.seq == seq))).scalar()
        return at.isoformat() if at is not None else None

    async def first_change(self) -> tuple[int, dt.datetime] | None:
        """(sequence number, ``at``) of the oldest row of the postings' change feed (``None``: empty)."""
        row = (
            await self.session.execute(select(PostingChange.seq, PostingChange.at).order_by(PostingChange.seq))
        ).first()
        return (row[0], row[1]) if row is not None else None

    async def changes_after(self, seq: int) -> list[tuple[int, int]]:
        """(sequence number, posting id) of every change row after ``seq``, in order."""
        stmt = select(PostingChange.seq, PostingChange.posting_id).where(PostingChange.seq > seq)
        return [(s, p) for s, p in (await self.session.execute(stmt.order_by(PostingChange.seq))).all()]

    async def last_cache_change_seq(self) -> int:
        """The largest sequence number of the recommendation caches' change feed
        (:mod:`service.recommendations.changes`; 0 when empty): one index lookup."""
        return int((await self.session.execute(select(func.max(RecommendationChange.seq)))).scalar() or 0)

    async def cache_changes_after(self, seq: int) -> list[tuple[int, str, int]]:
        """(sequence number, kind, subject id) of every row of that feed after ``seq``, in order."""
        stmt = select(RecommendationChange.seq, RecommendationChange.kind, RecommendationChange.subject_id)
        rows = await self.session.execute(stmt.where(RecommendationChange.seq > seq).order_by(RecommendationChange.seq))
        return [(s, k, i) for s, k, i in rows.all()]

    async def posting_states(self, ids: Sequence[int], today: dt.date) -> list[tuple[JobDoc, bool]]:
        """(document, open on ``today``) of the postings ``ids`` that still exist, by id."""
        stmt = (
            select(Posting, open_on_clause(today))
            .options(joinedload(Posting.employer))
            .where(Posting.id.in_(list(ids)))
            .order_by(Posting.id)
        )
        return [(job_doc(p), bool(is_open)) for p, is_open in (await self.session.execute(stmt)).all()]

    async def open_posting_ids(self, today: dt.date) -> set[int]:
        """Ids of the postings open on ``today`` (a new day retires the expired ones)."""
        return set((await self.session.execute(select(Posting.id).where(open_on_clause(today)))).scalars())

    async def postings(self, ids: Sequence[int]) -> dict[int, Posting]:
        """Posting rows by id with their employer loaded (only the ones a response shows)."""
        if not ids:
            return {}
        stmt = select(Posting).options(joinedload(Posting.employer)).where(Posting.id.in_(list(ids)))
        return {p.id: p for p in (await self.session.execute(stmt)).scalars()}

    # --- postings graduates never see ------------------------------------------------------------
    async def hidden_posting_ids(self, today: dt.date) -> frozenset[int]:
        """Postings open on ``today`` that graduates are never shown
        (:func:`~service.postings.visibility.visible_to_graduates_clause`)."""
        return frozenset(
            (
                await self.session.execute(
                    select(Posting.id).where(open_on_clause(today), ~visible_to_graduates_clause())
                )
            ).scalars()
        )

    # --- graduates -------------------------------------------------------------------------------
    async def graduate(self, graduate_id: int) -> Graduate | None:
        """A graduate with what :func:`seeker_doc` and the candidate summary read, or ``None``."""
        stmt = (
            select(Graduate)
            .options(
                selectinload(Graduate.certificates),
                selectinload(Graduate.experiences),
                selectinload(Graduate.major),
                selectinload(Graduate.school),
            )
            .where(Graduate.id == graduate_id)
        )
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def history(self, graduate_id: int) -> list[int]:
        """Ids of the postings the graduate applied to, oldest first."""
        return list(
            (
                await self.session.execute(
                    select(Application.posting_id)
                    .where(Application.graduate_id == graduate_id)
                    .order_by(Application.created_at, Application.id)
                )
            ).scalars()
        )

    async def recommendable_graduates(self, ids: Collection[int] | None = None) -> Sequence[Graduate]:
        """Graduates who accept employer recommendations (those of ``ids`` only, when given), by id,
        with what the pool reads."""
        stmt = (
            select(Graduate)
            .options(
                selectinload(Graduate.certificates),
                selectinload(Graduate.experiences),
                selectinload(Graduate.major),
                selectinload(Graduate.school),
            )
            .where(Graduate.recommendable.is_(True))
            .order_by(Graduate.id)
        )
        if ids is not None:
            stmt = stmt.where(Graduate.id.in_(sorted(ids)))
        return (await self.session.execute(stmt)).scalars().all()

    # --- applications (the learned model) --------------------------------------------------------
    async def interactions(self) -> list[Interaction]:
        """One graded interaction per application (seeker = graduate id, at = the application's creation,
        grade = :func:`~service.recommendations.grades.grade_of`), ordered by application id."""
        apps = (
            (
                await self.session.execute(
                    select(Application).options(selectinload(Application.history)).order_by(Application.id)
                )
            )
            .scalars()
            .all()
        )
        return [
            Interaction(seeker=a.graduate_id, job_id=a.posting_id, at=a.created_at.timestamp(), grade=grade_of(a))
            for a in apps
        ]

    async def every_posting_id(self) -> list[int]:
        return list((await self.session.execute(select(Posting.id))).scalars())

    async def training_data(self) -> tuple[list[JobDoc], dict[int, SeekerDoc], list[Interaction]]:
        """(every posting, the graduates who applied by id, :meth:`interactions`): what retraining reads."""
        postings = (
            (await self.session.execute(select(Posting).options(selectinload(Posting.employer)).order_by(Posting.id)))
            .scalars()
            .all()
        )
        interactions = await self.interactions()
        ids = sorted({int(it.seeker) for it in interactions})  # type: ignore[call-overload]  # graduate ids
        stmt = (
            select(Graduate)
            .options(
                selectinload(Graduate.certificates), selectinload(Graduate.experiences), selectinload(Graduate.major)
            )
            .where(Graduate.id.in_(ids))
        )
        graduates = (await self.session.execute(stmt)).scalars().all() if ids else []
        return [job_doc(p) for p in postings], {g.id: seeker_doc(g) for g in graduates}, interactions
