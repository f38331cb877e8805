"""The search, profile, destination and posting-form pages over real HTTP (httpx on loopback), on
SQLite and PostgreSQL: filters and htmx partials, taxonomy suggestions, validation errors next to
the fields with nothing stored, and the "what would open more jobs" box."""

from __future__ import annotations

import datetime as dt
import re

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.destinations.models import DestinationCategory, DestinationEvent, DestinationEventKind, DestinationSource
from service.graduates.models import Graduate
from service.postings.models import Posting
from tests.web.conftest import World, sign_in, text_of
from vocab import EmploymentType


async def _more_postings(session: AsyncSession, world: World) -> dict[str, int]:
    """Three more postings of verified employer A: an internship in 广州 opened by the 电工证 alone,
    a well-paid full-time job in 南宁, and a low-paid one in 广州."""
    e = world.ids["employer_a"]
    rows = {
        "intern": Posting(
            title="数控实习生",
            employer_id=e,
            region_code="440106",
            province="广东省",
            city="广州市",
            salary_min_monthly=3000,
            salary_max_monthly=3500,
            employment_type=EmploymentType.INTERN,
            required_skills=["数控车床操作"],
            certificates=["电工证"],
        ),
        "nanning": Posting(
            title="设备维修工",
            employer_id=e,
            region_code="450100",
            province="广西壮族自治区",
            city="南宁市",
            salary_min_monthly=6000,
            salary_max_monthly=9000,
            required_skills=["CAD制图"],
        ),
        "cheap": Posting(
            title="普工",
            employer_id=e,
            region_code="440106",
            province="广东省",
            city="广州市",
            salary_min_monthly=2500,
            salary_max_monthly=3000,
        ),
    }
    session.add_all(rows.values())
    await session.commit()
    return {k: p.id for k, p in rows.items()}


def _ids(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'data-posting-id="(\d+)"', html)}


async def test_search_filters_partial_and_shareable_url(web: httpx.Client, world: World, session: AsyncSession) -> None:
    more = await _more_postings(session, world)
    sign_in(web, world.logins["graduate_a"])
    full = web.get("/web/jobs")
    assert full.status_code == 200 and 'role="search"' in full.text
    assert {world.ids["posting_a"], *more.values()} <= _ids(full.text)
    assert world.ids["posting_b"] not in _ids(full.text)  # unverified employer
    assert '<option value="450100"' in full.text and '<option value="440000"' in full.text  # places with jobs
    # the gaps box: the internship needs only the 电工证 (posting A needs 电工 too: two items)
    gaps = text_of(full.text.split('id="gaps"')[1].split("</section>")[0])
    assert "低压电工作业证" in gaps and "广州市" in gaps and f"/web/jobs/{more['intern']}" in full.text

    assert _ids(web.get("/web/jobs?region=450100").text) == {more["nanning"]}
    assert _ids(web.get("/web/jobs?region=440000&min_salary=5000").text) == {world.ids["posting_a"]}
    assert _ids(web.get("/web/jobs?internship=1").text) == {more["intern"]}
    assert _ids(web.get("/web/jobs?job_type=FULL_TIME&q=维修").text) == {more["nanning"]}
    # htmx asks for the result list only: a fragment, not a page
    part = web.get(
        "/web/jobs?min_salary=5000&region=440100", headers={"HX-Request": "true", "HX-Target": "job-results"}
    )
    assert part.status_code == 200 and "<html" not in part.text and 'role="search"' not in part.text
    # … which carries "save this search" with the filters of this search (the form above it does not change)
    assert 'action="/web/job-alerts"' in part.text and 'name="region" value="440100"' in part.text
    assert _ids(part.text) == {world.ids["posting_a"]} and "1 个岗位符合搜索条件" in text_of(part.text)
    assert "HX-Request" in part.headers["vary"]
    # a shared link shows the filters filled in
    shared = web.get("/web/jobs?min_salary=5000&region=440100")
    assert 'value="5000"' in shared.text and '<option value="440100" selected>' in shared.text
    # bad values are named next to their field and ignored
    bad = web.get("/web/jobs?min_salary=lots&job_type=ASTRONAUT")
    assert bad.status_code == 200
    assert (
        'id="min_salary-error"' in bad.text and 'aria-invalid="true"' in bad.text and 'id="job_type-error"' in bad.text
    )
    assert "没有符合这些条件的在招岗位" in text_of(web.get("/web/jobs?q=宇航员").text)


