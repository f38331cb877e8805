"""The repeated rows of the profile form — internships and jobs (实习/顶岗实习/工作经历) and
skills-competition awards (技能大赛获奖) — read from the form, checked row by row against the API's
own schemas (:class:`~service.graduates.schemas.Experience`, :class:`~service.graduates.schemas.Award`)
so each error lands next to its row, and turned back into form values.

Field names are ``<prefix>-<row>-<field>`` (``exp-0-title``); a row whose ``remove`` box is ticked,
or whose every field is blank, is left out. Months come from ``<input type="month">`` as ``YYYY-MM``
and are stored as the first day of the month.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import msgspec

from service.graduates.models import Graduate

EXPERIENCE_FIELDS = ("kind", "title", "employer_name", "start_date", "end_date", "description")
AWARD_FIELDS = ("competition", "level", "prize", "year")
#: Fields that say nothing on their own (a row with only these is blank).
_DEFAULTED = {"kind"}
#: At most this many rows of each kind are read (the API's limit is 100; a form has far fewer).
MAX_ROWS = 30
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_to_date(value: str) -> str | None:
    """``"2025-07"`` → ``"2025-07-01"``; a full date is kept; ``""`` → ``None``."""
    value = value.strip()
    if not value:
        return None
    found = _MONTH.match(value)
    return f"{found.group(1)}-{found.group(2)}-01" if found else value


def read_rows(form: Any, prefix: str, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """The non-blank, non-removed rows of ``prefix`` in form order, each with every field (``""`` when absent)."""
    rows = []
    for i in range(MAX_ROWS):
        row = {f: (form.get(f"{prefix}-{i}-{f}") or "").strip() for f in fields}
        if form.get(f"{prefix}-{i}-remove") or not any(v for f, v in row.items() if f not in _DEFAULTED):
            continue
        rows.append(row)
    return rows


def _message(exc: msgspec.ValidationError) -> tuple[str, str]:
    text = str(exc)
    found = re.search(r"at `\$\.([A-Za-z_]+)", text) or re.search(r"missing required field `([A-Za-z_]+)`", text)
    return (found.group(1) if found else ""), text


def check_rows(
    rows: list[dict[str, str]], type_: type[Any], prefix: str
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Each row converted to the API's JSON shape (empty values dropped, months as dates) and
    checked against ``type_``; errors keyed ``<prefix>-<row>-<field>`` (``<prefix>-<row>`` when the
    message names no field)."""
    out, errors = [], {}
    for i, row in enumerate(rows):
        data: dict[str, Any] = {}
        for name, value in row.items():
            if name in ("start_date", "end_date"):
                value = month_to_date(value) or ""
            if value:
                data[name] = value
        try:
            msgspec.convert(data, type_, strict=False)
        except msgspec.ValidationError as exc:
            field, message = _message(exc)
            errors[f"{prefix}-{i}-{field}" if field else f"{prefix}-{i}"] = message
        out.append(data)
    return out, errors


def experience_rows(g: Graduate) -> list[dict[str, str]]:
    """The stored internships and jobs as form rows."""

    def month(d: dt.date | None) -> str:
        return d.strftime("%Y-%m") if d else ""

    return [
        {
            "kind": e.kind.value,
            "title": e.title,
            "employer_name": e.employer_name or "",
            "start_date": month(e.start_date),
            "end_date": month(e.end_date),
            "description": e.description or "",
        }
        for e in g.experiences
    ]


def award_rows(g: Graduate) -> list[dict[str, str]]:
    """The stored awards as form rows."""
    return [
        {
            "competition": a.competition,
            "level": a.level or "",
            "prize": a.prize or "",
            "year": "" if a.year is None else str(a.year),
        }
        for a in g.awards
    ]


def blank(fields: tuple[str, ...]) -> dict[str, str]:
    """An empty row (the form always offers one more)."""
    return {f: "" for f in fields}
