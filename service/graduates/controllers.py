"""HTTP endpoints for graduates and other job seekers (``/graduates``).

Authorisation (see :mod:`service.auth.guards` and :mod:`service.auth.scoping`): a
graduate reads and changes only their own profile; school staff their school's graduates;
department admins read those of schools in their region; an employer member reads the profiles
of graduates who applied to its postings (the phone only where the graduate agreed to share it for a
live application), and no one else's; the system admin
everything. A profile the caller may not read is a 404, in lists as in single reads.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.params import JSONBody, QueryParameter
from msgspec import UNSET
from sqlalchemy import and_

from service.accounts.models import Role
from service.auth.guards import (
    Principal,
    can_change_graduate,
    can_see_id_tail,
    current_principal,
    ensure_allowed,
    ensure_visible,
    require_roles,
    require_signed_in,
)
from service.auth.scoping import exists_where, graduates_clause
from service.graduates.models import Graduate, SeekerKind
from service.graduates.repository import GraduateFilter
from service.graduates.schemas import GraduateCreate, GraduateRead, GraduateUpdate
from service.graduates.service import GraduateService, to_read
from service.inputs import TEXT_BODY_BYTES
from service.pagination import DbSession, IdPath, IdQuery, Limit, Offset, Page
from service.privacy.audit import record as audit_record
from service.privacy.audit import record_list_read
from service.privacy.deletion import not_deleted_clause
from service.privacy.models import AuditAction


async def _employer_view(db_session: DbSession, p: Principal, items: list[GraduateRead]) -> list[GraduateRead]:
    """``items`` as ``p`` may see them: for an employer, the phone only of applicants who agreed to
    share it for a live application to its postings (PIPL Art. 23; :mod:`service.resumes.service`);
    for a department admin no phone at all — phone follow-up is the schools' work, and the
    department's follow-up list and export carry none either (personal data only to who needs it)."""
    if p.role is Role.DEPARTMENT:
        return [msgspec.structs.replace(g, phone=None) for g in items]
    if p.role is not Role.EMPLOYER:
        return items
    from service.resumes.service import consented_contacts  # resumes reads graduates' models

    allowed = await consented_contacts(db_session, p.employer_id, [g.id for g in items])
    return [g if g.id in allowed else msgspec.structs.replace(g, phone=None) for g in items]


