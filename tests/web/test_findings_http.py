"""What a newcomer found wrong in the pages, checked over real HTTP (httpx on loopback) on SQLite and
PostgreSQL: translated error pages without internal detail, translated form errors and unknown
places named, the province named in the location reason, certificates shown by full name and level,
page reads of personal data audited, the favicon, and the dashboard's charts in the page's language
with the school's name and a Beijing-time cut-off."""

from __future__ import annotations

import datetime as dt
import re

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.applications.models import Application
from service.destinations.models import DestinationCategory, DestinationEvent, DestinationEventKind, DestinationSource
from service.graduates.models import Graduate, GraduateCertificate
from service.postings.models import Posting
from service.privacy.models import AuditEvent
from service.reports.compute import default_cohort
from service.web.common import coded_message, field_message
from service.web.i18n import load_catalogues
from tests.web.conftest import World, csrf, sign_in, text_of


def test_error_pages_are_translated_and_hide_the_internal_detail(web: httpx.Client, world: World) -> None:
    sign_in(web, world.logins["graduate_a"])
    missing = web.get("/web/jobs/99999")
    assert missing.status_code == 404
    assert "找不到这个页面或对象" in missing.text and "错误代码 404" in text_of(missing.text)
    assert "posting" not in missing.text and "99999" not in text_of(missing.text).replace("/web/jobs/99999", "")
    forbidden = web.get("/web/dashboard")
    assert forbidden.status_code == 403
    assert "你的账号无权打开这个页面" in forbidden.text and "roles" not in forbidden.text
    web.cookies.clear()
    sign_in(web, world.logins["employer_a"])
    bad = web.get("/web/postings/0/edit")
    assert bad.status_code == 400
    assert "请求有误" in bad.text and "Validation failed" not in bad.text and "状态" not in bad.text
    english = web.get("/web/postings/99999/edit?lang=en")
    assert english.status_code == 404 and '<html lang="en">' in english.text
    assert "<h1>Not found</h1>" in english.text and "This page or object could not be found" in english.text
    assert "未找到" not in english.text


@pytest.mark.parametrize(
    ("message", "zh", "en"),
    [
        (
            "Expected `int` >= 0 - at `$.min_salary_monthly`",
            "请输入不小于 0 的整数",
            "Enter a whole number of at least 0",
        ),
        ("Expected `int` > 0 - at `$.openings`", "请输入不小于 1 的整数", "Enter a whole number of at least 1"),
        (
            "Expected `int` <= 1000000 - at `$.salary_max`",
            "请输入不大于 1000000 的整数",
            "Enter a whole number of at most 1000000",
        ),
        ("Expected `int`, got `str` - at `$.openings`", "请输入整数", "Enter a whole number"),
        ("Expected `str` of length <= 200 - at `$.title`", "最多输入 200 个字", "Enter at most 200 characters"),
        ("Expected `array` of length <= 100 - at `$.skills`", "最多选择 100 项", "Choose at most 100 items"),
        (
            "Invalid enum value 'ASTRONAUT' - at `$.preferred_job_types[0]`",
            "请从给出的选项中选择",
            "Choose one of the offered values",
        ),
        ("Object missing required field `title`", "此项必填", "This field is required"),
        ("something nobody planned for", "此项的值无效", "This value is not valid"),
    ],
)
def test_validation_messages_are_translated(message: str, zh: str, en: str) -> None:
    catalogues = load_catalogues()
    assert field_message(catalogues.get("zh_Hans"), message) == zh
    assert field_message(catalogues.get("en"), message) == en


def test_service_refusals_are_translated_by_their_code() -> None:
    """A service's refusal is shown by its code (service/web/common.py ``MESSAGES_BY_CODE``), not its English."""
    catalogues = load_catalogues()
    assert coded_message(catalogues.get("zh_Hans"), "2099-01-01 is in the future", "date_in_future") == "这个日期在将来"
    assert coded_message(catalogues.get("en"), "2099-01-01 is in the future", "date_in_future") == (
        "This date is in the future"
    )


