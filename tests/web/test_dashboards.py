"""Issue 17, "Dashboards that help decide": the drill-down province → city → county → school → major
(breadcrumb, region name in the title, links at each level, the same numbers as the report API for
the same scope), region and school scoping, charts of every rate and five-cohort trends, the
data-quality panel, the annual report (.xlsx and the printable page), in Chinese and English.

The worked case (:mod:`tests.reports.worked_case`): school A 天河职校 (广州 天河区 440106, 8 graduates of
2025 and one of 2024), school B 南山职校 (深圳 南山区 440305, 3 graduates of 2025)."""

from __future__ import annotations

import io
import re
from typing import Any

import httpx
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.accounts.security import hash_password
from service.catalog.models import School
from tests.reports import worked_case
from tests.web.conftest import PASSWORD, sign_in, text_of

AS_OF = {"as_of": "2025-12-31", "cohort": "2025"}
SCHOOL_A, SCHOOL_B = "4144010001", "4144030001"


async def _world(session: AsyncSession) -> dict[str, int]:
    """The worked case, one activated account (graduate a1) and one staff account per scope."""
    from sqlalchemy import select

    ids = await worked_case.load(session)
    schools = dict((await session.execute(select(School.code, School.id))).tuples().all())
    pw = await hash_password(PASSWORD)
    session.add_all(
        [
            User(role=Role.DEPARTMENT, email="gd@example.cn", password_hash=pw, region_code="440000"),
            User(role=Role.DEPARTMENT, email="sz@example.cn", password_hash=pw, region_code="440300"),
            User(role=Role.SCHOOL, email="staff_a@example.cn", password_hash=pw, school_id=schools[SCHOOL_A]),
            User(role=Role.SCHOOL, email="staff_b@example.cn", password_hash=pw, school_id=schools[SCHOOL_B]),
            User(role=Role.GRADUATE, email="a1@example.cn", password_hash=pw, graduate_id=ids["a1"]),
        ]
    )
    await session.commit()
    return ids


def _cells(html: str, table: str) -> dict[str, dict[str, str]]:
    """``{row key: {figure: text}}`` of the table with id ``table`` (``data-key`` / ``data-figure``)."""
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    out: dict[str, dict[str, str]] = {}
    for key, row in re.findall(r'<tr data-key="([^"]+)">(.*?)</tr>', body, re.S):
        cells = re.findall(r'data-figure="([^"]+)">(.*?)</td>', row, re.S)
        out[key] = {fig: text_of(val).strip() for fig, val in cells}
    return out


def _summary(html: str) -> dict[str, str]:
    body = html.split('id="summary"', 1)[1].split("</dl>", 1)[0]
    return {fig: text_of(val).strip() for fig, val in re.findall(r'data-figure="([^"]+)">(.*?)</dd>', body, re.S)}


def _pct(value: float | None) -> str:
    return "*" if value is None else f"{value:.1f}%"


def _expect(row: dict[str, Any]) -> dict[str, str]:
    """What a page row must show for an API report row."""
    return {
        "graduates": str(row["counts"]["graduates"]),
        **{
            r: _pct(row["rates"][r])
            for r in ("employment_rate", "placement_rate", "further_study_rate", "in_field_rate")
        },
        "salary_median": "*" if row["salary_median"] is None else str(row["salary_median"]),
    }


def _api(web: httpx.Client, path: str, **params: str) -> Any:
    r = web.get(path, params={**AS_OF, **params})
    assert r.status_code == 200, r.text
    return r.json()


def _links(html: str) -> set[str]:
    return {h.replace("&amp;", "&").split("?")[0] for h in re.findall(r'href="(/web/dashboard[^"]*)"', html)}


