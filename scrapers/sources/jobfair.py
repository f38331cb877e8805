"""Job-fair spreadsheets (招聘会岗位信息表) as public employment services publish them.

Files: ``.xlsx`` (read with openpyxl, streaming, within :mod:`scrapers.workbook`'s limits) and ``.csv`` (UTF-8 with or without BOM, or GB18030; see
:mod:`scrapers.csvio`). Every sheet whose header is recognised is read; a title row above the
header (``2026年春季招聘会岗位信息表``, merged across) is skipped: the header is the first of the
first ten rows naming at least two known columns.

Header wording varies; :data:`SYNONYMS` maps each item field to its accepted names (compared
without spaces, line breaks or a bracketed unit such as ``（人）``). Cells merged over several
rows (an employer with several positions) give every row the merged value; in CSV exports of
such sheets the employer-level cells are blank below the first row, so a blank employer-level
cell (:data:`EMPLOYER_FIELDS`) takes the value of the row above. Dates may be real dates, Excel
serial numbers (days since 1899-12-30, 1900 date system) or date texts.

A row without a title is rejected by the pipeline with its row number; the rest are kept.
``row`` is the row number Excel shows (1-based, title rows included).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from scrapers.csvio import UnreadableFileError, read_text
from scrapers.items import Issue, PostingItem
from scrapers.jobposting.dates import DateError, parse_when
from scrapers.sources.job51 import posting_key

SOURCE = "jobfair"
SYNONYMS: dict[str, tuple[str, ...]] = {
    "employer_name": ("单位名称", "企业名称", "用人单位", "招聘单位", "公司名称", "企业", "单位"),
    "title": ("岗位", "招聘岗位", "岗位名称", "职位", "职位名称", "招聘职位", "工种", "需求岗位"),
    "openings": ("人数", "招聘人数", "需求人数", "岗位人数", "计划招聘人数", "数量"),
    "education_text": ("学历要求", "学历", "文化程度", "最低学历"),
    "salary_text": ("薪资待遇", "薪资", "薪酬", "薪酬待遇", "工资待遇", "工资", "月薪", "待遇", "薪资范围"),
    "experience_text": ("工作经验", "经验要求", "经验"),
    "location_text": ("工作地点", "工作地址", "所在地区", "地区", "单位地址", "地址"),
    "contact": ("联系人",),
    "phone": ("联系电话", "电话", "联系方式", "手机"),
    "requirements": ("岗位要求", "任职要求", "岗位职责", "岗位描述", "职位描述", "其他要求", "备注"),
    "major": ("专业要求", "专业"),
    "age": ("年龄要求", "年龄"),
    "employer_industry": ("所属行业", "行业"),
    "posted_on": ("发布日期", "发布时间", "招聘会日期", "日期"),
    "valid_through": ("截止日期", "有效期至", "截止时间", "有效期"),
}
EMPLOYER_FIELDS = ("employer_name", "contact", "phone", "location_text", "employer_industry")
_BRACKETED = re.compile(r"[（(【\[][^）)】\]]*[）)】\]]")
_HEADCOUNT = re.compile(r"^(\d+)\s*(人|名)?")
_VAGUE_COUNT = re.compile(r"若干|不限|多名|数名")


def _norm(header: object) -> str:
    text = unicodedata.normalize("NFKC", str(header or ""))
    return _BRACKETED.sub("", re.sub(r"\s+", "", text)).rstrip(":：*")


_LOOKUP = {_norm(name): field for field, names in SYNONYMS.items() for name in names}


def map_header(cells: Sequence[object]) -> dict[int, str]:
    """Column index → item field for the cells of a header row (unknown columns left out; the
    first column naming a field wins)."""
    mapping: dict[int, str] = {}
    for index, cell in enumerate(cells):
        field = _LOOKUP.get(_norm(cell))
        if field and field not in mapping.values():
            mapping[index] = field
    return mapping


def excel_date(value: object) -> dt.date | None:
    """A date cell: a date/datetime, an Excel serial number (1900 system, 1954–2173 accepted) or a
    date text. Raises :class:`~scrapers.jobposting.dates.DateError` for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\d{5}(\.\d+)?", value.strip()):
        number = float(value)
    if number is not None:
        if not 20000 <= number <= 100000:
            raise DateError(f"{value!r} is not a date (an Excel serial date lies between 20000 and 100000)")
        return dt.date(1899, 12, 30) + dt.timedelta(days=int(number))
    parsed = parse_when(str(value))
    return parsed.date() if isinstance(parsed, dt.datetime) else parsed


def _find_header(rows: list[tuple[int, list[object]]]) -> tuple[int, dict[int, str]] | None:
    for position, (_, cells) in enumerate(rows[:10]):
        mapping = map_header(cells)
        if len(mapping) >= 2 and "title" in mapping.values():
            return position, mapping
    return None


