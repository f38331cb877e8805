"""Assemble a report: counts per breakdown, suppression, rates, medians, definitions, chart data.

The report is a plain JSON-ready dict (the body of ``GET /reports`` and of a snapshot)::

    {"scope", "cohorts", "as_of", "recorded_before", "threshold", "view", "view_note", "excluded_not_graduated",
     "definitions": {...}, "breakdowns": {"total": [row], "province": [row, ...], ...},
     "charts": {...}, "data_quality": {...}}

    row = {"key", "label", "counts": {column: int | None}, "rates": {name: float | None},
           "salary_median": int | None, "suppressed": [column, ...], "unknown_rates": [name, ...]}

``None`` marks a suppressed count or a rate/median that cannot be published (suppressed input,
zero denominator, or — the rates listed in ``unknown_rates`` — a fact unrecorded for more than
half of the denominator, :func:`mostly_unknown`). Percentages are 0–100 with one decimal; salaries are 元/月.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Hashable, Set
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import Major, Region, School
from service.catalog.regions import city_of, province_of
from service.destinations.infield import majors_without_mapping
from service.destinations.models import DestinationCategory
from service.reports.audit import implied_row_relations, publication_pattern
from service.reports.compute import BREAKDOWNS, ReportParams
from service.reports.counts_sql import ALL_KINDS, Source, count_report
from service.reports.definitions import (
    CATEGORY_ZH,
    DEFAULT_SALARY_EDGES,
    DENOMINATOR_RULE,
    MAX_UNKNOWN_SHARE,
    NACE_MAPPING,
    PRECEDENCE_RULE,
    RATES,
    ROUNDING_RULE,
    SUPPRESSION_RULE,
    UNKNOWN_RULE,
    count_columns,
    denominators,
    row_relations,
    salary_bands,
)
from service.reports.suppression import Cell, Relation, suppress

INTERNAL_NOTE = (
    "内部视图: 精确人数, 未做小格抑制, 仅供可查看这些毕业生记录的人员 (本校教职工 / 本地区主管部门) 使用, "
    "不得对外发布; 对外发布请使用发布版 (view=publish). Internal view: exact counts, no small-cell "
    "suppression, for people who may read these graduates' records only; do not publish — use "
    "the publish view (view=publish) for anything that leaves that circle."
)
PUBLISH_NOTE = (
    "发布版: 已按小格抑制规则处理, 可对外发布. Publish view: small cells suppressed (see the "
    "suppression rule); fit to publish."
)

GENDER_ZH = {"male": "男", "female": "女", "unknown": "未知"}
#: The label suffix of a city's graduates whose county is not known (key ``<city code>*``).
COUNTY_NOT_GIVEN = "(未细分到县区)"
DISADVANTAGED_ZH = {"yes": "困难群体", "no": "非困难群体", "unrecorded": "未登记"}


def percent(num: int, den: int) -> float | None:
    """``num / den`` as a percentage rounded half up to one decimal; ``None`` when ``den`` is 0."""
    if den <= 0:
        return None
    return float((Decimal(num) * 100 / Decimal(den)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def mostly_unknown(unknown: int, den: int) -> bool:
    """Whether a rate over a recorded fact is shown as unknown: more than :data:`MAX_UNKNOWN_SHARE`
    of its denominator ``den`` has the fact unrecorded (``unknown``), so whatever the unrecorded
    are, they — not the records — would decide the figure."""
    return den > 0 and unknown > den * MAX_UNKNOWN_SHARE


def median_salary(values: list[int]) -> int:
    """Median 元/月 rounded half up to the yuan (the mean of the middle two for an even count)."""
    return int(Decimal(str(statistics.median(values))).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _relations(
    counts: dict[tuple[str, object], dict[str, int]],
    parents: dict[tuple[str, object], set],
    edges: tuple[int, ...] = DEFAULT_SALARY_EDGES,
) -> list[Relation]:
    rels: list[Relation] = []
    within = row_relations(edges)  # once: it is the same for every row
    for row in counts:
        for total, parts in within:
            rels.append(((row, total), [(row, p) for p in parts]))
    cols = list(count_columns(edges))
    groups: list[tuple[Hashable, list[Hashable]]] = []
    for breakdown in BREAKDOWNS:
        groups.append((("total", "total"), [r for r in counts if r[0] == breakdown]))
    groups += [(parent, sorted(children, key=str)) for parent, children in parents.items()]
    for total_row, rows in groups:
        for col in cols:
            rels.append(((total_row, col), [(r, col) for r in rows]))
    return rels


def _pattern_key(values: dict[Cell, int], school_regions: dict[str, str], edges: tuple[int, ...]) -> str:
    """What identifies a report's counts and relations for the pattern cache: the relations follow
    from the rows, the schools' regions and the salary edges."""
    text = repr((sorted((repr(c), v) for c, v in values.items()), sorted(school_regions.items()), edges))
    return hashlib.sha256(text.encode()).hexdigest()


