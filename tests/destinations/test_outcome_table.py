"""``graduate_outcomes`` stays equal to the Python reference through every write path of destination
events and graduation dates, in the same transaction (service.destinations.outcomes), on both backends."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import msgspec
from click.testing import CliRunner
from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import School
from service.cli import main
from service.config import Settings
from service.db import make_engine, make_sessionmaker
from service.destinations.models import DestinationEvent, DestinationEventKind
from service.destinations.outcomes import COLUMNS, EVENT_COLUMNS, EVENTS, OUTCOMES, outcome_rows, rebuild
from service.destinations.precedence import History
from service.destinations.schemas import (
    Confirmation,
    DestinationCreate,
    Dispute,
    InFieldOverride,
    Review,
    ReviewDecision,
)
from service.destinations.service import DestinationService
from service.graduates.models import Graduate
from service.graduates.schemas import GraduateUpdate
from service.graduates.service import GraduateService
from service.reports.compute import ReportParams, Scope, aggregate, load_outcomes
from service.reports.counts_sql import count_report
from service.reports.definitions import COUNT_COLUMNS
from tests.conftest import run_async
from tests.factories import guangdong_regions


def _key(row: Any) -> tuple[Any, ...]:
    return tuple(row[c] for c in COLUMNS)


async def stored(session: AsyncSession) -> list[tuple[Any, ...]]:
    rows = (await session.execute(select(OUTCOMES))).mappings().all()
    return sorted((_key(r) for r in rows), key=repr)


async def reference(session: AsyncSession) -> list[tuple[Any, ...]]:
    """The rows :func:`outcome_rows` makes from every graduate's events, read afresh."""
    events = (await session.execute(select(*[EVENTS.c[c] for c in EVENT_COLUMNS]))).all()
    dates = dict((await session.execute(select(Graduate.id, Graduate.graduation_date))).tuples().all())
    by_graduate: dict[int, list[Any]] = {}
    for e in events:
        by_graduate.setdefault(e.graduate_id, []).append(e)
    rows = [r for gid, evs in by_graduate.items() for r in outcome_rows(gid, evs, dates[gid])]
    return sorted((_key(r) for r in rows), key=repr)


async def assert_maintained(session: AsyncSession) -> None:
    assert await stored(session) == await reference(session)


def _create(**extra: Any) -> DestinationCreate:
    body: dict[str, Any] = {
        "occurred_on": dt.date(2025, 7, 15),
        "source": "school_survey",
        "category": "labour_contract",
        "region_code": "440106",
        "monthly_salary": 4200,
        "social_insurance": True,
    }
    body.update(extra)
    return msgspec.convert(body, DestinationCreate, strict=False)


async def test_every_service_write_keeps_the_table_equal_to_the_reference(
    session: AsyncSession, graduate_id: int
) -> None:
    svc = DestinationService(session)
    assert await stored(session) == []
    first = await svc.record(graduate_id, _create())
    await assert_maintained(session)  # flushed, not committed: same transaction
    rows = await stored(session)
    assert len(rows) == 1 and rows[0][COLUMNS.index("category")] == "labour_contract"
    assert rows[0][COLUMNS.index("valid_from")] == dt.date(2025, 7, 15)
    assert rows[0][COLUMNS.index("q2_employed")] is True  # employed in 2025 Q4 (open-ended job)
    await session.commit()

    mine = await svc.record(
        graduate_id,
        _create(
            source="self_report",
            category="further_study",
            monthly_salary=None,
            social_insurance=None,
            region_code=None,
            occurred_on=dt.date(2025, 9, 1),
        ),
    )
    await assert_maintained(session)
    await svc.override_in_field(graduate_id, first.id, InFieldOverride(in_field=False, reason="岗位与专业无关"))
    await assert_maintained(session)
    await svc.dispute(graduate_id, first.id, Dispute(reason="我已离职"))
    await assert_maintained(session)
    await svc.review(graduate_id, first.id, Review(decision=ReviewDecision.REFUSE, reason="合同仍有效"))  # confirmation
    await assert_maintained(session)
    await svc.review(graduate_id, mine.id, Review(decision=ReviewDecision.ACCEPT))  # a school_survey copy of it
    await assert_maintained(session)
    await svc.confirm(graduate_id, first.id, Confirmation())
    await assert_maintained(session)
    await session.commit()

    # the report from the table equals the reference and the window-function SQL, now and as known before
    for cutoff in (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1), dt.datetime(2000, 1, 1, tzinfo=dt.UTC)):
        for as_of in (dt.date(2025, 8, 1), dt.date(2026, 6, 30)):
            params = ReportParams(scope=Scope.parse("all"), cohorts=(2025,), as_of=as_of, recorded_before=cutoff)
            outcomes, _ = await load_outcomes(session, params)
            counts, _ = aggregate(outcomes)
            expected = {row: {c: cnt.get(c, 0) for c in COUNT_COLUMNS} for row, cnt in counts.items()}
            assert (await count_report(session, params)).counts == expected
            assert (await count_report(session, params, source="events")).counts == expected
    history = History((await session.execute(select(DestinationEvent))).scalars().all())
    assert history.on(dt.date(2026, 6, 30)) is not None


