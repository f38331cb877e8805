"""Roster history: the stored uploads of a school (who, when, how many added and changed) and the
graduates each upload added or changed. Read by those who see the school: its staff, department
admins of its region, the admin (:func:`service.auth.guards.can_read_figures`,
:func:`service.auth.scoping.schools_clause`) — one method for the school's own history and the
department's history of its region's schools (optionally one school)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.auth.guards import Principal, can_read_figures, ensure_visible
from service.auth.scoping import schools_clause
from service.catalog.models import School
from service.graduates.models import Graduate
from service.privacy.audit import record_list_read
from service.rosters.models import RosterChange, RosterUpload, RosterUploadGraduate


class UploadRead(msgspec.Struct):
    """One stored upload: file, time, who (account id, role and login e-mail or phone), counts."""

    id: int
    school_id: int
    school_code: str
    school_name: str
    filename: str
    at: dt.datetime
    actor_user_id: int | None
    actor_role: Role | None
    actor_login: str | None
    rows_read: int
    added: int
    changed: int
    unchanged: int
    rejected_rows: int


class AffectedGraduate(msgspec.Struct):
    """A graduate an upload added or changed: who, the file row and the names of fields changed."""

    graduate_id: int
    name: str
    student_number: str | None
    change: RosterChange
    fields: list[str]
    row: int | None


class UploadDetail(msgspec.Struct):
    upload: UploadRead
    graduates: list[AffectedGraduate]


async def school_for(session: AsyncSession, p: Principal, school_code: str) -> School:
    """The school with 学校标识码 ``school_code`` if ``p`` sees it (404 otherwise, also for an unknown code)."""
    school = (await session.execute(select(School).where(School.code == school_code))).scalar_one_or_none()
    ensure_visible(school is not None and can_read_figures(p, school=school), "school", school_code)
    assert school is not None
    return school


def _read(upload: RosterUpload, login: str | None, school_code: str, school_name: str) -> UploadRead:
    return UploadRead(
        id=upload.id,
        school_id=upload.school_id,
        school_code=school_code,
        school_name=school_name,
        filename=upload.filename,
        at=upload.at,
        actor_user_id=upload.actor_user_id,
        actor_role=upload.actor_role,
        actor_login=login,
        rows_read=upload.rows_read,
        added=upload.added,
        changed=upload.changed,
        unchanged=upload.unchanged,
        rejected_rows=upload.rejected_rows,
    )


def _with_login() -> Any:
    return (
        select(RosterUpload, func.coalesce(User.email, User.phone), School.code, School.name)
        .join(School, School.id == RosterUpload.school_id)
        .outerjoin(User, User.id == RosterUpload.actor_user_id)
    )


def _visible(p: Principal, school: School | None) -> Any:
    """Uploads of ``school`` if given (the caller checked ``p`` sees it), else of every school ``p``
    sees (own school; the region's schools; all for the admin)."""
    return RosterUpload.school_id == school.id if school is not None else schools_clause(p)


async def list_uploads(
    session: AsyncSession, p: Principal, *, school: School | None = None, limit: int, offset: int
) -> tuple[list[UploadRead], int]:
    """The stored uploads of ``school`` (seen by ``p``: :func:`school_for`) or, without one, of every
    school ``p`` sees — school staff their own, a department admin the schools of its region —
    newest first, with each upload's school, and their total."""
    where = _visible(p, school)
    total = (
        await session.scalar(
            select(func.count())
            .select_from(RosterUpload)
            .join(School, School.id == RosterUpload.school_id)
            .where(where)
        )
        or 0
    )
    rows = (
        await session.execute(
            _with_login()
            .where(where)
            .order_by(RosterUpload.at.desc(), RosterUpload.id.desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return [_read(*row) for row in rows], total


async def upload_detail(
    session: AsyncSession,
    p: Principal,
    school: School | None,
    upload_id: int,
    *,
    request: ASGIConnection[Any, Any, Any, Any] | None = None,
) -> UploadDetail:
    """One upload of ``school`` (or of any school ``p`` sees, without one) and the graduates it
    added or changed (in file row order); 404 for an upload of another school. Listing the
    graduates' names is an audited read."""
    row = (await session.execute(_with_login().where(RosterUpload.id == upload_id, _visible(p, school)))).first()
    ensure_visible(row is not None, "roster upload", upload_id)
    assert row is not None
    affected = (
        await session.execute(
            select(RosterUploadGraduate, Graduate.name, Graduate.student_number)
            .join(Graduate, Graduate.id == RosterUploadGraduate.graduate_id)
            .where(RosterUploadGraduate.upload_id == upload_id)
            .order_by(RosterUploadGraduate.row, RosterUploadGraduate.graduate_id)
        )
    ).all()
    graduates = [
        AffectedGraduate(
            graduate_id=a.graduate_id,
            name=name,
            student_number=number,
            change=a.change,
            fields=list(a.fields or []),
            row=a.row,
        )
        for a, name, number in affected
    ]
    if graduates:
        await record_list_read(session, p, "roster_upload", [g.graduate_id for g in graduates], request=request)
    return UploadDetail(upload=_read(*row), graduates=graduates)
