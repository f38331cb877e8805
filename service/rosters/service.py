"""Roster import: validate every row, then write all (default) or only the valid rows.

Graduates are matched on (school, 学号): re-importing a roster updates them and never creates a
second graduate. Nothing is written when any row fails unless ``valid_rows_only``; the caller's
transaction commits, so a crash part-way leaves nothing half-written.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from litestar.connection import ASGIConnection
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.auth.guards import Principal
from service.catalog.majors import major_open_to
from service.catalog.models import Major, School
from service.graduates.identity import gender_of_id_number
from service.graduates.models import ROSTER_FIELDS, Gender, Graduate, SeekerKind
from service.graduates.schemas import YEAR_MAX, YEAR_MIN
from service.inputs import clean_name
from service.privacy.audit import record
from service.privacy.models import AuditAction
from service.rosters import fields as f
from service.rosters.models import RosterChange, RosterUpload, RosterUploadGraduate
from service.rosters.reader import Cell, RawRow, RosterFileError, read_roster

__all__ = ["RosterFileError", "RosterReport", "RowError", "import_roster"]


@dataclass(frozen=True, slots=True)
class RowError:
    """One rejected cell: file row number (as Excel shows it), Chinese column name, reason (Chinese /
    English), and for pages in other languages the roster ``field`` (:data:`fields.FIELDS` key), the
    stable ``code`` (:data:`ROW_ERROR_CODES`) and its ``params``: a page says the reason in the
    reader's language by code, never by reading ``reason``."""

    row: int
    column: str
    reason: str
    field: str = ""
    code: str = ""
    params: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)


