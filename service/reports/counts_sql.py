"""Report counts computed inside the database: one SQL statement per report (PostgreSQL and SQLite).

The same figures as the per-graduate Python reference (:func:`service.reports.compute.load_outcomes`
+ :func:`~service.reports.compute.aggregate`, still used to trace a cell), with the counting pushed
into SQL so a report over a million graduates does not ship every event to Python. The
precedence rule of :mod:`service.destinations.precedence` is expressed with window functions:

1. ``last_review`` / ``last_override``: each outcome's latest confirmation-or-dispute and latest
   对口 override (by ``recorded_at``, then id), among events recorded before the cut-off ``T``.
2. ``day_best``: the undisputed outcomes recorded before ``T``; per graduate, tier (internship
   or not) and day the one of the most reliable source, then latest ``recorded_at``, then highest
   id (rules 2–3).
3. ``steps``: those days in order with the next one of the same tier (``LEAD``): in each tier
   the graduate's status is the day-best outcome from its day until the next day — a step
   function of time. The outcome counting on day ``D`` is the step of the other outcomes
   containing ``D``, else (nothing else known yet) the internship step containing it, which
   counts as 待就业 (rule 5: an internship never replaces another outcome); "employed during a
   quarter" (WIOA) means an employed step overlaps the quarter (equivalent to
   :meth:`History.employed_during`: internship steps are never employed).
   Since issue 18 reports read the same per-graduate outcome from the maintained table
   ``graduate_outcomes`` instead (:func:`_from_table`: the row whose valid/recorded rectangle
   holds ``(D, T)``, computed by the Python reference itself, :mod:`service.destinations.outcomes`):
   two range conditions instead of steps 1–3. ``source="events"`` keeps steps 1–3 (the
   baseline in bench/bench_reports.py and a second oracle in the tests).
4. ``per_graduate``: one row per graduate of the cohort(s) in scope graduated by ``D`` with the
   row keys of every breakdown and its contribution to each count column (对口 after the school's
   override, rule 4).
5. PostgreSQL (:func:`grouped_statement`): every breakdown in one pass over ``per_graduate``,
   ``GROUP BY GROUPING SETS`` (one set per breakdown, ``()`` for the total), and the middle salary
   values per group in a second one: ``percentile_disc(0.5) WITHIN GROUP (ORDER BY salary)`` is the
   lower middle value (the first whose cumulative share reaches ½: position ⌈n/2⌉), the same
   ordered descending the upper one (position ⌊n/2⌋ + 1) — PostgreSQL manual, "Ordered-Set
   Aggregate Functions" (§9.21, table 9.62). SQLite has neither, so there (:func:`report_statement`)
   one ``UNION ALL`` of a ``GROUP BY`` per breakdown, plus the middle salary values per group
   (``ROW_NUMBER``/``COUNT`` windows). Both give the one (odd count) or two (even count) middle
   values, whose mean is the median of :func:`service.reports.build.median_salary`.

Quarters are compared by index ``year × 4 + (month − 1) // 3``, so no date arithmetic differs
between the two databases.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    extract,
    false,
    func,
    literal_column,
    null,
    or_,
    select,
    text,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import BindParameter, Label

from service.catalog.models import School
from service.destinations.models import (
    DestinationCategory,
    DestinationEvent,
    DestinationEventKind,
    OutcomeInterval,
)
from service.destinations.precedence import EMPLOYED, SOURCE_RANK
from service.graduates.models import Graduate
from service.reports.compute import BREAKDOWNS, ReportParams, Scope, _graduates_stmt, scope_value
from service.reports.definitions import count_columns, salary_bands

K = DestinationEventKind
Row = tuple[str, object]
#: Where the counted outcome of each graduate comes from: the maintained table ``graduate_outcomes``
#: (:func:`_from_table`) or the events, by window functions (:func:`_from_events`, the former path,
#: kept as the baseline of bench/bench_reports.py and a second oracle in the tests).
Source = Literal["table", "events"]
#: Every row kind of a report: the total and each breakdown.
ALL_KINDS = ("total", *BREAKDOWNS)


@dataclass(slots=True)
class SqlCounts:
    """``counts[row][column]`` for every row key present; ``middles[row]``: the one or two middle
    salaries (元/月) of the row's known salaries (their mean is the median); ``excluded``: cohort
    members left out of the denominator; ``school_regions``: school code → region code."""

    counts: dict[Row, dict[str, int]]
    middles: dict[Row, list[int]]
    excluded: int
    school_regions: dict[str, str]


def quarter_index(day: ColumnElement[Any]) -> ColumnElement[int]:
    """``year × 4 + (month − 1) // 3`` of a date column (calendar quarter number)."""
    return cast(extract("year", day), Integer) * 4 + (cast(extract("month", day), Integer) - 1) // 3


