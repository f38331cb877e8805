"""Time of ``vocmatch migrate`` on a fresh SQLite file: schema only (what it did before the national
reference data) against schema + reference data (every GB/T 2260 region, the 2021 中职 catalogue),
and of a second, idempotent ``vocmatch migrate`` on the same file.

Each run is a real ``python -m service.cli migrate`` process (interpreter start-up included, as a
user or ``make run`` sees it), alternating the two variants; prints medians, the ratio, and the
time of ``load_reference`` alone measured in-process. Run from the project root:

    .venv/bin/python bench/bench_migrate.py [--runs 7]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _migrate(url: str, *flags: str) -> float:
    env = {**os.environ, "VOCMATCH_DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "service.cli", "migrate", *flags], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return time.perf_counter() - started


def _load_only(url: str) -> float:
    from service.catalog.reference import load_reference
    from service.config import Settings
    from service.db import make_engine, session_scope

    async def main() -> float:
        engine = make_engine(Settings(database_url=url))
        try:
            started = time.perf_counter()
            async with session_scope(engine) as session:
                await load_reference(session)
            return time.perf_counter() - started
        finally:
            await engine.dispose()

    return asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    schema, full, rerun, load = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            schema.append(_migrate(f"sqlite+aiosqlite:///{tmp}/s{i}.sqlite3", "--schema-only"))
            url = f"sqlite+aiosqlite:///{tmp}/f{i}.sqlite3"
            full.append(_migrate(url))
            rerun.append(_migrate(url))
            load.append(_load_only(f"sqlite+aiosqlite:///{tmp}/s{i}.sqlite3"))
    med = {
        name: statistics.median(v)
        for name, v in (
            ("schema only", schema),
            ("schema + reference", full),
            ("second migrate", rerun),
            ("load_reference alone", load),
        )
    }
    for name, value in med.items():
        print(f"{name:22} median {value:6.2f} s")
    print(
        f"ratio schema+reference / schema only: {med['schema + reference'] / med['schema only']:.2f} "
        f"(+{med['schema + reference'] - med['schema only']:.2f} s), {args.runs} runs each"
    )


if __name__ == "__main__":
    main()
