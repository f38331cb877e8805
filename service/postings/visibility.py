"""Which postings graduates see and may apply to — the one home of the rule.

A posting reaches graduates (lists, search, recommendations, the job page, applying, accepting an
invitation to apply) only once school or department staff have verified its employer (README,
"Postings … are never recommended, nor are postings of employers that staff have not approved";
issue 16: "a self-registered employer … its postings silently reach nobody" until approved).
Three forms of the same rule, for the three places it is asked:

* :func:`visible_to_graduates_clause` — a SQL condition on ``Posting`` (lists, search, ranking);
* :func:`visible_to_graduates` — on a loaded posting (``posting.employer`` loaded: the guards);
* :func:`ensure_graduates_may_apply` — before an application is made
  (:meth:`service.applications.service.ApplicationService.create`, which every way of applying
  goes through: ``POST /applications``, the job page, accepting an invitation).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.employers.models import Employer
from service.errors import InvalidFieldError
from service.postings.models import Posting


class HiddenPostingError(InvalidFieldError):
    """The posting is not shown to graduates (its employer is not verified). A 422 naming
    ``posting_id`` exactly like an unknown posting, so the answer is no oracle of unverified
    employers' postings; a caller that already showed the posting (an invitation) may map it."""


def visible_to_graduates_clause() -> ColumnElement[bool]:
    """Postings a graduate may see: those of verified employers (unverified ones are never shown)."""
    return Posting.employer_id.in_(select(Employer.id).where(Employer.verified.is_(True)))


def visible_to_graduates(posting: Posting) -> bool:
    """:func:`visible_to_graduates_clause` for one posting (``posting.employer`` must be loaded)."""
    return posting.employer.verified


async def ensure_graduates_may_apply(session: AsyncSession, posting: Posting) -> None:
    """Raise :class:`HiddenPostingError` unless graduates see ``posting`` (its employer is verified)."""
    verified = (await session.execute(select(Employer.verified).where(Employer.id == posting.employer_id))).scalar()
    if not verified:
        raise HiddenPostingError("posting_id", f"posting {posting.id} does not exist")