def _substr(text: ColumnElement[Any], start: int, length: int) -> ColumnElement[str]:
    return func.substr(text, start, length, type_=String)


def _text(value: str) -> ColumnElement[str]:
    return literal_column(f"'{value}'", type_=String)


def _first_day_of_quarter(day: ColumnElement[Any]) -> ColumnElement[bool]:
    return and_(cast(extract("month", day), Integer).in_((1, 4, 7, 10)), cast(extract("day", day), Integer) == 1)


def _py_quarter(day: dt.date) -> int:
    return day.year * 4 + (day.month - 1) // 3


def _last_complete_quarter(as_of: dt.date) -> int:
    """Index of the latest calendar quarter that has ended on or before ``as_of``."""
    nxt = as_of + dt.timedelta(days=1)
    return _py_quarter(as_of) if _py_quarter(nxt) != _py_quarter(as_of) else _py_quarter(as_of) - 1


def _flag(cond: ColumnElement[bool]) -> ColumnElement[int]:
    """1/0 (null stays null): booleans as integers, so MAX works on both databases."""
    return case((cond == true(), 1), (cond == false(), 0), else_=null())


def _from_events(g: Any, as_of: BindParameter[Any], recorded_before: BindParameter[Any]) -> Any:
    """Per graduate of ``g`` with events: the counted outcome on ``as_of`` as known before
    ``recorded_before`` (steps 1–3 of the module docstring, window functions over the events) —
    the columns of :func:`_from_table`."""
    e = DestinationEvent.__table__.alias("e")
    # rules 1, 2, 4 in one pass without joins: an outcome and the events referring to it share a
    # partition; the latest review's kind and the latest override's 对口 are window values on it
    outcome = e.c.kind == K.OUTCOME.value
    is_review = e.c.kind.in_((K.CONFIRMATION.value, K.DISPUTE.value))
    is_override = e.c.kind == K.IN_FIELD_OVERRIDE.value
    partition = case((outcome, e.c.id), else_=e.c.refers_to_id)
    latest_first = (e.c.recorded_at.desc(), e.c.id.desc())
    review_kind = func.first_value(e.c.kind).over(
        partition_by=partition, order_by=(case((is_review, 1), else_=0).desc(), *latest_first)
    )
    override_value = func.first_value(_flag(e.c.in_field)).over(
        partition_by=partition, order_by=(case((is_override, 1), else_=0).desc(), *latest_first)
    )
    overridden = func.max(case((is_override, 1), else_=0)).over(partition_by=partition)
    ev = (
        select(
            e.c.id,
            e.c.graduate_id,
            g.c.graduation_date,
            e.c.kind,
            e.c.occurred_on,
            e.c.recorded_at,
            e.c.source,
            e.c.category,
            _flag(e.c.internship).label("internship"),
            e.c.region_code,
            e.c.monthly_salary,
            _flag(e.c.labour_contract).label("contract"),
            _flag(e.c.social_insurance).label("insured"),
            case((overridden == 1, override_value), else_=_flag(e.c.in_field)).label("in_field"),
            review_kind.label("review_kind"),
        )
        .select_from(e.join(g, g.c.id == e.c.graduate_id))
        .where(
            e.c.recorded_at < recorded_before,
            or_(outcome, and_(or_(is_review, is_override), e.c.refers_to_id.is_not(None))),
        )
        .subquery("ev")
    )
    # rule 3: per graduate, tier (rule 5) and day the most reliable source, then the latest recorded,
    # then the highest id
    rank = case({s.value: r for s, r in SOURCE_RANK.items()}, value=ev.c.source, else_=0)
    day_rn = func.row_number().over(
        partition_by=(ev.c.graduate_id, ev.c.internship, ev.c.occurred_on),
        order_by=(rank.desc(), ev.c.recorded_at.desc(), ev.c.id.desc()),
    )
    keep = [
        ev.c.id,
        ev.c.graduate_id,
        ev.c.graduation_date,
        ev.c.occurred_on,
        ev.c.category,
        ev.c.internship,
        ev.c.region_code,
        ev.c.monthly_salary,
        ev.c.contract,
        ev.c.insured,
        ev.c.in_field,
    ]
    day_best = (
        select(*keep, day_rn.label("rn"))
        .where(ev.c.kind == K.OUTCOME.value, ev.c.review_kind != K.DISPUTE.value)
        .subquery("day_best")
    )
    nxt = func.lead(day_best.c.occurred_on).over(
        partition_by=(day_best.c.graduate_id, day_best.c.internship), order_by=day_best.c.occurred_on
    )
    steps = (
        select(*[c for c in day_best.c if c.name != "rn"], nxt.label("next_day"))
        .where(day_best.c.rn == 1)
        .subquery("steps")
    )
    employed = and_(steps.c.category.in_([c.value for c in EMPLOYED]), steps.c.internship == 0)
    # the step of each tier containing D; the outcome counting on D is the other outcomes' one if
    # any, else the internship's (rule 5)
    containing = and_(steps.c.occurred_on <= as_of, or_(steps.c.next_day.is_(None), steps.c.next_day > as_of))
    winner = and_(containing, steps.c.internship == 0)

    def of_winner(col: ColumnElement[Any], name: str) -> ColumnElement[Any]:
        return func.max(case((winner, col), else_=null())).label(name)

    # employed during the n-th quarter after graduation: an employed step overlaps quarter Q = Qg + n
    q_grad = quarter_index(steps.c.graduation_date)
    during = []
    for n in (2, 4):
        q = q_grad + n
        overlaps = and_(
            quarter_index(steps.c.occurred_on) <= q,
            or_(
                steps.c.next_day.is_(None),
                quarter_index(steps.c.next_day) > q,
                and_(quarter_index(steps.c.next_day) == q, ~_first_day_of_quarter(steps.c.next_day)),
            ),
        )
        during.append(func.max(case((and_(employed, overlaps), 1), else_=0)).label(f"q{n}"))
    per_step = (
        select(
            steps.c.graduate_id,
            func.max(case((winner, 1), else_=0)).label("found"),
            func.max(case((and_(containing, steps.c.internship == 1), 1), else_=0)).label("internship"),
            of_winner(steps.c.category, "category"),
            of_winner(steps.c.in_field, "in_field"),
            of_winner(steps.c.region_code, "region_code"),
            of_winner(steps.c.monthly_salary, "salary"),
            of_winner(steps.c.contract, "contract"),
            of_winner(steps.c.insured, "insured"),
            *during,
        )
        .group_by(steps.c.graduate_id)
        .subquery("per_step")
    )
    return per_step


