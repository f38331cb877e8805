"""From the event history to per-graduate outcomes and per-group counts, as of a date.

Every count is a sum of per-graduate 0/1 contributions (:class:`GraduateOutcome.columns`), so
each figure can be traced back to the graduates and the events behind it (:func:`trace`).

This is the reference implementation, in Python, over :class:`~service.destinations.precedence.History`.
Reports count in the database instead (:mod:`service.reports.counts_sql`, same results — the
tests compare the two on random histories); this module serves ``GET /reports/trace`` and
defines :class:`Scope`, :class:`ReportParams` and the row keys.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, String, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import School
from service.catalog.regions import city_of, province_of, region_prefix
from service.destinations.models import DestinationCategory, DestinationEvent
from service.destinations.precedence import History
from service.graduates.models import Graduate, SeekerKind
from service.reports.definitions import DEFAULT_SALARY_EDGES, SalaryBand, band_of, salary_bands

BREAKDOWNS = ("province", "city", "county", "school", "major", "cohort", "gender", "disadvantaged")
_SCOPE = re.compile(r"^(all|region:\d{6}|school:[0-9A-Za-z]{1,16})$")


@dataclass(frozen=True, slots=True)
class Scope:
    """Which graduates a report covers: ``all``, ``region:440100`` (the schools inside a GB/T 2260
    region) or ``school:4144010001`` (学校标识码)."""

    kind: str
    code: str | None = None

    @classmethod
    def parse(cls, text: str) -> Scope:
        """Raises ``ValueError`` naming the accepted forms."""
        text = text.strip()
        if not _SCOPE.match(text):
            raise ValueError(f"scope {text!r} must be 'all', 'region:<6-digit GB/T 2260 code>' or 'school:<code>'")
        kind, _, code = text.partition(":")
        return cls(kind, code or None)

    def __str__(self) -> str:
        return self.kind if self.code is None else f"{self.kind}:{self.code}"


@dataclass(frozen=True, slots=True)
class ReportParams:
    """``recorded_before`` is the knowledge cut-off (UTC): the same params give the same report forever.
    ``salary_edges``: the upper edges (元/月, included) of the starting-salary bands (a setting)."""

    scope: Scope
    cohorts: tuple[int, ...]
    as_of: dt.date
    recorded_before: dt.datetime
    threshold: int = 5
    salary_edges: tuple[int, ...] = DEFAULT_SALARY_EDGES


@dataclass(slots=True)
class GraduateOutcome:
    """One graduate's contribution: the row keys it belongs to and the columns it counts 1 in."""

    graduate_id: int
    event_id: int | None
    rows: list[tuple[str, object]]
    columns: set[str] = field(default_factory=set)
    salary: int | None = None


def quarter_after(day: dt.date, n: int) -> tuple[dt.date, dt.date]:
    """First and last day of the ``n``-th calendar quarter after the quarter containing ``day``."""
    q = day.year * 4 + (day.month - 1) // 3 + n
    year, index = divmod(q, 4)
    last_month = index * 3 + 3
    return dt.date(year, index * 3 + 1, 1), dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


def default_cohort(as_of: dt.date) -> int:
    """The cohort (届) a report as of ``as_of`` is about by default: graduates of that summer from
    1 July on, else of the previous year."""
    return as_of.year if as_of.month >= 7 else as_of.year - 1


def scope_value(scope: Scope) -> str | None:
    """The value a scope filters on: a region's code prefix (:func:`region_prefix`), a school's code,
    ``None`` for ``all``."""
    if scope.kind == "region":
        return region_prefix(scope.code or "")
    return scope.code if scope.kind == "school" else None


def _graduates_stmt(params: ReportParams, *, bound: bool = False) -> Select:
    """The cohort's graduates in scope. ``bound``: the cohorts and the scope's value are the bind
    parameters ``cohorts`` (expanding) and ``scope_value`` (:func:`scope_value`), so one statement
    serves every report of the same scope kind (:func:`service.reports.counts_sql.count_report`)."""
    cohorts = bindparam("cohorts", expanding=True) if bound else params.cohorts
    value = bindparam("scope_value", type_=String) if bound else scope_value(params.scope)
    stmt = (
        select(
            Graduate.id,
            Graduate.cohort,
            Graduate.graduation_date,
            Graduate.gender,
            Graduate.disadvantaged,
            Graduate.major_code,
            School.code.label("school_code"),
            School.region_code.label("school_region"),
        )
        .join(School, Graduate.school_id == School.id)
        .where(Graduate.kind == SeekerKind.GRADUATE, Graduate.cohort.in_(cohorts))
    )
    if params.scope.kind == "region":
        stmt = stmt.where(School.region_code.startswith(value))
    elif params.scope.kind == "school":
        stmt = stmt.where(School.code == value)
    return stmt


def _pair(flag: bool | None, yes: str, no: str) -> str:
    return yes if flag else no


def _fact(flag: bool | None, yes: str, no: str, unknown: str) -> str:
    """A recorded yes/no fact: an unrecorded one (``None``) is its own column, never "no"."""
    return unknown if flag is None else yes if flag else no


