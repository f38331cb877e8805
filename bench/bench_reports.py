"""Speed of the employment report against one hand-written SQL aggregate, on PostgreSQL and SQLite.

Generates N graduates (default 1,000,000) with 3 destination events each on average (3,000,000)
into a dedicated database — PostgreSQL: a new database ``vocmatch_bench`` on the server of
``--pg-url`` (bulk COPY with asyncpg ``copy_records_to_table``), dropped afterwards; SQLite: a file
in /tmp (``executemany``), deleted afterwards — then, for each backend, times in the same run:

- ``rebuild``: ``vocmatch outcomes rebuild`` (:func:`service.destinations.outcomes.rebuild`), once:
  the rows are loaded around the ORM, so the maintained outcome table must be filled before timing;
- ``report``: :func:`service.reports.build.build_report` for scope ``all``, cohort 2025, as of
  2025-12-31: the full province breakdown (and every other breakdown of the report: city, county,
  school, major, cohort, gender, disadvantaged; suppression; medians), counting from the
  maintained outcome table; ``counting``: its one SQL statement alone
  (:func:`service.reports.counts_sql.count_report`); ``report_old`` / ``counting_old``: the same
  counting from the events by window functions (``source="events"``, the path before issue 18) —
  both must give the same counts;
- ``sql``: one hand-written SQL statement over the same tables — per province, graduates and the
  directly employed / further-study counts, the counted outcome chosen by the same precedence
  rule (window function) — i.e. the least a report must do;

and prints the median seconds of ``--runs`` runs and the ratio report / sql. The data: 31
provinces × 4 cities × 3 counties, 2,000 schools (a tenth of them filed at city level), 60 majors;
90 % of graduates are of the 2025 cohort (graduated 2025-06-30), 8 % of 2024, 2 % still
studying; events are outcomes of every category and source over July 2025 – March 2026 (some
recorded after the cut-off, some internships), confirmations, disputes and 对口 overrides.

Run from the project root (a few minutes at --graduates 100000; the full size takes long):

    .venv/bin/python bench/bench_reports.py [--graduates 1000000] [--runs 3] [--backends postgresql sqlite]

To compare two versions of the code on the same rows, generate once with ``--keep`` and time the other
checkout with ``--reuse`` (same ``VOCMATCH_BENCH_DB``).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import random
import sqlite3
import statistics
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Date, bindparam, text
from sqlalchemy.engine import make_url

from service.config import Settings
from service.db import UtcDateTime, make_engine, make_sessionmaker
from service.destinations.outcomes import rebuild
from service.graduates.identity import PROVINCE_CODES
from service.migrate import upgrade
from service.reports.build import build_report
from service.reports.compute import ReportParams, Scope
from service.reports.counts_sql import count_report

PG_ADMIN_URL = os.environ.get("VOCMATCH_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
#: the bench database (PostgreSQL) / file (SQLite); set VOCMATCH_BENCH_DB so two runs do not share one
BENCH_DB = os.environ.get("VOCMATCH_BENCH_DB", "vocmatch_bench")
SQLITE_PATH = Path(f"/tmp/{BENCH_DB}.sqlite3")
AS_OF = dt.date(2025, 12, 31)
CUTOFF = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
CHUNK = 50_000

# the 31 provinces of the mainland (GB/T 2260; Taiwan, Hong Kong and Macao have no 中职 rosters here)
PROVINCES = sorted(code for code in PROVINCE_CODES if code < "71")
CATEGORIES = [
    ("labour_contract", 30),
    ("employment_agreement", 12),
    ("other_employment", 14),
    ("self_employed", 3),
    ("freelance", 3),
    ("military", 2),
    ("further_study", 18),
    ("abroad", 2),
    ("seeking", 12),
    ("not_seeking", 4),
]
EMPLOYED = {"labour_contract", "employment_agreement", "other_employment", "self_employed", "freelance", "military"}
SOURCES = ["platform_hire", "school_survey", "import", "self_report"]

GRADUATE_COLUMNS = [
    "id",
    "kind",
    "name",
    "gender",
    "student_number",
    "school_id",
    "major_code",
    "education",
    "graduation_date",
    "cohort",
    "country",
    "skills",
    "summary",
    "desired_titles",
    "preferred_locations",
    "preferred_job_types",
    "recommendable",
    "disadvantaged",
    "source",
    "created_at",
    "updated_at",
]
EVENT_COLUMNS = [
    "id",
    "graduate_id",
    "occurred_on",
    "recorded_at",
    "source",
    "category",
    "region_code",
    "monthly_salary",
    "labour_contract",
    "social_insurance",
    "in_field",
    "kind",
    "refers_to_id",
    "internship",
]

#: The hand-written aggregate: per province, graduates of cohort 2025 graduated by :d, and how many
#: of them count as directly employed / in further study, the counted outcome chosen per graduate
#: with the documented precedence (an internship only when no other outcome counts; then the latest
#: undisputed outcome on or before :d, source rank, recorded_at, id; internships count as seeking).
HAND_SQL = """
WITH last_review AS (
    SELECT refers_to_id, kind,
           ROW_NUMBER() OVER (PARTITION BY refers_to_id ORDER BY recorded_at DESC, id DESC) AS rn
    FROM destination_events
    WHERE kind IN ('confirmation', 'dispute') AND recorded_at < :t
), ranked AS (
    SELECT e.graduate_id, e.category, e.internship,
           ROW_NUMBER() OVER (PARTITION BY e.graduate_id ORDER BY CASE WHEN e.internship THEN 1 ELSE 0 END,
               e.occurred_on DESC,
               CASE e.source WHEN 'platform_hire' THEN 4 WHEN 'school_survey' THEN 3 WHEN 'import' THEN 2
                             WHEN 'self_report' THEN 1 ELSE 0 END DESC,
               e.recorded_at DESC, e.id DESC) AS rn
    FROM destination_events e
    LEFT JOIN last_review r ON r.refers_to_id = e.id AND r.rn = 1
    WHERE e.kind = 'outcome' AND e.recorded_at < :t AND e.occurred_on <= :d
      AND (r.kind IS NULL OR r.kind <> 'dispute')
)
SELECT substr(s.region_code, 1, 2) AS province,
       COUNT(*) AS graduates,
       SUM(CASE WHEN w.category IN ('labour_contract', 'employment_agreement', 'other_employment', 'self_employed',
                                    'freelance', 'military') AND NOT w.internship THEN 1 ELSE 0 END) AS employed,
       SUM(CASE WHEN w.category = 'further_study' AND NOT w.internship THEN 1 ELSE 0 END) AS further_study
