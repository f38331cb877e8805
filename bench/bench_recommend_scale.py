"""Recommendations for one graduate among N open postings (default 100,000), in-process and over HTTP.

Issue 3, "Benchmarks": postings generated from real titles and skills (the generator of
``bench_content_ranker.py``: job-board positions and 51job titles with their skill tags, real
places), graduates from real positions of interest. For each backend (SQLite file, then a
PostgreSQL database ``vocmatch_bench_rec`` created and dropped by the run) it

1. migrates, bulk-inserts the employers, postings, graduates and applications (timed);
2. serves the database with uvicorn (one worker, loopback, warm-up off so that the first request
   shows what building the index costs) and measures ``GET /graduates/{id}/recommendations?limit=10``
   for ``--graduates`` graduates (half with earlier applications, half without), each series once
   to warm caches and then ``--rounds`` times: first with the content ranking, then after a learned
   model is promoted (``retrain_ranker`` on the generated applications, run once on the first
   backend; the same model file is copied to the other). The server's resident memory
   (``VmRSS``) is read before the first request, after the index is built and after the model and
   its interaction statistics are loaded;
3. in this process (after the server stopped): the same service call without HTTP
   (``RecommendationService.for_graduate`` on a session: database reads and ranking), the ranking
   alone (candidates from the index; the learned model re-ordering 200 of them) and, in the same
   run, brute force (the content ranker scoring every posting; the learned model scoring every
   posting; ``--brute-rounds`` rounds, one by default: a learned brute force takes over a second per
   graduate at 100,000 postings), with this process's ``VmRSS`` growth from building the index and
   loading the model.

Applications are generated with some signal (half go to a posting whose title is one of the
graduate's positions of interest, preferably in their state; a third to a posting in their state;
the rest anywhere), so that a model can be trained; if the retrained model is not better than the
content ranking on its held-out graduates it is promoted anyway, and the table says so.

Latencies are client-side milliseconds (median and 99th percentile; HTTP figures include JSON and
the per-request database reads). Needs ``../shared/data/us_jobboard_views`` (skips with a message
otherwise) and PostgreSQL at ``VOCMATCH_TEST_POSTGRES_URL`` (default
``postgresql+asyncpg://postgres@127.0.0.1:5432/test``; the PostgreSQL part is skipped with a message
when it is not reachable). Run from the project root:

    .venv/bin/python bench/bench_recommend_scale.py [--postings 100000] [--graduates 50] [--rounds 4]
        [--train-graduates 400] [--brute-rounds 1] [--backends sqlite postgresql] [--model-dir DIR] [--save-model DIR] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import httpx
from _server import serve
from bench_content_ranker import DATA, load_sources, make_jobs, make_seekers
from sqlalchemy import insert, select
from sqlalchemy.engine import make_url

from service.config import Settings

EMAIL, PASSWORD = "bench-admin@example.cn", "bench admin password"
PG_ADMIN_URL = os.environ.get("VOCMATCH_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
PG_DATABASE = "vocmatch_bench_rec"
CHUNK = 5_000


# ----------------------------------------------------------------------------------------- data


def companies() -> list[str]:
    """Distinct employer names of the job board's jobs.csv (real names)."""
    with (DATA / "us_jobboard_views" / "jobs.csv").open(encoding="utf-8") as fh:
        names = {r["Company"].strip()[:200] for r in csv.DictReader(fh) if r["Company"].strip()}
    return sorted(names)


