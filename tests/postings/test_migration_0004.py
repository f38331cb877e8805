"""Migration 0004 keeps the postings already stored: each gets its source as a posting_sources
row, its location as the first of ``locations`` and a duplicate key; downgrade drops them again.
Run on a fresh SQLite file and a fresh PostgreSQL database migrated to 0003 first."""

from __future__ import annotations

import asyncio

from alembic import command

from service.config import Settings
from service.migrate import alembic_config, upgrade
from tests.conftest import run_sql as _sql

_SEED = [
    "INSERT INTO regions (code, name, level, parent_code) VALUES ('310000', '上海市', 'province', NULL)",
    "INSERT INTO employers (id, name, source, verified, created_at, updated_at) VALUES "
    "(1, '上海浦江物业管理有限公司（浦东分公司）', 'board_a', false, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "INSERT INTO postings (id, title, description, employer_id, country, region_code, province, city, address, "
    "salary_currency, education_required, required_skills, preferred_skills, certificates, employment_type, "
    "openings, posted_on, status, source, source_url, external_id, application_count, created_at, updated_at) "
    "VALUES (1, '电工（长白班）', '', 1, 'CN', '310000', '上海市', '上海市', '浦东南路 1 号', 'CNY', 'any', '[]', '[]', "
    "'[]', 'FULL_TIME', 1, '2026-05-01', 'open', 'board_a', 'https://a.example/job/1', 'A-1', 0, "
    "'2026-05-01 08:00:00+00:00', '2026-05-02 08:00:00+00:00'), "
    "(2, '文员', '', 1, 'CN', NULL, NULL, NULL, NULL, 'CNY', 'any', '[]', '[]', '[]', 'FULL_TIME', 1, "
    "'2026-05-01', 'open', 'platform', NULL, NULL, 0, '2026-05-01 08:00:00+00:00', '2026-05-01 08:00:00+00:00')",
]


def test_existing_postings_survive_0004(fresh_url: str) -> None:
    settings = Settings(database_url=fresh_url)
    upgrade(settings, "0003")
    asyncio.run(_sql(fresh_url, *_SEED))
    upgrade(settings, "0004")
    sources, postings = asyncio.run(
        _sql(
            fresh_url,
            "SELECT posting_id, source, external_id, url, first_seen_at, last_seen_at FROM posting_sources",
            "SELECT id, duplicate_key, locations, stale_at FROM postings ORDER BY id",
        )
    )
    [(posting_id, source, external_id, url, first_seen, last_seen)] = sources  # the API posting has no listing
    assert (posting_id, source, external_id, url) == (1, "board_a", "A-1", "https://a.example/job/1")
    assert str(first_seen).startswith("2026-05-01 08:00") and str(last_seen).startswith("2026-05-02 08:00")
    (_, key1, locations1, stale1), (_, key2, locations2, _) = postings
    assert key1 == "CN|上海浦江物业管理|电工|上海" and stale1 is None
    if isinstance(locations1, str):  # SQLite returns the JSON text through a plain SELECT
        import json

        locations1, locations2 = json.loads(locations1), json.loads(locations2)
    assert locations1 == [
        {"region_code": "310000", "province": "上海市", "city": "上海市", "district": None, "address": "浦东南路 1 号"}
    ]
    assert key2 is None and locations2 == []  # no city: never merged; no location
    command.downgrade(alembic_config(settings), "0003")
    [[(count,)]] = asyncio.run(_sql(fresh_url, "SELECT count(*) FROM postings"))
    assert count == 2
    upgrade(settings, "0004")  # and up again
