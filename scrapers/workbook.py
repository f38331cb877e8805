"""Reading untrusted .xlsx workbooks at a bounded cost (rosters, job-fair sheets).

An .xlsx file is a zip of XML parts, and a few kilobytes of it can describe a sheet openpyxl's
normal mode expands into gigabytes: one merged range over the whole sheet (a MergedCell object
per cell), a single cell at row 1,048,576 (every row above it materialised), or a zip bomb (a
part that inflates a thousandfold). This module opens workbooks so that cost follows the data
actually present and stops at fixed limits, refusing with an error that names the limit:

* before openpyxl sees the file, the zip's end-of-central-directory record is read by hand
  (APPNOTE.TXT 4.3.16) to refuse zip64 archives and archives with more than
  :attr:`WorkbookLimits.max_parts` members, then the members' declared uncompressed sizes are
  summed against :attr:`WorkbookLimits.max_unzipped_bytes`. Python's ``zipfile`` never inflates a
  member past its declared size (it stops there and fails the CRC check), so the declared sizes
  bound the work of everything that follows;
* the workbook is opened in openpyxl's read-only mode (workbook part, shared strings and styles
  only) and a sheet is then streamed by :class:`_SheetStream`: one pass over its XML that hands
  each ``<row>`` to openpyxl's own cell decoding and drops it once read, so memory holds one row.
  A sheet's declared ``<dimension>`` is never used (``A1:XFD1048576`` would make openpyxl pad every
  row to 16,384 columns); the stream stops at the first row element past
  :attr:`~WorkbookLimits.max_rows`, the first value past :attr:`~WorkbookLimits.max_columns` and the
  first cell past :attr:`~WorkbookLimits.max_cells`;
* merged ranges are kept as rectangles (at most :attr:`~WorkbookLimits.max_merged_ranges`) and
  their top-left value is copied only into rows that exist, up to the column limit, so a merged
  range costs what the rows it covers cost;
* openpyxl parses the parts with ``defusedxml`` installed (a project dependency), so XML entity
  declarations (billion laughs, external entities) are refused.

OWASP "File Upload Cheat Sheet" (limits on decompressed size) and openpyxl's documentation
("Read-only mode", "Security: defusedxml") are the sources of these measures.
"""

from __future__ import annotations

import io
import struct
import zipfile
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_MAX_COMMENT = 0xFFFF
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


class WorkbookError(ValueError):
    """The file cannot be read as a workbook (not a zip, broken XML, forbidden XML constructs)."""


class WorkbookLimitError(WorkbookError):
    """The workbook exceeds one of the :class:`WorkbookLimits`; the message names the limit."""


@dataclass(frozen=True, slots=True)
class WorkbookLimits:
    """What one workbook may cost. The defaults take a roster of 100,000 graduates with 20 columns
    (an .xlsx of that size inflates to about 55 MB of XML) with room to spare."""

    max_unzipped_bytes: int = 256 * 1024 * 1024
    max_parts: int = 1000
    max_rows: int = 200_000
    max_columns: int = 200
    max_cells: int = 4_000_000
    max_merged_ranges: int = 20_000


@dataclass(slots=True)
class SheetRows:
    """The rows of one sheet: ``(row number as Excel shows it, ((value, number format), ...))``,
    rows with no cell left out; merged ranges filled from their top-left cell."""

    title: str
    hidden: bool
    rows: list[tuple[int, tuple[tuple[Any, str], ...]]] = field(default_factory=list)


#: Bytes of central directory allowed per part (a record is 46 bytes plus the part's name).
_DIRECTORY_BYTES_PER_PART = 1024


def _check_directory(data: bytes, limits: WorkbookLimits) -> None:
    """Check the end-of-central-directory record before ``zipfile`` parses the directory (it
    builds an object per record it finds in the directory's declared size, whatever the count
    says). Raises :class:`WorkbookError` when there is no record, :class:`WorkbookLimitError` for
    zip64, too many parts or a directory too large for them."""
    tail = data[-(_EOCD_SIZE + _MAX_COMMENT) :]
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        raise WorkbookError("not a readable .xlsx workbook (not a zip archive, which an .xlsx file is)")
    _, disk, _, _, entries, size, offset, _ = struct.unpack("<4sHHHHIIH", tail[at : at + _EOCD_SIZE])
    if disk == 0xFFFF or entries == 0xFFFF or size == 0xFFFFFFFF or offset == 0xFFFFFFFF:
        raise WorkbookLimitError("zip64 archives are not accepted (a roster needs less than 4 GB and 65,535 parts)")
    if entries > limits.max_parts or size > limits.max_parts * _DIRECTORY_BYTES_PER_PART:
        raise WorkbookLimitError(
            f"the archive has {entries:,} parts in a directory of {size:,} bytes; the limit is "
            f"{limits.max_parts:,} parts"
        )


