"""Queries of internship placements: the scoped list with the names its readers see, and the counts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, case, distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import Major, School
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.internships.models import Internship, InternshipStatus
from service.postings.models import Posting


def read_columns() -> Select[Any]:
    """``SELECT`` of a placement with the student's name, major and cohort, the school's and the
    employer's names and the posting's title (one row per placement)."""
    return (
        select(
            Internship, Graduate.name, Graduate.major_code, Graduate.cohort, School.name, Employer.name, Posting.title
        )
        .join(Graduate, Graduate.id == Internship.graduate_id)
        .join(School, School.id == Internship.school_id)
        .join(Employer, Employer.id == Internship.employer_id)
        .outerjoin(Posting, Posting.id == Internship.posting_id)
    )


async def breakdown(session: AsyncSession, clause: Any, by: str, cohort: int | None) -> list[tuple[Any, ...]]:
    """``(key, name, placements, students, confirmed)`` per school, major or employer (``by``) of
    the placements satisfying ``clause`` (of students of ``cohort`` when given), most placed first."""
    by_kind: dict[str, tuple[Any, Any, list[tuple[Any, Any]]]] = {
        "school": (Internship.school_id, School.name, [(School, School.id == Internship.school_id)]),
        "major": (Graduate.major_code, Major.name, [(Major, Major.code == Graduate.major_code)]),
        "employer": (Internship.employer_id, Employer.name, [(Employer, Employer.id == Internship.employer_id)]),
    }
    key, name, joins = by_kind[by]
    confirmed = func.sum(case((Internship.status == InternshipStatus.CONFIRMED, 1), else_=0))
    stmt = (
        select(key, name, func.count(Internship.id), func.count(distinct(Internship.graduate_id)), confirmed)
        .select_from(Internship)
        .join(Graduate, Graduate.id == Internship.graduate_id)
    )
    for table, on in joins:
        stmt = stmt.outerjoin(table, on)
    stmt = stmt.where(clause)
    if cohort is not None:
        stmt = stmt.where(Graduate.cohort == cohort)
    stmt = stmt.group_by(key, name).order_by(func.count(distinct(Internship.graduate_id)).desc(), key)
    return [tuple(r) for r in (await session.execute(stmt)).all()]


async def verified_employer_names(session: AsyncSession, clause: Any, limit: int) -> list[str]:
    """Names of the verified employers ``clause`` lets the caller read, alphabetical, at most ``limit``."""
    stmt = select(Employer.name).where(clause, Employer.verified.is_(True)).order_by(Employer.name).limit(limit)
    return list((await session.execute(stmt)).scalars().all())


async def verified_employer_ids_named(session: AsyncSession, clause: Any, name: str) -> list[int]:
    """Ids of (at most two of) the verified employers called exactly ``name`` that ``clause`` lets
    the caller read: two mean namesakes, which a name alone cannot tell apart."""
    stmt = (
        select(Employer.id)
        .where(Employer.name == name, Employer.verified.is_(True), clause)
        .order_by(Employer.id)
        .limit(2)
    )
    return list((await session.execute(stmt)).scalars().all())


async def student_id(session: AsyncSession, school_id: int | None, student_number: str) -> int | None:
    """The id of the student of school ``school_id`` with ``student_number`` (学号), if any."""
    stmt = select(Graduate.id).where(Graduate.school_id == school_id, Graduate.student_number == student_number)
    return (await session.execute(stmt)).scalar()
