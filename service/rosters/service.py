"""Roster import: validate every row, then write all (default) or only the valid rows.

Graduates are matched on (school, 学号): re-importing a roster updates them and never creates a
second graduate. Nothing is written when any row fails unless ``valid_rows_only``; the caller's
transaction commits, so a crash part-way leaves nothing half-written.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import Major, School
from service.graduates.identity import gender_of_id_number
from service.graduates.models import Gender, Graduate, SeekerKind
from service.rosters import fields as f
from service.rosters.reader import Cell, RawRow, RosterFileError, read_roster

__all__ = ["RosterFileError", "RosterReport", "RowError", "import_roster"]


@dataclass(frozen=True, slots=True)
class RowError:
    """One rejected cell: file row number (as Excel shows it), Chinese column name, reason."""

    row: int
    column: str
    reason: str


@dataclass(slots=True)
class RosterReport:
    """The validation report. ``written`` is false when nothing was stored; ``sheet`` is the title
    of the worksheet read (a workbook's active sheet; ``None`` for CSV)."""

    file: str
    school: str
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[RowError] = field(default_factory=list)
    written: bool = False
    sheet: str | None = None

    @property
    def rejected_rows(self) -> int:
        return len({e.row for e in self.rejected})

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready builtins (without ``dataclasses.asdict``'s deep copies: a report
        of 100,000 rejected cells is built in the request's event loop)."""
        d = {k: getattr(self, k) for k in ("file", "school", "rows_read", "created", "updated", "unchanged",
                                           "written", "sheet")}
        d["rejected"] = [{"row": e.row, "column": e.column, "reason": e.reason} for e in self.rejected]
        d["rejected_rows"] = self.rejected_rows
        return d


_FIELDS = ("name", "gender", "id_number", "phone", "major_code", "graduation_date", "cohort", "disadvantaged")


def _col(name: str) -> str:
    return f.FIELDS[name][0]


async def _majors(session: AsyncSession) -> dict[str, str]:
    """Major code and name (normalised) → code."""
    rows = (await session.execute(select(Major.code, Major.name))).all()
    return {**{f.normalise_header(n): c for c, n in rows}, **{c: c for c, _ in rows}}


def _parse(raw: RawRow, header: dict[str, int], majors: dict[str, str], errors: list[RowError]) -> dict[str, Any] | None:
    def cell(name: str) -> Cell:
        i = header.get(name)
        return raw.cells[i] if i is not None and i < len(raw.cells) else Cell(None)

    nul = [name for name, i in header.items()
           if i < len(raw.cells) and isinstance(raw.cells[i].value, str) and "\x00" in raw.cells[i].value]
    for name in nul:
        errors.append(RowError(raw.number, _col(name), "含有空字符 (U+0000) / contains a NUL character, which "
                                                       "cannot be stored"))
    if nul:
        return None
    out: dict[str, Any] = {}
    before = len(errors)

    def attempt(name: str, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except f.CellError as exc:
            errors.append(RowError(raw.number, _col(exc.field), exc.reason))
            return None

    out["student_number"] = attempt("student_number", f.identifier, "student_number",
                                    cell("student_number").value, cell("student_number").number_format)
    out["name"] = attempt("name", f.identifier, "name", cell("name").value, "General", 100)
    out["id_number"] = attempt("id_number", f.id_number, cell("id_number").value, cell("id_number").number_format)
    out["phone"] = attempt("phone", f.phone, cell("phone").value, cell("phone").number_format)
    out["gender"] = attempt("gender", f.gender, cell("gender").value)
    out["graduation_date"] = attempt("graduation_date", f.date_of, "graduation_date", cell("graduation_date").value)
    out["disadvantaged"] = f.yes_no("disadvantaged", cell("disadvantaged").value)
    for name in f.REQUIRED:
        if out[name] is None and not any(e.row == raw.number and e.column == _col(name) for e in errors):
            errors.append(RowError(raw.number, _col(name), "必填项为空 / required value is missing"))
    major_text = f.text_of(cell("major").value)
    out["major_code"] = None
    if major_text:
        code = majors.get(major_text) or majors.get(f.normalise_header(major_text))
        if code is None:
            errors.append(RowError(raw.number, _col("major"), f"专业 {major_text!r} 不在专业目录中 / unknown major"))
        out["major_code"] = code
    if out["id_number"] and out["gender"] and gender_of_id_number(out["id_number"]) != out["gender"]:
        errors.append(RowError(raw.number, _col("gender"), "与身份证号第17位所示性别不符 / contradicts the 身份证号"))
    if out["id_number"] and not out["gender"]:
        out["gender"] = gender_of_id_number(out["id_number"])
    cohort_text = f.text_of(cell("cohort").value)
    if cohort_text:
        digits = cohort_text.rstrip("届")
        if not digits.isdigit() or not 1950 <= int(digits) <= 2100:
            errors.append(RowError(raw.number, _col("cohort"), f"{cohort_text!r} 不是年份 / not a year"))
        out["cohort"] = int(digits) if digits.isdigit() else None
    else:
        out["cohort"] = out["graduation_date"].year if out["graduation_date"] else None
    return out if len(errors) == before else None


def _read_and_check(data: bytes, filename: str, school_code: str,
                    majors: dict[str, str]) -> tuple[RosterReport, list[dict[str, Any]]]:
    """Read the file and check every row on its own (no database): the report so far (rows read,
    rejected cells, the sheet read) and the valid rows, each with ``_row``, duplicates inside the
    file rejected. Raises :class:`RosterFileError` as :func:`~service.rosters.reader.read_roster`,
    or for a missing required column."""
    found = read_roster(data, filename, f.header_of)
    header, raw_rows = found.header, found.rows
    missing = [f.FIELDS[n][0] for n in f.REQUIRED if n not in header]
    if missing:
        raise RosterFileError(f"missing column(s) {', '.join(missing)}; found {', '.join(_col(n) for n in header)}")
    report = RosterReport(file=filename, school=school_code, rows_read=len(raw_rows), sheet=found.sheet)
    parsed: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for raw in raw_rows:
        row = _parse(raw, header, majors, report.rejected)
        if row is None:
            continue
        dup = False
        for key in ("student_number", "id_number"):
            if row[key] and (key, row[key]) in seen:
                report.rejected.append(RowError(raw.number, _col(key), f"与第 {seen[(key, row[key])]} 行重复 / "
                                                f"duplicate of row {seen[(key, row[key])]}"))
                dup = True
        if dup:
            continue
        for key in ("student_number", "id_number"):
            if row[key]:
                seen[(key, row[key])] = raw.number
        row["_row"] = raw.number
        parsed.append(row)
    return report, parsed


async def import_roster(session: AsyncSession, data: bytes, filename: str, school_code: str,
                        valid_rows_only: bool = False) -> RosterReport:
    """Validate and import a roster for the school with 学校标识码 ``school_code``.

    Returns the report; with errors and ``valid_rows_only`` false nothing is written. Duplicate
    学号 or 身份证号 inside the file, a 身份证号 already used by another student of the school, and
    a NUL character (U+0000) in any cell of a recognised column are row errors. Flushes only.

    Raises:
        RosterFileError: the school is unknown, or the file cannot be read, or a required column
            (学号, 姓名, 毕业时间) is missing.
    """
    school = (await session.execute(select(School).where(School.code == school_code))).scalar_one_or_none()
    if school is None:
        raise RosterFileError(f"unknown school code {school_code!r} (学校标识码)")
    majors = await _majors(session)
    # reading and checking every cell is CPU work: off this event loop (the web server runs the whole
    # import in a worker process, service.rosters.workers; the CLI in its own)
    report, parsed = await asyncio.to_thread(_read_and_check, data, filename, school_code, majors)
    existing = await _existing(session, school.id, parsed)
    for row in parsed:
        other = existing["id"].get(row["id_number"]) if row["id_number"] else None
        if other is not None and other.student_number != row["student_number"]:
            report.rejected.append(RowError(row["_row"], _col("id_number"), f"该身份证号已属于本校学号 {other.student_number} / "
                                            "already used by another student of the school"))
    bad_rows = {e.row for e in report.rejected}
    if report.rejected and not valid_rows_only:
        return report
    for row in parsed:
        if row["_row"] in bad_rows:
            continue
        graduate = existing["sn"].get(row["student_number"])
        values = {k: row[k] for k in _FIELDS}
        if values["gender"] is None:
            values["gender"] = graduate.gender if graduate else Gender.UNKNOWN
        if graduate is None:
            session.add(Graduate(kind=SeekerKind.GRADUATE, school_id=school.id, student_number=row["student_number"],
                                 region_code=school.region_code, source="roster", **values))
            report.created += 1
            continue
        changes = {k: v for k, v in values.items() if v is not None and getattr(graduate, k) != v}
        for k, v in changes.items():
            setattr(graduate, k, v)
        report.updated += bool(changes)
        report.unchanged += not changes
    await session.flush()
    report.written = True
    return report


async def _existing(session: AsyncSession, school_id: int, rows: list[dict[str, Any]]) -> dict[str, dict[str, Graduate]]:
    sns = [r["student_number"] for r in rows]
    ids = [r["id_number"] for r in rows if r["id_number"]]
    found: dict[str, dict[str, Graduate]] = {"sn": {}, "id": {}}
    for start in range(0, max(len(sns), len(ids)), 500):
        stmt = select(Graduate).where(Graduate.school_id == school_id, or_(
            Graduate.student_number.in_(sns[start:start + 500]), Graduate.id_number.in_(ids[start:start + 500])))
        for g in (await session.execute(stmt)).scalars():
            if g.student_number:
                found["sn"][g.student_number] = g
            if g.id_number:
                found["id"][g.id_number] = g
    return found
