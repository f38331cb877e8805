"""Migration 0006 (taxonomy_relations): the migrated schema is what the models declare (Alembic's
autogenerate comparison finds nothing to do for the taxonomy tables), the foreign keys cascade,
and 0006 downgrades to 0005 and back. Fresh SQLite file and fresh PostgreSQL database."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from service.config import Settings
from service.db import make_engine
from service.migrate import alembic_config, upgrade
from service.models import Base
from tests.conftest import run_sql as _sql

TAXONOMY_TABLES = {"taxonomy_concepts", "taxonomy_aliases", "taxonomy_relations", "major_occupations"}


def _table(obj: Any, name: str | None, kind: str) -> str | None:
    """The table a schema object belongs to (itself for a table)."""
    return name if kind == "table" else getattr(getattr(obj, "table", None), "name", None)


async def _compare(url: str) -> list[Any]:
    engine = make_engine(Settings(database_url=url))

    def run(conn: Connection) -> list[Any]:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_name": lambda name, kind, parents: kind != "table" or name in TAXONOMY_TABLES,
                "include_object": lambda obj, name, kind, reflected, other: _table(obj, name, kind) in TAXONOMY_TABLES,
            },
        )
        return compare_metadata(ctx, Base.metadata)

    try:
        async with engine.connect() as conn:
            return await conn.run_sync(run)
    finally:
        await engine.dispose()


def test_0006_matches_the_models_cascades_and_downgrades(fresh_url: str) -> None:
    settings = Settings(database_url=fresh_url)
    upgrade(settings, "0006")
    assert asyncio.run(_compare(fresh_url)) == []  # autogenerate would write an empty migration

    asyncio.run(
        _sql(
            fresh_url,
            "INSERT INTO taxonomy_concepts (id, scheme, code, kind, label, lang) VALUES "
            "(1, 'onet', '99-9001.00', 'occupation', 'Pipe Fitters', 'en'), "
            "(2, 'onet', '2.A.1.a', 'skill', 'Reading Comprehension', 'en'), "
            "(3, 'onet', 'tech:CAD', 'skill', 'CAD', 'en')",
            "INSERT INTO taxonomy_relations (occupation_id, skill_id, relation, weight) VALUES "
            "(1, 2, 'importance', 0.53), (1, 3, 'technology', NULL)",
        )
    )
    with pytest.raises(Exception, match="(?i)unique"):  # one row per (occupation, skill, relation)
        asyncio.run(
            _sql(
                fresh_url,
                "INSERT INTO taxonomy_relations (occupation_id, skill_id, relation) VALUES (1, 3, 'technology')",
            )
        )
    [_, remaining] = asyncio.run(
        _sql(
            fresh_url,
            "DELETE FROM taxonomy_concepts WHERE id = 3",
            "SELECT skill_id, relation, weight FROM taxonomy_relations",
        )
    )
    assert remaining == [(2, "importance", 0.53)]  # the skill's relation went with it
    [_, remaining] = asyncio.run(
        _sql(fresh_url, "DELETE FROM taxonomy_concepts WHERE id = 1", "SELECT count(*) FROM taxonomy_relations")
    )
    assert remaining == [(0,)]  # and the occupation's

    command.downgrade(alembic_config(settings), "0005")
    with pytest.raises(Exception, match="(?i)taxonomy_relations"):
        asyncio.run(_sql(fresh_url, "SELECT count(*) FROM taxonomy_relations"))
    upgrade(settings, "0006")  # and up again
    assert asyncio.run(_sql(fresh_url, "SELECT count(*) FROM taxonomy_relations")) == [[(0,)]]
