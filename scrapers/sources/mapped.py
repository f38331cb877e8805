"""Any board's CSV/XLSX export, read through a column mapping (``vocmatch import FILE --mapping M``).

A mapping is a small TOML (or JSON) file naming which column of the export holds what::

    # boss.toml: a BOSS直聘 export
    source = "boss"                  # the board; stored as the postings' source (≤ 32 characters)
    # sheet = "职位"                  # .xlsx: the sheet to read (default: the first)
    # country = "CN"                 # ISO 3166-1 code of the postings (default CN)

    [columns]                        # field = "the column's name in the header row"
    title = "职位名称"                # the only required field
    employer = "公司名称"
    salary = "薪资"                   # a salary text: 8-12K, 1-1.5万·13薪, 200元/天, 8000+, ¥8000-12000
    city = "城市"                     # or a fuller place: 江苏省苏州市昆山市, 上海·浦东新区
    skills = "技能标签"               # several skills, split on 、,，;；/| and line breaks
    date = "发布日期"                 # the posting date: 2026-03-01, 2026/3/1, 2026年3月1日, an Excel date
    url = "职位链接"
    id = "职位ID"                     # the board's id of the posting

Optional fields: ``description``, ``education`` (学历), ``experience`` (工作经验), ``address``,
``industry``, ``openings`` (招聘人数), ``valid_through`` (截止日期) and ``reference`` (the
employer's requisition or reference number, which keeps two vacancies with the same title apart;
see :mod:`scrapers.dedupe`). :data:`FIELDS` lists them all.

The header row is the first of the first ten rows naming the title column (a title row above it
is skipped). Columns are compared as written, else ignoring case, width and spaces. A posting's
``external_id`` is its ``id``, else its URL (tracking parameters removed), else a SHA-256 of
employer, title, place, date and reference. ``row`` is the row number a spreadsheet shows.

Every problem with the mapping itself is a :class:`MappingError` that says what is wrong and lists
the columns found; :func:`suggest_mapping` guesses a mapping from a header, for that message.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tomllib
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapers.csvio import UnreadableFileError, read_text
from scrapers.items import Issue, PostingItem
from scrapers.jobposting.dates import DateError, closing_instant
from scrapers.sources.jobfair import excel_date
from scrapers.urls import canonical_url

#: mapping field → (item field, what it is); ``title`` is required
FIELDS: dict[str, tuple[str, str]] = {
    "title": ("title", "职位名称 the job title (required)"),
    "employer": ("employer_name", "公司 the employer"),
    "salary": ("salary_text", "薪资 the salary text"),
    "city": ("location_text", "城市/地区 the place of work"),
    "skills": ("skills", "技能 skills, several per cell"),
    "date": ("posted_on", "发布日期 the posting date"),
    "url": ("source_url", "链接 the posting's address"),
    "id": ("external_id", "职位ID the board's id of the posting"),
    "description": ("description", "职位描述 the description"),
    "education": ("education_text", "学历 the education required"),
    "experience": ("experience_text", "经验 the experience required"),
    "address": ("address", "地址 the street address"),
    "industry": ("employer_industry", "行业 the employer's industry"),
    "openings": ("openings", "人数 the number of openings"),
    "valid_through": ("valid_through", "截止日期 the last day to apply"),
    "reference": ("reference", "招聘编号 the employer's requisition/reference number"),
}
#: header names (compared as :func:`_norm` gives them) that :func:`suggest_mapping` recognises
GUESSES: dict[str, tuple[str, ...]] = {
    "title": (
        "职位名称",
        "职位",
        "岗位名称",
        "岗位",
        "招聘岗位",
        "招聘职位",
        "职位标题",
        "position",
        "jobtitle",
        "title",
        "job",
    ),
    "employer": (
        "公司名称",
        "公司",
        "企业名称",
        "单位名称",
        "招聘单位",
        "用人单位",
        "企业",
        "company",
        "companyname",
        "employer",
    ),
    "salary": ("薪资", "薪资待遇", "薪酬", "月薪", "工资", "待遇", "薪资范围", "salary", "pay", "wage"),
    "city": ("城市", "工作城市", "工作地点", "地区", "所在地", "地点", "工作地区", "city", "location"),
    "skills": ("技能", "技能标签", "技能要求", "标签", "职位标签", "岗位标签", "skills", "tags"),
    "date": (
        "发布日期",
        "发布时间",
        "更新时间",
        "更新日期",
        "日期",
        "date",
        "posted",
        "posteddate",
        "postdate",
        "publishdate",
        "postingdate",
    ),
    "url": ("链接", "职位链接", "岗位链接", "详情链接", "网址", "url", "link", "href"),
    "id": ("职位id", "岗位id", "职位编号", "id", "jobid", "positionid"),
    "description": ("职位描述", "岗位描述", "岗位职责", "职位详情", "工作内容", "description", "jd"),
    "education": ("学历", "学历要求", "education", "degree"),
    "experience": ("经验", "工作经验", "经验要求", "工作年限", "experience"),
    "address": ("地址", "工作地址", "上班地址", "详细地址", "address"),
    "industry": ("行业", "所属行业", "公司行业", "industry"),
    "openings": ("人数", "招聘人数", "openings", "headcount"),
    "valid_through": ("截止日期", "有效期至", "截止时间", "deadline", "validthrough"),
    "reference": ("招聘编号", "需求编号", "requisition", "requisitionid", "reference", "referenceno", "refno"),
}
_SKILL_SPLIT = re.compile(r"[、,，;；/|｜\n]+")
_SOURCE_NAME = re.compile(r"^[\w.\-]{1,32}$")
SOURCE_LIMIT = 32


class MappingError(ValueError):
    """A mapping file that cannot be used, or a file it does not fit; the message says why and where."""


@dataclass(frozen=True)
class ColumnMapping:
    """A parsed mapping: ``columns`` maps a :data:`FIELDS` name to the header text of its column."""

    source: str
    columns: dict[str, str]
    sheet: str | None = None
    country: str = "CN"
    origin: str = ""  # the mapping file, for messages

    def describe(self) -> str:
        """``title ← 职位名称, salary ← 薪资 …`` for a preview."""
        return ", ".join(f"{name} ← {column}" for name, column in self.columns.items())


def _norm(text: object) -> str:
    """A header cell compared loosely: NFKC, case folded, without spaces, ``_``/``-``/``.``."""
    return re.sub(r"[\s_\-.]+", "", unicodedata.normalize("NFKC", str(text or ""))).casefold()


def load_mapping(path: Path | str) -> ColumnMapping:
    """Read a mapping file (``.toml``, or ``.json`` with the same keys).

    Raises:
        MappingError: unreadable, not TOML/JSON, an unknown field, no ``title``, a column name that
            is not text, or a ``source`` that is not 1–32 letters, digits, ``.``, ``_`` or ``-``.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = json.loads(text) if path.suffix.lower() == ".json" else tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"mapping {path.name}: cannot be read ({exc})") from exc
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise MappingError(
            f"mapping {path.name}: not valid {'JSON' if path.suffix.lower() == '.json' else 'TOML'} ({exc})"
        ) from exc
    return mapping_from_dict(data, origin=path.name, default_source=path.stem)


