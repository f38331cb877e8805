"""Roster imports of the web server run in worker processes, so an upload never slows the server.

Reading a workbook and checking every cell is CPU work in Python. In a thread it would still share
the server's interpreter: the event loop waits for the GIL, and the garbage collector's full
collections over hundreds of thousands of new objects stop every thread (``/health`` took up to
2 s during a 20,000-row upload in a thread, 22 s on the event loop itself). A worker process has
its own interpreter and memory, returned to the system when it exits: each import runs in a
fresh process (``max_tasks_per_child=1``), at most :data:`MAX_WORKERS` at a time (others queue),
at a lower CPU priority (:data:`WORKER_NICENESS`), so that when CPU is short the server answers first.

Workers are started with ``forkserver`` (never ``fork`` from a process with threads and an event
loop): the first pool starts one single-threaded server process, which imports :data:`PRELOAD` once
(nothing in it starts a thread at import); each worker is a ``fork`` of it, holding those modules
already. ``spawn`` started a new interpreter per import instead, which imported the service again:
≈1.3–1.5 s of CPU for a 3-row file, far more than the import itself (``bench/bench_roster.py
--uploads``). The fork server ends when the server process ends (it reads a pipe the server holds
open, so even a ``kill -9`` ends it, but only once no worker holds that pipe's end), and each worker
ends when the server is gone (:func:`service.processes.watch_process`): an import cut off there
rolls back, as its connection closes.

The worker opens its own connection and transaction (:func:`import_in_worker`): the import is
committed there, all or nothing as :func:`~service.rosters.service.import_roster` decides, and the
request answers with its report. The command line (``vocmatch roster import``) imports in its own
process already and calls :func:`~service.rosters.service.import_roster` directly.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from service.config import Settings

if TYPE_CHECKING:
    from service.auth.guards import Principal

#: Imports running at once (each a process of its own; uploads beyond wait their turn).
MAX_WORKERS = 2
#: Added to the worker's nice value: when CPU is short, answering requests comes first.
WORKER_NICENESS = 10
#: How workers start (see the module docstring); ``spawn`` is kept for ``bench/bench_roster.py``.
START_METHOD = "forkserver"
#: Modules the fork server imports once, so that a worker (a fork of it) does not: the main module
#: (Python's default preload: a worker would import it otherwise, as ``__mp_main__``, e.g. the
#: ``vocmatch`` command line) and what :func:`import_in_worker` needs, with both databases' drivers.
#: None starts a thread at import (``tests/rosters/test_roster_workers.py`` checks it).
PRELOAD = (
    "__main__",
    "service.rosters.workers",
    "service.rosters.service",
    "service.db",
    "service.destinations.outcomes",  # imported by import_roster when it runs
    "openpyxl",
    "asyncpg",
    "aiosqlite",
    "sqlalchemy.dialects.postgresql.asyncpg",
    "sqlalchemy.dialects.sqlite.aiosqlite",
)


def _start_worker(server: int) -> None:
    """In each new worker: a lower CPU priority, and an end with the ``server`` process (not the
    worker's parent: that is the fork server, which lives as long as its workers)."""
    from service.processes import watch_process

    os.nice(WORKER_NICENESS)
    watch_process(server)


def _origin_of(request: Any) -> tuple[str | None, str, str | None] | None:
    """What the audit log keeps of a request (method, path, client address), picklable for the worker."""
    if request is None:
        return None
    return (request.scope.get("method"), request.url.path, request.client.host if request.client else None)


def _request_like(origin: tuple[str | None, str, str | None] | None) -> Any:
    """An object with the three request attributes :func:`service.privacy.audit.record` reads."""
    if origin is None:
        return None
    method, path, host = origin
    return SimpleNamespace(
        scope={"method": method}, url=SimpleNamespace(path=path), client=SimpleNamespace(host=host) if host else None
    )


def import_in_worker(
    settings: Settings,
    data: bytes,
    filename: str,
    school_code: str,
    valid_rows_only: bool,
    actor: Principal | None = None,
    origin: tuple[str | None, str, str | None] | None = None,
) -> Any:
    """In the worker process: :func:`~service.rosters.service.import_roster` in one transaction of
    its own, committed; returns the :class:`~service.rosters.service.RosterReport` (raises
    :class:`~service.rosters.reader.RosterFileError` as it does). ``actor`` and ``origin`` (the
    request's method, path and client address) go to the audit events of roster-owned changes."""
    from service.db import make_engine, session_scope
    from service.rosters.service import import_roster

    async def main() -> Any:
        engine = make_engine(settings)
        try:
            async with session_scope(engine) as session:
                return await import_roster(
                    session, data, filename, school_code, valid_rows_only, actor=actor, request=_request_like(origin)
                )
        finally:
            await engine.dispose()

    return asyncio.run(main())


class RosterWorkers:
    """The app's pool of import processes (created on first use, closed with the app)."""

    def __init__(self, settings: Settings, max_workers: int = MAX_WORKERS, start_method: str = START_METHOD) -> None:
        self.settings = settings
        self.max_workers = max_workers
        self.start_method = start_method
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context(self.start_method)
            if self.start_method == "forkserver":
                # The preload list is global to the process and read when the fork server starts
                # (at the first forkserver process, not here): set here rather than at import, so
                # that importing this module does nothing. Once the fork server runs, this is a no-op.
                context.set_forkserver_preload(list(PRELOAD))
            self._pool = ProcessPoolExecutor(
                self.max_workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(os.getpid(),),
                max_tasks_per_child=1,
            )
        return self._pool

    async def import_roster(
        self,
        data: bytes,
        filename: str,
        school_code: str,
        valid_rows_only: bool,
        *,
        actor: Principal | None = None,
        request: Any = None,
    ) -> Any:
        """The report of importing ``data`` in a worker process (see the module docstring); ``actor``
        and ``request`` as for :func:`~service.rosters.service.import_roster` (audit)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor(),
            import_in_worker,
            self.settings,
            data,
            filename,
            school_code,
            valid_rows_only,
            actor,
            _origin_of(request),
        )

    def close(self) -> None:
        """Stop the worker processes (without waiting: called on the app's shutdown)."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