#: The stable codes of :class:`RowError` (also in the API's ``rejected`` items) → what they mean.
ROW_ERROR_CODES = {
    "nul_character": "the cell contains a NUL character",
    "boolean_cell": "a true/false cell where text is expected",
    "decimal_number": "an identifier stored as a decimal number (params: value)",
    "digits_lost": "an identifier stored as a number of more than 15 digits",
    "scientific_notation": "an identifier in scientific notation (params: text)",
    "too_long": "longer than allowed (params: length, max)",
    "id_number_as_number": "a 身份证号 stored as a number",
    "id_number_invalid": "not a valid 身份证号 (length, check digit, province or birth date)",
    "phone_invalid": "not a mobile or landline number",
    "gender_invalid": "not male or female (params: text)",
    "date_serial_out_of_range": "an Excel serial date outside 1950-2100 (params: text)",
    "date_invalid": "not a date (params: text)",
    "graduation_year_out_of_range": "a graduation date outside the cohort years (params: date, min, max)",
    "required_missing": "a required value is missing",
    "major_unknown": "the major is not in the catalogue (params: major)",
    "gender_contradicts_id_number": "the gender contradicts the 身份证号",
    "cohort_not_year": "the cohort is not a year (params: text)",
    "major_retired": "the major was retired before the cohort (params: major, date, cohort)",
    "major_not_yet_open": "the major did not exist yet for the cohort (params: major, date, cohort)",
    "duplicate_row": "the same 学号 or 身份证号 as an earlier row (params: first_row)",
    "id_number_taken": "the 身份证号 is already recorded for another graduate",
}


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
    upload_id: int | None = None  # the roster history entry of a stored upload

    @property
    def rejected_rows(self) -> int:
        return len({e.row for e in self.rejected})

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready builtins (without ``dataclasses.asdict``'s deep copies: a report
        of 100,000 rejected cells is built in the request's event loop)."""
        d = {
            k: getattr(self, k)
            for k in ("file", "school", "rows_read", "created", "updated", "unchanged", "written", "sheet", "upload_id")
        }
        d["rejected"] = [
            {"row": e.row, "column": e.column, "reason": e.reason, "field": e.field, "code": e.code}
            for e in self.rejected
        ]
        d["rejected_rows"] = self.rejected_rows
        return d


_FIELDS = (
    "name",
    "gender",
    "id_number",
    "phone",
    "major_code",
    "graduation_date",
    "cohort",
    "disadvantaged",
    "class_name",
)
#: The row error for a 身份证号 another record already holds: it names neither the record nor the number.
ID_NUMBER_TAKEN = "该身份证号已登记在另一条记录中，请核对 / already recorded for another person: check the number"


def _col(name: str) -> str:
    return f.FIELDS[name][0]


@dataclass(frozen=True, slots=True)
class _Majors:
    """Major code and name (normalised) → code; code → (valid_from, retired_on)."""

    by_text: dict[str, str]
    dates: dict[str, tuple[Any, Any]]

    def get(self, text: str) -> str | None:
        return self.by_text.get(text)


async def _majors(session: AsyncSession) -> _Majors:
    rows = (await session.execute(select(Major.code, Major.name, Major.valid_from, Major.retired_on))).all()
    return _Majors(
        {**{f.normalise_header(n): c for c, n, _, _ in rows}, **{c: c for c, _, _, _ in rows}},
        {c: (start, end) for c, _, start, end in rows},
    )


def _parse(raw: RawRow, header: dict[str, int], majors: _Majors, errors: list[RowError]) -> dict[str, Any] | None:
    def cell(name: str) -> Cell:
        i = header.get(name)
        return raw.cells[i] if i is not None and i < len(raw.cells) else Cell(None)

    nul = [
        name
        for name, i in header.items()
        if i < len(raw.cells) and isinstance(raw.cells[i].value, str) and "\x00" in raw.cells[i].value
    ]
    for name in nul:
        errors.append(
            RowError(
                raw.number,
                _col(name),
                "含有空字符 (U+0000) / contains a NUL character, which cannot be stored",
                name,
                "nul_character",
            )
        )
    if nul:
        return None
    out: dict[str, Any] = {}
    before = len(errors)

    def attempt(name: str, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except f.CellError as exc:
            errors.append(RowError(raw.number, _col(exc.field), exc.reason, exc.field, exc.code, exc.params))
            return None

    out["student_number"] = attempt(
        "student_number",
        f.identifier,
        "student_number",
        cell("student_number").value,
        cell("student_number").number_format,
    )
    out["name"] = clean_name(attempt("name", f.identifier, "name", cell("name").value, "General", 100) or "") or None
    out["id_number"] = attempt("id_number", f.id_number, cell("id_number").value, cell("id_number").number_format)
    out["phone"] = attempt("phone", f.phone, cell("phone").value, cell("phone").number_format)
    out["gender"] = attempt("gender", f.gender, cell("gender").value)
    out["graduation_date"] = attempt("graduation_date", f.date_of, "graduation_date", cell("graduation_date").value)
    out["disadvantaged"] = f.yes_no("disadvantaged", cell("disadvantaged").value)
    class_name = attempt("class_name", f.identifier, "class_name", cell("class_name").value, "General", 64)
    out["class_name"] = clean_name(class_name or "") or None
    graduated = out["graduation_date"]
    if graduated is not None and not YEAR_MIN <= graduated.year <= YEAR_MAX:
        errors.append(
            RowError(
                raw.number,
                _col("graduation_date"),
                f"{graduated} 不在 {YEAR_MIN}–{YEAR_MAX} 年之间 (届别的"
                f"范围) / outside {YEAR_MIN}–{YEAR_MAX}, the years "
                "a cohort may take",
                "graduation_date",
                "graduation_year_out_of_range",
                {"date": str(graduated), "min": YEAR_MIN, "max": YEAR_MAX},
            )
        )
    for name in f.REQUIRED:
        if out[name] is None and not any(e.row == raw.number and e.column == _col(name) for e in errors):
            errors.append(
                RowError(raw.number, _col(name), "必填项为空 / required value is missing", name, "required_missing")
            )
    major_text = f.text_of(cell("major").value)
    out["major_code"] = None
    if major_text:
        code = majors.get(major_text) or majors.get(f.normalise_header(major_text))
        if code is None:
            errors.append(
                RowError(
                    raw.number,
                    _col("major"),
                    f"专业 {major_text!r} 不在专业目录中 / unknown major",
                    "major",
                    "major_unknown",
                    {"major": major_text},
                )
            )
        out["major_code"] = code
    if out["id_number"] and out["gender"] and gender_of_id_number(out["id_number"]) != out["gender"]:
        errors.append(
            RowError(
                raw.number,
                _col("gender"),
                "与身份证号第17位所示性别不符 / contradicts the 身份证号",
                "gender",
                "gender_contradicts_id_number",
            )
        )
    if out["id_number"] and not out["gender"]:
        out["gender"] = gender_of_id_number(out["id_number"])
    cohort_text = f.text_of(cell("cohort").value)
    if cohort_text:
        digits = cohort_text.rstrip("届")
        if not digits.isdigit() or not 1950 <= int(digits) <= 2100:
            errors.append(
                RowError(
                    raw.number,
                    _col("cohort"),
                    f"{cohort_text!r} 不是年份 / not a year",
                    "cohort",
                    "cohort_not_year",
                    {"text": repr(cohort_text)},
                )
            )
        out["cohort"] = int(digits) if digits.isdigit() else None
    else:
        out["cohort"] = out["graduation_date"].year if out["graduation_date"] else None
    if out["major_code"] and out["cohort"] is not None:
        start, end = majors.dates[out["major_code"]]
        if not major_open_to(start, end, out["cohort"]):
            retired = bool(end and out["cohort"] > end.year)
            when = f"已于 {end} 停用 / retired on {end}" if retired else f"自 {start} 起设置 / exists from {start}"
            errors.append(
                RowError(
                    raw.number,
                    _col("major"),
                    f"专业 {major_text!r} {when}，不适用于 {out['cohort']} 届 / not open to the {out['cohort']} cohort",
                    "major",
                    "major_retired" if retired else "major_not_yet_open",
                    {"major": major_text, "date": str(end if retired else start), "cohort": out["cohort"]},
                )
            )
    return out if len(errors) == before else None


def _read_and_check(
    data: bytes, filename: str, school_code: str, majors: _Majors, tell: Callable[[str, int, int | None], None]
) -> tuple[RosterReport, list[dict[str, Any]]]:
    """Read the file and check every row on its own (no database): the report so far (rows read,
    rejected cells, the sheet read) and the valid rows, each with ``_row``, duplicates inside the
    file rejected. Raises :class:`RosterFileError` as :func:`~service.rosters.reader.read_roster`,
    or for a missing required column."""
    found = read_roster(data, filename, f.header_of)
    header, raw_rows = found.header, found.rows
    missing = [f.FIELDS[n][0] for n in f.REQUIRED if n not in header]
    if missing:
        raise RosterFileError(
            f"missing column(s) {', '.join(missing)}; found {', '.join(_col(n) for n in header)}",
            "missing_columns",
            missing="、".join(missing),
            found="、".join(_col(n) for n in header),
        )
    report = RosterReport(file=filename, school=school_code, rows_read=len(raw_rows), sheet=found.sheet)
    parsed: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for done, raw in enumerate(raw_rows, start=1):
        if done % 500 == 0 or done == len(raw_rows):
            tell("read", done, len(raw_rows))
        row = _parse(raw, header, majors, report.rejected)
        if row is None:
            continue
        dup = False
        for key in ("student_number", "id_number"):
            if row[key] and (key, row[key]) in seen:
                first = seen[(key, row[key])]
                report.rejected.append(
                    RowError(
                        raw.number,
                        _col(key),
                        f"与第 {first} 行重复 / duplicate of row {first}",
                        key,
                        "duplicate_row",
                        {"first_row": first},
                    )
                )
                dup = True
        if dup:
            continue
        for key in ("student_number", "id_number"):
            if row[key]:
                seen[(key, row[key])] = raw.number
        row["_row"] = raw.number
        parsed.append(row)
    return report, parsed


async def import_roster(
    session: AsyncSession,
    data: bytes,
    filename: str,
    school_code: str,
    valid_rows_only: bool = False,
    *,
    actor: Principal | None = None,
    request: ASGIConnection[Any, Any, Any, Any] | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> RosterReport:
    """Validate and import a roster for the school with 学校标识码 ``school_code``.

    Returns the report; with errors and ``valid_rows_only`` false nothing is written. Duplicate
    学号 or 身份证号 inside the file, a 身份证号 already recorded for another person anywhere in the
    database (the report names the row and column, never the other record: it goes to the
    uploading school's staff only), a graduation date outside 1950–2100, and a NUL character
    (U+0000) in any cell of a recognised column are row errors. Changes to roster-owned fields of
    graduates already stored are audited, one event per graduate (``actor``, ``request``; field
    names only). Flushes only. ``progress(phase, done, total)`` is told the rows checked (``read``)
    and written (``write_rows``).

    Raises:
        RosterFileError: the school is unknown, or the file cannot be read, or a required column
            (学号, 姓名, 毕业时间) is missing.
    """
    school = (await session.execute(select(School).where(School.code == school_code))).scalar_one_or_none()
    if school is None:
        raise RosterFileError(f"unknown school code {school_code!r} (学校标识码)")
    majors = await _majors(session)
    tell = progress or (lambda phase, done, total: None)
    # reading and checking every cell is CPU work: off this event loop (the web server runs the whole
    # import in a worker process, service.rosters.workers; the CLI in its own)
    report, parsed = await asyncio.to_thread(_read_and_check, data, filename, school_code, majors, tell)
    existing = await _existing(session, school.id, parsed)
    holders = await _id_number_holders(session, [r["id_number"] for r in parsed if r["id_number"]])
    for row in parsed:
        holder = holders.get(row["id_number"]) if row["id_number"] else None
        own = existing.get(row["student_number"])
        if holder is not None and (own is None or own.id != holder):
            report.rejected.append(
                RowError(row["_row"], _col("id_number"), ID_NUMBER_TAKEN, "id_number", "id_number_taken")
            )
    bad_rows = {e.row for e in report.rejected}
    if report.rejected and not valid_rows_only:
        return report
    audits: list[tuple[Graduate, list[str]]] = []
    history: list[tuple[Graduate, RosterChange, list[str], int]] = []
    for done, row in enumerate(parsed, start=1):
        if done % 500 == 0 or done == len(parsed):
            tell("write_rows", done, len(parsed))
        if row["_row"] in bad_rows:
            continue
        graduate = existing.get(row["student_number"])
        values = {k: row[k] for k in _FIELDS}
        if values["gender"] is None:
            values["gender"] = graduate.gender if graduate else Gender.UNKNOWN
        if graduate is None:
            graduate = Graduate(
                kind=SeekerKind.GRADUATE,
                school_id=school.id,
                student_number=row["student_number"],
                region_code=school.region_code,
                source="roster",
                **values,
            )
            session.add(graduate)
            history.append((graduate, RosterChange.ADDED, [], row["_row"]))
            report.created += 1
            continue
        changes = {k: v for k, v in values.items() if v is not None and getattr(graduate, k) != v}
        for k, v in changes.items():
            setattr(graduate, k, v)
        report.updated += bool(changes)
        report.unchanged += not changes
        if changes:
            history.append((graduate, RosterChange.CHANGED, sorted(changes), row["_row"]))
        roster_changed = [k for k in ROSTER_FIELDS if k in changes]
        if roster_changed:
            audits.append((graduate, roster_changed))
    await session.flush()
    upload = await _record_upload(session, school.id, filename, actor, report, history)
    for graduate, roster_changed in audits:  # staff changed roster-owned fields: audited, names only
        await record(
            session,
            actor,
            AuditAction.UPDATE,
            "graduate",
            graduate.id,
            graduate_id=graduate.id,
            detail={"roster_fields": roster_changed, "via": "roster", "roster_upload": upload.id},
            request=request,
        )
    await record(
        session,
        actor,
        AuditAction.CREATE,
        "roster_upload",
        upload.id,
        detail={"added": upload.added, "changed": upload.changed, "school_id": school.id},
        request=request,
    )
    report.written = True
    report.upload_id = upload.id
    return report


async def _record_upload(
    session: AsyncSession,
    school_id: int,
    filename: str,
    actor: Principal | None,
    report: RosterReport,
    history: list[tuple[Graduate, RosterChange, list[str], int]],
) -> RosterUpload:
    """The roster history of a stored upload: the upload (who, when, counts) and one row per graduate
    it added or changed (field names only, never values). Flushes."""
    upload = RosterUpload(
        school_id=school_id,
        filename=filename[-255:],
        actor_user_id=actor.user_id if actor else None,
        actor_role=actor.role if actor else None,
        rows_read=report.rows_read,
        added=report.created,
        changed=report.updated,
        unchanged=report.unchanged,
        rejected_rows=report.rejected_rows,
    )
    session.add(upload)
    await session.flush()
    session.add_all(
        [
            RosterUploadGraduate(upload_id=upload.id, graduate_id=graduate.id, change=change, fields=names, row=row)
            for graduate, change, names, row in history
        ]
    )
    await session.flush()
    return upload


async def _id_number_holders(session: AsyncSession, numbers: list[str]) -> dict[str, int]:
    """身份证号 → id of the graduate holding it, anywhere in the database, for ``numbers``."""
    holders: dict[str, int] = {}
    for start in range(0, len(numbers), 500):
        stmt = select(Graduate.id_number, Graduate.id).where(Graduate.id_number.in_(numbers[start : start + 500]))
        holders.update({number: ident for number, ident in (await session.execute(stmt)).all()})
    return holders


async def _existing(session: AsyncSession, school_id: int, rows: list[dict[str, Any]]) -> dict[str, Graduate]:
    """学号 → the school's stored graduate, for the rows' 学号 (re-imports update these)."""
    sns = [r["student_number"] for r in rows]
    found: dict[str, Graduate] = {}
    for start in range(0, len(sns), 500):
        stmt = select(Graduate).where(
            Graduate.school_id == school_id, Graduate.student_number.in_(sns[start : start + 500])
        )
        found.update({g.student_number: g for g in (await session.execute(stmt)).scalars() if g.student_number})
    return found
