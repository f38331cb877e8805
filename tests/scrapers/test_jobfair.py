"""Job-fair spreadsheets (招聘会岗位信息表): .xlsx with merged cells and serial dates, .csv in UTF-8/GB18030."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from scrapers.csvio import UnreadableFileError
from scrapers.jobposting.dates import DateError
from scrapers.pipeline import default_pipeline
from scrapers.sources.jobfair import JobFairSheet, excel_date, map_header
from service.taxonomy.core import core_taxonomy
from vocab import EducationLevel

FAIRS = Path(__file__).parent / "fixtures" / "jobfair"


def make_fair_workbook(path: Path) -> Path:
    """A sheet as a 人社局 publishes it: a merged title row, an employer merged over three
    positions, a date column holding Excel serial numbers, one row without a 岗位."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "岗位信息"
    sheet.append(["2026年3月 中职毕业生专场招聘会 岗位信息表"])
    sheet.merge_cells("A1:H1")
    sheet.append(["序号", "用人单位", "岗位名称", "需求人数", "文化程度", "月薪", "工作地址", "发布日期"])
    sheet.append(
        [
            1,
            "昆山立讯精密电子有限公司（二厂）",
            "SMT操作员",
            30,
            "中专/中职",
            "5000-7000元/月",
            "江苏省苏州市昆山市",
            46082,
        ]
    )
    sheet.append([2, None, "设备维修技术员", "5名", "大专", "6-9K", None, 46082])
    sheet.append([3, None, None, 2, "高中", "面议", None, 46082])
    sheet.merge_cells("B3:B5")
    sheet.merge_cells("G3:G5")
    sheet.append(
        [
            4,
            "苏州恒通汽车销售服务有限公司",
            "汽车美容技师",
            3,
            "技校",
            "4500-6000元/月",
            "苏州市吴中区",
            dt.datetime(2026, 3, 2),
        ]
    )
    sheet.append(
        [5, "苏州恒通汽车销售服务有限公司", "销售顾问（实习）", 4, "不限", "3-5千", "苏州市吴中区", "不是日期"]
    )
    book.create_sheet("说明").append(["本表由人力资源市场整理"])  # a sheet without the header is skipped
    book.save(path)
    return path


def test_xlsx_merged_cells_serial_dates_and_a_bad_row(tmp_path: Path) -> None:
    result = default_pipeline(core_taxonomy()).run(JobFairSheet(make_fair_workbook(tmp_path / "fair.xlsx")))
    assert result.rows_read == 5
    assert [r.as_tuple() for r in result.rejected] == [(5, "岗位名称", "title is required")]
    by_title = {i.title: i for i in result.items}
    assert list(by_title) == ["SMT操作员", "设备维修技术员", "汽车美容技师", "销售顾问（实习）"]
    smt, repair = by_title["SMT操作员"], by_title["设备维修技术员"]
    assert smt.row == 3 and repair.row == 4
    assert repair.employer_name == "昆山立讯精密电子有限公司（二厂）"  # from the merged cell
    assert repair.region_code == smt.region_code == "320583"  # 昆山市, merged too
    assert smt.posted_on == repair.posted_on == dt.date(2026, 3, 1)  # serial 46082
    assert repair.openings == 5 and repair.education is EducationLevel.ASSOCIATE
    assert smt.education is EducationLevel.SECONDARY_VOCATIONAL and smt.openings == 30
    assert (repair.salary.min_monthly, repair.salary.max_monthly) == (6000, 9000)
    assert by_title["汽车美容技师"].posted_on == dt.date(2026, 3, 2)
    sales = by_title["销售顾问（实习）"]
    assert sales.posted_on is None and [w.column for w in sales.warnings] == ["发布日期"]
    assert sales.employment_type.is_internship


def test_csv_with_bom_carries_the_employer_down_and_reports_bad_rows() -> None:
    result = default_pipeline(core_taxonomy()).run(JobFairSheet(FAIRS / "fair_utf8_bom.csv"))
    assert result.rows_read == 6  # the blank row 8 is not a record
    assert [r.as_tuple() for r in result.rejected] == [(6, "招聘岗位", "title is required")]
    by_row = {i.row: i for i in result.items}
    assert sorted(by_row) == [3, 4, 5, 7, 9]
    assert by_row[4].employer_name == "佛山顺德美嘉电器有限公司" and by_row[4].region_code == "440606"
    assert by_row[4].description == "联系人：李女士\n联系电话：0757-2222xxxx"
    assert by_row[5].openings is None and by_row[5].warnings == []  # 若干: open, no warning
    assert by_row[5].salary is not None and not by_row[5].salary.known  # 面议 kept as unknown
    assert [(w.row, w.column) for w in result.warnings] == [(7, "薪资待遇"), (9, "招聘人数(人)")]
    assert by_row[7].openings == 5 and not by_row[7].salary.known  # "4000": no unit, not guessed


def test_gb18030_csv_with_serial_and_text_dates() -> None:
    result = default_pipeline(core_taxonomy()).run(JobFairSheet(FAIRS / "fair_gb18030.csv"))
    by_title = {i.title: i for i in result.items}
    assert by_title["汽车装配工（长白班）"].valid_through == dt.date(2026, 3, 31)
    assert by_title["叉车工"].valid_through == dt.date(2026, 4, 30)
    assert by_title["叉车工"].description == "岗位要求：需持叉车证"
    assert by_title["叉车工"].salary.min_monthly == 4350  # 200元/天 × 21.75
    bread = by_title["面包师"]
    assert bread.valid_through is None and [w.column for w in bread.warnings] == ["截止日期"]  # 明天
    assert bread.region_code == "510107"


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (["单位名称", "岗位", "人数"], {0: "employer_name", 1: "title", 2: "openings"}),
        (
            ["企业 名称", "招聘\n岗位", "招聘人数（人）", "薪资待遇："],
            {0: "employer_name", 1: "title", 2: "openings", 3: "salary_text"},
        ),
        (
            ["公司名称", "职位名称", "学历", "联系人", "联系电话"],
            {0: "employer_name", 1: "title", 2: "education_text", 3: "contact", 4: "phone"},
        ),
        (["序号", "备注说明"], {}),
    ],
)
def test_header_synonyms(cells: list[str], expected: dict[int, str]) -> None:
    assert map_header(cells) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (46082, dt.date(2026, 3, 1)),
        (46082.5, dt.date(2026, 3, 1)),
        ("46082", dt.date(2026, 3, 1)),
        (dt.datetime(2026, 3, 1, 9), dt.date(2026, 3, 1)),
        ("2026年3月1日", dt.date(2026, 3, 1)),
        (None, None),
    ],
)
def test_excel_dates(value: object, expected: dt.date | None) -> None:
    assert excel_date(value) == expected


@pytest.mark.parametrize("value", [12, "下周", 250000])
def test_not_excel_dates(value: object) -> None:
    with pytest.raises(DateError):
        excel_date(value)


def test_unreadable_spreadsheets(tmp_path: Path) -> None:
    no_header = tmp_path / "x.csv"
    no_header.write_text("姓名,身份证号\n张三,1\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="岗位"):
        list(JobFairSheet(no_header))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnreadableFileError, match="xlsx"):
        list(JobFairSheet(broken))