def check_archive(data: bytes, limits: WorkbookLimits = WorkbookLimits()) -> None:
    """Refuse ``data`` unless it is a zip whose members inflate to at most
    ``limits.max_unzipped_bytes`` in all, without inflating anything.

    Raises:
        WorkbookError: not a zip archive.
        WorkbookLimitError: zip64, too many parts, or too large once unzipped (the limit is named).
    """
    _check_directory(data, limits)
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as exc:
        raise WorkbookError(f"not a readable .xlsx workbook (broken zip archive: {exc})") from exc
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        mb = limits.max_unzipped_bytes // (1024 * 1024)
        raise WorkbookLimitError(
            f"the workbook unzips to {total:,} bytes; the limit is {mb} MB of unzipped content "
            "(a zip bomb, or a sheet far larger than a roster)"
        )


def open_workbook(data: bytes, limits: WorkbookLimits = WorkbookLimits()) -> Any:
    """An openpyxl read-only workbook (``data_only``: cached formula results, never formulas) over
    ``data``, after :func:`check_archive`. Close it with ``.close()``.

    Raises:
        WorkbookError / WorkbookLimitError: as :func:`check_archive`, or openpyxl cannot read it.
    """
    from openpyxl import load_workbook

    check_archive(data, limits)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, SyntaxError, …)
        raise _unreadable(exc) from exc


def _unreadable(exc: BaseException) -> WorkbookError:
    """The error for a workbook openpyxl could not read; names defusedxml's refusal when it is one
    (openpyxl wraps it in a ``ValueError``)."""
    from defusedxml import DefusedXmlException

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return WorkbookError(
                f"not a readable .xlsx workbook: its XML declares entities, which are not "
                f"accepted ({type(cause).__name__})"
            )
        cause = cause.__cause__ or cause.__context__
    return WorkbookError(f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})")


_SHEET_DATA, _ROW, _CELL, _MERGE_CELL = (f"{_MAIN_NS}{t}" for t in ("sheetData", "row", "c", "mergeCell"))
_EMPTY: tuple[Any, str] = (None, "General")


