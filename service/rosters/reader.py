"""Reading roster files into raw cells: .xlsx (openpyxl) and .csv (UTF-8 ± BOM or GB18030).

Cells keep the type the file gave them: ``str`` for CSV and Excel text, ``int``/``float`` for
Excel numbers (with the cell's number format, to tell a zero-padded code from a quantity),
``datetime`` for Excel dates. Nothing is converted here, so an identifier that Excel stored as a
number can be refused later instead of silently mangled. Merged ranges are filled from their
top-left cell (a 专业 merged over a block of rows applies to each of them).
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scrapers.csvio import UnreadableFileError, detect_encoding

MAX_HEADER_SCAN = 10  # title rows ("2025届毕业生名册") may sit above the header


class RosterFileError(ValueError):
    """The file cannot be read as a roster at all (format, encoding, no header)."""


@dataclass(frozen=True, slots=True)
class Cell:
    value: Any
    number_format: str = "General"


@dataclass(frozen=True, slots=True)
class RawRow:
    """A data row with its 1-based row number in the file (as Excel or a text editor shows it)."""

    number: int
    cells: tuple[Cell, ...]


def _xlsx_rows(data: bytes) -> list[tuple[int, tuple[Cell, ...]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError, SyntaxError,
            zlib.error) as exc:  # SyntaxError: broken XML inside the zip (xml.etree ParseError)
        raise RosterFileError(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc}) / "
                              "无法读取的 .xlsx 文件") from exc
    ws = wb.worksheets[0]
    fill: dict[tuple[int, int], Any] = {}
    for rng in ws.merged_cells.ranges:
        top_left = ws.cell(rng.min_row, rng.min_col)
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                fill[(r, c)] = (top_left.value, top_left.number_format)
    rows = []
    for r, row in enumerate(ws.iter_rows(), start=1):
        cells = []
        for c, cell in enumerate(row, start=1):
            value, fmt = fill.get((r, c), (cell.value, cell.number_format))
            cells.append(Cell(value, fmt or "General"))
        rows.append((r, tuple(cells)))
    return rows


def _csv_rows(data: bytes) -> list[tuple[int, tuple[Cell, ...]]]:
    try:
        encoding = detect_encoding(data)
    except UnreadableFileError as exc:
        raise RosterFileError(str(exc)) from exc
    reader = csv.reader(io.StringIO(data.decode(encoding), newline=""))
    rows, start = [], 1
    for cells in reader:
        rows.append((start, tuple(Cell(v) for v in cells)))
        start = reader.line_num + 1
    return rows


def _blank(cell: Cell) -> bool:
    return cell.value is None or (isinstance(cell.value, str) and not cell.value.strip())


def read_roster(data: bytes, filename: str, header_of: Any) -> tuple[dict[str, int], list[RawRow]]:
    """The header (field → column index) and the non-empty data rows below it.

    ``header_of(texts)`` maps a row's texts to ``{field: column index}``; the first of the first
    :data:`MAX_HEADER_SCAN` rows where it finds at least two fields is the header.

    Raises:
        RosterFileError: unsupported extension, unreadable content (e.g. a .xlsx that is not a
            zip), no header found, or no data row below the header.
    """
    suffix = Path(filename).suffix.lower()
    if suffix == ".xlsx":
        rows = _xlsx_rows(data)
    elif suffix == ".csv":
        rows = _csv_rows(data)
    else:
        raise RosterFileError(f"unsupported file type {suffix or '(none)'}: use .xlsx or .csv (.xls: save as .xlsx)")
    for i, (_, cells) in enumerate(rows[:MAX_HEADER_SCAN]):
        mapping = header_of(["" if c.value is None else str(c.value) for c in cells])
        if len(mapping) >= 2:
            data_rows = [RawRow(n, cs) for n, cs in rows[i + 1:] if not all(_blank(c) for c in cs)]
            if not data_rows:
                raise RosterFileError("no data rows below the header / 表头下没有数据行")
            return mapping, data_rows
    raise RosterFileError(f"no header row found in the first {MAX_HEADER_SCAN} rows (expected columns such as "
                          "学号, 姓名, 身份证号, 专业, 毕业时间)")
