"""Database plumbing: declarative base, portable column types, engine and sessions.

The same schema runs on SQLite (embedded default) and PostgreSQL. JSON columns are
``JSON`` on SQLite and ``JSONB`` on PostgreSQL; primary keys are 64-bit on PostgreSQL
and SQLite's ``INTEGER PRIMARY KEY`` row ids on SQLite.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar, cast
from urllib.parse import quote

from sqlalchemy import JSON, BigInteger, DateTime, Enum, Integer, MetaData, event, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from service.config import Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

#: Auto-incrementing 64-bit key on PostgreSQL, rowid alias on SQLite.
IdType = BigInteger().with_variant(Integer(), "sqlite")
#: JSON document: JSONB on PostgreSQL, JSON text on SQLite.
JsonType = JSON().with_variant(JSONB(), "postgresql")


def str_enum(cls: type[enum.Enum]) -> Enum:
    """A portable enum column: VARCHAR holding the member *values* (no native ENUM types)."""
    return Enum(cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC timestamps on both backends (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JsonType, list[str]: JsonType, dt.datetime: UtcDateTime}


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        UtcDateTime(), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


#: Seconds to wait for a PostgreSQL connection (asyncpg's default is 60: a request would hang on an
#: unreachable server instead of answering 503).
CONNECT_TIMEOUT_SECONDS = 5


def sqlite_path(database_url: str) -> str | None:
    """The file of a SQLite URL (``None`` for in-memory databases and other backends)."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
        return None
    return url.database


def make_engine(settings: Settings, *, create: bool = False) -> AsyncEngine:
    """Create (but do not connect) the async engine for ``settings.database_url``.

    On SQLite, foreign keys are switched on, WAL journaling is used so readers do not block the
    writer, and deleted content is overwritten (``secure_delete``: erased personal data does not
    linger in free pages). The file is opened read-write but never created, unless ``create``
    (migrations): a missing file is an error (503 to requests), not a new empty database; and a
    pooled connection whose file was removed or replaced since it opened is dropped, so the
    service follows a restored file by itself. On PostgreSQL connections are checked before use
    and connecting gives up after :data:`CONNECT_TIMEOUT_SECONDS`.
    """
    kwargs: dict[str, Any] = {"echo": settings.echo_sql}
    url: Any = settings.database_url
    path = sqlite_path(settings.database_url)
    if settings.is_sqlite:
        kwargs["connect_args"] = {"timeout": 30}
        if path is not None and not create:  # SQLite URI filename, read-write without "c"reate
            url = make_url(settings.database_url).set(
                database=f"file:{quote(path)}", query={"mode": "rw", "uri": "true"}
            )
    else:
        kwargs.update(
            pool_pre_ping=True, pool_size=10, max_overflow=10, connect_args={"timeout": CONNECT_TIMEOUT_SECONDS}
        )
    engine = create_async_engine(url, **kwargs)
    if settings.is_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        if path is not None:
            event.listen(engine.sync_engine, "connect", lambda _c, record: record.info.update(file=_file_id(path)))
            event.listen(engine.sync_engine, "checkout", lambda _c, record, _p: _same_file(path, record))
    return engine


def _file_id(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _same_file(path: str, record: Any) -> None:
    """Pool ``checkout`` hook: a connection to a SQLite file that has since been removed or replaced
    is stale (it would read and write the unlinked old file); SQLAlchemy then opens a new one."""
    if record.info.get("file") != _file_id(path):
        raise DisconnectionError(f"SQLite file {path} was removed or replaced")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def session_scope(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """One transaction outside a request (CLI, scheduled jobs): commit on success, else roll back."""
    async with make_sessionmaker(engine)() as session, session.begin():
        yield session


T = TypeVar("T")


def run_in_session(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run ``work(session)`` in one transaction (:func:`session_scope`) on a fresh engine, then dispose
    of the engine. For code without a running event loop: the commands, the scheduler's job threads."""

    async def main() -> T:
        engine = make_engine(settings)
        try:
            async with session_scope(engine) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE matched. ``AsyncSession.execute`` types every result as a
    ``Result``; a DML statement's is a ``CursorResult``, which has ``rowcount`` (SQLAlchemy 2.0,
    "Getting Affected Row Count from UPDATE, DELETE")."""
    return cast(CursorResult[Any], result).rowcount