def _implied(counts: dict[tuple[str, object], dict[str, int]], edges: tuple[int, ...]) -> list[Relation]:
    """The relations inside each row implied by the published ones
    (:func:`service.reports.audit.implied_row_relations`), for the heuristic before the exact audit."""
    within = implied_row_relations(row_relations(edges))
    # a relation without a published total has the cell (row, None), which no report holds
    return cast(
        list[Relation], [((row, total), [(row, p) for p in parts]) for row in counts for total, parts in within]
    )


def _parents(
    counts: dict[tuple[str, object], dict[str, int]], school_regions: dict[str, str]
) -> dict[tuple[str, object], set]:
    """Region hierarchy of the rows present: province ⊃ cities ⊃ counties ⊃ schools."""
    parents: dict[tuple[str, object], set] = {}
    for kind, key in counts:
        text = str(key)
        if kind == "city":
            parents.setdefault(("province", province_of(text)), set()).add((kind, key))
        elif kind == "county":
            parents.setdefault(("city", city_of(text.rstrip("*"))), set()).add((kind, key))
        elif kind == "school":
            region = school_regions[text]
            county = region if not region.endswith("00") else f"{city_of(region)}*"
            parents.setdefault(("county", county), set()).add((kind, key))
    return parents


async def _labels(session: AsyncSession, counts: dict[tuple[str, object], dict[str, int]]) -> dict[tuple, str]:
    keys = {k for k in counts}
    codes = [str(k[1]).rstrip("*") for k in keys if k[0] in ("province", "city", "county")]
    regions = dict(
        (await session.execute(select(Region.code, Region.name).where(Region.code.in_(codes)))).tuples().all()
    )
    schools = dict(
        (
            await session.execute(
                select(School.code, School.name).where(School.code.in_([str(k[1]) for k in keys if k[0] == "school"]))
            )
        )
        .tuples()
        .all()
    )
    majors = dict(
        (
            await session.execute(
                select(Major.code, Major.name).where(Major.code.in_([str(k[1]) for k in keys if k[0] == "major"]))
            )
        )
        .tuples()
        .all()
    )
    labels: dict[tuple, str] = {}
    for kind, key in keys:
        text = str(key)
        if kind == "total":
            text = "合计"
        elif kind in ("province", "city"):
            text = regions.get(text, text)
        elif kind == "county":
            text = (
                f"{regions.get(text[:-1], text[:-1])}{COUNTY_NOT_GIVEN}"
                if text.endswith("*")
                else regions.get(text, text)
            )
        elif kind == "school":
            text = schools.get(text, text)
        elif kind == "major":
            text = majors.get(text, "专业未登记" if text == "-" else text)
        elif kind == "cohort":
            text = f"{key}届"
        elif kind == "gender":
            text = GENDER_ZH.get(text, text)
        elif kind == "disadvantaged":
            text = DISADVANTAGED_ZH.get(text, text)
        labels[(kind, key)] = text
    return labels


