"""The follow-up list computed by the database (:func:`~service.destinations.followup.follow_up_page`,
one query per page) agrees with :func:`~service.destinations.followup.standing` (the Python rule)
on random histories — outcomes of every source, same-day ties, future outcomes, internships,
confirmations, disputes, school decisions — and its filters, sorts and pages agree with filtering
and sorting those rows in Python. Both backends."""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace
from typing import cast

from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.auth.guards import Principal
from service.destinations import followup as fu
from service.destinations.models import DestinationCategory as C
from service.destinations.models import DestinationEvent
from service.destinations.models import DestinationEventKind as K
from service.destinations.models import DestinationSource as S
from service.destinations.outcomes import rebuild
from service.graduates.models import Graduate

TODAY = dt.date(2025, 9, 1)
ADMIN = Principal(user_id=1, role=Role.ADMIN)
GRADUATES = 120


def _history(rng: random.Random, gid: int, ids: list[int]) -> list[dict[str, object]]:
    """0–4 outcomes then 0–3 events referring to them, ids assigned in ``recorded_at`` order mostly
    (a few recorded earlier than their id says, as imports of old records are)."""
    base = dt.datetime(2025, 7, 1, 8, tzinfo=dt.UTC)
    events: list[dict[str, object]] = []
    for _ in range(rng.choice([0, 1, 1, 1, 2, 3, 4])):
        source = rng.choice([S.PLATFORM_HIRE, S.SCHOOL_SURVEY, S.IMPORT, S.SELF_REPORT, S.SELF_REPORT])
        events.append(
            {
                "kind": K.OUTCOME,
                "source": source,
                "category": rng.choice(list(C)),
                "occurred_on": rng.choice([dt.date(2025, 7, 1), dt.date(2025, 8, 1), dt.date(2025, 10, 1)]),
                "internship": rng.random() < 0.15,
                "refers_to_id": None,
                "employer_name": rng.choice([None, "某某公司"]),
            }
        )
    for i, e in enumerate(events):
        e["id"] = ids.pop(0)
        e["recorded_at"] = base + dt.timedelta(hours=rng.choice([i, i, 0, 30 * 24]))
    outcomes = list(events)
    for i in range(rng.choice([0, 0, 1, 2, 3]) if outcomes else 0):
        target = rng.choice(outcomes)
        kind, source = rng.choice(
            [
                (K.CONFIRMATION, S.SELF_REPORT),
                (K.DISPUTE, S.SELF_REPORT),
                (K.CONFIRMATION, S.SCHOOL_REVIEW),
                (K.DISPUTE, S.SCHOOL_REVIEW),
                (K.OUTCOME, S.SCHOOL_SURVEY),
                (K.IN_FIELD_OVERRIDE, S.SCHOOL_REVIEW),
            ]
        )
        events.append(
            {
                "id": ids.pop(0),
                "kind": kind,
                "source": source,
                "category": target["category"],
                "occurred_on": target["occurred_on"],
                "internship": False,
                "refers_to_id": target["id"],
                "employer_name": None,
                "recorded_at": base + dt.timedelta(days=40 + rng.choice([i, 0])),
            }
        )
    for e in events:
        e["graduate_id"] = gid
    return events


async def _world(session: AsyncSession, seed: int) -> tuple[list[Graduate], list[dict[str, object]]]:
    rng = random.Random(seed)
    graduates = [
        Graduate(
            name=rng.choice(["张", "李", "王", "Ann", "ann"]) + f"{i % 17:02d}",
            cohort=2025,
            student_number=rng.choice([None, f"S{rng.randrange(1000):04d}"]),
            class_name=rng.choice([None, "数控1班", "数控2班", "Class A"]),
        )
        for i in range(GRADUATES)
    ]
    session.add_all(graduates)
    await session.flush()
    ids = list(range(1, 2000))
    rows = [e for g in graduates for e in _history(rng, g.id, ids)]
    await session.execute(insert(DestinationEvent), [e for e in rows if e["refers_to_id"] is None])
    await session.execute(insert(DestinationEvent), [e for e in rows if e["refers_to_id"] is not None])
    await session.flush()
    # inserted around the unit of work, as a bulk load is: the outcome table is rebuilt, as after one
    await session.run_sync(lambda s: rebuild(s.connection()))
    return graduates, rows


