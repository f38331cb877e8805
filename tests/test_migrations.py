"""The migrations build exactly the schema the models declare: after ``upgrade head`` Alembic's
autogenerate comparison finds nothing to do, on a fresh SQLite file and a fresh PostgreSQL database
(so a model change without its migration, or a migration without its model, fails here); and the
newest migration downgrades and upgrades again."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from service.config import Settings
from service.db import make_engine
from service.migrate import alembic_config, upgrade
from service.models import Base


async def _inspect(url: str, work: Any) -> Any:
    engine = make_engine(Settings(database_url=url))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(work)
    finally:
        await engine.dispose()


def _differences(conn: Connection) -> list[Any]:
    ctx = MigrationContext.configure(
        conn,
        opts={
            "compare_type": True,
            "include_name": lambda name, kind, parents: not (kind == "table" and name == "alembic_version"),
        },
    )
    return compare_metadata(ctx, Base.metadata)


def _posting_indexes(conn: Connection) -> set[str]:
    return {ix["name"] or "" for ix in inspect(conn).get_indexes("postings")}


def test_head_schema_is_the_models_schema(fresh_url: str) -> None:
    settings = Settings(database_url=fresh_url)
    upgrade(settings)
    assert asyncio.run(_inspect(fresh_url, _differences)) == []
    assert "ix_postings_updated_at" in asyncio.run(_inspect(fresh_url, _posting_indexes))

    command.downgrade(alembic_config(settings), "0006")
    assert "ix_postings_updated_at" not in asyncio.run(_inspect(fresh_url, _posting_indexes))
    upgrade(settings)
    assert asyncio.run(_inspect(fresh_url, _differences)) == []
