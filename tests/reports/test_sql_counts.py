"""The in-database counts (counts_sql, from the maintained outcome table and from the events by window
functions) against the per-graduate Python reference (compute), on
random event histories built to hit every rule of the precedence: same-day outcomes from several
sources, equal recording times (id decides), disputes confirmed again, overrides of overrides,
internships, events recorded after the cut-off, outcomes dated before graduation, graduation on
a quarter's last day, graduates without a date or still studying, schools filed at city level."""

from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import Major, School
from service.destinations.models import DestinationEvent, DestinationEventKind
from service.graduates.models import Gender, Graduate
from service.reports.build import median_salary
from service.reports.compute import ReportParams, Scope, aggregate, load_outcomes
from service.reports.counts_sql import Source, count_report
from service.reports.definitions import COUNT_COLUMNS
from tests.destinations.test_outcome_table import reference, stored
from tests.factories import places

CATEGORIES = [
    "employment_agreement",
    "labour_contract",
    "other_employment",
    "self_employed",
    "freelance",
    "military",
    "further_study",
    "abroad",
    "seeking",
    "not_seeking",
]
SOURCES = ["platform_hire", "school_survey", "import", "self_report", "school_review"]
DAYS = [
    dt.date(2024, 7, 1),
    dt.date(2025, 1, 1),
    dt.date(2025, 3, 31),
    dt.date(2025, 4, 1),
    dt.date(2025, 7, 1),
    dt.date(2025, 7, 15),
    dt.date(2025, 9, 1),
    dt.date(2025, 10, 1),
    dt.date(2025, 12, 31),
    dt.date(2026, 1, 1),
    dt.date(2026, 4, 1),
    dt.date(2026, 6, 30),
]
RECORDED = [dt.datetime(2025, m, 1, tzinfo=dt.UTC) for m in (1, 4, 8, 10, 12)] + [
    dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
]
GRADUATION = [
    dt.date(2025, 6, 30),
    dt.date(2025, 6, 30),
    dt.date(2025, 1, 15),
    dt.date(2025, 3, 31),
    dt.date(2024, 6, 30),
    dt.date(2026, 1, 10),
    None,
]


async def _random_world(session: AsyncSession, seed: int, n: int = 90) -> None:
    rng = random.Random(seed)
    session.add_all(
        [
            *places("440000", "440100", "440106", "440300", "450100"),
            Major(code="730801", name="物流服务与管理", category="财经商贸大类"),
            Major(code="740202", name="西餐烹饪", category="旅游大类"),
        ]
    )
    await session.flush()
    schools = [
        School(code="4144010001", name="A", region_code="440106"),
        School(code="4144030001", name="B", region_code="440300"),  # city level: county "440300*"
        School(code="4145010001", name="C", region_code="450100"),
    ]
    session.add_all(schools)
    await session.flush()
    graduates = []
    for i in range(n):
        day = rng.choice(GRADUATION)
        graduates.append(
            Graduate(
                name=f"g{i}",
                school_id=rng.choice(schools).id,
                major_code=rng.choice(["730801", "740202", None]),
                student_number=f"{i:06d}",
                gender=rng.choice(list(Gender)),
                graduation_date=day,
                cohort=rng.choice([2024, 2025]) if day is None else (2024 if day.year == 2024 else 2025),
                disadvantaged=rng.choice([True, False, None]),
            )
        )
    session.add_all(graduates)
    await session.flush()
    outcomes: dict[int, list[DestinationEvent]] = {}
    for g in graduates:
        for _ in range(rng.choice([0, 1, 1, 2, 3, 4, 6])):
            employed = rng.random() < 0.6
            ev = DestinationEvent(
                graduate_id=g.id,
                kind=DestinationEventKind.OUTCOME,
                occurred_on=rng.choice(DAYS),
                recorded_at=rng.choice(RECORDED),
                source=rng.choice(SOURCES),
                category=rng.choice(CATEGORIES[:6] if employed else CATEGORIES),
                internship=rng.random() < 0.1,
                region_code=rng.choice(["440106", "440100", "440300", "450100", None]),
                monthly_salary=rng.choice([None, 2999, 3000, 3999, 4000, 4500, 5000, 6000, 7300, 9000]),
                labour_contract=rng.choice([True, False, None]),
                social_insurance=rng.choice([True, False, None]),
                in_field=rng.choice([True, False, None]),
            )
            outcomes.setdefault(g.id, []).append(ev)
            session.add(ev)
    await session.flush()
    for gid, events in outcomes.items():
        for _ in range(rng.choice([0, 0, 1, 2, 3])):
            target = rng.choice(events)
            kind = rng.choice(
                [
                    DestinationEventKind.CONFIRMATION,
                    DestinationEventKind.DISPUTE,
                    DestinationEventKind.DISPUTE,
                    DestinationEventKind.IN_FIELD_OVERRIDE,
                ]
            )
            session.add(
                DestinationEvent(
                    graduate_id=gid,
                    kind=kind,
                    refers_to_id=target.id,
                    occurred_on=target.occurred_on,
                    recorded_at=rng.choice(RECORDED),
                    source="school_review" if kind == "in_field_override" else "self_report",
                    category=target.category,
                    in_field=rng.choice([True, False, None]),
                )
            )
            await session.flush()
    await session.commit()


