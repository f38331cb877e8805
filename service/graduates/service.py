"""Graduate rules: valid 身份证号 agreeing with gender and held by one graduate only, existing
references, unique student number per school, consistent nested dates, graduation dates within
the years a cohort may take, 届 (cohort) defaulting to the graduation year, and roster-owned fields
(:data:`~service.graduates.models.ROSTER_FIELDS`) that only staff change — audited.

No error names another record or echoes a number: a clash says only that the value is taken."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.exceptions import PermissionDeniedException
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.auth.guards import Principal
from service.catalog.majors import major_open_to
from service.catalog.models import Major, Region, School
from service.catalog.service import CatalogService
from service.config import latest_today
from service.errors import ConflictError, InvalidFieldError, NotFoundError
from service.graduates.identity import gender_of_id_number, mask_id_number, normalise_id_number
from service.graduates.models import (
    ROSTER_FIELDS,
    Gender,
    Graduate,
    GraduateAward,
    GraduateCertificate,
    GraduateExperience,
)
from service.graduates.repository import GraduateFilter, GraduateRepository
from service.graduates.schemas import (
    YEAR_MAX,
    YEAR_MIN,
    Award,
    AwardRead,
    Certificate,
    CertificateRead,
    Experience,
    ExperienceRead,
    GraduateCreate,
    GraduateRead,
    GraduateUpdate,
)
from service.inputs import visible_name
from service.privacy.audit import record
from service.privacy.models import AuditAction
from vocab import EmploymentType

NESTED = ("certificates", "awards", "experiences")


def to_read(g: Graduate, *, id_tail: bool) -> GraduateRead:
    """Graduate → :class:`GraduateRead` (school, major and nested lists must be loaded).
    The 身份证号 appears only as its last 4 characters (``id_tail``, for the holder and staff:
    :func:`service.auth.guards.can_see_id_tail`), or not at all (employers)."""
    return GraduateRead(
        id=g.id,
        kind=g.kind,
        name=g.name,
        gender=g.gender,
        student_number=g.student_number,
        id_number_masked=mask_id_number(g.id_number) if id_tail else None,
        phone=g.phone,
        school_id=g.school_id,
        school_name=g.school.name if g.school else None,
        major_code=g.major_code,
        major_name=g.major.name if g.major else None,
        education=g.education,
        graduation_date=g.graduation_date,
        cohort=g.cohort,
        country=g.country,
        region_code=g.region_code,
        province=g.province,
        city=g.city,
        skills=list(g.skills),
        summary=g.summary,
        desired_titles=list(g.desired_titles),
        preferred_locations=list(g.preferred_locations),
        min_salary_monthly=g.min_salary_monthly,
        preferred_job_types=[EmploymentType(t) for t in g.preferred_job_types],
        recommendable=g.recommendable,
        certificates=[
            CertificateRead(id=c.id, name=c.name, level=c.level, issuer=c.issuer, issued_on=c.issued_on)
            for c in g.certificates
        ],
        awards=[
            AwardRead(id=a.id, competition=a.competition, level=a.level, prize=a.prize, year=a.year) for a in g.awards
        ],
        experiences=[
            ExperienceRead(
                id=e.id,
                kind=e.kind,
                employer_name=e.employer_name,
                title=e.title,
                description=e.description,
                city=e.city,
                province=e.province,
                start_date=e.start_date,
                end_date=e.end_date,
            )
            for e in g.experiences
        ],
        source=g.source,
        external_id=g.external_id,
        created_at=g.created_at,
        updated_at=g.updated_at,
    )


def _certificates(items: list[Certificate]) -> list[GraduateCertificate]:
    today = latest_today()
    for i, c in enumerate(items):
        if c.issued_on is not None and c.issued_on > today:
            raise InvalidFieldError(f"certificates[{i}].issued_on", f"{c.issued_on} is in the future", "date_in_future")
    return [GraduateCertificate(**msgspec.structs.asdict(c)) for c in items]


def _awards(items: list[Award]) -> list[GraduateAward]:
    this_year = latest_today().year
    for i, a in enumerate(items):
        if a.year is not None and a.year > this_year:
            raise InvalidFieldError(f"awards[{i}].year", f"{a.year} is in the future", "date_in_future")
    return [GraduateAward(**msgspec.structs.asdict(a)) for a in items]


def _experiences(items: list[Experience]) -> list[GraduateExperience]:
    for i, e in enumerate(items):
        if e.start_date is not None and e.end_date is not None and e.end_date < e.start_date:
            raise InvalidFieldError(
                f"experiences[{i}].end_date", f"{e.end_date} is before start_date {e.start_date}", "date_too_early"
            )
    return [GraduateExperience(**msgspec.structs.asdict(e)) for e in items]


# each builds the rows of one nested list from its items
_BUILDERS: dict[str, Callable[[Any], list[Any]]] = {
    "certificates": _certificates,
    "awards": _awards,
    "experiences": _experiences,
}


class GraduateService:
    """Create, change and list job seekers. Flushes; the caller's transaction commits.

    ``actor`` (and ``request``, for the audit log) say who acts: a graduate may not change the
    roster-owned fields, and others' changes to them are audited; ``None`` is the system."""

    def __init__(
        self,
        session: AsyncSession,
        *,
        actor: Principal | None = None,
        request: ASGIConnection[Any, Any, Any, Any] | None = None,
    ) -> None:
        self.session = session
        self.repo = GraduateRepository(session)
        self.actor = actor
        self.request = request

    async def get(self, graduate_id: int) -> Graduate:
        """The full profile. Raises :class:`NotFoundError`."""
        graduate = await self.repo.get(graduate_id)
        if graduate is None:
            raise NotFoundError("graduate", graduate_id)
        return graduate

    async def unknown_places(self, places: Sequence[str]) -> list[str]:
        """The preferred places (``preferred_locations``) that name no region: each must be a GB/T 2260
        region code (6 digits) or a region's name, with or without its 省/市/区/县
        (:meth:`~service.catalog.service.CatalogService.unknown_regions`). Order kept. The one rule
        for the API (``PATCH /graduates/{id}``, :meth:`update`) and the profile page."""
        return await CatalogService(self.session).unknown_regions(list(places))

    async def _check_places(self, changes: dict[str, Any]) -> None:
        unknown = await self.unknown_places(changes.get("preferred_locations") or [])
        if unknown:
            raise InvalidFieldError(
                "preferred_locations",
                f"unknown place(s) {', '.join(unknown)}: use city or county names or 6-digit GB/T 2260 region codes",
                "unknown_place",
            )

    async def _check_refs(self, changes: dict[str, Any]) -> None:
        for field, model, what in (
            ("school_id", School, "school"),
            ("major_code", Major, "major (专业代码)"),
            ("region_code", Region, "GB/T 2260 region code"),
        ):
            value = changes.get(field)
            if value is not None and await self.session.get(model, value) is None:
                raise InvalidFieldError(field, f"unknown {what} {value}")
        major = await self.session.get(Major, changes["major_code"]) if changes.get("major_code") else None
        if (
            major is not None
            and changes.get("cohort") is not None
            and not major_open_to(major.valid_from, major.retired_on, changes["cohort"])
        ):
            raise InvalidFieldError(
                "major_code",
                f"major {major.code} {major.name} is open to the cohorts "
                f"{major.valid_from or '…'} – {major.retired_on or '…'}, not "
                f"{changes['cohort']}",
            )

    async def _check_unique(self, school_id: int | None, student_number: str | None, own_id: int | None) -> None:
        if school_id is None or student_number is None:
            return
        other = await self.repo.get_by_student_number(school_id, student_number)
        if other is not None and other.id != own_id:
            message = (
                "this student number (学号) is already used by another student of the school / 学号已被本校其他学生使用"
            )
            raise ConflictError(f"student_number: {message}", [{"field": "student_number", "message": message}])

    async def _check_id_number_free(self, id_number: str | None, own_id: int | None) -> None:
        """One 身份证号 identifies one person: refuse it when another record holds it (409). The
        message names neither the number nor the record (the database's unique index backs this
        check up against a concurrent write, which then answers a plain 409)."""
        if id_number is None:
            return
        if await self.repo.other_with_id_number(id_number, own_id) is not None:
            message = (
                "this 身份证号 is already recorded for another person: check it against the ID card, or ask "
                "the system administrator / 该身份证号已登记在另一条记录中，请核对证件或联系系统管理员"
            )
            raise ConflictError(f"id_number: {message}", [{"field": "id_number", "message": message}])

    @staticmethod
    def _check_graduation_date(value: dt.date | None) -> None:
        """A graduation date lies in the years a cohort (届) may take (:data:`YEAR_MIN`–:data:`YEAR_MAX`)."""
        if value is not None and not YEAR_MIN <= value.year <= YEAR_MAX:
            raise InvalidFieldError(
                "graduation_date", f"{value} is outside {YEAR_MIN}–{YEAR_MAX}, the years a cohort (届) may take"
            )

    def _refuse_roster_changes(self, graduate: Graduate, changes: dict[str, Any]) -> None:
        """A graduate may not change what the school's roster says (403 naming the fields); sending
        a value equal to the stored one is no change — except the 身份证号, which a graduate may not
        send at all (so the answer never depends on whose number it is)."""
        if self.actor is None or self.actor.role is not Role.GRADUATE:
            return
        refused = [
            k for k in ROSTER_FIELDS if k in changes and (k == "id_number" or changes[k] != getattr(graduate, k))
        ]
        if refused:
            raise PermissionDeniedException(
                f"only your school can change {', '.join(refused)}: these come from its roster (学籍); ask your "
                "school to correct them / 这些信息来自学校学籍名册，如有错误请联系学校修改"
            )

    @staticmethod
    def _clean_name(fields: dict[str, Any]) -> None:
        """``fields["name"]``, if present, by the one rule for names (:func:`service.inputs.clean_name`).

        Raises:
            InvalidFieldError: nothing visible is left of the name."""
        if "name" in fields:
            fields["name"] = visible_name("name", fields["name"])

    @staticmethod
    def _identity(fields: dict[str, Any]) -> None:
        """Normalise ``id_number`` in ``fields``; fill or check ``gender`` against it."""
        if fields.get("id_number") is None:
            return
        fields["id_number"] = normalise_id_number(fields["id_number"])
        encoded = gender_of_id_number(fields["id_number"])
        gender = fields.get("gender", Gender.UNKNOWN)
        if gender == Gender.UNKNOWN:
            fields["gender"] = encoded
        elif gender != encoded:
            raise InvalidFieldError(
                "gender", f"{gender} disagrees with the 身份证号, whose 17th digit says {encoded} (GB 11643-1999)"
            )

    async def create(self, data: GraduateCreate, *, source: str = "platform") -> Graduate:
        """Store a new profile with its certificates, awards and experiences.

        Raises:
            InvalidFieldError: bad 身份证号, gender contradicting it, unknown ``school_id``,
                ``major_code`` or ``region_code``, a future certificate date or award year, or an
                experience ending before it starts (the field is named, e.g. ``experiences[1].end_date``).
            ConflictError: the school already has this ``student_number``, or another graduate
                holds this ``id_number`` (after full-width → ASCII folding; the number is not echoed).
        """
        fields = msgspec.structs.asdict(data)
        nested = {key: _BUILDERS[key](fields.pop(key)) for key in NESTED}
        self._clean_name(fields)
        self._identity(fields)
        self._check_graduation_date(data.graduation_date)
        await self._check_refs(fields)
        await self._check_unique(data.school_id, data.student_number, None)
        await self._check_id_number_free(fields["id_number"], None)
        fields["preferred_job_types"] = [t.value for t in data.preferred_job_types]
        if fields["cohort"] is None and data.graduation_date is not None:
            fields["cohort"] = data.graduation_date.year
        graduate = Graduate(**fields, **nested, source=source)
        self.session.add(graduate)
        await self.session.flush()
        return await self.get(graduate.id)

    async def update(self, graduate_id: int, data: GraduateUpdate) -> Graduate:
        """Change the fields present in ``data``; a nested list present replaces the stored one.
        Changes to roster-owned fields are recorded in the audit log (field names only).

        Raises as :meth:`create` (and :class:`InvalidFieldError` for a preferred place that names no
        region, :meth:`unknown_places`), or :class:`NotFoundError`, or ``PermissionDeniedException``
        (403) when a graduate tries to change a roster-owned field."""
        graduate = await self.get(graduate_id)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        self._clean_name(changes)
        self._refuse_roster_changes(graduate, changes)
        nested = {key: _BUILDERS[key](changes.pop(key)) for key in NESTED if key in changes}
        merged = {
            "id_number": graduate.id_number if "id_number" not in changes else changes["id_number"],
            "gender": changes.get("gender", graduate.gender),
        }
        self._identity(merged)
        changes.update({k: v for k, v in merged.items() if k in changes or k == "gender"})
        if "graduation_date" in changes:
            self._check_graduation_date(changes["graduation_date"])
        await self._check_refs(changes)
        await self._check_places(changes)
        await self._check_unique(
            changes.get("school_id", graduate.school_id),
            changes.get("student_number", graduate.student_number),
            graduate_id,
        )
        if "id_number" in changes:
            await self._check_id_number_free(changes["id_number"], graduate_id)
        if "preferred_job_types" in changes:
            changes["preferred_job_types"] = [t.value for t in changes["preferred_job_types"]]
        if "graduation_date" in changes and "cohort" not in changes and changes["graduation_date"] is not None:
            old = graduate.graduation_date
            if graduate.cohort is None or (old is not None and graduate.cohort == old.year):
                changes["cohort"] = changes["graduation_date"].year
        roster_changed = [k for k in ROSTER_FIELDS if k in changes and changes[k] != getattr(graduate, k)]
        for key, value in {**changes, **nested}.items():
            setattr(graduate, key, value)
        await self.session.flush()
        if roster_changed:
            await record(
                self.session,
                self.actor,
                AuditAction.UPDATE,
                "graduate",
                graduate_id,
                graduate_id=graduate_id,
                detail={"roster_fields": roster_changed},
                request=self.request,
            )
        return await self.get(graduate_id)

    async def list(
        self, f: GraduateFilter, limit: int, offset: int, scope: ColumnElement[bool] | None = None
    ) -> tuple[Sequence[Graduate], int]:
        return await self.repo.list(f, limit, offset, scope)