async def test_department_drills_down_to_one_major_with_the_api_numbers(
    session: AsyncSession, web: httpx.Client, server: Any
) -> None:
    await _world(session)
    sign_in(web, "gd@example.cn")
    levels = [
        ("/web/dashboard/region/440000", "region:440000", "city", "广东省"),
        ("/web/dashboard/region/440100", "region:440100", "county", "广州市"),
        ("/web/dashboard/region/440106", "region:440106", "school", "天河区"),
        (f"/web/dashboard/school/{SCHOOL_A}", f"school:{SCHOOL_A}", "major", "天河职校"),
    ]
    for path, scope, child, name in levels:
        page = web.get(path, params={**AS_OF, "lang": "zh"})
        assert page.status_code == 200, page.text
        assert re.search(rf"<title>{name} · 就业统计", page.text)  # the level's name in the title
        report = _api(web, "/reports", scope=scope)
        assert report["view"] == "internal" and 'data-view="internal"' in page.text
        total = _expect(report["breakdowns"]["total"][0])
        assert {k: v.split(" ")[0].replace("元/月", "") for k, v in _summary(page.text).items()} == total
        shown = _cells(page.text, f"table-{child}")
        assert shown == {str(r["key"]): _expect(r) for r in report["breakdowns"][child]}
    # links at each level, and the breadcrumb from the department's own region down to the major
    assert "/web/dashboard/region/440100" in _links(web.get("/web/dashboard/region/440000", params=AS_OF).text)
    assert f"/web/dashboard/school/{SCHOOL_A}" in _links(web.get("/web/dashboard/region/440106", params=AS_OF).text)
    school_page = web.get(f"/web/dashboard/school/{SCHOOL_A}", params=AS_OF).text
    assert f"/web/dashboard/school/{SCHOOL_A}/major/730801" in _links(school_page)
    major = web.get(f"/web/dashboard/school/{SCHOOL_A}/major/730801", params={**AS_OF, "lang": "zh"})
    assert major.status_code == 200
    crumbs = text_of(major.text.split('id="breadcrumb"', 1)[1].split(">", 1)[1].split("</nav>", 1)[0])
    assert re.sub(r"\s+", "", crumbs) == "广东省广州市天河区天河职校物流服务与管理"
    row = next(
        r for r in _api(web, "/reports", scope=f"school:{SCHOOL_A}")["breakdowns"]["major"] if r["key"] == "730801"
    )
    assert {k: v.split(" ")[0].replace("元/月", "") for k, v in _summary(major.text).items()} == _expect(row)
    # the five-cohort trend of the major equals GET /reports/trend (2024: c1, employed, as of 2024-12-31)
    trend = _api(web, "/reports/trend", scope=f"school:{SCHOOL_A}", row="major:730801")
    assert [r["key"] for r in trend["breakdowns"]["cohort"]] == [2021, 2022, 2023, 2024, 2025]
    assert trend["breakdowns"]["cohort"][3]["as_of"] == "2024-12-31"
    assert trend["breakdowns"]["cohort"][3]["rates"]["employment_rate"] == 100.0
    assert _cells(major.text, "table-trend") == {str(r["key"]): _expect(r) for r in trend["breakdowns"]["cohort"]}
    assert trend["row_label"] == "物流服务与管理"
    chart = web.get(
        "/reports/chart",
        params={
            **AS_OF,
            "scope": f"school:{SCHOOL_A}",
            "trend_years": "5",
            "row": "major:730801",
            "metric": "employment_rate",
        },
    )
    assert chart.status_code == 200 and "天河职校 · 物流服务与管理" in chart.text and "2024届" in chart.text
    # a major without graduates in the school's report, an unknown region: 404 pages
    assert web.get(f"/web/dashboard/school/{SCHOOL_A}/major/740202", params=AS_OF).status_code == 404
    assert web.get("/web/dashboard/region/449999", params=AS_OF).status_code == 404
    assert web.get("/web/dashboard/region/abc", params=AS_OF).status_code == 404


