"""Reading scraped CSV files: encoding detection, rows with their line numbers, list cells.

No encoding-detection library is installed with the project (charset-normalizer is not a
dependency of anything here), so the encodings are tried explicitly and strictly: UTF-8 (with or
without a BOM) first, then GB18030, the superset of GBK/GB2312 that Chinese sites export. A file
that decodes as neither is refused with the byte offset where decoding failed.
"""

from __future__ import annotations

import ast
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ENCODINGS = ("utf-8-sig", "gb18030")


class UnreadableFileError(ValueError):
    """The file is not text in a supported encoding, or not CSV with the expected header."""


def detect_encoding(data: bytes) -> str:
    """The first of :data:`ENCODINGS` that decodes ``data`` without error.

    Raises:
        UnreadableFileError: no encoding fits; the message gives the offset of the bad byte.
    """
    errors = []
    for encoding in ENCODINGS:
        try:
            data.decode(encoding)
        except UnicodeDecodeError as exc:
            errors.append(f"{encoding}: bad byte at offset {exc.start}")
        else:
            return encoding
    raise UnreadableFileError("not UTF-8 or GB18030 text (" + "; ".join(errors) + ")")


def read_text(path: Path) -> tuple[str, str]:
    """The decoded text of ``path`` and the encoding used (see :func:`detect_encoding`)."""
    data = path.read_bytes()
    encoding = detect_encoding(data)
    return data.decode(encoding), encoding


@dataclass(frozen=True)
class CsvRow:
    """A record and its row number as a spreadsheet shows it: the header is row 1, the first
    record row 2. It equals the file's line number unless a cell holds a line break."""

    row: int
    values: dict[str, str]
    width: int  # number of cells actually present


def iter_rows(text: str, required: tuple[str, ...] = ()) -> tuple[list[str], Iterator[CsvRow]]:
    """The header and the records of CSV ``text``. Short records are padded with ``""``.

    Raises:
        UnreadableFileError: the file is empty or lacks a ``required`` column.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise UnreadableFileError("the file is empty") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise UnreadableFileError(f"missing column(s) {', '.join(missing)}; the header is {header}")

    def rows() -> Iterator[CsvRow]:
        for number, cells in enumerate(reader, start=2):
            if any(c.strip() for c in cells):
                padded = cells + [""] * (len(header) - len(cells))
                yield CsvRow(number, dict(zip(header, padded, strict=False)), len(cells))

    return header, rows()


NA = frozenset({"", "na", "n/a", "null", "none", "nan"})


def clean(value: str | None) -> str | None:
    """Strip a cell; R/pandas missing markers (``NA``, ``None``, empty) become ``None``."""
    if value is None:
        return None
    value = value.strip()
    return None if value.casefold() in NA else value


def parse_list_cell(cell: str) -> tuple[list[str], str | None]:
    """A cell holding a Python list literal, e.g. ``['大专']`` → ``["大专"]``; ``[]`` → ``[]``.

    Parsed with :func:`ast.literal_eval` (never ``eval``). A cell that is not a list literal
    of strings falls back to the stripped text itself and returns a warning message as the
    second element; a plain cell without brackets is returned as a one-element list.
    """
    text = cell.strip()
    if not text:
        return [], None
    if not text.startswith("["):
        return [text], None
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        inner = text.strip("[]").strip().strip("'\"").strip()
        return ([inner] if inner else []), f"not a valid list literal, read as text: {text[:60]!r}"
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return [str(text)], f"not a list of strings, read as text: {text[:60]!r}"
    return [v.strip() for v in value if v.strip()], None


def parse_list_fragment(cell: str) -> tuple[list[str], str | None]:
    """A cell holding one piece of a list literal split across rows (``'a\\nb',`` or ``['a',``).

    The piece is completed to a list (brackets added, trailing comma removed) and parsed like
    :func:`parse_list_cell`.
    """
    text = cell.strip().rstrip(",").strip()
    if not text:
        return [], None
    if not text.startswith("["):
        text = "[" + text
    if not text.endswith("]"):
        text = text + "]"
    return parse_list_cell(text)


class CsvFileSource:
    """Base of the CSV boards: reads ``path`` (encoding detected), checks the ``columns`` it needs
    and yields ``self._item(row)`` for every record, counting ``rows_read``."""

    name = "csv"
    columns: tuple[str, ...] = ()

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows_read = 0

    def __iter__(self) -> Iterator[Any]:
        text, _ = read_text(self.path)
        _, rows = iter_rows(text, self.columns)
        for row in rows:
            self.rows_read += 1
            yield self._item(row)

    def _item(self, row: CsvRow) -> Any:
        raise NotImplementedError
