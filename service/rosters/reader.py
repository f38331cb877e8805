"""Reading roster files into raw cells: .xlsx (openpyxl) and .csv (UTF-8 ± BOM or GB18030).

Cells keep the type the file gave them: ``str`` for CSV and Excel text, ``int``/``float`` for
Excel numbers (with the cell's number format, to tell a zero-padded code from a quantity),
``datetime`` for Excel dates. Nothing is converted here, so an identifier that Excel stored as a
number can be refused later instead of silently mangled. Merged ranges are filled from their
top-left cell (a 专业 merged over a block of rows applies to each of them).

Uploaded files are untrusted, so reading costs what the rows cost and stops at fixed limits
(:data:`LIMITS`: rows, columns, cells and, for workbooks, the unzipped size; a file past one is
refused with an error naming it). Workbooks are streamed (:mod:`scrapers.workbook`); the
**active** sheet is read and named in the result; a hidden active sheet, or a hidden sheet whose
first rows hold a roster header, is refused (the data a school would not see in Excel is not
imported). CSV is parsed row by row with the same limits. This is CPU work: the web server runs
imports in worker processes (:mod:`service.rosters.workers`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapers.csvio import UnreadableFileError, detect_encoding
from scrapers.workbook import WorkbookError, WorkbookLimitError, WorkbookLimits, open_workbook, read_sheet

MAX_HEADER_SCAN = 10  # title rows ("2025届毕业生名册") may sit above the header
#: What one roster file may hold (a school's roster is a few thousand rows; 100,000 is a province).
LIMITS = WorkbookLimits()


class RosterFileError(ValueError):
    """The file cannot be read as a roster at all (format, encoding, no header, a limit passed).
    ``code`` (``unsupported_file_type``, ``unreadable_workbook``, ``over_limit``, ``not_text``,
    ``invalid_csv``, ``hidden_active_sheet``, ``hidden_sheet_data``, ``no_header``, ``no_data_rows``,
    ``missing_columns``) and ``params`` let a page say it in the reader's language; the message
    (the API's) keeps the reader's technical detail."""

    def __init__(self, message: str, code: str = "", **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params

    def __reduce__(self) -> tuple[object, ...]:  # keeps code and params across the import workers' processes
        return (_file_error, (str(self), self.code, self.params))


def _file_error(message: str, code: str, params: dict[str, object]) -> RosterFileError:
    return RosterFileError(message, code, **params)


@dataclass(frozen=True, slots=True)
class Cell:
    value: Any
    number_format: str = "General"


@dataclass(frozen=True, slots=True)
class RawRow:
    """A data row with its 1-based row number in the file (as Excel or a text editor shows it)."""

    number: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class RosterRows:
    """What :func:`read_roster` found: the header (field → column index), the non-empty data rows
    below it and, for a workbook, the title of the sheet read (``None`` for CSV)."""

    header: dict[str, int]
    rows: list[RawRow]
    sheet: str | None = None


Rows = list[tuple[int, tuple[Cell, ...]]]


def _header_at(rows: Rows, header_of: Callable[[list[str]], dict[str, int]]) -> tuple[int, dict[str, int]] | None:
    """(position in ``rows``, mapping) of the first of the first :data:`MAX_HEADER_SCAN` rows naming
    at least two roster fields."""
    for i, (_, cells) in enumerate(rows[:MAX_HEADER_SCAN]):
        mapping = header_of(["" if c.value is None else str(c.value) for c in cells])
        if len(mapping) >= 2:
            return i, mapping
    return None


def _over_limit(message: str) -> RosterFileError:
    """A file past one of :data:`LIMITS` (the page names them all)."""
    return RosterFileError(
        message, "over_limit", rows=LIMITS.max_rows, columns=LIMITS.max_columns, cells=LIMITS.max_cells
    )


def _workbook_error(exc: WorkbookError, message: str) -> RosterFileError:
    """A workbook the reader refused: past a limit of :data:`LIMITS`, or unreadable."""
    if isinstance(exc, WorkbookLimitError):
        return _over_limit(message)
    return RosterFileError(message, "unreadable_workbook")


def _cells(rows: list[tuple[int, tuple[tuple[Any, str], ...]]]) -> Rows:
    return [(n, tuple(Cell(v, f) for v, f in cells)) for n, cells in rows]


def _xlsx_rows(data: bytes, header_of: Callable[[list[str]], dict[str, int]]) -> tuple[Rows, str]:
    """The rows of the active sheet and its title. Refuses a hidden active sheet and a workbook
    with a roster header in a hidden sheet (naming it)."""
    try:
        workbook = open_workbook(data, LIMITS)
    except WorkbookError as exc:
        raise _workbook_error(exc, f"{exc} / 无法读取的 .xlsx 文件") from exc
    try:
        active = workbook.active
        if active is None or active.sheet_state != "visible":
            title = getattr(active, "title", "?")
            raise RosterFileError(
                f"the active sheet {title!r} is hidden: make a visible sheet the active one / 当前工作表被隐藏",
                "hidden_active_sheet",
                sheet=title,
            )
        for sheet in workbook.worksheets:
            if sheet.sheet_state != "visible" and _header_at(
                _cells(read_sheet(workbook, sheet, LIMITS, max_rows=MAX_HEADER_SCAN).rows), header_of
            ):
                raise RosterFileError(
                    f"hidden sheet {sheet.title!r} holds roster data; only the visible active sheet "
                    f"({active.title!r}) is read: unhide it or remove it / 隐藏工作表中含有名册数据",
                    "hidden_sheet_data",
                    sheet=sheet.title,
                    active=active.title,
                )
        return _cells(read_sheet(workbook, active, LIMITS).rows), active.title
    except WorkbookError as exc:
        raise _workbook_error(exc, f"{exc} / 文件超出限制或无法读取") from exc
    finally:
        workbook.close()


def _csv_rows(data: bytes) -> Rows:
    """Every row of a CSV roster, stopping at the limits of :data:`LIMITS`."""
    try:
        encoding = detect_encoding(data)
    except UnreadableFileError as exc:
        raise RosterFileError(str(exc), "not_text") from exc
    reader = csv.reader(io.StringIO(data.decode(encoding), newline=""))
    rows: Rows = []
    start, cells = 1, 0
    try:
        for values in reader:
            if len(rows) >= LIMITS.max_rows:
                raise _over_limit(f"more than {LIMITS.max_rows:,} rows; the limit is {LIMITS.max_rows:,} rows")
            if len(values) > LIMITS.max_columns:
                raise _over_limit(
                    f"line {start} has {len(values):,} columns; the limit is {LIMITS.max_columns} columns"
                )
            cells += len(values)
            if cells > LIMITS.max_cells:
                raise _over_limit(
                    f"more than {LIMITS.max_cells:,} cells (at line {start}); the limit is {LIMITS.max_cells:,} cells"
                )
            rows.append((start, tuple(Cell(v) for v in values)))
            start = reader.line_num + 1
    except csv.Error as exc:
        # e.g. a field past the csv module's limit of 131,072 characters
        raise RosterFileError(
            f"line {reader.line_num}: not valid CSV ({exc})", "invalid_csv", line=reader.line_num
        ) from exc
    return rows


def _blank(cell: Cell) -> bool:
    return cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())


def read_roster(data: bytes, filename: str, header_of: Callable[[list[str]], dict[str, int]]) -> RosterRows:
    """The header (field → column index), the non-empty data rows below it and the sheet read.

    ``header_of(texts)`` maps a row's texts to ``{field: column index}``; the first of the first
    :data:`MAX_HEADER_SCAN` rows where it finds at least two fields is the header.

    Raises:
        RosterFileError: unsupported extension, unreadable content (e.g. a .xlsx that is not a
            zip), a limit of :data:`LIMITS` passed (named), a hidden active sheet or roster data
            in a hidden sheet, no header found, or no data row below the header.
    """
    suffix = Path(filename).suffix.lower()
    sheet = None
    if suffix == ".xlsx":
        rows, sheet = _xlsx_rows(data, header_of)
    elif suffix == ".csv":
        rows = _csv_rows(data)
    else:
        raise RosterFileError(
            f"unsupported file type {suffix or '(none)'}: use .xlsx or .csv (.xls: save as .xlsx)",
            "unsupported_file_type",
            suffix=suffix or "-",
        )
    found = _header_at(rows, header_of)
    where = f" of sheet {sheet!r}" if sheet is not None else ""
    if found is None:
        raise RosterFileError(
            f"no header row found in the first {MAX_HEADER_SCAN} rows{where} (expected columns "
            "such as 学号, 姓名, 身份证号, 专业, 毕业时间)",
            "no_header",
            rows=MAX_HEADER_SCAN,
        )
    i, mapping = found
    data_rows = [RawRow(n, cs) for n, cs in rows[i + 1 :] if not all(_blank(c) for c in cs)]
    if not data_rows:
        raise RosterFileError(f"no data rows below the header{where} / 表头下没有数据行", "no_data_rows")
    return RosterRows(mapping, data_rows, sheet)
