"""Which day is "today" for destinations: the later of Beijing's calendar and the server's.

From 16:00 to 24:00 UTC a server on UTC is a day behind its users in China. The hire form already
allowed Beijing's date, but the recorded outcome was checked against — and a graduate's current
destination shown for — the server's date: an outcome started "today" in Beijing was refused as
in the future, or shown as not yet current ("confirmed by you" missing after the graduate
confirmed; the whole-loop browser test failed every evening). The clock is set, not waited for:
``service.config``.s ``dt`` is replaced by one whose calendars are 2026-12-07 (server) and 2026-12-08
01:30 (Beijing)."""

from __future__ import annotations

import datetime as dt
import types

import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

import service.config as config
from service.config import ZONE
from service.destinations.schemas import DestinationCreate
from service.destinations.service import DestinationService

SERVER_DAY = dt.date(2026, 12, 7)
BEIJING_NOW = dt.datetime(2026, 12, 8, 1, 30, tzinfo=ZONE)


class _Date(dt.date):
    @classmethod
    def today(cls) -> _Date:
        return cls(SERVER_DAY.year, SERVER_DAY.month, SERVER_DAY.day)


class _DateTime(dt.datetime):
    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _DateTime:
        moment = BEIJING_NOW.astimezone(tz) if tz is not None else BEIJING_NOW.replace(tzinfo=None)
        return cls.fromtimestamp(moment.timestamp(), tz) if tz is not None else cls(*moment.timetuple()[:6])


@pytest.fixture
def evening_in_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = types.SimpleNamespace(**{**vars(dt), "date": _Date, "datetime": _DateTime})
    monkeypatch.setattr(config, "dt", clock)


async def test_an_outcome_dated_today_in_beijing_is_accepted_and_current(
    session: AsyncSession, graduate_id: int, evening_in_utc: None
) -> None:
    assert config.latest_today() == dt.date(2026, 12, 8)
    body = {"occurred_on": "2026-12-08", "source": "school_survey", "category": "labour_contract"}
    service = DestinationService(session)
    event = await service.record(graduate_id, msgspec.convert(body, DestinationCreate, strict=False))
    await session.commit()
    history = await DestinationService(session).history(graduate_id)
    assert history.as_of == dt.date(2026, 12, 8)
    assert history.current is not None and history.current.event_id == event.id
