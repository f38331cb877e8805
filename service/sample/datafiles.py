"""Reading the hand-written files under ``service/sample/data/`` (no database).

* ``regions_guangdong.csv`` — 广东省, its 21 prefecture-level cities and the counties/districts
  of the cities the sample uses (GB/T 2260 codes; ``code,name,level,parent_code``).
* ``schools.json`` — fictional 中职 schools: sample code, name, county code, majors taught.
* ``employers.json`` — fictional employers: name, industry, size, county code, street address,
  majors they recruit from.
* ``names.json`` — surnames and given-name characters for fictional people.
* ``posting_text.json`` — sentences for posting descriptions, graduate summaries, competitions.

Every reader raises :class:`ValueError` naming the file, the row or record and the field.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import msgspec

from scrapers.regions import RegionRecord, parse_regions_csv


class SchoolRecord(msgspec.Struct, frozen=True):
    code: str
    name: str
    region_code: str
    majors: tuple[str, ...]


class EmployerRecord(msgspec.Struct, frozen=True):
    name: str
    industry: str
    size: str
    region_code: str
    address: str
    majors: tuple[str, ...]


class NameParts(msgspec.Struct, frozen=True):
    surnames: tuple[str, ...]
    given_male: tuple[str, ...]
    given_female: tuple[str, ...]


class Texts(msgspec.Struct, frozen=True):
    duties: dict[str, tuple[str, ...]]
    requirements: tuple[str, ...]
    benefits: tuple[str, ...]
    summary: tuple[str, ...]
    competitions: dict[str, str]


def _read(name: str) -> str:
    return resources.files("service.sample").joinpath("data", name).read_text(encoding="utf-8")


def _decode(name: str, key: str, typ: Any) -> Any:
    """Decode ``key`` of the JSON file ``name`` as ``typ``; errors name file and JSON path."""
    try:
        doc = json.loads(_read(name))
        return msgspec.convert(doc[key] if key else doc, typ)
    except (ValueError, KeyError, msgspec.ValidationError) as exc:
        raise ValueError(f"service/sample/data/{name}: {exc}") from exc


@cache
def guangdong_regions() -> tuple[RegionRecord, ...]:
    """The rows of ``regions_guangdong.csv`` in file order (see :func:`parse_regions_csv`)."""
    return parse_regions_csv(_read("regions_guangdong.csv"), "service/sample/data/regions_guangdong.csv")


@cache
def schools() -> tuple[SchoolRecord, ...]:
    """The sample schools. Raises :class:`ValueError` on a malformed file."""
    return tuple(_decode("schools.json", "schools", list[SchoolRecord]))


@cache
def employers() -> tuple[EmployerRecord, ...]:
    """The sample employers. Raises :class:`ValueError` on a malformed file."""
    return tuple(_decode("employers.json", "employers", list[EmployerRecord]))


@cache
def name_parts() -> NameParts:
    """Surnames and given-name characters. Raises :class:`ValueError` on a malformed file."""
    return _decode("names.json", "", NameParts)


@cache
def texts() -> Texts:
    """Sentences for postings and profiles. Raises :class:`ValueError` on a malformed file."""
    return _decode("posting_text.json", "", Texts)
