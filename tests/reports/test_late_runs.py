"""Issue 15 item 8: a snapshot job run late or with ``--today`` uses the scheduled fire time of its
as-of date as the knowledge cut-off, so it reproduces the on-time run; the destination history
takes the same ``recorded_before``. Both backends."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.config import Settings
from service.destinations.models import DestinationEvent, DestinationEventKind
from service.reports.build import build_report
from service.reports.compute import ReportParams, Scope
from service.reports.models import ReportSnapshot
from service.reports.scheduled import JOBS, job_specs, run_job_async
from tests.reports import worked_case

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: year_end as of 2025-12-31 fires 2026-01-01 02:00 Asia/Shanghai = 2025-12-31 18:00 UTC
FIRE = dt.datetime(2025, 12, 31, 18, 0, tzinfo=dt.UTC)


def test_fire_times() -> None:
    assert JOBS["year_end"].fire_time(dt.date(2025, 12, 31), SHANGHAI) == dt.datetime(2026, 1, 1, 2, 0, tzinfo=SHANGHAI)
    assert JOBS["monthly"].fire_time(dt.date(2025, 11, 30), SHANGHAI) == dt.datetime(2025, 12, 1, 1, 0, tzinfo=SHANGHAI)
    assert JOBS["term_end"].fire_time(dt.date(2026, 7, 31), SHANGHAI) == dt.datetime(2026, 8, 1, 1, 30, tzinfo=SHANGHAI)
    # a term ending 28 February: the cron fires on 1 March, also in a leap year (not on the 29th)
    spec = job_specs(Settings(report_term_ends="02-28"))["term_end"]
    assert spec.as_of(dt.date(2028, 3, 1)) == dt.date(2028, 2, 28)
    assert spec.fire_time(dt.date(2028, 2, 28), SHANGHAI) == dt.datetime(2028, 3, 1, 1, 30, tzinfo=SHANGHAI)


async def _late_event(session: AsyncSession, ids: dict[str, int]) -> None:
    """a7 (unknown so far) took a job on 1 December, but the school recorded it on 5 January:
    after the year-end cut-off."""
    session.add(
        DestinationEvent(
            graduate_id=ids["a7"],
            kind=DestinationEventKind.OUTCOME,
            occurred_on=dt.date(2025, 12, 1),
            category="labour_contract",
            source="school_survey",
            labour_contract=True,
            recorded_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC),
        )
    )
    await session.commit()


async def test_late_run_reproduces_the_on_time_run(settings: Settings, session: AsyncSession) -> None:
    ids = await worked_case.load(session)
    await _late_event(session, ids)
    # run nine days late, as `vocmatch jobs run year_end --today 2026-01-10` does
    [result] = await run_job_async(settings, "year_end", today=dt.date(2026, 1, 10), scopes=["all"])
    assert result["as_of"] == "2025-12-31" and result["recorded_before"] == FIRE.isoformat()
    snap = (await session.execute(select(ReportSnapshot))).scalar_one()
    assert snap.recorded_before == FIRE
    # a7's job recorded on 5 January is not known at the cut-off: 5 employed as on time, not 6
    assert snap.data["breakdowns"]["total"][0]["counts"]["employed"] == 5
    on_time = await build_report(
        session,
        ReportParams(scope=Scope.parse("all"), cohorts=(2025,), as_of=dt.date(2025, 12, 31), recorded_before=FIRE),
    )
    assert snap.data == on_time


async def test_a_run_before_its_fire_time_is_refused(settings: Settings) -> None:
    tomorrow = dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=1)
    with pytest.raises(ValueError, match="cut-off has not been reached"):
        await run_job_async(settings, "monthly", today=tomorrow + dt.timedelta(days=40), scopes=["all"])


def test_destination_history_takes_a_cut_off(client: httpx.Client, settings: Settings) -> None:
    from service.db import make_engine, make_sessionmaker
    from tests.conftest import run_async

    async def load() -> dict[str, int]:
        engine = make_engine(settings)
        try:
            async with make_sessionmaker(engine)() as s:
                ids = await worked_case.load(s)
                await _late_event(s, ids)
                return ids
        finally:
            await engine.dispose()

    ids = run_async(load)
    base = f"/graduates/{ids['a7']}/destinations"
    now = client.get(base, params={"as_of": "2025-12-31"}).json()
    assert now["current"]["category"] == "labour_contract" and len(now["events"]) == 1
    then = client.get(base, params={"as_of": "2025-12-31", "recorded_before": "2026-01-01T02:00:00+08:00"})
    assert then.status_code == 200, then.text
    assert then.json()["current"] is None and then.json()["events"] == []
    assert then.json()["recorded_before"].startswith("2025-12-31T18:00:00")
    naive = client.get(base, params={"recorded_before": "2026-01-01T02:00:00"})
    assert naive.status_code == 422 and naive.json()["errors"][0]["field"] == "recorded_before"
