"""Which day is "today" for destinations: the later of Beijing's calendar and the server's.

From 16:00 to 24:00 UTC a server on UTC is a day behind its users in China. The hire form already
allowed Beijing's date, but the recorded outcome was checked against — and a graduate's current
destination shown for — the server's date: an outcome started "today" in Beijing was refused as
in the future, or shown as not yet current ("confirmed by you" missing after the graduate
confirmed; the whole-loop browser test failed every evening). The clock is set, not waited for
(``evening_in_utc``, :func:`tests.conftest.set_clock`: Beijing a day ahead of the server)."""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

import service.config as config
from service.destinations.schemas import DestinationCreate
from service.destinations.service import DestinationService
from tests.conftest import Clock


async def test_an_outcome_dated_today_in_beijing_is_accepted_and_current(
    session: AsyncSession, graduate_id: int, evening_in_utc: Clock
) -> None:
    today = evening_in_utc.beijing_day
    assert config.latest_today() == today == config.beijing_today()
    body = {"occurred_on": today.isoformat(), "source": "school_survey", "category": "labour_contract"}
    service = DestinationService(session)
    event = await service.record(graduate_id, msgspec.convert(body, DestinationCreate, strict=False))
    await session.commit()
    history = await DestinationService(session).history(graduate_id)
    assert history.as_of == today
    assert history.current is not None and history.current.event_id == event.id
