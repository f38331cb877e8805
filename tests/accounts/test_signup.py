"""Sign-up (issues 16 and 17): roster graduates activate the account of their record — by school,
学号 and the last six characters of the 身份证号, or by a school's invitation — never making a
second profile; a wrong detail answers exactly as an unknown student; invitations are single-use
and expire; adult trainees and employers register on the web; staff approve or refuse employers
in their area from the queue, and the employer is notified. Real HTTP, both databases."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.cn import ric

from service.accounts.models import Role, User
from service.accounts.security import ACCESS_COOKIE
from service.config import Settings
from service.employers.models import Employer
from service.graduates.models import Graduate, SeekerKind
from service.notifications.models import Notification
from service.privacy.models import AuditEvent
from service.signup.models import ActivationCode
from tests.accounts.conftest import Browser, World, bearer, login, staff_browser
from tests.conftest import sign_in

NEW_PASSWORD = "a new graduate's password"
#: A valid 统一社会信用代码 registered in 广州 (GB 32100-2015 check character).
USCC = "91440101MA59UC8X38"


def id_number(body: str) -> str:
    """``body`` (17 digits) with its GB 11643-1999 check character."""
    return body + ric.calc_check_digit(body + "0")  # stdnum ignores the last character given


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"register_rate_per_ip": "1000/hour", "login_rate_per_account": "4/minute"}


@pytest.fixture
async def roster(session: AsyncSession, world: World) -> dict[str, int]:
    """Two roster graduates of school A (class 数控1班 of the 2026 cohort) without accounts, one
    without a 身份证号 on the roster, and one of school B."""
    made = {
        "chen": Graduate(
            name="陈名册",
            school_id=world.ids["school_a"],
            student_number="2026001",
            cohort=2026,
            class_name="数控1班",
            id_number=id_number("44010620080101001"),
        ),
        "li": Graduate(
            name="李名册",
            school_id=world.ids["school_a"],
            student_number="2026002",
            cohort=2026,
            class_name="数控1班",
            id_number=id_number("44010620080202002"),
        ),
        "no_id": Graduate(
            name="王无证", school_id=world.ids["school_a"], student_number="2026003", cohort=2026, class_name="数控2班"
        ),
        "other": Graduate(
            name="赵外校",
            school_id=world.ids["school_b"],
            student_number="2026001",
            cohort=2026,
            id_number=id_number("45010320080303003"),
        ),
    }
    session.add_all(made.values())
    await session.commit()
    return {k: g.id for k, g in made.items()}


async def _count(session: AsyncSession, model: Any, *where: Any) -> int:
    await session.rollback()  # see what the server committed
    return (await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one()


#: Well-formed 身份证号 (check digits right) that are on no roster: wrong answers, not typos.
WRONG_ID = id_number("44010620080101009")
GUESSES = tuple(id_number(f"4401062008010190{i}") for i in range(3))


def _details(world: World, graduate: str = "chen", **changes: Any) -> dict[str, Any]:
    numbers = {"chen": ("2026001", id_number("44010620080101001")), "li": ("2026002", id_number("44010620080202002"))}
    number, ident = numbers[graduate]
    body = {
        "school_id": world.ids["school_a"],
        "student_number": number,
        "id_number": ident,
        "email": f"{graduate}@example.cn",
        "password": NEW_PASSWORD,
    }
    return {**body, **changes}


# --- activation by roster details -----------------------------------------------------------------


async def test_activation_binds_the_account_to_the_roster_graduate(
    client: httpx.Client, world: World, roster: dict[str, int], session: AsyncSession
) -> None:
    """The account belongs to the roster record (no second graduate is made); signing in shows it;
    the same record cannot be activated twice (409)."""
    graduates = await _count(session, Graduate)
    ident = id_number("44010620080101001")
    answer = client.post("/auth/activate", json=_details(world, id_number=f" {ident[:9]} {ident[9:].lower()}"))
    assert answer.status_code == 202, answer.text
    assert await _count(session, Graduate) == graduates
    user = (await session.execute(select(User).where(User.email == "chen@example.cn"))).scalar_one()
    assert user.role is Role.GRADUATE and user.graduate_id == roster["chen"]
    me = client.get("/auth/me", headers=bearer(login(client, "chen@example.cn", NEW_PASSWORD))).json()
    assert me["graduate_id"] == roster["chen"]
    again = client.post("/auth/activate", json=_details(world, email="chen2@example.cn"))
    assert again.status_code == 409, again.text
    assert await _count(session, User, User.graduate_id == roster["chen"]) == 1


async def test_wrong_details_answer_exactly_as_an_unknown_student(
    client: httpx.Client, world: World, roster: dict[str, int], session: AsyncSession
) -> None:
    """A wrong 身份证号 ending, an unknown 学号, another school's student, a record without a 身份证号
    and an unknown school all get the same status and body: nothing tells which part was wrong
    or whether the student exists. Nothing is created."""
    users = await _count(session, User)
    wrong_id = client.post("/auth/activate", json=_details(world, id_number=WRONG_ID))
    unknown_number = client.post("/auth/activate", json=_details(world, student_number="9999999"))
    other_school = client.post("/auth/activate", json=_details(world, school_id=world.ids["school_b"]))
    no_id = client.post("/auth/activate", json=_details(world, student_number="2026003"))
    unknown_school = client.post("/auth/activate", json=_details(world, school_id=987654))
    first = wrong_id
    assert first.status_code == 422
    assert "学号" in first.json()["detail"]
    for answer in (unknown_number, other_school, no_id, unknown_school):
        assert (answer.status_code, answer.json()) == (first.status_code, first.json()), answer.text
    assert await _count(session, User) == users


@pytest.mark.parametrize(
    "settings_overrides", [{"register_rate_per_ip": "1000/hour", "login_rate_per_account": "3/minute"}]
)
async def test_guessing_one_students_id_ending_is_rate_limited(
    client: httpx.Client, world: World, roster: dict[str, int]
) -> None:
    """Failures count per (school, 学号) tried: after three wrong endings even the right one waits
    (429 with Retry-After); an unknown 学号 is limited in the same way, so the 429 tells nothing;
    another student is not affected."""
    for guess in GUESSES:
        assert client.post("/auth/activate", json=_details(world, id_number=guess)).status_code == 422
    blocked = client.post("/auth/activate", json=_details(world))
    assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) >= 1
    # the same 学号 in full-width digits is the same 学号 (NFKC), not a fresh allowance
    assert client.post("/auth/activate", json=_details(world, student_number="２０２６００１")).status_code == 429
    for guess in GUESSES:
        client.post("/auth/activate", json=_details(world, student_number="nobody", id_number=guess))
    assert client.post("/auth/activate", json=_details(world, student_number="nobody")).status_code == 429
    assert client.post("/auth/activate", json=_details(world, "li")).status_code == 202


async def test_taken_login_answers_as_a_success_and_binds_nothing(
    client: httpx.Client, world: World, roster: dict[str, int], session: AsyncSession
) -> None:
    """Activating with an e-mail address that is someone's login answers exactly as a success
    (no membership oracle) and leaves the record free to activate."""
    taken = client.post("/auth/activate", json=_details(world, email=world.logins["graduate_a"]))
    fresh = client.post("/auth/activate", json=_details(world, "li"))
    assert (taken.status_code, taken.json()) == (fresh.status_code, fresh.json()) == (202, fresh.json())
    assert await _count(session, User, User.graduate_id == roster["chen"]) == 0
    assert client.post("/auth/activate", json=_details(world)).status_code == 202


# --- the web pages ----------------------------------------------------------------------------------


def _web_details(world: World, **changes: str) -> dict[str, str]:
    body = _details(world, **changes)
    return {
        "school_id": str(body["school_id"]),
        "student_number": body["student_number"],
        "id_number": body["id_number"],
        "email": body["email"],
        "phone": "",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    }


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
async def test_web_activation_by_roster_details(
    browser: Callable[..., Browser], world: World, roster: dict[str, int], session: AsyncSession, lang: str
) -> None:
    """The sign-up page lists the schools; a wrong detail and an unknown 学号 give the same page
    text; the right details bind the account; every field error is shown at once."""
    b = browser()
    page = b.form("/web/sign-up", lang=lang)
    assert "广州市机电技师学校" in page.text and 'name="id_number"' in page.text
    empty = b.post(
        "/web/sign-up",
        {
            "school_id": "",
            "student_number": "",
            "id_number": "12",
            "email": "x",
            "password": "short",
            "password_confirm": "",
        },
    )
    assert empty.status_code == 400
    assert len(re.findall(r'class="error" id="[a-z_0-9]+-error"', empty.text)) >= 5  # every field at once
    wrong = b.post("/web/sign-up", _web_details(world, id_number=WRONG_ID))
    unknown = b.post("/web/sign-up", _web_details(world, student_number="404404"))
    assert wrong.status_code == unknown.status_code == 422

    def alert(r: httpx.Response) -> str:
        return re.search(r'<div role="alert">(.*?)</div>', r.text, re.S).group(1)

    assert alert(wrong) == alert(unknown)
    assert ("学号" in alert(wrong)) and (
        ("check the school" in alert(wrong).lower()) if lang == "en" else "核对" in alert(wrong)
    )
    done = b.post("/web/sign-up", _web_details(world))
    assert done.status_code == 200 and "/web/sign-in" in done.text, done.text[:500]
    user = (await session.execute(select(User).where(User.email == "chen@example.cn"))).scalar_one()
    assert user.graduate_id == roster["chen"]


async def test_web_post_without_the_form_token_is_refused(
    browser: Callable[..., Browser], world: World, roster: dict[str, int], session: AsyncSession
) -> None:
    """A sign-up form posted by another site (no pre-session token) is refused, nothing created."""
    b = browser()
    b.form("/web/sign-up")
    refused = b.c.post("/web/sign-up", data=_web_details(world))
    assert refused.status_code == 403
    assert await _count(session, User, User.graduate_id == roster["chen"]) == 0


async def test_adult_trainee_registers_with_a_training_institution(
    browser: Callable[..., Browser], session: AsyncSession, world: World
) -> None:
    b = browser()
    b.form("/web/sign-up/trainee")
    done = b.post(
        "/web/sign-up/trainee",
        {
            "name": "返乡学员",
            "training_institution": "县职业技能培训中心",
            "phone": "13700137000",
            "email": "",
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert done.status_code == 200, done.text[:500]
    user = (await session.execute(select(User).where(User.phone == "13700137000"))).scalar_one()
    trainee = await session.get(Graduate, user.graduate_id)
    assert trainee is not None and trainee.kind is SeekerKind.ADULT_TRAINEE
    assert trainee.training_institution == "县职业技能培训中心" and trainee.school_id is None


async def test_trainee_names_are_stored_without_invisible_characters(
    browser: Callable[..., Browser], session: AsyncSession, world: World
) -> None:
    """A zero-width space or a direction control in a trainee's name (web sign-up or API) is not
    stored: the name is found by a search for what it shows; a name of invisible characters only is
    refused like an empty one."""
    form = {"email": "", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
    b = browser()
    b.form("/web/sign-up/trainee")
    done = b.post(
        "/web/sign-up/trainee",
        {**form, "name": "李\u200b华", "training_institution": "县\u2060培训中心", "phone": "13700137000"},
    )
    assert done.status_code == 200, done.text[:500]
    b = browser()
    b.form("/web/sign-up/trainee")
    refused = b.post(
        "/web/sign-up/trainee",
        {**form, "name": "\u200b\u200d", "training_institution": "", "phone": "13700137001"},
    )
    assert refused.status_code == 400
    api = b.c.post(
        "/auth/register",
        json={
            "role": "trainee",
            "phone": "13700137002",
            "password": NEW_PASSWORD,
            "trainee": {"name": "\u202e阿卜杜拉·买买提\u202c"},
        },
    )
    assert api.status_code == 202, api.text
    invisible = b.c.post(
        "/auth/register",
        json={"role": "trainee", "phone": "13700137003", "password": NEW_PASSWORD, "trainee": {"name": "\ufeff"}},
    )
    assert invisible.status_code == 422 and invisible.json()["errors"][0]["field"] == "trainee.name"
    stored = dict(
        (
            await session.execute(
                select(User.phone, Graduate.name)
                .join(Graduate, Graduate.id == User.graduate_id)
                .where(Graduate.kind == SeekerKind.ADULT_TRAINEE)
            )
        )
        .tuples()
        .all()
    )
    assert stored == {"13700137000": "李华", "13700137002": "阿卜杜拉·买买提"}
    institution = (await session.execute(select(Graduate.training_institution).where(Graduate.name == "李华"))).scalar()
    assert institution == "县培训中心"


async def test_accounts_signed_up_in_english_get_english_notifications(
    browser: Callable[..., Browser], world: World, roster: dict[str, int], session: AsyncSession
) -> None:
    """Found by the whole-loop browser test: an account made on an English sign-up page (roster
    activation, trainee, employer) has English as its notification language — its e-mails came in
    Chinese until the person found the setting; one made on a Chinese page keeps Chinese; the API
    takes ``language`` in the body."""
    trainee = {
        "name": "返乡学员",
        "training_institution": "",
        "email": "",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    }
    for path, form in (
        ("/web/sign-up", _web_details(world)),
        ("/web/sign-up/employer", _employer_form()),
        ("/web/sign-up/trainee", {**trainee, "phone": "13700137000"}),
    ):
        b = browser()
        b.form(path, lang="en")
        assert b.post(path, form).status_code == 200, path
    b = browser()
    b.form("/web/sign-up/trainee")
    assert b.post("/web/sign-up/trainee", {**trainee, "phone": "13700137001"}).status_code == 200
    api = b.c.post(
        "/auth/register",
        json={
            "role": "trainee",
            "phone": "13700137002",
            "password": NEW_PASSWORD,
            "trainee": {"name": "API 学员"},
            "language": "en",
        },
    )
    assert api.status_code == 202, api.text  # the API takes the language too
    languages = dict(
        (await session.execute(select(func.coalesce(User.email, User.phone), User.language))).tuples().all()
    )
    assert (
        languages["chen@example.cn"]
        == languages["hr@xinrui.example.cn"]
        == languages["13700137000"]
        == languages["13700137002"]
        == "en"
    )
    assert languages["13700137001"] == "zh_Hans"


# --- invitations -----------------------------------------------------------------------------------


def _codes(sheet: str) -> list[str]:
    return re.findall(r'<code class="code">([0-9A-Z-]{14})</code>', sheet)


@pytest.mark.parametrize(
    "settings_overrides", [{"register_rate_per_ip": "1000/hour", "login_rate_per_account": "20/minute"}]
)
async def test_invitation_sheet_codes_are_single_use_and_expire(
    browser: Callable[..., Browser], settings: Settings, world: World, roster: dict[str, int], session: AsyncSession
) -> None:
    """School staff make a class's sheet (one slip per graduate without an account, the codes
    stored only hashed); a code activates its graduate's record once; a used, expired or
    replaced code gets the one refusal; the share activated is shown."""
    staff = staff_browser(browser, settings, world, "school_a")
    overview = staff.c.get("/web/activation-codes")
    assert overview.status_code == 200 and "数控1班" in overview.text
    sheet = staff.post("/web/activation-codes", {"cohort": "2026", "class_name": "数控1班", "days": "30"})
    assert sheet.status_code == 200, sheet.text[:500]
    codes = _codes(sheet.text)
    assert len(codes) == 2 and "陈名册" in sheet.text and "李名册" in sheet.text and "王无证" not in sheet.text
    stored = (await session.execute(select(ActivationCode.code_hash))).scalars().all()
    assert len(stored) == 2 and not any(c.replace("-", "") in h for c in codes for h in stored)
    assert "/web/activate?code=" in sheet.text
    assert await _count(session, AuditEvent, AuditEvent.object_type == "invitation") == 1

    b = browser()
    b.form("/web/activate", code=codes[0])
    form = {
        "code": codes[0].lower().replace("-", " "),
        "email": "first@example.cn",
        "phone": "",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
    }
    assert b.post("/web/activate", form).status_code == 200
    bound = (await session.execute(select(User).where(User.email == "first@example.cn"))).scalar_one()
    assert bound.graduate_id == roster["chen"]  # the first slip is the first 学号
    reused = b.post("/web/activate", {**form, "email": "second@example.cn"})
    unknown = b.post("/web/activate", {**form, "code": "ABCD-EFGH-JKMN", "email": "third@example.cn"})
    assert reused.status_code == unknown.status_code == 422
    assert reused.text.count('class="error"') == unknown.text.count('class="error"')

    # the other code: replaced by a new sheet, then the new one expired
    newer = _codes(staff.post("/web/activation-codes", {"cohort": "2026", "class_name": "", "days": "1"}).text)
    assert len(newer) == 2  # 李名册 and 王无证 (陈名册 has an account now)
    replaced = b.post("/web/activate", {**form, "code": codes[1], "email": "li@example.cn"})
    assert replaced.status_code == 422
    await session.execute(
        update(ActivationCode)
        .where(ActivationCode.revoked_at.is_(None))
        .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1))
    )
    await session.commit()
    for code in newer:
        assert b.post("/web/activate", {**form, "code": code, "email": "late@example.cn"}).status_code == 422
    assert await _count(session, User, User.graduate_id.in_([roster["li"], roster["no_id"]])) == 0
    share = staff.c.get("/web/activation-codes").text
    assert "33.3%" in share or "50.0%" in share


def test_invitations_api_is_for_the_schools_own_staff(
    client_for: Callable[[str], httpx.Client], world: World, roster: dict[str, int]
) -> None:
    school = world.ids["school_a"]
    made = client_for("school_a").post(f"/schools/{school}/invitations", json={"cohort": 2026})
    assert made.status_code == 201 and {i["name"] for i in made.json()} == {"陈名册", "李名册", "王无证"}
    assert client_for("school_b").post(f"/schools/{school}/invitations", json={}).status_code == 403
    assert client_for("employer_a").post(f"/schools/{school}/invitations", json={}).status_code == 403
    shares = client_for("department_a").get(f"/schools/{school}/activation")
    assert shares.status_code == 200 and sum(s["graduates"] for s in shares.json()) >= 3
    assert client_for("department_b").get(f"/schools/{school}/activation").status_code == 404


# --- employers: sign-up, queue, approve / refuse ----------------------------------------------------


def _employer_form(**changes: str) -> dict[str, str]:
    return {
        "company": "广州新锐机电有限公司",
        "uscc": USCC,
        "region_code": "440100",
        "address": "天河区某路1号",
        "contact_name": "张经理",
        "contact_phone": "020-12345678",
        "email": "hr@xinrui.example.cn",
        "phone": "",
        "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD,
        **changes,
    }


async def _verified(session: AsyncSession, employer_id: int) -> bool:
    await session.rollback()
    return bool((await session.execute(select(Employer.verified).where(Employer.id == employer_id))).scalar_one())


async def _sign_up_employer(browser: Callable[..., Browser], session: AsyncSession) -> Employer:
    b = browser()
    b.form("/web/sign-up/employer")
    bad = b.post("/web/sign-up/employer", _employer_form(uscc=USCC[:-1] + ("0" if USCC[-1] != "0" else "1")))
    assert bad.status_code == 400 and "GB 32100-2015" in bad.text
    done = b.post("/web/sign-up/employer", _employer_form())
    assert done.status_code == 200, done.text[:800]
    await session.rollback()
    return (await session.execute(select(Employer).where(Employer.uscc == USCC))).scalar_one()


async def test_employer_sign_up_queue_approve_and_notification(
    browser: Callable[..., Browser], settings: Settings, world: World, session: AsyncSession, client: httpx.Client
) -> None:
    """An employer signs up on the web (统一社会信用代码 checked), sees "waiting for approval";
    school A's staff (same city) see it in the queue with the check; school B's staff neither
    see nor may approve it; approval notifies the member and is audited."""
    employer = await _sign_up_employer(browser, session)
    assert not employer.verified and employer.contact_name == "张经理"
    employer_id = employer.id
    member_id = (await session.execute(select(User.id).where(User.email == "hr@xinrui.example.cn"))).scalar_one()
    me = browser({ACCESS_COOKIE: sign_in(settings, member_id)})
    status = me.c.get("/web/verification", params={"lang": "en"})
    assert status.status_code == 200 and "Waiting for approval" in status.text

    queue = staff_browser(browser, settings, world, "school_a").c.get("/web/employers/queue")
    assert queue.status_code == 200 and "广州新锐机电有限公司" in queue.text and "张经理" in queue.text
    assert "GB 32100-2015" in queue.text
    other = staff_browser(browser, settings, world, "school_b")
    assert "广州新锐机电有限公司" not in other.c.get("/web/employers/queue").text
    assert other.post(f"/web/employers/{employer_id}/approve", {}).status_code == 403
    assert not await _verified(session, employer_id)

    approved = staff_browser(browser, settings, world, "school_a").post(f"/web/employers/{employer_id}/approve", {})
    assert approved.status_code == 303 and approved.headers["location"].startswith("/web/employers/queue")
    assert await _verified(session, employer_id)
    notes = (await session.execute(select(Notification).where(Notification.user_id == member_id))).scalars().all()
    assert [(n.kind, n.params["decision"]) for n in notes] == [("employer_verification_decided", "approved")]
    assert (
        await _count(
            session,
            AuditEvent,
            AuditEvent.object_type == "employer_verification",
            AuditEvent.object_id == str(employer_id),
        )
        == 1
    )
    assert "Approved" in me.c.get("/web/verification", params={"lang": "en"}).text


async def test_refusal_with_a_reason_is_notified_and_shown(
    browser: Callable[..., Browser],
    settings: Settings,
    world: World,
    session: AsyncSession,
    client_for: Callable[[str], httpx.Client],
) -> None:
    """The department refuses (a blank reason is refused first); the member is notified with the
    reason and the status page shows it; the API's queue and refusal agree with the pages."""
    employer = await _sign_up_employer(browser, session)
    employer_id = employer.id
    api_queue = client_for("department_a").get("/employers/verification-queue").json()
    # the world's employer B has no region: every department admin may approve it (as the API's rule)
    assert [i["employer"]["id"] for i in api_queue["items"]] == [world.ids["employer_b"], employer_id]
    assert api_queue["items"][1]["uscc_check"] == "valid" and api_queue["items"][1]["contact_name"] == "张经理"
    elsewhere = client_for("department_b").get("/employers/verification-queue").json()
    assert [i["employer"]["id"] for i in elsewhere["items"]] == [world.ids["employer_b"]]
    assert client_for("department_b").post(f"/employers/{employer_id}/refuse", json={"reason": "no"}).status_code == 403
    staff = staff_browser(browser, settings, world, "department_a")
    blank = staff.post(f"/web/employers/{employer_id}/refuse", {"reason": "  "})
    assert blank.status_code == 422
    refused = staff.post(f"/web/employers/{employer_id}/refuse", {"reason": "营业执照名称与填写不符"})
    assert refused.status_code == 303
    await session.rollback()
    member_id = (await session.execute(select(User.id).where(User.email == "hr@xinrui.example.cn"))).scalar_one()
    note = (await session.execute(select(Notification).where(Notification.user_id == member_id))).scalar_one()
    assert note.params == {
        "employer_name": "广州新锐机电有限公司",
        "decision": "refused",
        "reason": "营业执照名称与填写不符",
    }
    page = browser({ACCESS_COOKIE: sign_in(settings, member_id)}).c.get("/web/verification")
    assert "营业执照名称与填写不符" in page.text and "未通过" in page.text
    assert client_for("department_a").get("/employers/verification-queue").json()["total"] == 1  # employer B
    refused_list = client_for("department_a").get("/employers/verification-queue", params={"status": "refused"})
    assert refused_list.json()["items"][0]["employer"]["refusal_reason"] == "营业执照名称与填写不符"


