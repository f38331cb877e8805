"""The daily digest of job alerts (job ``job_alert_digest``) on both databases: a posting first
published after an alert's watermark is sent once, in one notification per graduate per run, never
again however often the job runs, and not lost when a run stops half-way; closed, expired, invisible,
non-matching and older postings are left out; a paused alert sends nothing; the e-mail follows the
account's preferences and language, and reaches a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import msgspec
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.alerts.models import JobAlert, JobAlertHit
from service.alerts.schemas import JobAlertUpdate
from service.alerts.service import AlertService, digest_graduate, new_postings
from service.config import Settings
from service.db import make_sessionmaker, utcnow
from service.employers.models import Employer
from service.notifications.delivery import Drainer
from service.notifications.kinds import render
from service.notifications.models import Notification, NotificationPreference, OutboxMessage
from service.postings.models import PostingStatus
from service.postings.search import parse_filters
from service.scheduling import run_now
from tests.alerts.conftest import World, add_posting
from tests.notifications.smtp_sink import SmtpSink

HOUR = dt.timedelta(hours=1)


async def _run(settings: Settings) -> dict[str, Any]:
    """``vocmatch jobs run job_alert_digest`` (:func:`service.scheduling.run_now`: the scheduled job,
    claimed in ``job_runs``), in a thread of its own as the CLI runs it outside any event loop."""
    return await asyncio.to_thread(run_now, settings, "job_alert_digest")


async def _alert(
    session: AsyncSession, graduate_id: int, name: str, age: dt.timedelta = 2 * HOUR, **filters: str
) -> JobAlert:
    """A saved search made ``age`` ago (its watermark then), committed."""
    alert = await AlertService(session, graduate_id).create_alert(name, parse_filters(filters))
    alert.created_at = alert.watermark = utcnow() - age
    await session.commit()
    return alert


async def _notes(engine: AsyncEngine, user_id: int | None = None) -> list[Notification]:
    async with make_sessionmaker(engine)() as s:
        stmt = select(Notification).where(Notification.kind == "job_alert_digest").order_by(Notification.id)
        if user_id is not None:
            stmt = stmt.where(Notification.user_id == user_id)
        return list((await s.execute(stmt)).scalars())


async def _count(engine: AsyncEngine, model: Any) -> int:
    async with make_sessionmaker(engine)() as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def test_a_new_posting_is_sent_once_in_one_notification_per_graduate(
    session: AsyncSession, engine: AsyncEngine, settings: Settings, world: World
) -> None:
    a = world.ids["employer_a"]
    await _alert(session, world.ids["graduate_a"], "数控", q="数控")
    await _alert(session, world.ids["graduate_a"], "广州", region="440100")
    first = await add_posting(session, a, "数控铣床操作工", ago=HOUR)
    second = await add_posting(session, a, "数控编程员", ago=HOUR / 2, city="广州市")
    # left out: older than the alerts, closed, expired, an unverified employer's, another place
    await add_posting(session, a, "数控旧岗位", ago=3 * HOUR)
    await add_posting(session, a, "数控已关闭", ago=HOUR, status=PostingStatus.CLOSED)
    await add_posting(session, a, "数控已过期", ago=HOUR, valid_through=dt.date.today() - dt.timedelta(days=2))
    await add_posting(session, world.ids["employer_b"], "数控未审核", ago=HOUR)
    nanning = Employer(name="南宁糖业股份有限公司", verified=True)  # ("数控" is in employer A's name)
    session.add(nanning)
    await session.flush()
    await add_posting(
        session, nanning.id, "南宁叉车司机", ago=HOUR, region_code="450100", province="广西壮族自治区", city="南宁市"
    )
    await session.commit()

    assert await _run(settings) == {"graduates": 1, "postings": 2}
    assert await _run(settings) == {"graduates": 0, "postings": 0}  # nothing twice
    notes = await _notes(engine)
    assert len(notes) == 1 and notes[0].user_id == world.ids["user_a"] and notes[0].link == "/web/job-alerts"
    params = notes[0].params
    assert params["count"] == 2 and params["search_name"] == "数控、广州"  # two alerts, one message
    subject, body = render("job_alert_digest", params, "zh_Hans")
    assert subject == "2 个新岗位符合「数控、广州」"
    assert body.splitlines()[0] == "你保存的搜索「数控、广州」有 2 个新岗位。"
    assert (
        f"• 数控铣床操作工 · 广州数控设备有限公司 · 广州市\n  https://vocmatch.example.cn/web/jobs/{first.id}" in body
    )
    assert f"/web/jobs/{second.id}" in body
    for left_out in ("旧岗位", "已关闭", "已过期", "未审核", "南宁"):
        assert left_out not in body
    # each alert remembers what it sent: 数控 both postings, 广州 both (a posting found twice is listed once)
    assert await _count(engine, JobAlertHit) == 4

    # a later posting comes in the next run, alone
    third = await add_posting(session, a, "数控车工（夜班）")
    await session.commit()
    assert await _run(settings) == {"graduates": 1, "postings": 1}
    latest = (await _notes(engine))[-1]
    assert latest.params["count"] == 1 and f"/web/jobs/{third.id}" in latest.params["jobs"]


async def test_a_run_stopped_half_way_loses_nothing_and_repeats_nothing(
    session: AsyncSession, engine: AsyncEngine, settings: Settings, world: World
) -> None:
    await _alert(session, world.ids["graduate_a"], "数控", q="数控")
    await _alert(session, world.ids["graduate_b"], "数控", q="数控")
    await add_posting(session, world.ids["employer_a"], "数控铣床操作工", ago=HOUR)
    await session.commit()
    # graduate A's digest is written but its transaction never commits (the process dies)
    async with make_sessionmaker(engine)() as crashed:
        assert await digest_graduate(crashed, world.ids["graduate_a"], public_url=settings.public_url) == 1
        await crashed.rollback()
    assert await _notes(engine) == [] and await _count(engine, JobAlertHit) == 0
    # graduate B's committed, then the run died before graduate A: the next run sends A's only
    async with make_sessionmaker(engine)() as done:
        await digest_graduate(done, world.ids["graduate_b"], public_url=settings.public_url)
        await done.commit()
    assert await _run(settings) == {"graduates": 1, "postings": 1}
    assert await _run(settings) == {"graduates": 0, "postings": 0}
    notes = await _notes(engine)
    assert sorted(n.user_id for n in notes) == sorted([world.ids["user_a"], world.ids["user_b"]])


async def test_two_runs_at_once_send_each_posting_once(
    session: AsyncSession, engine: AsyncEngine, settings: Settings, world: World
) -> None:
    """``vocmatch jobs run job_alert_digest`` by hand while the scheduler runs it: each graduate's
    digest takes a write lock first, so the second waits, then finds the postings sent."""
    from service.alerts.scheduled import digest_async

    for side in ("a", "b"):
        await _alert(session, world.ids[f"graduate_{side}"], "数控", q="数控")
    for n in range(5):
        await add_posting(session, world.ids["employer_a"], f"数控岗位{n}", ago=HOUR)
    await session.commit()
    results = await asyncio.gather(*(asyncio.to_thread(asyncio.run, digest_async(settings)) for _ in range(3)))
    assert sum(r["graduates"] for r in results) == 2 and sum(r["postings"] for r in results) == 10, results
    notes = await _notes(engine)
    assert sorted(n.user_id for n in notes) == sorted([world.ids["user_a"], world.ids["user_b"]])
    assert await _count(engine, JobAlertHit) == 10


async def test_a_posting_committed_late_is_still_sent_once(
    session: AsyncSession, engine: AsyncEngine, settings: Settings, world: World
) -> None:
    """A posting stored (``created_at``) just before a run's watermark but committed after the run read
    the table: the next run looks back :data:`~service.alerts.service.LATE_COMMIT_GRACE` and sends it."""
    alert = await _alert(session, world.ids["graduate_a"], "数控", q="数控")
    await session.execute(update(JobAlert).where(JobAlert.id == alert.id).values(watermark=utcnow() - HOUR / 6))
    late = await add_posting(session, world.ids["employer_a"], "数控晚到岗位", ago=HOUR / 3)
    await session.commit()
    assert await _run(settings) == {"graduates": 1, "postings": 1}
    assert await _run(settings) == {"graduates": 0, "postings": 0}
    assert f"/web/jobs/{late.id}" in (await _notes(engine))[0].params["jobs"]


async def test_a_paused_alert_sends_nothing_and_resumes_from_now(
    session: AsyncSession, engine: AsyncEngine, settings: Settings, world: World
) -> None:
    alert = await _alert(session, world.ids["graduate_a"], "数控", q="数控")
    await AlertService(session, world.ids["graduate_a"]).update_alert(alert.id, JobAlertUpdate(active=False))
    await add_posting(session, world.ids["employer_a"], "数控暂停期间", ago=HOUR)
    await session.commit()
    assert await _run(settings) == {"graduates": 0, "postings": 0}
    await AlertService(session, world.ids["graduate_a"]).update_alert(alert.id, JobAlertUpdate(active=True))
    await session.commit()
    assert await _run(settings) == {"graduates": 0, "postings": 0}  # published while paused
    assert await _notes(engine) == []


async def test_preferences_and_language_are_followed(
    session: AsyncSession, engine: AsyncEngine, settings: Settings, world: World
) -> None:
    await _alert(session, world.ids["graduate_a"], "数控", q="数控")
    await _alert(session, world.ids["graduate_b"], "CNC", q="数控")
    session.add(
        NotificationPreference(user_id=world.ids["user_a"], kind="job_alert_digest", channel="email", enabled=False)
    )
    await add_posting(session, world.ids["employer_a"], "数控铣床操作工", ago=HOUR)
    await session.commit()
    assert await _run(settings) == {"graduates": 2, "postings": 2}
    async with make_sessionmaker(engine)() as s:
        outbox = (await s.execute(select(OutboxMessage))).scalars().all()
    # the inbox is always on; e-mail only for graduate B, who did not switch it off, in English
    assert len(await _notes(engine, world.ids["user_a"])) == 1
    assert [(o.user_id, o.language) for o in outbox] == [(world.ids["user_b"], "en")]
    assert outbox[0].subject == "New jobs for “CNC”: 1"
    assert outbox[0].body.startswith("Your saved search “CNC” has new matching jobs: 1.\n• 数控铣床操作工")


async def test_the_digest_e_mail_reaches_a_real_smtp_server(
    session: AsyncSession, engine: AsyncEngine, settings: Settings, world: World, smtp_sink: SmtpSink
) -> None:
    await _alert(session, world.ids["graduate_a"], "数控", q="数控")
    posting = await add_posting(session, world.ids["employer_a"], "数控铣床操作工", ago=HOUR)
    await session.commit()
    assert (await _run(settings))["postings"] == 1
    report = await Drainer(engine, msgspec.structs.replace(settings, smtp_url=smtp_sink.url)).run()
    assert report.sent == 1 and smtp_sink.count == 1
    message = smtp_sink.messages[0]
    assert message["To"] == world.emails["a"] and message["Subject"] == "1 个新岗位符合「数控」"
    text = message.get_content()
    assert "数控铣床操作工 · 广州数控设备有限公司 · 广州市" in text
    assert f"https://vocmatch.example.cn/web/jobs/{posting.id}" in text
    assert "https://vocmatch.example.cn/web/job-alerts" in text


async def test_what_is_new_today_is_open_on_beijings_day(session: AsyncSession, world: World) -> None:
    """A digest at 17:30 UTC is at 01:30 the next day in Beijing: a posting valid through the UTC date
    closed at midnight in Beijing and is not sent; one valid through Beijing's date is new and open."""
    now = utcnow()
    evening = dt.datetime.combine(now.date(), dt.time(17, 30), tzinfo=dt.UTC)
    evening += dt.timedelta(days=1) if evening < now else dt.timedelta(0)  # not before the postings
    alert = await _alert(session, world.ids["graduate_a"], "数控", q="数控")
    a = world.ids["employer_a"]
    await add_posting(session, a, "数控（昨天截止）", ago=HOUR, valid_through=evening.date())
    fresh = await add_posting(
        session, a, "数控（今天截止）", ago=HOUR, valid_through=evening.date() + dt.timedelta(days=1)
    )
    await session.commit()
    assert [p.id for p in await new_postings(session, alert, evening)] == [fresh.id]
