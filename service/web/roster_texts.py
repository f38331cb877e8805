"""The roster validation report in the reader's language: each rejected cell's reason is said by its
stable code (:data:`service.rosters.service.ROW_ERROR_CODES`), never by reading the service's
(Chinese / English) ``reason``; the column by its roster field. Chinese readers see the column as
the file names it (学号 …); English readers the English name with the file's header after it."""

from __future__ import annotations

import gettext

from service.rosters.service import ROW_ERROR_CODES, RowError
from service.web.common import N_

#: code → msgid (``%(name)s`` params from :attr:`RowError.params`).
REASONS: dict[str, str] = {
    "nul_character": N_("Contains a NUL character (U+0000), which cannot be stored"),
    "boolean_cell": N_("A true/false cell; enter text"),
    "decimal_number": N_("A decimal number %(value)s: format the column as text"),
    "digits_lost": N_(
        "Stored as a number of more than 15 digits, so digits were lost: format the column as text and enter it again"
    ),
    "scientific_notation": N_(
        "In scientific notation %(text)s, so digits were lost: format the column as text and enter it again"
    ),
    "too_long": N_("%(length)s characters, more than %(max)s"),
    "id_number_as_number": N_(
        "Stored as a number, so the 18-digit 身份证号 lost digits: format the column as text and enter it again"
    ),
    "id_number_invalid": N_(
        "Not a valid 身份证号 (18 characters, check digit, province, birth date): check for a typo"
    ),
    "phone_invalid": N_("Not an 11-digit mobile number or a landline starting with 0"),
    "gender_invalid": N_("%(text)s is not 男 or 女 (male or female)"),
    "date_serial_out_of_range": N_("The Excel date number %(text)s is out of range"),
    "date_invalid": N_("%(text)s is not a date (e.g. 2025-06-30, 2025年6月)"),
    "graduation_year_out_of_range": N_("%(date)s is outside %(min)s–%(max)s, the years a cohort may take"),
    "required_missing": N_("A required value is missing"),
    "major_unknown": N_("The major %(major)s is not in the catalogue of majors"),
    "gender_contradicts_id_number": N_("Contradicts the gender given by the 17th character of the 身份证号"),
    "cohort_not_year": N_("%(text)s is not a year"),
    "major_retired": N_("The major %(major)s was retired on %(date)s: not open to the %(cohort)s cohort"),
    "major_not_yet_open": N_("The major %(major)s exists from %(date)s: not open to the %(cohort)s cohort"),
    "duplicate_row": N_("The same as row %(first_row)s"),
    "id_number_taken": N_("Already recorded for another person: check the number"),
}
assert set(REASONS) == set(ROW_ERROR_CODES), "every roster error code has its text"

#: roster field → English column name (msgid).
COLUMNS: dict[str, str] = {
    "student_number": N_("Student number"),
    "name": N_("Name"),
    "gender": N_("Gender"),
    "id_number": N_("ID card number"),
    "major": N_("Major"),
    "graduation_date": N_("Graduation date"),
    "phone": N_("Phone"),
    "class_name": N_("Class"),
    "cohort": N_("Cohort"),
    "disadvantaged": N_("Disadvantaged group"),
}


#: :class:`~service.rosters.reader.RosterFileError` code → msgid.
FILE_ERRORS: dict[str, str] = {
    "unsupported_file_type": N_(
        "This file type (%(suffix)s) cannot be read: upload an .xlsx or .csv file (save an .xls file as .xlsx first)."
    ),
    "no_header": N_(
        "No header row was found in the first %(rows)s rows: the roster needs columns such as 学号, 姓名, 毕业时间."
    ),
    "unreadable_workbook": N_(
        "The file cannot be read as an .xlsx workbook: open it in Excel or WPS and save it again as .xlsx."
    ),
    "over_limit": N_(
        "The file is larger than a roster may be (at most %(rows)s rows, %(columns)s columns and %(cells)s "
        "cells): split it into several files."
    ),
    "not_text": N_(
        "The CSV file is not text in UTF-8 or GB18030 (GBK): save it again as CSV (UTF-8), or upload the .xlsx file."
    ),
    "invalid_csv": N_(
        "Line %(line)s of the CSV file cannot be read (e.g. a quote not closed or a cell far too long): "
        "check it, or upload the .xlsx file."
    ),
    "hidden_active_sheet": N_(
        "The sheet the workbook opens on (%(sheet)s) is hidden: make a visible sheet the active one and save again."
    ),
    "hidden_sheet_data": N_(
        "The hidden sheet %(sheet)s holds roster data, but only the visible sheet %(active)s is read: unhide "
        "the hidden sheet or delete it, then upload again."
    ),
    "no_data_rows": N_("There are no rows below the header."),
    "missing_columns": N_("Required columns are missing: %(missing)s. Columns found: %(found)s."),
}


def file_error_text(tr: gettext.GNUTranslations, exc: Exception) -> str:
    """A whole-file error in the reader's language by its code (the service's text if it has none)."""
    msgid = FILE_ERRORS.get(getattr(exc, "code", ""))
    return tr.gettext(msgid) % getattr(exc, "params", {}) if msgid else str(exc)


def reason_text(tr: gettext.GNUTranslations, error: RowError) -> str:
    """The reason of ``error`` in ``tr``'s language, by its code (the service's text if it has none)."""
    msgid = REASONS.get(error.code)
    if msgid is None:
        return error.reason
    return tr.gettext(msgid) % error.params if error.params else tr.gettext(msgid)


def column_text(tr: gettext.GNUTranslations, locale: str, error: RowError) -> str:
    """``学号`` for Chinese readers; ``Student number (学号)`` for others."""
    if locale.startswith("zh") or error.field not in COLUMNS:
        return error.column
    return f"{tr.gettext(COLUMNS[error.field])} ({error.column})"