def generate(n_postings: int, n_graduates: int, n_measured: int, seed: int) -> dict[str, Any]:
    """Rows to insert: employers, postings, graduates, applications (plain dicts, ids assigned here)
    and the ids of the graduates to measure (the first half with applications, the second without)."""
    rng = random.Random(seed)
    rows, titles = load_sources()
    today = dt.date.today()
    shift = today - dt.date(2026, 1, 1)  # make_jobs dates postings up to 90 days before 2026-01-01
    employers = companies()
    jobs = make_jobs(n_postings, rows, rng)
    postings: list[dict[str, Any]] = []
    for j in jobs:
        assert j.posted_on is not None  # make_jobs dates every posting
        lo, hi = j.salary_min_monthly, j.salary_max_monthly
        postings.append(
            {
                "id": j.id,
                "title": j.title[:200],
                "description": "",
                "employer_id": rng.randrange(len(employers)) + 1,
                "country": j.country,
                "province": (j.province or None) and j.province[:64],
                "city": (j.city or None) and j.city[:64],
                "salary_min": lo,
                "salary_max": hi,
                "salary_period": "MONTH" if lo else None,
                "salary_currency": "CNY" if j.country == "CN" else "USD",
                "salary_min_monthly": lo,
                "salary_max_monthly": hi,
                "required_skills": list(j.required_skills),
                "preferred_skills": [],
                "certificates": [],
                "posted_on": j.posted_on + shift,
                "application_count": j.popularity,
                "source": "bench",
                "external_id": str(j.id),
                "locations": [],
            }
        )
    by_title: dict[str, list[int]] = defaultdict(list)
    by_state: dict[tuple[str, str], list[int]] = defaultdict(list)
    for p in postings:
        by_title[p["title"].strip().casefold()].append(p["id"])
        by_state[(p["country"], p["province"] or p["city"] or "")].append(p["id"])
    seekers = make_seekers(n_graduates, rows, titles, rng)
    graduates, applications = [], []
    n_with_history = n_graduates - (n_measured - n_measured // 2)  # the last ones stay without applications
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=60)
    for i, s in enumerate(seekers):
        gid = i + 1
        graduates.append(
            {
                "id": gid,
                "name": f"Bench graduate {gid}",
                "country": s.country,
                "province": s.province and s.province[:64],
                "city": s.city and s.city[:64],
                "skills": list(s.skills),
                "desired_titles": [t[:200] for t in s.desired_titles],
                "preferred_locations": [],
                "preferred_job_types": [],
                "min_salary_monthly": s.min_salary_monthly,
                "summary": "",
                "source": "bench",
                "external_id": str(gid),
                "recommendable": True,
            }
        )
        if gid > n_with_history:
            continue
        chosen: list[int] = []
        at = start + dt.timedelta(minutes=rng.randrange(60 * 24 * 30))
        local = by_state.get((s.country, s.province or s.city or ""), [])
        for _ in range(rng.randint(2, 6)):
            r = rng.random()
            pool = []
            if r < 0.5:
                same = [p for t in s.desired_titles for p in by_title.get(t.strip().casefold(), [])]
                local_set = set(local)
                pool = [p for p in same if p in local_set] or same
            if not pool and r < 0.8:
                pool = local
            job = rng.choice(pool) if pool else rng.randrange(n_postings) + 1
            if job in chosen:
                continue
            chosen.append(job)
            at += dt.timedelta(minutes=rng.randint(1, 3 * 24 * 60))
            applications.append(
                {"graduate_id": gid, "posting_id": job, "status": "applied", "created_at": at, "updated_at": at}
            )
    measured = list(range(n_with_history - n_measured // 2 + 1, n_with_history + 1)) + list(
        range(n_with_history + 1, n_graduates + 1)
    )
    return {
        "employers": [
            {"id": i + 1, "name": name, "verified": True, "source": "bench"} for i, name in enumerate(employers)
        ],
        "postings": postings,
        "graduates": graduates,
        "applications": applications,
        "measured": measured,
    }


async def _pg_admin(sql: str) -> None:
    import asyncpg

    u = make_url(PG_ADMIN_URL)
    conn = await asyncpg.connect(
        host=u.host, port=u.port or 5432, user=u.username, password=u.password, database=u.database, timeout=5
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def load(settings: Settings, data: dict[str, Any]) -> float:
    """Migrate and bulk-insert ``data`` plus the bench admin; returns the seconds taken."""
    from service.accounts.bootstrap import create_admin
    from service.applications.models import Application
    from service.db import make_engine, session_scope
    from service.employers.models import Employer
    from service.graduates.models import Graduate
    from service.migrate import upgrade
    from service.postings.models import Posting

    started = time.perf_counter()
    upgrade(settings)

    async def run() -> None:
        engine = make_engine(settings)
        try:
            async with session_scope(engine) as session:
                for model, key in (
                    (Employer, "employers"),
                    (Posting, "postings"),
                    (Graduate, "graduates"),
                    (Application, "applications"),
                ):
                    rows = data[key]
                    for i in range(0, len(rows), CHUNK):
                        await session.execute(insert(model), rows[i : i + CHUNK])
                await create_admin(session, EMAIL, PASSWORD)
            if not settings.is_sqlite:  # ids were given explicitly: move the sequences past them
                async with session_scope(engine) as session:
                    from sqlalchemy import text

                    for table in ("employers", "postings", "graduates", "applications"):
                        await session.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                            )
                        )
                    await session.execute(text("ANALYZE"))
        finally:
            await engine.dispose()

    asyncio.run(run())
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------- measurement


