"""/health and recommendation latency while postings and applications change (issue 18), old path
beside new path in one run.

N open postings (default 20,000) are generated from real titles and skills by the generator of
``bench_recommend_scale.py`` (the shared job-board data), with 60 graduates, into one SQLite file
that every run starts from (a copy each). For each path — ``refit`` (the oldest: any change of the
postings table, applications included, refits the whole index inside the next request; setting
``VOCMATCH_RECOMMENDATION_INDEX=refit``), ``scan`` (the previous one: deltas found by reading the
postings' change key on every request) and ``live`` (deltas from the postings' change feed, applied by a
background task every ``--poll-seconds``; full rebuilds in the background, in a build process from
``VOCMATCH_INDEX_PROCESS_MIN_POSTINGS`` postings) — it serves the file with uvicorn in a subprocess (one
worker, warm-up on), waits for the first recommendation, then for ``--seconds`` (default 30) makes one
change per second (in turn: an application to a posting, a
new posting, an edit of a posting's title, a posting closed) while two client threads measure

* ``GET /health`` every 50 ms, and
* ``GET /graduates/{id}/recommendations?limit=10`` for 10 graduates in turn, back to back,

and a third asks, after each new posting, for the recommendations of a probe graduate who wants
exactly that kind of posting until it is listed (time until recommendable). Latencies are
client-side milliseconds over loopback HTTP, median and 99th percentile.

    .venv/bin/python bench/bench_churn.py [--postings 20000] [--seconds 30] [--rebuild-seconds 10]
        [--poll-seconds 1] [--paths refit scan live] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from _server import serve
from bench_recommend_scale import _login, generate, load, p99
from sqlalchemy import update

from service.config import Settings

PROBE_TITLE, PROBE_SKILL, PROBE_CITY = "Churn Probe Welder", "probe arc welding", "Springfield"


def _summary(xs: list[float]) -> dict[str, Any]:
    if not xs:
        return {"n": 0}
    return {
        "n": len(xs),
        "p50_ms": round(statistics.median(xs), 1),
        "p99_ms": round(p99(xs), 1),
        "max_ms": round(max(xs), 1),
    }


def _add_probe(settings: Settings) -> int:
    from service.db import make_engine, session_scope
    from service.graduates.models import Graduate

    async def run() -> int:
        engine = make_engine(settings)
        try:
            async with session_scope(engine) as session:
                g = Graduate(
                    name="Probe",
                    country="US",
                    province="IL",
                    city=PROBE_CITY,
                    skills=[PROBE_SKILL],
                    desired_titles=[PROBE_TITLE],
                    source="bench",
                    external_id="probe",
                )
                session.add(g)
                await session.flush()
                return g.id
        finally:
            await engine.dispose()

    return asyncio.run(run())


class Churn:
    """One change per second through the ORM (as the services make them), from a thread of its own."""

    def __init__(self, settings: Settings, n_postings: int) -> None:
        self.settings, self.n = settings, n_postings
        self.new_postings: list[tuple[int, float]] = []  # (id, time committed)
        self.changes = 0
        self._pending: int | None = None  # the posting the current step added, if any

    async def _one(self, session: Any, step: int) -> None:
        from service.postings.models import Posting, PostingStatus

        kind = step % 4
        target = 1 + (step * 7919) % self.n
        if kind == 0:  # an application: ApplicationService.apply bumps the count like this
            await session.execute(
                update(Posting).where(Posting.id == target).values(application_count=Posting.application_count + 1)
            )
        elif kind == 1:
            p = Posting(
                title=PROBE_TITLE,
                employer_id=1,
                country="US",
                province="IL",
                city=PROBE_CITY,
                required_skills=[PROBE_SKILL],
                salary_min_monthly=3000,
                salary_max_monthly=4000,
            )
            session.add(p)
            await session.flush()
            self._pending = p.id
        elif kind == 2:
            await session.execute(update(Posting).where(Posting.id == target).values(title=f"Edited title {step}"))
        else:
            await session.execute(update(Posting).where(Posting.id == target).values(status=PostingStatus.CLOSED))

    def run(self, seconds: float) -> None:
        from service.db import make_engine, session_scope

        async def main() -> None:
            engine = make_engine(self.settings)
            try:
                start = time.monotonic()
                step = 0
                while time.monotonic() - start < seconds:
                    self._pending = None
                    async with session_scope(engine) as session:
                        await self._one(session, step)
                    if self._pending is not None:
                        self.new_postings.append((self._pending, time.monotonic()))
                    self.changes += 1
                    step += 1
                    await asyncio.sleep(max(0.0, start + step - time.monotonic()))
            finally:
                await engine.dispose()

        asyncio.run(main())


def run_path(path: str, db: Path, args: argparse.Namespace, measured: list[int], probe: int) -> dict[str, Any]:
    url = f"sqlite+aiosqlite:///{db}"
    settings = Settings(database_url=url)
    tmp = db.parent
    env = {
        **os.environ,
        "VOCMATCH_DATABASE_URL": url,
        "VOCMATCH_RECOMMENDATION_INDEX": path,
        "VOCMATCH_INDEX_REBUILD_SECONDS": str(args.rebuild_seconds),
        "VOCMATCH_CHANGE_POLL_SECONDS": str(args.poll_seconds),
        "VOCMATCH_WARM_UP": "true",
        "VOCMATCH_MODEL_DIR": str(tmp / f"models-{path}"),
        "VOCMATCH_SECRET_KEY": "b" * 40,
        "VOCMATCH_API_RATE_PER_MINUTE": "1000000",
        "VOCMATCH_OUTBOX_DIR": str(tmp / "outbox"),
        "VOCMATCH_INDEX_DIR": str(tmp / f"index-{path}"),
    }
    out: dict[str, Any] = {"path": path}
    with serve(env, start_timeout=120, stop_timeout=60) as server:
        base = server.base
        started = time.perf_counter()
        with httpx.Client(base_url=base, timeout=600) as client:
            _login(client)
            client.get(f"/graduates/{measured[0]}/recommendations?limit=10").raise_for_status()
            out["first_recommendation_s"] = round(time.perf_counter() - started, 1)
            headers = dict(client.headers)
        stop = threading.Event()
        health: list[float] = []
        recs: list[float] = []
        churn = Churn(settings, args.postings)
        visible: list[float] = []

        def probe_health() -> None:
            with httpx.Client(base_url=base, timeout=600) as c:
                while not stop.is_set():
                    t = time.perf_counter()
                    c.get("/health").raise_for_status()
                    health.append((time.perf_counter() - t) * 1000)
                    time.sleep(0.05)

        def probe_recs() -> None:
            with httpx.Client(base_url=base, timeout=600, headers=headers) as c:
                i = 0
                while not stop.is_set():
                    t = time.perf_counter()
                    c.get(f"/graduates/{measured[i % len(measured)]}/recommendations?limit=10").raise_for_status()
                    recs.append((time.perf_counter() - t) * 1000)
                    i += 1

        def probe_new() -> None:
            seen = 0
            with httpx.Client(base_url=base, timeout=600, headers=headers) as c:
                while not stop.is_set() or seen < len(churn.new_postings):
                    if seen >= len(churn.new_postings):
                        time.sleep(0.05)
                        continue
                    pid, at = churn.new_postings[seen]
                    while time.monotonic() - at < 120:
                        r = c.get(f"/graduates/{probe}/recommendations?limit=100")
                        r.raise_for_status()
                        if pid in {i["posting"]["id"] for i in r.json()["items"]}:
                            visible.append((time.monotonic() - at) * 1000)
                            break
                        time.sleep(0.05)
                    seen += 1

        threads = [threading.Thread(target=f) for f in (probe_health, probe_recs, probe_new)]
        for t in threads:
            t.start()
        churn.run(args.seconds)
        stop.set()
        for t in threads:
            t.join(timeout=300)
        out.update(
            changes=churn.changes,
            health=_summary(health),
            recommendations=_summary(recs),
            new_posting_recommendable=_summary(visible),
        )
    if args.restart:  # the same database served again: the snapshot the run left is mapped, not refitted
        with serve(env, start_timeout=120, stop_timeout=60) as server:
            started = time.perf_counter()
            with httpx.Client(base_url=server.base, timeout=600) as client:
                _login(client)
                client.get(f"/graduates/{measured[0]}/recommendations?limit=10").raise_for_status()
                out["first_recommendation_restart_s"] = round(time.perf_counter() - started, 1)
    return out


def _row(label: str, results: list[dict[str, Any]], key: str, field: str) -> str:
    return f"| {label} | " + " | ".join(str(r[key].get(field, "–")) for r in results) + " |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--postings", type=int, default=20_000)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--rebuild-seconds", type=float, default=10.0)
    ap.add_argument("--poll-seconds", type=float, default=1.0, help="how often the live path reads the change feed")
    ap.add_argument("--paths", nargs="+", default=["refit", "scan", "live"], choices=["refit", "scan", "live"])
    ap.add_argument("--seed", type=int, default=20250301)
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--restart",
        action="store_true",
        help="after each path's run, serve its database again and time the first recommendation "
        "(the live path then maps the index snapshot of the run: issue 18)",
    )
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-churn-"))
    try:
        data = generate(args.postings, 60, 10, args.seed)
        template = tmp / "template.sqlite3"
        load_s = load(Settings(database_url=f"sqlite+aiosqlite:///{template}"), data)
        probe = _add_probe(Settings(database_url=f"sqlite+aiosqlite:///{template}"))
        results = []
        for path in args.paths:
            db = tmp / f"{path}.sqlite3"
            shutil.copy(template, db)
            results.append(run_path(path, db, args, data["measured"], probe))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(
            json.dumps(
                {"postings": args.postings, "seconds": args.seconds, "load_s": round(load_s, 1), "results": results},
                indent=2,
            )
        )
        return
    print(
        f"{args.postings:,} postings, one change per second for {args.seconds:g} s "
        f"(application, new posting, edit, close in turn), SQLite, {dt.date.today()}\n"
    )
    print("| | " + " | ".join(r["path"] for r in results) + " |")
    print("|---|" + "---|" * len(results))
    print(
        "| first recommendation after start, s | "
        + " | ".join(str(r["first_recommendation_s"]) for r in results)
        + " |"
    )
    if args.restart:
        print(
            "| first recommendation after a restart, s | "
            + " | ".join(str(r.get("first_recommendation_restart_s", "–")) for r in results)
            + " |"
        )
    for label, key in (
        ("/health", "health"),
        ("recommendations", "recommendations"),
        ("new posting recommendable after", "new_posting_recommendable"),
    ):
        for field in ("p50_ms", "p99_ms", "max_ms"):
            print(_row(f"{label} {field.replace('_ms', '')}, ms", results, key, field))
    print(
        "| requests measured (health / recommendations) | "
        + " | ".join(f"{r['health']['n']} / {r['recommendations']['n']}" for r in results)
        + " |"
    )


if __name__ == "__main__":
    main()
