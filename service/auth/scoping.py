"""List scoping: SQL ``WHERE`` clauses that keep a list to the objects a principal may see.

Each function mirrors the single-object predicate of the same domain in
:mod:`service.auth.guards`, so ``GET /things`` and ``GET /things/{id}`` agree. Add the clause
to the list query (``stmt.where(graduates_clause(p))``) and to the count. For a single read,
``select(X).where(X.id == ident, x_clause(p))`` returning nothing is a 404.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, false, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.applications.models import Application, ApplicationStatus
from service.auth.guards import Principal
from service.catalog.models import School
from service.catalog.regions import region_prefix
from service.destinations.models import DestinationEvent
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.postings.models import Posting
from service.postings.visibility import visible_to_graduates_clause


async def exists_where(session: AsyncSession, id_column: Any, ident: object, clause: ColumnElement[bool]) -> bool:
    """Whether the row with ``id_column == ident`` exists *and* satisfies ``clause`` — the single
    read of a scoped list (``False`` → answer 404, as for a missing row)."""
    stmt = select(literal(1)).where(id_column == ident, clause).limit(1)
    return (await session.execute(stmt)).first() is not None


def schools_in_region(region_code: str) -> Select[tuple[int]]:
    """``SELECT schools.id`` for every school inside GB/T 2260 ``region_code`` (sub-regions included)."""
    return select(School.id).where(School.region_code.startswith(region_prefix(region_code)))


def _applicants_of(employer_id: int | None) -> Select[tuple[int]]:
    """Graduates with an application to one of the employer's postings that they have not
    withdrawn (withdrawing the last one takes the employer's sight of the profile away again)."""
    return (
        select(Application.graduate_id)
        .join(Posting, Posting.id == Application.posting_id)
        .where(Posting.employer_id == employer_id, Application.status != ApplicationStatus.WITHDRAWN)
    )


def graduates_clause(p: Principal) -> ColumnElement[bool]:
    """Graduates ``p`` may read: self; own school; schools in the region; applicants to the
    employer's postings (applications not withdrawn); all for the admin."""
    if p.role is Role.ADMIN:
        return true()
    if p.role is Role.GRADUATE:
        return Graduate.id == p.graduate_id
    if p.role is Role.SCHOOL:
        return Graduate.school_id == p.school_id
    if p.role is Role.DEPARTMENT and p.region_code:
        return Graduate.school_id.in_(schools_in_region(p.region_code))
    if p.role is Role.EMPLOYER:
        return Graduate.id.in_(_applicants_of(p.employer_id))
    return false()


def postings_clause(p: Principal) -> ColumnElement[bool]:
    """Postings ``p`` may read: all for staff; the employer's own; verified employers' for graduates."""
    if p.role in (Role.ADMIN, Role.SCHOOL, Role.DEPARTMENT):
        return true()
    if p.role is Role.EMPLOYER:
        return Posting.employer_id == p.employer_id
    if p.role is Role.GRADUATE:
        return visible_to_graduates_clause()
    return false()


def employers_clause(p: Principal) -> ColumnElement[bool]:
    """Employers ``p`` may read: all for staff; verified ones (plus its own for an employer member)."""
    if p.role in (Role.ADMIN, Role.SCHOOL, Role.DEPARTMENT):
        return true()
    if p.role is Role.EMPLOYER:
        return or_(Employer.verified.is_(True), Employer.id == p.employer_id)
    return Employer.verified.is_(True)


def applications_clause(p: Principal) -> ColumnElement[bool]:
    """Applications ``p`` may read: the graduate's own; those to the employer's postings; those of
    the school's (or region's) graduates; all for the admin."""
    if p.role is Role.ADMIN:
        return true()
    if p.role is Role.GRADUATE:
        return Application.graduate_id == p.graduate_id
    if p.role is Role.EMPLOYER:
        return Application.posting_id.in_(select(Posting.id).where(Posting.employer_id == p.employer_id))
    if p.role in (Role.SCHOOL, Role.DEPARTMENT):
        return Application.graduate_id.in_(select(Graduate.id).where(graduates_clause(p)))
    return false()


def destinations_clause(p: Principal) -> ColumnElement[bool]:
    """Destination events ``p`` may read: those of graduates ``p`` may read, never for employers."""
    if p.role is Role.ADMIN:
        return true()
    if p.role is Role.EMPLOYER:
        return false()
    return DestinationEvent.graduate_id.in_(select(Graduate.id).where(graduates_clause(p)))


def schools_clause(p: Principal) -> ColumnElement[bool]:
    """Schools whose figures ``p`` may read: own school; schools in the region; all for the admin."""
    if p.role is Role.ADMIN:
        return true()
    if p.role is Role.SCHOOL:
        return School.id == p.school_id
    if p.role is Role.DEPARTMENT and p.region_code:
        return School.region_code.startswith(region_prefix(p.region_code))
    return false()


def internships_clause(p: Principal) -> Any:
    """Internship placements ``p`` may read: the student's own; those at the employer; those of the
    school's (region's) students; all for the admin (mirrors the rules of :mod:`service.internships`)."""
    from service.internships.models import Internship  # internships import this module

    if p.role is Role.ADMIN:
        return true()
    if p.role is Role.GRADUATE:
        return Internship.graduate_id == p.graduate_id
    if p.role is Role.EMPLOYER:  # verified employers only: an unchecked sign-up sees no placement
        return Internship.employer_id.in_(
            select(Employer.id).where(Employer.id == p.employer_id, Employer.verified.is_(True))
        )
    if p.role is Role.SCHOOL:
        return Internship.school_id == p.school_id
    if p.role is Role.DEPARTMENT and p.region_code:
        return Internship.school_id.in_(schools_in_region(p.region_code))
    return false()
