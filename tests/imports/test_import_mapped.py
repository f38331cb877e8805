"""Any board's export through a column mapping (issue 20.1): mapping files, the dry-run preview, the
errors that list the columns found, and a --kind that reads nothing being an error."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.sources.mapped import MappedFile, MappingError, load_mapping, mapping_from_dict, suggest_mapping
from service.cli import main
from service.config import Settings
from service.errors import InvalidFieldError
from service.imports.kinds import ImportKind, detect_kind
from service.imports.service import import_path, preview_path
from service.postings.models import Posting, PostingSource
from vocab import EducationLevel, SalaryPeriod

FIXTURES = Path(__file__).parents[1] / "scrapers" / "fixtures"
MAPPED = FIXTURES / "mapped"


def _boss_xlsx(path: Path) -> Path:
    """A workbook as a board exports it: a title row, a header, dates as real dates, a numeric salary cell."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "职位列表"
    sheet.append(["BOSS直聘 职位导出"])
    sheet.append(
        ["编号", "职位名称", "公司", "薪资", "城市", "技能标签", "发布时间", "职位链接", "截止日期", "招聘人数"]
    )
    sheet.append(
        [
            "X1",
            "CNC操机员",
            "东莞精密五金有限公司",
            "7-9K",
            "东莞",
            "CNC、加工中心",
            dt.date(2026, 3, 1),
            "https://www.zhipin.com/job_detail/X1.html?spm=a",
            dt.date(2099, 12, 31),
            5,
        ]
    )
    sheet.append(
        [
            "X2",
            "仓库文员",
            "东莞精密五金有限公司",
            "4500-5500元/月",
            "广东省东莞市",
            "Excel、WMS",
            46082.0,
            None,
            dt.date(2020, 1, 31),
            "若干",
        ]
    )
    sheet.append([None, None, None, None, None, None, None, None, None, None])
    sheet.append(
        ["X3", "注塑技术员", "东莞华达塑胶制品有限公司", "面议", "东莞", None, "2026-03-03", None, None, "三人"]
    )
    book.save(path)
    return path


def _xlsx_mapping(path: Path) -> Path:
    path.write_text(
        'source = "boss-xlsx"\nsheet = "职位列表"\n[columns]\nid = "编号"\ntitle = "职位名称"\n'
        'employer = "公司"\nsalary = "薪资"\ncity = "城市"\nskills = "技能标签"\ndate = "发布时间"\n'
        'url = "职位链接"\nvalid_through = "截止日期"\nopenings = "招聘人数"\n',
        encoding="utf-8",
    )
    return path


# --- mapping files -----------------------------------------------------------------------------


def test_load_mapping_toml_and_json(tmp_path: Path) -> None:
    boss = load_mapping(MAPPED / "boss.toml")
    assert boss.source == "boss" and boss.columns["title"] == "职位名称" and boss.columns["reference"] == "招聘编号"
    as_json = tmp_path / "board.json"
    as_json.write_text(json.dumps({"columns": {"title": "岗位", "salary": "月薪"}}), encoding="utf-8")
    parsed = load_mapping(as_json)
    assert (parsed.source, parsed.columns, parsed.country) == ("board", {"title": "岗位", "salary": "月薪"}, "CN")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('source = "x"', "needs a [columns] table"),
        ('[columns]\nsalary = "薪资"', "must name the title column"),
        ('[columns]\ntitle = "职位"\nwage = "薪资"', "'wage' is not a field"),
        ("[columns]\ntitle = 3", "must be a column name"),
        ('source = "boss zhipin!"\n[columns]\ntitle = "职位"', "source"),
        ('country = "China"\n[columns]\ntitle = "职位"', "ISO 3166-1"),
        ('sheets = "a"\n[columns]\ntitle = "职位"', "unknown key(s) sheets"),
        ("[columns\ntitle = '职位'", "not valid TOML"),
    ],
)
def test_bad_mapping_files_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "m.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        load_mapping(path)


def test_suggest_mapping_from_headers() -> None:
    assert suggest_mapping(["职位名称", "公司", "薪资", "城市", "技能标签", "发布时间", "职位链接", "职位ID"]) == {
        "title": "职位名称",
        "employer": "公司",
        "salary": "薪资",
        "city": "城市",
        "skills": "技能标签",
        "date": "发布时间",
        "url": "职位链接",
        "id": "职位ID",
    }
    assert suggest_mapping(["Job Title", "Company Name", "Salary", "Location", "Posted Date"]) == {
        "title": "Job Title",
        "employer": "Company Name",
        "salary": "Salary",
        "city": "Location",
        "date": "Posted Date",
    }
    assert suggest_mapping(["姓名", "身份证号"]) == {}


