"""The outbox drainer: claim due rows with a lease, deliver them over
``VOCMATCH_NOTIFY_CONNECTIONS`` channel connections at once, record each outcome as soon as it is
known (group commit), retry with back-off, give up after ``VOCMATCH_NOTIFY_MAX_ATTEMPTS``.

What is guaranteed (README "Notifications"):

* **Never lost.** A row leaves the queue only as ``sent`` (after its channel confirmed delivery) or
  ``failed`` (kept, visible to the admin, re-queued with ``POST /notifications/outbox/{id}/retry``).
  A drainer that dies holding rows loses its lease; after ``VOCMATCH_NOTIFY_LEASE_SECONDS`` another
  drainer (or the same one restarted) claims them again.
* **Never sent by two drainers at once.** A claimed row is reserved for its drainer until its
  lease ends; a live drainer extends its leases before they can run out, and every send is cut
  off at half the lease.
* **At least once, not exactly once.** SMTP cannot be made idempotent: between the server's
  ``250`` to a message and the commit that marks its row sent there is a window (one commit,
  milliseconds). A drainer killed inside it — or a connection lost after the server took the
  message but before we heard so — sends that message again later. It is the *same* message with
  the same ``Message-ID``, so mail stores and clients that de-duplicate by ``Message-ID`` show it
  once. Each connection waits for its message's commit before it sends the next, so a drainer has
  at most ``VOCMATCH_NOTIFY_CONNECTIONS`` messages in that window: a crash causes at most that
  many duplicates. The file channel is exactly-once: a retry rewrites the same file.

Outcomes are group-committed: while one commit is in flight the next outcomes gather, and one
transaction records them all. That keeps the rate up where a commit waits for the disk (an fsync
costs 5–20 ms on a shared machine) without widening the window beyond one message per connection.

Back-off after the n-th failed attempt: ``min(VOCMATCH_NOTIFY_RETRY_MAX_SECONDS, base · 2^(n-1))``
with "equal jitter" (a random 50–100 % of it is waited) as in M. Brooker, "Exponential Backoff
And Jitter", AWS Architecture Blog, 2015.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import random
import socket
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from service.config import Settings
from service.db import utcnow
from service.notifications.channels import PREFERENCES_PATH, Channel, DeliveryError, Outbound, make_channels
from service.notifications.kinds import KINDS, Kind
from service.notifications.models import OutboxStatus
from service.notifications.repository import Claimed, OutboxQueue, Outcome

log = logging.getLogger(__name__)


def retry_delay(attempts: int, base: float, cap: float, rng: random.Random | None = None) -> float:
    """Seconds to wait after ``attempts`` failed attempts (see the module docstring)."""
    ceiling = min(cap, base * 2 ** max(attempts - 1, 0))
    return ceiling * (0.5 + 0.5 * (rng or random).random())


@dataclass
class DrainReport:
    """What one drain run did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0  # failed this time, queued again
    failed: int = 0  # given up
    released: int = 0  # claimed but not tried (the channel went down), queued again
    lease_lost: int = 0  # settled by someone else after our lease ran out (logged: a duplicate is possible)
    seconds: float = 0.0
    stopped: str | None = None  # why the run stopped early (the channel is down)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _owner() -> str:
    return f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _outbound(row: Claimed, settings: Settings) -> Outbound:
    base = settings.public_url.rstrip("/")
    return Outbound(
        key=row.message_key,
        kind=row.kind,
        recipient=row.recipient,
        language=row.language,
        subject=row.subject,
        body=row.body,
        link_url=base + row.link if row.link else None,
        queued_at=row.created_at,
        preferences_url=base + PREFERENCES_PATH,
    )


def _sensitive(kind: str) -> bool:
    try:
        return KINDS[Kind(kind)].sensitive
    except ValueError:
        return False


