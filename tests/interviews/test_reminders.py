"""The day-before reminder job (``interview_reminders``) on both backends: an accepted interview
starting within 24 hours is reminded once to both sides, however often the job runs (scheduled run
claims, hand runs, two passes); unanswered, declined and later interviews are not reminded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from service.config import Settings
from service.db import make_engine, make_sessionmaker
from service.interviews.schemas import InterviewCreate, SlotCreate
from service.interviews.service import InterviewService
from service.notifications.models import Notification
from service.scheduling import run_now
from tests.conftest import run_async
from tests.interviews.conftest import Two, build_two


async def _in_session(settings: Settings, work: Any) -> Any:
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as s:
            result = await work(s)
            await s.commit()
            return result
    finally:
        await engine.dispose()


def _interview(settings: Settings, application_id: int, hours: float, accept: bool) -> int:
    async def work(s: Any) -> int:
        start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
        service = InterviewService(s)
        interview = await service.propose(
            application_id, InterviewCreate(slots=[SlotCreate(starts_at=start)], place="广州市天河区科韵路16号")
        )
        if accept:
            await service.accept(interview.id, interview.slots[0].id)
        return interview.id

    return run_async(lambda: _in_session(settings, work))


def _reminders(settings: Settings) -> dict[int, int]:
    async def work(s: Any) -> dict[int, int]:
        rows = await s.execute(
            select(Notification.user_id, func.count())
            .where(Notification.kind == "interview_reminder")
            .group_by(Notification.user_id)
        )
        return dict(rows.all())

    return run_async(lambda: _in_session(settings, work))


def test_reminder_is_sent_once_to_both_sides(settings: Settings) -> None:
    two: Two = run_async(lambda: _in_session(settings, build_two))
    _interview(settings, two.application_a, 20, accept=True)  # tomorrow: reminded
    _interview(settings, two.application_b, 20, accept=False)  # not accepted: no reminder
    first = run_now(settings, "interview_reminders")
    again = run_now(settings, "interview_reminders")
    assert (first, again) == ({"reminded": 1}, {"reminded": 0})
    users = {two.a.graduate_user.id, *(m.id for m in two.a.members)}
    assert _reminders(settings) == {u: 1 for u in users}

    # an interview three days ahead is reminded only once it is within a day
    async def later(s: Any) -> None:
        from service.interviews.service import send_reminders

        assert await send_reminders(s, dt.datetime.now(dt.UTC)) == 0
        assert await send_reminders(s, dt.datetime.now(dt.UTC) + dt.timedelta(hours=50)) == 1
        assert await send_reminders(s, dt.datetime.now(dt.UTC) + dt.timedelta(hours=51)) == 0

    _interview(settings, two.application_b, 72, accept=True)
    run_async(lambda: _in_session(settings, later))
    counts = _reminders(settings)
    assert counts[two.b.graduate_user.id] == 1 and all(counts[u] == 1 for u in users)


def test_reminder_text_is_in_beijing_time(settings: Settings) -> None:
    two: Two = run_async(lambda: _in_session(settings, build_two))
    _interview(settings, two.application_a, 5, accept=True)
    run_now(settings, "interview_reminders")

    async def work(s: Any) -> Notification:
        stmt = select(Notification).where(
            Notification.user_id == two.a.graduate_user.id, Notification.kind == "interview_reminder"
        )
        return (await s.execute(stmt)).scalar_one()

    note = run_async(lambda: _in_session(settings, work))
    starts = dt.datetime.fromisoformat(note.params["starts_at"])
    assert starts.utcoffset() == dt.timedelta(hours=8) and note.params["place"] == "广州市天河区科韵路16号"


def test_no_reminder_once_the_application_is_closed(settings: Settings) -> None:
    from sqlalchemy import update

    from service.applications.models import Application, ApplicationStatus

    two: Two = run_async(lambda: _in_session(settings, build_two))
    _interview(settings, two.application_a, 20, accept=True)
    _interview(settings, two.application_b, 20, accept=True)

    async def withdraw(s: Any) -> None:
        await s.execute(
            update(Application).where(Application.id == two.application_b).values(status=ApplicationStatus.WITHDRAWN)
        )

    run_async(lambda: _in_session(settings, withdraw))
    assert run_now(settings, "interview_reminders") == {"reminded": 1}
    assert two.b.graduate_user.id not in _reminders(settings)


def test_no_reminder_for_a_cancelled_interview(settings: Settings) -> None:
    two: Two = run_async(lambda: _in_session(settings, build_two))
    _interview(settings, two.application_a, 20, accept=True)
    cancelled = _interview(settings, two.application_b, 20, accept=True)

    async def cancel(s: Any) -> None:
        await InterviewService(s).cancel(cancelled, "岗位已招满")

    run_async(lambda: _in_session(settings, cancel))
    assert run_now(settings, "interview_reminders") == {"reminded": 1}
    assert two.b.graduate_user.id not in _reminders(settings)
