"""Latency of the recommendation endpoints over HTTP on the built-in sample, content vs learned model.

Builds a fresh SQLite database in a temporary folder (migrate, load the sample, one admin account),
serves it with uvicorn on a free loopback port in a child process (one worker) and measures, with
one sequential keep-alive client:

* ``GET /graduates/{id}/recommendations?limit=10`` for every graduate, first with no promoted model
  (``content-v1``), then after ``retrain_ranker`` promoted a learned model (the running server picks
  it up by itself);
* ``GET /postings/{id}/candidates?limit=10`` for up to ``--postings`` open postings.

Each series is run once to warm caches (not measured), then ``--rounds`` times; it prints the median
and 95th percentile (milliseconds, client-side, including HTTP and JSON) and the server's peak
resident memory (``VmHWM`` from /proc, MiB). Run from the project root:

    .venv/bin/python bench/bench_recommend_http.py [--rounds 3] [--postings 60] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
from _server import serve

from service.config import Settings

EMAIL, PASSWORD = "bench-admin@example.cn", "bench admin password"


def _prepare(settings: Settings) -> dict[str, list[int]]:
    from sqlalchemy import select

    from service.accounts.bootstrap import create_admin
    from service.db import make_engine, session_scope
    from service.graduates.models import Graduate
    from service.migrate import upgrade
    from service.postings.models import Posting
    from service.sample.loader import load_sample

    upgrade(settings)

    async def load() -> dict[str, list[int]]:
        engine = make_engine(settings)
        try:
            async with session_scope(engine) as session:
                await load_sample(session)
                await create_admin(session, EMAIL, PASSWORD)
            async with session_scope(engine) as session:
                graduates = list((await session.execute(select(Graduate.id).order_by(Graduate.id))).scalars())
                postings = list((await session.execute(select(Posting.id).order_by(Posting.id))).scalars())
        finally:
            await engine.dispose()
        return {"graduates": graduates, "postings": postings}

    return asyncio.run(load())


def _peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _series(client: httpx.Client, paths: list[str], rounds: int) -> tuple[list[float], set[str]]:
    models = set()
    for path in paths:  # warm-up
        r = client.get(path)
        r.raise_for_status()
        models.add(r.json()["model"])
    times = []
    for _ in range(rounds):
        for path in paths:
            t = time.perf_counter()
            r = client.get(path)
            times.append((time.perf_counter() - t) * 1000)
            r.raise_for_status()
    return times, models


def _summary(times: list[float]) -> dict[str, float]:
    q = statistics.quantiles(times, n=100)
    return {"requests": len(times), "median_ms": round(statistics.median(times), 1), "p95_ms": round(q[94], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postings", type=int, default=60, help="postings whose candidates are requested")
    parser.add_argument("--json", action="store_true", help="print only the JSON result")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vocmatch-bench-") as tmp:
        env = {
            **os.environ,
            "VOCMATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.sqlite3",
            "VOCMATCH_MODEL_DIR": f"{tmp}/models",
            "VOCMATCH_SECRET_KEY": "b" * 48,
            "VOCMATCH_API_RATE_PER_MINUTE": "1000000",
            "VOCMATCH_COOKIE_SECURE": "false",
        }
        settings = Settings.from_env(env)
        started = time.perf_counter()
        ids = _prepare(settings)
        setup_s = time.perf_counter() - started
        with serve(env, start_timeout=60, stop_timeout=30) as server:
            base = server.base
            with httpx.Client(base_url=base, timeout=60) as client:
                r = client.post("/auth/login", json={"login": EMAIL, "password": PASSWORD})
                r.raise_for_status()
                client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
                recs = [f"/graduates/{g}/recommendations?limit=10" for g in ids["graduates"]]
                cands = [f"/postings/{p}/candidates?limit=10" for p in ids["postings"][: args.postings]]
                result: dict[str, object] = {
                    "graduates": len(ids["graduates"]),
                    "postings": len(ids["postings"]),
                    "setup_seconds": round(setup_s, 1),
                }
                times, models = _series(client, recs, args.rounds)
                result["recommendations_content"] = {**_summary(times), "model": sorted(models)}
                times, models = _series(client, cands, args.rounds)
                result["candidates"] = {**_summary(times), "model": sorted(models)}
                from service.recommendations.scheduled import retrain_ranker

                t = time.perf_counter()
                report = retrain_ranker(settings)
                result["retrain"] = {
                    "status": report["status"],
                    "seconds": round(time.perf_counter() - t, 1),
                    "metrics": report.get("metrics"),
                    "reason": report.get("reason"),
                }
                if report["status"] == "promoted":
                    times, models = _series(client, recs, args.rounds)
                    result["recommendations_learned"] = {**_summary(times), "model": sorted(models)}
            result["server_peak_rss_mib"] = round(_peak_rss_mib(server.process.pid), 1)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
