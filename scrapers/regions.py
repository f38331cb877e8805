"""China's administrative divisions (GB/T 2260 codes) and a resolver for location texts.

Data: ``scrapers/data/regions_gbt2260.csv`` (``code,name,level,parent_code``), every province,
prefecture and county-level division the Ministry of Civil Affairs (民政部) lists as of
2025-12-31, plus the prefecture-level rows of the four municipalities (``110100 北京市`` …,
``500200 重庆市（县）``) that GB/T 2260-2007 has and MCA's current lists omit. Its vintage, sources and
the changes it includes are in ``scrapers/data/SOURCES.md``. Counties directly under a province
(济源市 419001, 仙桃市 429004 …) have the province as parent.

:func:`all_regions` is what the service loads into its ``regions`` table (``vocmatch migrate``,
``service.catalog.reference``); nobody else should edit this module's data rules without telling
the importers (H3 loads regions, H4 resolves them). The resolver reads the names of the 56
nationalities from the PyPI package ``cpca`` (its ``56_nations.csv``), without importing it.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

RegionLevelName = Literal["province", "city", "county"]


@dataclass(frozen=True)
class RegionRecord:
    """One division: six-digit code, official name, level and the code of the division above."""

    code: str
    name: str
    level: RegionLevelName
    parent_code: str | None


def _cpca_resource(name: str) -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or spec.origin is None:
        raise RuntimeError("the location resolver needs the package cpca==0.5.5 (pip install cpca==0.5.5)")
    return Path(spec.origin).parent / "resources" / name


def level_of_code(code: str) -> RegionLevelName:
    """The level a six-digit GB/T 2260 code denotes: ``PP0000`` province, ``PPCC00`` prefecture, else county."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


_LEVELS: tuple[RegionLevelName, ...] = ("province", "city", "county")
#: The shipped list (see the module docstring).
DATA_RESOURCE = "data/regions_gbt2260.csv"
#: The date the shipped list describes (the ``as of`` of its newest source).
DATA_AS_OF = "2025-12-31"


def parse_regions_csv(text: str, source: str) -> tuple[RegionRecord, ...]:
    """Rows of a ``code,name,level,parent_code`` CSV (GB/T 2260 codes), parents listed first.

    ``level`` is ``province``, ``city`` or ``county`` and must match the code's form
    (``PP0000``, ``PPCC00``, other); ``parent_code`` is empty for a province and otherwise names a
    province or prefecture listed above whose code the row's code starts with.

    Raises:
        ValueError: a row has a bad code or level, an empty name, a repeated code or a parent
            not listed above it; the message names ``source``, the row (the header is row 1)
            and the column.
    """
    rows: list[RegionRecord] = []
    seen: dict[str, RegionLevelName] = {}
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"code", "name", "level", "parent_code"} - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"{source}: missing column(s) {', '.join(sorted(missing))}")
    for line, row in enumerate(reader, start=2):
        where = f"{source} row {line}"
        code, name, level, parent = ((row.get(k) or "").strip() for k in ("code", "name", "level", "parent_code"))
        if len(code) != 6 or not code.isdigit():
            raise ValueError(f"{where}, column code: not a six-digit GB/T 2260 code: {code!r}")
        if level not in _LEVELS:
            raise ValueError(f"{where}, column level: must be one of {_LEVELS}, got {level!r}")
        if level != level_of_code(code):
            raise ValueError(f"{where}, column level: code {code} is a {level_of_code(code)} code, not {level}")
        if not name:
            raise ValueError(f"{where}, column name: empty")
        if code in seen:
            raise ValueError(f"{where}, column code: {code} listed twice")
        if level == "province" and parent:
            raise ValueError(f"{where}, column parent_code: a province has no parent, got {parent}")
        if level != "province":
            if parent and parent not in seen:
                raise ValueError(f"{where}, column parent_code: {parent} is not listed above this row")
            if (
                not parent
                or seen[parent] == "county"
                or not code.startswith(parent[:2] if seen[parent] == "province" else parent[:4])
            ):
                raise ValueError(f"{where}, column parent_code: {parent or 'empty'} cannot contain {code}")
        seen[code] = level
        rows.append(RegionRecord(code, name, level, parent or None))
    return tuple(rows)


@cache
def _records() -> dict[str, RegionRecord]:
    text = resources.files("scrapers").joinpath(DATA_RESOURCE).read_text(encoding="utf-8")
    return {r.code: r for r in parse_regions_csv(text, f"scrapers/{DATA_RESOURCE}")}


