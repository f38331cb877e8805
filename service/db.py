"""Database plumbing: declarative base, portable column types, engine and sessions.

The same schema runs on SQLite (embedded default) and PostgreSQL. JSON columns are
``JSON`` on SQLite and ``JSONB`` on PostgreSQL; primary keys are 64-bit on PostgreSQL
and SQLite's ``INTEGER PRIMARY KEY`` row ids on SQLite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import enum

from sqlalchemy import JSON, BigInteger, DateTime, Enum, Integer, MetaData, event, func
from sqlalchemy.dialects.postgresql import JSONB
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


def make_engine(settings: Settings) -> AsyncEngine:
    """Create (but do not connect) the async engine for ``settings.database_url``.

    On SQLite, foreign keys are switched on and WAL journaling is used so readers do not
    block the writer.
    """
    kwargs: dict[str, Any] = {"echo": settings.echo_sql}
    if settings.is_sqlite:
        kwargs["connect_args"] = {"timeout": 30}
    else:
        kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=10)
    engine = create_async_engine(settings.database_url, **kwargs)
    if settings.is_sqlite:
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@asynccontextmanager
async def session_scope(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """One transaction outside a request (CLI, scheduled jobs): commit on success, else roll back."""
    async with make_sessionmaker(engine)() as session, session.begin():
        yield session
