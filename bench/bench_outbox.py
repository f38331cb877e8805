"""Outbox delivery rate: drain 10,000 queued notifications to a real SMTP server, on SQLite and PostgreSQL.

Each run queues ``--messages`` e-mail notifications with :func:`service.notifications.service.notify`
(``--messages``/10 accounts × 10 ``follow_up_reminder`` events, committed), then drains them with one
:class:`service.notifications.delivery.Drainer` (``--connections`` SMTP sessions, group-committed
outcomes) to an aiosmtpd server running in its own process (``tests/notifications/smtp_sink.py``,
so it does not share the drainer's CPU). It prints the drain rate (messages/s), and counts by
``Message-ID`` what the server received: **losses** (queued, never received) and **duplicates**
(received more than once) — both must be 0.

Baseline, measured in the same run against the same server: the same number of e-mails built the
same way (:func:`service.notifications.channels.build_email`) and sent straight with aiosmtplib over
the same number of connections, with no database at all. The ratio drain/baseline is what the
outbox's claims, leases and commits cost. Prints medians of ``--runs`` runs (machines are shared
and noisy). Databases: a new PostgreSQL database ``vocmatch_bench_outbox`` on the server of
``VOCMATCH_TEST_POSTGRES_URL`` (dropped afterwards) and a SQLite file in /tmp (deleted afterwards).

    .venv/bin/python bench/bench_outbox.py [--messages 10000] [--runs 3] [--connections 4] [--backends sqlite postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from _server import free_port
from sqlalchemy import delete, select
from sqlalchemy.engine import make_url

from service.accounts.models import Role, User
from service.config import Settings
from service.db import make_engine, make_sessionmaker
from service.migrate import upgrade
from service.notifications.channels import Outbound, build_email, mail_domain
from service.notifications.delivery import Drainer
from service.notifications.kinds import Kind
from service.notifications.models import Notification, OutboxMessage
from service.notifications.service import notify

ROOT = Path(__file__).resolve().parents[1]

PG_ADMIN_URL = os.environ.get("VOCMATCH_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
BENCH_DB = "vocmatch_bench_outbox"
MAIL_FROM = "vocmatch 就业服务 <no-reply@vocmatch.example.cn>"


class SinkProcess:
    """The SMTP server in a child process; :meth:`stop` returns the Message-IDs it accepted."""

    def __init__(self) -> None:
        self.port = free_port()
        self.ids_file = Path(tempfile.mkstemp(suffix=".ids")[1])
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.notifications.smtp_sink",
                "--port",
                str(self.port),
                "--ids",
                str(self.ids_file),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"

    def stop(self) -> Counter[str]:
        self.proc.terminate()
        self.proc.wait(timeout=60)
        ids = Counter(line for line in self.ids_file.read_text(encoding="utf-8").splitlines() if line)
        self.ids_file.unlink()
        return ids


async def _queue(settings: Settings, n: int) -> tuple[set[str], float]:
    """Queue ``n`` notifications (n/10 accounts × 10 events); the expected Message-IDs and seconds taken."""
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as s:
            await s.execute(delete(OutboxMessage))
            await s.execute(delete(Notification))
            await s.execute(delete(User))
            users = [User(role=Role.ADMIN, email=f"bench{i}@example.cn", password_hash="x") for i in range(n // 10)]
            s.add_all(users)
            await s.commit()
            started = time.perf_counter()
            for i in range(10):
                await notify(
                    s,
                    recipients=[u.id for u in users],
                    kind=Kind.FOLLOW_UP_REMINDER,
                    params={"school_name": "广州市机电技师学校", "message": f"第 {i + 1} 次提醒"},
                    link="/web/destination",
                )
            await s.commit()
            seconds = time.perf_counter() - started
            keys = (await s.execute(select(OutboxMessage.message_key))).scalars().all()
    finally:
        await engine.dispose()
    domain = mail_domain(MAIL_FROM)
    return {f"<{k}@{domain}>" for k in keys}, seconds


async def _drain(settings: Settings) -> tuple[float, dict[str, Any]]:
    engine = make_engine(settings)
    try:
        started = time.perf_counter()
        report = await Drainer(engine, settings).run()
        return time.perf_counter() - started, report.to_dict()
    finally:
        await engine.dispose()


async def _baseline(port: int, n: int, connections: int) -> float:
    """Seconds to build and send ``n`` e-mails straight over ``connections`` aiosmtplib sessions."""
    import aiosmtplib

    now = dt.datetime.now(dt.UTC)
    todo = list(range(n))

    async def worker() -> None:
        smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, timeout=30)
        await smtp.connect()
        while todo:
            i = todo.pop()
            message = Outbound(
                key=f"baseline-{i}-{uuid.uuid4().hex}",
                kind="follow_up_reminder",
                recipient=f"bench{i % 1000}@example.cn",
                language="zh_Hans",
                subject="请更新你的毕业去向",
                body="广州市机电技师学校请你报告或确认你的毕业去向。\n学校留言：第 1 次提醒",
                link_url="https://vocmatch.example.cn/web/destination",
                queued_at=now,
                preferences_url="https://vocmatch.example.cn/web/notifications/preferences",
            )
            await smtp.send_message(build_email(message, MAIL_FROM))
        await smtp.quit()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - started


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


def run_backend(backend: str, n: int, runs: int, connections: int) -> dict[str, Any]:
    sqlite_path = Path(tempfile.gettempdir()) / "vocmatch_bench_outbox.sqlite3"
    if backend == "postgresql":
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        asyncio.run(_pg_admin(f'CREATE DATABASE "{BENCH_DB}"'))
        url = make_url(PG_ADMIN_URL).set(database=BENCH_DB).render_as_string(hide_password=False)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        url = f"sqlite+aiosqlite:///{sqlite_path}"
    out: dict[str, list[float]] = {"drain": [], "baseline": [], "queue": []}
    losses = duplicates = 0
    try:
        upgrade(Settings(database_url=url))
        for run in range(runs):
            sink = SinkProcess()
            try:
                settings = Settings(
                    database_url=url,
                    smtp_url=f"smtp://127.0.0.1:{sink.port}",
                    mail_from=MAIL_FROM,
                    public_url="https://vocmatch.example.cn",
                    notify_connections=connections,
                )
                expected, queue_seconds = asyncio.run(_queue(settings, n))
                drain_seconds, report = asyncio.run(_drain(settings))
                baseline_seconds = asyncio.run(_baseline(sink.port, n, connections))
            finally:
                received = sink.stop()
            got = Counter({k: v for k, v in received.items() if k in expected})
            run_losses, run_duplicates = len(expected - set(got)), sum(v - 1 for v in got.values())
            losses, duplicates = losses + run_losses, duplicates + run_duplicates
            out["drain"].append(n / drain_seconds)
            out["baseline"].append(n / baseline_seconds)
            out["queue"].append(n / queue_seconds)
            print(
                f"  {backend} run {run + 1}: drain {n / drain_seconds:7.0f} msg/s (sent {report['sent']}, "
                f"retried {report['retried']}, failed {report['failed']}), baseline {n / baseline_seconds:7.0f} "
                f"msg/s, queueing {n / queue_seconds:7.0f} msg/s, losses {run_losses}, duplicates {run_duplicates}",
                flush=True,
            )
    finally:
        if backend == "postgresql":
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)'))
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
    medians = {k: statistics.median(v) for k, v in out.items()}
    return {**medians, "ratio": medians["drain"] / medians["baseline"], "losses": losses, "duplicates": duplicates}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    print(f"outbox drain of {args.messages:,} e-mails, {args.connections} SMTP connections, median of {args.runs} runs")
    results = {b: run_backend(b, args.messages, args.runs, args.connections) for b in args.backends}
    print(
        f"\n{'backend':<11} {'drain msg/s':>12} {'baseline msg/s':>15} {'ratio':>6} {'queue msg/s':>12} "
        f"{'losses':>7} {'duplicates':>11}"
    )
    for backend, r in results.items():
        print(
            f"{backend:<11} {r['drain']:>12.0f} {r['baseline']:>15.0f} {r['ratio']:>6.2f} {r['queue']:>12.0f} "
            f"{r['losses']:>7} {r['duplicates']:>11}"
        )
    if any(r["losses"] or r["duplicates"] for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
