"""The test harness behind ``tests/conftest.py``: one database per backend per session emptied before
each test, and one live server per distinct :class:`~service.config.Settings`, reset between tests.

Why: building the app (``create_app``) costs about half a second and ``TRUNCATE`` of every table about
a second on PostgreSQL; paid per test they were most of the suite's time. The shape follows
litestar-fullstack's harness (one app for the session, the database reset per test) but keeps a real
server over loopback, as the routes' tests always had.

What "reset" means, so a test cannot tell it from a fresh start:
- every table of :data:`service.models.Base` is emptied and its id sequence restarts at 1 (only the
  tables that hold rows are touched: a ``DELETE`` of a handful of tables is far cheaper than a
  ``TRUNCATE`` of sixty);
- the scratch folders the settings name (models, outbox, attachments) are emptied;
- a server's in-memory state is new: the ranker cache, the sign-in limiter's counters and the API
  rate limit's store (:meth:`ServerPool.get`).
"""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
import sqlite3
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
import msgspec
import uvicorn
from litestar import Litestar
from litestar.stores.memory import MemoryStore
from sqlalchemy.ext.asyncio import AsyncEngine

from service.config import Settings
from service.db import make_engine, sqlite_path
from service.models import Base

T = TypeVar("T")
#: The folders :meth:`Harness.fresh_settings` points the settings at, emptied before each test.
SCRATCH = ("models", "outbox", "attachments", "index")


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's default TLS context (certifi's CA bundle), made once per process."""
    return httpx.create_ssl_context()


def http_client(**kwargs: Any) -> httpx.Client:
    """``httpx.Client(**kwargs)`` sharing one TLS context: httpx otherwise builds a new one for every
    client, loading certifi's CA bundle — 33 ms of CPU, a third of a route × role probe, for clients
    that only ever speak plain HTTP to the tests' loopback servers. Every test client is made here."""
    return httpx.Client(verify=tls_context(), **kwargs)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs; an ended process its parent has not reaped yet (a zombie) counts as gone."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except FileNotFoundError:
        return False


def process_gone_within(pid: int, seconds: float) -> bool:
    """Whether process ``pid`` ends (see :func:`process_alive`) within ``seconds``, polled every 50 ms."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not process_alive(pid):
            return True
        time.sleep(0.05)
    return False


class BackgroundLoop:
    """One event loop running in a daemon thread for the whole worker process, on which the test
    harness runs its database work from synchronous code (and from async tests, whose own loop is
    busy): starting a thread and an event loop per call cost more than the work itself."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-harness-loop", daemon=True)
        self.thread.start()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the background loop and return its result (or raise its exception)."""
        if threading.current_thread() is self.thread:
            work.close()
            raise RuntimeError("BackgroundLoop.run called from its own loop: it would wait for itself")
        return asyncio.run_coroutine_threadsafe(work, self.loop).result()


@functools.cache
def background_loop() -> BackgroundLoop:
    """The process's :class:`BackgroundLoop`, started on first use."""
    return BackgroundLoop()


_engines: dict[str, AsyncEngine] = {}


def shared_engine(settings: Settings) -> AsyncEngine:
    """The engine for ``settings.database_url``, made once per worker process and kept for its
    connection pool: opening an engine and its first connection per write was most of a probe's
    set-up. Use it only on :func:`background_loop` (its pooled connections belong to that loop).

    Safe across the per-test reset and file replacements: a pooled connection is returned with its
    transaction rolled back, so it holds no SQLite lock and no PostgreSQL lock (``DELETE``/``TRUNCATE``
    elsewhere never wait for it); a pooled SQLite connection to a file since removed or replaced is
    dropped on checkout (:func:`service.db.make_engine`). :func:`dispose_engines` closes them all."""
    engine = _engines.get(settings.database_url)
    if engine is None:
        engine = _engines[settings.database_url] = make_engine(settings)
    return engine


def dispose_engine(url: str) -> None:
    """Close the shared engine of ``url`` (if any), e.g. before its SQLite file is deleted."""
    engine = _engines.pop(url, None)
    if engine is not None:
        background_loop().run(engine.dispose())


def dispose_engines() -> None:
    """Close every shared engine (end of the test session)."""
    for url in list(_engines):
        dispose_engine(url)