async def test_unknown_preferred_places_are_named_and_nothing_is_saved(
    web: httpx.Client, world: World, session: AsyncSession
) -> None:
    sign_in(web, world.logins["graduate_a"])
    token = web.cookies["vocmatch_csrf"]
    bad = web.post(
        "/web/profile",
        data={
            "_csrf_token": token,
            "skills": ["数控车床操作"],
            "preferred_locations": "广州、火星市、999999",
            "min_salary_monthly": "4800",
        },
    )
    assert bad.status_code == 422
    error = text_of(bad.text.split('id="preferred_locations-error"')[1].split("</p>")[0])
    assert "未知地区：火星市、999999" in error and "广州" not in error
    graduate = (
        await session.execute(
            select(Graduate).where(Graduate.id == world.ids["graduate_a"]).execution_options(populate_existing=True)
        )
    ).scalar_one()
    assert graduate.min_salary_monthly == 4500 and graduate.preferred_locations == []
    good = web.post(
        "/web/profile",
        data={
            "_csrf_token": token,
            "skills": ["数控车床操作"],
            "preferred_locations": "广州、440106、湛江市",
            "min_salary_monthly": "4800",
        },
    )
    assert good.status_code == 303
    await session.refresh(graduate)
    assert graduate.preferred_locations == ["广州", "440106", "湛江市"] and graduate.min_salary_monthly == 4800


async def test_reason_names_the_province_and_certificates_show_name_and_level(
    web: httpx.Client, world: World, session: AsyncSession
) -> None:
    posting = Posting(
        title="数控机床操作员",
        employer_id=world.ids["employer_a"],
        region_code="440800",
        province="广东省",
        city="湛江市",
        salary_min_monthly=5000,
        salary_max_monthly=6000,
        required_skills=["数控车床操作", "CAD制图"],
    )
    session.add_all(
        [
            posting,
            GraduateCertificate(graduate_id=world.ids["graduate_a"], name="N1", level=None),
            GraduateCertificate(graduate_id=world.ids["graduate_a"], name="维修电工证", level="四级/中级工"),
        ]
    )
    await session.commit()
    sign_in(web, world.logins["graduate_a"])
    card = web.get("/web/jobs").text.split(f'data-posting-id="{posting.id}"')[1].split("</li>")[0]
    assert "在你所在的省份（广东省），湛江市" in text_of(card)
    english = web.get("/web/jobs?lang=en").text.split(f'data-posting-id="{posting.id}"')[1].split("</li>")[0]
    assert "in your province (广东省), 湛江市" in text_of(english)
    profile = web.get("/web/profile?lang=zh_Hans")
    labels = re.findall(r'<label for="certificates-\d+">([^<]+)</label>', profile.text)
    assert labels == ["叉车司机特种设备作业人员证（N1）", "电工职业技能等级证书（四级/中级工）"]
    assert 'name="certificates" value="N1" checked' in profile.text  # the stored name is what is sent back


async def test_page_reads_of_personal_data_are_audited(web: httpx.Client, world: World, session: AsyncSession) -> None:
    graduate = world.ids["graduate_a"]
    session.add(
        DestinationEvent(
            graduate_id=graduate,
            occurred_on=dt.date.today() - dt.timedelta(days=3),
            source=DestinationSource.SCHOOL_SURVEY,
            kind=DestinationEventKind.OUTCOME,
            category=DestinationCategory.LABOUR_CONTRACT,
            employer_name="广州某机械厂",
            job_title="车工",
            region_code="440100",
            monthly_salary=4800,
        )
    )
    await session.commit()
    sign_in(web, world.logins["school_a"])
    dashboard = web.get("/web/dashboard")
    assert dashboard.status_code == 200 and "陈小明" in dashboard.text
    events = (
        (await session.execute(select(AuditEvent).where(AuditEvent.object_type == "destination_list"))).scalars().all()
    )
    assert [(e.graduate_id, e.action.value, e.actor_role.value if e.actor_role else None, e.path) for e in events] == [
        (graduate, "read", "school", "/web/dashboard")
    ]
    web.cookies.clear()

    sign_in(web, world.logins["graduate_a"])
    assert web.post(f"/web/jobs/{world.ids['posting_a']}/apply", headers=csrf(web)).status_code == 200
    web.cookies.clear()
    sign_in(web, world.logins["employer_a"])
    page = web.get(f"/web/postings/{world.ids['posting_a']}/applications")
    assert page.status_code == 200 and "陈小明" in page.text
    listed = (
        (await session.execute(select(AuditEvent).where(AuditEvent.object_type == "application_list"))).scalars().all()
    )
    assert [(e.graduate_id, e.actor_role.value if e.actor_role else None) for e in listed] == [(graduate, "employer")]
    # a status move re-renders the row with the name: audited the same way (one service method)
    application = (
        await session.execute(select(Application.id).where(Application.graduate_id == graduate))
    ).scalar_one()
    moved = web.post(f"/web/applications/{application}/status", data={"status": "viewed"}, headers=csrf(web))
    assert moved.status_code == 200 and "陈小明" in moved.text
    listed = (
        (await session.execute(select(AuditEvent).where(AuditEvent.object_type == "application_list"))).scalars().all()
    )
    assert [(e.graduate_id, e.path) for e in listed] == [
        (graduate, f"/web/postings/{world.ids['posting_a']}/applications"),
        (graduate, f"/web/applications/{application}/status"),
    ]