def _xlsx_sheets(path: Path) -> Iterator[tuple[str, list[tuple[int, list[object]]]]]:
    """Every sheet's non-empty rows, merged ranges filled, read at a bounded cost
    (:mod:`scrapers.workbook`: a hostile file is refused naming the limit it passes)."""
    from scrapers.workbook import WorkbookError, open_workbook, read_sheet

    try:
        book = open_workbook(path.read_bytes())
        try:
            sheets = [read_sheet(book, sheet) for sheet in book.worksheets]
        finally:
            book.close()
    except WorkbookError as exc:
        raise UnreadableFileError(str(exc)) from exc
    for sheet in sheets:
        yield sheet.title, [(number, [value for value, _ in cells]) for number, cells in sheet.rows]


def _csv_sheet(path: Path) -> Iterator[tuple[str, list[tuple[int, list[object]]]]]:
    import csv
    import io

    text, _ = read_text(path)
    yield path.name, [(n, list(cells)) for n, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1)]


def _cell(cells: list[object], index: int) -> Any:
    value = cells[index] if index < len(cells) else None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class JobFairSheet:
    """Postings from a job-fair spreadsheet (``.xlsx`` or ``.csv``) as a pipeline source.

    Raises (when iterated):
        UnreadableFileError: not a workbook/CSV, or no sheet has a recognisable header (the
            message lists the accepted column names).
    """

    name = SOURCE

    def __init__(self, path: Path, source: str = SOURCE) -> None:
        self.path, self.name = Path(path), source
        self.rows_read = 0

    def __iter__(self) -> Iterator[PostingItem | Issue]:
        sheets = list(
            _xlsx_sheets(self.path) if self.path.suffix.lower() in (".xlsx", ".xlsm") else _csv_sheet(self.path)
        )
        readable = [(name, rows, header) for name, rows in sheets if (header := _find_header(rows)) is not None]
        for sheet_name, rows, (position, mapping) in readable:
            prefix = f"{sheet_name}!" if len(readable) > 1 else ""  # name the sheet when there are several
            labels = {field: str(rows[position][1][i]).strip() for i, field in mapping.items()}
            carried: dict[str, Any] = {}
            for number, cells in rows[position + 1 :]:
                values = {field: _cell(cells, i) for i, field in mapping.items()}
                if all(v is None for v in values.values()):
                    continue
                if values.get("employer_name") is not None:
                    carried = {}  # a new employer: nothing of the previous one carries over
                for field in EMPLOYER_FIELDS:
                    if values.get(field) is None and field in carried and field in mapping.values():
                        values[field] = carried[field]
                    elif values.get(field) is not None:
                        carried[field] = values[field]
                self.rows_read += 1
                yield self._item(number, values, {k: prefix + v for k, v in labels.items()})
        if not readable:
            accepted = "、".join(names[0] for names in SYNONYMS.values())
            raise UnreadableFileError(
                f"no sheet has a 招聘会岗位信息表 header (a 岗位 column and one more of: {accepted})"
            )

    def _item(self, row: int, v: dict[str, Any], labels: dict[str, str]) -> PostingItem:
        def text(field: str) -> str | None:
            value = v.get(field)
            return None if value is None else " ".join(str(value).split())

        employer, title, location = text("employer_name"), text("title") or "", text("location_text")
        item = PostingItem(
            source=self.name,
            external_id=posting_key(employer, title, location, None),
            row=row,
            title=title,
            employer_name=employer,
            location_text=location,
            salary_text=_salary_text(v.get("salary_text")),
            education_text=text("education_text"),
            experience_text=text("experience_text"),
            employer_industry=text("employer_industry"),
            columns=labels,
        )
        self._openings(item, v.get("openings"))
        for field in ("posted_on", "valid_through"):
            try:
                setattr(item, field, excel_date(v.get(field)))
            except DateError as exc:
                item.warn(item.column(field), str(exc))
        if item.valid_through is not None:
            from scrapers.jobposting.dates import closing_instant

            item.expires_at = closing_instant(item.valid_through)
        lines = [
            f"{label}：{value}"
            for label, value in (
                ("岗位要求", text("requirements")),
                ("专业要求", text("major")),
                ("年龄要求", text("age")),
                ("联系人", text("contact")),
                ("联系电话", text("phone")),
            )
            if value
        ]
        item.description = "\n".join(lines)
        return item

    @staticmethod
    def _openings(item: PostingItem, value: object) -> None:
        if value is None:
            return
        if isinstance(value, int | float) and not isinstance(value, bool):
            item.openings = max(1, int(value))
            return
        text = unicodedata.normalize("NFKC", str(value)).strip()
        if m := _HEADCOUNT.match(text):
            item.openings = max(1, int(m.group(1)))
        elif not _VAGUE_COUNT.search(text):
            item.warn(item.column("openings"), f"人数 {text!r} is not a number; left open")


def _salary_text(value: object) -> str | None:
    """A salary cell; a bare number from Excel (4500.0) stays a bare number (no unit is guessed)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())