class LiveServer:
    """The app served by uvicorn on a free loopback port, in a background thread."""

    def __init__(self, settings: Settings) -> None:
        from service.app import create_app

        self.settings = settings
        self.app: Litestar = create_app(settings)
        self.config = uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(self.config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def reset_state(self) -> None:
        """Forget what the app keeps in memory between requests, as a new app would: a new ranker
        cache, new sign-in counters, an empty API rate-limit store."""
        from service.recommendations.service import RankerCache

        old = self.app.state.ranker_cache
        self.app.state.ranker_cache = RankerCache(settings=self.settings)
        if hasattr(old, "close"):  # stops its background rebuilds
            old.close()
        self.app.state.login_limiter._limiter = None  # its memory storage is made again on first use
        store = self.app.stores.get("rate_limit")
        assert isinstance(store, MemoryStore)  # the app's default store
        store._store.clear()  # a dict; the server is idle now


class ServerPool:
    """Live servers keyed by their settings, started on first use and kept for the session (the
    least recently used is stopped beyond :attr:`size`)."""

    def __init__(self, size: int = 12) -> None:
        self.size = size
        self._servers: OrderedDict[bytes, LiveServer] = OrderedDict()

    def get(self, settings: Settings) -> LiveServer:
        """The server for ``settings``, its in-memory state reset for the calling test."""
        key = msgspec.json.encode(settings)
        live = self._servers.pop(key, None)
        if live is None:
            live = LiveServer(settings).__enter__()
        else:
            live.reset_state()
        self._servers[key] = live
        while len(self._servers) > self.size:
            _, oldest = self._servers.popitem(last=False)
            oldest.__exit__(None, None, None)
        return live

    def close(self) -> None:
        while self._servers:
            _, live = self._servers.popitem()
            live.__exit__(None, None, None)


class Harness:
    """Per backend: the session's database and scratch folder, and the resets between tests."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.servers = ServerPool()
        self._pg: dict[str, Any] = {}  # url -> asyncpg connection, on the harness loop
        self._sequences: dict[str, dict[str, list[str]]] = {}  # url -> table -> its id sequences

    def __enter__(self) -> Harness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.servers.close()
        for conn in self._pg.values():
            self.run(conn.close())
        dispose_engines()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the process's :func:`background_loop` (its connections live there) and return its result."""
        return background_loop().run(work)

    def fresh_settings(self, backend: str, url: str) -> Settings:
        """Settings for ``url`` with this backend's scratch folders, after emptying the database and them."""
        scratch = self.root / backend
        for name in SCRATCH:
            shutil.rmtree(scratch / name, ignore_errors=True)
        if backend == "sqlite":
            _empty_sqlite(sqlite_path(url))
        else:
            self.run(self._empty_postgres(url))
        return Settings(
            database_url=url,
            warm_up=False,
            model_dir=str(scratch / "models"),
            secret_key_file=str(scratch / "secret_key"),
            outbox_dir=str(scratch / "outbox"),
            attachment_dir=str(scratch / "attachments"),
            index_dir=str(scratch / "index"),
        )

    async def _empty_postgres(self, url: str) -> None:
        import asyncpg
        from sqlalchemy.engine import make_url

        conn = self._pg.get(url)
        if conn is None or conn.is_closed():
            u = make_url(url)
            conn = self._pg[url] = await asyncpg.connect(
                host=u.host, port=u.port or 5432, user=u.username, password=u.password, database=u.database
            )
        tables = [t.name for t in Base.metadata.sorted_tables]
        if url not in self._sequences:
            rows = await conn.fetch(
                "SELECT c.relname, pg_get_serial_sequence(quote_ident(c.relname), a.attname) FROM pg_class c "
                "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
                "WHERE c.relname = ANY($1::text[]) AND c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace",
                tables,
            )
            self._sequences[url] = {}
            for table, seq in rows:
                if seq:
                    self._sequences[url].setdefault(table, []).append(seq)
        probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
        full = {r[0] for r in await conn.fetch(probe)}
        if not full:
            return
        async with conn.transaction():
            for t in reversed(tables):  # children before parents: no foreign key is ever violated
                if t in full:
                    await conn.execute(f'DELETE FROM "{t}"')
            for t in full:
                for seq in self._sequences[url].get(t, []):
                    await conn.execute(f"ALTER SEQUENCE {seq} RESTART")


def _empty_sqlite(path: str | None) -> None:
    """Delete every row of the ORM's tables in the SQLite file at ``path`` and restart its ids."""
    assert path is not None
    conn = sqlite3.connect(path, timeout=30)
    try:
        tables = [t.name for t in Base.metadata.sorted_tables]
        probe = " UNION ALL ".join(f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables)
        full = {r[0] for r in conn.execute(probe)}
        if full:
            with conn:
                for t in reversed(tables):
                    if t in full:
                        conn.execute(f'DELETE FROM "{t}"')
                if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
                    conn.execute("DELETE FROM sqlite_sequence")
    finally:
        conn.close()
