"""Interviews over real HTTP on both backends (issue 16): the employer proposes times and a place
or link, the graduate accepts, declines or asks for another time, each side is notified, other
employers see nothing, and an accepted interview downloads as an RFC 5545 file that parses back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import httpx
import icalendar
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import inbox
from tests.interviews.conftest import Two, at, proposal

Bearer = Callable[[int], httpx.Client]


def _propose(c: httpx.Client, application_id: int, body: dict[str, object]) -> httpx.Response:
    return c.post(f"/applications/{application_id}/interviews", json=body)


async def test_propose_accept_notifies_both_sides_and_gives_the_calendar_file(
    two: Two, bearer: Bearer, session: AsyncSession
) -> None:
    employer, graduate = bearer(two.a.members[0].id), bearer(two.a.graduate_user.id)
    r = _propose(employer, two.application_a, proposal(26, 50, note="请带身份证复印件，一式两份"))
    assert r.status_code == 201, r.text
    interview = r.json()
    assert interview["status"] == "proposed" and len(interview["slots"]) == 2
    first = interview["slots"][0]
    assert first["starts_at"].endswith("+08:00")  # shown in Beijing time
    starts = dt.datetime.fromisoformat(first["starts_at"])
    assert starts == dt.datetime.fromisoformat(at(26))
    assert dt.datetime.fromisoformat(first["ends_at"]) - starts == dt.timedelta(minutes=45)

    [told] = await inbox(session, two.a.graduate_user.id)  # one notification, not also a status change
    assert told.kind == "interview_proposed" and told.link == f"/web/interviews/{interview['id']}"
    # the pipeline moves on to 邀请面试
    assert graduate.get(f"/applications/{two.application_a}").json()["status"] == "interview"
    assert told.params == {"employer_name": "广州数控设备有限公司", "posting_title": "数控车床操作工"}
    assert graduate.get(f"/interviews/{interview['id']}").json()["slots"] == interview["slots"]
    assert [i["id"] for i in graduate.get(f"/applications/{two.application_a}/interviews").json()] == [interview["id"]]
    # no calendar file before an answer
    assert graduate.get(f"/interviews/{interview['id']}/calendar.ics").status_code == 409

    second = interview["slots"][1]
    r = graduate.post(f"/interviews/{interview['id']}/accept", json={"slot_id": second["id"]})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "accepted" and [s["chosen"] for s in r.json()["slots"]] == [False, True]
    for member in two.a.members:
        [answered] = await inbox(session, member.id)
        assert (answered.kind, answered.params) == (
            "interview_answered",
            {"posting_title": "数控车床操作工", "answer": "accepted"},
        )
    assert await inbox(session, two.b.members[0].id) == []

    ics = employer.get(f"/interviews/{interview['id']}/calendar.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert 'filename="interview-' in ics.headers["content-disposition"]
    # both sides get the same event (only DTSTAMP, the moment of the download, differs)
    theirs = graduate.get(f"/interviews/{interview['id']}/calendar.ics").content
    assert _without_dtstamp(theirs) == _without_dtstamp(ics.content)
    cal = icalendar.Calendar.from_ical(ics.content)
    [event] = cal.walk("VEVENT")
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    assert str(event["UID"]).startswith(f"interview-{interview['id']}-{second['id']}@")
    assert event.decoded("DTSTART") == dt.datetime.fromisoformat(second["starts_at"])
    assert event.decoded("DTEND") == dt.datetime.fromisoformat(second["ends_at"])
    assert event.decoded("DTSTART").utcoffset() == dt.timedelta(hours=8)
    assert str(event["LOCATION"]) == "广州市天河区科韵路16号, 3号楼; 前台"
    assert str(event["DESCRIPTION"]) == "请带身份证复印件，一式两份"
    assert "数控车床操作工" in str(event["SUMMARY"])
    raw = ics.content.decode()
    assert "LOCATION:广州市天河区科韵路16号\\, 3号楼\\; 前台" in raw.replace("\r\n ", "")  # RFC 5545 §3.3.11
    assert raw.endswith("\r\n") and "BEGIN:VTIMEZONE" in raw and "TZID:Asia/Shanghai" in raw


def _without_dtstamp(content: bytes) -> list[str]:
    return [line for line in content.decode().split("\r\n") if not line.startswith("DTSTAMP")]


async def test_online_interview_calendar_has_the_link(two: Two, bearer: Bearer) -> None:
    employer, graduate = bearer(two.a.members[0].id), bearer(two.a.graduate_user.id)
    url = "https://meeting.tencent.com/dm/abc?x=1&y=2"
    interview = _propose(employer, two.application_a, proposal(30, mode="online", place=None, online_url=url)).json()
    graduate.post(f"/interviews/{interview['id']}/accept", json={"slot_id": interview["slots"][0]["id"]})
    [event] = icalendar.Calendar.from_ical(graduate.get(f"/interviews/{interview['id']}/calendar.ics").content).walk(
        "VEVENT"
    )
    assert str(event["URL"]) == url and str(event["LOCATION"]) == "线上面试 Online"


async def test_reschedule_then_new_proposal_then_decline(two: Two, bearer: Bearer, session: AsyncSession) -> None:
    employer, graduate = bearer(two.a.members[0].id), bearer(two.a.graduate_user.id)
    first = _propose(employer, two.application_a, proposal(28)).json()
    r = graduate.post(f"/interviews/{first['id']}/reschedule", json={"message": "周三上午有考试，周四全天都可以"})
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["answer_message"]) == (
        "reschedule_requested",
        "周三上午有考试，周四全天都可以",
    )
    assert [n.params["answer"] for n in await inbox(session, two.a.members[0].id)] == ["reschedule"]
    # an empty message is refused naming the field
    empty = graduate.post(f"/interviews/{first['id']}/reschedule", json={"message": "  "})
    assert empty.status_code in (400, 422) and "message" in empty.text

    second = _propose(employer, two.application_a, proposal(75)).json()
    assert employer.get(f"/interviews/{first['id']}").json()["status"] == "superseded"
    assert [n.kind for n in await inbox(session, two.a.graduate_user.id)] == ["interview_proposed"] * 2
    # the superseded proposal takes no answer
    late = graduate.post(f"/interviews/{first['id']}/accept", json={"slot_id": first["slots"][0]["id"]})
    assert late.status_code == 409, late.text
    # a time of another interview is not this one's
    wrong = graduate.post(f"/interviews/{second['id']}/accept", json={"slot_id": first["slots"][0]["id"]})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "slot_id"

    r = graduate.post(f"/interviews/{second['id']}/decline", json={"message": "已接受其他单位的录用"})
    assert r.status_code == 200 and r.json()["status"] == "declined", r.text
    assert [n.params["answer"] for n in await inbox(session, two.a.members[1].id)] == ["reschedule", "declined"]
    assert graduate.post(f"/interviews/{second['id']}/decline", json={}).status_code == 409


async def test_other_employer_and_other_graduate_cannot_see_or_act(two: Two, bearer: Bearer) -> None:
    employer_a, graduate_a = bearer(two.a.members[0].id), bearer(two.a.graduate_user.id)
    employer_b, graduate_b = bearer(two.b.members[0].id), bearer(two.b.graduate_user.id)
    interview = _propose(employer_a, two.application_a, proposal(40)).json()
    iid, slot = interview["id"], interview["slots"][0]["id"]
    for other in (employer_b, graduate_b):
        for path in (
            f"/interviews/{iid}",
            f"/interviews/{iid}/calendar.ics",
            f"/applications/{two.application_a}/interviews",
        ):
            r = other.get(path)
            assert r.status_code == 404, (path, r.text)
            assert "广州数控" not in r.text and "科韵路" not in r.text
    assert _propose(employer_b, two.application_a, proposal(41)).status_code == 404
    assert graduate_b.post(f"/interviews/{iid}/accept", json={"slot_id": slot}).status_code == 404
    # the employer does not answer for the graduate; the graduate does not propose
    assert employer_a.post(f"/interviews/{iid}/accept", json={"slot_id": slot}).status_code == 403
    assert _propose(graduate_a, two.application_a, proposal(42)).status_code == 403
    assert graduate_a.post(f"/interviews/{iid}/accept", json={"slot_id": slot}).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slots": [{"starts_at": "2030-01-10T14:00:00"}], "place": "某地"}, "slots[0].starts_at"),  # no offset
        ({"slots": [{"starts_at": "2020-01-10T14:00:00+08:00"}], "place": "某地"}, "slots[0].starts_at"),  # past
        ({"slots": [{"starts_at": "2099-01-10T14:00:00+08:00"}], "place": "某地"}, "slots[0].starts_at"),  # too far
        ({"slots": [{"starts_at": at(30)}, {"starts_at": at(30)}], "place": "某地"}, "slots[1].starts_at"),  # twice
        ({"slots": [{"starts_at": at(30)}], "mode": "in_person"}, "place"),
        ({"slots": [{"starts_at": at(30)}], "mode": "online"}, "online_url"),
        ({"slots": [{"starts_at": at(30)}], "mode": "online", "online_url": "javascript:alert(1)"}, "online_url"),
    ],
)
async def test_bad_proposals_are_refused_naming_the_field(
    two: Two, bearer: Bearer, session: AsyncSession, body: dict[str, object], field: str
) -> None:
    r = _propose(bearer(two.a.members[0].id), two.application_a, body)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == field
    assert await inbox(session, two.a.graduate_user.id) == []


async def test_no_interview_on_a_closed_application(two: Two, bearer: Bearer) -> None:
    employer = bearer(two.a.members[0].id)
    assert employer.post(f"/applications/{two.application_a}/status", json={"status": "rejected"}).status_code == 200
    r = _propose(employer, two.application_a, proposal(30))
    assert r.status_code == 409 and "rejected" in r.text


async def test_no_answer_once_the_application_is_withdrawn(two: Two, bearer: Bearer) -> None:
    employer, graduate = bearer(two.a.members[0].id), bearer(two.a.graduate_user.id)
    interview = _propose(employer, two.application_a, proposal(30)).json()
    assert graduate.post(f"/applications/{two.application_a}/status", json={"status": "withdrawn"}).status_code == 200
    r = graduate.post(f"/interviews/{interview['id']}/accept", json={"slot_id": interview["slots"][0]["id"]})
    assert r.status_code == 409 and "withdrawn" in r.text
    assert graduate.post(f"/interviews/{interview['id']}/decline", json={}).status_code == 200


async def test_employer_cancels_an_accepted_interview(two: Two, bearer: Bearer, session: AsyncSession) -> None:
    """The posting's employer cancels with a reason: the graduate is told (the accepted time and the
    reason, in both languages), the answer forms close, and the calendar file becomes the same event
    (same UID) cancelled, with a higher SEQUENCE (RFC 5545 §3.8.1.11, §3.8.7.4)."""
    from service.notifications.kinds import render

    employer, graduate = bearer(two.a.members[0].id), bearer(two.a.graduate_user.id)
    interview = _propose(employer, two.application_a, proposal(30)).json()
    slot = interview["slots"][0]
    assert graduate.post(f"/interviews/{interview['id']}/accept", json={"slot_id": slot["id"]}).status_code == 200
    before = icalendar.Calendar.from_ical(graduate.get(f"/interviews/{interview['id']}/calendar.ics").content)
    [confirmed] = before.walk("VEVENT")
    assert str(confirmed["STATUS"]) == "CONFIRMED" and confirmed.decoded("SEQUENCE") == 0

    # the applicant, another employer: not theirs to cancel
    assert graduate.post(f"/interviews/{interview['id']}/cancel", json={}).status_code == 403
    assert bearer(two.b.members[0].id).post(f"/interviews/{interview['id']}/cancel", json={}).status_code == 404
    r = employer.post(f"/interviews/{interview['id']}/cancel", json={"reason": "  岗位已招满  "})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled" and r.json()["answer_message"] == "岗位已招满"
    told = [n for n in await inbox(session, two.a.graduate_user.id) if n.kind == "interview_cancelled"]
    assert len(told) == 1 and told[0].link == f"/web/interviews/{interview['id']}"
    assert told[0].params["reason"] == "岗位已招满"
    assert dt.datetime.fromisoformat(told[0].params["starts_at"]) == dt.datetime.fromisoformat(slot["starts_at"])
    zh, en = (
        render("interview_cancelled", told[0].params, "zh_Hans"),
        render("interview_cancelled", told[0].params, "en"),
    )
    assert zh[0] == "面试已取消：数控车床操作工" and "原因：岗位已招满" in zh[1] and "北京时间" in zh[1]
    assert en[0] == "Interview cancelled: 数控车床操作工" and "Reason: 岗位已招满" in en[1]

    after = icalendar.Calendar.from_ical(graduate.get(f"/interviews/{interview['id']}/calendar.ics").content)
    [cancelled] = after.walk("VEVENT")
    assert str(cancelled["UID"]) == str(confirmed["UID"])
    assert str(cancelled["STATUS"]) == "CANCELLED" and cancelled.decoded("SEQUENCE") == 1
    assert str(after["METHOD"]) == "PUBLISH"
    # nothing more to answer or cancel
    assert graduate.post(f"/interviews/{interview['id']}/decline", json={}).status_code == 409
    again = employer.post(f"/interviews/{interview['id']}/cancel", json={})
    assert again.status_code == 409 and "cancelled" in again.text


async def test_cancel_a_proposed_interview_has_no_calendar_file(
    two: Two, bearer: Bearer, session: AsyncSession
) -> None:
    employer, graduate = bearer(two.a.members[0].id), bearer(two.a.graduate_user.id)
    interview = _propose(employer, two.application_a, proposal(30)).json()
    assert employer.post(f"/interviews/{interview['id']}/cancel", json={}).status_code == 200
    [told] = [n for n in await inbox(session, two.a.graduate_user.id) if n.kind == "interview_cancelled"]
    assert told.params == {"posting_title": "数控车床操作工", "employer_name": "广州数控设备有限公司"}
    assert graduate.get(f"/interviews/{interview['id']}/calendar.ics").status_code == 409  # no time was agreed
    assert (
        graduate.post(
            f"/interviews/{interview['id']}/accept", json={"slot_id": interview["slots"][0]["id"]}
        ).status_code
        == 409
    )
    # declined interviews cannot be cancelled; a new proposal can be made and cancelled again
    second = _propose(employer, two.application_a, proposal(40)).json()
    assert graduate.post(f"/interviews/{second['id']}/decline", json={"message": "已找到工作"}).status_code == 200
    assert employer.post(f"/interviews/{second['id']}/cancel", json={}).status_code == 409
    assert employer.post(f"/interviews/{second['id']}/cancel", json={"reason": "x" * 1001}).status_code in (400, 422)
