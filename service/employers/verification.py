"""Employer verification (审核) — the one home of the feature: who may approve which employer
(:func:`can_verify_employer`, its list form :func:`verifiable_employers_clause`), the approval
queue, approving and refusing one employer, and approving a trusted board's imported employers in
bulk. ``POST /employers/{id}/verify``, ``POST /employers/{id}/refuse`` and
``GET /employers/verification-queue`` (:mod:`service.employers.controllers`), the pages
(:mod:`service.web.signup_pages`) and ``vocmatch employers`` (:mod:`service.cli.employers`) all
call :class:`VerificationService`.

Verification gates what graduates see (:mod:`service.postings.visibility`); the ranker's cache of
hidden postings is refreshed when :func:`verification_key` changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from litestar.exceptions import PermissionDeniedException
from sqlalchemy import ColumnElement, String, distinct, false, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.catalog.models import Region, School
from service.catalog.regions import city_of, is_region_code, region_prefix
from service.db import utcnow
from service.employers.models import Employer, VerificationStatus
from service.employers.repository import EmployerFilter
from service.employers.service import EmployerService
from service.errors import InvalidFieldError
from service.notifications.kinds import Kind
from service.notifications.service import employer_recipients, notify
from service.privacy.audit import record as audit_record
from service.privacy.models import AuditAction

if TYPE_CHECKING:
    from service.auth.guards import Principal

#: The source of employers that registered on the platform (vetted one by one, never in bulk).
PLATFORM = "platform"

#: The 403 detail when staff may read an employer but not approve it (:func:`can_verify_employer`).
VERIFY_RULE = (
    "school staff approve employers in their school's city, department admins those in their "
    "region or without a region, the system admin any"
)


def _region_contains(scope_code: str | None, code: str | None) -> bool:
    return bool(scope_code and code and code.startswith(region_prefix(scope_code)))


def can_verify_employer(p: Principal, employer: Employer, *, school_region: str | None = None) -> bool:
    """Approve an employer (审核), by where it is (``employer.region_code``, GB/T 2260): the system
    admin any; a department admin those inside its region and those with no region recorded;
    school staff those in their school's city (same city-level code, :func:`~service.catalog.regions.city_of`,
    as ``school_region`` = the school's region code), never one without a region. Others never."""
    if p.role is Role.ADMIN:
        return True
    where = employer.region_code
    if p.role is Role.DEPARTMENT:
        return where is None or _region_contains(p.region_code, where)
    if p.role is Role.SCHOOL:
        return bool(
            where
            and school_region
            and is_region_code(where)
            and is_region_code(school_region)
            and city_of(where) == city_of(school_region)
        )
    return False


def verifiable_employers_clause(p: Principal, school_region: str | None = None) -> ColumnElement[bool]:
    """Employers ``p`` may approve (审核) — the list form of :func:`can_verify_employer`: all for
    the admin; for a department admin those inside its region and those without a region; for
    school staff those in their school's city (``school_region``: the school's region code); nobody else."""
    if p.role is Role.ADMIN:
        return true()
    if p.role is Role.DEPARTMENT and p.region_code:
        return or_(Employer.region_code.is_(None), Employer.region_code.startswith(region_prefix(p.region_code)))
    if p.role is Role.SCHOOL and school_region and is_region_code(school_region):
        return Employer.region_code.startswith(school_region[:4])
    return false()


async def school_region_of(session: AsyncSession, p: Principal) -> str | None:
    """The region code of a school staff member's school (``None`` for other roles)."""
    if p.role is not Role.SCHOOL or p.school_id is None:
        return None
    school = await session.get(School, p.school_id)
    return school.region_code if school is not None else None


async def verification_key(session: AsyncSession) -> tuple[Any, ...]:
    """(count, latest ``updated_at``, largest id) of the employers: changes with any verification
    (every way of approving or refusing goes through :class:`VerificationService`, which updates
    the row), so caches of what graduates may see compare it."""
    stmt = select(func.count(Employer.id), func.max(Employer.updated_at), func.max(Employer.id))
    return tuple((await session.execute(stmt)).one())


