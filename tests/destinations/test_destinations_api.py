"""Destination history over real HTTP on both backends: append-only events, 对口 proposals,
school overrides, graduate confirmation / dispute, and the precedence rule for ``current``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.destinations.models import AppendOnlyError, DestinationCategory, DestinationEvent
from service.employers.models import Employer
from tests.destinations.conftest import _outcome


def test_outcome_gets_in_field_proposal_and_contract(client: httpx.Client, graduate_id: int) -> None:
    r = client.post(f"/graduates/{graduate_id}/destinations", json=_outcome())
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["in_field"] is True
    assert body["occupation_code"] == "occ.warehouse-keeper"
    assert "730801" in body["in_field_reason"]
    assert body["labour_contract"] is True
    assert body["kind"] == "outcome"

    r = client.post(f"/graduates/{graduate_id}/destinations", json=_outcome(job_title="西餐厨师"))
    assert r.json()["in_field"] is False


def test_unknown_title_leaves_in_field_open(client: httpx.Client, graduate_id: int) -> None:
    r = client.post(f"/graduates/{graduate_id}/destinations", json=_outcome(job_title="某某岗位ZZZ"))
    assert r.status_code == 201
    assert r.json()["in_field"] is None
    assert "未提出" in r.json()["in_field_reason"]


def test_override_confirm_dispute_are_new_events(client: httpx.Client, graduate_id: int) -> None:
    base = f"/graduates/{graduate_id}/destinations"
    first = client.post(base, json=_outcome()).json()
    r = client.post(f"{base}/{first['id']}/in-field-override", json={"in_field": False, "reason": "实际从事销售"})
    assert r.status_code == 201, r.text
    assert r.json()["kind"] == "in_field_override" and r.json()["refers_to_id"] == first["id"]
    hist = client.get(base, params={"as_of": "2025-09-01"}).json()
    assert hist["current"] == {
        "event_id": first["id"],
        "category": "labour_contract",
        "employed": True,
        "in_field": False,
        "in_field_overridden": True,
        "confirmed": False,
    }
    assert [e["kind"] for e in hist["events"]] == ["outcome", "in_field_override"]
    assert hist["events"][0]["in_field"] is True  # the outcome itself is unchanged

    assert client.post(f"{base}/{first['id']}/dispute", json={"reason": "我没有去这家公司"}).status_code == 201
    assert client.get(base, params={"as_of": "2025-09-01"}).json()["current"] is None
    assert client.post(f"{base}/{first['id']}/confirmation", json={}).status_code == 201
    current = client.get(base, params={"as_of": "2025-09-01"}).json()["current"]
    assert current["event_id"] == first["id"] and current["confirmed"] is True
    # before the outcome took effect nothing counts
    assert client.get(base, params={"as_of": "2025-07-14"}).json()["current"] is None


def test_precedence_latest_day_then_source(client: httpx.Client, graduate_id: int) -> None:
    base = f"/graduates/{graduate_id}/destinations"
    survey = client.post(base, json=_outcome(occurred_on="2025-08-01")).json()
    client.post(base, json=_outcome(occurred_on="2025-08-01", source="self_report", employer_name="另一家公司"))
    assert client.get(base, params={"as_of": "2025-09-01"}).json()["current"]["event_id"] == survey["id"]
    later = client.post(
        base,
        json=_outcome(
            occurred_on="2025-08-20",
            source="self_report",
            category="further_study",
            employer_name=None,
            monthly_salary=None,
        ),
    ).json()
    assert client.get(base, params={"as_of": "2025-09-01"}).json()["current"]["event_id"] == later["id"]
    assert client.get(base, params={"as_of": "2025-08-10"}).json()["current"]["event_id"] == survey["id"]


@pytest.mark.parametrize("source", ["self_report", "school_survey", "import"])
def test_internship_is_refused_as_a_destination(
    client: httpx.Client, client_as: Callable[..., httpx.Client], graduate_id: int, source: str
) -> None:
    """Issue 15 item 7: an internship is never a destination, whoever reports it. A self-report
    (by the graduate), a school survey or an import flagged ``internship`` is refused (422 on the
    field) with the way to record it instead (an internship placement); nothing is stored."""
    base = f"/graduates/{graduate_id}/destinations"
    sender = client_as(Role.GRADUATE, graduate_id=graduate_id) if source == "self_report" else client
    r = sender.post(base, json=_outcome(source=source, category="other_employment", internship=True))
    assert r.status_code == 422, r.text
    (error,) = r.json()["errors"]
    assert error["field"] == "internship" and "/internships" in error["message"]
    assert client.get(base).json()["events"] == []
    assert sender.post(base, json=_outcome(source=source, internship=False)).status_code == 201


async def test_stored_internship_never_replaces_a_confirmed_job(
    client: httpx.Client, session: AsyncSession, graduate_id: int
) -> None:
    """Internship outcomes stored before they were refused rank below every other outcome (rule 5
    of service.destinations.precedence): a later internship leaves a confirmed 签劳动合同 counting,
    whatever its source; alone it counts as 待就业, never as employment; no 对口 for it."""
    base = f"/graduates/{graduate_id}/destinations"
    job = client.post(base, json=_outcome(occurred_on="2025-07-15")).json()
    assert client.post(f"{base}/{job['id']}/confirmation", json={}).status_code == 201
    recorded = dt.datetime.now(dt.UTC)
    legacy = [
        DestinationEvent(
            graduate_id=graduate_id,
            occurred_on=dt.date(2025, 8, day),
            recorded_at=recorded,
            source=source,
            category="other_employment",
            internship=True,
        )
        for day, source in ((1, "platform_hire"), (2, "self_report"), (3, "import"))
    ]
    session.add_all(legacy)
    await session.commit()
    current = client.get(base, params={"as_of": "2025-09-01"}).json()["current"]
    assert current["event_id"] == job["id"] and current["category"] == "labour_contract"
    assert current["employed"] is True and current["confirmed"] is True
    # before the job: only the internship of 2025-07-10 is known, and it counts as 待就业
    early = DestinationEvent(
        graduate_id=graduate_id,
        occurred_on=dt.date(2025, 7, 10),
        recorded_at=recorded,
        source="school_survey",
        category="labour_contract",
        internship=True,
    )
    session.add(early)
    await session.commit()
    before = client.get(base, params={"as_of": "2025-07-12"}).json()["current"]
    assert before["event_id"] == early.id and before["category"] == "seeking" and before["employed"] is False
    r = client.post(f"{base}/{early.id}/in-field-override", json={"in_field": True, "reason": "对口实习"})
    assert r.status_code == 422
    # disputing the job leaves the latest internship, as 待就业
    assert client.post(f"{base}/{job['id']}/dispute", json={"reason": "已离职"}).status_code == 201
    after = client.get(base, params={"as_of": "2025-09-01"}).json()["current"]
    assert after["event_id"] == legacy[-1].id and after["category"] == "seeking"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (_outcome(source="platform_hire"), "source"),
        (_outcome(occurred_on="2999-01-01"), "occurred_on"),
        (_outcome(region_code="999999"), "region_code"),
        (_outcome(employer_id=999), "employer_id"),
        (_outcome(category="seeking"), "employer_name"),
        (_outcome(labour_contract=False), "labour_contract"),
        (_outcome(occurred_on="0001-01-01"), "occurred_on"),
        (_outcome(occurred_on="1949-12-31"), "occurred_on"),
        (_outcome(monthly_salary=1_000_000), "monthly_salary"),
        (_outcome(monthly_salary=200_001), "monthly_salary"),
    ],
)
def test_bad_fields_are_named(client: httpx.Client, graduate_id: int, body: dict[str, object], field: str) -> None:
    r = client.post(f"/graduates/{graduate_id}/destinations", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == field


def test_plausible_bounds_are_accepted(client: httpx.Client, graduate_id: int) -> None:
    r = client.post(
        f"/graduates/{graduate_id}/destinations", json=_outcome(occurred_on="1950-01-01", monthly_salary=200_000)
    )
    assert r.status_code == 201, r.text


async def test_graduates_cannot_name_employers_they_may_not_read(
    client: httpx.Client, client_as: Callable[..., httpx.Client], session: AsyncSession, graduate_id: int
) -> None:
    """A self-report's ``employer_id`` must be an employer the graduate may read (a verified one):
    a hidden employer answers exactly as an unknown id, so its name never leaks and ids cannot be
    enumerated. Staff may link any employer."""
    hidden, shown = Employer(name="隐藏待审核公司", verified=False), Employer(name="广州某物流公司", verified=True)
    session.add_all([hidden, shown])
    await session.commit()
    graduate = client_as(Role.GRADUATE, graduate_id=graduate_id)
    url = f"/graduates/{graduate_id}/destinations"
    own = {"source": "self_report", "employer_name": None}

    answers = [graduate.post(url, json=_outcome(**own, employer_id=ident)) for ident in (hidden.id, 987654)]
    for answer, ident in zip(answers, (hidden.id, 987654), strict=True):
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == "employer_id"
        assert f"employer {ident} does not exist" in answer.text
        assert "隐藏" not in answer.text
    assert answers[0].text.replace(str(hidden.id), "N") == answers[1].text.replace("987654", "N")

    linked = graduate.post(url, json=_outcome(**own, employer_id=shown.id))
    assert linked.status_code == 201 and linked.json()["employer_name"] == "广州某物流公司"
    staff = client.post(url, json=_outcome(employer_name=None, employer_id=hidden.id))
    assert staff.status_code == 201 and staff.json()["employer_name"] == "隐藏待审核公司"


def test_not_found_and_conflict(client: httpx.Client, graduate_id: int) -> None:
    assert client.get("/graduates/999/destinations").status_code == 404
    assert client.post("/graduates/999/destinations", json=_outcome()).status_code == 404
    base = f"/graduates/{graduate_id}/destinations"
    first = client.post(base, json=_outcome()).json()
    override = client.post(f"{base}/{first['id']}/dispute", json={"reason": "不对"}).json()
    assert client.post(f"{base}/{override['id']}/confirmation", json={}).status_code == 409
    assert client.post(f"{base}/12345/confirmation", json={}).status_code == 404
    r = client.post(f"{base}/{first['id']}/dispute", json={"reason": ""})
    assert r.status_code == 400


async def test_events_cannot_be_changed(session: AsyncSession, graduate_id: int) -> None:
    session.add(
        DestinationEvent(graduate_id=graduate_id, occurred_on=dt.date(2025, 7, 1), source="import", category="seeking")
    )
    await session.commit()
    event = (await session.execute(select(DestinationEvent))).scalar_one()
    event.category = DestinationCategory.FURTHER_STUDY
    with pytest.raises(AppendOnlyError):
        await session.flush()


@pytest.mark.parametrize(
    ("employment_type", "internship"), [("FULL_TIME", False), ("INTERN", True), ("WORK_PLACEMENT", True)]
)
async def test_platform_hire_records_destination(
    client: httpx.Client, session: AsyncSession, graduate_id: int, employment_type: str, internship: bool
) -> None:
    """A job hire records an employment destination; an internship (顶岗实习) hire records none
    (issue 15 item 7: internships are never destinations)."""
    from service.employers.models import Employer
    from service.postings.models import Posting

    employer = Employer(name="广州某物流公司", industry="物流")
    session.add(employer)
    await session.flush()
    posting = Posting(
        title="仓库管理员",
        employer_id=employer.id,
        region_code="440106",
        salary_min_monthly=4000,
        employment_type=employment_type,
        posted_on=dt.date(2025, 7, 1),
    )
    session.add(posting)
    await session.commit()
    app = client.post("/applications", json={"graduate_id": graduate_id, "posting_id": posting.id}).json()
    for status in ("interview", "offer", "hired"):
        r = client.post(f"/applications/{app['id']}/status", json={"status": status})
        assert r.status_code == 200, r.text
    hist = client.get(f"/graduates/{graduate_id}/destinations").json()
    if internship:
        assert hist["events"] == [] and hist["current"] is None
        return
    (event,) = hist["events"]
    assert event["source"] == "platform_hire" and event["internship"] is False
    assert event["in_field"] is True and event["application_id"] == app["id"]
    assert hist["current"]["employed"] is True


def test_no_in_field_for_conscripts(client: httpx.Client, graduate_id: int) -> None:
    """应征义务兵 holds no job: no 对口 proposal (even with a title that would be in field), and no override."""
    base = f"/graduates/{graduate_id}/destinations"
    r = client.post(
        base, json=_outcome(category="military", employer_name=None, monthly_salary=None, social_insurance=None)
    )
    assert r.status_code == 201, r.text
    assert r.json()["in_field"] is None and r.json()["in_field_reason"] is None
    r = client.post(f"{base}/{r.json()['id']}/in-field-override", json={"in_field": True, "reason": "仓储兵"})
    assert r.status_code == 422 and "military" in r.text


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"occurred_on": (dt.date.today() + dt.timedelta(days=2)).isoformat()}, "occurred_on", "date_in_future"),
        ({"occurred_on": "1949-12-31"}, "occurred_on", "date_too_early"),
        ({"category": "seeking", "employer_name": "某公司"}, "employer_name", "not_for_category"),
        ({"region_code": "999999"}, "region_code", "unknown_region"),
    ],
)
def test_refusals_name_the_rule_by_a_stable_code(
    client: httpx.Client, graduate_id: int, change: dict[str, object], field: str, code: str
) -> None:
    """The code pages translate by (service/web/common.py ``MESSAGES_BY_CODE``) is in the API's problem too."""
    r = client.post(f"/graduates/{graduate_id}/destinations", json=_outcome() | change)
    assert r.status_code == 422, r.text
    assert [(e["field"], e["code"]) for e in r.json()["errors"]] == [(field, code)]
