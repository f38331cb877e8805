"""Roster import speed: rows per second for a 100,000-row roster, on PostgreSQL and SQLite.

Writes one roster of ``--rows`` graduates (default 100,000) as CSV (UTF-8 with BOM) and as XLSX
(text-formatted identifier cells, as schools' exports have them): 学号 with leading zeros, 姓名,
性别, 18-digit 身份证号 with a valid GB 11643 check digit, 专业, 毕业时间, 联系电话, 届别. Each run
imports it with :func:`service.rosters.service.import_roster` into an empty school (``create``),
then imports the same file again (``re-import``: every row matched on 学号, nothing changes),
each in one transaction, committed. Databases: a new PostgreSQL database ``vocmatch_bench_roster``
on the server of ``VOCMATCH_TEST_POSTGRES_URL`` (dropped afterwards) and a SQLite file in /tmp
(deleted afterwards). Prints the median of ``--runs`` runs.

    .venv/bin/python bench/bench_roster.py [--rows 100000] [--runs 3] [--formats csv xlsx]

``--uploads N`` measures instead what the web server adds to a small upload: N imports of a 3-row
CSV each through :class:`service.rosters.workers.RosterWorkers` (a worker process per import), with
workers started by ``spawn`` (a new interpreter) and by ``forkserver`` (a fork of a server that
imported the service once), alternating so both share the machine's load, into a SQLite file.
Prints the median latency (submit to report) and CPU seconds per upload: the worker's CPU from its
start (``time.process_time()`` at the end of the import: a spawned worker's includes starting the
interpreter and importing the service) plus the server's own. The first upload of each kind (the
fork server's start) is left out and printed apart.

    .venv/bin/python bench/bench_roster.py --uploads 20
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import io
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import delete
from sqlalchemy.engine import make_url

from service.catalog.models import Major, Region, RegionLevel, School
from service.config import Settings
from service.db import make_engine, make_sessionmaker
from service.graduates.models import Graduate
from service.migrate import upgrade
from service.rosters.service import import_roster

PG_ADMIN_URL = os.environ.get("VOCMATCH_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
BENCH_DB = "vocmatch_bench_roster"
SQLITE_PATH = Path("/tmp/vocmatch_bench_roster.sqlite3")
HEADER = ["学号", "姓名", "性别", "身份证号", "专业", "毕业时间", "联系电话", "届别"]
MAJORS = [("730801", "物流服务与管理"), ("740202", "西餐烹饪"), ("710201", "计算机应用"), ("660301", "汽车运用与维修")]
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"


def id_number(rng: random.Random, male: bool) -> str:
    """An 18-digit 居民身份证号 of a 2007–2009 birth in 广州天河 with a valid check digit."""
    born = dt.date(2007, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))
    seq = rng.randrange(0, 100) * 10 + rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
    body = f"440106{born:%Y%m%d}{seq:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def rows(n: int, seed: int = 11) -> list[list[str]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        male = rng.random() < 0.5
        out.append(
            [
                f"0{2025000000 + i}",
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                "男" if male else "女",
                id_number(rng, male),
                rng.choice(MAJORS)[1],
                "2025-06-30",
                f"13{rng.randrange(10**9):09d}",
                "2025",
            ]
        )
    # unique 身份证号 (a repeat would be a rejected row)
    seen: set[str] = set()
    for r in out:
        while r[3] in seen:
            r[3] = id_number(rng, r[2] == "男")
        seen.add(r[3])
    return out


def as_csv(data: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADER)
    w.writerows(data)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def as_xlsx(data: list[list[str]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("毕业生名册")
    ws.append(HEADER)
    for r in data:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


async def _prepare(url: str) -> None:
    engine = make_engine(Settings(database_url=url))
    try:
        async with make_sessionmaker(engine)() as s:
            s.add(Region(code="440106", name="天河区", level=RegionLevel.COUNTY))
            s.add_all(Major(code=c, name=name, category="大类") for c, name in MAJORS)
            await s.flush()
            s.add(School(code="4144010001", name="天河职校", region_code="440106"))
            await s.commit()
    finally:
        await engine.dispose()


async def _import(url: str, data: bytes, filename: str) -> tuple[float, Any]:
    engine = make_engine(Settings(database_url=url))
    try:
        async with make_sessionmaker(engine)() as s:
            t0 = time.perf_counter()
            report = await import_roster(s, data, filename, "4144010001")
            await s.commit()
            return time.perf_counter() - t0, report
    finally:
        await engine.dispose()


async def _clear(url: str) -> None:
    engine = make_engine(Settings(database_url=url))
    try:
        async with make_sessionmaker(engine)() as s:
            await s.execute(delete(Graduate))
            await s.commit()
    finally:
        await engine.dispose()


async def _pg_admin(sql: str) -> None:
    import asyncpg

    u = make_url(PG_ADMIN_URL)
    conn = await asyncpg.connect(
        host=u.host, port=u.port or 5432, user=u.username, password=u.password, database=u.database
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def run_backend(backend: str, files: dict[str, bytes], n: int, runs: int) -> dict[str, dict[str, float]]:
    if backend == "postgresql":
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        asyncio.run(_pg_admin(f'CREATE DATABASE "{BENCH_DB}"'))
        url = make_url(PG_ADMIN_URL).set(database=BENCH_DB).render_as_string(hide_password=False)
    else:
        SQLITE_PATH.unlink(missing_ok=True)
        url = f"sqlite+aiosqlite:///{SQLITE_PATH}"
    out: dict[str, dict[str, float]] = {}
    try:
        upgrade(Settings(database_url=url))
        asyncio.run(_prepare(url))
        for fmt, data in files.items():
            create, again = [], []
            for _ in range(runs):
                asyncio.run(_clear(url))
                seconds, report = asyncio.run(_import(url, data, f"roster.{fmt}"))
                assert report.created == n and not report.rejected, report.to_dict() if report.rejected else report
                create.append(seconds)
                seconds, report = asyncio.run(_import(url, data, f"roster.{fmt}"))
                assert report.unchanged == n, report
                again.append(seconds)
            out[fmt] = {"create": statistics.median(create), "reimport": statistics.median(again)}
            print(
                f"{backend} {fmt}: create {' '.join(f'{x:.1f}' for x in create)} s; "
                f"re-import {' '.join(f'{x:.1f}' for x in again)} s",
                flush=True,
            )
    finally:
        if backend == "postgresql":
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    return out


def _timed_import(*args: Any) -> tuple[Any, float]:
    """In the worker: :func:`service.rosters.workers.import_in_worker`, and this process's CPU seconds."""
    from service.rosters.workers import import_in_worker

    report = import_in_worker(*args)
    return report, time.process_time()


