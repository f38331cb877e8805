"""Migration 0008 on data already stored, on a fresh SQLite file and a fresh PostgreSQL database
migrated to 0007 first: it folds stored 身份证号 to their normalised form, stops — naming graduate ids,
never a number — while a number is held twice, and gives existing login sessions a public id."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command

from service.config import Settings
from service.migrate import alembic_config, upgrade
from tests.conftest import run_sql

NUMBER = "11010519491231002X"
_GRADUATE = (
    "INSERT INTO graduates (id, kind, name, gender, id_number, education, country, skills, summary, "
    "desired_titles, preferred_locations, preferred_job_types, recommendable, source, created_at, updated_at) "
    "VALUES ({id}, 'graduate', '甲', 'female', '{number}', 'secondary_vocational', 'CN', '[]', '', '[]', '[]', "
    "'[]', true, 'platform', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
)
_SEED = [
    _GRADUATE.format(id=1, number=NUMBER.lower()),
    _GRADUATE.format(id=2, number=NUMBER),
    _GRADUATE.format(id=3, number="110105194912310011"),  # another number
    "INSERT INTO users (id, email, password_hash, role, graduate_id, active, created_at, updated_at) VALUES "
    "(1, 'a@example.cn', 'x', 'graduate', 1, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "INSERT INTO auth_sessions (id, user_id, refresh_hash, created_at, last_used_at, expires_at) VALUES "
    "(1, 1, 'h1', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '2099-01-01 00:00:00+00:00'), "
    "(2, 1, 'h2', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, '2099-01-01 00:00:00+00:00')",
]


def test_0008_refuses_a_number_held_twice_and_keeps_existing_sessions(fresh_url: str) -> None:
    settings = Settings(database_url=fresh_url)
    upgrade(settings, "0007")
    asyncio.run(run_sql(fresh_url, *_SEED))
    with pytest.raises(RuntimeError) as refused:
        upgrade(settings, "0008")
    message = str(refused.value)
    assert "graduate ids" in message and "1, 2" in message
    assert NUMBER[:14] not in message and NUMBER.lower() not in message

    asyncio.run(run_sql(fresh_url, "UPDATE graduates SET id_number = NULL WHERE id = 2"))
    upgrade(settings, "0008")
    numbers, sessions = asyncio.run(
        run_sql(
            fresh_url,
            "SELECT id, id_number FROM graduates ORDER BY id",
            "SELECT id, public_id, rotated_hashes FROM auth_sessions ORDER BY id",
        )
    )
    assert numbers[:2] == [(1, NUMBER), (2, None)]  # folded to the normalised (upper-case) form
    assert [s[0] for s in sessions] == [1, 2] and sessions[0][1] != sessions[1][1]
    assert all(len(s[1]) >= 22 and s[2] in ("[]", []) for s in sessions)
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        asyncio.run(run_sql(fresh_url, f"UPDATE graduates SET id_number = '{NUMBER}' WHERE id = 3"))

    command.downgrade(alembic_config(settings), "0007")
    upgrade(settings, "0008")  # and up again