# --- reading through a mapping (no database) ---------------------------------------------------


async def test_preview_of_a_boss_export() -> None:
    preview = await preview_path(MAPPED / "boss_export.csv", mapping=MAPPED / "boss.toml")
    assert (preview.kind, preview.rows_read, len(preview.items)) == ("mapped", 6, 5)
    assert [(r.row, r.column, r.message) for r in preview.rejected] == [(5, "职位名称", "title is required")]
    first = preview.items[0]
    assert (first.source, first.external_id, first.row, first.employer_name) == (
        "boss",
        "B1001",
        2,
        "苏州精工机械有限公司",
    )
    assert (first.salary.min_monthly, first.salary.max_monthly, first.region_code) == (8000, 12000, "320500")
    assert first.skills == ["数控车床", "看图纸", "CNC编程"] and first.posted_on == dt.date(2026, 3, 2)
    assert first.source_url == "https://www.zhipin.com/job_detail/B1001.html"  # tracking parameter dropped
    assert first.reference == "SZJG-2026-017" and first.education is EducationLevel.SECONDARY_VOCATIONAL
    by_id = {i.external_id: i for i in preview.items}
    assert (by_id["B1002"].salary.minimum, by_id["B1002"].salary.maximum) == (8000, None)
    assert by_id["B1003"].salary.currency == "CNY" and by_id["B1003"].region_code == "320583"
    assert by_id["B1003"].posted_on == dt.date(2026, 3, 4)  # 2026年3月4日
    warehouse = by_id["B1006"]
    assert not warehouse.salary.known and warehouse.posted_on is None
    assert {w.column for w in warehouse.warnings} == {"薪资", "发布时间"}


async def test_preview_of_a_gb18030_export_with_a_title_row() -> None:
    preview = await preview_path(MAPPED / "zhilian_gb18030.csv", mapping=MAPPED / "zhilian.toml")
    assert preview.rows_read == 3 and [i.row for i in preview.items] == [3, 4, 5]
    welder, java, electrician = preview.items
    assert welder.skills == ["氩弧焊", "二保焊"] and welder.region_code == "440605"
    assert (java.salary.months_per_year, java.salary.max_monthly) == (13, 27083)
    assert (electrician.salary.minimum, electrician.salary.currency) == (5500, "CNY")
    assert len({i.external_id for i in preview.items}) == 3  # no id column: stable hashes


async def test_preview_of_an_xlsx_export(tmp_path: Path) -> None:
    path = _boss_xlsx(tmp_path / "boss.xlsx")
    preview = await preview_path(path, mapping=_xlsx_mapping(tmp_path / "boss.toml"))
    assert preview.rows_read == 3 and [i.row for i in preview.items] == [3, 4, 6]
    cnc, clerk, moulding = preview.items
    assert (cnc.external_id, cnc.openings, cnc.valid_through, cnc.posted_on) == (
        "X1",
        5,
        dt.date(2099, 12, 31),
        dt.date(2026, 3, 1),
    )
    assert cnc.source_url == "https://www.zhipin.com/job_detail/X1.html"
    assert clerk.posted_on == dt.date(2026, 3, 1) and clerk.openings is None  # an Excel serial date; 若干
    assert clerk.expires_at is not None and clerk.salary.max_monthly == 5500
    assert moulding.openings is None and any("三人" in w.message for w in moulding.warnings)


async def test_a_mapping_that_does_not_fit_lists_the_columns(tmp_path: Path) -> None:
    wrong = tmp_path / "wrong.toml"
    wrong.write_text('[columns]\ntitle = "职位名称"\nsalary = "月薪"\ncity = "地区"', encoding="utf-8")
    with pytest.raises(InvalidFieldError) as caught:
        await preview_path(MAPPED / "boss_export.csv", mapping=wrong)
    detail = caught.value.detail
    assert "salary = '月薪'" in detail and "city = '地区'" in detail and "职位ID, 职位名称, 公司, 薪资" in detail
    assert 'salary = "薪资"' in detail  # how to map them
    with pytest.raises(InvalidFieldError, match="names the title column '职位名称'.*岗位, 企业, 月薪"):
        await preview_path(MAPPED / "zhilian_gb18030.csv", mapping=MAPPED / "boss.toml")
    other_sheet = tmp_path / "x.toml"
    other_sheet.write_text(
        _xlsx_mapping(tmp_path / "y.toml").read_text(encoding="utf-8").replace("职位列表", "岗位"), encoding="utf-8"
    )
    with pytest.raises(InvalidFieldError, match="sheet '岗位' is not in boss.xlsx; sheets: 职位列表"):
        await preview_path(_boss_xlsx(tmp_path / "boss.xlsx"), mapping=other_sheet)
    with pytest.raises(InvalidFieldError, match="not 'job_fair'"):
        await preview_path(MAPPED / "boss_export.csv", kind="job_fair", mapping=MAPPED / "boss.toml")