class _Recorder:
    """Group commit of outcomes: :meth:`record` returns once the transaction holding the outcome
    committed (True: recorded; False: the row's lease had been taken over)."""

    def __init__(self, queue: OutboxQueue, owner: str) -> None:
        self.queue = queue
        self.owner = owner
        self.pending: list[tuple[Outcome, asyncio.Future[bool]]] = []
        self.wake = asyncio.Event()
        self.task = asyncio.create_task(self._loop())

    async def record(self, outcome: Outcome) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.pending.append((outcome, future))
        self.wake.set()
        return await future

    async def _loop(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            group, self.pending = self.pending, []
            if not group:
                continue
            try:
                done = await self.queue.settle(self.owner, [o for o, _ in group], utcnow())
            except Exception as exc:  # handed to every waiting sender
                for _, future in group:
                    future.set_exception(exc)
                continue
            for outcome, future in group:
                future.set_result(outcome.id in done)

    async def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


@dataclass
class _Batch:
    """One claimed batch being delivered: rows not yet taken, the lease end, why it stopped."""

    rows: deque[Claimed]
    held: list[int]
    lease_end: dt.datetime
    stopped: DeliveryError | None = None
    due_after_stop: dt.datetime | None = None


class Drainer:
    """Drains the outbox of ``engine``. ``channels`` makes one set of channels
    (``{channel name: Channel}``) per connection (default :func:`make_channels` of ``settings``)."""

    def __init__(
        self,
        engine: AsyncEngine,
        settings: Settings,
        channels: Callable[[], Mapping[str, Channel]] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.queue = OutboxQueue(engine)
        self.settings = settings
        self.make_channels = channels or (lambda: make_channels(settings))
        self.rng = rng or random.Random()
        self.lease = dt.timedelta(seconds=settings.notify_lease_seconds)
        #: every send is cut off here, so a live drainer's lease never runs out under it
        self.send_limit = settings.notify_lease_seconds / 2
        #: a lease with less than send_limit + margin left is extended before the next send
        self.margin = min(5.0, settings.notify_lease_seconds / 10)

    def _delay(self, attempts: int) -> dt.timedelta:
        s = self.settings
        return dt.timedelta(
            seconds=retry_delay(attempts, s.notify_retry_base_seconds, s.notify_retry_max_seconds, self.rng)
        )

    async def run(self, max_messages: int | None = None) -> DrainReport:
        """Drain until nothing is due (or ``max_messages`` were claimed, or a channel is down).
        Channels are closed at the end."""
        report = DrainReport()
        started = time.monotonic()
        owner = _owner()
        recorder = _Recorder(self.queue, owner)
        connections = [self.make_channels() for _ in range(self.settings.notify_connections)]
        try:
            while max_messages is None or report.claimed < max_messages:
                limit = self.settings.notify_batch_size
                if max_messages is not None:
                    limit = min(limit, max_messages - report.claimed)
                now = utcnow()
                claimed = await self.queue.claim(owner, limit, now + self.lease, now)
                if not claimed:
                    break
                report.claimed += len(claimed)
                batch = _Batch(rows=deque(claimed), held=[r.id for r in claimed], lease_end=now + self.lease)
                await asyncio.gather(
                    *(self._worker(owner, batch, channels, recorder, report) for channels in connections)
                )
                if batch.stopped is not None:
                    left = list(batch.rows)
                    due = batch.due_after_stop or utcnow()
                    report.released += await self.queue.release(owner, [r.id for r in left], due, str(batch.stopped))
                    report.stopped = str(batch.stopped)
                    log.warning(
                        "outbox: a channel is unusable (%s); %d messages wait until %s",
                        batch.stopped,
                        len(left),
                        due.isoformat(timespec="seconds"),
                    )
                    break
        finally:
            await recorder.close()
            for channels in connections:
                for channel in channels.values():
                    await channel.close()
            report.seconds = round(time.monotonic() - started, 3)
        return report

    async def _extend_if_needed(self, owner: str, batch: _Batch) -> None:
        if (batch.lease_end - utcnow()).total_seconds() >= self.send_limit + self.margin:
            return
        batch.lease_end = utcnow() + self.lease
        still = await self.queue.extend(owner, batch.held, batch.lease_end)
        batch.held = [i for i in batch.held if i in still]

    async def _worker(
        self, owner: str, batch: _Batch, channels: Mapping[str, Channel], recorder: _Recorder, report: DrainReport
    ) -> None:
        """Deliver rows of ``batch`` one at a time over this connection's ``channels``, each
        recorded (committed) before the next is sent."""
        while batch.rows and batch.stopped is None:
            row = batch.rows.popleft()
            await self._extend_if_needed(owner, batch)
            if row.id not in batch.held:
                report.lease_lost += 1
                continue
            outcome, error = await self._attempt(row, channels.get(row.channel))
            if not await recorder.record(outcome):
                report.lease_lost += 1
                if outcome.status is OutboxStatus.SENT:
                    log.warning("outbox %s was sent, but its lease had been taken over: it may be sent twice", row.id)
                continue
            if outcome.status is OutboxStatus.SENT:
                report.sent += 1
            elif outcome.status is OutboxStatus.FAILED:
                report.failed += 1
                log.error("outbox %s (%s, %s) failed: %s", row.id, row.kind, row.channel, outcome.error)
            else:
                report.retried += 1
                log.info(
                    "outbox %s: attempt %d failed (%s); next at %s",
                    row.id,
                    row.attempts,
                    outcome.error,
                    outcome.due_at.isoformat(timespec="seconds") if outcome.due_at else "?",
                )
            if error is not None and error.connection and batch.stopped is None:
                batch.stopped, batch.due_after_stop = error, outcome.due_at

    async def _attempt(self, row: Claimed, channel: Channel | None) -> tuple[Outcome, DeliveryError | None]:
        """Send ``row`` once; the outcome to record and the delivery error, if any."""
        if row.attempts > self.settings.notify_max_attempts:  # its drainers kept dying with it
            return Outcome(
                row.id,
                OutboxStatus.FAILED,
                error=f"claimed {row.attempts} times without an answer (the "
                "drainer stopped each time; it may have been sent)",
            ), None
        if channel is None:
            return Outcome(row.id, OutboxStatus.FAILED, error=f"no channel {row.channel!r} is configured"), None
        try:
            async with asyncio.timeout(self.send_limit):
                await channel.send(_outbound(row, self.settings))
        except DeliveryError as exc:
            error = exc
        except TimeoutError:
            error = DeliveryError(f"no answer within {self.send_limit:.0f} s", connection=True)
            await channel.close()
        except Exception as exc:  # one bad message must not stop the queue
            log.exception("outbox %s: unexpected error from channel %s", row.id, row.channel)
            error = DeliveryError(f"{type(exc).__name__}: {exc}")
        else:
            return Outcome(row.id, OutboxStatus.SENT, scrub=_sensitive(row.kind)), None
        if error.permanent or row.attempts >= self.settings.notify_max_attempts:
            reason = "refused for good" if error.permanent else f"gave up after {row.attempts} attempts"
            return Outcome(row.id, OutboxStatus.FAILED, error=f"{reason}: {error}"), error
        return Outcome(
            row.id, OutboxStatus.PENDING, due_at=utcnow() + self._delay(row.attempts), error=str(error)
        ), error
