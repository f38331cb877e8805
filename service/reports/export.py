"""Report exports: JSON, CSV (UTF-8 with BOM, Chinese headers) and XLSX (one sheet per breakdown).

Suppressed cells are written as ``*`` in CSV/XLSX (``null`` in JSON), rates over a mostly
unrecorded fact as ``未知`` (``null`` and listed in the row's ``unknown_rates`` in JSON); the 说明 sheet / the
``definitions`` object explains the figures, the precedence, rounding and suppression rules.

No export carries a formula (OWASP "CSV Injection"): a CSV text cell beginning with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return is prefixed with ``'`` (:func:`neutralise`); XLSX text
cells are written as strings, never formulas, and such a cell also gets Excel's quote prefix, so
it stays text when edited. Labels come from stored data (school, major and region names), which
a hostile user may have chosen.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from service.reports.definitions import RATES

BREAKDOWN_ZH = {
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
SUPPRESSED = "*"
#: A rate over a fact unrecorded for most of its denominator (not suppressed: not known).
UNKNOWN = "未知"
#: First characters that make a spreadsheet read a text cell as a formula (OWASP "CSV Injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """``value`` with ``'`` in front if it is text beginning with one of :data:`FORMULA_TRIGGERS`
    (OWASP's escaping for CSV); numbers and other values unchanged."""
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) else value


def _append_text_safe(ws: Any, values: list[Any]) -> None:
    """Append a row to an openpyxl sheet with every text cell a string (openpyxl would store a text
    beginning with ``=`` as a formula), quote-prefixed when it begins with a formula trigger."""
    ws.append(values)
    for cell in ws[ws.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if cell.value.startswith(FORMULA_TRIGGERS):
                cell.quotePrefix = True


def header(report: dict[str, Any]) -> list[str]:
    """Chinese column headers of a breakdown table (the report's own count columns)."""
    return (
        ["分组", "名称"]
        + list(report["definitions"]["columns"].values())
        + [f"{r.zh}(%)" for r in RATES.values()]
        + ["起薪中位数(元/月)"]
    )


def _cells(row: dict[str, Any], columns: dict[str, str]) -> list[Any]:
    def show(v: Any) -> Any:
        return SUPPRESSED if v is None else v

    return (
        [str(row["key"]), row["label"]]
        + [show(row["counts"][c]) for c in columns]
        + [UNKNOWN if r in row.get("unknown_rates", ()) else show(row["rates"][r]) for r in RATES]
        + [show(row["salary_median"])]
    )


def _about(report: dict[str, Any]) -> list[tuple[str, str]]:
    """The 说明 sheet. Snapshots stored before a definition existed lack it: such lines are left out."""
    d = report["definitions"]
    bands = d.get("salary_bands", ())
    lines = [
        ("视图 view", f"{report.get('view', 'publish')}: {report.get('view_note', '')}".rstrip(": ")),
        ("范围 scope", report["scope"]),
        ("届别 cohorts", ",".join(map(str, report["cohorts"]))),
        ("统计日 as of", report["as_of"]),
        ("数据截至 recorded before", report["recorded_before"]),
        ("抑制阈值 threshold", "—" if report["threshold"] is None else str(report["threshold"])),
        ("未计入(未毕业或无毕业日期)", str(report["excluded_not_graduated"])),
        ("计数规则 precedence", d["precedence"]),
        ("分母 denominator", d["denominator"]),
        *((f"分母 {k}", v) for k, v in d.get("denominators", {}).items()),
        *((("未记录 unknown", d["unknown"]),) if "unknown" in d else ()),
        ("取整 rounding", d["rounding"]),
        *(
            (("起薪分段 salary bands", d.get("salary_bands_rule", "") + " " + ", ".join(b["label"] for b in bands)),)
            if bands
            else ()
        ),
        ("抑制 suppression", d["suppression"] + f" 被抑制的格子显示为 {SUPPRESSED}"),
    ]
    lines += [(f"{v['name']} {k}", v["definition"]) for k, v in d["rates"].items()]
    lines += [
        (f"NACE {k}", f"{v['nace']} (career outcome: {v['career_outcome']})") for k, v in d["nace_mapping"].items()
    ]
    lines += [("来源 source", s) for s in d["sources"]]
    return lines


def to_json(report: dict[str, Any]) -> bytes:
    return json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8")


def to_csv(report: dict[str, Any]) -> bytes:
    """All breakdowns in one table, the first column naming the breakdown (UTF-8 with BOM for Excel)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([neutralise(v) for v in ["分组维度", *header(report)]])
    columns = report["definitions"]["columns"]
    for name, rows in report["breakdowns"].items():
        for row in rows:
            w.writerow([neutralise(v) for v in [BREAKDOWN_ZH[name], *_cells(row, columns)]])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: dict[str, Any]) -> bytes:
    """A workbook: sheet 说明 (definitions), then one sheet per breakdown with Chinese headers."""
    wb = Workbook()
    about = wb.active
    assert isinstance(about, Worksheet)  # a new workbook's one sheet
    about.title = "说明"
    for line in _about(report):
        _append_text_safe(about, list(line))
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 120
    for name, rows in report["breakdowns"].items():
        ws = wb.create_sheet(BREAKDOWN_ZH[name])
        _append_text_safe(ws, header(report))
        for row in rows:
            _append_text_safe(ws, _cells(row, report["definitions"]["columns"]))
        ws.freeze_panes = "C2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


FORMATS = {
    "json": (to_json, "application/json"),
    "csv": (to_csv, "text/csv; charset=utf-8"),
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
