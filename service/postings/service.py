"""Posting rules: references must exist, salary bounds ordered, monthly salary derived."""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from service.applications.service import tell_applicants_posting_closed
from service.catalog.models import Region
from service.config import beijing_today
from service.employers.models import Employer
from service.errors import InvalidFieldError, NotFoundError
from service.postings.models import Posting, PostingStatus
from service.postings.repository import PostingFilter, PostingRepository
from service.postings.schemas import PostingCreate, PostingLocation, PostingRead, PostingSourceRead, PostingUpdate
from vocab import to_monthly


def _primary_place(p: Posting) -> list[dict[str, str | None]]:
    """The posting's one location for postings stored without a ``locations`` list (the API)."""
    place = {"region_code": p.region_code, "province": p.province, "city": p.city, "address": p.address}
    return [place] if any(place.values()) else []


def to_read(p: Posting) -> PostingRead:
    """Posting → :class:`PostingRead` (the employer and sources must be loaded:
    :data:`service.postings.repository.READ_OPTIONS`)."""
    return PostingRead(
        id=p.id,
        title=p.title,
        description=p.description,
        employer_id=p.employer_id,
        employer_name=p.employer.name,
        country=p.country,
        region_code=p.region_code,
        province=p.province,
        city=p.city,
        address=p.address,
        salary_min=p.salary_min,
        salary_max=p.salary_max,
        salary_period=p.salary_period,
        salary_currency=p.salary_currency,
        salary_min_monthly=p.salary_min_monthly,
        salary_max_monthly=p.salary_max_monthly,
        salary_text=p.salary_text,
        education_required=p.education_required,
        experience_years=p.experience_years,
        required_skills=list(p.required_skills),
        preferred_skills=list(p.preferred_skills),
        certificates=list(p.certificates),
        occupation_code=p.occupation_code,
        employment_type=p.employment_type,
        openings=p.openings,
        posted_on=p.posted_on,
        valid_through=p.valid_through,
        status=p.status,
        source=p.source,
        source_url=p.source_url,
        external_id=p.external_id,
        created_at=p.created_at,
        updated_at=p.updated_at,
        sources=[PostingSourceRead(source=s.source, url=s.url, last_seen_at=s.last_seen_at) for s in p.sources],
        locations=[msgspec.convert(loc, PostingLocation) for loc in p.locations or _primary_place(p)],
        stale_at=p.stale_at,
    )


#: Largest derived monthly salary accepted (10,000,000 元/月, or currency units per month): far
#: above any real wage, and within the 32-bit ``salary_*_monthly`` columns on every backend.
MAX_MONTHLY_SALARY = 10_000_000


def apply_salary(p: Posting) -> None:
    """Check ``salary_min <= salary_max`` and derive the 元/月 bounds
    (:func:`vocab.to_monthly`: 21.75 working days of 8 hours a month).

    Raises:
        InvalidFieldError: the bounds are swapped, or a bound converted to a month exceeds
            :data:`MAX_MONTHLY_SALARY` (e.g. 100,000,000 per ``HOUR``); names ``salary_min``/``salary_max``.
    """
    if p.salary_min is not None and p.salary_max is not None and p.salary_min > p.salary_max:
        raise InvalidFieldError(
            "salary_min", f"{p.salary_min} is above salary_max {p.salary_max}", "salary_min_above_max"
        )
    monthly: dict[str, int | None] = {}
    for field in ("salary_min", "salary_max"):
        per_month = monthly[field] = to_monthly(getattr(p, field), p.salary_period)
        if per_month is not None and per_month > MAX_MONTHLY_SALARY:
            amount = f"{getattr(p, field):,.2f}".rstrip("0").rstrip(".")
            raise InvalidFieldError(
                field,
                f"{amount} per {p.salary_period} is {per_month:,} per month, "
                f"above the ceiling of {MAX_MONTHLY_SALARY:,} per month",
                "salary_out_of_range",
            )
    p.salary_min_monthly = monthly["salary_min"]
    p.salary_max_monthly = monthly["salary_max"]


class PostingService:
    """Create, change and list postings. Flushes; the caller's transaction commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = PostingRepository(session)

    async def get(self, posting_id: int) -> Posting:
        """Raises :class:`NotFoundError`."""
        posting = await self.repo.get(posting_id)
        if posting is None:
            raise NotFoundError("posting", posting_id)
        return posting

    async def _check_refs(self, employer_id: int | None, region_code: str | None) -> None:
        if employer_id is not None and await self.session.get(Employer, employer_id) is None:
            raise InvalidFieldError("employer_id", f"employer {employer_id} does not exist")
        if region_code is not None and await self.session.get(Region, region_code) is None:
            raise InvalidFieldError("region_code", f"unknown GB/T 2260 region code {region_code}", "unknown_region")

    async def create(self, data: PostingCreate, *, source: str = "platform") -> Posting:
        """Store a new posting.

        Raises:
            InvalidFieldError: unknown employer or region, swapped salary bounds, or
                ``valid_through`` before ``posted_on``.
        """
        await self._check_refs(data.employer_id, data.region_code)
        fields = msgspec.structs.asdict(data)
        fields["posted_on"] = data.posted_on or beijing_today()
        posting = Posting(**fields, source=source)
        self._check_dates(posting)
        apply_salary(posting)
        self.session.add(posting)
        await self.session.flush()
        return await self.get(posting.id)

    async def update(self, posting_id: int, data: PostingUpdate) -> Posting:
        """Change the fields present in ``data``. An open posting set to ``closed`` or ``filled``
        notifies its live applicants. Raises as :meth:`create` (and for ``openings`` below the hires
        already made, 422), or :class:`NotFoundError`."""
        posting = await self.get(posting_id)
        was = posting.status
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        if changes.get("openings", posting.hire_count) < posting.hire_count:
            raise InvalidFieldError(
                "openings",
                f"{changes['openings']} is fewer than the {posting.hire_count} already hired for this posting",
            )
        if "region_code" in changes:
            await self._check_refs(None, changes["region_code"])
        for key, value in changes.items():
            setattr(posting, key, value)
        self._check_dates(posting)
        apply_salary(posting)
        await self.session.flush()
        if was == PostingStatus.OPEN and posting.status in (PostingStatus.CLOSED, PostingStatus.FILLED):
            await tell_applicants_posting_closed(self.session, [posting_id], posting.status.value)
        return await self.get(posting_id)

    @staticmethod
    def _check_dates(p: Posting) -> None:
        if p.valid_through is not None and p.posted_on is not None and p.valid_through < p.posted_on:
            raise InvalidFieldError(
                "valid_through", f"{p.valid_through} is before posted_on {p.posted_on}", "date_too_early"
            )

    async def list(
        self, f: PostingFilter, limit: int, offset: int, scope: ColumnElement[bool] | None = None
    ) -> tuple[Sequence[Posting], int]:
        return await self.repo.list(f, limit, offset, scope)