def all_regions() -> list[RegionRecord]:
    """Every current province, prefecture-level city and county of the shipped list, parents
    before children (sorted by code)."""
    return list(_records().values())


def get_region(code: str) -> RegionRecord | None:
    """The division with this six-digit code, or ``None``."""
    return _records().get(code)


def region_chain(code: str) -> list[RegionRecord]:
    """The division and its ancestors, province first: ``310115`` → [上海市, 上海市, 浦东新区]."""
    chain: list[RegionRecord] = []
    record = get_region(code)
    while record is not None:
        chain.append(record)
        record = get_region(record.parent_code) if record.parent_code else None
    return chain[::-1]


_PROVINCE_SUFFIX = re.compile(r"(特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|省|市)$")
_AUTONOMOUS = re.compile(r"(自治州|自治县|自治旗)$")
_CITY_SUFFIX = re.compile(r"(地区|盟|市)$")
_COUNTY_SUFFIX = re.compile(r"(新区|林区|特区|区|县|市|旗)$")


@cache
def _nationalities() -> tuple[str, ...]:
    names = _cpca_resource("56_nations.csv").read_text(encoding="utf-8").split()
    # "蒙古族" also appears as "蒙古" in names (巴音郭楞蒙古自治州): try both, longest first
    forms = {n for name in names for n in (name, name.removesuffix("族")) if len(n) >= 1}
    return tuple(sorted(forms, key=len, reverse=True))


def _short_name(record: RegionRecord) -> str | None:
    """The name without its administrative suffix (广州市 → 广州), or None if too short to trust."""
    name = record.name
    if record.level == "province":
        short = _PROVINCE_SUFFIX.sub("", name)
    elif _AUTONOMOUS.search(name):
        short = _AUTONOMOUS.sub("", name)
        stripped = True
        while stripped:
            stripped = False
            for nation in _nationalities():
                if short.endswith(nation) and len(short) - len(nation) >= 2:
                    short, stripped = short[: -len(nation)], True
                    break
    elif record.level == "city":
        short = _CITY_SUFFIX.sub("", name)
    else:
        short = _COUNTY_SUFFIX.sub("", name)
    return short if len(short) >= 2 and short != name else None


_DEPTH = {"province": 0, "city": 1, "county": 2}


@cache
def _longest_key() -> int:
    return max(len(k) for k in _keys())


@cache
def _keys() -> dict[str, list[RegionRecord]]:
    """Every full and short name → the divisions it may mean."""
    keys: dict[str, list[RegionRecord]] = {}
    for record in _records().values():
        for key in {name for name in (record.name, _short_name(record)) if name is not None}:
            keys.setdefault(key, []).append(record)
    return keys


def _pick(records: list[RegionRecord], inside: RegionRecord | None) -> RegionRecord | None:
    """The one division meant, among those a name may mean, within ``inside`` (None: anywhere).

    The shallowest level wins (吉林 → the province, not 吉林市); two at that level is ambiguous.
    """
    if inside is not None:
        prefix = inside.code[:2] if inside.level == "province" else inside.code[:4]
        records = [r for r in records if r.code.startswith(prefix) and _DEPTH[r.level] > _DEPTH[inside.level]]
    if not records:
        return None
    top = min(_DEPTH[r.level] for r in records)
    best = [r for r in records if _DEPTH[r.level] == top]
    return best[0] if len(best) == 1 else None


_SEPARATORS = " \t-－—·・•|/／,，、:："


def resolve_region(text: str | None) -> RegionRecord | None:
    """The most specific division a location text names, or ``None``.

    Reads names left to right, each inside the one before: ``上海-浦东新区`` → 310115,
    ``成都·武侯区`` → 510107, ``湖南省长沙市岳麓区`` → 430104, ``广州`` → 440100,
    ``成都-高新区`` → 510100 (a zone that is not a division stops the reading). Short names
    (广州 for 广州市, 浦东 for 浦东新区) are understood; a name that could mean two divisions of
    the same level (鼓楼区 without its city) is not guessed. ``异地招聘`` → ``None``.
    """
    if not text:
        return None
    s = text.strip()
    keys = _keys()
    longest = _longest_key()
    pos, current = 0, None
    while pos < len(s):
        while pos < len(s) and s[pos] in _SEPARATORS:
            pos += 1
        found = None
        for length in range(min(longest, len(s) - pos), 1, -1):
            candidates = keys.get(s[pos : pos + length])
            if candidates and (pick := _pick(candidates, current)) is not None:
                found, pos = pick, pos + length
                break
        if found is None:
            break
        current = found
        if current.level == "county":
            break
    return current
