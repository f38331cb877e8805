"""Time of the daily job-alert digest (job ``job_alert_digest``) on the built-in sample plus many alerts.

Builds a fresh SQLite database in a temporary folder (or uses ``--database-url``, which it empties of
alerts and notifications first — give it a scratch database), loads the sample, adds ``--graduates``
graduates with an account and two saved searches each (drawn from keyword, place, pay, job-type and
internship filters, watermark a day ago), and marks ``--new`` of the visible open postings as first
published an hour ago. Then runs the digest ``--rounds`` times (each round starts again from the same
state: hits, notifications and outbox emptied, watermarks a day back) and prints the median and
slowest wall time, the graduates notified and the postings listed. Run from the project root:

    .venv/bin/python bench/bench_alert_digest.py [--graduates 2000] [--new 300] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import tempfile
import time

from sqlalchemy import delete, select, update

from service.config import Settings

FILTERS = (
    {"q": "数控"},
    {"q": "电工"},
    {"q": "会计"},
    {"q": "汽车"},
    {"region": "440100"},
    {"region": "440000"},
    {"min_salary": "4500"},
    {"min_salary": "6000", "region": "440300"},
    {"internship": "1"},
    {"job_type": "FULL_TIME", "q": "维修"},
    {"q": "护理"},
    {"region": "450100"},
)


async def _build(settings: Settings, graduates: int, new: int, seed: int) -> None:
    from service.accounts.models import Role, User
    from service.alerts.models import JobAlert
    from service.db import make_engine, session_scope
    from service.graduates.models import Graduate
    from service.postings.models import Posting
    from service.postings.repository import open_on_clause
    from service.postings.visibility import visible_to_graduates_clause
    from service.sample.loader import load_sample

    rng = random.Random(seed)
    engine = make_engine(settings)
    try:
        async with session_scope(engine) as s:
            if await s.scalar(select(Posting.id).limit(1)) is None:
                await load_sample(s)
        async with session_scope(engine) as s:
            people = [Graduate(name=f"提醒{n}", cohort=2025) for n in range(graduates)]
            s.add_all(people)
            await s.flush()
            s.add_all(
                User(role=Role.GRADUATE, email=f"alert{n}-{g.id}@bench.example.cn", password_hash="x", graduate_id=g.id)
                for n, g in enumerate(people)
            )
            day_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
            s.add_all(
                JobAlert(graduate_id=g.id, name=f"搜索{k}", filters=f, watermark=day_ago, created_at=day_ago)
                for g in people
                for k, f in enumerate(rng.sample(FILTERS, 2))
            )
            ids = list(
                (
                    await s.execute(
                        select(Posting.id).where(open_on_clause(dt.date.today()), visible_to_graduates_clause())
                    )
                ).scalars()
            )
            chosen = rng.sample(ids, min(new, len(ids)))
            await s.execute(
                update(Posting)
                .where(Posting.id.in_(chosen))
                .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
            )
    finally:
        await engine.dispose()


async def _reset(settings: Settings) -> None:
    from service.alerts.models import JobAlert, JobAlertHit
    from service.db import make_engine, session_scope
    from service.notifications.models import Notification, OutboxMessage

    engine = make_engine(settings)
    try:
        async with session_scope(engine) as s:
            for model in (JobAlertHit, OutboxMessage, Notification):
                await s.execute(delete(model))
            await s.execute(
                update(JobAlert).values(watermark=dt.datetime.now(dt.UTC) - dt.timedelta(days=1), last_sent_at=None)
            )
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--graduates", type=int, default=2000)
    parser.add_argument("--new", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    from service.alerts.scheduled import digest_async
    from service.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="vocmatch-bench-digest-") as tmp:
        settings = Settings(
            database_url=args.database_url or f"sqlite+aiosqlite:///{tmp}/bench.sqlite3",
            warm_up=False,
            model_dir=f"{tmp}/models",
            secret_key_file=f"{tmp}/secret_key",
        )
        upgrade(settings)
        asyncio.run(_build(settings, args.graduates, args.new, seed=7))
        times, result = [], {}
        for _ in range(args.rounds):
            asyncio.run(_reset(settings))
            started = time.perf_counter()
            result = asyncio.run(digest_async(settings))
            times.append(time.perf_counter() - started)
    backend = "PostgreSQL" if args.database_url.startswith("postgresql") else "SQLite"
    print(f"{backend}: {args.graduates} graduates × 2 alerts, {args.new} new postings, {args.rounds} rounds")
    print(
        f"digest: median {statistics.median(times):.2f} s, slowest {max(times):.2f} s "
        f"({statistics.median(times) / max(args.graduates, 1) * 1000:.1f} ms per graduate); "
        f"notified {result['graduates']} graduates, {result['postings']} postings listed in all"
    )


if __name__ == "__main__":
    main()