def test_a_refused_employer_that_corrects_itself_returns_to_the_queue(
    client_for: Callable[[str], httpx.Client], world: World
) -> None:
    """Refused → the member sees the reason on the employer; changing the name (an identity field)
    puts it back among the pending ones; approval clears the refusal."""
    employer_id = world.ids["employer_b"]
    admin = client_for("admin")
    refused = admin.post(f"/employers/{employer_id}/refuse", json={"reason": "名称与执照不符"})
    assert refused.status_code == 200 and refused.json()["verification_status"] == "refused"
    member = client_for("employer_b")
    assert member.get(f"/employers/{employer_id}").json()["refusal_reason"] == "名称与执照不符"
    pending = {i["employer"]["id"] for i in admin.get("/employers/verification-queue").json()["items"]}
    assert employer_id not in pending
    assert member.patch(f"/employers/{employer_id}", json={"name": "更正贸易有限公司"}).status_code == 200
    pending = {i["employer"]["id"] for i in admin.get("/employers/verification-queue").json()["items"]}
    assert employer_id in pending
    approved = admin.post(f"/employers/{employer_id}/verify").json()
    assert approved["verification_status"] == "approved" and approved["refusal_reason"] is None


async def test_erasing_a_graduate_cancels_their_invitations(
    client_for: Callable[[str], httpx.Client], world: World, roster: dict[str, int], session: AsyncSession
) -> None:
    """A graduate's erasure deletes their unused codes, and erased records get no new ones."""
    school = client_for("school_a")
    codes = school.post(f"/schools/{world.ids['school_a']}/invitations", json={"cohort": 2026}).json()
    chen = next(i for i in codes if i["graduate_id"] == roster["chen"])
    assert client_for("admin").delete(f"/graduates/{roster['chen']}").status_code in (200, 204)
    assert await _count(session, ActivationCode, ActivationCode.graduate_id == roster["chen"]) == 0
    again = school.post(f"/schools/{world.ids['school_a']}/invitations", json={"cohort": 2026}).json()
    assert roster["chen"] not in {i["graduate_id"] for i in again}
    refused = client_for("admin").post(
        "/auth/activate", json={"code": chen["code"], "email": "z@example.cn", "password": NEW_PASSWORD}
    )
    assert refused.status_code == 422