def _from_table(as_of: BindParameter[Any], recorded_before: BindParameter[Any]) -> Any:
    """Per graduate with an outcome known: the row of ``graduate_outcomes`` (maintained by
    :mod:`service.destinations.outcomes` from the Python reference) whose rectangle holds
    (``as_of``, ``recorded_before``) — at most one per graduate — with the columns of
    :func:`_from_events`: ``found`` (an outcome other than an internship counts), ``internship``
    (an internship counts, as 待就业), the outcome's fields and the quarter flags."""
    o = OutcomeInterval.__table__.alias("o")
    internship = o.c.internship == true()
    return (
        select(
            o.c.graduate_id,
            case((internship, 0), else_=1).label("found"),
            case((internship, 1), else_=0).label("internship"),
            o.c.category,
            _flag(o.c.in_field).label("in_field"),
            o.c.region_code,
            o.c.monthly_salary.label("salary"),
            _flag(o.c.labour_contract).label("contract"),
            _flag(o.c.social_insurance).label("insured"),
            _flag(o.c.q2_employed).label("q2"),
            _flag(o.c.q4_employed).label("q4"),
        )
        .where(
            o.c.recorded_from < recorded_before,
            or_(o.c.recorded_to.is_(None), o.c.recorded_to >= recorded_before),
            o.c.valid_from <= as_of,
            or_(o.c.valid_to.is_(None), o.c.valid_to > as_of),
        )
        .subquery("per_step")
    )


