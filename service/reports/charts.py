"""Rendered report charts (SVG) for the school dashboard, drawn from the figures of a built report.

:func:`chart_svg` turns a report dict (:func:`service.reports.build.build_report`, or a stored
snapshot's ``data``) into SVG bytes: a bar chart of one figure for each group of one breakdown.
It is pure (no database, no files) and computes nothing new: every bar is a published figure of
the report, so a chart always agrees with the JSON/CSV/XLSX export of the same report.

- Text stays text (``svg.fonttype = "none"``): the browser renders the Chinese labels with its own
  fonts, so the server needs no CJK font. The ``font-family`` list names common CJK fonts first.
  Layout is computed from estimated widths (a CJK character = 1 em), not from server fonts.
- Each chart has a title, and a caption with the figure's definition, the scope (its name when given), cohorts, the
  as-of date (统计日) and the knowledge cut-off (数据截至).
- A suppressed figure is drawn as the words 已抑制 in its slot (SVG group ``suppressed-<i>``), never
  as a zero-height bar; a figure with a zero denominator as 无数据 (group ``nodata-<i>``). Bars are
  groups ``bar-<i>`` (``bar-<i>-<column>`` for salary bands), value labels ``value-<i>``.
- Bars start at 0 on a linear axis, so their heights are proportional to the figures.

Thread safety: figures are built with matplotlib's object API (``Figure`` + the SVG canvas, never
pyplot). matplotlib reads ``svg.fonttype`` and the font settings from its process-wide
``rcParams`` while drawing, so rendering sets them with ``rc_context`` (restored afterwards) under
a module lock: renders are serialised and no setting outlives a call.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import threading
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

from service.config import ZONE
from service.reports.compute import BREAKDOWNS
from service.reports.definitions import RATES

BY_ZH = {
    "total": "合计",
    "province": "省",
    "city": "市",
    "county": "县区",
    "school": "学校",
    "major": "专业",
    "cohort": "届别",
    "gender": "性别",
    "disadvantaged": "困难群体",
}
SUPPRESSED_TEXT = "已抑制"
NO_DATA_TEXT = "无数据"
SALARY_MEDIAN_DEFINITION = (
    "起薪中位数: 直接就业且起薪已知的毕业生月薪 (元/月) 的中位数, 四舍五入到元; 起薪已知人数小于阈值时不公布"
)
SALARY_BANDS_DEFINITION = "起薪分段: 直接就业且起薪已知的毕业生人数, 按月薪 (元/月, 整数, 含上限) 分段: "


def _bands(report: dict[str, Any]) -> list[tuple[str, str]]:
    """The report's salary bands: (column, label), as its definitions give them."""
    return [(b["column"], b["label"]) for b in report["definitions"]["salary_bands"]]


#: metric → (Chinese name, unit shown on the axis)
METRICS: dict[str, tuple[str, str]] = {
    **{name: (rate.zh, "%") for name, rate in RATES.items()},
    "salary_median": ("起薪中位数", "元/月"),
    "salary_bands": ("起薪分段人数", "人"),
}
CHART_BY = ("total", *BREAKDOWNS)
#: Chart languages: ``zh`` (default) and ``en`` (titles, axis labels, markers and caption in English).
LANGS = ("zh", "en")
BY_EN = {
    "total": "total",
    "province": "province",
    "city": "city",
    "county": "county",
    "school": "school",
    "major": "major",
    "cohort": "cohort",
    "gender": "gender",
    "disadvantaged": "disadvantaged group",
}
SUPPRESSED_EN = "suppressed"
NO_DATA_EN = "no data"
#: metric → (English name, unit shown on the axis) for ``lang="en"``
METRICS_EN: dict[str, tuple[str, str]] = {
    "employment_rate": ("Employment rate", "%"),
    "placement_rate": ("Placement rate", "%"),
    "in_field_rate": ("In-field employment rate", "%"),
    "further_study_rate": ("Further-study rate", "%"),
    "local_rate": ("Local employment rate", "%"),
    "labour_contract_rate": ("Labour-contract rate", "%"),
    "social_insurance_rate": ("Social-insurance rate", "%"),
    "nace_knowledge_rate": ("NACE knowledge rate", "%"),
    "nace_career_outcomes_rate": ("NACE career outcomes rate", "%"),
    "q2_employment_rate": ("Employment rate, 2nd quarter after graduation", "%"),
    "q4_employment_rate": ("Employment rate, 4th quarter after graduation", "%"),
    "salary_median": ("Median starting salary", "yuan/month"),
    "salary_bands": ("Graduates per starting-salary band", "graduates"),
}
_UNIT_EN = {"%": "%", "元/月": "yuan/month", "人": "graduates"}
_YLABEL = {
    "zh": {"%": "百分比 (%)", "元/月": "元/月", "人": "人数"},
    "en": {"%": "percent (%)", "元/月": "yuan/month", "人": "graduates"},
}