async def test_region_and_school_scoping(session: AsyncSession, web: httpx.Client, server: Any) -> None:
    await _world(session)
    sign_in(web, "sz@example.cn")  # the department of 深圳 (440300)
    assert web.get("/web/dashboard/region/440300", params=AS_OF).status_code == 200
    assert web.get("/web/dashboard/region/440305", params=AS_OF).status_code == 200
    for path in (
        "/web/dashboard/region/440100",
        "/web/dashboard/region/440000",
        "/web/dashboard/region/440106",
        f"/web/dashboard/school/{SCHOOL_A}",
        f"/web/dashboard/school/{SCHOOL_A}/major/730801",
    ):
        refused = web.get(path, params=AS_OF)
        assert refused.status_code == 403, path
        assert 'id="summary"' not in refused.text
    assert web.get("/web/dashboard/annual", params={**AS_OF, "scope": "region:440100"}).status_code == 403
    assert web.get("/reports/data-quality", params={**AS_OF, "scope": "region:440100"}).status_code == 403
    assert web.get("/reports/trend", params={**AS_OF, "scope": "region:440100"}).status_code == 403
    # its breadcrumb starts at its own region: 广东省 is not a level it may open
    page = web.get(f"/web/dashboard/school/{SCHOOL_B}", params={**AS_OF, "lang": "zh"})
    crumbs = text_of(page.text.split('id="breadcrumb"', 1)[1].split(">", 1)[1].split("</nav>", 1)[0])
    assert re.sub(r"\s+", "", crumbs) == "深圳市南山区南山职校"
    web.cookies.clear()
    sign_in(web, "staff_a@example.cn")
    assert web.get(f"/web/dashboard/school/{SCHOOL_A}", params=AS_OF).status_code == 200
    assert web.get(f"/web/dashboard/school/{SCHOOL_A}/major/730801", params=AS_OF).status_code == 200
    for path in (
        f"/web/dashboard/school/{SCHOOL_B}",
        f"/web/dashboard/school/{SCHOOL_B}/major/740202",
        "/web/dashboard/region/440106",
        "/web/dashboard/region/440000",
    ):
        assert web.get(path, params=AS_OF).status_code == 403, path
    assert web.get("/web/dashboard/annual", params={**AS_OF, "scope": f"school:{SCHOOL_B}"}).status_code == 403
    own = web.get("/web/dashboard/annual", params=AS_OF)  # no scope: the reader's own school
    assert own.status_code == 200 and "天河职校2025届中等职业学校毕业生就业质量年度报告" in own.text
    # the school's breadcrumb: its school and major, no region levels
    crumbs = text_of(
        web.get(f"/web/dashboard/school/{SCHOOL_A}/major/730801", params={**AS_OF, "lang": "zh"})
        .text.split('id="breadcrumb"', 1)[1]
        .split(">", 1)[1]
        .split("</nav>", 1)[0]
    )
    assert re.sub(r"\s+", "", crumbs) == "天河职校物流服务与管理"
    # the root dashboard links the school's own drill-down page
    assert f"/web/dashboard/school/{SCHOOL_A}" in _links(web.get("/web/dashboard", params=AS_OF).text)