def _per_graduate(params: ReportParams, source: Source = "table") -> Any:
    """Built once per shape (:func:`_statement`): the dates are the bind parameters ``as_of``,
    ``recorded_before`` and ``last_quarter`` (:func:`_values`). ``source``: the counted outcome
    of each graduate read from the maintained table (``"table"``, :func:`_from_table`) or worked out
    from the events by window functions (``"events"``, :func:`_from_events`)."""
    as_of = bindparam("as_of", type_=Date)
    recorded_before: BindParameter[Any] = bindparam("recorded_before")
    g = (
        _graduates_stmt(params, bound=True)
        .where(Graduate.graduation_date.is_not(None), Graduate.graduation_date <= as_of)
        .cte("g")
    )
    w = _from_table(as_of, recorded_before) if source == "table" else _from_events(g, as_of, recorded_before)
    region = g.c.school_region
    city = _substr(region, 1, 4) + _text("00")
    found = func.coalesce(w.c.found, 0) == 1
    is_emp = and_(found, w.c.category.in_([c.value for c in EMPLOYED]))
    # 直接就业 in jobs (not 应征义务兵): the denominator of 对口, 本地, 合同 and 社保 (service.reports.definitions)
    is_job = and_(is_emp, w.c.category != DestinationCategory.MILITARY.value)
    salary = case((is_emp, w.c.salary), else_=null())
    band = case(
        *[
            ((salary >= low) if high is None else and_(salary >= low, salary <= high), col)
            for col, _, low, high in salary_bands(params.salary_edges)
        ],
        else_=null(),
    )
    last_q = bindparam("last_quarter", type_=Integer)  # _last_complete_quarter(as_of)

    def quarter_flag(n: int) -> ColumnElement[Any]:
        measured = getattr(w.c, f"q{n}")
        return case(
            (quarter_index(g.c.graduation_date) + n > last_q, null()), (func.coalesce(measured, 0) == 1, 1), else_=0
        )

    return (
        select(
            (_substr(region, 1, 2) + _text("0000")).label("province"),
            city.label("city"),
            case((_substr(region, 5, 2) == "00", city + _text("*")), else_=region).label("county"),
            g.c.school_code.label("school"),
            func.coalesce(func.nullif(g.c.major_code, ""), "-").label("major"),
            cast(g.c.cohort, String).label("cohort"),
            g.c.gender.label("gender"),
            case((g.c.disadvantaged == true(), "yes"), (g.c.disadvantaged == false(), "no"), else_="unrecorded").label(
                "disadvantaged"
            ),
            case((found, w.c.category), (func.coalesce(w.c.internship, 0) == 1, "seeking"), else_="unknown").label(
                "cat"
            ),
            case((is_emp, 1), else_=0).label("emp"),
            case((is_job, 1), else_=0).label("job"),
            case(
                (and_(is_job, w.c.in_field == 1), "in_field"),
                (and_(is_job, w.c.in_field == 0), "not_in_field"),
                (is_job, "in_field_unknown"),
                else_=null(),
            ).label("in_field"),
            case(
                (
                    and_(
                        is_job,
                        w.c.region_code.is_not(None),
                        w.c.region_code != "",
                        _substr(w.c.region_code, 1, 4) == _substr(region, 1, 4),
                    ),
                    1,
                ),
                else_=0,
            ).label("local"),
            w.c.contract.label("contract"),
            w.c.insured.label("insured"),
            salary.label("salary"),
            band.label("band"),
            quarter_flag(2).label("q2"),
            quarter_flag(4).label("q4"),
        )
        .select_from(g.outerjoin(w, w.c.graduate_id == g.c.id))
        # computed once: the 0/1 columns of per_graduate each refer to several of these values
        .cte("counted")
        .prefix_with("MATERIALIZED")
    )


