"""Interview fixtures: a hiring world (employer A with two members, graduate 陈小明 with an account,
an open posting) with an application, a second employer B with its own member and applicant, and
clients signed in as each of those accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.applications.models import Application, ApplicationEvent, ApplicationStatus
from service.config import Settings
from tests.conftest import LiveServer
from tests.factories import bearer_clients
from tests.notifications.conftest import Hiring, hiring_world

SH = dt.timezone(dt.timedelta(hours=8))


@dataclass
class Two:
    """Employer A's world (``a``) with application ``application_a``; employer B's (``b``) with ``application_b``."""

    a: Hiring
    b: Hiring
    application_a: int
    application_b: int


async def _apply(session: AsyncSession, world: Hiring) -> int:
    application = Application(
        graduate_id=world.graduate.id,
        posting_id=world.posting.id,
        history=[ApplicationEvent(from_status=None, to_status=ApplicationStatus.APPLIED)],
    )
    session.add(application)
    await session.flush()
    return application.id


async def build_two(session: AsyncSession) -> Two:
    a, b = await hiring_world(session), await hiring_world(session)
    b.employer.name = "南宁糖业股份有限公司"
    two = Two(a=a, b=b, application_a=await _apply(session, a), application_b=await _apply(session, b))
    await session.commit()
    return two


@pytest.fixture
async def two(session: AsyncSession) -> Two:
    return await build_two(session)


@pytest.fixture
def bearer(server: LiveServer, settings: Settings) -> Iterator[Callable[[int], httpx.Client]]:
    """``bearer(user_id)`` → an HTTP client signed in as that existing account."""
    with bearer_clients(server.base_url, settings) as make:
        yield make


def at(hours: float) -> str:
    """An ISO 8601 instant ``hours`` from now in Beijing time, whole minutes."""
    moment = (dt.datetime.now(SH) + dt.timedelta(hours=hours)).replace(second=0, microsecond=0)
    return moment.isoformat()


def proposal(*hours: float, **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "slots": [{"starts_at": at(h), "duration_minutes": 45} for h in hours],
        "mode": "in_person",
        "place": "广州市天河区科韵路16号, 3号楼; 前台",
    }
    body.update(extra)
    return body