async def test_data_quality_panel_ranks_schools(session: AsyncSession, web: httpx.Client, server: Any) -> None:
    await _world(session)
    sign_in(web, "gd@example.cn")
    body = _api(web, "/reports/data-quality", scope="region:440000")
    by_code = {q["school_code"]: q for q in body["schools"]}
    # A: 8 graduates, a7 unknown (1/8); follow-up list: a1–a8 and d1 (not graduated yet), 7 of them with a
    # destination nobody confirmed (a1's self-report awaits review); 1 of 9 on the roster activated (a1)
    assert by_code[SCHOOL_A] == {
        **by_code[SCHOOL_A],
        "graduates": 8,
        "unknown": 1,
        "knowledge_rate": 87.5,
        "unknown_share": 12.5,
        "followed": 9,
        "unconfirmed": 7,
        "unconfirmed_share": 77.8,
        "roster": 9,
        "activated": 1,
        "activated_share": 11.1,
    }
    # B: 3 graduates, every destination known, none confirmed, no account
    assert (
        by_code[SCHOOL_B]["knowledge_rate"],
        by_code[SCHOOL_B]["unconfirmed_share"],
        by_code[SCHOOL_B]["activated_share"],
    ) == (100.0, 100.0, 0.0)
    assert [q["school_code"] for q in body["schools"]] == [SCHOOL_B, SCHOOL_A]  # knowledge rate first
    assert [q["rank"] for q in body["schools"]] == [1, 2]
    page = web.get("/web/dashboard/region/440000", params={**AS_OF, "lang": "zh"})
    panel = _cells(page.text, "table-quality")
    assert list(panel) == [SCHOOL_B, SCHOOL_A]
    assert panel[SCHOOL_A] == {
        "knowledge_rate": "87.5%",
        "unknown_share": "12.5% (1)",
        "unconfirmed_share": "77.8% (7/9)",
        "activated_share": "11.1% (1/9)",
    }
    assert "跟踪数据质量" in text_of(page.text)


async def test_annual_report_xlsx_and_printable_page(session: AsyncSession, web: httpx.Client, server: Any) -> None:
    await _world(session)
    sign_in(web, "gd@example.cn")
    report = _api(web, "/reports", scope="region:440000")
    got = web.get("/reports/annual", params={**AS_OF, "scope": "region:440000", "format": "xlsx"})
    assert got.status_code == 200 and "-internal.xlsx" in got.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(got.content))
    assert wb.sheetnames == [
        "封面",
        "说明",
        "总体",
        "分地区(市)",
        "分地区(县区)",
        "分学校",
        "分专业",
        "起薪分段",
        "近五届趋势",
    ]
    assert wb["封面"]["A1"].value == "广东省2025届中等职业学校毕业生就业质量年度报告"
    header = [c.value for c in wb["总体"][1]]
    total = dict(zip(header, [c.value for c in wb["总体"][2]]))
    t = report["breakdowns"]["total"][0]
    assert total["毕业生数"] == 11 == t["counts"]["graduates"]
    assert total["就业率(%)"] == t["rates"]["employment_rate"]
    assert total["对口就业率(%)"] == t["rates"]["in_field_rate"]
    assert total["起薪中位数(元/月)"] == t["salary_median"]
    schools = {r[0].value: r[1].value for r in wb["分学校"].iter_rows(min_row=2)}
    assert schools == {"天河职校": 8, "南山职校": 3}
    about = {r[0].value for r in wb["说明"].iter_rows()}
    assert {"计数规则 precedence", "取整 rounding", "近五届趋势 trend"} <= about
    assert [r[0].value for r in wb["近五届趋势"].iter_rows(min_row=2)] == [f"{y}届" for y in range(2021, 2026)]
    # the publication version suppresses the school of 3
    published = web.get(
        "/reports/annual", params={**AS_OF, "scope": "region:440000", "format": "xlsx", "view": "publish"}
    )
    pub = load_workbook(io.BytesIO(published.content))
    assert {r[0].value: r[1].value for r in pub["分学校"].iter_rows(min_row=2)}["南山职校"] == "*"
    # the printable page: the same tables, print CSS
    page = web.get("/web/dashboard/annual", params={**AS_OF, "scope": "region:440000", "lang": "zh"})
    assert page.status_code == 200
    assert "<title>广东省2025届中等职业学校毕业生就业质量年度报告" in page.text
    assert _cells(page.text, "annual-school")[SCHOOL_A]["employment_rate"] == _pct(
        next(r for r in report["breakdowns"]["school"] if r["key"] == SCHOOL_A)["rates"]["employment_rate"]
    )
    assert "@media print" in web.get("/web/static/css/site.css").text