def test_favicon(web: httpx.Client, world: World) -> None:
    legacy = web.get("/favicon.ico")
    assert legacy.status_code == 301 and legacy.headers["location"] == "/web/static/favicon.svg"
    icon = web.get("/web/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.lstrip().startswith("<svg")
    assert '<link rel="icon" href="/web/static/favicon.svg"' in web.get("/web/sign-in").text


async def test_dashboard_in_english_and_its_charts(web: httpx.Client, world: World, session: AsyncSession) -> None:
    graduate = await session.get(Graduate, world.ids["graduate_a"])
    assert graduate is not None
    graduate.cohort = default_cohort(dt.date.today())
    graduate.graduation_date = dt.date(graduate.cohort, 6, 30)
    await session.commit()
    sign_in(web, world.logins["school_a"])
    page = web.get("/web/dashboard?lang=en")
    assert page.status_code == 200
    definitions = page.text.split('id="defs-h"')[1]
    assert re.findall(r"<dt>([^<]+)</dt>", definitions)[:2] == [
        "Employment rate (就业率)",
        "In-field employment rate (对口就业率)",
    ]
    charts = re.findall(r'<img src="(/reports/chart\?[^"]+)"', page.text)
    assert charts and all("lang=en" in c for c in charts)
    chart = web.get(charts[0].replace("&amp;", "&"))
    assert chart.status_code == 200 and chart.headers["content-type"].startswith("image/svg+xml")
    svg = text_of(chart.text)  # caption lines wrap: compare the text with tags removed
    assert re.search(r"Employment rate \(%\) · by (major|cohort)", svg) and "percent (%)" in svg
    assert "广州市机电技师学校" in svg and "school:4144010001" not in svg
    assert re.search(r"data recorded before \d{4}-\d\d-\d\d \d\d:\d\d \(Beijing time\)", svg)
    assert not re.search(r"\d\d:\d\d:\d\d\.\d+", svg)  # no raw ISO timestamp
    chinese = web.get(
        web.get("/web/dashboard?lang=zh_Hans").text.split('<img src="')[1].split('"')[0].replace("&amp;", "&")
    )
    assert "lang=zh" in chinese.url.query.decode() and re.search(r"就业率 \(%\) · 按(专业|届别)", chinese.text)
    assert re.search(r"数据截至 \d{4}-\d\d-\d\d \d\d:\d\d \(北京时间\)", text_of(chinese.text))
    assert web.get(charts[0].replace("&amp;", "&").replace("lang=en", "lang=fr")).status_code == 400


async def test_a_posting_line_without_place_or_salary_starts_with_no_separator(
    web: httpx.Client, world: World, session: AsyncSession
) -> None:
    """The employer's posting list shows place · salary · status and leaves out what a posting lacks,
    separator included (a posting without a place read "· 5000–7000元/月 · 招聘中")."""
    bare = Posting(title="仓储理货员", employer_id=world.ids["employer_a"])
    paid = Posting(
        title="装配钳工", employer_id=world.ids["employer_a"], salary_min_monthly=5000, salary_max_monthly=7000
    )
    session.add_all([bare, paid])
    await session.commit()
    sign_in(web, world.logins["employer_a"])
    page = web.get("/web/postings").text

    def meta(posting: Posting) -> str:
        card = page.split(f'data-posting-id="{posting.id}"')[1].split("</li>")[0]
        return text_of(card.split('class="meta">')[1].split("</p>")[0]).strip()

    assert meta(bare) == "招聘中"
    assert meta(paid).startswith("5000") and meta(paid).endswith("· 招聘中")
