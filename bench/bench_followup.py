"""The follow-up list's query from the maintained outcome table against the previous one from the events.

Issue 18 ("reports from a maintained outcome table"): :func:`service.destinations.followup.follow_up_page`
now reads the outcome that counts today from ``graduate_outcomes`` instead of ranking each graduate's
events by a window function. This bench generates the graduates and events of ``bench_reports.py``
(its generator and loaders, into a database of its own: PostgreSQL ``vocmatch_bench_followup`` on the
server of ``VOCMATCH_TEST_POSTGRES_URL``, dropped afterwards; SQLite a file in /tmp, deleted), fills the
outcome table (``vocmatch outcomes rebuild``), then times in the same run, alternating, the list of
cohort 2025 as the admin sees it (first page of 50, sorted by staleness, with the cohort's flag counts:
what ``GET /follow-up`` runs) with this checkout's module and with ``--before ROOT``'s
``service/destinations/followup.py`` (e.g. a ``git worktree`` of ``main``, loaded as a module of its
own over this checkout's other code), and checks that the whole list (every graduate's counted event,
category, recorder, confirmation, last update and flags) is the same from both. Prints medians of
``--runs`` runs (seconds) and the ratio. Run from the project root:

    .venv/bin/python bench/bench_followup.py --before ../main [--graduates 50000] [--runs 5] [--backends sqlite postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_reports as data

from service.accounts.models import Role
from service.auth.guards import Principal
from service.config import Settings
from service.db import make_engine, make_sessionmaker
from service.destinations import followup as after
from service.migrate import upgrade

data.BENCH_DB = "vocmatch_bench_followup"
data.SQLITE_PATH = Path("/tmp/vocmatch_bench_followup.sqlite3")
ADMIN = Principal(user_id=1, role=Role.ADMIN)
TODAY = dt.date(2026, 1, 15)


def _before(root: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("followup_before", root / "service/destinations/followup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _key(r: Any) -> tuple[Any, ...]:
    """A row's content in plain values (the two modules' enums are classes of their own)."""
    values = (r.category, r.recorder, r.confirmation)
    plain = tuple(None if v is None else str(v) for v in values)
    return (r.graduate_id, r.event_id, *plain, r.last_update, tuple(str(f) for f in r.flags))


async def _measure(url: str, before: ModuleType, runs: int) -> dict[str, Any]:
    engine = make_engine(Settings(database_url=url))
    times: dict[str, list[float]] = {"events (before)": [], "outcome table": []}
    modules = {"events (before)": before, "outcome table": after}
    try:
        async with make_sessionmaker(engine)() as session:
            whole = {}
            for name, module in modules.items():  # also warms the caches of both
                f = module.FollowUpFilter(cohort=2025)
                found = await module.follow_up_page(session, ADMIN, f, show_phone=False, today=TODAY)
                counts = {flag.value: n for flag, n in found.summary.flag_counts.items()}
                whole[name] = ([_key(r) for r in found.page.items], (found.summary.total, counts))
            for _ in range(runs):
                for name, module in modules.items():
                    f = module.FollowUpFilter(cohort=2025)
                    start = time.perf_counter()
                    await module.follow_up_page(session, ADMIN, f, show_phone=False, limit=50, today=TODAY)
                    times[name].append(time.perf_counter() - start)
            await session.rollback()
    finally:
        await engine.dispose()
    (rows_b, sum_b), (rows_a, sum_a) = whole.values()
    return {"times": times, "same": rows_b == rows_a and sum_b == sum_a, "rows": len(rows_a)}


def run_backend(backend: str, n: int, runs: int, before: ModuleType) -> dict[str, Any]:
    if backend == "postgresql":
        asyncio.run(data._pg_admin(f'DROP DATABASE IF EXISTS "{data.BENCH_DB}" WITH (FORCE)'))
        asyncio.run(data._pg_admin(f'CREATE DATABASE "{data.BENCH_DB}"'))
        url = data._pg_url(data.BENCH_DB)
    else:
        data.SQLITE_PATH.unlink(missing_ok=True)
        url = f"sqlite+aiosqlite:///{data.SQLITE_PATH}"
    try:
        upgrade(Settings(database_url=url))
        load = asyncio.run(data._load_pg(n)) if backend == "postgresql" else data._load_sqlite(n)
        print(f"{backend}: loaded {n:,} graduates in {load:.1f} s", flush=True)
        asyncio.run(data._rebuild(url))
        return asyncio.run(_measure(url, before, runs))
    finally:
        if backend == "postgresql":
            asyncio.run(data._pg_admin(f'DROP DATABASE IF EXISTS "{data.BENCH_DB}" WITH (FORCE)'))
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{data.SQLITE_PATH}{suffix}").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="a checkout of the previous code")
    parser.add_argument("--graduates", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"])
    args = parser.parse_args()
    before = _before(args.before.resolve())
    lines = []
    for backend in args.backends:
        r = run_backend(backend, args.graduates, args.runs, before)
        b, a = (statistics.median(v) for v in r["times"].values())
        lines.append(f"| {backend} | {r['rows']:,} | {b:.3f} | {a:.3f} | {b / a:.2f} | {r['same']} |")
    print("| backend | cohort rows | events (before), s | outcome table, s | before / after | same list |")
    print("|---|---|---|---|---|---|")
    print("\n".join(lines))
    print("load average (1, 5, 15 min): " + " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