def _python_rows(graduates: list[Graduate], rows: list[dict[str, object]]) -> dict[int, fu.Standing]:
    by_graduate: dict[int, list[object]] = {g.id: [] for g in graduates}
    for e in rows:
        by_graduate[e["graduate_id"]].append(SimpleNamespace(in_field=None, **e))
    return {gid: fu.standing(events, TODAY) for gid, events in by_graduate.items()}


async def test_sql_standing_agrees_with_the_python_rule(session: AsyncSession) -> None:
    for seed in (1, 2):
        # a mapped class's table (typed as a FromClause); a Core delete skips the append-only guard
        await session.execute(cast(Table, DestinationEvent.__table__).delete())
        await session.execute(cast(Table, Graduate.__table__).delete())
        session.expunge_all()
        graduates, rows = await _world(session, seed)
        expected = _python_rows(graduates, rows)
        found = await fu.follow_up_page(
            session, ADMIN, fu.FollowUpFilter(cohort=2025), show_phone=False, today=TODAY, limit=GRADUATES + 1
        )
        page = found.page
        assert page.total == len(graduates) == len(page.items)
        for r in page.items:
            s = expected[r.graduate_id]
            got = (r.event_id, r.category, r.recorder, r.confirmation, r.last_update, r.flags)
            want = (s.event.id if s.event else None, s.category, s.recorder, s.confirmation, s.last_update, s.flags)
            assert got == want, (seed, r.graduate_id, [e for e in rows if e["graduate_id"] == r.graduate_id])
        summary = found.summary
        assert summary.total == len(graduates)
        assert summary.flag_counts == {f: sum(f in s.flags for s in expected.values()) for f in fu.Flag}


async def test_filters_sorts_and_pages_agree_with_python(session: AsyncSession) -> None:
    _, _ = await _world(session, 3)
    everything = (
        await fu.follow_up_page(session, ADMIN, fu.FollowUpFilter(cohort=2025), show_phone=False, today=TODAY)
    ).page.items
    keys = {
        "name": lambda r: (r.name, r.graduate_id),
        "student_number": lambda r: (r.student_number or "", r.graduate_id),
        "class": lambda r: (r.class_name or "", r.student_number or "", r.graduate_id),
        "category": lambda r: (r.category.value if r.category else "", r.graduate_id),
        "stale": lambda r: (r.days_since_update is not None, -(r.days_since_update or 0), r.graduate_id),
    }
    for sort, key in keys.items():
        for flag in (None, *fu.Flag):
            f = fu.FollowUpFilter(cohort=2025, flag=flag, sort=sort)
            want = sorted((r for r in everything if flag is None or flag in r.flags), key=key)
            pages = [
                (await fu.follow_up_page(session, ADMIN, f, show_phone=False, limit=40, offset=o, today=TODAY)).page
                for o in range(0, len(want) + 40, 40)
            ]
            assert [r.graduate_id for p in pages for r in p.items] == [r.graduate_id for r in want], (sort, flag)
            assert {p.total for p in pages} == {len(want)}
    for f, keep in (
        (fu.FollowUpFilter(cohort=2025, q="ann"), lambda r: "ann" in r.name),
        (fu.FollowUpFilter(cohort=2025, class_name="数控1班"), lambda r: r.class_name == "数控1班"),
    ):
        got = (await fu.follow_up_page(session, ADMIN, f, show_phone=False, today=TODAY)).page.items
        assert {r.graduate_id for r in got} == {r.graduate_id for r in everything if keep(r)}


async def test_the_list_runs_without_jit_on_postgresql(session: AsyncSession, backend: str) -> None:
    """PostgreSQL's JIT compiled the list's query for longer than it ran (2.0 of 2.9 s at 3,000
    graduates): the list turns it off for its transaction there; SQLite has nothing to turn off."""
    from sqlalchemy import text

    await fu.follow_up_page(
        session, Principal(user_id=1, role=Role.ADMIN), fu.FollowUpFilter(cohort=2025), show_phone=False, limit=50
    )
    if backend == "postgresql":
        assert (await session.execute(text("SHOW jit"))).scalar() == "off"
