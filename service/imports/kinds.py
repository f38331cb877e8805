"""Which importer a path needs: by file name or suffix, else by the CSV header.

``.html``/``.htm``/``.json``/``.jsonld`` are pages with schema.org JobPosting data; a CSV is
recognised by its header, a job-fair sheet (``.xlsx`` or CSV, 招聘会岗位信息表) by a header row (among
the first ten) naming a 岗位 column and an employer column (or a header the job-fair reader mostly
knows). Any other board's CSV/XLSX export is
read through a column mapping (``mapped``, :mod:`scrapers.sources.mapped`); a file no importer
recognises is refused with its columns and a mapping that fits them.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scrapers.csvio import UnreadableFileError, detect_encoding
from scrapers.jobposting.page import JsonLdFile
from scrapers.sources.job51 import Job51_2019, Job51_2023
from scrapers.sources.jobfair import JobFairSheet, map_header
from scrapers.sources.mapped import ColumnMapping, MappedFile, how_to_map, read_header
from scrapers.sources.nyc_jobs import NycJobs
from scrapers.sources.us_jobboard import UsApplicants, UsJobs
from service.errors import InvalidFieldError


class ImportKind(enum.StrEnum):
    US_JOBS = "us_jobs"  # jobs.csv of the US job board
    US_APPLICANTS = "us_applicants"  # experience.csv + positions_of_interest.csv (or their folder)
    CN_51JOB_2019 = "cn_51job_2019"  # 51job 2019 spider export, GB18030
    CN_51JOB_2023 = "cn_51job_2023"  # 51job 2023 cleaned export, UTF-8
    NYC_JOBS = "nyc_jobs"  # NYC Open Data "NYC Jobs" CSV
    JOB_FAIR = "job_fair"  # 招聘会岗位信息表, .xlsx or .csv
    JSONLD_PAGE = "jsonld_page"  # a saved page (or JSON-LD file) with schema.org JobPosting data
    MAPPED = "mapped"  # any board's CSV/XLSX export, through a column mapping file (--mapping)


_HEADERS: tuple[tuple[frozenset[str], ImportKind], ...] = (
    (frozenset({"Job.ID", "Title", "Position", "Company"}), ImportKind.US_JOBS),
    (frozenset({"Applicant.ID", "Position.Name"}), ImportKind.US_APPLICANTS),
    (frozenset({"Applicant.ID", "Position.Of.Interest"}), ImportKind.US_APPLICANTS),
    (frozenset({"职位", "薪资", "公司信息", "地区"}), ImportKind.CN_51JOB_2019),
    (frozenset({"岗位名称", "薪资", "公司名称", "岗位描述"}), ImportKind.CN_51JOB_2023),
    (frozenset({"Job ID", "Business Title", "Salary Frequency"}), ImportKind.NYC_JOBS),
)
_PAGE_SUFFIXES = (".html", ".htm", ".json", ".jsonld")
_SOURCES: dict[ImportKind, Callable[[Path], Source]] = {
    ImportKind.US_JOBS: UsJobs,
    ImportKind.US_APPLICANTS: UsApplicants,
    ImportKind.CN_51JOB_2019: Job51_2019,
    ImportKind.CN_51JOB_2023: Job51_2023,
    ImportKind.NYC_JOBS: NycJobs,
    ImportKind.JOB_FAIR: JobFairSheet,
    ImportKind.JSONLD_PAGE: JsonLdFile,
}
Source = UsJobs | UsApplicants | Job51_2019 | Job51_2023 | NycJobs | JobFairSheet | JsonLdFile | MappedFile
TABLE_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".txt", ".tsv")


def _looks_like_job_fair(path: Path) -> bool:
    import csv
    import io

    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:  # not a workbook: the reader says why
            return True
        sheets: list[Sequence[Sequence[Any]]]
        try:
            sheets = [list(ws.iter_rows(max_row=10, values_only=True)) for ws in book.worksheets]
        finally:
            book.close()
    else:
        from scrapers.csvio import read_text

        text, _ = read_text(path)
        sheets = [list(csv.reader(io.StringIO(text[: 64 * 1024], newline="")))[:10]]
    for rows in sheets:
        for cells in rows:
            mapping = map_header(list(cells))
            named = sum(1 for c in cells if str(c or "").strip())
            # a 岗位 column and an employer column, or a header the job-fair reader mostly knows:
            # another board's export (职位名称, 公司, 城市, 技能标签, 链接 …) needs a mapping instead
            if (
                "title" in mapping.values()
                and len(mapping) >= 2
                and ("employer_name" in mapping.values() or 2 * len(mapping) > named)
            ):
                return True
    return False


def unknown_columns(path: Path) -> str:
    """``"<file>: no importer knows its columns; columns found …, a mapping …"`` for a table file."""
    try:
        header = read_header(path)
    except (UnreadableFileError, OSError, ValueError) as exc:
        return f"{path.name}: not a file an importer can read ({exc})"
    return f"{path.name}: no importer knows its columns; " + how_to_map(header, path.name)


def _header(path: Path) -> list[str]:
    with path.open("rb") as fh:
        head = fh.read(64 * 1024)
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    return [h.strip().strip('"') for h in first.decode(detect_encoding(first)).lstrip("\ufeff").split(",")]


def detect_kind(path: Path) -> ImportKind:
    """The kind of ``path``: a folder with ``experience.csv`` is ``us_applicants``; a file is
    recognised by its header columns.

    Raises:
        InvalidFieldError: (field ``path``) missing, ``views.csv``, or a header no importer knows.
    """
    if not path.exists():
        raise InvalidFieldError("path", f"{path} does not exist")
    if path.is_dir():
        if (path / "experience.csv").exists() or (path / "positions_of_interest.csv").exists():
            return ImportKind.US_APPLICANTS
        raise InvalidFieldError("path", f"{path} is a folder without experience.csv; give a file")
    if path.suffix.lower() in _PAGE_SUFFIXES:
        return ImportKind.JSONLD_PAGE
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        if _looks_like_job_fair(path):
            return ImportKind.JOB_FAIR
        raise InvalidFieldError("path", unknown_columns(path))
    if path.name == "views.csv":
        raise InvalidFieldError("path", "views.csv holds job views (interaction data), not postings or profiles")
    try:
        header = set(_header(path))
    except UnreadableFileError as exc:
        raise InvalidFieldError("path", f"{path.name}: {exc}") from exc
    for columns, kind in _HEADERS:
        if columns <= header:
            return kind
    try:
        if _looks_like_job_fair(path):
            return ImportKind.JOB_FAIR
    except UnreadableFileError:
        pass
    raise InvalidFieldError("path", unknown_columns(path))


def make_source(kind: ImportKind, path: Path, mapping: ColumnMapping | None = None) -> Source:
    """The scrapers source reading ``path`` as ``kind`` (``mapped`` needs ``mapping``).

    Raises:
        InvalidFieldError: ``mapped`` without a mapping (field ``mapping``).
    """
    if kind is ImportKind.MAPPED:
        if mapping is None:
            raise InvalidFieldError("mapping", "kind mapped reads a file through a mapping file: give --mapping M")
        return MappedFile(path, mapping)
    return _SOURCES[kind](path)