async def _upload(workers: Any, data: bytes) -> tuple[float, float]:
    """Latency and CPU (worker's + this process's) of one import through ``workers``."""
    loop = asyncio.get_running_loop()
    t0, c0 = time.perf_counter(), time.process_time()
    report, worker_cpu = await loop.run_in_executor(
        workers._executor(), _timed_import, workers.settings, data, "roster.csv", "4144010001", False, None, None
    )
    assert not report.rejected, report.to_dict()
    return time.perf_counter() - t0, worker_cpu + time.process_time() - c0


def run_uploads(n: int) -> None:
    from service.rosters.workers import RosterWorkers

    SQLITE_PATH.unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{SQLITE_PATH}"
    data = as_csv(rows(3))
    methods = ("spawn", "forkserver")
    try:
        upgrade(Settings(database_url=url))
        asyncio.run(_prepare(url))
        pools = {m: RosterWorkers(Settings(database_url=url), start_method=m) for m in methods}

        async def go() -> dict[str, list[tuple[float, float]]]:
            out: dict[str, list[tuple[float, float]]] = {m: [] for m in methods}
            for _ in range(n + 1):
                for m in methods:
                    out[m].append(await _upload(pools[m], data))
            return out

        results = asyncio.run(go())
        for pool in pools.values():
            pool.close()
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    print(f"\n{n} uploads of a 3-row CSV through RosterWorkers (SQLite); medians, first upload apart")
    print(f"{'start':<11} {'latency s':>10} {'CPU s':>8} {'first: latency':>15} {'CPU':>6}")
    median = {}
    for m in methods:
        (first_wall, first_cpu), rest = results[m][0], results[m][1:]
        median[m] = (statistics.median(w for w, _ in rest), statistics.median(c for _, c in rest))
        print(f"{m:<11} {median[m][0]:>10.3f} {median[m][1]:>8.3f} {first_wall:>15.3f} {first_cpu:>6.3f}")
    print(
        f"forkserver / spawn: latency {median['forkserver'][0] / median['spawn'][0]:.2f}, "
        f"CPU {median['forkserver'][1] / median['spawn'][1]:.2f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--backends", nargs="+", default=["postgresql", "sqlite"], choices=["postgresql", "sqlite"])
    ap.add_argument("--formats", nargs="+", default=["csv", "xlsx"], choices=["csv", "xlsx"])
    ap.add_argument("--uploads", type=int, default=0, help="measure N small uploads through the worker pool instead")
    args = ap.parse_args()
    if args.uploads:
        run_uploads(args.uploads)
        return
    data = rows(args.rows)
    files = {fmt: (as_csv if fmt == "csv" else as_xlsx)(data) for fmt in args.formats}
    results = {b: run_backend(b, files, args.rows, args.runs) for b in args.backends}
    print(f"\nroster of {args.rows:,} rows; median of {args.runs} runs; rows per second (seconds)")
    print(f"{'backend':<11} {'format':<6} {'create':>16} {'re-import':>16}")
    for b, by_fmt in results.items():
        for fmt, r in by_fmt.items():
            print(
                f"{b:<11} {fmt:<6} {args.rows / r['create']:>8,.0f} ({r['create']:>5.1f}) "
                f"{args.rows / r['reimport']:>8,.0f} ({r['reimport']:>5.1f})"
            )


if __name__ == "__main__":
    main()
