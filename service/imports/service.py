"""``import_path``: read a scraped file through ``scrapers`` and store what it holds."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.csvio import UnreadableFileError
from scrapers.items import PostingItem, SeekerItem
from scrapers.pipeline import Pipeline, PipelineResult, default_pipeline, unknown_skill_count
from service.errors import InvalidFieldError
from service.imports.kinds import ImportKind, detect_kind, make_source
from service.imports.postings import store_postings
from service.imports.report import WARNING_SAMPLE, ImportReport
from service.imports.runs import dropped_reasons, expire_postings, record_run
from service.imports.seekers import store_seekers
from service.postings.models import CrawlRun, CrawlStatus


def _read(kind: ImportKind, path: Path) -> tuple[PipelineResult, Pipeline]:
    pipeline = default_pipeline()
    return pipeline.run(make_source(kind, path)), pipeline


async def import_path(session: AsyncSession, path: Path, kind: str | None = None) -> ImportReport:
    """Import one file (or the US applicants' folder) and report what happened.

    ``kind`` is one of :class:`ImportKind` (``us_jobs``, ``us_applicants``, ``cn_51job_2019``,
    ``cn_51job_2023``, ``nyc_jobs``, ``job_fair``, ``jsonld_page``) or ``None`` to detect it from
    the file name, suffix and header. Postings are keyed
    by (source, external_id) and job seekers likewise, so importing the same file again stores
    nothing twice (changed rows are updated); a posting another board already stored is attached
    to it as a further source (``merged``). Bad rows are reported, not stored; the rest are. The
    import is recorded in ``crawl_runs`` (kind ``import``) and open postings past their
    ``valid_through`` are closed (:mod:`service.imports.runs`).
    Flushes; the caller commits (or rolls back: nothing is half-written inside the transaction).

    Raises:
        InvalidFieldError: ``path`` missing or unreadable (field ``path``), or an unknown ``kind``.
    """
    started = time.perf_counter()
    path = Path(path)
    if kind is None:
        import_kind = detect_kind(path)
    else:
        try:
            import_kind = ImportKind(kind)
        except ValueError:
            raise InvalidFieldError("kind", f"{kind!r} is not one of "
                                            f"{', '.join(k.value for k in ImportKind)}") from None
        if not path.exists():
            raise InvalidFieldError("path", f"{path} does not exist")
    try:
        result, pipeline = await asyncio.to_thread(_read, import_kind, path)
    except (UnreadableFileError, OSError) as exc:
        raise InvalidFieldError("path", f"{path.name}: {exc}") from exc

    report = ImportReport(kind=import_kind.value, path=str(path), rows_read=result.rows_read,
                          rejected=[i.as_tuple() for i in result.rejected],
                          duplicates=[i.as_tuple() for i in result.duplicates],
                          warnings=len(result.warnings),
                          warning_samples=[w.as_tuple() for w in result.warnings[:WARNING_SAMPLE]])
    postings = [i for i in result.items if isinstance(i, PostingItem)]
    seekers = [i for i in result.items if isinstance(i, SeekerItem)]
    now = dt.datetime.now(dt.UTC)
    if postings:
        await store_postings(session, postings, report, now=now)
        report.unknown_skills = unknown_skill_count(pipeline)
    if seekers:
        await store_seekers(session, seekers, report)
    report.closed = await expire_postings(session, now)
    sources = {i.source for i in result.items}
    reasons = dropped_reasons(report.rejected)
    await record_run(session, CrawlRun(
        kind="import", board=str(path)[-300:], source=sources.pop() if len(sources) == 1 else None,
        status=CrawlStatus.OK, started_at=now, finished_at=dt.datetime.now(dt.UTC), pages_fetched=1,
        items_parsed=result.rows_read, new=report.stored, updated=report.updated, unchanged=report.unchanged,
        duplicates=len(report.duplicates), merged=report.merged, dropped=len(report.rejected),
        dropped_reasons=reasons, unknown_skills=report.unknown_skills, closed=report.closed))
    report.seconds = time.perf_counter() - started
    return report
