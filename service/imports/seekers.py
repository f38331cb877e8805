"""Store job-seeker items as ``Graduate`` rows of kind ``external`` with their work history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from scrapers.items import SeekerItem
from service.graduates.models import ExperienceKind, Graduate, GraduateExperience, SeekerKind
from service.imports.report import ImportReport
from vocab import EducationLevel

BATCH = 500


def seeker_fields(item: SeekerItem) -> dict[str, Any]:
    """Graduate columns for an imported seeker. The boards are anonymised: the name is
    ``Applicant <id>``; education is unknown (``ANY``)."""
    return {
        "kind": SeekerKind.EXTERNAL,
        "name": f"Applicant {item.external_id}"[:100],
        "education": EducationLevel.ANY,
        "country": item.country,
        "province": (item.province or None),
        "city": (item.city or "")[:64] or None,
        "skills": list(item.skills),
        "desired_titles": [t[:200] for t in item.desired_titles],
        "source": item.source,
        "external_id": item.external_id,
    }


def _experiences(item: SeekerItem) -> list[dict[str, Any]]:
    return [
        {
            "kind": ExperienceKind.JOB,
            "title": e.title[:200],
            "employer_name": (e.employer_name or "")[:200] or None,
            "description": e.description,
            "city": (e.city or "")[:64] or None,
            "province": (e.province or "")[:64] or None,
            "start_date": e.start_date,
            "end_date": e.end_date,
        }
        for e in item.experiences
    ]


def _stored_experiences(graduate: Graduate) -> list[dict[str, Any]]:
    keys = ("kind", "title", "employer_name", "description", "city", "province", "start_date", "end_date")
    return [{k: getattr(e, k) for k in keys} for e in graduate.experiences]


async def store_seekers(session: AsyncSession, items: Sequence[SeekerItem], report: ImportReport) -> None:
    """Insert new seekers, replace changed ones' fields and work history, count unchanged.
    Flushes, never commits."""
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        existing: dict[tuple[str, str], Graduate] = {}
        for source in {i.source for i in batch}:
            ids = [i.external_id for i in batch if i.source == source]
            stmt = (
                select(Graduate)
                .options(selectinload(Graduate.experiences))
                .where(Graduate.source == source, Graduate.external_id.in_(ids))
            )
            existing.update({(g.source, g.external_id or ""): g for g in (await session.execute(stmt)).scalars()})
        for item in batch:
            fields, experiences = seeker_fields(item), _experiences(item)
            graduate = existing.get((item.source, item.external_id))
            if graduate is None:
                session.add(Graduate(**fields, experiences=[GraduateExperience(**e) for e in experiences]))
                report.stored += 1
            elif (
                any(getattr(graduate, k) != v for k, v in fields.items())
                or _stored_experiences(graduate) != experiences
            ):
                for k, v in fields.items():
                    setattr(graduate, k, v)
                graduate.experiences = [GraduateExperience(**e) for e in experiences]
                report.updated += 1
            else:
                report.unchanged += 1
        await session.flush()