def outcome_of(
    g: Any, history: History, as_of: dt.date, bands: tuple[SalaryBand, ...] | None = None
) -> GraduateOutcome:
    """The columns graduate row ``g`` counts in, from its event ``history``, as of ``as_of``
    (salary ``bands`` default: :func:`~service.reports.definitions.salary_bands` of the default edges)."""
    region = g.school_region
    county = region if not region.endswith("00") else f"{city_of(region)}*"
    disadvantaged = {True: "yes", False: "no", None: "unrecorded"}[g.disadvantaged]
    rows: list[tuple[str, object]] = [
        ("total", "total"),
        ("province", province_of(region)),
        ("city", city_of(region)),
        ("county", county),
        ("school", g.school_code),
        ("major", g.major_code or "-"),
        ("cohort", g.cohort),
        ("gender", str(g.gender.value if hasattr(g.gender, "value") else g.gender)),
        ("disadvantaged", disadvantaged),
    ]
    eff = history.on(as_of)
    out = GraduateOutcome(graduate_id=g.id, event_id=eff.event.id if eff else None, rows=rows)
    cols = out.columns
    cols.add("graduates")
    cols.add(eff.category.value if eff else "unknown")
    if eff is not None and eff.employed:
        ev = eff.event
        cols.add("employed")
        if eff.category != DestinationCategory.MILITARY:  # the job-quality rates' denominator
            cols.add("employed_in_jobs")
            cols.add({True: "in_field", False: "not_in_field", None: "in_field_unknown"}[eff.in_field])
            cols.add(_pair(bool(ev.region_code) and ev.region_code[:4] == region[:4], "local", "not_local"))
            cols.add(_fact(ev.labour_contract, "contract", "no_contract", "contract_unknown"))
            cols.add(_fact(ev.social_insurance, "insured", "not_insured", "insurance_unknown"))
        if ev.monthly_salary is not None:
            out.salary = ev.monthly_salary
            cols.update(("salary_known", band_of(ev.monthly_salary, bands or salary_bands())))
        else:
            cols.add("salary_unknown")
    for n in (2, 4):
        start, end = quarter_after(g.graduation_date, n)
        if end > as_of:
            cols.add(f"q{n}_unmeasurable")
            continue
        cols.add(f"q{n}_measurable")
        cols.add(f"q{n}_employed" if history.employed_during(start, end) else f"q{n}_not_employed")
    return out


async def load_outcomes(session: AsyncSession, params: ReportParams) -> tuple[list[GraduateOutcome], int]:
    """Per-graduate outcomes of the cohort(s) in scope, and the number of cohort members left out
    of the denominator (no graduation date, or graduating after ``as_of``: still studying)."""
    graduates = (await session.execute(_graduates_stmt(params))).all()
    ids = _graduates_stmt(params).with_only_columns(Graduate.id).scalar_subquery()
    ev_stmt = select(
        DestinationEvent.id,
        DestinationEvent.graduate_id,
        DestinationEvent.kind,
        DestinationEvent.refers_to_id,
        DestinationEvent.occurred_on,
        DestinationEvent.recorded_at,
        DestinationEvent.source,
        DestinationEvent.category,
        DestinationEvent.in_field,
        DestinationEvent.internship,
        DestinationEvent.region_code,
        DestinationEvent.monthly_salary,
        DestinationEvent.labour_contract,
        DestinationEvent.social_insurance,
    ).where(DestinationEvent.graduate_id.in_(ids), DestinationEvent.recorded_at < params.recorded_before)
    events: dict[int, list[Any]] = {}  # the event rows (EventLike by their columns)
    for e in (await session.execute(ev_stmt)).all():
        events.setdefault(e.graduate_id, []).append(e)
    outcomes, excluded = [], 0
    bands = salary_bands(params.salary_edges)
    for g in graduates:
        if g.graduation_date is None or g.graduation_date > params.as_of:
            excluded += 1
            continue
        outcomes.append(outcome_of(g, History(events.get(g.id, ())), params.as_of, bands))
    return outcomes, excluded


def aggregate(
    outcomes: Sequence[GraduateOutcome],
) -> tuple[dict[tuple[str, object], dict[str, int]], dict[tuple[str, object], list[int]]]:
    """Counts per row key and column, and the salaries (元/月) per row key."""
    counts: dict[tuple[str, object], dict[str, int]] = {}
    salaries: dict[tuple[str, object], list[int]] = {}
    for o in outcomes:
        for row in o.rows:
            c = counts.setdefault(row, {})
            for col in o.columns:
                c[col] = c.get(col, 0) + 1
            if o.salary is not None:
                salaries.setdefault(row, []).append(o.salary)
    return counts, salaries


def trace(outcomes: Sequence[GraduateOutcome], row: tuple[str, object], column: str) -> list[tuple[int, int | None]]:
    """``(graduate_id, counted event id)`` of every graduate behind cell (``row``, ``column``)."""
    return sorted((o.graduate_id, o.event_id) for o in outcomes if row in o.rows and column in o.columns)