class VerificationService(EmployerService):
    """Approving and refusing employers; ``actor`` and ``request`` as for :class:`EmployerService`
    (the actor is audited; ``None`` is the system, e.g. the CLI)."""

    async def to_decide(self, employer_id: int) -> Employer:
        """The employer the actor is about to approve or refuse, checked as every way of deciding
        does (:func:`can_verify_employer`).

        Raises:
            NotFoundError: 404, no such employer.
            PermissionDeniedException: 403, outside the caller's area (staff may still read it).
        """
        employer = await self.get(employer_id)
        p = self.actor
        if p is None or not can_verify_employer(p, employer, school_region=await school_region_of(self.session, p)):
            raise PermissionDeniedException(f"not allowed to approve employer {employer_id}: {VERIFY_RULE}")
        return employer

    async def verify(self, employer: Employer) -> Employer:
        """Approve ``employer`` (审核通过): its postings become visible to graduates, and its member
        accounts are notified (:data:`~service.notifications.kinds.Kind.EMPLOYER_VERIFICATION_DECIDED`,
        ``decision`` ``approved``); the approval is audited (``update`` of ``employer_verification``,
        actor and request as given to the service). Idempotent: approving a verified employer changes
        and tells nothing."""
        if employer.verified:
            return employer
        employer.verified = True
        employer.refused_at = None
        employer.refusal_reason = None
        await audit_record(
            self.session,
            self.actor,
            AuditAction.UPDATE,
            "employer_verification",
            employer.id,
            detail={"verified": True},
            request=self.request,
        )
        await self.session.flush()
        await notify(
            self.session,
            recipients=await employer_recipients(self.session, employer.id),
            kind=Kind.EMPLOYER_VERIFICATION_DECIDED,
            link="/web/postings",
            params={"employer_name": employer.name, "decision": "approved"},
        )
        await self.session.refresh(employer)
        return employer

    async def refuse(self, employer: Employer, reason: str) -> Employer:
        """Refuse to approve ``employer`` (审核未通过) with ``reason`` (told to its members as written):
        it stays (or, if it was approved, becomes) unverified, so its postings reach no graduate;
        its members are notified (:data:`~service.notifications.kinds.Kind.EMPLOYER_VERIFICATION_DECIDED`,
        ``decision`` ``refused`` with the reason); audited (``update`` of ``employer_verification``).
        The employer leaves the queue until it changes its name, 统一社会信用代码 or region.

        Raises:
            InvalidFieldError: 422 on ``reason``, blank after trimming.
        """
        text = " ".join(reason.split())
        if len(text) < 2:
            raise InvalidFieldError("reason", "give the reason for the refusal (at least 2 characters)")
        was_verified = employer.verified
        employer.verified = False
        employer.refused_at = utcnow()
        employer.refusal_reason = text[:500]
        await audit_record(
            self.session,
            self.actor,
            AuditAction.UPDATE,
            "employer_verification",
            employer.id,
            detail={"verified": False, "refused": True, "was_verified": was_verified, "reason": text[:300]},
            request=self.request,
        )
        await self.session.flush()
        await notify(
            self.session,
            recipients=await employer_recipients(self.session, employer.id),
            kind=Kind.EMPLOYER_VERIFICATION_DECIDED,
            link="/web/verification",
            params={"employer_name": employer.name, "decision": "refused", "reason": employer.refusal_reason},
        )
        await self.session.refresh(employer)
        return employer

    async def queue(
        self,
        *,
        status: str = VerificationStatus.PENDING,
        limit: int = 50,
        offset: int = 0,
        region_code: str | None = None,
        q: str | None = None,
    ) -> tuple[Sequence[Employer], int]:
        """Employers the actor may approve (:func:`verifiable_employers_clause`) in one verification
        ``status`` (``pending``: oldest sign-up first, so nobody waits longest; ``refused``/``approved``:
        latest first), in ``region_code`` (a city includes its counties) and with ``q`` in the name if
        given: one page and how many match in all."""
        f = EmployerFilter(q=(q or "").strip() or None, region_code=region_code or None)
        return await self.repo.by_verification(await self._scope(), status, limit, offset, f)

    async def queue_cities(self) -> list[tuple[str, str]]:
        """``(code, name)`` of the cities (GB/T 2260, ``xxxx00``) the platform employers the actor
        may approve are in, for the queue's city filter; by code."""
        city = func.substr(Employer.region_code, 1, 4, type_=String) + "00"
        codes = select(distinct(city)).where(
            await self._scope(), Employer.source == PLATFORM, Employer.region_code.is_not(None)
        )
        rows = await self.session.execute(
            select(Region.code, Region.name).where(Region.code.in_(codes)).order_by(Region.code)
        )
        return [(c, n) for c, n in rows.all()]

    async def _scope(self) -> ColumnElement[bool]:
        if self.actor is None:
            return true()
        return verifiable_employers_clause(self.actor, await school_region_of(self.session, self.actor))

    async def unverified_by_source(self) -> dict[str, int]:
        """``{source: number of unverified employers}`` (``platform`` = registered through the service)."""
        rows = await self.session.execute(
            select(Employer.source, func.count())
            .where(Employer.verified.is_(False))
            .group_by(Employer.source)
            .order_by(Employer.source)
        )
        return {source: count for source, count in rows.all()}

    async def verify_source(self, source: str) -> int:
        """Approve every unverified employer imported from ``source`` (a board the department
        trusts), each with :meth:`verify` (audited as the actor, members notified); returns how many.

        Raises:
            InvalidFieldError: 422 on ``source``, ``platform`` (self-registered employers are vetted one by one).
        """
        if source == PLATFORM:
            raise InvalidFieldError(
                "source",
                "self-registered employers (platform) are approved one by one with POST /employers/{id}/verify",
            )
        employers = (
            await self.session.execute(
                select(Employer).where(Employer.source == source, Employer.verified.is_(False)).order_by(Employer.id)
            )
        ).scalars()
        count = 0
        for employer in employers.all():
            await self.verify(employer)
            count += 1
        return count
