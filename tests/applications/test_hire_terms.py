"""Hires with a start date and agreed pay (issue 15 item 6) and internship hires that never replace a
confirmed employment (item 7), over real HTTP on both backends."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.applications.models import Application
from service.config import latest_today
from service.destinations.models import DestinationEvent
from service.destinations.service import HIRE_START_BEFORE_GRADUATION_DAYS
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.postings.models import Posting
from tests.factories import places

TODAY = dt.date.today()
GRADUATED = TODAY - dt.timedelta(days=30)


@pytest.fixture
async def ids(session: AsyncSession) -> dict[str, int]:
    session.add_all(
        [
            *places("440000", "440100"),
        ]
    )
    employer = Employer(name="广州数控设备有限公司", industry="制造业", verified=True)
    graduate = Graduate(name="陈小明", graduation_date=GRADUATED, cohort=GRADUATED.year)
    session.add_all([employer, graduate])
    await session.flush()
    job = Posting(
        title="数控车床操作工",
        employer_id=employer.id,
        region_code="440100",
        salary_min_monthly=4000,
        openings=3,
        employment_type="FULL_TIME",
    )
    placement = Posting(
        title="数控车床顶岗实习",
        employer_id=employer.id,
        region_code="440100",
        salary_min_monthly=2000,
        employment_type="WORK_PLACEMENT",
    )
    session.add_all([job, placement])
    await session.commit()
    return {"graduate": graduate.id, "job": job.id, "placement": placement.id}


def _applied(client: httpx.Client, ids: dict[str, int], posting: str = "job") -> int:
    r = client.post("/applications", json={"graduate_id": ids["graduate"], "posting_id": ids[posting]})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _hire(client: httpx.Client, application_id: int, **terms: object) -> httpx.Response:
    return client.post(f"/applications/{application_id}/status", json={"status": "hired", **terms})


async def _events(session: AsyncSession) -> list[DestinationEvent]:
    return list(
        (
            await session.execute(
                select(DestinationEvent).order_by(DestinationEvent.id).execution_options(populate_existing=True)
            )
        ).scalars()
    )


async def test_destination_carries_start_date_pay_contract_and_insurance(
    client: httpx.Client, session: AsyncSession, ids: dict[str, int]
) -> None:
    start = TODAY - dt.timedelta(days=5)
    r = _hire(
        client,
        _applied(client, ids),
        start_date=start.isoformat(),
        monthly_salary=4800,
        destination_category="labour_contract",
        social_insurance=False,
    )
    assert r.status_code == 200, r.text
    (event,) = await _events(session)
    assert (event.occurred_on, event.monthly_salary, event.category, event.labour_contract, event.social_insurance) == (
        start,
        4800,
        "labour_contract",
        True,
        False,
    )
    history = client.get(f"/graduates/{ids['graduate']}/destinations").json()
    assert history["current"]["category"] == "labour_contract" and history["current"]["employed"] is True


async def test_pay_not_given_is_unknown_not_the_postings_minimum(
    client: httpx.Client, session: AsyncSession, ids: dict[str, int]
) -> None:
    assert _hire(client, _applied(client, ids)).status_code == 200
    (event,) = await _events(session)
    # no start date given: the hire starts on the users' today (Beijing's, or the server's if later)
    assert (event.occurred_on, event.monthly_salary, event.social_insurance) == (latest_today(), None, None)


@pytest.mark.parametrize(
    ("terms", "field", "words"),
    [
        ({"start_date": (TODAY + dt.timedelta(days=2)).isoformat()}, "start_date", "in the future"),
        (
            {"start_date": (GRADUATED - dt.timedelta(days=HIRE_START_BEFORE_GRADUATION_DAYS + 1)).isoformat()},
            "start_date",
            "before the graduate's graduation",
        ),
        ({"monthly_salary": 0}, "monthly_salary", "outside"),
        ({"monthly_salary": -3000}, "monthly_salary", "outside"),
        ({"monthly_salary": 200_001}, "monthly_salary", "outside"),
    ],
)
async def test_impossible_hire_terms_are_refused_naming_the_field(
    client: httpx.Client, session: AsyncSession, ids: dict[str, int], terms: dict[str, object], field: str, words: str
) -> None:
    application_id = _applied(client, ids)
    r = _hire(client, application_id, **terms)
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["errors"][0]["field"] == field and words in problem["errors"][0]["message"], problem
    # nothing written: the application is still open, no destination, the opening not taken
    assert client.get(f"/applications/{application_id}").json()["status"] == "applied"
    assert await _events(session) == []
    hire_count = (
        await session.execute(
            select(Posting.hire_count).where(Posting.id == ids["job"]).execution_options(populate_existing=True)
        )
    ).scalar_one()
    assert hire_count == 0


async def test_bounds_themselves_are_accepted(client: httpx.Client, session: AsyncSession, ids: dict[str, int]) -> None:
    earliest = GRADUATED - dt.timedelta(days=HIRE_START_BEFORE_GRADUATION_DAYS)
    r = _hire(client, _applied(client, ids), start_date=earliest.isoformat(), monthly_salary=200_000)
    assert r.status_code == 200, r.text
    (event,) = await _events(session)
    assert (event.occurred_on, event.monthly_salary) == (earliest, 200_000)


@pytest.mark.parametrize("field", ["start_date", "monthly_salary", "social_insurance"])
async def test_hire_terms_only_with_hired(client: httpx.Client, ids: dict[str, int], field: str) -> None:
    value = {"start_date": TODAY.isoformat(), "monthly_salary": 4000, "social_insurance": True}[field]
    r = client.post(f"/applications/{_applied(client, ids)}/status", json={"status": "offer", field: value})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, r.text


async def test_internship_hire_leaves_a_confirmed_contract_intact(
    client: httpx.Client, session: AsyncSession, ids: dict[str, int]
) -> None:
    """Issue 15 item 7: a 签劳动合同 the graduate confirmed stays their destination after an
    employer marks them hired for a 顶岗实习 posting (it used to become 待就业)."""
    outcome = client.post(
        f"/graduates/{ids['graduate']}/destinations",
        json={
            "occurred_on": (TODAY - dt.timedelta(days=20)).isoformat(),
            "source": "school_survey",
            "category": "labour_contract",
            "employer_name": "佛山某机械厂",
            "monthly_salary": 5200,
        },
    )
    assert outcome.status_code == 201, outcome.text
    confirmed = client.post(f"/graduates/{ids['graduate']}/destinations/{outcome.json()['id']}/confirmation", json={})
    assert confirmed.status_code == 201, confirmed.text

    r = _hire(client, _applied(client, ids, "placement"))
    assert r.status_code == 200 and r.json()["status"] == "hired", r.text

    history = client.get(f"/graduates/{ids['graduate']}/destinations").json()
    current = history["current"]
    assert (current["event_id"], current["category"], current["employed"], current["confirmed"]) == (
        outcome.json()["id"],
        "labour_contract",
        True,
        True,
    )
    assert [e["source"] for e in history["events"] if e["kind"] == "outcome"] == ["school_survey"]
    application = (
        await session.execute(
            select(Application)
            .where(Application.posting_id == ids["placement"])
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    assert application.status == "hired"
