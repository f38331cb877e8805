"""The conversation pages over real HTTP with cookie sessions, on both databases: applying with a
note and the contact choice, the applicant page (résumé snapshot; contact only with consent, the
view audited), the thread (bodies escaped, rate limit, errors next to the box), withdrawing, the
résumé page and invitations, in Chinese and English."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.applications.models import Application
from tests.conversations.conftest import ID_NUMBER, PHONE, Browser, World, audit, post
from tests.factories import inbox


async def _application_id(session: AsyncSession, world: World) -> int:
    stmt = select(Application.id).where(
        Application.graduate_id == world.ids["graduate_a"], Application.posting_id == world.ids["posting_a"]
    )
    return (await session.execute(stmt)).scalar_one()


async def test_apply_read_the_applicant_and_share_contact(
    browser: Browser, world: World, session: AsyncSession
) -> None:
    graduate, employer = browser("graduate_a"), browser("employer_a")
    job = graduate.get(f"/web/jobs/{world.ids['posting_a']}")
    assert 'name="cover_letter"' in job.text and 'name="share_contact"' in job.text
    applied = post(graduate, f"/web/jobs/{world.ids['posting_a']}/apply", cover_letter="我有数控车床实习经验")
    assert applied.status_code == 303
    application_id = await _application_id(session, world)

    rows = employer.get(f"/web/postings/{world.ids['posting_a']}/applications")
    assert f'href="/web/applicants/{application_id}"' in rows.text
    page = employer.get(f"/web/applicants/{application_id}")
    assert page.status_code == 200
    for shown in (
        "陈小明",
        "广州市机电技师学校",
        "数控技术应用",
        "数控车床操作",
        "电工证",
        "全国职业院校技能大赛",
        "数控车床实习生",
        "我有数控车床实习经验",
        "联系方式",
    ):
        assert shown in page.text, shown
    assert PHONE not in page.text and ID_NUMBER[-4:] not in page.text and world.emails["graduate_a"] not in page.text
    assert api_contact_reads(await audit(session, "applicant_contact")) == 0

    assert post(graduate, f"/web/applications/{application_id}/consent", contact_consent="1").status_code == 303
    shared = employer.get(f"/web/applicants/{application_id}?lang=en")
    assert PHONE in shared.text and world.emails["graduate_a"] in shared.text and "Skills" in shared.text
    assert api_contact_reads(await audit(session, "applicant_contact")) == 1
    # another employer: the 404 page, nothing of the applicant
    other = browser("employer_b").get(f"/web/applicants/{application_id}")
    assert other.status_code == 404 and "陈小明" not in other.text and PHONE not in other.text


def api_contact_reads(events: list[Any]) -> int:
    return len(events)


async def test_thread_escapes_bodies_and_limits_the_rate(browser: Browser, world: World, session: AsyncSession) -> None:
    graduate, employer = browser("graduate_a"), browser("employer_a")
    post(graduate, f"/web/jobs/{world.ids['posting_a']}/apply")
    application_id = await _application_id(session, world)
    path = f"/web/applications/{application_id}/messages"
    sent = post(graduate, path, body='<script>alert("x")</script><img src=x onerror=alert(1)>')
    assert sent.status_code == 303 and sent.headers["location"].startswith(path)
    page = employer.get(path)
    assert page.status_code == 200
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    assert '<script>alert("x")' not in page.text and "<img src=x" not in page.text
    notes = [n for n in await inbox(session, world.ids["user_employer_a"]) if n.kind == "message_received"]
    assert len(notes) == 1

    refused = post(graduate, path, body=f"我的电话{PHONE}")
    assert refused.status_code == 422 and "联系方式" in refused.text and f"我的电话{PHONE}" in refused.text
    assert post(graduate, path, body="第二条").status_code == 303
    assert post(graduate, path, body="第三条").status_code == 303
    limited = post(graduate, path, body="第四条")  # 3 a minute in these tests
    assert limited.status_code == 429 and "第四条" in limited.text and "秒" in limited.text
    # another employer and another graduate: the 404 page
    for name in ("employer_b", "graduate_b"):
        other = browser(name).get(path)
        assert other.status_code == 404 and "alert(&#34;x&#34;)" not in other.text and "第二条" not in other.text


async def test_withdraw_on_the_web_tells_the_employer(browser: Browser, world: World, session: AsyncSession) -> None:
    graduate = browser("graduate_a")
    post(graduate, f"/web/jobs/{world.ids['posting_a']}/apply", share_contact="1")
    application_id = await _application_id(session, world)
    listed = graduate.get("/web/applications")
    assert f'action="/web/applications/{application_id}/withdraw"' in listed.text
    done = post(graduate, f"/web/applications/{application_id}/withdraw")
    assert done.status_code == 303 and done.headers["location"] == "/web/applications?saved=withdrawn"
    assert "已撤回" in graduate.get("/web/applications?saved=withdrawn").text
    notes = [n for n in await inbox(session, world.ids["user_employer_a"]) if n.kind == "application_withdrawn"]
    assert len(notes) == 1 and notes[0].link == f"/web/postings/{world.ids['posting_a']}/applications"
    page = browser("employer_a").get(f"/web/applicants/{application_id}")
    assert PHONE not in page.text and "不再" in page.text  # no longer live: contact withheld
    assert post(graduate, f"/web/applications/{application_id}/withdraw").status_code == 409


async def test_resume_page_is_printable(browser: Browser, world: World) -> None:
    page = browser("graduate_a").get("/web/resume")
    assert page.status_code == 200
    for shown in ("陈小明", "电工证", "数控车床实习生", "4500", "window.print()"):
        assert shown in page.text
    assert ID_NUMBER[-4:] not in page.text
    css = browser("graduate_a").get("/web/static/css/site.css").text
    assert "@media print" in css


async def test_invitation_from_candidates_to_application(browser: Browser, world: World, session: AsyncSession) -> None:
    employer, graduate = browser("employer_a"), browser("graduate_a")
    posting = world.ids["posting_a"]
    sent = post(
        employer,
        f"/web/postings/{posting}/invitations",
        graduate_id=str(world.ids["graduate_a"]),
        message="欢迎投递我们的岗位",
    )
    assert sent.status_code == 303 and sent.headers["location"] == f"/web/postings/{posting}/candidates?invited=1"
    candidates = employer.get(f"/web/postings/{posting}/candidates?invited=1")
    assert candidates.status_code == 200 and "陈小明" not in candidates.text
    invitations = graduate.get("/web/invitations?lang=en")
    assert "广州数控设备有限公司" in invitations.text and "欢迎投递我们的岗位" in invitations.text
    assert "Accept and apply" in invitations.text
    invitation_id = invitations.text.split('data-invitation-id="')[1].split('"')[0]
    assert browser("graduate_b").post(
        f"/web/invitations/{invitation_id}/accept", data={"_csrf_token": browser("graduate_b").cookies["vocmatch_csrf"]}
    ).status_code in (403, 404)
    accepted = post(graduate, f"/web/invitations/{invitation_id}/accept", share_contact="1")
    assert accepted.status_code == 303
    application_id = await _application_id(session, world)
    assert accepted.headers["location"] == f"/web/applications/{application_id}/messages"
    assert PHONE in employer.get(f"/web/applicants/{application_id}").text


async def test_times_on_the_pages_are_beijing_time_in_time_elements(
    browser: Browser, world: World, session: AsyncSession
) -> None:
    """A message, a notification and an application made at 20:30 UTC on 1 March are shown as 04:30 on
    2 March (Beijing time) in ``<time datetime="…Z">``, on the thread, the inbox and "my applications"."""
    import datetime as dt

    from sqlalchemy import update

    from service.conversations.models import Message
    from service.notifications.models import Notification

    graduate, employer = browser("graduate_a"), browser("employer_a")
    post(graduate, f"/web/jobs/{world.ids['posting_a']}/apply")
    application_id = await _application_id(session, world)
    path = f"/web/applications/{application_id}/messages"
    assert post(graduate, path, body="您好").status_code == 303
    evening = dt.datetime(2026, 3, 1, 20, 30, tzinfo=dt.UTC)
    for model in (Message, Notification, Application):
        await session.execute(update(model).values(created_at=evening))
    await session.commit()
    stamp = '<time datetime="2026-03-01T20:30:00Z">'
    thread = employer.get(path).text
    assert f"{stamp}2026-03-02 04:30</time>" in thread and "UTC" not in thread.split("<main", 1)[1]
    assert f"{stamp}2026-03-02 04:30</time>" in employer.get("/web/notifications").text
    assert f"{stamp}2026-03-02</time>" in graduate.get("/web/applications").text
