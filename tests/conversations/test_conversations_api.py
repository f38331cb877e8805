"""Résumé snapshots, contact consent, threads, withdrawal and invitations over real HTTP, on both
databases."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conversations.conftest import ID_NUMBER, PHONE, World, apply, audit
from tests.factories import inbox

Api = Callable[[str], httpx.Client]


async def test_snapshot_is_frozen_at_apply_time(api: Api, world: World, session: AsyncSession) -> None:
    """The employer reads the résumé as it was when the graduate applied: a later profile edit
    (skills, summary) shows on the graduate's live résumé, never in the application's snapshot."""
    graduate, employer = api("graduate_a"), api("employer_a")
    application_id = apply(graduate, world, note="希望有机会面试")
    changed = graduate.patch(f"/graduates/{world.ids['graduate_a']}", json={"skills": ["焊接"], "summary": "改过了"})
    assert changed.status_code == 200, changed.text

    view = employer.get(f"/applications/{application_id}/applicant")
    assert view.status_code == 200, view.text
    body = view.json()
    resume = body["resume"]
    assert resume["name"] == "陈小明" and resume["school_name"] == "广州市机电技师学校"
    assert resume["major_name"] == "数控技术应用" and resume["skills"] == ["数控车床操作", "CAD制图"]
    assert resume["summary"] == "踏实肯干"
    assert resume["certificates"] == [{"name": "电工证", "level": "中级", "issuer": None, "issued_on": None}]
    assert resume["awards"][0]["competition"] == "全国职业院校技能大赛"
    assert resume["experiences"][0]["title"] == "数控车床实习生"
    assert resume["preferences"]["min_salary_monthly"] == 4500
    assert body["note"] == "希望有机会面试"
    live = graduate.get(f"/graduates/{world.ids['graduate_a']}/resume")
    assert live.status_code == 200 and live.json()["resume"]["skills"] == ["焊接"]
    # no part of the 身份证号 anywhere, no contact without consent
    assert ID_NUMBER not in view.text and ID_NUMBER[-4:] not in view.text and ID_NUMBER[-6:] not in view.text
    assert body["contact"] is None and body["contact_withheld"] == "no_consent" and PHONE not in view.text
    reads = await audit(session, "applicant")
    assert [(e.actor_user_id, e.graduate_id) for e in reads] == [
        (world.ids["user_employer_a"], world.ids["graduate_a"])
    ]
    assert await audit(session, "applicant_contact") == []


async def test_contact_only_with_consent_while_live_and_every_view_audited(
    api: Api, world: World, session: AsyncSession
) -> None:
    graduate, employer = api("graduate_a"), api("employer_a")
    application_id = apply(graduate, world)
    path = f"/applications/{application_id}/applicant"
    assert employer.get(path).json()["contact"] is None

    # only the applicant sets the consent: the employer may not (403), another graduate cannot see it (404)
    assert (
        employer.put(f"/applications/{application_id}/contact-consent", json={"contact_consent": True}).status_code
        == 403
    )
    assert (
        api("graduate_b")
        .put(f"/applications/{application_id}/contact-consent", json={"contact_consent": True})
        .status_code
        == 404
    )
    agreed = graduate.put(f"/applications/{application_id}/contact-consent", json={"contact_consent": True})
    assert agreed.status_code == 200 and agreed.json()["contact_consent"] is True

    shown = employer.get(path).json()
    assert shown["contact"] == {"phone": PHONE, "email": world.emails["graduate_a"]}
    employer.get(path)
    contact_reads = await audit(session, "applicant_contact")
    assert len(contact_reads) == 2 and {e.graduate_id for e in contact_reads} == {world.ids["graduate_a"]}
    assert all(e.detail == {"fields": ["phone", "email"]} and e.path == path for e in contact_reads)

    # consent withdrawn: hidden again
    graduate.put(f"/applications/{application_id}/contact-consent", json={"contact_consent": False})
    assert employer.get(path).json()["contact_withheld"] == "no_consent"
    graduate.put(f"/applications/{application_id}/contact-consent", json={"contact_consent": True})
    # no longer live (rejected): hidden whatever the consent says; agreeing again is a 409
    assert employer.post(f"/applications/{application_id}/status", json={"status": "rejected"}).status_code == 200
    after = employer.get(path)
    assert after.json()["contact"] is None and after.json()["contact_withheld"] == "not_live"
    assert PHONE not in after.text
    assert (
        graduate.put(f"/applications/{application_id}/contact-consent", json={"contact_consent": True}).status_code
        == 409
    )
    assert len(await audit(session, "applicant_contact")) == 2  # views without contact are no contact reads


async def test_another_employer_cannot_read_or_write_the_thread(api: Api, world: World) -> None:
    graduate, employer, other = api("graduate_a"), api("employer_a"), api("employer_b")
    application_id = apply(graduate, world)
    assert (
        employer.post(f"/applications/{application_id}/messages", json={"body": "你好，请问何时方便面试？"}).status_code
        == 201
    )
    for response in (
        other.get(f"/applications/{application_id}/messages"),
        other.post(f"/applications/{application_id}/messages", json={"body": "挖人"}),
        other.get(f"/applications/{application_id}/applicant"),
        api("graduate_b").get(f"/applications/{application_id}/messages"),
    ):
        assert response.status_code == 404, response.text
        assert "何时方便面试" not in response.text and "陈小明" not in response.text
    staff = api("school_a").get(f"/applications/{application_id}/messages")  # sees the application, not the thread
    assert staff.status_code == 403 and "何时方便面试" not in staff.text
    thread = graduate.get(f"/applications/{application_id}/messages").json()
    assert thread["total"] == 1 and thread["items"][0]["sender_role"] == "employer"
    assert thread["items"][0]["mine"] is False


async def test_messages_notify_the_other_side_without_names(api: Api, world: World, session: AsyncSession) -> None:
    graduate, employer = api("graduate_a"), api("employer_a")
    application_id = apply(graduate, world)
    sent = graduate.post(f"/applications/{application_id}/messages", json={"body": "  您好，我想了解岗位的工作时间。 "})
    assert sent.status_code == 201 and sent.json()["body"] == "您好，我想了解岗位的工作时间。"
    notes = [n for n in await inbox(session, world.ids["user_employer_a"]) if n.kind == "message_received"]
    assert len(notes) == 1 and notes[0].link == f"/web/applications/{application_id}/messages"
    assert notes[0].params == {"posting_title": "数控车床操作工", "sender": "applicant"}
    assert employer.post(f"/applications/{application_id}/messages", json={"body": "早八晚五"}).status_code == 201
    replies = [n for n in await inbox(session, world.ids["user_graduate_a"]) if n.kind == "message_received"]
    assert replies[0].params["sender"] == "employer" and replies[0].params["employer_name"] == "广州数控设备有限公司"
    # reading marks the other side's messages read
    items = employer.get(f"/applications/{application_id}/messages").json()["items"]
    assert items[0]["read_at"] is not None and items[1]["read_at"] is None


async def test_bad_messages_are_refused_with_the_field_named(api: Api, world: World) -> None:
    graduate, employer = api("graduate_a"), api("employer_a")
    application_id = apply(graduate, world)
    path = f"/applications/{application_id}/messages"
    for body, status in (
        ("   ", 422),
        ("x" * 2001, 400),
        (f"我的身份证号是{ID_NUMBER}", 422),
        ("我的电话 138 0013 8000", 422),
        ("邮箱 chen.xm@example.cn", 422),
    ):
        response = graduate.post(path, json={"body": body})
        assert response.status_code == status, (body, response.text)
        assert "body" in response.text
    assert employer.post(path, json={"body": f"请把身份证号{ID_NUMBER}发给我"}).status_code == 422
    assert graduate.get(path).json()["total"] == 0
    # with consent the graduate may write their number themselves
    graduate.put(f"/applications/{application_id}/contact-consent", json={"contact_consent": True})
    assert graduate.post(path, json={"body": "我的电话 138 0013 8000"}).status_code == 201


async def test_invisible_characters_do_not_hide_a_phone_or_an_id_number(api: Api, world: World) -> None:
    """A zero-width space (or joiner, soft hyphen, word joiner, BOM) between the digits does not carry a
    phone number or a 身份证号 past the check; a right-to-left override that would show reversed digits
    as a phone number is dropped from what is stored; emoji sequences (joined by U+200D) stay."""
    graduate = api("graduate_a")
    application_id = apply(graduate, world)
    path = f"/applications/{application_id}/messages"
    for body in (
        "电话 138\u200b0013\u200b8000",
        "电话 1\u200d3\u200c8\u20600013\u00ad8000",
        f"身份证 {ID_NUMBER[:6]}\ufeff{ID_NUMBER[6:]}",
    ):
        response = graduate.post(path, json={"body": body})
        assert response.status_code == 422, (body, response.text)
    # a browser shows these as 1 3800138000: stored without the controls, they show as written
    for body, stored in (
        ("电话 \u202e0008310083 1\u202c", "电话 0008310083 1"),
        ("电话 \u2067000831008 31\u2069", "电话 000831008 31"),
        ("谢谢\u202e！👩\u200d🔧", "谢谢！👩\u200d🔧"),  # the emoji's joiner stays
    ):
        response = graduate.post(path, json={"body": body})
        assert response.status_code == 201, (body, response.text)
        assert response.json()["body"] == stored


async def test_messages_are_rate_limited_per_sender(api: Api, world: World) -> None:
    """The test settings allow 3 messages a minute per sender: the 4th is 429 with Retry-After and
    stores nothing; the other side still writes."""
    graduate, employer = api("graduate_a"), api("employer_a")
    application_id = apply(graduate, world)
    path = f"/applications/{application_id}/messages"
    for n in range(3):
        assert graduate.post(path, json={"body": f"第{n + 1}条"}).status_code == 201
    refused = graduate.post(path, json={"body": "第4条"})
    assert refused.status_code == 429, refused.text
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert employer.post(path, json={"body": "收到"}).status_code == 201
    assert [m["body"] for m in graduate.get(path).json()["items"]] == ["第1条", "第2条", "第3条", "收到"]


async def test_withdrawing_notifies_the_employer_and_closes_the_thread(
    api: Api, world: World, session: AsyncSession
) -> None:
    graduate, employer = api("graduate_a"), api("employer_a")
    application_id = apply(graduate, world, share_contact=True)
    assert employer.get(f"/applications/{application_id}/applicant").json()["contact"]["phone"] == PHONE
    withdrawn = graduate.post(f"/applications/{application_id}/status", json={"status": "withdrawn"})
    assert withdrawn.status_code == 200, withdrawn.text
    notes = [n for n in await inbox(session, world.ids["user_employer_a"]) if n.kind == "application_withdrawn"]
    assert len(notes) == 1 and notes[0].params == {"posting_title": "数控车床操作工"}
    assert "陈小明" not in str(notes[0].params)
    assert employer.get(f"/applications/{application_id}/applicant").json()["contact_withheld"] == "not_live"
    assert employer.post(f"/applications/{application_id}/messages", json={"body": "为什么？"}).status_code == 409


async def test_invitation_keeps_the_candidate_anonymous_until_accepted(
    api: Api, world: World, session: AsyncSession
) -> None:
    employer, graduate = api("employer_a"), api("graduate_a")
    gid, posting = world.ids["graduate_a"], world.ids["posting_a"]
    sent = employer.post(f"/postings/{posting}/invitations", json={"graduate_id": gid, "message": "欢迎投递"})
    assert sent.status_code == 201, sent.text
    invitation = sent.json()
    assert invitation["status"] == "pending" and invitation["candidate"]["skills"] == ["数控车床操作", "CAD制图"]
    for response in (sent, employer.get(f"/postings/{posting}/invitations"), employer.get("/invitations")):
        assert "陈小明" not in response.text and PHONE not in response.text and ID_NUMBER[-4:] not in response.text
    assert employer.get(f"/graduates/{gid}").status_code == 404  # no profile before accepting
    notes = [n for n in await inbox(session, world.ids["user_graduate_a"]) if n.kind == "invitation_to_apply"]
    assert len(notes) == 1 and notes[0].params == {
        "posting_title": "数控车床操作工",
        "employer_name": "广州数控设备有限公司",
    }
    assert employer.post(f"/postings/{posting}/invitations", json={"graduate_id": gid}).status_code == 409
    assert api("employer_b").post(f"/postings/{posting}/invitations", json={"graduate_id": gid}).status_code == 404
    assert api("graduate_b").post(f"/invitations/{invitation['id']}/accept", json={}).status_code == 404

    mine = graduate.get("/invitations").json()
    assert mine["total"] == 1 and mine["items"][0]["employer_name"] == "广州数控设备有限公司"
    accepted = graduate.post(f"/invitations/{invitation['id']}/accept", json={"share_contact": True})
    assert accepted.status_code == 201, accepted.text
    application_id = accepted.json()["id"]
    assert graduate.post(f"/invitations/{invitation['id']}/accept", json={}).status_code == 409
    listed = employer.get(f"/postings/{posting}/invitations").json()["items"][0]
    assert listed["status"] == "accepted" and listed["application_id"] == application_id
    view = employer.get(f"/applications/{application_id}/applicant").json()
    assert view["resume"]["name"] == "陈小明" and view["contact"]["phone"] == PHONE
    assert employer.get(f"/graduates/{gid}").status_code == 200
    assert any(n.kind == "application_received" for n in await inbox(session, world.ids["user_employer_a"]))


async def test_declined_invitation_stays_anonymous(api: Api, world: World) -> None:
    employer, graduate_b = api("employer_a"), api("graduate_b")
    gid = world.ids["graduate_b"]
    invitation = employer.post(f"/postings/{world.ids['posting_a']}/invitations", json={"graduate_id": gid}).json()
    declined = graduate_b.post(f"/invitations/{invitation['id']}/decline")
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    listed = employer.get(f"/postings/{world.ids['posting_a']}/invitations")
    assert "declined" in listed.text and "黄丽娟" not in listed.text and "13900139000" not in listed.text
    assert employer.get(f"/graduates/{gid}").status_code == 404
    assert (
        employer.post(f"/postings/{world.ids['posting_a']}/invitations", json={"graduate_id": 999999}).status_code
        == 422
    )


async def test_profile_reads_give_employers_the_phone_only_with_consent(api: Api, world: World) -> None:
    """``GET /graduates/{id}`` and ``GET /graduates`` follow the same rule as the applicant view."""
    graduate, employer = api("graduate_a"), api("employer_a")
    gid = world.ids["graduate_a"]
    application_id = apply(graduate, world)
    profile = employer.get(f"/graduates/{gid}")
    assert profile.status_code == 200 and profile.json()["phone"] is None and PHONE not in profile.text
    assert PHONE not in employer.get("/graduates").text
    graduate.put(f"/applications/{application_id}/contact-consent", json={"contact_consent": True})
    assert employer.get(f"/graduates/{gid}").json()["phone"] == PHONE
    assert employer.get("/graduates").json()["items"][0]["phone"] == PHONE
    assert graduate.get(f"/graduates/{gid}").json()["phone"] == PHONE  # the holder always


async def test_erasing_a_graduate_erases_snapshots_threads_and_invitations(
    api: Api, world: World, client: httpx.Client, session: AsyncSession
) -> None:
    from sqlalchemy import func, select

    from service.conversations.models import Invitation, Message
    from service.resumes.models import ApplicationResume

    graduate, employer = api("graduate_a"), api("employer_a")
    application_id = apply(graduate, world, share_contact=True, posting="posting_b")
    graduate.post(f"/applications/{application_id}/messages", json={"body": "我叫陈小明，盼复"})
    assert (
        employer.post(
            f"/postings/{world.ids['posting_a']}/invitations", json={"graduate_id": world.ids["graduate_a"]}
        ).status_code
        == 201
    )
    erased = client.delete(f"/graduates/{world.ids['graduate_a']}")
    assert erased.status_code == 200, erased.text
    row = (
        await session.execute(
            select(ApplicationResume)
            .where(ApplicationResume.application_id == application_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one()
    assert row.snapshot is None and row.contact_consent is False
    assert (await session.execute(select(func.count()).select_from(Message))).scalar_one() == 0
    assert (await session.execute(select(func.count()).select_from(Invitation))).scalar_one() == 0
    view = api("employer_b").get(f"/applications/{application_id}/applicant")
    assert view.status_code == 200 and "陈小明" not in view.text and view.json()["resume"] is None


async def test_the_graduates_export_holds_snapshots_threads_and_invitations(api: Api, world: World) -> None:
    graduate, employer = api("graduate_a"), api("employer_a")
    application_id = apply(graduate, world, share_contact=True)
    graduate.post(f"/applications/{application_id}/messages", json={"body": "导出测试消息"})
    invited = employer.post(
        f"/postings/{world.ids['posting_a']}/invitations", json={"graduate_id": world.ids["graduate_b"]}
    )
    assert invited.status_code == 201, invited.text
    exported = graduate.get(f"/graduates/{world.ids['graduate_a']}/export")
    assert exported.status_code == 200, exported.text
    item = exported.json()["applications"][0]
    assert item["resume_snapshot"]["name"] == "陈小明" and item["contact_consent"] is True
    assert [m["body"] for m in item["messages"]] == ["导出测试消息"] and item["messages"][0]["mine"] is True
    assert exported.json()["invitations"] == []  # graduate B's invitation is not graduate A's


async def test_an_invitation_from_an_employer_no_longer_verified_cannot_be_accepted(
    api: Api, world: World, session: AsyncSession
) -> None:
    """As ``POST /applications``: graduates reach verified employers only, so an invitation sent
    before the employer's approval was withdrawn applies to nothing (409, no application)."""
    from sqlalchemy import func, select, update

    from service.applications.models import Application
    from service.employers.models import Employer

    sent = api("employer_a").post(
        f"/postings/{world.ids['posting_a']}/invitations", json={"graduate_id": world.ids["graduate_a"]}
    )
    assert sent.status_code == 201, sent.text
    await session.execute(update(Employer).where(Employer.id == world.ids["employer_a"]).values(verified=False))
    await session.commit()
    refused = api("graduate_a").post(f"/invitations/{sent.json()['id']}/accept", json={"share_contact": True})
    assert refused.status_code == 409, refused.text
    assert (await session.execute(select(func.count()).select_from(Application))).scalar_one() == 0