async def test_a_changed_graduation_date_recomputes_the_quarter_flags(session: AsyncSession, graduate_id: int) -> None:
    await DestinationService(session).record(graduate_id, _create(occurred_on=dt.date(2025, 7, 15)))
    await session.commit()
    q2 = COLUMNS.index("q2_employed")
    assert [r[q2] for r in await stored(session)] == [True]
    # 待就业 from 08-01: not employed in the 2nd quarter after graduating (2025 Q4)
    await DestinationService(session).record(
        graduate_id,
        _create(
            occurred_on=dt.date(2025, 8, 1),
            category="seeking",
            monthly_salary=None,
            social_insurance=None,
            region_code=None,
        ),
    )
    await session.commit()

    async def latest_q2() -> list[bool]:
        return [r[q2] for r in await stored(session) if r[COLUMNS.index("recorded_to")] is None]

    assert await latest_q2() == [False, False]
    # graduated 2025-01-10 instead (a roster correction): the 2nd quarter after is 2025 Q3, with the
    # job from 07-15 to 08-01
    await GraduateService(session).update(graduate_id, GraduateUpdate(graduation_date=dt.date(2025, 1, 10)))
    await assert_maintained(session)
    assert await latest_q2() == [True, True]
    await GraduateService(session).update(graduate_id, GraduateUpdate(graduation_date=dt.date(2025, 6, 30)))
    await assert_maintained(session)
    assert await latest_q2() == [False, False]
    await session.commit()


async def test_deleting_a_graduate_deletes_their_rows(session: AsyncSession, graduate_id: int) -> None:
    await DestinationService(session).record(graduate_id, _create())
    await session.commit()
    assert await stored(session)
    await session.execute(delete(Graduate).where(Graduate.id == graduate_id))
    await session.commit()
    assert await stored(session) == []


async def test_rebuild_recomputes_rows_written_around_the_orm(session: AsyncSession, graduate_id: int) -> None:
    """A bulk load (here a Core INSERT, as the benchmark's COPY) bypasses the flush hook; the
    rebuild (``vocmatch outcomes rebuild``, the migration's data step) fills the table."""
    now = dt.datetime(2025, 8, 1, tzinfo=dt.UTC)
    await session.execute(
        insert(EVENTS),
        [
            {
                "graduate_id": graduate_id,
                "kind": DestinationEventKind.OUTCOME.value,
                "occurred_on": dt.date(2025, 7, 1),
                "recorded_at": now,
                "source": "import",
                "category": "military",
                "internship": False,
            },
            {
                "graduate_id": graduate_id,
                "kind": DestinationEventKind.OUTCOME.value,
                "occurred_on": dt.date(2025, 7, 2),
                "recorded_at": now + dt.timedelta(days=3),
                "source": "import",
                "category": "other_employment",
                "internship": True,
            },
        ],
    )
    await session.execute(delete(OUTCOMES))
    assert await stored(session) == [] != await reference(session)
    report = await session.run_sync(lambda s: rebuild(s.connection()))
    assert (report.graduates, report.events, report.rows) == (1, 2, 1)  # the internship changes nothing
    await assert_maintained(session)
    await session.commit()


async def _bulk_world(settings: Settings) -> None:
    """A graduate and one outcome inserted around the ORM (no flush hook), committed."""
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            session.add_all(guangdong_regions())
            await session.flush()
            school = School(code="4144010001", name="天河职校", region_code="440106")
            session.add(school)
            await session.flush()
            g = Graduate(name="李华", school_id=school.id, graduation_date=dt.date(2025, 6, 30), cohort=2025)
            session.add(g)
            await session.flush()
            await session.execute(
                insert(EVENTS),
                [
                    {
                        "graduate_id": g.id,
                        "kind": "outcome",
                        "occurred_on": dt.date(2025, 7, 1),
                        "source": "import",
                        "recorded_at": dt.datetime(2025, 8, 1, tzinfo=dt.UTC),
                        "category": "labour_contract",
                        "internship": False,
                    }
                ],
            )
            await session.commit()
    finally:
        await engine.dispose()


async def _stored_rows(settings: Settings) -> list[tuple[Any, ...]]:
    engine = make_engine(settings)
    try:
        async with make_sessionmaker(engine)() as session:
            assert await stored(session) == await reference(session)
            return await stored(session)
    finally:
        await engine.dispose()


def test_the_rebuild_command_fills_the_table(settings: Settings) -> None:
    run_async(lambda: _bulk_world(settings))
    result = CliRunner().invoke(main, ["outcomes", "rebuild"], env={"VOCMATCH_DATABASE_URL": settings.database_url})
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert (out["graduates"], out["events"], out["rows"]) == (1, 1, 1)
    assert len(run_async(lambda: _stored_rows(settings))) == 1