@pytest.mark.parametrize(
    ("name", "column"), [("boss_export.csv", "职位名称"), ("boss.xlsx", "职位名称"), ("indeed.csv", "Job Title")]
)
def test_unknown_exports_are_refused_with_their_columns_and_a_mapping(tmp_path: Path, name: str, column: str) -> None:
    if name == "indeed.csv":
        path = tmp_path / name
        path.write_text(
            "Job Title,Company Name,Salary,Location,Job URL\nWelder,Acme,$20/hour,Chicago,https://x\n", encoding="utf-8"
        )
    else:
        path = _boss_xlsx(tmp_path / name) if name.endswith(".xlsx") else MAPPED / name
    with pytest.raises(InvalidFieldError) as caught:
        detect_kind(path)
    detail = caught.value.detail
    assert "no importer knows its columns" in detail and "--mapping" in detail and "[columns]" in detail
    assert column in detail.split("Write a mapping")[0] and f'title = "{column}"' in detail


def test_job_fair_sheets_are_still_recognised() -> None:
    assert detect_kind(FIXTURES / "jobfair" / "fair_utf8_bom.csv") is ImportKind.JOB_FAIR


# --- a --kind (or a file) that reads nothing -------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        ("职位名称,公司,薪资\n数控车工,苏州精工,8-12K\n", "export.csv", "jsonld_page"),  # the case
        ("岗位名称,分类,薪资,公司地址,工作经验,学历要求,公司名称,岗位描述\n", "empty_2023.csv", "cn_51job_2023"),
        ("<html><body><h1>数控车工</h1></body></html>", "page.html", "jsonld_page"),
        ("<html><body><h1>数控车工</h1></body></html>", "page.html", None),
        ("Job.ID,Title,Position,Company,City,State.Code\n", "jobs.csv", None),
    ],
)
async def test_reading_nothing_is_an_error(
    session: AsyncSession, tmp_path: Path, content: str, name: str, kind: str | None
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InvalidFieldError, match="gave nothing to import") as caught:
        await import_path(session, path, kind)
    assert caught.value.errors[0]["field"] == ("kind" if kind else "path")
    if name == "export.csv":
        assert "columns found in export.csv: 职位名称, 公司, 薪资" in caught.value.detail
    assert (await session.execute(select(func.count()).select_from(Posting))).scalar_one() == 0


# --- storing, on both databases --------------------------------------------------------------------


async def test_import_a_board_export_twice(session: AsyncSession) -> None:
    report = await import_path(session, MAPPED / "boss_export.csv", mapping=MAPPED / "boss.toml")
    await session.commit()
    assert (report.kind, report.rows_read, report.stored, report.rejected) == (
        "mapped",
        6,
        5,
        [(5, "职位名称", "title is required")],
    )
    stored = {p.external_id: p for p in (await session.execute(select(Posting))).scalars()}
    assert set(stored) == {"B1001", "B1002", "B1003", "B1005", "B1006"}
    assert {p.source for p in stored.values()} == {"boss"}
    b2 = stored["B1002"]
    assert (b2.salary_min, b2.salary_max, b2.salary_period, b2.salary_min_monthly) == (
        8000,
        None,
        SalaryPeriod.MONTH,
        8000,
    )
    assert stored["B1003"].salary_currency == "CNY" and stored["B1003"].required_skills == ["PLC编程", "低压配电"]
    assert stored["B1006"].salary_min is None and stored["B1006"].salary_text == "25-38万"
    assert stored["B1001"].source_url == "https://www.zhipin.com/job_detail/B1001.html"
    again = await import_path(session, MAPPED / "boss_export.csv", mapping=MAPPED / "boss.toml")
    assert (again.stored, again.updated, again.unchanged) == (0, 0, 5)
    listings = (await session.execute(select(func.count()).select_from(PostingSource))).scalar_one()
    assert listings == 5


async def test_import_an_xlsx_export(session: AsyncSession, tmp_path: Path) -> None:
    path = _boss_xlsx(tmp_path / "boss.xlsx")
    report = await import_path(session, path, mapping=_xlsx_mapping(tmp_path / "boss.toml"))
    await session.commit()
    assert (report.rows_read, report.stored, report.closed) == (3, 3, 0)
    clerk = (await session.execute(select(Posting).where(Posting.external_id == "X2"))).scalar_one()
    assert clerk.status.value == "closed" and clerk.valid_through == dt.date(2020, 1, 31)  # expired on arrival
    cnc = (await session.execute(select(Posting).where(Posting.external_id == "X1"))).scalar_one()
    assert (cnc.status.value, cnc.openings, cnc.source) == ("open", 5, "boss-xlsx")