async def test_charts_for_every_rate_and_trend_in_both_languages(
    session: AsyncSession, web: httpx.Client, server: Any
) -> None:
    await _world(session)
    sign_in(web, "gd@example.cn")
    zh = web.get("/web/dashboard/region/440000", params={**AS_OF, "lang": "zh"})
    en = web.get("/web/dashboard/region/440000", params={**AS_OF, "lang": "en"})
    assert "近五届趋势" in zh.text and "面包屑导航" in zh.text
    assert "Trend over the last five cohorts" in en.text and 'aria-label="Breadcrumb"' in en.text
    charts = [src.replace("&amp;", "&") for src in re.findall(r'<img src="(/reports/chart[^"]+)"', en.text)]
    metrics = {re.search(r"metric=(\w+)", c).group(1) for c in charts}
    assert metrics == {
        "employment_rate",
        "placement_rate",
        "further_study_rate",
        "in_field_rate",
        "salary_median",
        "salary_bands",
    }
    assert all("lang=en" in c for c in charts)
    assert len(re.findall(r'<img src="/reports/chart[^"]+"[^>]*alt="Chart of [^"]+"', en.text, re.S)) == len(charts)
    trend_chart = next(c for c in charts if "trend_years=5" in c and "metric=in_field_rate" in c)
    svg = web.get(trend_chart)
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "2021届" in svg.text and "2025届" in svg.text and "In-field employment rate" in svg.text
    zh_chart = web.get(trend_chart.replace("lang=en", "lang=zh"))
    assert "对口就业率" in zh_chart.text
    # a bad row is a 422 naming the field
    bad = web.get("/reports/trend", params={**AS_OF, "scope": "region:440000", "row": "nonsense:1"})
    assert bad.status_code == 422 and "row" in bad.text
    # the root dashboard switches its charts between every rate
    root = web.get("/web/dashboard", params={**AS_OF, "metric": "further_study_rate"}).text
    assert "metric=further_study_rate&amp;by=" in root


async def test_graduates_without_drill_down_rights(session: AsyncSession, web: httpx.Client, server: Any) -> None:
    """Graduates never reach the dashboards (403 page), whatever the level."""
    await _world(session)
    sign_in(web, "a1@example.cn")
    for path in ("/web/dashboard/region/440000", f"/web/dashboard/school/{SCHOOL_A}", "/web/dashboard/annual"):
        assert web.get(path, params=AS_OF).status_code == 403


def _definitions(html: str) -> str:
    """The text of a page's "Definitions" section."""
    return text_of(html.split('aria-labelledby="defs-h"', 1)[1].split("</section>", 1)[0])


async def test_drill_down_definitions_in_the_readers_language_only(
    session: AsyncSession, web: httpx.Client, server: Any
) -> None:
    """The drill-down pages (region, school, major) print the definitions in the reader's language, as
    the root dashboard and the annual report do — not the report's bilingual text (an English reader
    saw 不含应征义务兵…, a Chinese one "Bands include their upper edge…")."""
    await _world(session)
    sign_in(web, "gd@example.cn")
    for path in (
        "/web/dashboard/region/440000",
        f"/web/dashboard/school/{SCHOOL_A}",
        f"/web/dashboard/school/{SCHOOL_A}/major/730801",
    ):
        zh = _definitions(web.get(path, params={**AS_OF, "lang": "zh"}).text)
        en = _definitions(web.get(path, params={**AS_OF, "lang": "en"}).text)
        assert "分母" in zh and "起薪分段" in zh, (path, zh)
        assert not re.search(r"[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}", zh), (path, zh)
        assert "denominator" in en and "upper edge" in en, (path, en)
        # the Chinese term after an English rate name, "Employment rate (就业率)", is meant
        assert not re.search(r"[\u4e00-\u9fff]", re.sub(r"\([\u4e00-\u9fff]+\)", "", en)), (path, en)