FROM graduates g
JOIN schools s ON s.id = g.school_id
LEFT JOIN ranked w ON w.graduate_id = g.id AND w.rn = 1
WHERE g.kind = 'graduate' AND g.cohort = 2025 AND g.graduation_date <= :d
GROUP BY substr(s.region_code, 1, 2)
ORDER BY 1
"""


def regions() -> list[tuple[str, str, str, str | None]]:
    out: list[tuple[str, str, str, str | None]] = []
    for p in PROVINCES:
        out.append((f"{p}0000", f"省{p}", "province", None))
        for c in range(1, 5):
            out.append((f"{p}{c:02d}00", f"市{p}{c:02d}", "city", f"{p}0000"))
            for k in range(1, 4):
                out.append((f"{p}{c:02d}{k:02d}", f"区{p}{c:02d}{k:02d}", "county", f"{p}{c:02d}00"))
    return out


def schools(rng: random.Random) -> list[tuple[int, str, str, str]]:
    out = []
    for i in range(1, 2001):
        p, c, k = rng.choice(PROVINCES), rng.randint(1, 4), rng.randint(1, 3)
        region = f"{p}{c:02d}00" if i % 10 == 0 else f"{p}{c:02d}{k:02d}"
        out.append((i, f"41{i:08d}", f"第{i}职业学校", region))
    return out


MAJORS = [(f"7{i:05d}", f"专业{i}", "大类") for i in range(1, 61)]


def _date(rng: random.Random, start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(days))


def generate(n: int, seed: int = 7) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
    """Chunks of (graduate rows, event rows) in the column orders above (Python values)."""
    rng = random.Random(seed)
    school_regions = [r for _, _, _, r in schools(random.Random(seed))]
    cats = [c for c, _ in CATEGORIES]
    weights = [w for _, w in CATEGORIES]
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    event_id = 0
    grads: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    for gid in range(1, n + 1):
        school = rng.randrange(2000)
        r = rng.random()
        cohort, graduated = (
            (2025, dt.date(2025, 6, 30))
            if r < 0.90
            else ((2024, dt.date(2024, 6, 30)) if r < 0.98 else (2025, dt.date(2026, 1, 10)))
        )
        grads.append(
            (
                gid,
                "graduate",
                f"g{gid}",
                rng.choice(("male", "female", "female", "unknown")),
                f"{gid:08d}",
                school + 1,
                MAJORS[rng.randrange(60)][0],
                "secondary_vocational",
                graduated,
                cohort,
                "CN",
                "[]",
                "",
                "[]",
                "[]",
                "[]",
                True,
                rng.choice((True, False, False, None)),
                "bench",
                now,
                now,
            )
        )
        first_id = None
        kinds = [
            "outcome",
            "outcome",
            rng.choices(["outcome", "confirmation", "dispute", "in_field_override"], [70, 15, 10, 5])[0],
        ]
        for kind in kinds:
            event_id += 1
            start = graduated if graduated.year == 2025 else dt.date(2024, 7, 1)
            occurred = _date(rng, start, 240)
            recorded = dt.datetime.combine(occurred + dt.timedelta(days=rng.randrange(60)), dt.time(9), dt.UTC)
            if kind == "outcome":
                category = rng.choices(cats, weights)[0]
                employed = category in EMPLOYED
                region = school_regions[school] if rng.random() < 0.6 else f"{rng.choice(PROVINCES)}0100"
                events.append(
                    (
                        event_id,
                        gid,
                        occurred,
                        recorded,
                        rng.choice(SOURCES),
                        category,
                        region if employed else None,
                        rng.randrange(2000, 9000, 50) if employed and rng.random() < 0.8 else None,
                        rng.choice((True, False, None)) if employed else None,
                        rng.choice((True, False, None)) if employed else None,
                        rng.choice((True, False, None)) if employed else None,
                        "outcome",
                        None,
                        employed and rng.random() < 0.05,
                    )
                )
                first_id = first_id or event_id
            else:
                events.append(
                    (
                        event_id,
                        gid,
                        occurred,
                        recorded,
                        "school_review" if kind == "in_field_override" else "self_report",
                        "labour_contract",
                        None,
                        None,
                        None,
                        None,
                        rng.choice((True, False)) if kind == "in_field_override" else None,
                        kind,
                        first_id,
                        False,
                    )
                )
        if gid % CHUNK == 0 or gid == n:
            yield grads, events
            grads, events = [], []


# ---------------------------------------------------------------- loading


def _pg_url(database: str) -> str:
    return make_url(PG_ADMIN_URL).set(database=database).render_as_string(hide_password=False)


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


async def _load_pg(n: int) -> float:
    import asyncpg

    u = make_url(PG_ADMIN_URL)
    conn = await asyncpg.connect(
        host=u.host, port=u.port or 5432, user=u.username, password=u.password, database=BENCH_DB
    )
    t0 = time.perf_counter()
    try:
        await conn.copy_records_to_table("regions", records=regions(), columns=["code", "name", "level", "parent_code"])
        now = dt.datetime.now(dt.UTC)
        await conn.copy_records_to_table(
            "schools",
            records=[(*s, now, now) for s in schools(random.Random(7))],
            columns=["id", "code", "name", "region_code", "created_at", "updated_at"],
        )
        await conn.copy_records_to_table("majors", records=MAJORS, columns=["code", "name", "category"])
        for grads, events in generate(n):
            await conn.copy_records_to_table("graduates", records=grads, columns=GRADUATE_COLUMNS)
            await conn.copy_records_to_table("destination_events", records=events, columns=EVENT_COLUMNS)
        for table in ("schools", "graduates", "destination_events"):
            await conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return time.perf_counter() - t0


def _sqlite_value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _load_sqlite(n: int) -> float:
    t0 = time.perf_counter()
    con = sqlite3.connect(SQLITE_PATH)
    try:
        con.execute("PRAGMA synchronous=OFF")
        con.executemany("INSERT INTO regions (code, name, level, parent_code) VALUES (?, ?, ?, ?)", regions())
        now = _sqlite_value(dt.datetime.now(dt.UTC))
        con.executemany(
            "INSERT INTO schools (id, code, name, region_code, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(*s, now, now) for s in schools(random.Random(7))],
        )
        con.executemany("INSERT INTO majors (code, name, category) VALUES (?, ?, ?)", MAJORS)
        g_sql = (
            f"INSERT INTO graduates ({', '.join(GRADUATE_COLUMNS)}) VALUES ({', '.join('?' * len(GRADUATE_COLUMNS))})"
        )
        e_sql = (
            f"INSERT INTO destination_events ({', '.join(EVENT_COLUMNS)}) "
            f"VALUES ({', '.join('?' * len(EVENT_COLUMNS))})"
        )
        for grads, events in generate(n):
            con.executemany(g_sql, ([_sqlite_value(v) for v in row] for row in grads))
            con.executemany(e_sql, ([_sqlite_value(v) for v in row] for row in events))
        con.commit()
        con.execute("ANALYZE")
        con.commit()
    finally:
        con.close()
    return time.perf_counter() - t0


# ---------------------------------------------------------------- measuring


async def _timed(engine: Any, work: Any) -> tuple[float, Any]:
    async with make_sessionmaker(engine)() as session:
        t0 = time.perf_counter()
        out = await work(session)
        return time.perf_counter() - t0, out


async def _measure(url: str, runs: int, exact: bool = False) -> dict[str, Any]:
    """Median seconds of ``runs`` runs of: the hand SQL; the report as published with the heuristic
    suppression alone (``report``, what earlier versions timed); the internal view (exact figures, no
    suppression: what school and department staff read); its counting statement alone; with
    ``exact``, the publish view with the exact audit too (the default publication since issue 15)."""
    params = ReportParams(scope=Scope.parse("all"), cohorts=(2025,), as_of=AS_OF, recorded_before=CUTOFF, threshold=5)
    hand = text(HAND_SQL).bindparams(bindparam("t", type_=UtcDateTime()), bindparam("d", type_=Date()))
    variants: dict[str, Any] = {
        "sql": lambda s: s.execute(hand, {"t": CUTOFF, "d": AS_OF}),
        "report": lambda s: build_report(s, params, exact_audit=False),
        "internal": lambda s: build_report(s, params, publish=False),
        "counting": lambda s: count_report(s, params),
        "report_old": lambda s: build_report(s, params, exact_audit=False, source="events"),
        "counting_old": lambda s: count_report(s, params, source="events"),
        # the counting before the GROUPING SETS pass (a GROUP BY per breakdown, what SQLite runs)
        "counting_union": lambda s: count_report(s, params, grouping_sets=False),
    }
    if exact:
        variants["exact"] = lambda s: build_report(s, params)
    times: dict[str, list[float]] = {name: [] for name in variants}
    outputs: dict[str, Any] = {}
    engine = make_engine(Settings(database_url=url))
    try:
        for _ in range(runs):
            for name, work in variants.items():
                seconds, outputs[name] = await _timed(engine, work)
                times[name].append(seconds)
                print(f"  {name}: {seconds:.2f} s", flush=True)
    finally:
        await engine.dispose()
    assert outputs["counting"].counts == outputs["counting_old"].counts, "table and window-function counts differ"
    assert outputs["counting"].middles == outputs["counting_old"].middles
    assert outputs["counting"].counts == outputs["counting_union"].counts, "GROUPING SETS and GROUP BY counts differ"
    assert {k: sorted(v) for k, v in outputs["counting_union"].middles.items()} == outputs["counting"].middles
    rows = outputs["sql"].all()
    report = outputs["internal"]
    by_province = {r["key"]: r["counts"] for r in report["breakdowns"]["province"]}
    for row in rows:  # the two must agree on what they both count
        counts = by_province[f"{row.province}0000"]
        assert (counts["graduates"], counts["employed"], counts["further_study"]) == (
            row.graduates,
            row.employed,
            row.further_study,
        ), (row, counts)
    result: dict[str, Any] = {name: statistics.median(ts) for name, ts in times.items()}
    result.update(report_runs=times["report"], sql_runs=times["sql"], provinces=len(rows))
    result["graduates_in_report"] = report["breakdowns"]["total"][0]["counts"]["graduates"]
    return result


async def _analyze(url: str) -> None:
    """Planner statistics for the new table (PostgreSQL; autovacuum would take its time)."""
    engine = make_engine(Settings(database_url=url))
    try:
        async with engine.connect() as conn:
            await conn.execute(text("ANALYZE graduate_outcomes"))
            await conn.commit()
    finally:
        await engine.dispose()


async def _rebuild(url: str) -> float:
    """Fill ``graduate_outcomes`` from the bulk-loaded events (what ``vocmatch outcomes rebuild`` does)."""
    engine = make_engine(Settings(database_url=url))
    try:
        async with make_sessionmaker(engine)() as session:
            t0 = time.perf_counter()
            report = await session.run_sync(lambda s: rebuild(s.connection()))
            await session.commit()
            seconds = time.perf_counter() - t0
    finally:
        await engine.dispose()
    await _analyze(url)
    print(
        f"  rebuild: {report.graduates:,} graduates, {report.events:,} events -> {report.rows:,} outcome rows "
        f"in {seconds:.1f} s",
        flush=True,
    )
    return seconds


def run_backend(
    backend: str,
    n: int,
    runs: int,
    keep: bool,
    reuse: bool = False,
    exact: bool = False,
    rebuild_table: bool = True,
) -> dict[str, Any]:
    if reuse:  # time today's code on the database a previous --keep run generated (old and new on the same rows)
        url = _pg_url(BENCH_DB) if backend == "postgresql" else f"sqlite+aiosqlite:///{SQLITE_PATH}"
        t0 = time.perf_counter()
        upgrade(Settings(database_url=url))  # 0026 fills graduate_outcomes in its data step
        print(f"{backend}: upgrade {time.perf_counter() - t0:.1f} s", flush=True)
        if rebuild_table:
            seconds = asyncio.run(_rebuild(url))
        else:
            seconds = 0.0
            asyncio.run(_analyze(url))
        return {**asyncio.run(_measure(url, runs, exact)), "load": 0.0, "rebuild": seconds}
    if backend == "postgresql":
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        asyncio.run(_pg_admin(f'CREATE DATABASE "{BENCH_DB}"'))
        url = _pg_url(BENCH_DB)
    else:
        SQLITE_PATH.unlink(missing_ok=True)
        url = f"sqlite+aiosqlite:///{SQLITE_PATH}"
    try:
        upgrade(Settings(database_url=url))
        load = asyncio.run(_load_pg(n)) if backend == "postgresql" else _load_sqlite(n)
        print(f"{backend}: loaded {n:,} graduates, ~{3 * n:,} events in {load:.1f} s", flush=True)
        seconds = asyncio.run(_rebuild(url))
        result = asyncio.run(_measure(url, runs, exact))
        result["rebuild"] = seconds
    finally:
        if not keep:
            if backend == "postgresql":
                asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    result["load"] = load
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--graduates", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3, help="timed runs per backend; medians are printed")
    ap.add_argument("--backends", nargs="+", default=["postgresql", "sqlite"], choices=["postgresql", "sqlite"])
    ap.add_argument("--keep", action="store_true", help="keep the bench database (for a second look)")
    ap.add_argument("--reuse", action="store_true", help="measure on the database a --keep run left (no loading)")
    ap.add_argument("--exact", action="store_true", help="also time the publish view with the exact audit")
    ap.add_argument(
        "--no-rebuild",
        action="store_true",
        help="with --reuse: do not rebuild graduate_outcomes (filled by an earlier run or by migration 0026)",
    )
    args = ap.parse_args()
    results = {
        b: run_backend(b, args.graduates, args.runs, args.keep, args.reuse, args.exact, not args.no_rebuild)
        for b in args.backends
    }
    print(
        f"\n{args.graduates:,} graduates, {3 * args.graduates:,} destination events; "
        f"report = scope all, cohort 2025, as of {AS_OF}; median of {args.runs} runs"
    )
    print(
        "report = build_report as published with the heuristic suppression alone (what earlier versions timed); "
        "internal = the exact view staff read (no suppression); counting = its SQL statement alone (count_report); "
        "all three from the maintained outcome table; report_old, counting_old = the same from the events by "
        "window functions (before issue 18); counting_union = counting with a GROUP BY per breakdown instead of "
        "one GROUPING SETS pass (PostgreSQL before this change; what SQLite runs); exact = the publication with the exact audit (--exact); "
        "SQL = the hand-written province aggregate; rebuild = filling graduate_outcomes from the bulk load, once"
    )
    names = [
        "report",
        "internal",
        "counting",
        "report_old",
        "counting_old",
        "counting_union",
        *(["exact"] if args.exact else []),
    ]
    print(
        f"{'backend':<11} "
        + " ".join(f"{n + ' s':>10}" for n in names)
        + f" {'SQL s':>8} {'ratio':>6}  {'internal ratio':>14} {'old ratio':>9} {'counting ratio':>14}"
        + f" {'rebuild s':>9}"
    )
    for b, r in results.items():
        print(
            f"{b:<11} "
            + " ".join(f"{r[n]:>10.2f}" for n in names)
            + f" {r['sql']:>8.2f} {r['report'] / r['sql']:>6.1f}"
            f"  {r['internal'] / r['sql']:>14.1f} {r['report_old'] / r['sql']:>9.1f}"
            f" {r['counting'] / r['sql']:>14.1f} {r.get('rebuild', 0.0):>9.1f}"
        )
    print("load average (1, 5, 15 min) at the end: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
