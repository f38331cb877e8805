"""The 中职 专业目录 as data: the shipped 2021 catalogue, the file layout updates use, the cohort
rule for retired majors, and the 专业类 → ISCO-08 mapping that 对口 falls back on. No database.

Catalogue files (``service/catalog/data/majors_zhongzhi_2021.csv`` and any update a department
loads with ``vocmatch reference majors FILE``) are UTF-8 CSV with a header and the columns

* ``code`` — 2 digits for a 专业大类 (``66``), 4 for a 专业类 (``6601``), 6 for a 专业 (``660103``),
  exactly as the MOE prints them in 《职业教育专业目录（2021年）》;
* ``name`` — the name printed beside the code (``装备制造大类``, ``机械设计制造类``, ``数控技术应用``);
* optionally ``valid_from`` and ``retired_on`` (``YYYY-MM-DD`` or empty) on 专业 rows.

Every 专业 must follow its 专业类 and 大类 rows (its code starts with theirs), as in the MOE
document. Source and vintage of the shipped file: ``service/catalog/data/SOURCES.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from service.config import beijing_today

#: The shipped catalogue and the ISCO mapping (package data of ``service.catalog``).
CATALOGUE_RESOURCE = "data/majors_zhongzhi_2021.csv"
ISCO_RESOURCE = "data/major_class_isco08.csv"
#: 《职业教育专业目录（2021年）》, 教职成〔2021〕2号, issued 2021-03-12.
CATALOGUE_EDITION = "职业教育专业目录（2021年）中等职业教育专业"


@dataclass(frozen=True, slots=True)
class CatalogueMajor:
    """One 专业 with the 专业类 and 专业大类 it sits in."""

    code: str
    name: str
    class_code: str
    class_name: str
    category_code: str
    category: str
    valid_from: dt.date | None = None
    retired_on: dt.date | None = None


def _date(text: str, where: str, column: str) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{where}, column {column}: not a date (YYYY-MM-DD): {text!r}") from None


def parse_catalogue_csv(text: str, source: str) -> tuple[CatalogueMajor, ...]:
    """The 专业 rows of a catalogue file (layout in the module docstring), in file order.

    Raises:
        ValueError: a missing column, a code that is not 2, 4 or 6 digits, an empty name, a
            code listed twice, a 专业 or 专业类 before the row of its 大类/专业类, a retirement
            before ``valid_from``; the message names ``source``, the row (header = row 1) and
            the column.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "name"} - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"{source}: missing column(s) {', '.join(sorted(missing))}")
    names: dict[str, str] = {}
    out: list[CatalogueMajor] = []
    for line, row in enumerate(reader, start=2):
        where = f"{source} row {line}"
        code, name = (row.get("code") or "").strip(), (row.get("name") or "").strip()
        if not code.isdigit() or len(code) not in (2, 4, 6):
            raise ValueError(f"{where}, column code: not a 2-, 4- or 6-digit 专业目录 code: {code!r}")
        if not name:
            raise ValueError(f"{where}, column name: empty")
        if len(name) > 64:
            raise ValueError(f"{where}, column name: longer than 64 characters")
        if code in names:
            raise ValueError(f"{where}, column code: {code} listed twice")
        if len(code) > 2 and code[: len(code) - 2] not in names:
            raise ValueError(f"{where}, column code: the row of {code[: len(code) - 2]} must come before {code}")
        names[code] = name
        if len(code) < 6:
            continue
        valid_from = _date((row.get("valid_from") or "").strip(), where, "valid_from")
        retired_on = _date((row.get("retired_on") or "").strip(), where, "retired_on")
        if valid_from and retired_on and retired_on < valid_from:
            raise ValueError(f"{where}, column retired_on: {retired_on} is before valid_from {valid_from}")
        out.append(
            CatalogueMajor(code, name, code[:4], names[code[:4]], code[:2], names[code[:2]], valid_from, retired_on)
        )
    return tuple(out)


