"""``import_path``: read a scraped file through ``scrapers`` and store what it holds;
``preview_path``: the same reading and normalising, storing nothing (``vocmatch import --dry-run``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.csvio import UnreadableFileError
from scrapers.items import Issue, PostingItem, SeekerItem
from scrapers.pipeline import Pipeline, PipelineResult, default_pipeline, unknown_skill_count
from scrapers.sources.mapped import ColumnMapping, MappingError, load_mapping
from service.errors import InvalidFieldError
from service.imports.kinds import TABLE_SUFFIXES, ImportKind, detect_kind, make_source, unknown_columns
from service.imports.postings import store_postings
from service.imports.report import WARNING_SAMPLE, ImportReport
from service.imports.runs import dropped_reasons, expire_postings, record_run
from service.imports.seekers import store_seekers
from service.postings.models import CrawlRun, CrawlStatus
from service.taxonomy.core import core_taxonomy

#: ``progress(phase, done, total)``: ``phase`` is ``read`` (rows) or ``store`` (postings); ``total``
#: ``None`` when unknown
Progress = Callable[[str, int, int | None], None]


def _read(
    kind: ImportKind, path: Path, mapping: ColumnMapping | None, progress: Progress | None = None
) -> tuple[PipelineResult, Pipeline]:
    pipeline = default_pipeline(core_taxonomy())
    source = make_source(kind, path, mapping)
    total = None
    if progress is not None:
        total = _row_total(path, mapping)
        progress("read", 0, total)
    records = source if progress is None else _Counting(source, lambda n: progress("read", n, total))
    return pipeline.run(records), pipeline


def _row_total(path: Path, mapping: ColumnMapping | None) -> int | None:
    """Rows in a table file (for a progress bar); ``None`` for pages, folders and unreadable files."""
    if path.is_dir() or path.suffix.lower() not in TABLE_SUFFIXES:
        return None
    from scrapers.sources.mapped import count_rows

    try:
        return max(0, count_rows(path, mapping.sheet if mapping else None) - 1)
    except (UnreadableFileError, OSError, ValueError, KeyError):
        return None


class _Counting:
    """Iterates ``source``, reporting every 100th record; keeps ``rows_read`` of the source."""

    def __init__(self, source: Any, report: Callable[[int], None]) -> None:
        self.source, self.report = source, report

    def __iter__(self):
        n = 0
        for n, record in enumerate(self.source, start=1):
            if n % 100 == 0:
                self.report(n)
            yield record
        self.report(n)

    @property
    def rows_read(self) -> int:
        return getattr(self.source, "rows_read", 0)


def resolve_kind(
    path: Path, kind: str | None, mapping: Path | ColumnMapping | None
) -> tuple[ImportKind, ColumnMapping | None]:
    """The import kind for ``path`` (given, ``mapped`` when a mapping is given, else detected) and the
    parsed mapping.

    Raises:
        InvalidFieldError: ``path`` missing; an unknown ``kind``; a mapping with another kind; a mapping
            file that cannot be used (field ``mapping``, the message says why).
    """
    if not path.exists():
        raise InvalidFieldError("path", f"{path} does not exist")
    parsed: ColumnMapping | None = None
    if mapping is not None:
        try:
            parsed = mapping if isinstance(mapping, ColumnMapping) else load_mapping(mapping)
        except MappingError as exc:
            raise InvalidFieldError("mapping", str(exc)) from exc
        if kind not in (None, ImportKind.MAPPED.value):
            raise InvalidFieldError("kind", f"--mapping reads the file as kind mapped, not {kind!r}; give one of them")
        return ImportKind.MAPPED, parsed
    if kind is None:
        return detect_kind(path), None
    try:
        return ImportKind(kind), None
    except ValueError:
        raise InvalidFieldError("kind", f"{kind!r} is not one of {', '.join(k.value for k in ImportKind)}") from None


async def _read_checked(
    path: Path,
    import_kind: ImportKind,
    kind_given: bool,
    mapping: ColumnMapping | None,
    progress: Progress | None = None,
) -> tuple[PipelineResult, Pipeline]:
    """Read and normalise ``path``; a file that yields nothing is an error, never an empty success.

    Raises:
        InvalidFieldError: unreadable file (``path``), a mapping that does not fit it (``mapping``),
            or nothing read (``kind`` when it was given, else ``path``).
    """
    try:
        result, pipeline = await asyncio.to_thread(_read, import_kind, path, mapping, progress)
    except MappingError as exc:
        raise InvalidFieldError("mapping", str(exc)) from exc
    except (UnreadableFileError, OSError) as exc:
        raise InvalidFieldError("path", f"{path.name}: {exc}") from exc
    if result.rows_read == 0:
        raise InvalidFieldError("kind" if kind_given else "path", nothing_read(path, import_kind))
    return result, pipeline


def nothing_read(path: Path, kind: ImportKind) -> str:
    """Why reading ``path`` as ``kind`` gave nothing, and what to do about it."""
    what = "no schema.org JobPosting" if kind is ImportKind.JSONLD_PAGE else "no data rows"
    message = f"{path.name} read as {kind.value} gave nothing to import ({what})"
    if path.is_file() and path.suffix.lower() in TABLE_SUFFIXES:
        return f"{message}. {unknown_columns(path).split('; ', 1)[-1]}"
    return message + "; check the file and --kind"


async def import_path(
    session: AsyncSession,
    path: Path,
    kind: str | None = None,
    mapping: Path | ColumnMapping | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import one file (or the US applicants' folder) and report what happened.

    ``kind`` is one of :class:`ImportKind` (``us_jobs``, ``us_applicants``, ``cn_51job_2019``,
    ``cn_51job_2023``, ``nyc_jobs``, ``job_fair``, ``jsonld_page``, ``mapped``) or ``None`` to detect
    it from the file name, suffix and header; ``mapping`` (a mapping file or a parsed
    :class:`~scrapers.sources.mapped.ColumnMapping`) reads any board's CSV/XLSX export as ``mapped``.
    A file that yields nothing (a page without JobPosting data, a table read as the wrong kind) is an
    error, not an empty success. ``progress(phase, done, total)`` is told the rows read and the
    postings stored as the import goes. Postings are keyed
    by (source, external_id) and job seekers likewise, so importing the same file again stores
    nothing twice (changed rows are updated); a posting another board already stored is attached
    to it as a further source (``merged``). Bad rows are reported, not stored; the rest are. The
    import is recorded in ``crawl_runs`` (kind ``import``) and open postings past their
    ``valid_through`` are closed (:mod:`service.imports.runs`).
    Flushes; the caller commits (or rolls back: nothing is half-written inside the transaction).

    Raises:
        InvalidFieldError: ``path`` missing or unreadable (field ``path``), an unknown ``kind``, a
            mapping that cannot be used or does not fit the file (``mapping``), nothing read
            (``kind`` when given, else ``path``); the messages list the file's columns and how to map them.
    """
    started = time.perf_counter()
    path = Path(path)
    import_kind, parsed = resolve_kind(path, kind, mapping)
    result, pipeline = await _read_checked(path, import_kind, kind is not None or mapping is not None, parsed, progress)

    report = ImportReport(
        kind=import_kind.value,
        path=str(path),
        rows_read=result.rows_read,
        rejected=[i.as_tuple() for i in result.rejected],
        duplicates=[i.as_tuple() for i in result.duplicates],
        warnings=len(result.warnings),
        warning_samples=[w.as_tuple() for w in result.warnings[:WARNING_SAMPLE]],
    )
    postings = [i for i in result.items if isinstance(i, PostingItem)]
    seekers = [i for i in result.items if isinstance(i, SeekerItem)]
    now = dt.datetime.now(dt.UTC)
    if postings:
        await store_postings(
            session,
            postings,
            report,
            now=now,
            progress=(lambda n: progress("store", n, len(postings))) if progress else None,
        )
        report.unknown_skills = unknown_skill_count(pipeline)
    if seekers:
        await store_seekers(session, seekers, report)
    report.closed = await expire_postings(session, now)
    sources = {i.source for i in result.items}
    reasons = dropped_reasons(report.rejected)
    await record_run(
        session,
        CrawlRun(
            kind="import",
            board=str(path)[-300:],
            source=sources.pop() if len(sources) == 1 else None,
            status=CrawlStatus.OK,
            started_at=now,
            finished_at=dt.datetime.now(dt.UTC),
            pages_fetched=1,
            items_parsed=result.rows_read,
            new=report.stored,
            updated=report.updated,
            unchanged=report.unchanged,
            duplicates=len(report.duplicates),
            merged=report.merged,
            dropped=len(report.rejected),
            dropped_reasons=reasons,
            unknown_skills=report.unknown_skills,
            closed=report.closed,
        ),
    )
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class ImportPreview:
    """What an import of ``path`` would store (``vocmatch import --dry-run``): normalised postings and
    job seekers, rows rejected or repeated, warnings. Nothing is stored."""

    kind: str
    path: str
    mapping: ColumnMapping | None
    rows_read: int
    items: list[Any] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    duplicates: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)


async def preview_path(
    path: Path, kind: str | None = None, mapping: Path | ColumnMapping | None = None, progress: Progress | None = None
) -> ImportPreview:
    """Read and normalise ``path`` exactly as :func:`import_path` does, storing nothing.

    Raises:
        InvalidFieldError: as :func:`import_path`.
    """
    path = Path(path)
    import_kind, parsed = resolve_kind(path, kind, mapping)
    result, _ = await _read_checked(path, import_kind, kind is not None or mapping is not None, parsed, progress)
    return ImportPreview(
        kind=import_kind.value,
        path=str(path),
        mapping=parsed,
        rows_read=result.rows_read,
        items=result.items,
        rejected=result.rejected,
        duplicates=result.duplicates,
        warnings=result.warnings,
    )