def definitions(threshold: int | None, edges: tuple[int, ...] = DEFAULT_SALARY_EDGES) -> dict[str, Any]:
    """The definitions printed with every report (Chinese first, English too); ``threshold``
    ``None`` for the internal (unsuppressed) view."""
    return {
        "rates": {name: {"name": r.zh, "definition": r.definition} for name, r in RATES.items()},
        "columns": count_columns(edges),
        "salary_bands": [
            {"column": col, "label": label, "from": low, "to": high} for col, label, low, high in salary_bands(edges)
        ],
        "salary_bands_rule": (
            "起薪分段按月薪 (元/月, 整数) 分段, 含上限: 如 2001–3000元 含 2001 和 3000 元; 分段上限为设置 "
            "VOCMATCH_REPORT_SALARY_BANDS. Bands include their upper edge (元/month, whole yuan); "
            "the edges are the setting VOCMATCH_REPORT_SALARY_BANDS."
        ),
        "categories": {c.value: CATEGORY_ZH[c] for c in DestinationCategory},
        "nace_mapping": {c.value: {"nace": n, "career_outcome": pos} for c, (n, pos) in NACE_MAPPING.items()},
        "precedence": PRECEDENCE_RULE,
        "denominator": DENOMINATOR_RULE,
        "denominators": denominators(),
        "unknown": UNKNOWN_RULE,
        "rounding": ROUNDING_RULE,
        "suppression": (
            SUPPRESSION_RULE + f" 阈值 threshold = {threshold}." if threshold is not None else INTERNAL_NOTE
        ),
        "sources": [
            "教育部 毕业去向统计口径 / 中职毕业生就业情况统计",
            "NACE First-Destination Survey Standards and Protocols",
            "WIOA §116(b)(2)(A)(i) employment rate 2nd/4th quarter after exit",
        ],
    }


def _row(
    key: tuple[str, object],
    label: str,
    counts: dict[str, int],
    hidden: Set[Cell],
    middles: list[int],
    threshold: int,
    columns: dict[str, str],
) -> dict[str, Any]:
    shown = {col: (None if (key, col) in hidden else counts.get(col, 0)) for col in columns}
    rates: dict[str, float | None] = {}
    unknown: list[str] = []
    for name, r in RATES.items():
        if any(shown[c] is None for c in r.columns):
            rates[name] = None
            continue
        # shown cells are ints here: a rate with a hidden cell was left out above
        num = sum(shown[c] for c in r.num_plus) - sum(shown[c] for c in r.num_minus)  # type: ignore[misc]
        den = sum(shown[c] for c in r.den_plus) - sum(shown[c] for c in r.den_minus)  # type: ignore[misc]
        if r.unknown is not None and mostly_unknown(shown[r.unknown], den):  # type: ignore[arg-type]
            rates[name] = None
            unknown.append(name)
            continue
        rates[name] = percent(num, den)
    median = None
    if shown["salary_known"] is not None and middles and counts.get("salary_known", 0) >= threshold:
        median = median_salary(middles)  # the one or two middle values of the row's salaries
    return {
        "key": key[1],
        "label": label,
        "counts": shown,
        "rates": rates,
        "salary_median": median,
        "suppressed": [c for c in columns if shown[c] is None],
        "unknown_rates": unknown,
    }


