"""The job search's filters, in one home: the graduate's jobs page (:mod:`service.web.job_search`),
saved searches and their daily digest (:mod:`service.alerts`) all read them with :func:`parse_filters`
and find postings with :func:`matching_postings`.

Filters mean what the same filters of ``GET /postings`` mean (:class:`~service.postings.repository.PostingFilter`):
``q`` holds words, each found in the title, the description or the employer's name; ``region`` a GB/T 2260
province or city code (a province includes its cities; a posting counts when its primary place or any
further place lies inside); ``min_salary`` (元/月) keeps postings whose upper monthly bound reaches it;
``job_type`` one employment type; ``internship=1`` only internships and work placements (实习/顶岗实习).
Only postings open on the day that a graduate may see (verified employers) are matched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.regions import is_region_code
from service.inputs import SEARCH_MAX_CHARS
from service.postings.models import Posting
from service.postings.repository import PostingFilter, PostingRepository, open_on_clause
from service.postings.service import MAX_MONTHLY_SALARY
from service.postings.visibility import visible_to_graduates_clause
from vocab import EmploymentType

#: The filter names, as query parameters of ``/web/jobs`` and keys of a saved search.
FILTER_NAMES = ("q", "region", "min_salary", "job_type", "internship")
#: Longest value kept of each filter (longer input is cut, as the search form's ``maxlength``).
MAX_FILTER_LENGTH = SEARCH_MAX_CHARS  # what a filter keeps of its value (a longer q is refused)


def _same(message: str) -> str:
    return message


@dataclass
class JobQuery:
    """The filters as typed (``raw``, echoed into the form) and as understood; ``errors`` names
    each value that could not be used (it is then ignored, not guessed)."""

    raw: dict[str, str] = field(default_factory=dict)
    q: str | None = None
    region: str | None = None
    min_salary: int | None = None
    job_type: EmploymentType | None = None
    internship: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        """Whether any filter is in use (otherwise the page shows the recommendations)."""
        return bool(self.q or self.region or self.min_salary is not None or self.job_type or self.internship)

    def posting_filter(self, today: dt.date) -> PostingFilter:
        return PostingFilter(
            q=self.q,
            region_code=self.region,
            min_salary_monthly=self.min_salary,
            employment_type=self.job_type,
            internship=True if self.internship else None,
            open_on=today,
        )

    def canonical(self) -> dict[str, str]:
        """The filters in use as ``{name: value}`` strings (what a saved search stores; parsing it
        again with :func:`parse_filters` gives the same query)."""
        values = {
            "q": self.q,
            "region": self.region,
            "min_salary": None if self.min_salary is None else str(self.min_salary),
            "job_type": self.job_type.value if self.job_type else None,
            "internship": "1" if self.internship else None,
        }
        return {k: v for k, v in values.items() if v not in (None, "")}

    def query_string(self) -> str:
        """The filters in use as a query string (for links that keep them)."""
        return urlencode(self.canonical())


def parse_filters(values: Mapping[str, object], gettext: Callable[[str], str] = _same) -> JobQuery:
    """Read the filters from ``values`` (query parameters, a form or a stored search; unknown keys
    are ignored); bad values go to ``errors`` with a message passed through ``gettext`` (the
    pages translate it; the API keeps the English)."""
    full_q = str(values.get("q") or "").strip()
    raw = {name: str(values.get(name) or "").strip()[:MAX_FILTER_LENGTH] for name in FILTER_NAMES}
    jq = JobQuery(
        raw=raw, q=" ".join(raw["q"].split()) or None, internship=raw["internship"].lower() in ("1", "on", "true")
    )
    if len(full_q) > SEARCH_MAX_CHARS:  # refused like the follow-up search's (the box keeps the first 100)
        jq.q = None
        jq.errors["q"] = gettext("Enter at most 100 characters.")
    if raw["region"]:
        if is_region_code(raw["region"]):
            jq.region = raw["region"]
        else:
            jq.errors["region"] = gettext("Choose a place from the list.")
    if raw["min_salary"]:
        text = raw["min_salary"].replace(",", "").replace("，", "")
        if text.isdigit() and int(text) <= MAX_MONTHLY_SALARY:
            jq.min_salary = int(text)
        else:
            jq.errors["min_salary"] = gettext("Enter a whole number of yuan per month, e.g. 4500.")
    if raw["job_type"]:
        try:
            jq.job_type = EmploymentType(raw["job_type"])
        except ValueError:
            jq.errors["job_type"] = gettext("Choose a job type from the list.")
    return jq


def matching_postings(session: AsyncSession, jq: JobQuery, today: dt.date) -> Select[tuple[Posting]]:
    """``SELECT postings`` matching ``jq`` that are open on ``today`` and that graduates may see — the
    same ``WHERE`` clause as ``GET /postings`` (:meth:`PostingRepository.filtered`) plus the graduates'
    visibility rule (:func:`~service.postings.visibility.visible_to_graduates_clause`). No order or paging.

    Raises:
        ValueError: ``jq.region`` is not a region code (:func:`parse_filters` never lets one through).
    """
    return PostingRepository(session).filtered(jq.posting_filter(today)).where(visible_to_graduates_clause())


async def matching_posting_ids(session: AsyncSession, jq: JobQuery, today: dt.date) -> set[int]:
    """The ids of the postings :func:`matching_postings` selects (same filters, open on ``today``,
    visible to graduates).

    Raises:
        ValueError: ``jq.region`` is not a region code (:func:`parse_filters` never lets one through).
    """
    stmt = matching_postings(session, jq, today).with_only_columns(Posting.id)
    return set((await session.execute(stmt)).scalars())


async def open_region_codes(session: AsyncSession, today: dt.date) -> set[str]:
    """The primary places (``region_code``, as stored) of the postings open on ``today`` that graduates
    may see — where the search's place filter can find something."""
    stmt = (
        select(Posting.region_code)
        .where(open_on_clause(today), visible_to_graduates_clause(), Posting.region_code.is_not(None))
        .distinct()
    )
    return {code for code in (await session.execute(stmt)).scalars() if code}