async def test_the_roster_班级_column_makes_class_sheets(
    client_for: Callable[[str], httpx.Client], world: World, session: AsyncSession
) -> None:
    """A roster uploaded with a 班级 column stores each graduate's class; a sheet for one class
    holds exactly its graduates."""
    csv = (
        "学号,姓名,毕业时间,班级\nR001,甲同学,2026-06-30,电气1班\nR002,乙同学,2026-06-30,电气2班\n"
        "R003,丙同学,2026-06-30,电气1班\n"
    ).encode()
    school = client_for("school_a")
    uploaded = school.post("/schools/4144010001/rosters", files={"data": ("roster.csv", csv, "text/csv")})
    assert uploaded.status_code in (200, 201), uploaded.text
    await session.rollback()
    classes = dict(
        (
            await session.execute(
                select(Graduate.student_number, Graduate.class_name).where(
                    Graduate.student_number.in_(["R001", "R002", "R003"])
                )
            )
        )
        .tuples()
        .all()
    )
    assert classes == {"R001": "电气1班", "R002": "电气2班", "R003": "电气1班"}
    sheet = school.post(f"/schools/{world.ids['school_a']}/invitations", json={"class_name": "电气1班"}).json()
    assert [i["student_number"] for i in sheet] == ["R001", "R003"]
