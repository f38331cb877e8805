"""List scoping clauses on a real database (SQLite and PostgreSQL): each account lists exactly
its own side of the world, never the foreign one."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.applications.models import Application
from service.auth.scoping import (
    applications_clause,
    destinations_clause,
    employers_clause,
    graduates_clause,
    postings_clause,
    schools_clause,
    visible_to_graduates_clause,
)
from service.catalog.models import School
from service.destinations.models import DestinationCategory, DestinationEvent, DestinationSource
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.postings.models import Posting
from tests.accounts.conftest import ACCOUNTS, World

ALL = list(ACCOUNTS)


def own(*families: str, **extra: str) -> dict[str, str]:
    expected = dict.fromkeys(ALL, "") | {"admin": "AB"}
    for family in families:
        expected[f"{family}_a"], expected[f"{family}_b"] = "A", "B"
    return expected | extra


STAFF_ALL = {"school_a": "AB", "school_b": "AB", "department_a": "AB", "department_b": "AB"}
CASES: dict[str, tuple[Any, Any, str, dict[str, str]]] = {
    "graduates": (Graduate, graduates_clause, "graduate", own("graduate", "employer", "school", "department")),
    "postings": (Posting, postings_clause, "posting", own("employer", graduate_a="A", graduate_b="A", **STAFF_ALL)),
    "employers": (
        Employer,
        employers_clause,
        "employer",
        own(graduate_a="A", graduate_b="A", employer_a="A", employer_b="AB", **STAFF_ALL),
    ),
    "applications": (
        Application,
        applications_clause,
        "application",
        own("graduate", "employer", "school", "department"),
    ),
    "schools": (School, schools_clause, "school", own("school", "department")),
}


def side_of(world: World, kind: str, ident: int) -> str:
    return next(s.upper() for s in "ab" if world.ids[f"{kind}_{s}"] == ident)


@pytest.mark.parametrize("case", CASES)
async def test_lists_are_scoped(session: AsyncSession, world: World, case: str) -> None:
    model, clause, kind, expected = CASES[case]
    for account in ALL:
        ids = (await session.execute(select(model.id).where(clause(world.principals[account])))).scalars().all()
        got = "".join(sorted(side_of(world, kind, i) for i in ids))
        assert got == expected[account], f"{case} listed by {account}"


async def test_destinations_are_scoped(session: AsyncSession, world: World) -> None:
    for side in "ab":
        session.add(
            DestinationEvent(
                graduate_id=world.ids[f"graduate_{side}"],
                occurred_on=dt.date(2025, 7, 1),
                source=DestinationSource.SCHOOL_SURVEY,
                category=DestinationCategory.LABOUR_CONTRACT,
            )
        )
    await session.commit()
    expected = own("graduate", "school", "department")
    for account in ALL:
        stmt = select(DestinationEvent.graduate_id).where(destinations_clause(world.principals[account]))
        got = "".join(sorted(side_of(world, "graduate", g) for g in (await session.execute(stmt)).scalars()))
        assert got == expected[account], account


async def test_unverified_employers_postings_hidden_until_verified(session: AsyncSession, world: World) -> None:
    visible = select(Posting.id).where(visible_to_graduates_clause())
    assert (await session.execute(visible)).scalars().all() == [world.ids["posting_a"]]
    employer_b = await session.get(Employer, world.ids["employer_b"])
    assert employer_b is not None
    employer_b.verified = True
    await session.commit()
    assert sorted((await session.execute(visible)).scalars().all()) == [world.ids["posting_a"], world.ids["posting_b"]]