_FONTS = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "PingFang SC",
    "Microsoft YaHei",
    "WenQuanYi Micro Hei",
    "DejaVu Sans",
]
_RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",
    "svg.hashsalt": "vocmatch-chart",
    "font.family": "sans-serif",
    "font.sans-serif": _FONTS,
    "font.size": 9.0,
    "axes.titlesize": 12.0,
}
_LOCK = threading.Lock()
_BAR = "#2b6cb0"


def _band_colour(j: int, n: int) -> Any:
    """Colour of band ``j`` of ``n``: light to dark blue, spread over however many bands the setting gives."""
    from matplotlib import colormaps

    return colormaps["Blues"](0.25 + 0.7 * j / max(n - 1, 1))


_MUTED = "#6b7280"
_PT = 1 / 72  # inch per point

# layout, inches
_PLOT_H = 3.2
_LEFT = 0.9
_RIGHT = 0.3
_FONT_PT = 9.0
_CAPTION_PT = 8.0


@dataclass(frozen=True, slots=True)
class _Slot:
    """One bar (or one band of a group): the value, or why there is none."""

    value: float | None
    suppressed: bool


def _em(text: str) -> float:
    """Estimated width of ``text`` in em: wide (CJK) characters 1 em, others 0.55 em."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.55 for ch in text)


_TOKEN = re.compile(r"[0-9A-Za-z.,:;()/%+\-–=*'_]+\s*|\s+|.")


def _wrap(text: str, width_in: float, size_pt: float) -> list[str]:
    """Split ``text`` into lines that fit ``width_in`` inches at ``size_pt`` (by estimated width),
    breaking between CJK characters or between Latin words and numbers, not inside them."""
    limit = max(10.0, width_in / (size_pt * _PT))
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for token in _TOKEN.findall(para):
            if line and _em(line + token.rstrip()) > limit:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line += token
        lines.append(line.rstrip())
    return lines


def _rate_slot(row: dict[str, Any], metric: str) -> _Slot:
    hidden = set(row["suppressed"])
    value = row["rates"][metric]
    return _Slot(value, value is None and any(c in hidden for c in RATES[metric].columns))


def _median_slot(row: dict[str, Any]) -> _Slot:
    value = row["salary_median"]
    known = row["counts"]["salary_known"]
    # hidden count, or too few known salaries to publish a median (see build._row)
    return _Slot(value, value is None and (known is None or known > 0))


def _format(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.1f}%"
    return f"{value:,.0f}"


def _validate(report: dict[str, Any], metric: str, by: str) -> None:
    if metric not in METRICS:
        raise ValueError(f"metric {metric!r} is not charted; choose one of {', '.join(METRICS)}")
    if by not in CHART_BY:
        raise ValueError(f"by {by!r} is not a breakdown; choose one of {', '.join(CHART_BY)}")
    if by not in report.get("breakdowns", {}):
        raise ValueError(f"the report has no breakdown {by!r}")


def when_text(value: Any, lang: str = "zh") -> str:
    """A timestamp (ISO text or datetime; naive = UTC) as a date-time to the minute in Asia/Shanghai:
    ``2026-11-29T15:01:13.502744+00:00`` → ``2026-11-29 23:01 (北京时间)`` / ``(Beijing time)``.
    Text that is not a timestamp is returned unchanged."""
    try:
        moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    zone = "北京时间" if lang == "zh" else "Beijing time"
    return f"{moment.astimezone(ZONE):%Y-%m-%d %H:%M} ({zone})"


def _caption(
    report: dict[str, Any],
    metric: str,
    any_suppressed: bool,
    any_missing: bool,
    lang: str = "zh",
    scope_name: str | None = None,
) -> str:
    en = lang == "en"
    if metric in RATES:
        definition = (
            (f"Definition: {METRICS_EN.get(metric, (metric, ''))[0]} ({RATES[metric].zh}) = {RATES[metric].definition}")
            if en
            else f"定义: {RATES[metric].zh} = {RATES[metric].definition}"
        )
    elif metric == "salary_median":
        definition = (
            (
                "Definition: median monthly starting salary (yuan/month) of directly employed graduates "
                "whose salary is known, rounded to the yuan; not published when too few salaries are known"
            )
            if en
            else "定义: " + SALARY_MEDIAN_DEFINITION
        )
    else:
        labels = ", ".join(label for _, label in _bands(report))
        definition = (
            (
                "Definition: directly employed graduates with a known starting salary, per monthly band "
                "(whole yuan/month, upper bound included): " + labels
            )
            if en
            else "定义: " + SALARY_BANDS_DEFINITION + labels
        )
    scope = scope_name or (("all schools" if en else "全部学校") if report["scope"] == "all" else report["scope"])
    cut_off = when_text(report["recorded_before"], lang)
    if en:
        cohorts = ", ".join(f"class of {c}" for c in report["cohorts"])
        lines = [definition, f"As of {report['as_of']} · {scope} · {cohorts} · data recorded before {cut_off}"]
    else:
        cohorts = "、".join(f"{c}届" for c in report["cohorts"])
        lines = [definition, f"统计日 (as of) {report['as_of']} · 范围 {scope} · {cohorts} · 数据截至 {cut_off}"]
    if any_suppressed:
        lines.append(
            f"{SUPPRESSED_EN}: cells of 1 to {report['threshold'] - 1} graduates, and the cells hidden "
            "with them so that none can be worked out by subtraction, are not published; not 0."
            if en
            else f"{SUPPRESSED_TEXT}: 人数为 1 至 {report['threshold'] - 1} 的格子及为防相减推算而一并隐藏的格子不公布"
            " (small-cell suppression), 不是 0."
        )
    if any_missing:
        lines.append(
            f"{NO_DATA_EN}: the denominator is 0, the rate is undefined."
            if en
            else f"{NO_DATA_TEXT}: 分母为 0, 比率无定义."
        )
    return "\n".join(lines)


def chart_svg(report: dict[str, Any], metric: str, by: str, lang: str = "zh", scope_name: str | None = None) -> bytes:
    """An SVG bar chart (UTF-8 bytes) of ``metric`` for every group of breakdown ``by`` in ``report``.

    Args:
        report: a report as built by :func:`service.reports.build.build_report` (or a snapshot's data).
        metric: a rate of :data:`service.reports.definitions.RATES` (percent, 0–100, e.g.
            ``employment_rate`` 就业率, ``in_field_rate`` 对口就业率), ``salary_median`` (元/月) or
            ``salary_bands`` (graduates per starting-salary band, grouped bars).
        by: ``total`` or a breakdown of :data:`service.reports.compute.BREAKDOWNS` (``major``,
            ``cohort``, ``school`` …).
        lang: ``zh`` (default) or ``en``: the language of the title, axis label, the 已抑制/无数据
            markers (``suppressed``/``no data``) and the caption; group labels are the report's.
        scope_name: the school's or region's name for the caption (default: the scope as in the
            report, e.g. ``school:4144010001``). The cut-off is shown to the minute in Asia/Shanghai.

    Raises:
        ValueError: unknown ``metric``, ``by`` or ``lang`` (the message lists the accepted values).
    """
    _validate(report, metric, by)
    if lang not in LANGS:
        raise ValueError(f"lang {lang!r} is not supported; choose one of {', '.join(LANGS)}")
    rows: Sequence[dict[str, Any]] = report["breakdowns"][by]
    with _LOCK, matplotlib.rc_context(_RC), warnings.catch_warnings():
        # the server's fonts lack CJK glyphs; only their widths were wanted (text stays text)
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)
        fig = _draw(report, rows, metric, by, lang, scope_name)
        buf = io.BytesIO()
        fig.savefig(
            buf, format="svg", metadata={"Date": None, "Creator": "vocmatch", "Title": _title(metric, by, lang)}
        )
    return buf.getvalue()


def _title(metric: str, by: str, lang: str = "zh") -> str:
    if lang == "en":
        name, unit = METRICS_EN.get(metric, (metric.replace("_", " "), _UNIT_EN[METRICS[metric][1]]))
        return f"{name} ({unit}) · by {BY_EN[by]}" if by != "total" else f"{name} ({unit}) · total"
    name, unit = METRICS[metric]
    return f"{name} ({unit}) · 按{BY_ZH[by]}" if by != "total" else f"{name} ({unit}) · 合计"


def _draw(
    report: dict[str, Any],
    rows: Sequence[dict[str, Any]],
    metric: str,
    by: str,
    lang: str = "zh",
    scope_name: str | None = None,
) -> Figure:
    suppressed_text, no_data_text = (SUPPRESSED_EN, NO_DATA_EN) if lang == "en" else (SUPPRESSED_TEXT, NO_DATA_TEXT)
    unit = METRICS[metric][1]
    labels = [str(r["label"]) for r in rows]
    if metric == "salary_bands":
        bands = _bands(report)
        series = [[_Slot(r["counts"][col], r["counts"][col] is None) for col, _ in bands] for r in rows]
        slot_w = 0.22 * len(bands) + 0.35
        legend_w = 3 * max(_em(label) + 4.0 for _, label in bands) * (_FONT_PT - 1) * _PT
    else:
        pick = _median_slot if metric == "salary_median" else (lambda r: _rate_slot(r, metric))
        series = [[pick(r)] for r in rows]
        slot_w = 0.62
        legend_w = 0.0
    n = max(len(rows), 1)
    plot_w = max(5.2, n * slot_w, legend_w)
    width = _LEFT + plot_w + _RIGHT
    longest = max((_em(t) for t in labels), default=0.0) * _FONT_PT * _PT
    rotate = longest > slot_w * 0.92
    label_h = (longest * 0.72 + 0.2) if rotate else 0.3
    caption = _caption(
        report,
        metric,
        any(s.suppressed for g in series for s in g),
        any(s.value is None and not s.suppressed for g in series for s in g),
        lang,
        scope_name,
    )
    cap_lines = _wrap(caption, width - 0.4, _CAPTION_PT)
    cap_h = len(cap_lines) * _CAPTION_PT * 1.45 * _PT + 0.15
    top = 1.05 if metric == "salary_bands" else 0.6
    height = top + _PLOT_H + label_h + cap_h
    fig = Figure(figsize=(width, height))
    FigureCanvasSVG(fig)
    ax = fig.add_axes((_LEFT / width, (label_h + cap_h) / height, plot_w / width, _PLOT_H / height))
    fig.text(
        0.2,
        height - 0.2,
        _title(metric, by, lang),
        transform=fig.dpi_scale_trans,
        fontsize=12,
        va="top",
        weight="bold",
        gid="title",
    )
    for i, line in enumerate(cap_lines):
        fig.text(
            0.2,
            cap_h - 0.1 - i * _CAPTION_PT * 1.45 * _PT,
            line,
            transform=fig.dpi_scale_trans,
            fontsize=_CAPTION_PT,
            va="top",
            color="#374151",
            gid=f"caption-{i}",
        )
    values = [s.value for g in series for s in g if s.value is not None]
    top_value = 100.0 if unit == "%" else max([*values, 1.0])
    ymax = top_value * 1.12
    ax.set_ylim(0, ymax)
    ax.set_xlim(-0.5, n - 0.5)
    if unit == "人":
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(_YLABEL[lang][unit])
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_xticks(
        range(len(rows)),
        labels,
        rotation=45 if rotate else 0,
        ha="right" if rotate else "center",
        rotation_mode="anchor" if rotate else "default",
    )
    width_each = 0.7 / len(series[0]) if series else 0.7
    for i, group in enumerate(series):
        for j, slot in enumerate(group):
            x = i - 0.35 + width_each * (j + 0.5)
            suffix = f"{i}" if len(group) == 1 else f"{i}-{bands[j][0]}"
            if slot.value is None:
                ax.text(
                    x,
                    ymax * 0.01,
                    suppressed_text if slot.suppressed else no_data_text,
                    rotation=90,
                    ha="center",
                    va="bottom",
                    color=_MUTED,
                    fontsize=_FONT_PT - 1,
                    gid=f"{'suppressed' if slot.suppressed else 'nodata'}-{suffix}",
                )
                continue
            colour = _BAR if len(group) == 1 else _band_colour(j, len(group))
            (bar,) = ax.bar([x], [slot.value], width=width_each * 0.92, color=colour)
            bar.set_gid(f"bar-{suffix}")
            ax.text(
                x,
                slot.value + ymax * 0.01,
                _format(slot.value, unit),
                ha="center",
                va="bottom",
                fontsize=_FONT_PT - (2 if len(group) > 1 else 1),
                gid=f"value-{suffix}",
            )
    if metric == "salary_bands":
        handles = [Patch(color=_band_colour(j, len(bands)), label=label) for j, (_, label) in enumerate(bands)]
        ax.legend(
            handles=handles, loc="lower left", bbox_to_anchor=(0, 1.01), ncol=3, frameon=False, fontsize=_FONT_PT - 1
        )
    if not rows:
        ax.text(0, ymax / 2, no_data_text, ha="center", color=_MUTED, gid="nodata-all")
    return fig
