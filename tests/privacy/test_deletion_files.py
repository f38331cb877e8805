"""Deleted means gone from the files (issue 14, item 16): after a graduate's deletion over HTTP, no
value of theirs is left in the raw bytes of the database — the SQLite file and its write-ahead log
when ``DELETE /graduates/{id}`` has answered; PostgreSQL's table, index and TOAST files once the
``purge_deleted`` job has run (found with ``pg_relation_filepath`` under ``data_directory``; the
server runs on this machine, its files are read as root). The same files hold the values before
the deletion, so the grep can see them. The files the graduate uploaded (résumé attachments, also
the one an application carries) are deleted from ``attachment_dir`` too."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from service.config import Settings
from service.resumes.models import ApplicationResume
from service.scheduling import run_now
from tests.conftest import run_sql
from tests.privacy.conftest import NEEDLES

NEEDLE_BYTES = {n: n.encode("utf-8") for n in NEEDLES}


@pytest.fixture
def settings_overrides(backend: str, sqlite_template: Path, tmp_path: Path) -> dict[str, object]:
    """A SQLite database of the test's own: reading a database file with plain ``open()`` releases
    every POSIX lock this process holds on it (SQLite FAQ, "How to corrupt your database files",
    §2.2), after which another process closing its connection deletes the write-ahead log under the
    session's servers. PostgreSQL's files are read the same way but locked by the server only."""
    overrides: dict[str, object] = {"attachment_dir": str(tmp_path / "attachments")}
    if backend == "sqlite":
        shutil.copy(sqlite_template, tmp_path / "own.sqlite3")
        overrides["database_url"] = f"sqlite+aiosqlite:///{tmp_path / 'own.sqlite3'}"
    return overrides


def _found(files: list[Path]) -> dict[str, list[str]]:
    """Needle → the files whose raw bytes hold it."""
    out: dict[str, list[str]] = {}
    for path in files:
        data = path.read_bytes()
        for needle, raw in NEEDLE_BYTES.items():
            if raw in data:
                out.setdefault(needle, []).append(path.name)
    return out


def _sqlite_files(settings: Settings) -> list[Path]:
    main = Path(make_url(settings.database_url).database or "")
    return [p for p in (main, Path(f"{main}-wal"), Path(f"{main}-journal")) if p.exists()]


def _pg_files(settings: Settings) -> list[Path]:
    """Every table, index and TOAST file of the database (all segments), after a CHECKPOINT has
    written the shared buffers out."""
    try:
        [[], rows] = asyncio.run(
            run_sql(
                settings.database_url,
                "CHECKPOINT",
                """
            SELECT current_setting('data_directory') || '/' || pg_relation_filepath(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('public', 'pg_toast') AND c.relkind IN ('r', 'i', 't')
              AND pg_relation_filepath(c.oid) IS NOT NULL""",
            )
        )
    except Exception as exc:  # not a superuser, or data_directory hidden
        pytest.skip(f"cannot checkpoint or locate PostgreSQL's files: {exc!r}")
    files = []
    for (first,) in rows:
        base = Path(first)
        files += [p for p in [base, *(Path(f"{first}.{i}") for i in range(1, 64))] if p.exists()]
    try:
        for p in files[:1]:
            p.read_bytes()
    except PermissionError as exc:
        pytest.skip(f"PostgreSQL's files are not readable here ({exc}); run as root or the postgres user")
    return files


def _files(settings: Settings) -> list[Path]:
    return _sqlite_files(settings) if settings.is_sqlite else _pg_files(settings)


def test_deleted_values_are_gone_from_the_database_files(
    case: dict[str, int],
    clients: dict[str, httpx.Client],
    settings: Settings,
) -> None:
    before = _found(_files(settings))
    assert set(before) == set(NEEDLES), f"the grep sees the person's values before: {sorted(before)}"
    r = clients["admin"].delete(f"/graduates/{case['a1']}")
    assert r.status_code == 200, r.text
    if not settings.is_sqlite:
        report = run_now(settings, "purge_deleted")  # the nightly job, run as `vocmatch jobs run` does
        assert report["status"] == "purged" and report["deletions"] == 1
        assert run_now(settings, "purge_deleted")["status"] == "nothing to purge"  # until the next deletion
    left = _found(_files(settings))
    assert not left, f"values of the deleted graduate still in the database files: {left}"


async def test_the_graduates_uploaded_files_are_deleted_with_them(
    case: dict[str, int],
    clients: dict[str, httpx.Client],
    settings: Settings,
    session: AsyncSession,
) -> None:
    """The résumé attachment an application carries and the current one: both files and rows go."""
    folder = Path(settings.attachment_dir) / "resumes"
    url = f"/graduates/{case['a1']}/resume/attachment"
    cv = f"%PDF-1.4\n% {NEEDLES[1]} {NEEDLES[0]}\n%%EOF\n".encode()
    sent = clients["a1"].post(url, files={"data": ("cv.pdf", cv, "application/pdf")})
    assert sent.status_code == 200, sent.text
    session.add(ApplicationResume(application_id=case["application"], snapshot=None, attachment_id=sent.json()["id"]))
    await session.commit()
    assert clients["a1"].post(url, files={"data": ("cv2.pdf", cv + b" ", "application/pdf")}).status_code == 200
    assert len(list(folder.iterdir())) == 2  # the application's file and the current one
    r = clients["admin"].delete(f"/graduates/{case['a1']}")
    assert r.status_code == 200, r.text
    assert list(folder.iterdir()) == []
    [rows] = await run_sql(settings.database_url, "SELECT count(*) FROM resume_attachments")
    assert rows == [(0,)]