@cache
def catalogue() -> tuple[CatalogueMajor, ...]:
    """The shipped 2021 中职 catalogue (358 专业), read once."""
    text = resources.files("service.catalog").joinpath(CATALOGUE_RESOURCE).read_text(encoding="utf-8")
    return parse_catalogue_csv(text, f"service/catalog/{CATALOGUE_RESOURCE}")


@cache
def catalogue_levels() -> dict[str, str]:
    """Every 大类 and 专业类 code of the shipped catalogue → its name (``66`` → 装备制造大类)."""
    out: dict[str, str] = {}
    for m in catalogue():
        out[m.category_code], out[m.class_code] = m.category, m.class_name
    return out


def major_open_to(valid_from: dt.date | None, retired_on: dt.date | None, cohort: int | None) -> bool:
    """May a graduate of ``cohort`` (届, the graduation year) carry a major with these dates?

    When a 专业 leaves the catalogue, students already enrolled still graduate in it, so a
    retirement closes the major to later cohorts, not to earlier ones: open when
    ``valid_from.year <= cohort <= retired_on.year`` (an unset bound does not limit). A graduate
    without a cohort is judged as of today's year.
    """
    year = cohort if cohort is not None else beijing_today().year
    if valid_from is not None and year < valid_from.year:
        return False
    return retired_on is None or year <= retired_on.year


@dataclass(frozen=True, slots=True)
class ClassOccupations:
    """The ISCO-08 groups (1–4 digits) in which a graduate of this 专业类 works 对口."""

    class_code: str
    class_name: str
    isco08: tuple[str, ...]


def parse_isco_csv(text: str, source: str) -> dict[str, ClassOccupations]:
    """``class_code,class_name,isco08`` rows (``isco08`` space-separated ISCO-08 group codes).

    Raises:
        ValueError: a bad class code, an empty or malformed ISCO list, a class listed twice
            (message names ``source``, row and column).
    """
    out: dict[str, ClassOccupations] = {}
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"class_code", "class_name", "isco08"} - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"{source}: missing column(s) {', '.join(sorted(missing))}")
    for line, row in enumerate(reader, start=2):
        where = f"{source} row {line}"
        code = (row["class_code"] or "").strip()
        groups = tuple((row["isco08"] or "").split())
        if len(code) != 4 or not code.isdigit():
            raise ValueError(f"{where}, column class_code: not a 4-digit 专业类 code: {code!r}")
        if code in out:
            raise ValueError(f"{where}, column class_code: {code} listed twice")
        if not groups or any(not g.isdigit() or not 1 <= len(g) <= 4 for g in groups):
            raise ValueError(
                f"{where}, column isco08: expected ISCO-08 group codes of 1-4 digits, got {row['isco08']!r}"
            )
        out[code] = ClassOccupations(code, (row["class_name"] or "").strip(), groups)
    return out


@cache
def class_occupations() -> dict[str, ClassOccupations]:
    """The shipped 专业类 → ISCO-08 mapping (see ``service/catalog/data/SOURCES.md``), read once."""
    text = resources.files("service.catalog").joinpath(ISCO_RESOURCE).read_text(encoding="utf-8")
    return parse_isco_csv(text, f"service/catalog/{ISCO_RESOURCE}")


def isco_groups_of(major_code: str | None) -> tuple[str, ...]:
    """The ISCO-08 groups in-field for ``major_code`` through its 专业类 (code prefix); ``()`` when
    the 专业类 has no mapping (an added class, or a malformed code)."""
    if not major_code or len(major_code) < 4:
        return ()
    entry = class_occupations().get(major_code[:4])
    return entry.isco08 if entry else ()


def isco_in_field(groups: tuple[str, ...], isco_unit: str) -> bool:
    """Is the ISCO-08 unit group ``isco_unit`` inside one of ``groups`` (a code is inside every
    group whose code it starts with: 7223 ⊂ 722 ⊂ 72 ⊂ 7, ILO ISCO-08 Vol. I, structure)?"""
    return any(isco_unit.startswith(g) for g in groups)
