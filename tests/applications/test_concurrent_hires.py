"""Business rules that protect the figures under real concurrency (issue 14, items 11 and 12), on
both databases, over real HTTP: a posting never takes more hires than it has openings, and of two
simultaneous moves of one application exactly one happens. (Before: 16 of 16 concurrent hires
succeeded on a one-opening posting, each recording an employment; a hire and a rejection of one
application both succeeded on SQLite, leaving a rejected application whose graduate counted as
employed.)"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.accounts.models import Role
from service.applications.models import Application, ApplicationEvent, ApplicationStatus
from service.db import make_sessionmaker
from service.destinations.models import DestinationEvent, DestinationSource
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.postings.models import Posting, PostingStatus

APPLICANTS = 16


async def _posting_with_offers(session: AsyncSession, openings: int, applicants: int) -> tuple[int, int, list[int]]:
    """A verified employer's posting with ``openings`` and ``applicants`` applications at ``offer``."""
    employer = Employer(name="广州数控设备有限公司", verified=True)
    session.add(employer)
    await session.flush()
    posting = Posting(title="数控车床操作工", employer_id=employer.id, openings=openings)
    graduates = [Graduate(name=f"毕业生{i}") for i in range(applicants)]
    session.add_all([posting, *graduates])
    await session.flush()
    apps = [
        Application(
            graduate_id=g.id,
            posting_id=posting.id,
            status=ApplicationStatus.OFFER,
            history=[
                ApplicationEvent(from_status=None, to_status=ApplicationStatus.APPLIED),
                ApplicationEvent(from_status=ApplicationStatus.APPLIED, to_status=ApplicationStatus.OFFER),
            ],
        )
        for g in graduates
    ]
    session.add_all(apps)
    await session.commit()
    return employer.id, posting.id, [a.id for a in apps]


def _move(client: httpx.Client, app: int, status: str) -> Callable[[], httpx.Response]:
    """A call that moves application ``app`` to ``status`` as ``client`` (for :func:`_at_once`)."""
    return lambda: client.post(f"/applications/{app}/status", json={"status": status})


def _at_once(calls: list[Callable[[], httpx.Response]]) -> list[int]:
    """Run ``calls`` in threads released together; their status codes, in order."""
    barrier = threading.Barrier(len(calls))
    out: list[int] = [0] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        out[i] = calls[i]().status_code

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


async def _counts(engine: AsyncEngine, posting_id: int) -> dict[str, object]:
    async with make_sessionmaker(engine)() as s:
        posting = await s.get(Posting, posting_id)
        hired = (
            await s.execute(
                select(func.count())
                .select_from(Application)
                .where(Application.posting_id == posting_id, Application.status == ApplicationStatus.HIRED)
            )
        ).scalar_one()
        hire_events = (
            await s.execute(
                select(func.count())
                .select_from(ApplicationEvent)
                .join(Application)
                .where(Application.posting_id == posting_id, ApplicationEvent.to_status == ApplicationStatus.HIRED)
            )
        ).scalar_one()
        employments = (
            await s.execute(
                select(func.count())
                .select_from(DestinationEvent)
                .where(DestinationEvent.source == DestinationSource.PLATFORM_HIRE)
            )
        ).scalar_one()
        return {
            "hired": hired,
            "hire_events": hire_events,
            "employments": employments,
            "hire_count": posting.hire_count,
            "status": posting.status,
        }


