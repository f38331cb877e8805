"""Delivery through the outbox with a real SMTP server (aiosmtpd in-process, never a mock): the
e-mail as sent, retries after refusals and after the server was down, permanent refusals and
exhausted attempts, the .eml file channel, leases (expired ones are taken over, live ones extended)
and two drainers at once sending every message exactly once — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
from email import policy
from email.parser import BytesParser
from pathlib import Path

import msgspec
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.config import Settings
from service.db import make_engine, utcnow
from service.notifications.kinds import Kind
from service.notifications.models import OutboxMessage, OutboxStatus
from service.notifications.repository import OutboxQueue, Outcome
from service.notifications.service import notify
from tests.notifications.conftest import add_user, drain
from tests.notifications.smtp_sink import SmtpSink

PARAMS = {"posting_title": "数控车床操作工", "employer_name": "广州数控设备有限公司", "reason": "filled"}


async def _queue(session: AsyncSession, n_users: int, per_user: int = 1, language: str = "zh_Hans") -> list[str]:
    """``n_users`` accounts with ``per_user`` posting_closed notifications each, committed; returns the
    expected Message-IDs."""
    users = [await add_user(session, language=language) for _ in range(n_users)]
    for _ in range(per_user):
        await notify(
            session, recipients=[u.id for u in users], kind=Kind.POSTING_CLOSED, params=PARAMS, link="/web/applications"
        )
    await session.commit()
    keys = (await session.execute(select(OutboxMessage.message_key))).scalars().all()
    return sorted(f"<{k}@vocmatch.example.cn>" for k in keys)


async def _statuses(session: AsyncSession) -> list[tuple[str, int]]:
    session.expire_all()
    rows = (
        await session.execute(select(OutboxMessage.status, OutboxMessage.attempts).order_by(OutboxMessage.id))
    ).all()
    return [(s.value, a) for s, a in rows]


async def test_smtp_delivers_the_message_once_in_the_recipients_language(
    session: AsyncSession, engine: AsyncEngine, smtp_settings: Settings, smtp_sink: SmtpSink
) -> None:
    zh = await add_user(session, language="zh_Hans")
    en = await add_user(session, language="en")
    await notify(session, recipients=[zh.id, en.id], kind=Kind.POSTING_CLOSED, params=PARAMS, link="/web/applications")
    await session.commit()
    report = await drain(engine, smtp_settings)
    assert (report.claimed, report.sent, report.retried, report.failed) == (2, 2, 0, 0)
    by_to = {str(m["To"]): m for m in smtp_sink.messages}
    chinese, english = by_to[zh.email], by_to[en.email]
    assert (
        chinese["Subject"] == "岗位已停止招聘：数控车床操作工"
        and english["Subject"] == "Posting closed: 数控车床操作工"
    )
    assert str(chinese["From"]) == "vocmatch 就业服务 <no-reply@vocmatch.example.cn>"
    assert chinese["Auto-Submitted"] == "auto-generated" and chinese["X-Vocmatch-Kind"] == "posting_closed"
    text = chinese.get_content()
    assert "你投递的广州数控设备有限公司岗位「数控车床操作工」已招满" in text
    assert "打开：https://vocmatch.example.cn/web/applications" in text
    assert "https://vocmatch.example.cn/web/notifications/preferences" in text
    assert (
        "has been filled" in english.get_content()
        and "Open: https://vocmatch.example.cn/web/applications" in english.get_content()
    )
    keys = dict((await session.execute(select(OutboxMessage.recipient, OutboxMessage.message_key))).tuples().all())
    assert chinese["Message-ID"] == f"<{keys[zh.email]}@vocmatch.example.cn>"
    assert await _statuses(session) == [("sent", 1), ("sent", 1)]
    assert (await drain(engine, smtp_settings)).claimed == 0 and smtp_sink.count == 2


async def test_refused_messages_are_retried_with_the_same_message_id(
    session: AsyncSession, engine: AsyncEngine, smtp_settings: Settings, smtp_sink: SmtpSink
) -> None:
    expected = await _queue(session, 3)
    smtp_sink.refuse = "451 4.3.0 try again later"
    before = utcnow()
    first = await drain(engine, smtp_settings)
    assert (first.sent, first.retried, first.failed, first.stopped) == (0, 3, 0, None)  # the connection stays usable
    assert sorted(smtp_sink.refused_ids) == expected and smtp_sink.count == 0
    rows = (await session.execute(select(OutboxMessage.last_error, OutboxMessage.due_at))).all()
    assert all("451" in e and "try again later" in e for e, _ in rows)
    # backing off: due again 0.1–0.2 s (half to all of the 0.2 s base) after the failure
    assert all(before + dt.timedelta(seconds=0.1) <= due <= utcnow() + dt.timedelta(seconds=0.2) for _, due in rows)
    assert await _statuses(session) == [("pending", 1)] * 3
    smtp_sink.refuse = None
    await asyncio.sleep(0.25)  # the first back-off is at most 0.2 s here
    second = await drain(engine, smtp_settings)
    assert second.sent == 3 and sorted(smtp_sink.ids) == expected and smtp_sink.duplicates == 0
    assert await _statuses(session) == [("sent", 2)] * 3


async def test_a_server_that_is_down_holds_the_queue_until_it_is_back(
    session: AsyncSession, engine: AsyncEngine, smtp_settings: Settings, smtp_sink: SmtpSink
) -> None:
    expected = await _queue(session, 5)
    settings = msgspec.structs.replace(smtp_settings, notify_batch_size=2, notify_connections=1)
    smtp_sink.stop()
    down = await drain(engine, settings)
    # the first message fails, the rest of its batch is handed back untried, the run stops
    assert (down.claimed, down.retried, down.released, down.sent) == (2, 1, 1, 0)
    assert down.stopped is not None and "cannot connect" in down.stopped
    assert await _statuses(session) == [("pending", 1), ("pending", 0), ("pending", 0), ("pending", 0), ("pending", 0)]
    smtp_sink.start()  # back, on the same port
    await asyncio.sleep(0.25)
    back = await drain(engine, settings)
    assert back.sent == 5 and sorted(smtp_sink.ids) == expected and smtp_sink.duplicates == 0


async def test_permanent_refusals_and_exhausted_attempts_end_failed(
    session: AsyncSession, engine: AsyncEngine, smtp_settings: Settings, smtp_sink: SmtpSink
) -> None:
    await _queue(session, 1)
    smtp_sink.refuse = "550 5.1.1 mailbox unavailable"
    report = await drain(engine, smtp_settings)
    assert report.failed == 1 and await _statuses(session) == [("failed", 1)]
    assert "refused for good" in ((await session.execute(select(OutboxMessage.last_error))).scalar_one() or "")

    await _queue(session, 1)
    settings = msgspec.structs.replace(
        smtp_settings, notify_max_attempts=3, notify_retry_base_seconds=0.05, notify_retry_max_seconds=0.1
    )
    smtp_sink.refuse = "451 4.3.0 still busy"
    for _ in range(50):
        await drain(engine, settings)
        if (await _statuses(session))[1][0] == "failed":
            break
        await asyncio.sleep(0.1)
    assert (await _statuses(session))[1] == ("failed", 3)
    error = (
        (await session.execute(select(OutboxMessage.last_error).order_by(OutboxMessage.id.desc()))).scalars().first()
    )
    assert error is not None and error.startswith("gave up after 3 attempts") and "451" in error
    assert len(smtp_sink.refused_ids) == 1 + 3 and len(set(smtp_sink.refused_ids[1:])) == 1


async def test_the_file_channel_writes_one_readable_eml_file_per_message(
    session: AsyncSession, engine: AsyncEngine, settings: Settings
) -> None:
    zh = await add_user(session, language="zh_Hans")
    en = await add_user(session, language="en")
    await notify(session, recipients=[zh.id, en.id], kind=Kind.POSTING_CLOSED, params=PARAMS, link="/web/applications")
    await session.commit()
    assert not settings.smtp_url
    report = await drain(engine, settings)
    assert report.sent == 2
    files = sorted(Path(settings.outbox_dir).glob("*.eml"))
    assert len(files) == 2 and all("-posting_closed-" in f.name for f in files)
    raw = {f: f.read_bytes() for f in files}
    texts = [data.decode("utf-8") for data in raw.values()]  # plain UTF-8: readable in any editor
    chinese = next(t for t in texts if f"To: {zh.email}" in t)
    assert "Subject: 岗位已停止招聘：数控车床操作工" in chinese and "已招满" in chinese
    assert "打开：https://vocmatch.example.cn/web/applications" in chinese
    parsed = BytesParser(policy=policy.default).parsebytes(raw[files[0]])
    assert parsed["Message-ID"].endswith("@vocmatch.example.cn>") and parsed.get_content()
    # a retry (e.g. after a crash between writing and committing) rewrites the same file
    await session.execute(update(OutboxMessage).values(status=OutboxStatus.PENDING, due_at=utcnow()))
    await session.commit()
    assert (await drain(engine, settings)).sent == 2
    assert sorted(Path(settings.outbox_dir).glob("*.eml")) == files and not list(Path(settings.outbox_dir).glob(".*"))
    assert {f: f.read_bytes() for f in files} == raw


async def test_a_secret_link_is_forgotten_once_sent(
    session: AsyncSession, engine: AsyncEngine, smtp_settings: Settings, smtp_sink: SmtpSink
) -> None:
    user = await add_user(session, active=False, language="en")
    await notify(
        session,
        recipients=[user.id],
        kind=Kind.ACCOUNT_ACTIVATION,
        params={"expires_hours": 48},
        link="/web/activate?token=s3cret",
    )
    await session.commit()
    assert (await drain(engine, smtp_settings)).sent == 1
    text = smtp_sink.messages[0].get_content()
    assert "Open: https://vocmatch.example.cn/web/activate?token=s3cret" in text and "valid for 48 hours" in text
    row = (await session.execute(select(OutboxMessage))).scalar_one()
    await session.refresh(row)
    assert row.status == OutboxStatus.SENT and row.body == "" and row.link is None


async def test_an_expired_lease_is_taken_over_and_the_old_owner_changes_nothing(
    session: AsyncSession, engine: AsyncEngine, smtp_settings: Settings, smtp_sink: SmtpSink
) -> None:
    expected = await _queue(session, 3)
    queue = OutboxQueue(engine)
    now = utcnow()
    dead = await queue.claim("dead-drainer", 10, now + dt.timedelta(seconds=0.5), now)  # then it "dies"
    assert len(dead) == 3
    assert (await drain(engine, smtp_settings)).claimed == 0  # still leased
    await asyncio.sleep(0.6)
    report = await drain(engine, smtp_settings)
    assert report.sent == 3 and sorted(smtp_sink.ids) == expected
    assert await _statuses(session) == [("sent", 2)] * 3
    # the old owner waking up can neither mark nor retry what it no longer holds
    late = utcnow()
    assert not await queue.settle("dead-drainer", [Outcome(dead[0].id, OutboxStatus.SENT)], late)
    assert not await queue.settle(
        "dead-drainer", [Outcome(dead[1].id, OutboxStatus.PENDING, due_at=late, error="late")], late
    )
    assert await _statuses(session) == [("sent", 2)] * 3


async def test_two_drainers_at_once_send_every_message_exactly_once(
    session: AsyncSession, smtp_settings: Settings, smtp_sink: SmtpSink
) -> None:
    expected = await _queue(session, 30, per_user=10)
    settings = msgspec.structs.replace(smtp_settings, notify_batch_size=5)
    engines = [make_engine(settings), make_engine(settings)]  # two connection pools, as two processes would have
    try:
        reports = await asyncio.gather(*(drain(e, settings) for e in engines))
    finally:
        for e in engines:
            await e.dispose()
    assert all(r.sent > 0 for r in reports), [r.to_dict() for r in reports]  # both really took part
    assert sum(r.sent for r in reports) == 300 and sum(r.lease_lost for r in reports) == 0
    assert sorted(smtp_sink.ids) == expected and smtp_sink.duplicates == 0
    assert {s for s, _ in await _statuses(session)} == {"sent"}


@pytest.mark.slow  # waits out a slow SMTP server against the lease
async def test_a_slow_server_never_lets_a_live_lease_run_out(
    session: AsyncSession, smtp_settings: Settings, smtp_sink: SmtpSink
) -> None:
    """Each message takes 0.3 s and a batch of 15 over one connection takes 4.5 s, longer than the
    4 s lease: the sending drainer extends its lease as it goes, so the second drainer, claiming
    all the while, never takes a row the first still holds. (Sends are cut off at half the lease:
    2 s leaves a loaded machine room for a 0.3 s send — at a 2 s lease, 1 s did not, in CI.)"""
    expected = await _queue(session, 30)
    settings = msgspec.structs.replace(
        smtp_settings, notify_lease_seconds=4, smtp_timeout_seconds=2.0, notify_batch_size=15, notify_connections=1
    )
    smtp_sink.delay = 0.3
    engines = [make_engine(settings), make_engine(settings)]
    try:
        first = asyncio.create_task(drain(engines[0], settings))
        await asyncio.sleep(0.1)
        reports = [await drain(engines[1], settings)]
        while not first.done():
            reports.append(await drain(engines[1], settings))
            await asyncio.sleep(0.2)
        reports.append(await first)
    finally:
        for e in engines:
            await e.dispose()
    assert sum(r.sent for r in reports) == 30 and sum(r.lease_lost for r in reports) == 0
    assert sorted(smtp_sink.ids) == expected and smtp_sink.duplicates == 0


async def test_the_drain_command_writes_the_eml_files(session: AsyncSession, settings: Settings) -> None:
    """``vocmatch notifications drain`` (what ``vocmatch run`` keeps running, and what the scheduler's
    ``drain_outbox`` job does) delivers with the settings of the environment."""
    import json

    from click.testing import CliRunner

    from service.cli import main

    user = await add_user(session, language="en")
    await notify(session, recipients=[user.id], kind=Kind.POSTING_CLOSED, params=PARAMS)
    await session.commit()
    env = {"VOCMATCH_DATABASE_URL": settings.database_url, "VOCMATCH_OUTBOX_DIR": settings.outbox_dir}
    result = await asyncio.to_thread(CliRunner().invoke, main, ["notifications", "drain"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["sent"] == 1 and report["queue"] == {"sent": 1}
    [eml] = Path(settings.outbox_dir).glob("*.eml")
    assert "Subject: Posting closed: 数控车床操作工" in eml.read_text(encoding="utf-8")