def test_suggestions_use_the_taxonomy_and_chips_add_items(web: httpx.Client, world: World) -> None:
    sign_in(web, world.logins["graduate_a"])
    typed = web.get("/web/suggest", params={"field": "skills", "skills_new": "数控"})
    assert typed.status_code == 200 and "数控车削加工" in typed.text and "<html" not in typed.text
    alias = web.get("/web/suggest", params={"field": "certificates", "certificates_new": "電工證"})  # traditional
    assert "低压电工作业证" in text_of(alias.text) and "電工證" in alias.text
    assert web.get("/web/suggest", params={"field": "nope"}).status_code == 422
    chips = web.get("/web/chips", params=[("field", "skills"), ("skills", "CAD制图"), ("pick", "数控车削加工")])
    assert chips.status_code == 200
    assert re.findall(r'name="skills" value="([^"]+)" checked', chips.text) == ["CAD制图", "数控车削加工"]
    typed_in = web.get("/web/chips", params=[("field", "skills"), ("skills_new", "焊接，钳工、焊接")])
    assert re.findall(r'name="skills" value="([^"]+)" checked', typed_in.text) == ["焊接", "钳工"]
    web.cookies.clear()
    assert web.get("/web/suggest", params={"field": "skills", "skills_new": "数控"}).status_code == 303  # signed out