def mapping_from_dict(data: Any, *, origin: str = "mapping", default_source: str = "mapped") -> ColumnMapping:
    """A :class:`ColumnMapping` from the parsed file (see :func:`load_mapping` for the errors)."""
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise MappingError(
            f"mapping {origin}: needs a [columns] table naming at least the title column, e.g. "
            f'[columns] title = "职位名称"'
        )
    unknown = sorted(set(data) - {"source", "sheet", "country", "columns"})
    if unknown:
        raise MappingError(
            f"mapping {origin}: unknown key(s) {', '.join(unknown)}; allowed: source, sheet, country, [columns]"
        )
    columns: dict[str, str] = {}
    for name, column in data["columns"].items():
        if name not in FIELDS:
            raise MappingError(f"mapping {origin}: [columns] {name!r} is not a field; fields: {', '.join(FIELDS)}")
        if not isinstance(column, str) or not column.strip():
            raise MappingError(f"mapping {origin}: [columns] {name} must be a column name (text), got {column!r}")
        columns[name] = column.strip()
    if "title" not in columns:
        raise MappingError(f'mapping {origin}: [columns] must name the title column (title = "职位名称")')
    source = str(data.get("source") or default_source).strip()
    if not _SOURCE_NAME.match(source):
        raise MappingError(
            f"mapping {origin}: source {source!r} must be 1–{SOURCE_LIMIT} letters, digits, '.', "
            f"'_' or '-' (it is stored with every posting)"
        )
    country = str(data.get("country") or "CN").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise MappingError(f"mapping {origin}: country {country!r} must be an ISO 3166-1 two-letter code such as CN")
    sheet = data.get("sheet")
    return ColumnMapping(
        source=source, columns=columns, sheet=str(sheet) if sheet else None, country=country, origin=origin
    )