async def test_dry_run_stores_nothing(session: AsyncSession) -> None:
    preview = await preview_path(MAPPED / "boss_export.csv", mapping=MAPPED / "boss.toml")
    assert len(preview.items) == 5
    assert (await session.execute(select(func.count()).select_from(Posting))).scalar_one() == 0


def test_cli_dry_run_and_errors(settings: Settings, tmp_path: Path) -> None:
    env = {"VOCMATCH_DATABASE_URL": settings.database_url}
    args = ["import", str(MAPPED / "boss_export.csv"), "--mapping", str(MAPPED / "boss.toml"), "--dry-run"]
    shown = CliRunner().invoke(main, args, env=env)
    assert shown.exit_code == 0, shown.output
    assert "nothing stored" in shown.output and "title ← 职位名称" in shown.output
    assert "8000+ → 8,000+ 元/月" in shown.output and "¥6000-9000 → 6,000–9,000 元/月" in shown.output
    assert "rejected 第 5 行 row 5, 职位名称: title is required" in shown.output
    assert "would store 5 postings" in shown.output and "状态 status: open" in shown.output
    as_json = json.loads(CliRunner().invoke(main, [*args, "--json", "--limit", "2"], env=env).output)
    assert (as_json["dry_run"], as_json["would_store"], len(as_json["postings"])) == (True, 5, 2)
    assert as_json["mapping"]["columns"]["salary"] == "薪资" and as_json["postings"][0]["status"]["label"] == "open"
    refused = CliRunner().invoke(main, ["import", str(MAPPED / "boss_export.csv")], env=env)
    assert refused.exit_code == 1 and "columns found in boss_export.csv" in refused.output
    stored = CliRunner().invoke(
        main, ["import", str(MAPPED / "boss_export.csv"), "--mapping", str(MAPPED / "boss.toml")], env=env
    )
    assert stored.exit_code == 0 and json.loads(stored.output)["stored"] == 5


@pytest.mark.shared_data
async def test_a_real_51job_export_through_a_mapping(session: AsyncSession, shared_data: Path, tmp_path: Path) -> None:
    """The real 51job 2023 export read through a mapping file gives what its own importer gives."""
    mapping = tmp_path / "51job.toml"
    mapping.write_text(
        'source = "51job-mapped"\n[columns]\ntitle = "岗位名称"\nemployer = "公司名称"\nsalary = "薪资"\n'
        'city = "公司地址"\neducation = "学历要求"\nexperience = "工作经验"\nindustry = "分类"\n',
        encoding="utf-8",
    )
    path = shared_data / "cn_postings" / "51job_2023.csv"
    through_mapping, own = await preview_path(path, mapping=mapping), await preview_path(path)
    assert (
        (through_mapping.rows_read, len(through_mapping.items), len(through_mapping.duplicates))
        == (own.rows_read, len(own.items), len(own.duplicates))
        == (395, 365, 30)
    )

    def fields(item) -> tuple:
        pay = (item.salary.min_monthly, item.salary.max_monthly) if item.salary else None
        return (
            item.row,
            item.title,
            item.employer_name,
            pay,
            item.region_code,
            item.education,
            item.experience_years,
            item.employer_industry,
        )

    assert [fields(i) for i in through_mapping.items] == [fields(i) for i in own.items]
    assert sum(1 for i in through_mapping.items if i.salary and i.salary.min_monthly) > 300
    mapped = await import_path(session, path, mapping=mapping)
    native = await import_path(session, path)
    await session.commit()
    assert (mapped.stored, mapped.rejected) == (365, [])
    # the same vacancies from the board's own importer are recognised across the two sources
    assert native.stored + native.merged == 365 and native.merged > 350
    counts = dict((await session.execute(select(Posting.source, func.count()).group_by(Posting.source))).tuples().all())
    assert counts["51job-mapped"] == 365


def test_mapping_from_dict_defaults() -> None:
    m = mapping_from_dict({"columns": {"title": " 职位 "}}, origin="x", default_source="exports")
    assert (m.source, m.columns, m.sheet) == ("exports", {"title": "职位"}, None)
    assert list(MappedFile(MAPPED / "boss_export.csv", load_mapping(MAPPED / "boss.toml")))  # reads rows
