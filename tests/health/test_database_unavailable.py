"""A database that is missing, unreachable or dropped gives 503 (RFC 9457 problem details with
``Retry-After``) on ``/health`` and every route, never 500, and the service recovers by itself
when the database returns (issue 14, item 15): real servers, a PostgreSQL database dropped and
recreated under them, a SQLite file removed and restored, and an unreachable port."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from service.accounts.security import PUBLIC_PATHS
from service.app import create_app
from service.config import Settings
from service.migrate import upgrade
from tests.conftest import PG_ADMIN_URL, LiveServer, _pg_admin_execute, _token
from tests.harness import http_client

#: Public routes (no sign-in, so no database to authenticate) that use the database all the same.
PUBLIC_WITH_DATABASE = {("GET", "/health"), ("GET", "/regions"), ("GET", "/majors"), ("GET", "/schools/1")}


def _pg_or_skip() -> None:
    try:
        _pg_admin_execute("SELECT 1")
    except Exception as exc:  # no server
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL not reachable: {exc!r}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc!r}")


def _routes(settings: Settings) -> list[tuple[str, str, bool]]:
    """(method, concrete path, public) of every route of the app, path parameters filled in;
    ``public``: no sign-in needed (else authenticating the token needs the database)."""
    app = create_app(settings)
    out = []
    for route in app.routes:
        path = re.sub(r"\{[^}:]+:int\}", "1", route.path)
        path = re.sub(r"\{[^}:]+:(str|path)\}", "x", path)
        for method, handler in route.route_handler_map.items():
            if method in ("HEAD", "OPTIONS"):
                continue
            handler = handler[0] if isinstance(handler, tuple) else handler
            public = bool(handler.opt.get("exclude_from_auth")) or any(re.match(p, route.path) for p in PUBLIC_PATHS)
            out.append((method, path, public))
    return out


def _assert_unavailable(r: httpx.Response, what: str) -> None:
    assert r.status_code == 503, f"{what}: {r.status_code} {r.text[:200]}"
    assert r.headers["retry-after"].isdigit(), what
    if "/web" not in what:
        assert r.headers["content-type"].startswith("application/problem+json"), what
        assert r.json()["status"] == 503 and "database" in r.json()["detail"], what


def _probe_every_route(server: LiveServer, settings: Settings) -> None:
    token = _token(settings, 1, 1)  # signed with the app's key: authenticating it needs the database
    with http_client(base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {token}"}) as c:
        _assert_unavailable(c.get("/health"), "GET /health")
        _assert_unavailable(
            c.post("/auth/login", json={"login": "a@b.cn", "password": "correct horse"}), "POST /auth/login"
        )
        for method, path, public in _routes(settings):
            r = c.request(method, path, json={} if method in ("POST", "PATCH") else None)
            if public and (method, path) not in PUBLIC_WITH_DATABASE:  # may not need the database at all
                assert r.status_code < 500 or r.status_code == 503, (method, path, r.status_code, r.text[:200])
            else:
                _assert_unavailable(r, f"{method} {path}")


@pytest.fixture
def missing_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    kind = request.param
    if kind == "sqlite-missing-file":
        url = f"sqlite+aiosqlite:///{tmp_path / 'gone' / 'vocmatch.sqlite3'}"
    else:
        _pg_or_skip()
        name = "vocmatch_no_such_db" if kind == "postgresql-missing-database" else "test"
        port = 5432 if kind == "postgresql-missing-database" else 1  # nothing listens on port 1
        url = str(make_url(PG_ADMIN_URL).set(database=name, port=port).render_as_string(hide_password=False))
    yield Settings(database_url=url, warm_up=False, secret_key_file=str(tmp_path / "secret_key"))
    if kind == "sqlite-missing-file":
        assert not (tmp_path / "gone").exists()  # the service never creates a database file


@pytest.mark.parametrize(
    "missing_database",
    ["sqlite-missing-file", "postgresql-missing-database", "postgresql-unreachable-port"],
    indirect=True,
)
def test_every_route_answers_503_when_the_database_is_missing(missing_database: Settings) -> None:
    with LiveServer(missing_database) as server:
        _probe_every_route(server, missing_database)


def _until_healthy(client: httpx.Client, attempts: int = 50) -> int:
    """Calls of ``/health`` until one answers 200 (the number of calls it took)."""
    for attempt in range(1, attempts + 1):
        if client.get("/health").status_code == 200:
            return attempt
        time.sleep(0.2)
    raise AssertionError(f"/health did not answer 200 in {attempts} attempts")


def test_a_dropped_postgresql_database_gives_503_and_recovers(tmp_path: Path) -> None:
    _pg_or_skip()
    name = f"vocmatch_drop_{uuid.uuid4().hex[:8]}"
    _pg_admin_execute(f'CREATE DATABASE "{name}"')
    url = str(make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False))
    settings = Settings(database_url=url, warm_up=False, secret_key_file=str(tmp_path / "secret_key"))
    try:
        upgrade(settings)
        with LiveServer(settings) as server, http_client(base_url=server.base_url, timeout=30) as c:
            assert c.get("/health").status_code == 200 and c.get("/regions").status_code == 200
            _pg_admin_execute(f'DROP DATABASE "{name}" WITH (FORCE)')  # live connections are cut
            _probe_every_route(server, settings)
            _pg_admin_execute(f'CREATE DATABASE "{name}"')  # back, but empty: still 503
            _assert_unavailable(c.get("/health"), "GET /health of an empty database")
            _assert_unavailable(c.get("/regions"), "GET /regions of an empty database")
            upgrade(settings)  # restored
            _until_healthy(c)
            assert c.get("/regions").status_code == 200
    finally:
        _pg_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_removed_sqlite_file_gives_503_and_recovers(sqlite_template: Path, tmp_path: Path) -> None:
    path = tmp_path / "removed.sqlite3"  # a database of its own: the session's is shared by every test
    shutil.copy(sqlite_template, path)
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{path}", warm_up=False, secret_key_file=str(tmp_path / "secret_key")
    )
    backup = tmp_path / "backup.sqlite3"
    with LiveServer(settings) as server, http_client(base_url=server.base_url, timeout=30) as c:
        assert c.get("/health").status_code == 200 and c.get("/regions").status_code == 200
        with sqlite3.connect(path) as live, sqlite3.connect(backup) as copy:
            live.backup(copy)
        for suffix in ("", "-wal", "-shm"):  # the file is deleted under the running server
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        _probe_every_route(server, settings)
        assert not path.exists()  # the server did not create an empty database in its place
        shutil.copy(backup, path)  # restored from the backup: a new file
        _until_healthy(c)
        assert c.get("/regions").status_code == 200


def test_health_is_503_not_500_for_an_unmigrated_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()  # a database file without the schema
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{path}", warm_up=False, secret_key_file=str(tmp_path / "secret_key")
    )
    with LiveServer(settings) as server, http_client(base_url=server.base_url, timeout=30) as c:
        _assert_unavailable(c.get("/health"), "GET /health")
        _assert_unavailable(c.get("/regions"), "GET /regions")
