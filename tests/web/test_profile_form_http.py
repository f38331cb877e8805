"""The graduate's whole profile on the web (issue 16, onboarding): jobs wanted, about you,
internships and jobs, competition awards, the completeness meter, and the jobs page's prompt for a
profile the ranker cannot match yet — over real HTTP on both databases."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from service.graduates.completeness import PART_WEIGHTS
from service.graduates.models import Graduate
from service.graduates.service import GraduateService
from tests.web.conftest import World, sign_in, text_of


class _FormValues(HTMLParser):
    """What a browser would send for the profile form: text, month and hidden inputs, ticked
    boxes, textareas and each select's chosen (else first) option."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, list[str]] = {}
        self._textarea: str | None = None
        self._select: str | None = None
        self._first: str | None = None
        self._chosen = False

    def _add(self, name: str, value: str) -> None:
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("text", "month", "search", "hidden") or (kind == "checkbox" and "checked" in a):
                self._add(a["name"], a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._add(a["name"], "")
        elif tag == "select":
            self._select, self._first, self._chosen = a.get("name"), None, False
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                self._add(self._select, a.get("value", ""))
                self._chosen = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            if not self._chosen and self._first is not None:
                self._add(self._select, self._first)
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea][-1] += data


def _form(web: httpx.Client, **fields: str) -> dict[str, list[str]]:
    """The profile form as stored now, as a browser would send it, with ``fields`` changed."""
    html = web.get("/web/profile").text
    form = html[html.index('<form method="post" action="/web/profile"') :]
    parser = _FormValues()
    parser.feed(form[: form.index("</form>")])
    data = parser.values
    data.update({k: [v] for k, v in fields.items()})
    return data


def _percent(html: str) -> int:
    return int(re.search(r"个人资料完成度 (\d+)%", html).group(1))


async def _stored(session: AsyncSession, graduate_id: int) -> Graduate:
    session.expire_all()
    return await GraduateService(session).get(graduate_id)


async def test_meter_weighs_parts_by_what_the_ranker_uses(web: httpx.Client, world: World) -> None:
    sign_in(web, world.logins["graduate_a"])
    html = web.get("/web/profile").text
    # 陈小明 has skills (0.26), a home region (location 0.20) and a minimum salary (0.05) of 0.94 in all
    assert _percent(html) == int(100 * (0.26 + 0.20 + 0.05) / 0.94) == 54
    assert abs(sum(PART_WEIGHTS.values()) - 0.94) < 1e-9
    missing = re.search(r'<ol class="missing-parts">(.*?)</ol>', html, re.S).group(1)
    # heaviest first: jobs wanted (0.12), about you (0.10), internships (0.08), certificates, job types
    assert re.findall(r">([^<]+)</a>", missing) == ["意向岗位", "自我介绍", "实习与工作经历", "证书", "希望的工作类型"]


async def test_jobs_wanted_about_you_internships_and_awards_are_saved(
    web: httpx.Client, world: World, session: AsyncSession
) -> None:
    sign_in(web, world.logins["graduate_a"])
    saved = web.post(
        "/web/profile",
        data=_form(
            web,
            desired_titles="数控车工、装配钳工",
            summary="会操作 FANUC 系统，能看懂零件图。",
            **{
                "exp-0-kind": "work_placement",
                "exp-0-title": "数控车床学徒",
                "exp-0-employer_name": "广州数控设备有限公司",
                "exp-0-start_date": "2024-07",
                "exp-0-end_date": "2025-01",
                "exp-0-description": "车削轴类零件",
                "award-0-competition": "广东省职业院校技能大赛 数控车",
                "award-0-level": "省级",
                "award-0-prize": "二等奖",
                "award-0-year": "2024",
            },
        ),
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/web/profile?saved=1"
    g = await _stored(session, world.ids["graduate_a"])
    assert g.desired_titles == ["数控车工", "装配钳工"] and g.summary == "会操作 FANUC 系统，能看懂零件图。"
    [e] = g.experiences
    assert (
        e.kind.value,
        e.title,
        e.employer_name,
        e.start_date.isoformat(),
        e.end_date.isoformat(),
        e.description,
    ) == ("work_placement", "数控车床学徒", "广州数控设备有限公司", "2024-07-01", "2025-01-01", "车削轴类零件")
    [a] = g.awards
    assert (a.competition, a.level, a.prize, a.year) == ("广东省职业院校技能大赛 数控车", "省级", "二等奖", 2024)
    html = web.get("/web/profile").text
    assert 'value="数控车床学徒"' in html and 'value="2024-07"' in html and 'value="二等奖"' in html
    assert _percent(html) == int(100 * (0.26 + 0.20 + 0.05 + 0.12 + 0.10 + 0.08) / 0.94), re.search(
        r"<ol class=\"missing-parts\">(.*?)</ol>", html, re.S
    ).group(1)  # 86
    # a ticked "remove" drops the row; the other one stays
    assert web.post("/web/profile", data=_form(web, **{"exp-0-remove": "1"})).status_code == 303
    g = await _stored(session, world.ids["graduate_a"])
    assert g.experiences == [] and len(g.awards) == 1


async def test_bad_rows_are_named_at_their_row_and_nothing_is_stored(
    web: httpx.Client, world: World, session: AsyncSession
) -> None:
    sign_in(web, world.logins["graduate_a"])
    response = web.post(
        "/web/profile",
        data=_form(
            web,
            desired_titles="数控车工",
            **{
                "exp-0-employer_name": "某厂",
                "exp-0-start_date": "2024-07",  # no position
                "award-0-competition": "市赛",
                "award-0-year": "二〇二四",
            },
        ),
    )  # not a year
    assert response.status_code == 422
    html = response.text
    assert 'id="exp-0-title-error"' in html and 'id="award-0-year-error"' in html  # both at once
    assert 'value="某厂"' in html and 'value="市赛"' in html  # what was typed is kept
    g = await _stored(session, world.ids["graduate_a"])
    assert g.desired_titles == [] and g.experiences == [] and g.awards == []


async def test_jobs_page_asks_for_the_profile_instead_of_zero_percent_matches(
    web: httpx.Client, world: World, session: AsyncSession
) -> None:
    await session.execute(update(Graduate).where(Graduate.id == world.ids["graduate_a"]).values(skills=[]))
    await session.commit()
    sign_in(web, world.logins["graduate_a"])
    page = text_of(web.get("/web/jobs").text)
    assert "告诉我们你会做什么" in page and "完善个人资料" in page
    assert "数控车床操作工" in page  # the open jobs are still listed
    assert "匹配度:" not in page and "<meter" not in web.get("/web/jobs").text  # but not with a meaningless score
    assert web.post("/web/profile", data=_form(web, desired_titles="数控车工")).status_code == 303
    page = text_of(web.get("/web/jobs").text)
    assert "告诉我们你会做什么" not in page and "匹配度:" in page