class GraduateController(Controller):
    path = "/graduates"
    tags = ["graduates"]

    @post(
        "/",
        summary="Create a graduate profile",
        guards=[require_roles(Role.SCHOOL, Role.ADMIN)],
        request_max_body_size=TEXT_BODY_BYTES,
    )
    async def create_graduate(
        self, request: Request, db_session: DbSession, data: JSONBody[GraduateCreate]
    ) -> GraduateRead:
        """Create a job seeker with nested certificates, awards and experiences, all or nothing:
        school staff for their own ``school_id``, or the admin (graduates register at
        ``POST /auth/register``). 401 signed out; 403 other roles or another school.

        ``id_number`` (身份证号) is checked (GB 11643-1999) and stored, and only ever returned as
        ``id_number_masked`` (its last 4 characters); an unknown ``gender`` is taken from it.
        ``min_salary_monthly`` is 元/月.

        Errors: 400 for a malformed body (field named); 422 for a bad 身份证号, a ``gender``
        contradicting it, an unknown ``school_id``/``major_code``/``region_code``, a
        ``graduation_date`` outside 1950–2100 or inconsistent nested dates; 409 for a
        ``student_number`` already used at the school, or an ``id_number`` recorded for another
        person anywhere (full-width digits count as the same number; neither the number nor the
        other record is named).
        """
        p = current_principal(request)
        ensure_allowed(
            p.role is Role.ADMIN or (data.school_id is not None and data.school_id == p.school_id),
            f"create a profile at school {data.school_id}",
        )
        return to_read(
            await GraduateService(db_session, actor=p, request=request).create(data), id_tail=can_see_id_tail(p)
        )

    @get("/{graduate_id:int}", summary="Read a graduate profile", guards=[require_signed_in])
    async def get_graduate(self, request: Request, db_session: DbSession, graduate_id: IdPath) -> GraduateRead:
        """One profile with nested lists; 404 if ``graduate_id`` does not exist or the caller may
        not read it."""
        p = current_principal(request)
        ensure_visible(
            await exists_where(db_session, Graduate.id, graduate_id, graduates_clause(p)), "graduate", graduate_id
        )
        graduate = await GraduateService(db_session).get(graduate_id)
        if p.graduate_id != graduate_id:  # someone else read personal data: audited
            await audit_record(
                db_session, p, AuditAction.READ, "graduate", graduate_id, graduate_id=graduate_id, request=request
            )
        return (await _employer_view(db_session, p, [to_read(graduate, id_tail=can_see_id_tail(p))]))[0]

    @patch(
        "/{graduate_id:int}",
        summary="Update a graduate profile",
        request_max_body_size=TEXT_BODY_BYTES,
        guards=[require_roles(Role.GRADUATE, Role.SCHOOL, Role.ADMIN)],
    )
    async def update_graduate(
        self, request: Request, db_session: DbSession, graduate_id: IdPath, data: JSONBody[GraduateUpdate]
    ) -> GraduateRead:
        """Change the fields present; a nested list present replaces the stored list: the graduate,
        their school's staff, the admin.

        The roster-owned fields — ``kind``, ``gender``, ``student_number``, ``id_number``,
        ``school_id``, ``major_code``, ``education``, ``graduation_date``, ``cohort`` — come from
        the school's roster: a graduate sending one with a new value gets 403 naming it (and
        ``id_number`` at all), and staff changes to them are written to the audit log (field names
        only). School staff cannot move a graduate to another school (403). 404 for an unknown id
        or a profile the caller may not read; 403 for department admins and employers;
        400/409/422 as for create."""
        p = current_principal(request)
        service = GraduateService(db_session, actor=p, request=request)
        ensure_visible(
            await exists_where(db_session, Graduate.id, graduate_id, graduates_clause(p)), "graduate", graduate_id
        )
        graduate = await service.get(graduate_id)
        ensure_allowed(can_change_graduate(p, graduate), f"change graduate {graduate_id}")
        if p.role is not Role.GRADUATE and data.school_id is not UNSET and data.school_id != graduate.school_id:
            ensure_allowed(
                p.role is Role.ADMIN or (p.role is Role.SCHOOL and data.school_id == p.school_id),
                f"move graduate {graduate_id} to school {data.school_id}",
            )
        return to_read(await service.update(graduate_id, data), id_tail=can_see_id_tail(p))

    @get("/", summary="List graduate profiles", guards=[require_signed_in])
    async def list_graduates(
        self,
        request: Request,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        q: Annotated[str | None, QueryParameter(max_length=100, description="name contains")] = None,
        school_id: IdQuery = None,
        major_code: Annotated[str | None, QueryParameter(pattern=r"^\d{6}$", description="专业代码")] = None,
        cohort: Annotated[int | None, QueryParameter(ge=1950, le=2100, description="届 (graduation year)")] = None,
        region_code: Annotated[
            str | None, QueryParameter(pattern=r"^\d{6}$", description="GB/T 2260; includes sub-regions")
        ] = None,
        kind: Annotated[SeekerKind | None, QueryParameter()] = None,
    ) -> Page[GraduateRead]:
        """Profiles the caller may read, ordered by id, filtered; ``total`` counts all visible matches.
        Graduates whose deletion was carried out are left out; each listed profile is an audited read."""
        f = GraduateFilter(
            q=q, school_id=school_id, major_code=major_code, cohort=cohort, region_code=region_code, kind=kind
        )
        p = current_principal(request)
        scope = and_(graduates_clause(p), not_deleted_clause())
        items, total = await GraduateService(db_session).list(f, limit, offset, scope)
        if p.role is not Role.GRADUATE and items:  # personal data of others listed: audited
            await record_list_read(db_session, p, "graduate_list", [g.id for g in items], request=request)
        return Page(
            items=await _employer_view(db_session, p, [to_read(g, id_tail=can_see_id_tail(p)) for g in items]),
            total=total,
            limit=limit,
            offset=offset,
        )