def _contributions(params: ReportParams, source: Source = "table") -> Any:
    """``per_graduate``: each graduate's row keys, salary and a 0/1 column ``c_<column>`` for every
    count column (computed once, then summed per breakdown)."""
    pg = _per_graduate(params, source)
    one, zero = literal_column("1", Integer), literal_column("0", Integer)

    def flag(cond: ColumnElement[bool]) -> ColumnElement[int]:
        return case((cond, one), else_=zero)

    emp = pg.c.emp == 1
    job = pg.c.job == 1
    conds: dict[str, ColumnElement[bool]] = {
        "employed": emp,
        "employed_in_jobs": job,
        "local": and_(job, pg.c.local == 1),
        "not_local": and_(job, pg.c.local == 0),
        # recorded facts: null (unrecorded) is its own column, never "no"
        "contract": and_(job, pg.c.contract == 1),
        "no_contract": and_(job, pg.c.contract == 0),
        "contract_unknown": and_(job, pg.c.contract.is_(None)),
        "insured": and_(job, pg.c.insured == 1),
        "not_insured": and_(job, pg.c.insured == 0),
        "insurance_unknown": and_(job, pg.c.insured.is_(None)),
        "salary_known": and_(emp, pg.c.salary.is_not(None)),
        "salary_unknown": and_(emp, pg.c.salary.is_(None)),
    }
    for col in ("in_field", "not_in_field", "in_field_unknown"):
        conds[col] = pg.c.in_field == _text(col)
    for col, _, _, _ in salary_bands(params.salary_edges):
        conds[col] = pg.c.band == _text(col)
    for q in ("q2", "q4"):
        value = getattr(pg.c, q)
        conds |= {
            f"{q}_measurable": value.is_not(None),
            f"{q}_unmeasurable": value.is_(None),
            f"{q}_employed": value == 1,
            f"{q}_not_employed": value == 0,
        }
    flags = [
        flag(conds.get(col, pg.c.cat == _text(col))).label(f"c_{col}")
        for col in count_columns(params.salary_edges)
        if col != "graduates"
    ]
    keys = [getattr(pg.c, k) for k in BREAKDOWNS]
    return select(*keys, pg.c.salary, *flags).cte("per_graduate")


def _values(params: ReportParams) -> dict[str, Any]:
    """The bind parameters of :func:`report_statement` for ``params``."""
    return {
        "as_of": params.as_of,
        "recorded_before": params.recorded_before,
        "cohorts": list(params.cohorts),
        "scope_value": scope_value(params.scope),
        "last_quarter": _last_complete_quarter(params.as_of),
    }