async def test_concurrent_hires_never_overfill_a_posting(
    client_as: Callable[..., httpx.Client], session: AsyncSession, engine: AsyncEngine
) -> None:
    employer_id, posting_id, apps = await _posting_with_offers(session, openings=1, applicants=APPLICANTS)
    clients = [client_as(Role.EMPLOYER, employer_id=employer_id) for _ in apps]
    statuses = _at_once([_move(c, a, "hired") for c, a in zip(clients, apps, strict=True)])
    assert Counter(statuses) == {200: 1, 409: APPLICANTS - 1}, statuses
    assert await _counts(engine, posting_id) == {
        "hired": 1,
        "hire_events": 1,
        "employments": 1,
        "hire_count": 1,
        "status": PostingStatus.FILLED,
    }
    refused = apps[statuses.index(409)]
    body = clients[0].get(f"/applications/{refused}").json()
    assert body["status"] == "offer" and [e["to_status"] for e in body["history"]] == ["applied", "offer"]
    # a full posting takes no more hires, one at a time either
    again = clients[0].post(f"/applications/{refused}/status", json={"status": "hired"})
    assert again.status_code == 409 and "no opening left (1 of 1 hired" in again.json()["detail"]


async def test_two_openings_take_exactly_two_hires(
    client_as: Callable[..., httpx.Client], session: AsyncSession, engine: AsyncEngine
) -> None:
    employer_id, posting_id, apps = await _posting_with_offers(session, openings=2, applicants=8)
    clients = [client_as(Role.EMPLOYER, employer_id=employer_id) for _ in apps]
    statuses = _at_once([_move(c, a, "hired") for c, a in zip(clients, apps, strict=True)])
    assert Counter(statuses) == {200: 2, 409: 6}, statuses
    assert await _counts(engine, posting_id) == {
        "hired": 2,
        "hire_events": 2,
        "employments": 2,
        "hire_count": 2,
        "status": PostingStatus.FILLED,
    }


@pytest.mark.parametrize("other", ["rejected", "withdrawn", "interview"])
async def test_two_simultaneous_moves_of_one_application_make_one_move(
    other: str, client_as: Callable[..., httpx.Client], session: AsyncSession, engine: AsyncEngine
) -> None:
    employer_id, posting_id, apps = await _posting_with_offers(session, openings=100, applicants=6)
    async with make_sessionmaker(engine)() as s:
        graduate_of = dict(
            (await s.execute(select(Application.id, Application.graduate_id).where(Application.id.in_(apps))))
            .tuples()
            .all()
        )
    employer = client_as(Role.EMPLOYER, employer_id=employer_id)
    for app in apps:
        mover = client_as(Role.GRADUATE, graduate_id=graduate_of[app]) if other == "withdrawn" else employer
        hire, move = _at_once([_move(employer, app, "hired"), _move(mover, app, other)])
        assert sorted((hire, move)) == [200, 409], (app, hire, move)
        body = employer.get(f"/applications/{app}").json()
        assert body["status"] == ("hired" if hire == 200 else other)
        assert [e["to_status"] for e in body["history"]] == ["applied", "offer", body["status"]]
    counts = await _counts(engine, posting_id)
    hired = counts["hired"]
    assert counts == {
        "hired": hired,
        "hire_events": hired,
        "employments": hired,
        "hire_count": hired,
        "status": PostingStatus.OPEN,
    }
    async with make_sessionmaker(engine)() as s:  # nobody not hired counts as employed through a hire
        employed = set(
            (
                await s.execute(
                    select(DestinationEvent.graduate_id).where(
                        DestinationEvent.source == DestinationSource.PLATFORM_HIRE
                    )
                )
            ).scalars()
        )
        hired_graduates = set(
            (
                await s.execute(select(Application.graduate_id).where(Application.status == ApplicationStatus.HIRED))
            ).scalars()
        )
    assert employed == hired_graduates


async def test_openings_cannot_drop_below_the_hires(
    client_as: Callable[..., httpx.Client], session: AsyncSession
) -> None:
    employer_id, posting_id, apps = await _posting_with_offers(session, openings=2, applicants=2)
    employer = client_as(Role.EMPLOYER, employer_id=employer_id)
    for app in apps:
        assert employer.post(f"/applications/{app}/status", json={"status": "hired"}).status_code == 200
    r = employer.patch(f"/postings/{posting_id}", json={"openings": 1})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "openings", r.text
    assert employer.patch(f"/postings/{posting_id}", json={"openings": 3, "status": "open"}).status_code == 200