def _charts(breakdowns: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    total = breakdowns["total"][0] if breakdowns["total"] else None
    dist = (
        []
        if total is None
        else [
            {"category": c.value, "label": CATEGORY_ZH[c], "count": total["counts"][c.value]}
            for c in DestinationCategory
        ]
        + [{"category": "unknown", "label": "去向未知", "count": total["counts"]["unknown"]}]
    )
    by = {
        name: [
            {
                "label": r["label"],
                "employment_rate": r["rates"]["employment_rate"],
                "in_field_rate": r["rates"]["in_field_rate"],
            }
            for r in breakdowns[name]
        ]
        for name in ("major", "school")
    }
    return {"destination_distribution": dist, "rates_by_major": by["major"], "rates_by_school": by["school"]}


def data_quality(breakdowns: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """What limits the report's figures: the majors of its graduates for which no 对口 can be
    proposed (their employed graduates stay 对口未确定 unless a school records it by hand).
    Names and codes only: the counts are in the major breakdown, suppressed as published."""
    labels = {str(r["key"]): r["label"] for r in breakdowns.get("major", [])}
    unmapped = majors_without_mapping(labels)
    return {
        "majors_without_in_field_mapping": {
            "count": len(unmapped),
            "majors": [{"code": code, "name": labels[code]} for code in unmapped],
            "note": "对口 is proposed from the major's occupations in the core taxonomy, else from its 专业类 → "
            "ISCO-08 groups (service/catalog/data/major_class_isco08.csv); these majors have neither.",
        }
    }


async def build_report(
    session: AsyncSession,
    params: ReportParams,
    *,
    publish: bool = True,
    exact_audit: bool = True,
    kinds: tuple[str, ...] | None = None,
    source: Source = "table",
) -> dict[str, Any]:
    """Compute the report for ``params`` (see the module docstring for the shape).

    ``publish`` (the default) applies small-cell suppression: the figures may leave the circle of
    people who may read the graduates behind them. ``publish=False`` is the ``internal`` view for
    such readers only (:func:`service.reports.access.may_read_rows`): exact counts, every rate and
    median, nothing suppressed; the report says so in ``view`` and ``view_note``. The publish view
    is audited exactly (:func:`service.reports.audit.publication_pattern`: the heuristic, then an
    integer-programming audit over every published relation and across the thresholds a user may
    ask for; well under a second for a school, seconds for a province, some 17 CPU seconds for the
    national report at a million graduates, cached per report);
    ``exact_audit=False`` publishes the heuristic's pattern alone (for comparisons only).

    ``kinds`` (internal view only): compute only these row kinds (``total`` and/or breakdowns; the
    other breakdowns stay empty) — the same counts, for pages that need one row of several
    cohorts' reports (:func:`service.reports.dashboard.build_trend`). Suppression depends on every
    relation of the whole report, so a partial publish view could differ from the full one:
    ``ValueError``.

    ``source``: count from the maintained outcome table (the default) or, for comparisons, from the
    events by window functions (:func:`service.reports.counts_sql.count_report`; same figures)."""
    if kinds is not None and publish:
        raise ValueError("only the internal view can be computed for some row kinds: suppression needs them all")
    sql = await count_report(session, params, kinds or ALL_KINDS, source)
    # rows in one order whatever order the database returned them in: the suppression pattern
    # follows the order of the relations, and the same counts must give the same pattern
    counts = dict(sorted(sql.counts.items(), key=lambda kv: (kv[0][0], str(kv[0][1]))))
    excluded = sql.excluded
    columns = count_columns(params.salary_edges)
    hidden: Set[Cell] = set()
    if publish:
        # the cells and relations only suppression reads (most of the Python time of an internal view)
        values: dict[Cell, int] = {(row, col): cnt.get(col, 0) for row, cnt in counts.items() for col in columns}
        relations = _relations(counts, _parents(counts, sql.school_regions), params.salary_edges)
        if exact_audit:
            pattern_key = _pattern_key(values, sql.school_regions, params.salary_edges)
            implied = _implied(counts, params.salary_edges)
            hidden = await anyio.to_thread.run_sync(
                lambda: publication_pattern(values, relations, params.threshold, implied, pattern_key)
            )
        else:
            hidden = suppress(values, relations, params.threshold)
    median_min = params.threshold if publish else 1
    labels = await _labels(session, counts)
    breakdowns: dict[str, list[dict[str, Any]]] = {"total": [], **{b: [] for b in BREAKDOWNS}}
    for key in sorted(counts, key=lambda k: (k[0], str(k[1]))):
        breakdowns[key[0]].append(
            _row(key, labels[key], counts[key], hidden, sql.middles.get(key, []), median_min, columns)
        )
    return {
        "scope": str(params.scope),
        "cohorts": list(params.cohorts),
        "as_of": params.as_of.isoformat(),
        "recorded_before": params.recorded_before.isoformat(),
        "threshold": params.threshold if publish else None,
        "view": "publish" if publish else "internal",
        "view_note": PUBLISH_NOTE if publish else INTERNAL_NOTE,
        "exact_audit": publish and exact_audit,
        "excluded_not_graduated": excluded,
        "definitions": definitions(params.threshold if publish else None, params.salary_edges),
        "breakdowns": breakdowns,
        "charts": _charts(breakdowns),
        "data_quality": data_quality(breakdowns),
    }