def suggest_mapping(header: list[str]) -> dict[str, str]:
    """The field each header cell most likely holds (first cell naming a field wins), from :data:`GUESSES`."""
    wanted = {_norm(name): fld for fld, names in GUESSES.items() for name in names}
    found: dict[str, str] = {}
    for cell in header:
        fld = wanted.get(_norm(cell))
        if fld and fld not in found and str(cell).strip():
            found[fld] = str(cell).strip()
    return {f: found[f] for f in FIELDS if f in found}


def mapping_template(header: list[str], source: str = "myboard") -> str:
    """A mapping file for ``header``: the guessed fields filled in, the rest commented out."""
    guess = suggest_mapping(header)
    lines = [f'source = "{source}"', "", "[columns]"]
    for name, (_, what) in FIELDS.items():
        if name in guess:
            lines.append(f'{name} = "{guess[name]}"    # {what}')
        elif name in ("title", "employer", "salary", "city", "skills", "date", "url", "id"):
            lines.append(f'# {name} = "…"    # {what}')
    return "\n".join(lines)


def how_to_map(header: list[str], file_name: str) -> str:
    """The columns found and how to map them (for an error message)."""
    shown = ", ".join(h for h in header if h) or "(none)"
    return (
        f"columns found in {file_name}: {shown}.\n"
        f"Write a mapping file naming which column holds what, e.g. board.toml:\n\n"
        f"{mapping_template(header)}\n\n"
        f'then run: vocmatch import {file_name} --mapping board.toml --dry-run   (README: "Any board\'s export")'
    )


