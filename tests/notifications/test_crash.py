"""A drainer killed with ``kill -9`` mid-batch loses nothing: 600 queued e-mails (2,000 with
``VOCMATCH_TEST_FULL=1``, the nightly setting), the real
``vocmatch jobs run drain_outbox`` as a subprocess, killed twice while sending, then two drainers at
once finish the queue; a real SMTP server (aiosmtpd) counts what arrives by ``Message-ID``.

The honest property (README "Notifications", :mod:`service.notifications.delivery`): **0 lost**,
and duplicates only from the send→commit window — each connection has at most one message
delivered but not yet recorded, so a kill can duplicate at most ``VOCMATCH_NOTIFY_CONNECTIONS``
messages, and only messages that were claimed (``sending``) when it died; every copy carries the
same ``Message-ID``."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.config import Settings
from service.notifications.kinds import Kind
from service.notifications.models import OutboxMessage, OutboxStatus
from service.notifications.service import notify
from tests.notifications.conftest import add_user
from tests.notifications.smtp_sink import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 4
CONNECTIONS = 4
BATCH = 50
#: Twelve batches prove the property: each kill lands inside a batch (a multiple of BATCH past
#: :data:`KILL_AT`), and after the second one the two finishing drainers still share five batches.
#: More messages only send more of the same; the nightly run (``VOCMATCH_TEST_FULL=1``) sends 2,000.
MESSAGES = 2000 if os.environ.get("VOCMATCH_TEST_FULL") == "1" else 12 * BATCH
#: The counts at which the two drainers are killed: multiples of BATCH (see :func:`_kill_mid_batch`).
KILL_AT = (MESSAGES // 5 // BATCH * BATCH, MESSAGES // 2 // BATCH * BATCH)
DOMAIN = "vocmatch.example.cn"


def _drainer(settings: Settings, sink: SmtpSink, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "VOCMATCH_DATABASE_URL": settings.database_url,
        "VOCMATCH_SMTP_URL": sink.url,
        "VOCMATCH_MAIL_FROM": f"vocmatch <no-reply@{DOMAIN}>",
        "VOCMATCH_NOTIFY_LEASE_SECONDS": str(LEASE_SECONDS),
        "VOCMATCH_SMTP_TIMEOUT_SECONDS": "2",
        "VOCMATCH_NOTIFY_BATCH_SIZE": str(BATCH),
        "VOCMATCH_NOTIFY_CONNECTIONS": str(CONNECTIONS),
        "VOCMATCH_MODEL_DIR": settings.model_dir,
        "VOCMATCH_SECRET_KEY_FILE": settings.secret_key_file,
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "service.cli", "jobs", "run", "drain_outbox"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def _claimed_keys(session: AsyncSession) -> set[str]:
    session.expire_all()
    stmt = select(OutboxMessage.message_key).where(OutboxMessage.status == OutboxStatus.SENDING)
    return {f"<{k}@{DOMAIN}>" for k in (await session.execute(stmt)).scalars()}


async def _kill_mid_batch(
    settings: Settings, sink: SmtpSink, log: Path, threshold: int, session: AsyncSession
) -> set[str]:
    """Start a drainer, ``kill -9`` it once ``threshold`` messages arrived, and return the rows it
    held claimed. A kill that happens to land between two batches holds none and proves nothing
    about the send→commit window, so it is tried again. The kill waits for half a batch past
    ``threshold`` (a multiple of the batch size): a count that has just reached a multiple of the
    batch size marks the moment a batch ends, when the drainer records it and claims the next —
    exactly the gap between batches (CI once hit it five times in a row)."""
    for attempt in range(5):
        proc = _drainer(settings, sink, log)
        for _ in range(3000):
            if sink.count >= threshold + BATCH // 2 + attempt * BATCH or proc.poll() is not None:
                break
            await asyncio.sleep(0.02)
        assert proc.poll() is None, f"the drainer ended before it could be killed: {log.read_text()[-2000:]}"
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
        claimed = await _claimed_keys(session)
        if claimed:
            return claimed
        await asyncio.sleep(LEASE_SECONDS + 0.5)
    raise AssertionError("five kills in a row landed between batches: none held a claimed row")


async def test_a_drainer_killed_mid_batch_loses_nothing(
    session: AsyncSession, settings: Settings, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    users = [await add_user(session) for _ in range(MESSAGES // 10)]
    for i in range(10):
        await notify(
            session,
            recipients=[u.id for u in users],
            kind=Kind.FOLLOW_UP_REMINDER,
            params={"school_name": "广州市机电技师学校", "message": f"第 {i + 1} 次提醒"},
        )
    await session.commit()
    expected = {f"<{k}@{DOMAIN}>" for k in (await session.execute(select(OutboxMessage.message_key))).scalars()}
    assert len(expected) == MESSAGES
    log = tmp_path / "drainer.log"

    in_flight: set[str] = set()  # claimed, maybe sent, not recorded when a drainer died
    smtp_sink.delay = 0.005  # batches take long enough that a kill lands inside one, not between two
    for threshold in KILL_AT:
        claimed = await _kill_mid_batch(settings, smtp_sink, log, threshold, session)
        assert smtp_sink.count < MESSAGES
        in_flight |= claimed
        await asyncio.sleep(LEASE_SECONDS + 0.5)  # the dead drainer's leases run out
    smtp_sink.delay = 0.0

    finishers = [_drainer(settings, smtp_sink, log) for _ in range(2)]  # and two drainers at once finish
    for proc in finishers:
        assert await asyncio.to_thread(proc.wait, 300) == 0, log.read_text()[-3000:]

    received = set(smtp_sink.ids)
    lost = expected - received
    duplicated = {k for k, n in smtp_sink.ids.items() if n > 1}
    print(
        f"\nkill -9 test ({settings.database_url.split(':')[0]}): {MESSAGES} queued, {len(received)} received, "
        f"{len(lost)} lost, {smtp_sink.duplicates} duplicates after 2 kills"
    )
    assert not lost and received == expected
    statuses = dict(
        (await session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)))
        .tuples()
        .all()
    )
    assert statuses == {OutboxStatus.SENT: MESSAGES}
    # duplicates only from the window: at most one per connection per kill, only of rows in flight
    assert smtp_sink.duplicates <= 2 * CONNECTIONS and max(smtp_sink.ids.values()) <= 2
    assert duplicated <= in_flight
