"""What the dashboards add on top of one report: trends over the last cohorts, the drill-down
levels (province → city → county → school → major), a data-quality panel per school and the
annual report (就业质量年度报告). The pages and the API call these functions.

Nothing here counts graduates: every figure is a row of :func:`service.reports.build.build_report`
(the one home of the counts, rates, medians and suppression), and the confirmation state of the
data-quality panel is :func:`service.destinations.followup.standing` (the follow-up list's rule),
the activation share :meth:`service.signup.service.InvitationService.shares`.

Sources of the definitions used here:

- 知晓率 (knowledge rate): NACE First-Destination Survey Standards and Protocols — known outcomes /
  graduating class (:data:`service.reports.definitions.RATES` ``nace_knowledge_rate``).
- 去向未知: 教育部 毕业去向统计口径 — a graduate with no undisputed outcome counting on the as-of date
  (column ``unknown`` of the report).
- 未确认 (unconfirmed): 教育部办公厅《关于做好普通高校毕业生就业统计工作的通知》 — schools check each
  reported destination (核查); here a destination that counts but that neither the graduate confirmed
  nor the school verified (:class:`service.destinations.followup.Confirmation` ``unconfirmed`` or
  ``self_reported``).
- 年度报告 shape: 教育部办公厅《关于做好中等职业学校毕业生就业质量年度报告编制发布工作的通知》 and the
  provincial 中职毕业生就业质量年度报告 it asks for: 毕业生规模, 就业率/对口就业率/升学率, 起薪, by
  region, school and major, with the statistical definitions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.guards import Principal
from service.catalog.models import Major, Region, School
from service.catalog.regions import city_of, province_of
from service.destinations.followup import Confirmation, confirmation_counts
from service.reports.build import INTERNAL_NOTE, PUBLISH_NOTE, build_report, definitions, percent
from service.reports.compute import ReportParams
from service.reports.definitions import count_columns

#: Cohorts a trend covers (the chosen one and the four before it).
TREND_YEARS = 5
TREND_RULE = (
    "近五届趋势: 每届按同一统计时点计算 (所选统计日往前推相应年数, 如 2025届 统计日 2025-12-31, 2024届 "
    "2024-12-31), 口径与当届报告相同. Trend: each cohort as of the same point of its year (the as-of date "
    "moved back by the cohort's distance), so cohorts are compared like with like."
)
#: Rates drawn on the dashboards (charts for every one), in this order.
CHART_RATES = ("employment_rate", "placement_rate", "further_study_rate", "in_field_rate")
CHART_METRICS = (*CHART_RATES, "salary_median", "salary_bands")


def years_before(day: dt.date, years: int) -> dt.date:
    """``day`` moved back ``years`` years, on the same month and day (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _empty_row(key: object, label: str, columns: dict[str, str]) -> dict[str, Any]:
    """A row for a group with no graduates: counts 0, no rate, no median (charts show 无数据)."""
    from service.reports.definitions import RATES

    return {
        "key": key,
        "label": label,
        "counts": {c: 0 for c in columns},
        "rates": {r: None for r in RATES},
        "salary_median": None,
        "suppressed": [],
        "unknown_rates": [],
    }


def find_row(report: dict[str, Any], kind: str, key: object) -> dict[str, Any] | None:
    """The row ``(kind, key)`` of ``report`` (``("total", "total")`` for the total), or ``None``."""
    rows = report["breakdowns"].get(kind) or []
    if kind == "total":
        return rows[0] if rows else None
    return next((r for r in rows if str(r["key"]) == str(key)), None)


async def build_trend(
    session: AsyncSession,
    params: ReportParams,
    *,
    publish: bool,
    years: int = TREND_YEARS,
    row: tuple[str, object] = ("total", "total"),
    latest: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One row (default the total) of the reports of the last ``years`` cohorts up to
    ``params.cohorts[0]``, each as of ``params.as_of`` moved back by the cohort's distance
    (:data:`TREND_RULE`), with the same scope, cut-off, threshold and view.

    Returns a report-shaped dict (so :func:`service.reports.charts.chart_svg` draws it ``by="cohort"``;
    ``row_label``: the followed row's name, e.g. the major's, ``None`` for the total):
    ``breakdowns["cohort"]`` holds one row per cohort, oldest first, each with its ``as_of``; a cohort
    without the row (no graduates) gets counts 0 and no rates. ``latest``: the already built report of
    ``params`` itself (saves one computation)."""
    columns = count_columns(params.salary_edges)
    first = params.cohorts[0]
    rows: list[dict[str, Any]] = []
    row_label = None
    for distance in range(years - 1, -1, -1):
        cohort, as_of = first - distance, years_before(params.as_of, distance)
        # internal: only the followed row's kind is counted (same counts); publish: the whole report,
        # whose suppression pattern is the one the full report publishes
        report = (
            latest
            if distance == 0 and latest is not None
            else await build_report(
                session,
                replace(params, cohorts=(cohort,), as_of=as_of),
                publish=publish,
                kinds=None if publish else (row[0],),
            )
        )
        found = find_row(report, *row)
        entry = dict(found) if found is not None else _empty_row(cohort, "", columns)
        row_label = found["label"] if found is not None and row[0] != "total" else row_label
        rows.append({**entry, "key": cohort, "label": f"{cohort}届", "as_of": as_of.isoformat()})
    return {
        "scope": str(params.scope),
        "row": f"{row[0]}:{row[1]}",
        "row_label": row_label,
        "cohorts": [r["key"] for r in rows],
        "as_of": params.as_of.isoformat(),
        "recorded_before": params.recorded_before.isoformat(),
        "threshold": params.threshold if publish else None,
        "view": "publish" if publish else "internal",
        "view_note": PUBLISH_NOTE if publish else INTERNAL_NOTE,
        "trend_rule": TREND_RULE,
        "definitions": definitions(params.threshold if publish else None, params.salary_edges),
        "breakdowns": {"total": [], "cohort": rows},
    }


# --- drill-down levels ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Crumb:
    """One level of the breadcrumb: its kind (``all``, ``province``, ``city``, ``county``,
    ``school``, ``major``), code, name and whether the reader may open it."""

    kind: str
    code: str
    name: str
    openable: bool


def region_chain(code: str) -> list[str]:
    """The GB/T 2260 codes from the province down to ``code``: ``440106`` → ``440000, 440100, 440106``."""
    chain = [province_of(code), city_of(code), code]
    return list(dict.fromkeys(chain))


def region_level(code: str) -> str:
    """``province`` (``PP0000``), ``city`` (``PPCC00``) or ``county``."""
    return "province" if code.endswith("0000") else "city" if code.endswith("00") else "county"


#: The breakdown listing the next level down, per region level.
CHILD_BREAKDOWN = {"all": "province", "province": "city", "city": "county", "county": None}


def may_open_region(p: Principal, code: str) -> bool:
    """Whether ``p`` may open the drill-down page of region ``code``: the admin any; a department
    its own region and the regions inside it; nobody else (a school opens its own school)."""
    from service.accounts.models import Role
    from service.auth.guards import region_contains

    return p.role is Role.ADMIN or (p.role is Role.DEPARTMENT and region_contains(p.region_code, code))


async def breadcrumb(
    session: AsyncSession,
    p: Principal,
    *,
    region: str | None = None,
    school: School | None = None,
    major: Major | SimpleNamespace | None = None,  # a stand-in (code, name) for a major not in the catalogue
) -> list[Crumb]:
    """The levels from the reader's own top down to the page's level. The admin starts at ``all``
    (every province), a department at its own region, school staff at their school: levels above
    the reader's own are not shown. ``region`` is the page's region (or the school's)."""
    from service.accounts.models import Role

    crumbs: list[Crumb] = []
    if p.role is Role.ADMIN:
        crumbs.append(Crumb("all", "", "", True))
    code = school.region_code if school is not None else region
    if code and p.role is not Role.SCHOOL:
        chain = region_chain(code)
        names = dict(
            (await session.execute(select(Region.code, Region.name).where(Region.code.in_(chain)))).tuples().all()
        )
        crumbs += [Crumb(region_level(c), c, names[c], True) for c in chain if c in names and may_open_region(p, c)]
    if school is not None:
        crumbs.append(Crumb("school", school.code, school.name, True))
    if major is not None:
        crumbs.append(Crumb("major", major.code, major.name, True))
    return crumbs


# --- the data-quality panel --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SchoolQuality:
    """How complete one school's follow-up of a cohort is (percentages 0–100, one decimal, half up).

    - ``knowledge_rate`` 去向知晓率 = (毕业生数 − 去向未知) / 毕业生数 (NACE knowledge rate; the report's
      ``nace_knowledge_rate``), over the report's graduates (graduated by the as-of date);
    - ``unknown_share`` 去向未知占比 = 去向未知 / 毕业生数 (same denominator);
    - ``unconfirmed_share`` 未确认占比 = graduates whose counting destination on the as-of date is
      neither confirmed by the graduate nor verified by the school (核查) / the cohort's graduates on
      the follow-up list (erased graduates left out);
    - ``activated_share`` 账号激活率 = graduates of the cohort with an account / the cohort's graduates
      on the roster (:meth:`~service.signup.service.InvitationService.shares`).
    """

    rank: int
    school_code: str
    school_name: str
    graduates: int
    unknown: int
    knowledge_rate: float | None
    unknown_share: float | None
    followed: int
    unconfirmed: int
    unconfirmed_share: float | None
    roster: int
    activated: int
    activated_share: float | None


QUALITY_RULE = (
    "排名: 去向知晓率从高到低, 相同时未确认占比从低到高, 再按账号激活率从高到低. Ranked by knowledge rate "
    "(highest first), then by the unconfirmed share (lowest first), then by the share activated."
)


def _rank_key(q: SchoolQuality) -> tuple[float, float, float, str]:
    return (
        -(q.knowledge_rate or 0.0),
        q.unconfirmed_share if q.unconfirmed_share is not None else 100.0,
        -(q.activated_share or 0.0),
        q.school_code,
    )


async def data_quality_panel(session: AsyncSession, p: Principal, report: dict[str, Any]) -> list[SchoolQuality]:
    """The data-quality panel of the schools of ``report`` (an ``internal`` report: exact counts),
    ranked by how complete their follow-up is (:data:`QUALITY_RULE`). Only for readers who may read
    the graduates behind the report (:func:`service.reports.access.may_read_rows`); the page hides
    the panel from anyone else. Three queries besides the report.

    Raises:
        ValueError: ``report`` is a publish view (its suppressed counts cannot rank schools).
    """
    if report.get("view") != "internal":
        raise ValueError("the data-quality panel needs the internal view of the report")
    from service.signup.service import InvitationService

    rows = report["breakdowns"].get("school") or []
    codes = [str(r["key"]) for r in rows]
    schools = dict((await session.execute(select(School.code, School.id).where(School.code.in_(codes)))).tuples().all())
    cohort = report["cohorts"][0]
    day = dt.date.fromisoformat(report["as_of"])
    states = await confirmation_counts(session, p, cohort, list(schools.values()), day)
    roster: dict[int, list[int]] = {}
    for share in await InvitationService(session).shares(list(schools.values())):
        if share.cohort == cohort:
            tally = roster.setdefault(share.school_id, [0, 0])
            tally[0] += share.graduates
            tally[1] += share.activated
    out = []
    for r in rows:
        sid = schools[str(r["key"])]
        graduates, unknown = r["counts"]["graduates"], r["counts"]["unknown"]
        state = states.get(sid, {})
        followed = sum(state.values())
        unconfirmed = state.get(Confirmation.UNCONFIRMED, 0) + state.get(Confirmation.SELF_REPORTED, 0)
        on_roster, activated = roster.get(sid, [0, 0])
        out.append(
            SchoolQuality(
                0,
                str(r["key"]),
                r["label"],
                graduates,
                unknown,
                r["rates"]["nace_knowledge_rate"],
                percent(unknown, graduates),
                followed,
                unconfirmed,
                percent(unconfirmed, followed),
                on_roster,
                activated,
                percent(activated, on_roster),
            )
        )
    out.sort(key=_rank_key)
    return [replace(q, rank=i) for i, q in enumerate(out, start=1)]


def quality_json(panel: list[SchoolQuality]) -> list[dict[str, Any]]:
    """The panel as JSON-ready dicts (the API's body)."""
    from dataclasses import asdict

    return [asdict(q) for q in panel]


# --- the annual report ---------------------------------------------------------------------------------

#: Columns of the annual report's summary tables: (report column or rate, Chinese header).
ANNUAL_COUNTS = (
    ("graduates", "毕业生数"),
    ("employed", "直接就业"),
    ("further_study", "升学"),
    ("abroad", "出国、出境"),
    ("seeking", "待就业"),
    ("not_seeking", "暂不就业"),
    ("unknown", "去向未知"),
)
ANNUAL_RATES = (
    ("employment_rate", "就业率(%)"),
    ("placement_rate", "毕业去向落实率(%)"),
    ("further_study_rate", "升学率(%)"),
    ("in_field_rate", "对口就业率(%)"),
)
#: Sections of the annual report: (breakdown, Chinese title).
ANNUAL_SECTIONS = (("city", "分地区(市)"), ("county", "分地区(县区)"), ("school", "分学校"), ("major", "分专业"))


async def scope_name(session: AsyncSession, report_scope: str) -> str:
    """The name of a report scope: the school's or region's name, ``全部地区`` for ``all``."""
    kind, _, code = report_scope.partition(":")
    if kind == "school":
        return (await session.execute(select(School.name).where(School.code == code))).scalar_one_or_none() or code
    if kind == "region":
        return (await session.execute(select(Region.name).where(Region.code == code))).scalar_one_or_none() or code
    return "全部地区"


async def build_annual(session: AsyncSession, params: ReportParams, *, publish: bool) -> dict[str, Any]:
    """The annual report (中职毕业生就业质量年度报告) of ``params``: the report itself (every table and
    its definitions) and the trend of the total over :data:`TREND_YEARS` cohorts, with a title
    ``<scope name><cohort>届中等职业学校毕业生就业质量年度报告``. Same view rule as ``GET /reports``."""
    report = await build_report(session, params, publish=publish)
    trend = await build_trend(session, params, publish=publish, latest=report)
    name = await scope_name(session, str(params.scope))
    cohort = params.cohorts[0]
    return {
        "title": f"{name}{cohort}届中等职业学校毕业生就业质量年度报告",
        "scope_name": name,
        "cohort": cohort,
        "sections": [{"breakdown": b, "title": t} for b, t in ANNUAL_SECTIONS if report["breakdowns"].get(b)],
        "report": report,
        "trend": trend,
    }


def annual_row(row: dict[str, Any]) -> list[Any]:
    """One summary-table row: counts of :data:`ANNUAL_COUNTS`, rates of :data:`ANNUAL_RATES` and the
    median salary; ``None`` where the report hides or cannot give a figure."""
    return (
        [row["counts"].get(c) for c, _ in ANNUAL_COUNTS]
        + [row["rates"].get(r) for r, _ in ANNUAL_RATES]
        + [row["salary_median"]]
    )


ANNUAL_HEADER = ["名称", *(h for _, h in ANNUAL_COUNTS), *(h for _, h in ANNUAL_RATES), "起薪中位数(元/月)"]


def annual_xlsx(annual: dict[str, Any]) -> bytes:
    """The annual report as a workbook in the existing export style (:mod:`service.reports.export`):
    sheet 封面 (title, scope, cohort, view), 说明 (every definition), 总体, one sheet per section
    (分地区, 分学校, 分专业), 起薪分段 and 近五届趋势. Suppressed cells ``*``, unknown rates ``未知``;
    no cell is a formula."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    from service.reports.export import SUPPRESSED, UNKNOWN, _about, _append_text_safe

    report, trend = annual["report"], annual["trend"]

    def show(row: dict[str, Any]) -> list[Any]:
        values = annual_row(row)
        unknown = {
            i for i, (r, _) in enumerate(ANNUAL_RATES, start=len(ANNUAL_COUNTS)) if r in row.get("unknown_rates", ())
        }
        return [UNKNOWN if i in unknown else SUPPRESSED if v is None else v for i, v in enumerate(values)]

    def table(title: str, rows: list[dict[str, Any]], first: str = "名称") -> None:
        ws = wb.create_sheet(title)
        _append_text_safe(ws, [first, *ANNUAL_HEADER[1:]])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            _append_text_safe(ws, [row["label"], *show(row)])
        ws.column_dimensions["A"].width = 30
        ws.freeze_panes = "B2"

    wb = Workbook()
    cover = wb.active
    assert isinstance(cover, Worksheet)  # a new workbook's one sheet
    cover.title = "封面"
    _append_text_safe(cover, [annual["title"]])
    cover["A1"].font = Font(bold=True, size=14)
    for line in (
        ("范围 scope", annual["scope_name"]),
        ("届别 cohort", f"{annual['cohort']}届"),
        ("统计日 as of", report["as_of"]),
        ("数据截至 recorded before", report["recorded_before"]),
        ("视图 view", f"{report['view']}: {report['view_note']}"),
    ):
        _append_text_safe(cover, list(line))
    cover.column_dimensions["A"].width = 28
    cover.column_dimensions["B"].width = 100
    about = wb.create_sheet("说明")
    for line in _about(report):
        _append_text_safe(about, list(line))
    _append_text_safe(about, ["近五届趋势 trend", trend["trend_rule"]])
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 120
    table("总体", report["breakdowns"]["total"])
    for section in annual["sections"]:
        table(section["title"], report["breakdowns"][section["breakdown"]])
    bands = report["definitions"]["salary_bands"]
    ws = wb.create_sheet("起薪分段")
    _append_text_safe(ws, ["名称", "起薪已知", *(b["label"] for b in bands)])
    for row in report["breakdowns"]["total"] + report["breakdowns"].get("major", []):
        _append_text_safe(
            ws,
            [
                row["label"],
                *(
                    SUPPRESSED if row["counts"][c] is None else row["counts"][c]
                    for c in ("salary_known", *(b["column"] for b in bands))
                ),
            ],
        )
    table("近五届趋势", trend["breakdowns"]["cohort"], first="届别")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