class _SheetStream:
    """One pass over a sheet's XML part: rows as they arrive, then its merged ranges.

    The cell decoding is openpyxl's own (``WorkSheetParser.parse_row``: shared strings, inline
    strings, numbers, booleans, dates from the cell's number format), fed row by row from a
    streaming parse that drops every row and merged range once read, so memory holds one row of
    XML at a time. It uses the same internals openpyxl's read-only worksheet uses (the workbook's
    archive, shared strings and date styles; the pinned openpyxl 3.1.5): the public read-only
    iterator cannot be stopped before it builds the trailing ``<mergeCells>`` element whole."""

    def __init__(self, workbook: Any, sheet: Any, limits: WorkbookLimits) -> None:
        from openpyxl.worksheet._reader import WorkSheetParser

        self.workbook, self.sheet, self.limits = workbook, sheet, limits
        self.parser = WorkSheetParser(
            None,  # type: ignore[arg-type]  # no source: rows are fed to parse_row one by one below
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        self.formats: dict[int, str] = {}
        self.merged: list[tuple[int, int, int, int]] = []
        self.cells = 0

    def _format(self, style_id: int) -> str:
        if style_id not in self.formats:
            from openpyxl.cell.read_only import ReadOnlyCell

            try:
                self.formats[style_id] = ReadOnlyCell(self.sheet, 1, 1, None, "n", style_id).number_format or "General"
            except (IndexError, KeyError, TypeError):
                self.formats[style_id] = "General"
        return self.formats[style_id]

    def _limit(self, message: str) -> WorkbookLimitError:
        return WorkbookLimitError(f"sheet {self.sheet.title!r}: {message}")

    def _row(self, element: Any) -> tuple[int, list[tuple[Any, str]]]:
        number, raw = self.parser.parse_row(element)
        width = max((c["column"] for c in raw if c["value"] is not None), default=0)
        if width > self.limits.max_columns:
            raise self._limit(
                f"row {number} has a value in column {width:,}; the limit is {self.limits.max_columns} columns"
            )
        if width and number > self.limits.max_rows:
            raise self._limit(f"row {number:,} holds a value; the limit is {self.limits.max_rows:,} rows")
        cells = [_EMPTY] * width
        for c in raw:
            if c["value"] is not None and c["column"] <= width:
                cells[c["column"] - 1] = (c["value"], self._format(c["style_id"] or 0))
        return number, cells

    def rows(self, stop_after: int | None = None) -> Iterator[tuple[int, list[tuple[Any, str]]]]:
        """Every row element of the sheet (``stop_after``: only the first that many), then
        :attr:`merged` holds the sheet's merged ranges ``(min_row, min_col, max_row, max_col)``."""
        from openpyxl.utils.cell import range_boundaries
        from openpyxl.xml.functions import iterparse

        stack: list[Any] = []
        in_row = seen_rows = 0
        with self.workbook._archive.open(self.sheet._worksheet_path) as source:
            for event, element in iterparse(source, events=("start", "end")):
                if event == "start":
                    stack.append(element)
                    continue
                stack.pop()
                tag = element.tag
                if tag == _CELL:
                    in_row += 1
                    self.cells += 1
                    if in_row > self.limits.max_columns or self.cells > self.limits.max_cells:
                        raise self._limit(
                            f"more than {self.limits.max_columns} cells in a row or "
                            f"{self.limits.max_cells:,} cells in all (the limits)"
                        )
                    continue
                if tag == _ROW:
                    in_row = 0
                    seen_rows += 1
                    if seen_rows > self.limits.max_rows:
                        raise self._limit(f"more than {self.limits.max_rows:,} rows (the limit)")
                    yield self._row(element)
                    if stop_after is not None and seen_rows >= stop_after:
                        return
                elif tag == _MERGE_CELL and element.get("ref"):
                    if len(self.merged) >= self.limits.max_merged_ranges:
                        raise self._limit(f"more than {self.limits.max_merged_ranges:,} merged ranges (the limit)")
                    min_col, min_row, max_col, max_row = range_boundaries(element.get("ref"))
                    # a <mergeCell ref> is a cell range (A1:C3): all four bounds are set
                    self.merged.append((min_row, min_col, max_row, max_col))  # type: ignore[arg-type]
                if 1 <= len(stack) <= 2:  # a part of the sheet, a row or a merged range: read, so dropped
                    stack[-1].remove(element)

    def fill_merged(self, rows: dict[int, list[tuple[Any, str]]]) -> None:
        """Copy each merged range's top-left value into the range's other cells, in the rows that
        exist, up to the column limit (counted against the cell limit)."""
        numbers = sorted(rows)
        for min_row, min_col, max_row, max_col in sorted(self.merged):
            top = rows.get(min_row)
            top_left = top[min_col - 1] if top is not None and min_col <= len(top) else _EMPTY
            if top_left[0] is None:
                continue
            last = min(max_col, self.limits.max_columns)
            for number in numbers[bisect_left(numbers, min_row) : bisect_right(numbers, max_row)]:
                cells = rows[number]
                if len(cells) < last:
                    cells.extend([_EMPTY] * (last - len(cells)))
                cells[min_col - 1 : last] = [top_left] * (last - min_col + 1)
                self.cells += last - min_col + 1
                if self.cells > self.limits.max_cells:
                    raise self._limit(f"merged ranges fill more than {self.limits.max_cells:,} cells (the limit)")


def read_sheet(
    workbook: Any, sheet: Any, limits: WorkbookLimits = WorkbookLimits(), max_rows: int | None = None
) -> SheetRows:
    """The non-empty rows of ``sheet`` (of a workbook from :func:`open_workbook`) in row order,
    merged ranges filled; ``max_rows`` reads only the first that many rows of the sheet's XML
    (e.g. to look for a header), without filling merged ranges.

    Raises:
        WorkbookLimitError: the sheet passes a limit (named in the message).
        WorkbookError: broken or forbidden XML inside the workbook.
    """
    stream = _SheetStream(workbook, sheet, limits)
    rows: dict[int, list[tuple[Any, str]]] = {}
    try:
        for number, cells in stream.rows(max_rows):
            if cells:
                rows.setdefault(number, cells)
        if max_rows is None:
            stream.fill_merged(rows)
    except WorkbookError:
        raise
    except Exception as exc:  # broken XML (expat/lxml), defusedxml's refusals, bad indexes
        raise _unreadable(exc) from exc
    out = SheetRows(title=sheet.title, hidden=sheet.sheet_state != "visible")
    out.rows = [
        (n, tuple(cells))
        for n, cells in sorted(rows.items())
        if any(v is not None and not (isinstance(v, str) and not v.strip()) for v, _ in cells)
    ]
    return out