@functools.lru_cache(maxsize=64)
def _statement(
    scope_kind: str,
    edges: tuple[int, ...],
    kinds: tuple[str, ...] = ALL_KINDS,
    source: Source = "table",
    grouping_sets: bool = False,
) -> Any:
    """:func:`report_statement` for a scope kind and salary-band edges, built once: constructing
    the wide statement costs more than running it on a school (tens of ms), and its shape depends on
    nothing else (the values are bind parameters, :func:`_values`)."""
    code = {"region": "000000", "school": "0"}.get(scope_kind)
    shape = ReportParams(
        scope=Scope(scope_kind, code),
        cohorts=(0,),
        as_of=dt.date.min,
        recorded_before=dt.datetime.min,
        salary_edges=edges,
    )
    return (grouped_statement if grouping_sets else report_statement)(shape, kinds, source)


def report_statement(params: ReportParams, kinds: tuple[str, ...] = ALL_KINDS, source: Source = "table") -> Any:
    """The single ``SELECT`` behind :func:`count_report`: rows ``(kind, key, salary, <count columns>)``;
    ``salary`` is null on count rows and set (count columns null) on middle-salary rows. Only the
    scope's kind and the salary edges of ``params`` shape it; execute it with :func:`_values`."""
    pg = _contributions(params, source)
    columns = count_columns(params.salary_edges)
    counts = [
        func.count().label(col) if col == "graduates" else func.sum(getattr(pg.c, f"c_{col}")).label(col)
        for col in columns
    ]
    parts = []
    for kind in kinds:
        key = _text("total") if kind == "total" else getattr(pg.c, kind)
        label: Label[Any] = literal_column(f"'{kind}'").label("kind")
        count_rows = select(label, cast(key, String).label("key"), cast(null(), Integer).label("salary"), *counts)
        # no GROUP BY / PARTITION BY a constant (PostgreSQL refuses it): the total is one group
        count_rows = count_rows.having(func.count() > 0) if kind == "total" else count_rows.group_by(key)
        parts.append(count_rows)
        part = None if kind == "total" else key
        ordered = (
            select(
                key.label("key"),
                pg.c.salary,
                func.row_number().over(partition_by=part, order_by=pg.c.salary).label("rn"),
                func.count().over(partition_by=part).label("cnt"),
            )
            .where(pg.c.salary.is_not(None))
            .subquery(f"salaries_{kind}")
        )
        parts.append(
            select(
                label,
                cast(ordered.c.key, String).label("key"),
                ordered.c.salary,
                *[cast(null(), Integer).label(c) for c in columns],
            ).where(or_(ordered.c.rn == (ordered.c.cnt + 1) // 2, ordered.c.rn == (ordered.c.cnt + 2) // 2))
        )
    return union_all(*parts)


def grouped_statement(params: ReportParams, kinds: tuple[str, ...] = ALL_KINDS, source: Source = "table") -> Any:
    """PostgreSQL's statement behind :func:`count_report` (step 5 of the module docstring): rows
    ``(kind, key, salary_lo, salary_hi, <count columns>)``. Count rows (``salary_lo`` null) come from
    one ``GROUPING SETS`` aggregate (hashable: no ordered aggregate in it); middle-salary rows (count
    columns null) from a second one over the known salaries alone, ``salary_lo``/``salary_hi`` the
    lower and upper middle values. Same shape rules as :func:`report_statement`."""
    pg = _contributions(params, source)
    columns = count_columns(params.salary_edges)
    keyed = [k for k in kinds if k != "total"]
    sets = [getattr(pg.c, k) for k in keyed] + ([tuple_()] if "total" in kinds else [])

    def by_set(value: Any) -> ColumnElement[Any]:
        """``value(k)`` of the breakdown ``k`` whose set the row is of, else that of the total."""
        whens = [(func.grouping(getattr(pg.c, k)) == 0, value(k)) for k in keyed]
        return case(*whens, else_=value("total")) if whens else value("total")

    kind = by_set(_text).label("kind")
    key = by_set(lambda k: _text("total") if k == "total" else cast(getattr(pg.c, k), String)).label("key")
    counts = [
        func.count().label(col) if col == "graduates" else func.sum(getattr(pg.c, f"c_{col}")).label(col)
        for col in columns
    ]
    no_salary = cast(null(), Integer)
    count_rows = (
        select(kind, key, no_salary.label("salary_lo"), no_salary.label("salary_hi"), *counts)
        .group_by(func.grouping_sets(*sets))
        # the empty set () gives a row even over no rows; the other paths give none
        .having(func.count() > 0)
    )
    half: ColumnElement[Any] = literal_column("0.5")
    salary_rows = (
        select(
            kind,
            key,
            func.percentile_disc(half).within_group(pg.c.salary).label("salary_lo"),
            func.percentile_disc(half).within_group(pg.c.salary.desc()).label("salary_hi"),
            *[cast(null(), Integer).label(c) for c in columns],
        )
        .where(pg.c.salary.is_not(None))
        .group_by(func.grouping_sets(*sets))
        .having(func.count() > 0)
    )
    return union_all(count_rows, salary_rows)


async def count_report(
    session: AsyncSession,
    params: ReportParams,
    kinds: tuple[str, ...] = ALL_KINDS,
    source: Source = "table",
    *,
    grouping_sets: bool | None = None,
) -> SqlCounts:
    """Counts per breakdown row and middle salaries for ``params``, computed in the database, for
    the row kinds ``kinds`` (default the total and every breakdown).

    ``grouping_sets``: one ``GROUPING SETS`` pass (:func:`grouped_statement`, PostgreSQL only) or a
    ``GROUP BY`` per breakdown (:func:`report_statement`); ``None`` (the default): the former on
    PostgreSQL, the latter on SQLite. The choice is for comparisons (bench, tests): same figures.

    Same results as aggregating :func:`service.reports.compute.load_outcomes` in Python (the
    tests compare the two on random event histories)."""
    counts: dict[Row, dict[str, int]] = {}
    middles: dict[Row, list[int]] = {}
    if session.bind.dialect.name == "postgresql":
        # this one wide statement costs PostgreSQL more to JIT-compile than to run (measured with
        # bench/bench_reports.py); SET LOCAL ends with the transaction
        await session.execute(text("SET LOCAL jit = off"))
    columns = count_columns(params.salary_edges)
    grouped = session.bind.dialect.name == "postgresql" if grouping_sets is None else grouping_sets
    statement = _statement(params.scope.kind, tuple(params.salary_edges), tuple(kinds), source, grouped)
    lower_upper: dict[Row, tuple[int, int]] = {}
    # rows as plain tuples: (kind, key, salary[, salary_hi], *count columns in order)
    first = 4 if grouped else 3
    for r in (await session.execute(statement, _values(params))).tuples():
        kind, key = r[0], (int(r[1]) if r[0] == "cohort" else r[1])
        if r[2] is None:
            counts[(kind, key)] = dict(zip(columns, map(int, r[first:]), strict=True))
        elif grouped:
            lower_upper[(kind, key)] = (int(r[2]), int(r[3]))
        else:
            middles.setdefault((kind, key), []).append(int(r[2]))
    for row, (lo, hi) in lower_upper.items():
        # one middle value for an odd number of known salaries, two for an even one
        middles[row] = [lo] if counts[row]["salary_known"] % 2 else [lo, hi]
    base = _graduates_stmt(params).with_only_columns(Graduate.id)
    excluded = (
        await session.execute(
            select(func.count()).select_from(
                base.where(or_(Graduate.graduation_date.is_(None), Graduate.graduation_date > params.as_of)).subquery()
            )
        )
    ).scalar_one()
    codes = [str(k) for kind, k in counts if kind == "school"]
    school_regions = (
        dict(
            (await session.execute(select(School.code, School.region_code).where(School.code.in_(codes))))
            .tuples()
            .all()
        )
        if codes
        else {}
    )
    return SqlCounts(counts, middles, excluded, school_regions)
