"""The follow-up standing (flags, recorder, confirmation state) from event histories, and the
evidence of a survey outcome through the destinations API on both backends."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.auth.guards import Principal
from service.destinations.followup import Confirmation, Flag, FollowUpFilter, Recorder, read_follow_up, standing
from service.destinations.models import DestinationCategory as C
from service.destinations.models import DestinationEventKind as K
from service.destinations.models import DestinationSource as S
from service.destinations.schemas import DestinationCreate
from service.destinations.service import DestinationService
from service.graduates.models import Graduate
from service.privacy.models import AuditAction, AuditEvent
from tests.destinations.conftest import _outcome

DAY = dt.date(2025, 7, 1)
TODAY = dt.date(2025, 9, 1)
_ids = itertools.count(1)


@dataclass
class E:
    """An event as :func:`standing` reads it (the ORM object's attributes)."""

    kind: K
    source: S
    category: C = C.SEEKING
    refers_to_id: int | None = None
    occurred_on: dt.date = DAY
    recorded_at: dt.datetime = dt.datetime(2025, 7, 2, tzinfo=dt.UTC)
    in_field: bool | None = None
    internship: bool = False
    employer_name: str | None = None
    id: int = 0

    def __post_init__(self) -> None:
        self.id = next(_ids)


def _later(events: list[E]) -> None:
    for i, e in enumerate(events):
        e.recorded_at = dt.datetime(2025, 7, 2, tzinfo=dt.UTC) + dt.timedelta(hours=i)


def test_nothing_recorded_is_unknown() -> None:
    s = standing([], TODAY)
    assert (s.flags, s.category, s.recorder, s.confirmation, s.last_update) == (
        (Flag.UNKNOWN,),
        None,
        None,
        Confirmation.NONE,
        None,
    )


def test_self_report_awaits_review_until_accepted() -> None:
    survey = E(K.OUTCOME, S.SCHOOL_SURVEY, C.SEEKING)
    report = E(K.OUTCOME, S.SELF_REPORT, C.LABOUR_CONTRACT)
    _later([survey, report])
    s = standing([survey, report], TODAY)
    assert s.flags == (Flag.SELF_REPORT,) and s.category is C.SEEKING and s.pending_self_reports == (report.id,)
    accepted = E(K.OUTCOME, S.SCHOOL_SURVEY, C.LABOUR_CONTRACT, refers_to_id=report.id)
    _later([survey, report, accepted])
    s = standing([survey, report, accepted], TODAY)
    assert s.flags == () and s.category is C.LABOUR_CONTRACT
    assert (s.recorder, s.confirmation) == (Recorder.SCHOOL, Confirmation.VERIFIED)


def test_refused_self_report_stops_counting() -> None:
    report = E(K.OUTCOME, S.SELF_REPORT, C.FURTHER_STUDY)
    s = standing([report], TODAY)
    assert (s.recorder, s.confirmation, s.flags) == (Recorder.GRADUATE, Confirmation.SELF_REPORTED, (Flag.SELF_REPORT,))
    refused = E(K.DISPUTE, S.SCHOOL_REVIEW, C.FURTHER_STUDY, refers_to_id=report.id)
    _later([report, refused])
    assert standing([report, refused], TODAY).flags == (Flag.UNKNOWN,)


def test_dispute_flags_until_the_school_decides() -> None:
    hire = E(K.OUTCOME, S.PLATFORM_HIRE, C.OTHER_EMPLOYMENT)
    s = standing([hire], TODAY)
    assert s.flags == (Flag.EMPLOYER_UNCONFIRMED,) and s.recorder is Recorder.EMPLOYER
    dispute = E(K.DISPUTE, S.SELF_REPORT, refers_to_id=hire.id)
    _later([hire, dispute])
    s = standing([hire, dispute], TODAY)
    assert set(s.flags) == {Flag.UNKNOWN, Flag.DISPUTED} and s.pending_disputes == (hire.id,)
    upheld = E(K.CONFIRMATION, S.SCHOOL_REVIEW, refers_to_id=hire.id)
    _later([hire, dispute, upheld])
    s = standing([hire, dispute, upheld], TODAY)
    assert s.flags == () and s.category is C.OTHER_EMPLOYMENT and s.confirmation is Confirmation.VERIFIED
    confirmed = E(K.CONFIRMATION, S.SELF_REPORT, refers_to_id=hire.id)
    _later([hire, confirmed])
    assert standing([hire, confirmed], TODAY).confirmation is Confirmation.CONFIRMED


def test_survey_evidence_through_the_api(client: httpx.Client, graduate_id: int) -> None:
    r = client.post(f"/graduates/{graduate_id}/destinations", json=_outcome(evidence="social_insurance"))
    assert r.status_code == 201, r.text
    assert r.json()["evidence"] == "social_insurance"
    bad = client.post(f"/graduates/{graduate_id}/destinations", json=_outcome(evidence="photo"))
    assert bad.status_code == 400 and "evidence" in bad.text
    history = client.get(f"/graduates/{graduate_id}/destinations").json()
    assert [e["evidence"] for e in history["events"]] == ["social_insurance"]


def test_the_one_outcome_shortcut_agrees_with_the_general_rule() -> None:
    from service.destinations.followup import _general, _single

    for source in S:
        for internship in (False, True):
            for occurred in (DAY, TODAY + dt.timedelta(days=1)):
                for refers in (None, 999):
                    e = E(
                        K.OUTCOME,
                        source,
                        C.LABOUR_CONTRACT,
                        internship=internship,
                        occurred_on=occurred,
                        refers_to_id=refers,
                    )
                    fast, full = _single(e, TODAY), _general([e], TODAY)
                    if refers is not None and source is S.SELF_REPORT:
                        continue  # a self-report never refers to another event
                    assert fast == full, (source, internship, occurred, refers)


def test_follow_up_list_and_review_through_the_api(client: httpx.Client, graduate_id: int) -> None:
    def item() -> dict[str, Any]:  # a JSON object
        body = client.get("/follow-up", params={"cohort": 2025}).json()
        assert body["total"] == 1
        return body["items"][0]

    assert item()["flags"] == ["unknown"]
    report = client.post(
        f"/graduates/{graduate_id}/destinations", json=_outcome(source="self_report", occurred_on="2025-07-01")
    ).json()
    assert item()["flags"] == ["self_report"] and item()["recorder"] == "graduate"
    refused = client.post(f"/graduates/{graduate_id}/destinations/{report['id']}/review", json={"decision": "refuse"})
    assert refused.status_code == 422 and "reason" in refused.text
    accepted = client.post(
        f"/graduates/{graduate_id}/destinations/{report['id']}/review",
        json={"decision": "accept", "reason": "合同已核对"},
    )
    assert accepted.status_code == 201, accepted.text
    assert (accepted.json()["source"], accepted.json()["refers_to_id"]) == ("school_survey", report["id"])
    now = item()
    assert (now["flags"], now["recorder"], now["confirmation"], now["category"]) == (
        [],
        "school",
        "verified",
        "labour_contract",
    )
    again = client.post(f"/graduates/{graduate_id}/destinations/{report['id']}/review", json={"decision": "accept"})
    assert again.status_code == 409
    # a refused self-report cannot be brought back by confirming it (it is reported again instead)
    second = client.post(
        f"/graduates/{graduate_id}/destinations", json=_outcome(source="self_report", occurred_on="2025-08-01")
    ).json()
    assert (
        client.post(
            f"/graduates/{graduate_id}/destinations/{second['id']}/review",
            json={"decision": "refuse", "reason": "未见劳动合同"},
        ).status_code
        == 201
    )
    assert "self_report" not in item()["flags"]
    confirm = client.post(f"/graduates/{graduate_id}/destinations/{second['id']}/confirmation", json={})
    assert confirm.status_code == 409 and "report the destination again" in confirm.text
    assert client.get("/follow-up", params={"cohort": 2025, "flag": "bogus"}).status_code == 400


async def test_the_api_and_the_pages_read_the_list_through_one_audited_rule(
    session: AsyncSession, graduate_id: int
) -> None:
    """``read_follow_up`` (``GET /follow-up``, ``/web/follow-up`` and its export): phone numbers for
    school staff and the admin only, every listed graduate audited once per read."""
    graduate = await session.get(Graduate, graduate_id)
    assert graduate is not None
    graduate.phone = "13800138000"
    await session.flush()
    staff = Principal(user_id=1, role=Role.SCHOOL, school_id=graduate.school_id)
    department = Principal(user_id=2, role=Role.DEPARTMENT, region_code="440000")
    f = FollowUpFilter(cohort=2025)
    listed = (await read_follow_up(session, staff, f, limit=50)).page.items
    assert [(r.graduate_id, r.phone) for r in listed] == [(graduate_id, "13800138000")]
    supervised = (await read_follow_up(session, department, f, export=True)).page.items
    assert [(r.graduate_id, r.phone) for r in supervised] == [(graduate_id, None)]
    events = (
        await session.execute(
            select(AuditEvent.actor_user_id, AuditEvent.action, AuditEvent.object_type).order_by(AuditEvent.id)
        )
    ).all()
    assert [tuple(e) for e in events] == [
        (1, AuditAction.READ, "follow_up_list"),
        (2, AuditAction.EXPORT, "follow_up_export"),
    ]


async def test_the_dashboard_lists_the_latest_outcomes_through_the_service(
    session: AsyncSession, graduate_id: int
) -> None:
    """``DestinationService.latest_outcomes`` (the school dashboard's list): only graduates the
    reader may read, newest first, with the names audited; another school's staff see nothing."""
    graduate = await session.get(Graduate, graduate_id)
    assert graduate is not None
    for day in ("2025-07-01", "2025-08-01"):
        await DestinationService(session).record(
            graduate_id, msgspec.convert(_outcome(occurred_on=day), DestinationCreate)
        )
    staff = Principal(user_id=1, role=Role.SCHOOL, school_id=graduate.school_id)
    latest = await DestinationService(session, staff).latest_outcomes(10)
    assert [(e.occurred_on.isoformat(), name) for e, name in latest] == [("2025-08-01", "李华"), ("2025-07-01", "李华")]
    assert await DestinationService(session, staff).latest_outcomes(1) == latest[:1]
    stranger = Principal(user_id=2, role=Role.SCHOOL, school_id=(graduate.school_id or 0) + 1000)
    assert await DestinationService(session, stranger).latest_outcomes(10) == []
    reads = (
        await session.execute(
            select(AuditEvent.actor_user_id, AuditEvent.object_type).where(AuditEvent.action == AuditAction.READ)
        )
    ).all()
    assert [tuple(r) for r in reads] == [(1, "destination_list"), (1, "destination_list")]
