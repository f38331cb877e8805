"""Employer rules: the 统一社会信用代码 is valid and unique, the region exists; verification
belongs to an identity (name, 统一社会信用代码, region): changing any of them withdraws it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum import exceptions as stdnum_errors
from stdnum.cn import uscc as stdnum_uscc

from service.catalog.models import Region
from service.employers.models import Employer, VerificationStatus
from service.employers.repository import EmployerFilter, EmployerRepository
from service.employers.schemas import EmployerCreate, EmployerRead, EmployerUpdate
from service.errors import ConflictError, InvalidFieldError, NotFoundError
from service.inputs import visible_name
from service.privacy.audit import record as audit_record
from service.privacy.models import AuditAction

if TYPE_CHECKING:
    from service.auth.guards import Principal

#: What staff check when they approve an employer (审核): changing one withdraws the approval.
IDENTITY_FIELDS = ("name", "uscc", "region_code")


def to_read(e: Employer) -> EmployerRead:
    """Employer → :class:`EmployerRead`."""
    return EmployerRead(
        id=e.id,
        name=e.name,
        uscc=e.uscc,
        industry=e.industry,
        size=e.size,
        region_code=e.region_code,
        address=e.address,
        verified=e.verified,
        source=e.source,
        created_at=e.created_at,
        updated_at=e.updated_at,
        verification_status=VerificationStatus.of(e),
        refusal_reason=e.refusal_reason if e.refused_at else None,
    )


def uscc_check(code: str | None) -> str:
    """The state of a stored 统一社会信用代码 as approving staff see it: ``missing``, ``valid`` (18
    characters over the GB 32100-2015 alphabet with the right MOD 31 check character, via
    ``stdnum.cn.uscc``) or ``invalid`` (an old row stored before the check, or scraped)."""
    if not code:
        return "missing"
    try:
        stdnum_uscc.validate(code)
    except stdnum_errors.ValidationError:
        return "invalid"
    return "valid"


def uscc_region_matches(code: str | None, region_code: str | None) -> bool | None:
    """Whether characters 3-8 of a 统一社会信用代码 (the registering authority's GB/T 2260 code,
    GB 32100-2015 §4) lie in the same province as the region the employer gave; ``None`` when
    either is missing. A different province is a hint for staff, not a refusal: a company may
    move or work in another province than where it was registered."""
    if not code or not region_code or len(code) < 8:
        return None
    return code[2:4] == region_code[:2]


def normalise_uscc(value: str) -> str:
    """Check a 统一社会信用代码 and return it upper case without separators.

    The code has 18 characters: registration authority and kind (2), administrative division
    (6 digits, GB/T 2260), organisation code (9) and a check character computed modulo 31
    over the alphabet ``0-9A-HJ-NPQRTUWXY`` (GB 32100-2015, via ``stdnum.cn.uscc``).

    Raises:
        InvalidFieldError: on field ``uscc``, saying whether the length, a character or the
            check character is wrong.
    """
    try:
        return stdnum_uscc.validate(value)
    except stdnum_errors.InvalidLength:
        code, message = "uscc_length", "统一社会信用代码 must have 18 characters"
    except stdnum_errors.InvalidFormat:
        code = "uscc_format"
        message = "统一社会信用代码 has a character outside 0-9 A-H J-N P-R T U W-Y, or characters 3-8 are not digits"
    except stdnum_errors.InvalidChecksum:
        code, message = "uscc_checksum", "统一社会信用代码 check character is wrong (GB 32100-2015): check for a typo"
    except stdnum_errors.ValidationError:
        code, message = "uscc_invalid", "not a valid 统一社会信用代码 (GB 32100-2015)"
    raise InvalidFieldError("uscc", message, code)


class EmployerService:
    """Create, change and list employers. Flushes; the caller's transaction commits."""

    def __init__(self, session: AsyncSession, actor: Principal | None = None, request: Any = None) -> None:
        """``actor``/``request``: who changes employers, for the audit event of a withdrawn
        verification (``None``: the system)."""
        self.session = session
        self.repo = EmployerRepository(session)
        self.actor = actor
        self.request = request

    async def get(self, employer_id: int) -> Employer:
        """Raises :class:`NotFoundError`."""
        employer = await self.repo.get(employer_id)
        if employer is None:
            raise NotFoundError("employer", employer_id)
        return employer

    async def _check_uscc(self, value: str | None, own_id: int | None = None) -> str | None:
        if value is None:
            return None
        code = normalise_uscc(value)
        other = await self.repo.get_by_uscc(code)
        if other is not None and other.id != own_id:
            raise ConflictError(
                f"uscc: 统一社会信用代码 {code} is already registered",  # no record named
                [{"field": "uscc", "message": "already registered", "code": "uscc_taken"}],
                "uscc_taken",
            )
        return code

    async def _check_region(self, region_code: str | None) -> None:
        if region_code is not None and await self.session.get(Region, region_code) is None:
            raise InvalidFieldError("region_code", f"unknown GB/T 2260 region code {region_code}", "unknown_region")

    async def create(self, data: EmployerCreate, *, source: str = "platform") -> Employer:
        """Store a new employer.

        Raises:
            InvalidFieldError: bad ``uscc`` check character or unknown ``region_code`` (422).
            ConflictError: another employer has the same ``uscc`` (409).
        """
        fields = msgspec.structs.asdict(data)
        fields["name"] = visible_name("name", data.name)
        fields["uscc"] = await self._check_uscc(data.uscc)
        await self._check_region(data.region_code)
        employer = Employer(**fields, source=source)
        self.session.add(employer)
        await self.session.flush()
        await self.session.refresh(employer)
        return employer

    async def update(self, employer_id: int, data: EmployerUpdate) -> Employer:
        """Change the fields present in ``data``. A verified employer whose name, 统一社会信用代码 or
        region changes (:data:`IDENTITY_FIELDS`; the 统一社会信用代码 compared normalised) is no longer
        verified until staff approve it again (``POST /employers/{id}/verify``); the withdrawal is
        audited (``update`` of ``employer_verification``, naming the fields). Raises as
        :meth:`create`, or :class:`NotFoundError`."""
        employer = await self.get(employer_id)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if "name" in changes:
            changes["name"] = visible_name("name", changes["name"])
        if "uscc" in changes:
            changes["uscc"] = await self._check_uscc(changes["uscc"], own_id=employer_id)
        if "region_code" in changes:
            await self._check_region(changes["region_code"])
        identity = sorted(k for k in IDENTITY_FIELDS if k in changes and changes[k] != getattr(employer, k))
        for key, value in changes.items():
            setattr(employer, key, value)
        if identity and employer.refused_at is not None:  # corrected after a refusal: back in the queue
            employer.refused_at = None
        if identity and employer.verified:
            employer.verified = False
            await audit_record(
                self.session,
                self.actor,
                AuditAction.UPDATE,
                "employer_verification",
                employer_id,
                detail={"verified": False, "changed": identity},
                request=self.request,
            )
        await self.session.flush()
        await self.session.refresh(employer)
        return employer

    async def list(
        self, f: EmployerFilter, limit: int, offset: int, scope: ColumnElement[bool] | None = None
    ) -> tuple[Sequence[Employer], int]:
        return await self.repo.list(f, limit, offset, scope)
