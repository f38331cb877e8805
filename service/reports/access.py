"""Who may read which employment figures (reports, traces, snapshots).

A report's scope is ``all``, ``region:<GB/T 2260 code>`` or ``school:<学校标识码>`` (see
:class:`service.reports.compute.Scope`). Rules, from :func:`service.auth.guards.can_read_figures`:
school staff read their own school's figures; a department admin those of schools inside its
region and of regions inside it; the system admin everything (``all`` included). Graduates and
employers never read figures (their routes answer 403 before this module is asked).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.auth.guards import Principal, can_read_figures, region_contains
from service.auth.scoping import schools_clause
from service.catalog.models import School
from service.catalog.regions import region_prefix
from service.reports.compute import Scope
from service.reports.models import ReportSnapshot


async def may_read_scope(session: AsyncSession, p: Principal, scope: Scope) -> bool:
    """Whether ``p`` may read figures for ``scope``. An unknown school code is readable by the
    admin only (its report is empty)."""
    if scope.kind == "school":
        school = (await session.execute(select(School).where(School.code == scope.code))).scalar_one_or_none()
        return p.role is Role.ADMIN if school is None else can_read_figures(p, school=school)
    if scope.kind == "region":
        return can_read_figures(p, region_code=scope.code)
    return can_read_figures(p)


async def may_read_rows(session: AsyncSession, p: Principal, scope: Scope) -> bool:
    """Whether ``p`` may read the graduates and destinations behind every cell of ``scope``
    (:func:`service.auth.guards.can_read_destinations`): a school's staff for their school, a
    department admin for its region and the schools in it, the system admin for everything.

    Such a reader gets exact figures (the ``internal`` view): small-cell suppression protects
    graduates from people who may not read their records, and hiding from a reader what they
    may look up row by row protects no one. Everyone else — and every ``publish`` export, which
    leaves that circle — gets the suppressed figures."""
    if p.role is Role.ADMIN:
        return True
    if scope.kind == "school":
        school = (await session.execute(select(School).where(School.code == scope.code))).scalar_one_or_none()
        return (
            school is not None
            and p.role in (Role.SCHOOL, Role.DEPARTMENT)
            and (
                school.id == p.school_id
                if p.role is Role.SCHOOL
                else region_contains(p.region_code, school.region_code)
            )
        )
    if scope.kind == "region":
        return p.role is Role.DEPARTMENT and region_contains(p.region_code, scope.code)
    return False


def snapshots_clause(p: Principal) -> ColumnElement[bool]:
    """Stored snapshots ``p`` may read, as a SQL ``WHERE`` clause on ``report_snapshots.scope``:
    the school scopes of :func:`service.auth.scoping.schools_clause`, plus for a department
    admin the region scopes inside its region; all for the admin."""
    if p.role is Role.ADMIN:
        return true()
    readable_schools = select(literal("school:") + School.code).where(schools_clause(p))
    clauses: list[ColumnElement[bool]] = [ReportSnapshot.scope.in_(readable_schools)]
    if p.role is Role.DEPARTMENT and p.region_code:
        clauses.append(ReportSnapshot.scope.startswith(f"region:{region_prefix(p.region_code)}", autoescape=True))
    return or_(*clauses)
