"""Request and response bodies for saved jobs and job alerts (``/me/saved-jobs``, ``/me/job-alerts``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from vocab import EmploymentType

#: What a saved posting is now: open, or why it takes no applications.
PostingState = Literal["open", "closed", "filled", "expired"]
AlertName = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class SavedJobRead(msgspec.Struct):
    """A saved posting with what it is now (``state``: a closed, filled or expired posting stays
    saved and says so)."""

    posting_id: int
    title: str
    employer_id: int
    employer_name: str
    city: str | None
    salary_min_monthly: int | None
    salary_max_monthly: int | None
    valid_through: dt.date | None
    state: PostingState
    saved_at: dt.datetime


class AlertFilters(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """The search of the jobs page (``/web/jobs``): ``q`` words (each in the title, duties or
    employer name), ``region`` a GB/T 2260 code (a province or city includes what lies inside),
    ``min_salary`` 元/月 (the upper bound reaches it), ``job_type``, ``internship`` (only
    internships and work placements). At least one is needed."""

    q: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    region: Annotated[str, msgspec.Meta(max_length=6)] | None = None
    min_salary: Annotated[int, msgspec.Meta(ge=0, le=10_000_000)] | None = None
    job_type: EmploymentType | None = None
    internship: bool = False


class JobAlertCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: AlertName
    filters: AlertFilters


class JobAlertUpdate(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """Rename (``name``) and/or pause (``active: false``) or resume (``true``); fields left out are kept.
    A resumed alert sends only postings first published after it was resumed."""

    name: AlertName | UnsetType = UNSET
    active: bool | UnsetType = UNSET


class JobAlertRead(msgspec.Struct):
    """A saved search: its filters, whether the daily digest runs for it, the ``/web/jobs`` query
    string that shows its postings now, and when a digest last listed postings for it."""

    id: int
    name: str
    filters: dict[str, str]
    query: str
    active: bool
    created_at: dt.datetime
    last_sent_at: dt.datetime | None