# --- reading the file ---------------------------------------------------------------------------


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[list[object]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise UnreadableFileError(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from exc
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise MappingError(f"sheet {sheet!r} is not in {path.name}; sheets: {', '.join(book.sheetnames)}")
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def _csv_rows(path: Path) -> Iterator[list[object]]:
    text, _ = read_text(path)
    yield from csv.reader(io.StringIO(text, newline=""))


def file_rows(path: Path, sheet: str | None = None) -> Iterator[list[object]]:
    """The rows of a CSV (UTF-8 or GB18030) or ``.xlsx`` file as lists of cells."""
    return _xlsx_rows(path, sheet) if path.suffix.lower() in (".xlsx", ".xlsm") else _csv_rows(path)


def read_header(path: Path, sheet: str | None = None) -> list[str]:
    """What a user calls the file's columns: of its first ten rows, the first with the most
    non-empty cells (a title row above the header has one)."""
    best: list[str] = []
    for number, cells in enumerate(file_rows(path, sheet), start=1):
        row = [str(c).strip() if c is not None else "" for c in cells]
        if sum(1 for c in row if c) > sum(1 for c in best if c):
            best = row
        if number >= 10:
            break
    return best


def count_rows(path: Path, sheet: str | None = None) -> int:
    """Rows in the file (header included): the total for a progress bar."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True)
        try:
            ws = book[sheet] if sheet and sheet in book.sheetnames else book.worksheets[0]
            return ws.max_row or 0
        finally:
            book.close()
    return sum(1 for _ in _csv_rows(path))


def _find_column(header: list[str], column: str) -> int | None:
    for i, cell in enumerate(header):
        if cell == column:
            return i
    loose = _norm(column)
    return next((i for i, cell in enumerate(header) if _norm(cell) == loose), None)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text or None


def posting_id(*parts: str | None) -> str:
    """A stable id for a row without one: SHA-256 (first 32 hex digits) of the parts."""
    joined = "\x1f".join(p or "" for p in parts)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


@dataclass
class MappedFile:
    """Postings of ``path`` read through ``mapping``, as a pipeline source; ``rows_read`` counts
    the data rows (blank rows skipped). ``progress(rows_done)`` is called every 200 rows.

    Raises (when iterated):
        MappingError: no header row names the mapped title column, or a mapped column is missing
            (the message lists the columns found and a mapping that fits them).
        UnreadableFileError: not UTF-8/GB18030 CSV or a readable workbook.
    """

    path: Path
    mapping: ColumnMapping
    rows_read: int = 0
    header: list[str] = field(default_factory=list)
    progress: Any = None

    @property
    def name(self) -> str:
        return self.mapping.source

    def __iter__(self) -> Iterator[PostingItem | Issue]:
        rows = enumerate(file_rows(self.path, self.mapping.sheet), start=1)
        index: dict[str, int] = {}
        for number, cells in rows:
            header = [str(c).strip() if c is not None else "" for c in cells]
            if _find_column(header, self.mapping.columns["title"]) is not None:
                index = self._index(header)
                break
            if number >= 10:
                break
        if not index:
            raise MappingError(
                f"mapping {self.mapping.origin}: no row among the first ten of {self.path.name} "
                f"names the title column {self.mapping.columns['title']!r}; "
                + how_to_map(read_header(self.path, self.mapping.sheet), self.path.name)
            )
        for number, cells in rows:
            values = {name: (cells[i] if i < len(cells) else None) for name, i in index.items()}
            if all(v is None or str(v).strip() == "" for v in values.values()):
                continue
            self.rows_read += 1
            if self.progress is not None and self.rows_read % 200 == 0:
                self.progress(self.rows_read)
            yield self._item(number, values)
        if self.progress is not None:
            self.progress(self.rows_read)

    def _index(self, header: list[str]) -> dict[str, int]:
        self.header = header
        index: dict[str, int] = {}
        missing = []
        for name, column in self.mapping.columns.items():
            i = _find_column(header, column)
            if i is None:
                missing.append(f"{name} = {column!r}")
            else:
                index[name] = i
        if missing:
            raise MappingError(
                f"mapping {self.mapping.origin}: {'; '.join(missing)} not in the header of "
                f"{self.path.name}; " + how_to_map(header, self.path.name)
            )
        return index

    def _item(self, row: int, v: dict[str, object]) -> PostingItem:
        cols = self.mapping.columns
        title, employer, city = _text(v.get("title")) or "", _text(v.get("employer")), _text(v.get("city"))
        url = canonical_url(_text(v.get("url")))
        reference = _text(v.get("reference"))
        item = PostingItem(
            source=self.mapping.source,
            external_id="",
            row=row,
            title=title,
            employer_name=employer,
            country=self.mapping.country,
            location_text=city if self.mapping.country == "CN" else None,
            city=city if self.mapping.country != "CN" else None,
            salary_text=_text(v.get("salary")),
            description=str(v.get("description") or "").strip(),
            education_text=_text(v.get("education")),
            experience_text=_text(v.get("experience")),
            address=_text(v.get("address")),
            employer_industry=_text(v.get("industry")),
            source_url=url,
            reference=reference[:100] if reference else None,
            columns={FIELDS[name][0]: column for name, column in cols.items()},
        )
        if "skills" in cols and (raw := v.get("skills")) is not None:
            item.skills = [s.strip() for s in _SKILL_SPLIT.split(str(raw)) if s.strip()]
        for name in ("date", "valid_through"):
            try:
                day = excel_date(v.get(name))
            except DateError as exc:
                item.warn(cols[name], str(exc))
                continue
            if day is not None and name == "date":
                item.posted_on = day
            elif day is not None:
                item.valid_through, item.expires_at = day, closing_instant(day)
        if (openings := _text(v.get("openings"))) is not None:
            if m := re.match(r"^(\d+)", unicodedata.normalize("NFKC", openings)):
                item.openings = max(1, int(m.group(1)))
            elif not re.search(r"若干|不限|多名|数名", openings):
                item.warn(cols["openings"], f"人数 {openings!r} is not a number; left open")
        item.external_id = (
            _text(v.get("id"))
            or (url[:200] if url else None)
            or posting_id(employer, title, city, _text(v.get("date")), reference)
        )[:200]
        return item
