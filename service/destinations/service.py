"""Recording graduate destinations (毕业去向). Events are appended, never changed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from service.applications.models import Application
from service.destinations.models import DestinationCategory, DestinationEvent, DestinationSource
from service.postings.models import Posting


async def record_platform_hire(
    session: AsyncSession,
    application: Application,
    *,
    category: DestinationCategory = DestinationCategory.OTHER_EMPLOYMENT,
    note: str | None = None,
) -> DestinationEvent:
    """Append the destination implied by ``application`` being marked hired on the platform.

    The event has source ``platform_hire``, the given 毕业去向 ``category`` (default
    ``other_employment``, 其他录用形式就业, per the MOE statistics categories), ``occurred_on``
    today, the posting's employer (id, name, industry), title and region, and ``monthly_salary``
    = the posting's ``salary_min_monthly`` (元/月, the guaranteed lower bound; None if unknown).
    ``labour_contract`` is true for category ``labour_contract``, else unknown. ``in_field``
    (对口) is left None: it needs the major → occupation taxonomy.

    Flushes and returns the new event; the caller's transaction commits.
    """
    stmt = select(Posting).options(joinedload(Posting.employer)).where(Posting.id == application.posting_id)
    posting = (await session.execute(stmt)).scalar_one()
    event = DestinationEvent(
        graduate_id=application.graduate_id,
        occurred_on=dt.date.today(),
        source=DestinationSource.PLATFORM_HIRE,
        category=category,
        employer_id=posting.employer_id,
        employer_name=posting.employer.name,
        job_title=posting.title,
        industry=posting.employer.industry,
        region_code=posting.region_code,
        monthly_salary=posting.salary_min_monthly,
        labour_contract=True if category == DestinationCategory.LABOUR_CONTRACT else None,
        in_field=None,
        application_id=application.id,
        note=note,
    )
    session.add(event)
    await session.flush()
    return event
