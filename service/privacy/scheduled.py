"""Deleted means gone from the files: after a graduate's deletion no value of theirs may remain in
the database's files (issue 14, item 16).

A deletion (:func:`service.privacy.deletion.execute_deletion`) overwrites or deletes rows, but a
database keeps the old bytes for a while: SQLite in free space of its pages and in its write-ahead
log, PostgreSQL in the dead row versions of its tables and indexes (MVCC) — and a plain
``VACUUM`` only marks their space reusable: it compacts pages without clearing the space it frees,
so old values can stay readable in the table file until overwritten.

* **SQLite**: every connection runs with ``PRAGMA secure_delete=ON`` (:func:`service.db.make_engine`:
  deleted content is overwritten with zeros), and right after the deletion commits,
  :func:`erase_from_files` checkpoints the write-ahead log into the database file and truncates it
  (``PRAGMA wal_checkpoint(TRUNCATE)``). When ``DELETE /graduates/{id}`` has answered, the values
  are in neither file.
* **PostgreSQL**: the scheduled job ``purge_deleted`` (daily at 04:30 in the scheduler's time zone,
  :data:`CRON`; ``vocmatch jobs run purge_deleted`` runs it now) rewrites the tables a deletion
  touches (:data:`ERASED_TABLES`) with ``VACUUM (FULL)`` when a deletion was executed since its
  last successful run: each table and its indexes get new files holding only live rows, and the
  old files are removed. So erased values leave the table files within a day. ``VACUUM FULL``
  locks each table while it is rewritten (seconds at a province's scale), hence at night rather
  than in the request. The server's write-ahead log (``pg_wal``) keeps them until its segments are
  recycled (``max_wal_size``, normally within hours), and backups for as long as they are kept.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from service.config import Settings
from service.jobs.cron import add_cron_job

log = logging.getLogger(__name__)
#: Tables :func:`service.privacy.deletion.execute_deletion` changes or deletes rows of.
ERASED_TABLES = (
    "graduates",
    "graduate_certificates",
    "graduate_awards",
    "graduate_experiences",
    "applications",
    "application_events",
    "destination_events",
    "users",
    "auth_sessions",
    "internships",
    "application_resumes",
    "conversation_messages",
    "invitations",
    "activation_codes",
)
JOB_ID = "purge_deleted"
#: Daily at 04:30, after the crawls (03:10) and the Sunday retraining (03:00).
CRON = {"hour": 4, "minute": 30}
MISFIRE_GRACE_SECONDS = 6 * 3600


async def checkpoint_sqlite(engine: AsyncEngine) -> bool:
    """Copy SQLite's write-ahead log into the database file and truncate it; false when readers
    kept it from completing (logged: the next deletion or run completes it)."""
    async with engine.connect() as conn:
        busy, *_ = (await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")).one()
    if busy:
        log.warning(
            "SQLite write-ahead log not truncated (readers busy); erased values may stay in it until "
            "the next checkpoint"
        )
    return not busy


async def vacuum_full(engine: AsyncEngine, tables: tuple[str, ...] = ERASED_TABLES) -> None:
    """``VACUUM (FULL)`` each of ``tables`` (PostgreSQL; outside a transaction, as VACUUM must be)."""
    async with engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in tables:
            await conn.exec_driver_sql(f'VACUUM (FULL) "{table}"')


async def erase_from_files(engine: AsyncEngine) -> bool:
    """What can be done at once after a deletion commits: on SQLite the checkpoint (true when
    complete); on PostgreSQL nothing (false: the ``purge_deleted`` job does it)."""
    if engine.dialect.name == "sqlite":
        return await checkpoint_sqlite(engine)
    return False


async def _pending(session: Any) -> int:
    """Deletions executed since the start of the last successful ``purge_deleted`` run (all, if none)."""
    from service.jobs.models import JobRun, JobRunStatus
    from service.privacy.models import DeletionStatus, GraduateDeletion

    last = (
        select(func.max(JobRun.started_at))
        .where(JobRun.job == JOB_ID, JobRun.status == JobRunStatus.SUCCEEDED)
        .scalar_subquery()
    )
    stmt = (
        select(func.count())
        .select_from(GraduateDeletion)
        .where(
            GraduateDeletion.status == DeletionStatus.EXECUTED, (GraduateDeletion.executed_at >= last) | last.is_(None)
        )
    )
    return (await session.execute(stmt)).scalar_one()


async def purge_deleted_async(settings: Settings) -> dict[str, Any]:
    """The ``purge_deleted`` job (see the module docstring). Returns ``{"status": "purged" or
    "nothing to purge", "deletions": n, "tables": [...], "backend"}``."""
    from service.db import make_engine, session_scope

    engine = make_engine(settings)
    try:
        async with session_scope(engine) as session:
            pending = await _pending(session)
        if not pending:
            return {"status": "nothing to purge", "deletions": 0, "tables": [], "backend": engine.dialect.name}
        if engine.dialect.name == "sqlite":
            await checkpoint_sqlite(engine)
            tables: list[str] = []
        else:
            await vacuum_full(engine)
            tables = list(ERASED_TABLES)
    finally:
        await engine.dispose()
    log.info("purged the files of %d deletion(s): %s", pending, ", ".join(tables) or "SQLite checkpoint")
    return {"status": "purged", "deletions": pending, "tables": tables, "backend": engine.dialect.name}


def purge_deleted(settings: Settings) -> dict[str, Any]:
    """APScheduler job: :func:`purge_deleted_async` in a fresh event loop."""
    return asyncio.run(purge_deleted_async(settings))


def add_purge_job(scheduler: Any, settings: Settings, timezone: str) -> Any:
    """Add the daily :func:`purge_deleted` job (:data:`CRON` in ``timezone``) as :data:`JOB_ID`."""
    return add_cron_job(
        scheduler,
        purge_deleted,
        settings,
        timezone,
        job_id=JOB_ID,
        cron=CRON,
        name="erase deleted graduates' data from the database files",
        misfire_grace_seconds=MISFIRE_GRACE_SECONDS,
    )
