"""schema.org JobPosting pages (hand-written fixtures imitating job-board markup) → items."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scrapers.items import Issue, PostingItem
from scrapers.jobposting.page import JsonLdFile, postings_from_html
from scrapers.pipeline import default_pipeline
from service.taxonomy.core import core_taxonomy
from vocab import EducationLevel, EmploymentType, SalaryPeriod

PAGES = Path(__file__).parent / "fixtures" / "jsonld"
SH = ZoneInfo("Asia/Shanghai")


def _read(name: str) -> tuple[dict[str, PostingItem], list[Issue]]:
    records = postings_from_html(
        (PAGES / name).read_text(encoding="utf-8"), source="test", page_url="https://jobs.example.cn/list?page=1"
    )
    items = {r.title: r for r in records if isinstance(r, PostingItem)}
    return items, [r for r in records if isinstance(r, Issue)]


def test_graph_with_type_list_id_reference_and_two_locations() -> None:
    items, issues = _read("graph_page.html")
    assert issues == [] and list(items) == ["数控车床操作工（长白班）"]
    job = items["数控车床操作工（长白班）"]
    assert job.external_id == "JG-55012" and job.row == 6
    assert job.employer_name == "苏州精工机械有限公司"  # {"@id": …} resolved inside the @graph
    assert job.locations == ["江苏省-苏州市", "江苏省-无锡市"] and job.location_text == "江苏省-苏州市"
    assert job.address == "工业园区星湖街 88 号"
    assert job.source_url == "https://jobs.example.cn/job/55012.html"  # utm_source and spm stripped
    assert job.employment_type is EmploymentType.INTERN  # FULL_TIME + INTERN counts as an internship
    assert (job.salary.minimum, job.salary.maximum, job.salary.period, job.salary.currency) == (
        6000,
        9000,
        SalaryPeriod.MONTH,
        "CNY",
    )
    assert job.posted_on == dt.date(2026, 3, 2)
    assert job.expires_at == dt.datetime(2026, 4, 30, 18, tzinfo=SH) and job.valid_through == dt.date(2026, 4, 30)
    assert job.openings == 5 and job.skills == ["数控车床", "FANUC系统", "看图纸"]
    assert job.description == (
        "岗位职责：\n\n1. 操作数控车床完成零件加工；\n2. 做好设备日常保养。\n\n"
        "任职要求：\n中专及以上学历，数控、机电专业优先。"
    )


def test_one_broken_block_does_not_hide_the_others() -> None:
    items, issues = _read("several_blocks.html")
    assert [i.row for i in issues] == [10] and "not JSON" in issues[0].message
    assert list(items) == ["汽修学徒", "仓库管理员", "电工"]  # the breadcrumb block holds no posting
    apprentice = items["汽修学徒"]
    assert apprentice.employment_type is EmploymentType.INTERN
    assert apprentice.posted_on == dt.date(2026, 3, 5)  # 2026年3月5日
    assert apprentice.expires_at == dt.datetime(2026, 4, 1, tzinfo=SH)  # end of the local day 3-31
    assert (apprentice.salary.minimum, apprentice.salary.maximum) == (4000, 6000)
    warehouse = items["仓库管理员"]  # nested in ItemList → ListItem → item
    assert warehouse.employer_name == "上海安达物流有限责任公司"  # Organization with legalName only
    assert warehouse.employment_type is EmploymentType.FULL_TIME  # "FULL_TIME, PART_TIME"
    assert (warehouse.salary.minimum, warehouse.salary.period, warehouse.salary.min_monthly) == (
        200,
        SalaryPeriod.DAY,
        4350,
    )  # unitText on the outer MonetaryAmount
    assert warehouse.valid_through == dt.date(2026, 3, 31)  # "March 31, 2026"
    electrician = items["电工"]
    assert electrician.posted_on == dt.date(2026, 3, 1)  # 01:30Z is 09:30 in Shanghai
    assert electrician.salary.minimum == 7000 and electrician.salary.period is None
    assert [w.column for w in electrician.warnings] == ["baseSalary"]


@pytest.mark.parametrize(
    ("title", "employer"),
    [
        ("焊工", "天津宏达钢构有限公司"),  # trailing commas
        ("叉车司机", "宁波港联物流有限公司"),  # raw newline and tab inside a string
        ("电子装配工", "东莞信和电子有限公司"),  # <!-- --> wrapper
        ("西式面点师", "杭州麦香食品有限公司"),  # //<![CDATA[ wrapper
        ("酒店前台", "成都锦江宾馆有限责任公司"),  # trailing semicolon
        ("美容美发助理", "重庆丽人美业有限公司"),  # &quot;-escaped JSON
        ("汽车钣金工", "长沙湘运汽修有限公司"),  # all at once
    ],
)
def test_invalid_json_from_the_wild_is_read(title: str, employer: str) -> None:
    items, issues = _read("wild_json.html")
    assert issues == [] and len(items) == 7
    assert items[title].employer_name == employer


def test_raw_line_breaks_are_kept_in_the_text() -> None:
    items, _ = _read("wild_json.html")
    assert items["叉车司机"].description == "岗位职责：\n1. 驾驶叉车装卸货物\n2. 做好车辆点检"
    assert items["汽车钣金工"].description == "钣金\n喷漆"
    assert items["焊工"].locations == ["天津市-滨海新区"] and items["焊工"].employment_type is EmploymentType.FULL_TIME


def test_microdata() -> None:
    items, issues = _read("microdata.html")
    assert issues == []
    job = items["中式烹调师 & 砧板"]  # &amp; in the title decoded
    assert job.external_id == "CY-3321" and job.employer_name == "南京金陵餐饮管理有限公司"
    assert job.locations == ["江苏省-南京市"] and job.address == "秦淮区中山南路 1 号"
    assert (job.salary.minimum, job.salary.maximum, job.salary.period) == (5000, 7000, SalaryPeriod.MONTH)
    assert job.posted_on == dt.date(2026, 3, 3) and job.valid_through == dt.date(2026, 4, 15)
    assert job.description == "岗位职责：\n\n* 负责热菜出品\n* 食材初加工\n\n要求：持中式烹调师证书优先"


def test_pages_through_the_pipeline() -> None:
    result = default_pipeline(core_taxonomy()).run(JsonLdFile(PAGES / "several_blocks.html", source="hr_example"))
    assert result.rows_read == 4 and [r.row for r in result.rejected] == [10]
    by_title = {i.title: i for i in result.items}
    assert by_title["仓库管理员"].region_code == "310115" and by_title["汽修学徒"].region_code == "440106"
    # the structured salary is kept, not re-parsed from text
    assert by_title["汽修学徒"].salary.currency == "CNY" and by_title["汽修学徒"].salary.max_monthly == 6000
    graph = default_pipeline(core_taxonomy()).run(JsonLdFile(PAGES / "graph_page.html")).items[0]
    assert graph.education is EducationLevel.SECONDARY_VOCATIONAL and graph.experience_years == 0
    assert graph.region_code == "320500"


def test_a_json_document_and_an_empty_page() -> None:
    doc = '{"@type": "JobPosting", "title": "保安", "hiringOrganization": "某物业",}'
    [item] = postings_from_html(doc, source="t")
    assert isinstance(item, PostingItem) and item.title == "保安" and len(item.external_id) == 32
    assert postings_from_html("", source="t") == []
    assert postings_from_html("<html><body>没有职位</body></html>", source="t") == []
    [issue] = postings_from_html("{not json", source="t")
    assert isinstance(issue, Issue) and issue.row == 1
