"""Read the job titles of the O*NET database (US Department of Labor, CC BY 4.0) from its text files.

O*NET is used as a synonym bridge for title matching (:mod:`matching.titles`); its files are read
at run time from a directory the user gives (``--onet DIR``), never shipped with vocmatch.
Files read (tab-separated, UTF-8, one header row, as published at onetcenter.org/database.html):

* ``Occupation Data.txt``: ``O*NET-SOC Code``, ``Title``, ``Description`` (required);
* ``Alternate Titles.txt``: ``O*NET-SOC Code``, ``Alternate Title``, ``Short Title`` (``n/a`` when
  none), ``Source(s)`` (optional);
* ``Sample of Reported Titles.txt``: ``O*NET-SOC Code``, ``Reported Job Title``, … (optional).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

OCCUPATIONS = "Occupation Data.txt"
ALTERNATE = "Alternate Titles.txt"
REPORTED = "Sample of Reported Titles.txt"


@dataclass(frozen=True)
class OnetTitles:
    """O*NET titles: ``codes`` (sorted O*NET-SOC codes), ``index`` (code → position in ``codes``),
    ``occupation_titles`` (one ``(code, title)`` per occupation) and ``all_titles`` (occupation,
    alternate, short and reported titles as ``(code, title)``, without duplicate pairs)."""

    codes: tuple[str, ...]
    index: dict[str, int] = field(repr=False)
    occupation_titles: tuple[tuple[str, str], ...] = field(repr=False)
    all_titles: tuple[tuple[str, str], ...] = field(repr=False)


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    """``(line number, [values of columns])`` for each data row; ``ValueError`` naming file, line, column."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, None)
        if header is None:
            raise ValueError(f"{path}: empty file, expected a header row with {list(columns)}")
        missing = [c for c in columns if c not in header]
        if missing:
            raise ValueError(f"{path}: header lacks column(s) {missing}; found {header}")
        pos = [header.index(c) for c in columns]
        out = []
        for line, row in enumerate(reader, start=2):
            if not row:
                continue
            if len(row) <= max(pos):
                raise ValueError(f"{path}, line {line}: {len(row)} fields, expected at least {max(pos) + 1}")
            values = [row[p].strip() for p in pos]
            if not values[0]:
                raise ValueError(f"{path}, line {line}, column {columns[0]!r}: empty O*NET-SOC code")
            out.append((line, values))
        return out


def read_onet_titles(directory: str | Path) -> OnetTitles:
    """Read the titles of the O*NET text files in ``directory`` (see module doc).

    Raises ``FileNotFoundError`` when the directory or ``Occupation Data.txt`` is missing, and
    ``ValueError`` naming the file, line and column for a malformed row or a title whose code is
    not an O*NET occupation.
    """
    root = Path(directory)
    if not root.is_dir():
        raise FileNotFoundError(f"O*NET directory not found: {root}")
    occ_path = root / OCCUPATIONS
    if not occ_path.is_file():
        raise FileNotFoundError(f"{occ_path} not found (is {root} an O*NET text-file release?)")
    occupations = [(v[0], v[1]) for _, v in _rows(occ_path, ("O*NET-SOC Code", "Title")) if v[1]]
    codes = tuple(sorted({c for c, _ in occupations}))
    index = {c: i for i, c in enumerate(codes)}
    pairs: dict[tuple[str, str], None] = dict.fromkeys(occupations)
    sources = (
        (ALTERNATE, ("O*NET-SOC Code", "Alternate Title", "Short Title")),
        (REPORTED, ("O*NET-SOC Code", "Reported Job Title")),
    )
    for name, columns in sources:
        path = root / name
        if not path.is_file():
            continue
        for line, values in _rows(path, columns):
            if values[0] not in index:
                raise ValueError(f"{path}, line {line}, column {columns[0]!r}: unknown occupation {values[0]!r}")
            for title in values[1:]:
                if title and title != "n/a":
                    pairs[(values[0], title)] = None
    return OnetTitles(codes=codes, index=index, occupation_titles=tuple(occupations), all_titles=tuple(pairs))
