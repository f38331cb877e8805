"""Interview and hire pages over real HTTP on both backends (issues 15 and 16): the employer proposes
times in Beijing time from the pipeline, the graduate accepts on the web and downloads the calendar
file, both pipelines show the interview, another employer sees nothing, and the hire form asks for
the start date and agreed pay with errors next to each field."""

from __future__ import annotations

import datetime as dt

import httpx
import icalendar

from tests.web.conftest import World, csrf, sign_in, text_of

SH = dt.timezone(dt.timedelta(hours=8))


def _token(web: httpx.Client) -> dict[str, str]:
    return {"_csrf_token": web.cookies["vocmatch_csrf"]}


def _application(web: httpx.Client, world: World) -> int:
    """graduate_a applies to posting_a on the web; returns the application id (signed out after)."""
    sign_in(web, world.logins["graduate_a"])
    assert web.post(f"/web/jobs/{world.ids['posting_a']}/apply", headers=csrf(web)).status_code == 200
    web.cookies.clear()
    sign_in(web, world.logins["employer_a"])
    page = web.get(f"/web/postings/{world.ids['posting_a']}/applications")
    application_id = int(page.text.split('data-application-id="')[1].split('"')[0])
    assert f"/web/applications/{application_id}/interviews/new" in page.text
    return application_id


def _local(hours: int) -> str:
    """A ``datetime-local`` value ``hours`` from now, Beijing time, on the hour."""
    return (
        (dt.datetime.now(SH) + dt.timedelta(hours=hours))
        .replace(minute=0, second=0, microsecond=0)
        .strftime("%Y-%m-%dT%H:%M")
    )