CASES = [
    ("all", (2025,), dt.date(2025, 12, 31), dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
    ("all", (2024, 2025), dt.date(2025, 9, 1), dt.datetime(2025, 10, 1, tzinfo=dt.UTC)),
    ("all", (2024, 2025), dt.date(2026, 6, 30), dt.datetime(2030, 1, 1, tzinfo=dt.UTC)),
    ("all", (2025,), dt.date(2025, 3, 31), dt.datetime(2030, 1, 1, tzinfo=dt.UTC)),
    ("school:4144030001", (2024, 2025), dt.date(2026, 1, 1), dt.datetime(2026, 3, 1, tzinfo=dt.UTC)),
    ("region:440000", (2025,), dt.date(2025, 12, 31), dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
    # no graduate in scope: no row at all (GROUPING SETS' empty set would give a total of zeros)
    ("all", (2019,), dt.date(2025, 12, 31), dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
]


def middle_values(values: list[int]) -> list[int]:
    """The one (odd count) or two (even count) middle values of ``values``, in order."""
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2 : len(ordered) // 2 + 1]


@pytest.mark.parametrize("seed", [1, 2])
async def test_sql_counts_equal_the_python_reference(session: AsyncSession, seed: int) -> None:
    """Both counting paths — the maintained outcome table (written by the flush hook as the world
    was built event by event) and the window functions over the events — equal the reference."""
    await _random_world(session, seed)
    assert await stored(session) == await reference(session)  # the table itself, row by row
    checked = 0
    for scope, cohorts, as_of, cutoff in CASES:
        params = ReportParams(scope=Scope.parse(scope), cohorts=cohorts, as_of=as_of, recorded_before=cutoff)
        outcomes, excluded = await load_outcomes(session, params)
        counts, salaries = aggregate(outcomes)
        expected = {row: {c: cnt.get(c, 0) for c in COUNT_COLUMNS} for row, cnt in counts.items()}
        # PostgreSQL: one GROUPING SETS pass (its default) and the GROUP BY per breakdown SQLite runs
        shapes = (True, False) if session.bind.dialect.name == "postgresql" else (False,)
        sources: tuple[Source, ...] = ("table", "events")
        for source, grouped in itertools.product(sources, shapes):
            got = await count_report(session, params, source=source, grouping_sets=grouped)
            where = (source, grouped, scope, as_of)
            assert got.excluded == excluded, where
            assert set(got.counts) == set(expected), where
            for row in expected:
                assert got.counts[row] == expected[row], (*where, row)
            assert set(got.middles) == set(salaries), where
            for row, values in salaries.items():
                assert sorted(got.middles[row]) == middle_values(values), (*where, row)
                assert median_salary(got.middles[row]) == median_salary(values), (*where, row)
        checked += sum(expected[("total", "total")].values()) if ("total", "total") in expected else 0
    assert checked > 500  # the cases really counted something