async def test_the_admin_reading_a_thread_is_audited_and_proposing_an_interview_is_no_withdrawal(
    api: Api, world: World, client: httpx.Client, session: AsyncSession
) -> None:
    """Every read of someone else's personal data is audited, the admin's reading of a thread too;
    and moving an application on (here: to an interview) never tells the employer it was withdrawn."""
    application_id = apply(api("graduate_a"), world)
    assert api("employer_a").post(f"/applications/{application_id}/messages", json={"body": "你好"}).status_code == 201
    assert await audit(session, "application_messages") == []  # the two parties read their own thread
    api("graduate_a").get(f"/applications/{application_id}/messages").raise_for_status()
    assert await audit(session, "application_messages") == []
    assert client.get(f"/applications/{application_id}/messages").status_code == 200
    [read] = await audit(session, "application_messages")
    assert read.object_id == str(application_id) and read.graduate_id == world.ids["graduate_a"]
    import datetime as dt

    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    proposed = api("employer_a").post(
        f"/applications/{application_id}/interviews", json={"slots": [{"starts_at": start}], "place": "某会议室"}
    )
    assert proposed.status_code == 201, proposed.text  # the application moves on to 邀请面试 quietly
    kinds = [n.kind for n in await inbox(session, world.ids["user_employer_a"])]
    assert "application_withdrawn" not in kinds