def test_propose_accept_and_calendar_on_the_web(web: httpx.Client, world: World) -> None:
    application_id = _application(web, world)
    url = f"/web/applications/{application_id}/interviews/new"
    form = web.get(url)
    assert form.status_code == 200 and 'type="datetime-local"' in form.text and "北京时间" in form.text

    # every error at once, next to its box; nothing stored
    bad = web.post(url, data={"slot_1": "2020-01-01T10:00", "slot_2": "明天上午", "mode": "in_person", **_token(web)})
    assert bad.status_code == 422
    assert 'id="slot_2-error"' in bad.text and "请输入日期和时间" in bad.text
    bad = web.post(url, data={"slot_1": "2020-01-01T10:00", "mode": "in_person", "place": "会议室", **_token(web)})
    assert bad.status_code == 422 and 'id="slot_1-error"' in bad.text and "这个时间已经过去" in bad.text
    bad = web.post(url, data={"slot_1": _local(30), "mode": "online", **_token(web)})
    assert bad.status_code == 422 and 'id="online_url-error"' in bad.text and "请填写会议链接" in bad.text

    first, second = _local(30), _local(54)
    done = web.post(
        url,
        data={
            "slot_1": first,
            "slot_2": second,
            "duration": "45",
            "mode": "in_person",
            "place": "广州市天河区科韵路16号 3号楼",
            "note": "请带简历",
            **_token(web),
        },
    )
    assert done.status_code == 303, done.text
    interview_url = done.headers["location"]
    detail = text_of(web.get(interview_url).text)
    assert "已邀请面试，等待回复" in detail and first.replace("T", " ") in detail and "科韵路16号" in detail
    pipeline = text_of(web.get(f"/web/postings/{world.ids['posting_a']}/applications").text)
    assert "已邀请面试，等待回复" in pipeline
    web.cookies.clear()

    sign_in(web, world.logins["employer_b"])  # another employer: the 404 page, nothing of it
    foreign = web.get(interview_url)
    assert foreign.status_code == 404 and "科韵路" not in foreign.text
    assert web.get(interview_url + "/calendar.ics").status_code == 404
    web.cookies.clear()

    sign_in(web, world.logins["graduate_a"])
    mine = web.get("/web/applications")
    assert interview_url in mine.text and "已邀请面试，等待回复" in text_of(mine.text)
    page = web.get(interview_url)
    slot_ids = [int(part.split('"')[0]) for part in page.text.split('name="slot_id" value="')[1:]]
    assert len(slot_ids) == 2
    accepted = web.post(
        interview_url + "/answer", data={"action": "accept", "slot_id": str(slot_ids[1]), **_token(web)}
    )
    assert accepted.status_code == 303 and accepted.headers["location"].endswith("saved=accept")
    shown = text_of(web.get(accepted.headers["location"]).text)
    assert "你已接受面试" in shown and "已确认面试" in shown and second.replace("T", " ") in shown
    ics = web.get(interview_url + "/calendar.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    [event] = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    assert event.decoded("DTSTART") == dt.datetime.fromisoformat(second).replace(tzinfo=SH)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=45)
    english = text_of(web.get(interview_url + "?lang=en").text)
    assert "Interview accepted" in english and "Add to my calendar (.ics)" in english
    # answering again the same way is refused with the reason on the page
    again = web.post(interview_url + "/answer", data={"action": "accept", "slot_id": str(slot_ids[0]), **_token(web)})
    assert again.status_code == 422
    web.cookies.clear()

    sign_in(web, world.logins["employer_a"])
    pipeline = text_of(web.get(f"/web/postings/{world.ids['posting_a']}/applications").text)
    assert "已确认面试" in pipeline and second.replace("T", " ") in pipeline


def test_graduate_asks_for_another_time_with_a_message(web: httpx.Client, world: World) -> None:
    application_id = _application(web, world)
    done = web.post(
        f"/web/applications/{application_id}/interviews/new",
        data={"slot_1": _local(40), "mode": "online", "online_url": "https://meeting.tencent.com/dm/x1", **_token(web)},
    )
    interview_url = done.headers["location"]
    web.cookies.clear()
    sign_in(web, world.logins["graduate_a"])
    empty = web.post(interview_url + "/answer", data={"action": "reschedule", "message": "", **_token(web)})
    assert empty.status_code == 422 and 'id="message-error"' in empty.text
    asked = web.post(interview_url + "/answer", data={"action": "reschedule", "message": "周四下午可以", **_token(web)})
    assert asked.status_code == 303
    page = text_of(web.get(interview_url).text)
    assert "求职者希望另约时间" in page and "周四下午可以" in page
    assert 'href="https://meeting.tencent.com/dm/x1"' in web.get(interview_url).text


def test_hire_form_says_a_future_first_working_day_waits_for_that_day(web: httpx.Client, world: World) -> None:
    """Found by the whole-loop browser test: an employer hiring before the first working day got only
    "this date is in the future", not what to do. The form says beforehand (a hint tied to the
    field, the date picker stops at today) and the error says to mark the hire on that day or later,
    in the page's language; nothing is stored."""
    application_id = _application(web, world)
    url = f"/web/applications/{application_id}/hire"
    form = web.get(url).text
    assert 'aria-describedby="start_date-hint"' in form and "毕业生开始上班后再登记录用" in text_of(form)
    assert f'max="{dt.datetime.now(SH).date().isoformat()}"' in form
    future = (dt.datetime.now(SH).date() + dt.timedelta(days=20)).isoformat()
    for lang, words in (
        ("zh_Hans", "入职日期还没到：请在入职当天或之后登记录用"),
        ("en", "The first working day has not come yet: mark the hire on that day or later"),
    ):
        refused = web.post(
            url,
            params={"lang": lang},
            data={"start_date": future, "monthly_salary": "5800", "contract_type": "labour_contract", **_token(web)},
        )
        assert refused.status_code == 422 and words in text_of(refused.text), text_of(refused.text)[:600]
        assert 'aria-describedby="start_date-hint start_date-error"' in refused.text
    still = web.get(f"/web/postings/{world.ids['posting_a']}/applications").text
    assert 'class="status status-applied"' in still


def test_hire_form_asks_for_date_and_pay_and_names_each_error(web: httpx.Client, world: World) -> None:
    application_id = _application(web, world)
    url = f"/web/applications/{application_id}/hire"
    missing = web.post(url, data={"start_date": "", "monthly_salary": "", **_token(web)})
    assert missing.status_code == 422
    assert 'id="start_date-error"' in missing.text and 'id="monthly_salary-error"' in missing.text
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    bad = web.post(
        url, data={"start_date": future, "monthly_salary": "0", "contract_type": "labour_contract", **_token(web)}
    )
    assert bad.status_code == 422 and 'id="start_date-error"' in bad.text and 'id="monthly_salary-error"' in bad.text
    assert "入职日期还没到" in text_of(bad.text) and "金额超出可接受的范围" in text_of(bad.text)  # both at once
    still = web.get(f"/web/postings/{world.ids['posting_a']}/applications").text
    assert 'class="status status-applied"' in still  # nothing stored by refused forms
    ok = web.post(
        url,
        data={
            "start_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
            "monthly_salary": "5,800",
            "contract_type": "labour_contract",
            "social_insurance": "yes",
            **_token(web),
        },
    )
    assert ok.status_code == 303, ok.text
    web.cookies.clear()
    sign_in(web, world.logins["graduate_a"])
    destination = web.get("/web/destination")
    text = text_of(destination.text)
    assert "签劳动合同" in text and "5800" in text
    assert (dt.date.today() - dt.timedelta(days=1)).isoformat() in text
    assert 'id="what-counts"' in destination.text and "顶岗实习" in text


def test_employer_cancels_an_interview_on_the_web(web: httpx.Client, world: World) -> None:
    """The employer's cancel button (with a reason) on an accepted interview: the graduate's
    applications, the interview page (in both languages) and the pipeline say it is cancelled, the
    answer forms are gone and the calendar file now cancels the event."""
    application_id = _application(web, world)
    done = web.post(
        f"/web/applications/{application_id}/interviews/new",
        data={"slot_1": _local(40), "mode": "in_person", "place": "科韵路16号", **_token(web)},
    )
    interview_url = done.headers["location"]
    assert 'action="' + interview_url + '/cancel"' in web.get(interview_url).text
    web.cookies.clear()
    sign_in(web, world.logins["graduate_a"])
    slot = web.get(interview_url).text.split('name="slot_id" value="')[1].split('"')[0]
    web.post(interview_url + "/answer", data={"action": "accept", "slot_id": slot, **_token(web)})
    assert "/cancel" not in web.get(interview_url).text  # not the applicant's to cancel
    assert web.post(interview_url + "/cancel", data=_token(web)).status_code == 403
    web.cookies.clear()

    sign_in(web, world.logins["employer_a"])
    cancelled = web.post(interview_url + "/cancel", data={"reason": "岗位已招满", **_token(web)})
    assert cancelled.status_code == 303 and cancelled.headers["location"].endswith("?saved=cancel")
    page = text_of(web.get(cancelled.headers["location"]).text)
    assert "你已取消面试" in page and "用人单位已取消面试" in page and "取消原因: 岗位已招满" in page
    again = web.post(interview_url + "/cancel", data=_token(web))
    assert again.status_code == 409 and "这场面试已无法取消" in text_of(again.text)
    pipeline = text_of(web.get(f"/web/postings/{world.ids['posting_a']}/applications").text)
    assert "用人单位已取消面试" in pipeline
    web.cookies.clear()

    sign_in(web, world.logins["graduate_a"])
    assert "用人单位已取消面试" in text_of(web.get("/web/applications").text)
    mine = web.get(interview_url)
    assert 'name="slot_id"' not in mine.text and 'value="decline"' not in mine.text
    english = text_of(web.get(interview_url + "?lang=en").text)
    assert "Interview cancelled by the employer" in english and "Remove it from my calendar (.ics)" in english
    [event] = icalendar.Calendar.from_ical(web.get(interview_url + "/calendar.ics").content).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    inbox = text_of(web.get("/web/notifications?lang=zh").text)
    assert "面试已取消" in inbox and "原因：岗位已招满" in inbox
