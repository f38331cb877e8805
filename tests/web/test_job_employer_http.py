"""A job's page says why it fits the graduate and links to the employer's page, which lists the
employer's open jobs (issue 16, polish) — over real HTTP on both databases."""

from __future__ import annotations

import datetime as dt
import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from service.postings.models import Posting, PostingStatus
from tests.conftest import Clock
from tests.web.conftest import World, sign_in, text_of


def test_job_page_gives_the_reasons_and_links_the_employer(web: httpx.Client, world: World) -> None:
    sign_in(web, world.logins["graduate_a"])
    html = web.get(f"/web/jobs/{world.ids['posting_a']}").text
    page = text_of(html)
    assert "为什么推荐这个岗位" in page
    assert "匹配 2/3 项要求技能" in page and "缺少：电工、电工证" in page  # the recommendations' own reasons
    assert f'href="/web/employers/{world.ids["employer_a"]}"' in html


async def test_employer_page_lists_its_open_jobs_only(web: httpx.Client, world: World, session: AsyncSession) -> None:
    session.add_all(
        [
            Posting(
                title="装配钳工",
                employer_id=world.ids["employer_a"],
                region_code="440106",
                city="广州市",
                salary_min_monthly=4500,
                salary_max_monthly=6000,
            ),
            Posting(title="已关闭的岗位", employer_id=world.ids["employer_a"], status=PostingStatus.CLOSED),
        ]
    )
    await session.commit()
    sign_in(web, world.logins["graduate_a"])
    page = text_of(web.get(f"/web/employers/{world.ids['employer_a']}").text)
    assert "广州数控设备有限公司" in page and "广东省 广州市 天河区" in page
    assert "2 个在招岗位" in page and "数控车床操作工" in page and "装配钳工" in page
    assert "已关闭的岗位" not in page
    unverified = web.get(f"/web/employers/{world.ids['employer_b']}")
    assert unverified.status_code == 404 and "未审核贸易有限公司" not in unverified.text
    assert web.get("/web/employers/999999").status_code == 404


def test_place_picker_covers_the_country_grouped_by_province(web, world) -> None:
    """The posting form's place list: every city of the country grouped by province, the employer's
    province (广东省) first with its counties; the graduate's destination form: every city, grouped."""
    import re as _re

    from tests.web.conftest import sign_in as _sign_in

    _sign_in(web, world.logins["employer_a"])
    form = web.get("/web/postings/new").text
    select = form.split('<select id="region_code"', 1)[1].split("</select>", 1)[0]
    groups = _re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, flags=_re.S)
    assert [label for label, _ in groups] == ["广东省", "广西壮族自治区"]
    assert 'value="440106"' in groups[0][1] and 'value="440600"' in groups[0][1]  # a county of its own province
    assert 'value="450100"' in groups[1][1]  # a city of another province
    web.cookies.clear()
    _sign_in(web, world.logins["graduate_a"])
    page = web.get("/web/destination").text
    select = page.split('<select id="region_code"', 1)[1].split("</select>", 1)[0]
    assert _re.findall(r'<optgroup label="([^"]+)">', select) == ["广东省", "广西壮族自治区"]
    assert 'value="450100"' in select and 'value="440106"' not in select  # cities only (no home province here)


async def test_postings_past_their_day_in_beijing_are_gone_from_every_list(
    web: httpx.Client, world: World, session: AsyncSession, evening_in_utc: Clock
) -> None:
    """17:30 UTC, already tomorrow (01:30) in Beijing: a posting valid through the server's date has
    closed for the graduates — not recommended, not found by the search, not on its employer's page,
    and its page offers no "apply" — while one valid through Beijing's date is open all that day. With
    the server's date the closed one was still listed until midnight UTC, 08:00 in Beijing."""

    def posting(title: str, day: dt.date) -> Posting:
        return Posting(
            title=title,
            employer_id=world.ids["employer_a"],
            region_code="440106",
            province="广东省",
            city="广州市",
            salary_min_monthly=5000,
            salary_max_monthly=7000,
            required_skills=["数控车床操作", "CAD制图"],
            posted_on=day - dt.timedelta(days=20),
            valid_through=day,
        )

    closed, open_today = (
        posting("数控车工（昨天截止）", evening_in_utc.server_day),
        posting("数控车工（今天截止）", evening_in_utc.beijing_day),
    )
    session.add_all([closed, open_today])
    await session.commit()
    sign_in(web, world.logins["graduate_a"])

    def ids(html: str) -> set[int]:
        return {int(i) for i in re.findall(r'data-posting-id="(\d+)"', html)}

    recommended, found = ids(web.get("/web/jobs").text), ids(web.get("/web/jobs?region=440100").text)
    assert open_today.id in recommended and closed.id not in recommended
    assert open_today.id in found and closed.id not in found
    employer = text_of(web.get(f"/web/employers/{world.ids['employer_a']}").text)
    assert "数控车工（今天截止）" in employer and "数控车工（昨天截止）" not in employer
    assert "该岗位目前不接受投递。" in text_of(web.get(f"/web/jobs/{closed.id}").text)
    assert "该岗位目前不接受投递。" not in text_of(web.get(f"/web/jobs/{open_today.id}").text)