def rss_mib(pid: int | str = "self") -> float:
    """Resident memory (``VmRSS``) of process ``pid``, MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def p99(xs: list[float]) -> float:
    return sorted(xs)[min(len(xs) - 1, int(round(0.99 * (len(xs) - 1))))]


def summary(times: list[float]) -> dict[str, float]:
    return {"n": len(times), "median_ms": round(statistics.median(times), 2), "p99_ms": round(p99(times), 2)}


def _login(client: httpx.Client) -> None:
    r = client.post("/auth/login", json={"login": EMAIL, "password": PASSWORD})
    r.raise_for_status()
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"


def _series(client: httpx.Client, paths: list[str], rounds: int) -> tuple[list[float], set[str]]:
    models = set()
    for path in paths:  # warm caches, not measured
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


def train_model(settings: Settings) -> dict[str, Any]:
    """Retrain on the database's applications (the scheduled job's code) and make sure a model is current."""
    from service.recommendations.models_registry import PROMOTION_METRIC, current_version, promote
    from service.recommendations.scheduled import retrain_ranker

    t = time.perf_counter()
    report = retrain_ranker(settings)
    out = {
        "status": report["status"],
        "seconds": round(time.perf_counter() - t, 1),
        "forced": False,
        "held_out_NDCG@10": {k: v.get(PROMOTION_METRIC) for k, v in (report.get("metrics") or {}).items()},
        "training": report.get("training"),
        "reason": report.get("reason"),
    }
    if report["status"] == "kept":
        promote(settings, report["version"], report["metrics"]["candidate"], None)
        out["forced"] = True
    out["version"] = current_version(settings)
    return out


def http_run(
    settings: Settings, env: dict[str, str], measured: list[int], rounds: int, model_source: Path | None
) -> dict[str, Any]:
    """Serve ``settings`` and measure (module doc, step 2). ``model_source``: a registry folder to copy in
    before the learned series (``None``: train one here)."""
    out: dict[str, Any] = {}
    with serve(env, start_timeout=120, stop_timeout=60) as server:
        base = server.base
        with httpx.Client(base_url=base, timeout=600) as client:
            _login(client)
            rss0 = rss_mib(server.process.pid)
            paths = [f"/graduates/{g}/recommendations?limit=10" for g in measured]
            t = time.perf_counter()
            client.get(paths[0]).raise_for_status()
            out["first_request_s"] = round(time.perf_counter() - t, 1)  # builds the index
            rss1 = rss_mib(server.process.pid)
            times, models = _series(client, paths, rounds)
            out["content"] = {**summary(times), "model": sorted(models)}
            if model_source is None:
                out["training"] = train_model(settings)
            else:
                shutil.copytree(model_source, Path(settings.model_dir), dirs_exist_ok=True)
            _login(client)  # the token may have expired while training
            t = time.perf_counter()
            client.get(paths[0]).raise_for_status()
            out["first_learned_request_s"] = round(time.perf_counter() - t, 1)  # loads model and statistics
            rss2 = rss_mib(server.process.pid)
            times, models = _series(client, paths, rounds)
            out["learned"] = {**summary(times), "model": sorted(models)}
            out["rss_mib"] = {
                "started": round(rss0, 1),
                "index": round(rss1 - rss0, 1),
                "model_and_stats": round(rss2 - rss1, 1),
                "total": round(rss_mib(server.process.pid), 1),
            }
    return out


def in_process(
    settings: Settings, measured: list[int], rounds: int, ranking: bool = True, brute_rounds: int = 1
) -> dict[str, Any]:
    """Module doc, step 3: service call without HTTP and (``ranking``) the ranking alone and brute force;
    RSS growth of this process."""
    import numpy as np
    from sqlalchemy.orm import selectinload

    from matching.ltr import rerank
    from service.applications.models import Application
    from service.db import make_engine, make_sessionmaker
    from service.graduates.models import Graduate
    from service.recommendations.service import RankerCache, RecommendationService, seeker_doc

    async def run() -> dict[str, Any]:
        out: dict[str, Any] = {}
        engine = make_engine(settings)
        maker = make_sessionmaker(engine)
        today = dt.date.today()
        try:
            cache = RankerCache(settings=settings)
            rss0 = rss_mib()
            async with maker() as session:
                t = time.perf_counter()
                index = await cache.get(session, today)
                ranker = index.base  # a fresh index: its base holds every open posting
                out["index_build_s"] = round(time.perf_counter() - t, 1)
                rss1 = rss_mib()
                t = time.perf_counter()
                learned = await cache.learned(session, index)
                out["model_load_s"] = round(time.perf_counter() - t, 1)
                rss2 = rss_mib()
                out["rss_mib"] = {"index": round(rss1 - rss0, 1), "model_and_stats": round(rss2 - rss1, 1)}
                assert learned is not None, "no learned model is current"
                graduates = (
                    (
                        await session.execute(
                            select(Graduate)
                            .options(
                                selectinload(Graduate.certificates),
                                selectinload(Graduate.experiences),
                                selectinload(Graduate.major),
                                selectinload(Graduate.school),
                            )
                            .where(Graduate.id.in_(measured))
                        )
                    )
                    .scalars()
                    .all()
                )
                seekers = {g.id: seeker_doc(g) for g in graduates}
                history: dict[int, list[int]] = defaultdict(list)
                for gid, pid in (
                    await session.execute(
                        select(Application.graduate_id, Application.posting_id)
                        .where(Application.graduate_id.in_(measured))
                        .order_by(Application.created_at, Application.id)
                    )
                ).all():
                    history[gid].append(pid)

            # the service call (database reads + ranking), content then learned: the cache decides
            async def service_series() -> list[float]:
                times = []
                for r in range(rounds + 1):
                    for g in measured:
                        async with maker() as session:
                            t = time.perf_counter()
                            await RecommendationService(session, cache).for_graduate(g, 10, today)
                            if r:
                                times.append((time.perf_counter() - t) * 1000)
                return times

            out["service_learned"] = summary(await service_series())
            saved, cache.settings = cache.settings, None  # no model: the content ranking
            out["service_content"] = summary(await service_series())
            cache.settings = saved

            out["postings_indexed"] = len(ranker.table_)
            if not ranking:  # the ranking alone does not depend on the backend
                return out
            now = time.time()

            def learned_brute(g: int) -> list[int]:
                X = learned.builder.matrix(seekers[g], history[g], now, key=g)
                s = learned.model.predict(X)
                s[[ranker.position_[j] for j in history[g] if j in ranker.position_]] = -np.inf
                return list(np.argsort(-s, kind="stable")[:10])

            calls: dict[str, Any] = {  # name → one seeker's top 10 (matches, or posting rows)
                "content_candidates": lambda g: ranker.recommend(seekers[g], k=10, exclude=history[g]),
                "content_brute_force": lambda g: ranker.recommend(
                    seekers[g], k=10, exclude=history[g], exhaustive=True
                ),
                "learned_rerank": lambda g: rerank(
                    learned.model,
                    learned.builder,
                    seekers[g],
                    k=10,
                    exclude=history[g],
                    history=history[g],
                    now=now,
                    key=g,
                ),
                "learned_brute_force": learned_brute,
            }
            tops: dict[str, list[set[int]]] = {}
            for name, fn in calls.items():
                fn(measured[0])
                times, tops[name] = [], []
                for r in range(brute_rounds if "brute" in name else rounds):
                    for g in measured:
                        t = time.perf_counter()
                        res = fn(g)
                        times.append((time.perf_counter() - t) * 1000)
                        if r == 0:
                            tops[name].append(
                                {int(ranker.table_.ids[i]) for i in res}
                                if name == "learned_brute_force"
                                else {m.job_id for m in res}
                            )
                out[name] = summary(times)
            for a, b in (("content_candidates", "content_brute_force"), ("learned_rerank", "learned_brute_force")):
                out[f"{a}_top10_overlap"] = round(
                    statistics.mean(len(x & y) / max(1, len(y)) for x, y in zip(tops[a], tops[b], strict=True)), 2
                )
        finally:
            await engine.dispose()
        return out

    return asyncio.run(run())


# ------------------------------------------------------------------------------------------ main


def _table(result: dict[str, Any]) -> str:
    lines = [
        f"{result['postings']:,} postings, {result['graduates']:,} graduates "
        f"({result['applications']:,} applications), {len(result['measured'])} graduates measured "
        f"(half with applications) x {result['rounds']} rounds; generated in {result['generate_s']} s",
        "",
        f"{'backend':<11}{'path':<34}{'median ms':>10}{'p99 ms':>9}",
    ]

    def row(backend: str, path: str, s: dict[str, Any] | None) -> None:
        if s:
            lines.append(f"{backend:<11}{path:<34}{s['median_ms']:>10.1f}{s['p99_ms']:>9.1f}")

    for backend, b in result["backends"].items():
        if "skipped" in b:
            lines.append(f"{backend:<11}skipped: {b['skipped']}")
            continue
        h, ip = b["http"], b.get("in_process", {})
        row(backend, "HTTP content ranking", h["content"])
        row(backend, f"HTTP learned ({h['learned']['model'][0][:19]})", h["learned"])
        row(backend, "in-process service, content", ip.get("service_content"))
        row(backend, "in-process service, learned", ip.get("service_learned"))
        row(backend, "ranking only: content candidates", ip.get("content_candidates"))
        row(backend, "ranking only: content brute force", ip.get("content_brute_force"))
        row(backend, "ranking only: learned re-rank", ip.get("learned_rerank"))
        row(backend, "ranking only: learned brute force", ip.get("learned_brute_force"))
    lines.append("")
    for backend, b in result["backends"].items():
        if "skipped" in b:
            continue
        h, ip = b["http"], b.get("in_process", {})
        lines.append(
            f"{backend}: bulk load {b['load_s']} s; server first request (index build) "
            f"{h['first_request_s']} s, first learned request (model + statistics) "
            f"{h['first_learned_request_s']} s; server RSS {h['rss_mib']['started']} MiB at start, "
            f"+{h['rss_mib']['index']} MiB index, +{h['rss_mib']['model_and_stats']} MiB model and "
            f"statistics"
        )
        if ip:
            lines.append(
                f"{backend}: in-process index build {ip['index_build_s']} s (+{ip['rss_mib']['index']} MiB), "
                f"model load {ip['model_load_s']} s (+{ip['rss_mib']['model_and_stats']} MiB)"
            )
        if "content_candidates_top10_overlap" in ip:
            lines.append(
                f"top-10 overlap with brute force: content {ip['content_candidates_top10_overlap']}, "
                f"learned {ip['learned_rerank_top10_overlap']}"
            )
        if "training" in h:
            tr = h["training"]
            lines.append(
                f"{backend}: model {tr['version']} trained in {tr['seconds']} s ({tr['status']}"
                f"{', promoted anyway for the benchmark' if tr['forced'] else ''}; held-out NDCG@10 "
                f"{tr['held_out_NDCG@10']})"
            )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--postings", type=int, default=100_000)
    ap.add_argument("--graduates", type=int, default=50, help="graduates whose recommendations are timed")
    ap.add_argument("--train-graduates", type=int, default=400, help="graduates with generated applications")
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--brute-rounds", type=int, default=1, help="rounds of the (slow) brute-force series")
    ap.add_argument("--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    ap.add_argument("--no-in-process", action="store_true", help="HTTP figures only")
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument(
        "--model-dir",
        type=Path,
        default=None,
        help="model folder of an earlier run (holding ranker/) to serve instead of training one",
    )
    ap.add_argument(
        "--save-model",
        type=Path,
        default=None,
        help="copy the model folder trained by this run to DIR (for a later --model-dir)",
    )
    ap.add_argument("--json", action="store_true", help="print the JSON result instead of the table")
    args = ap.parse_args()
    if not (DATA / "us_jobboard_views" / "jobs.csv").is_file():
        print(f"skipped: {DATA / 'us_jobboard_views'} is absent (the real titles the postings are generated from)")
        return
    t = time.perf_counter()
    n_graduates = args.train_graduates + args.graduates - args.graduates // 2
    data = generate(args.postings, n_graduates, args.graduates, args.seed)
    result: dict[str, Any] = {
        "postings": args.postings,
        "graduates": n_graduates,
        "applications": len(data["applications"]),
        "measured": data["measured"],
        "rounds": args.rounds,
        "generate_s": round(time.perf_counter() - t, 1),
        "backends": {},
    }
    with tempfile.TemporaryDirectory(prefix="vocmatch-bench-scale-") as tmp:
        trained: Path | None = args.model_dir
        for backend in args.backends:
            model_dir = Path(tmp) / f"models-{backend}"
            if backend == "sqlite":
                url = f"sqlite+aiosqlite:///{tmp}/bench.sqlite3"
            else:
                try:
                    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
                    asyncio.run(_pg_admin(f'CREATE DATABASE "{PG_DATABASE}"'))
                except Exception as exc:  # report and go on with the other backend
                    result["backends"][backend] = {"skipped": f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc!r}"}
                    continue
                url = make_url(PG_ADMIN_URL).set(database=PG_DATABASE).render_as_string(hide_password=False)
            env = {
                **os.environ,
                "VOCMATCH_DATABASE_URL": url,
                "VOCMATCH_MODEL_DIR": str(model_dir),
                "VOCMATCH_SECRET_KEY": "b" * 48,
                "VOCMATCH_API_RATE_PER_MINUTE": "100000000",
                "VOCMATCH_COOKIE_SECURE": "false",
                "VOCMATCH_WARM_UP": "false",
            }
            settings = Settings.from_env(env)
            try:
                b: dict[str, Any] = {"load_s": round(load(settings, data), 1)}
                print(f"{backend}: loaded in {b['load_s']} s", file=sys.stderr)
                b["http"] = http_run(settings, env, data["measured"], args.rounds, trained)
                print(f"{backend}: HTTP {b['http']}", file=sys.stderr)
                if trained is None:
                    trained = Path(tmp) / "trained"
                    shutil.copytree(model_dir, trained)
                    if args.save_model is not None:
                        shutil.copytree(model_dir, args.save_model, dirs_exist_ok=True)
                if not args.no_in_process:
                    b["in_process"] = in_process(
                        settings,
                        data["measured"],
                        args.rounds,
                        ranking=backend == args.backends[0],
                        brute_rounds=args.brute_rounds,
                    )
                    print(f"{backend}: in-process {b['in_process']}", file=sys.stderr)
                result["backends"][backend] = b
            finally:
                if backend == "postgresql":
                    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'))
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(_table(result))


if __name__ == "__main__":
    main()