async def test_profile_saves_through_the_service_and_shows_errors(
    web: httpx.Client, world: World, session: AsyncSession
) -> None:
    sign_in(web, world.logins["graduate_a"])
    form = web.get("/web/profile")
    assert form.status_code == 200 and 'value="数控车床操作" checked' in form.text
    assert '<label for="min_salary_monthly">' in form.text and 'value="4500"' in form.text
    token = web.cookies["vocmatch_csrf"]
    saved = web.post(
        "/web/profile",
        data={
            "_csrf_token": token,
            "skills": ["数控车床操作"],
            "skills_new": "电工、PLC编程",
            "certificates_new": "电工证",
            "preferred_locations": "广州市、佛山市",
            "min_salary_monthly": "5,000",
            "preferred_job_types": ["FULL_TIME"],
        },
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/web/profile?saved=1"
    graduate = (
        await session.execute(
            select(Graduate).where(Graduate.id == world.ids["graduate_a"]).execution_options(populate_existing=True)
        )
    ).scalar_one()
    assert graduate.skills == ["数控车床操作", "电工", "PLC编程"] and graduate.min_salary_monthly == 5000
    assert graduate.preferred_locations == ["广州市", "佛山市"] and graduate.preferred_job_types == ["FULL_TIME"]
    # the recommendation reasons follow the new profile: only CAD制图 is missing for posting A now
    card = web.get("/web/jobs").text.split(f'data-posting-id="{world.ids["posting_a"]}"')[1].split("</li>")[0]
    assert (
        "匹配 2/3 项要求技能" in text_of(card)
        and "已有证书：电工证" in text_of(card)
        and "缺少：CAD制图" in text_of(card)
    )

    bad = web.post(
        "/web/profile",
        data={
            "_csrf_token": token,
            "skills": ["数控车床操作"],
            "min_salary_monthly": "-3",
            "preferred_job_types": ["ASTRONAUT"],
            "skills_new": "x" * 120,
        },
    )
    assert bad.status_code == 422
    assert 'id="min_salary_monthly-error"' in bad.text and 'id="preferred_job_types-error"' in bad.text
    assert "未保存" in bad.text and "请输入不小于 0 的整数" in bad.text
    assert "Expected" not in bad.text and "$." not in bad.text  # msgspec's English never reaches the page
    await session.refresh(graduate)
    assert graduate.min_salary_monthly == 5000 and len(graduate.skills) == 3  # nothing half-written
    assert web.post("/web/profile", data={"min_salary_monthly": "1"}).status_code == 403  # no CSRF token


async def test_destination_self_report_confirm_and_dispute(
    web: httpx.Client, world: World, session: AsyncSession
) -> None:
    graduate = world.ids["graduate_a"]
    survey = DestinationEvent(
        graduate_id=graduate,
        occurred_on=dt.date.today() - dt.timedelta(days=30),
        source=DestinationSource.SCHOOL_SURVEY,
        kind=DestinationEventKind.OUTCOME,
        category=DestinationCategory.LABOUR_CONTRACT,
        employer_name="广州某机械厂",
        job_title="车工",
        region_code="440100",
        monthly_salary=4800,
    )
    session.add(survey)
    await session.commit()
    sign_in(web, world.logins["graduate_a"])
    page = web.get("/web/destination")
    assert page.status_code == 200
    assert (
        "签劳动合同形式就业" in text_of(page.text)
        and "广州某机械厂" in page.text
        and "由学校记录" in text_of(page.text)
    )
    token = web.cookies["vocmatch_csrf"]
    # a dispute without a reason is refused next to the reason box
    empty = web.post(f"/web/destination/{survey.id}/dispute", data={"_csrf_token": token, "reason": ""})
    assert empty.status_code == 422 and f'id="reason-{survey.id}-error"' in empty.text
    confirmed = web.post(f"/web/destination/{survey.id}/confirm", data={"_csrf_token": token})
    assert confirmed.status_code == 303
    assert "你已于" in text_of(web.get("/web/destination").text)
    # a salary on "seeking work" is refused with the service's rule, next to the field
    bad = web.post(
        "/web/destination",
        data={
            "_csrf_token": token,
            "category": "seeking",
            "monthly_salary": "3000",
            "occurred_on": dt.date.today().isoformat(),
        },
    )
    assert bad.status_code == 422 and 'id="monthly_salary-error"' in bad.text
    missing = web.post("/web/destination", data={"_csrf_token": token, "category": "", "occurred_on": ""})
    assert (
        missing.status_code == 422
        and 'id="category-error"' in missing.text
        and 'id="occurred_on-error"' in missing.text
    )
    report = web.post(
        "/web/destination",
        data={
            "_csrf_token": token,
            "category": "employment_agreement",
            "employer_name": "广州数控设备有限公司",
            "job_title": "数控车工",
            "region_code": "440100",
            "monthly_salary": "5500",
            "occurred_on": dt.date.today().isoformat(),
        },
    )
    assert report.status_code == 303
    events = (
        (
            await session.execute(
                select(DestinationEvent).where(DestinationEvent.graduate_id == graduate).order_by(DestinationEvent.id)
            )
        )
        .scalars()
        .all()
    )
    assert [(e.kind.value, e.source.value) for e in events] == [
        ("outcome", "school_survey"),
        ("confirmation", "self_report"),
        ("outcome", "self_report"),
    ]
    assert events[-1].monthly_salary == 5500 and events[-1].region_code == "440100"
    current = text_of(web.get("/web/destination").text.split('id="current-destination"')[1].split("</p>")[0])
    assert "签就业协议形式就业" in current
    # another graduate's event is not found; employers have no such page
    web.cookies.clear()
    sign_in(web, world.logins["graduate_b"])
    other = web.post(f"/web/destination/{survey.id}/confirm", data={"_csrf_token": web.cookies["vocmatch_csrf"]})
    assert other.status_code == 404
    web.cookies.clear()
    sign_in(web, world.logins["employer_a"])
    assert web.get("/web/destination").status_code == 403


async def test_destination_page_says_a_stored_internship_does_not_count(
    web: httpx.Client, world: World, session: AsyncSession
) -> None:
    """Issue 15 item 7 on the graduate's page: with a job and a later internship row (stored before
    internships were refused), "what counts today" is the job, the internship's card says it is not
    a destination, and the page links the internship placements."""
    graduate = world.ids["graduate_a"]
    today = dt.date.today()
    job, internship = (
        DestinationEvent(
            graduate_id=graduate,
            occurred_on=today - dt.timedelta(days=days),
            source=source,
            kind=DestinationEventKind.OUTCOME,
            category=category,
            employer_name=name,
            internship=days == 10,
        )
        for days, source, category, name in (
            (40, DestinationSource.SCHOOL_SURVEY, DestinationCategory.LABOUR_CONTRACT, "广州某机械厂"),
            (10, DestinationSource.PLATFORM_HIRE, DestinationCategory.OTHER_EMPLOYMENT, "某实习单位"),
        )
    )
    session.add_all([job, internship])
    await session.commit()
    sign_in(web, world.logins["graduate_a"])
    page = web.get("/web/destination").text
    current = text_of(page.split('id="current-destination"')[1].split("</p>")[0])
    assert "签劳动合同形式就业" in current
    card = page.split(f'data-event-id="{internship.id}"')[1].split("</li>")[0]
    assert "internship-note" in card and "不是你的毕业去向" in text_of(card)
    job_card = page.split(f'data-event-id="{job.id}"')[1].split("</li>")[0]
    assert "internship-note" not in job_card
    assert 'href="/web/internships"' in page
    english = text_of(web.get("/web/destination", params={"lang": "en"}).text)
    assert "An internship: it is not your destination" in english


async def test_employer_creates_and_edits_a_posting(web: httpx.Client, world: World, session: AsyncSession) -> None:
    sign_in(web, world.logins["employer_a"])
    form = web.get("/web/postings/new")
    assert form.status_code == 200 and '<label for="title">' in form.text and 'id="chips-required_skills"' in form.text
    assert "天河区" in form.text.split('id="region_code"')[1].split("</select>")[0], form.text.split(
        'id="region_code"'
    )[1][:600]
    token = web.cookies["vocmatch_csrf"]
    bad = web.post(
        "/web/postings/new",
        data={"_csrf_token": token, "title": "", "salary_min": "9000", "salary_max": "abc", "openings": "0"},
    )
    assert bad.status_code == 422
    for field in ("title", "salary_max", "openings"):
        assert f'id="{field}-error"' in bad.text, field
    swapped = web.post(
        "/web/postings/new", data={"_csrf_token": token, "title": "钳工", "salary_min": "9000", "salary_max": "5000"}
    )
    assert swapped.status_code == 422 and 'id="salary_min-error"' in swapped.text and 'value="钳工"' in swapped.text
    before = (await session.execute(select(Posting.id))).scalars().all()
    assert len(before) == 2  # nothing stored by the refused forms
    created = web.post(
        "/web/postings/new",
        data={
            "_csrf_token": token,
            "title": "数控编程员",
            "region_code": "440106",
            "salary_min": "6000",
            "salary_max": "8000",
            "employment_type": "FULL_TIME",
            "education_required": "secondary_vocational",
            "openings": "2",
            "required_skills": ["数控车削加工"],
            "required_skills_new": "CAD制图",
            "posting_certificates_new": "电工证",
        },
    )
    assert created.status_code == 303, created.text
    posting = (await session.execute(select(Posting).where(Posting.title == "数控编程员"))).scalar_one()
    assert posting.employer_id == world.ids["employer_a"] and posting.city == "广州市" and posting.province == "广东省"
    assert posting.salary_min_monthly == 6000 and posting.required_skills == ["数控车削加工", "CAD制图"]
    assert posting.certificates == ["电工证"] and posting.openings == 2
    assert "数控编程员" in text_of(web.get("/web/postings").text)
    edit = web.get(f"/web/postings/{posting.id}/edit")
    assert edit.status_code == 200 and 'value="6000"' in edit.text and 'value="CAD制图" checked' in edit.text
    changed = web.post(
        f"/web/postings/{posting.id}/edit",
        data={
            "_csrf_token": token,
            "title": "数控编程员",
            "region_code": "440106",
            "salary_min": "6500",
            "salary_max": "8000",
            "employment_type": "FULL_TIME",
            "education_required": "any",
            "openings": "2",
            "status": "closed",
            "required_skills": ["CAD制图"],
        },
    )
    assert changed.status_code == 303
    await session.refresh(posting)
    assert (
        posting.status.value == "closed"
        and posting.salary_min_monthly == 6500
        and posting.required_skills == ["CAD制图"]
    )
    assert posting.certificates == []
    # another employer's posting: not found; graduates have no such page
    web.cookies.clear()
    sign_in(web, world.logins["employer_b"])
    assert web.get(f"/web/postings/{posting.id}/edit").status_code == 404
    web.cookies.clear()
    sign_in(web, world.logins["graduate_a"])
    assert web.get("/web/postings/new").status_code == 403


def test_an_overlong_search_is_refused_and_not_repeated(web: httpx.Client, world: World) -> None:
    """A search of more than 100 characters (service.inputs.SEARCH_MAX_CHARS, the follow-up search's
    limit) is named next to the box and not run on the jobs page, as the follow-up search refuses it;
    neither page repeats the 5,000 characters back (the language switch left them in its link: 50 KB)."""
    long_q = "宇" * 5000
    sign_in(web, world.logins["graduate_a"])
    jobs = web.get("/web/jobs", params={"q": long_q})
    assert jobs.status_code == 200
    assert 'id="q-error"' in jobs.text and "请不超过 100 个字符" in text_of(jobs.text)
    assert "宇" * 101 not in jobs.text and "%E5%AE%87" * 101 not in jobs.text
    assert len(jobs.text) < 20_000, len(jobs.text)
    fits = web.get("/web/jobs", params={"q": "宇" * 100})
    assert 'id="q-error"' not in fits.text and "没有符合这些条件的在招岗位" in text_of(fits.text)
    web.cookies.clear()
    sign_in(web, world.logins["school_a"])
    followup = web.get("/web/follow-up", params={"q": long_q})
    assert followup.status_code == 400
    assert "%E5%AE%87" * 101 not in followup.text and len(followup.text) < 20_000, len(followup.text)
