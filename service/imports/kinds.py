"""Which importer a path needs: by file name, else by the CSV header."""

from __future__ import annotations

import enum
from pathlib import Path

from scrapers.csvio import UnreadableFileError, detect_encoding
from scrapers.sources.job51 import Job51_2019, Job51_2023
from scrapers.sources.us_jobboard import UsApplicants, UsJobs
from service.errors import InvalidFieldError


class ImportKind(enum.StrEnum):
    US_JOBS = "us_jobs"  # jobs.csv of the US job board
    US_APPLICANTS = "us_applicants"  # experience.csv + positions_of_interest.csv (or their folder)
    CN_51JOB_2019 = "cn_51job_2019"  # 51job 2019 spider export, GB18030
    CN_51JOB_2023 = "cn_51job_2023"  # 51job 2023 cleaned export, UTF-8


_HEADERS: tuple[tuple[frozenset[str], ImportKind], ...] = (
    (frozenset({"Job.ID", "Title", "Position", "Company"}), ImportKind.US_JOBS),
    (frozenset({"Applicant.ID", "Position.Name"}), ImportKind.US_APPLICANTS),
    (frozenset({"Applicant.ID", "Position.Of.Interest"}), ImportKind.US_APPLICANTS),
    (frozenset({"职位", "薪资", "公司信息", "地区"}), ImportKind.CN_51JOB_2019),
    (frozenset({"岗位名称", "薪资", "公司名称", "岗位描述"}), ImportKind.CN_51JOB_2023),
)
_SOURCES = {ImportKind.US_JOBS: UsJobs, ImportKind.US_APPLICANTS: UsApplicants,
            ImportKind.CN_51JOB_2019: Job51_2019, ImportKind.CN_51JOB_2023: Job51_2023}


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
    if path.name == "views.csv":
        raise InvalidFieldError("path", "views.csv holds job views (interaction data), not postings or profiles")
    try:
        header = set(_header(path))
    except UnreadableFileError as exc:
        raise InvalidFieldError("path", f"{path.name}: {exc}") from exc
    for columns, kind in _HEADERS:
        if columns <= header:
            return kind
    raise InvalidFieldError("path", f"{path.name}: no importer knows the columns {sorted(header)}; "
                                    f"give kind as one of {', '.join(k.value for k in ImportKind)}")


def make_source(kind: ImportKind, path: Path) -> UsJobs | UsApplicants | Job51_2019 | Job51_2023:
    """The scrapers source reading ``path`` as ``kind``."""
    return _SOURCES[kind](path)
