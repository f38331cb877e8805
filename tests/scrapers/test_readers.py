"""Sources on small hand-written files, through the default pipeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import pytest

from scrapers.csvio import UnreadableFileError
from scrapers.items import PostingItem, SeekerItem
from scrapers.pipeline import NO_EMPLOYER, default_pipeline
from scrapers.sources.job51 import Job51_2019, Job51_2023, posting_key
from scrapers.sources.us_jobboard import UsApplicants, UsJobs
from service.taxonomy.core import core_taxonomy
from vocab import EducationLevel, EmploymentType, SalaryPeriod

FIXTURES = Path(__file__).parent / "fixtures"


def _postings(items: Iterable[object]) -> dict[str, PostingItem]:
    return {i.title: i for i in items if isinstance(i, PostingItem)}


def test_51job_2019() -> None:
    result = default_pipeline(core_taxonomy()).run(Job51_2019(FIXTURES / "job51_2019_sample.csv"))
    assert result.rows_read == 7
    assert [r.as_tuple() for r in result.rejected] == [(5, "职位", "title is required")]
    assert [d.row for d in result.duplicates] == [8]
    by_title = _postings(result.items)
    assert list(by_title) == ["数控车床操作工", "汽修学徒", "仓库管理员", "电工", "焊工"]

    cnc = by_title["数控车床操作工"]
    assert cnc.row == 2 and cnc.source == "51job"
    assert cnc.external_id == posting_key("广州数控设备有限公司", "数控车床操作工", "广州-黄埔区", "2019-09-12")
    assert (cnc.salary.min_monthly, cnc.salary.max_monthly) == (6000, 8000)
    assert (cnc.region_code, cnc.province, cnc.city) == ("440112", "广东省", "广州市")
    assert cnc.education is EducationLevel.SECONDARY_VOCATIONAL and cnc.experience_years == 1
    assert (cnc.employer_kind, cnc.employer_size) == ("民营公司", "1000-5000人")
    assert cnc.employer_industry == "机械/设备/重工"
    assert cnc.address == "广州市萝岗区云埔一路52号" and cnc.openings == 3
    assert cnc.posted_on == dt.date(2019, 9, 12) and cnc.description.startswith("负责数控车床")

    # shifted row: 中技 sits in 工作经验, 学历 is []
    apprentice = by_title["汽修学徒"]
    assert apprentice.education is EducationLevel.SECONDARY_VOCATIONAL and apprentice.experience_years is None
    assert apprentice.openings is None and apprentice.region_code == "510107"
    # shifted row with a language requirement where 学历 would be
    store = by_title["仓库管理员"]
    assert store.education is EducationLevel.SENIOR_SECONDARY and store.other_requirements == ["英语一般"]
    assert "英语一般" in store.description
    assert store.salary.period is SalaryPeriod.DAY and store.salary.min_monthly == 4350
    assert store.region_code == "320583"

    electrician = by_title["电工"]
    assert electrician.salary is not None and not electrician.salary.known and electrician.salary.text == "面议"
    assert electrician.region_code is None and electrician.experience_years == 0
    assert [(w.row, w.column) for w in electrician.warnings] == [(6, "地区")]

    welder = by_title["焊工"]  # malformed list literal: read as text, with a warning naming the column
    assert welder.salary.minimum == 8000
    assert (7, "薪资") in [(w.row, w.column) for w in welder.warnings]
    assert welder.education is EducationLevel.JUNIOR_SECONDARY and welder.experience_years == 3


def test_51job_2023() -> None:
    result = default_pipeline(core_taxonomy()).run(Job51_2023(FIXTURES / "job51_2023_sample.csv"))
    assert result.rows_read == 6
    assert [r.as_tuple() for r in result.rejected] == [(5, "岗位名称", "title is required")]
    assert [d.row for d in result.duplicates] == [6]
    by_title = _postings(result.items)
    fixer = by_title["电气维修工"]
    assert fixer.skills == ["PLC", "CAD"] and fixer.benefits == ["五险一金", "包吃包住"]
    assert fixer.description == "福利：五险一金、包吃包住"
    assert fixer.region_code == "320583" and fixer.employer_industry == "机械/设备/重工"
    assert fixer.salary.min_monthly == 6000
    assert fixer.education is EducationLevel.SECONDARY_VOCATIONAL
    intern = by_title["汽车美容实习生"]
    assert intern.employment_type is EmploymentType.INTERN and intern.experience_years == 0
    assert intern.salary.max_monthly == 4000
    tagger = by_title["数据标注员"]
    assert tagger.salary.months_per_year == 14 and tagger.salary.min_monthly == 4667
    assert tagger.skills == ["数据标注", "Excel"] and tagger.experience_years == 0
    assert by_title["仓储主管"].education is EducationLevel.ANY


def test_us_jobs() -> None:
    result = default_pipeline(core_taxonomy()).run(UsJobs(FIXTURES / "us_jobs_sample.csv"))
    assert result.rows_read == 6
    assert [r.as_tuple() for r in result.rejected] == [(5, "Job.ID", "no job id"), (6, "Position", "title is required")]
    assert [d.row for d in result.duplicates] == [7]
    jobs = {i.external_id: i for i in result.items if isinstance(i, PostingItem)}
    valet = jobs["73666"]
    assert (valet.title, valet.employer_name, valet.country, valet.province, valet.city) == (
        "Cashiers & Valets Needed!",
        "WallyPark",
        "US",
        "NJ",
        "Newark",
    )
    assert valet.region_code is None and valet.salary is None and valet.employer_industry is None
    assert jobs["96655"].employment_type is EmploymentType.TEMPORARY and jobs["96655"].employer_industry == "Retail"
    anonymous = jobs["120095"]
    assert anonymous.employer_name == NO_EMPLOYER
    assert [(w.row, w.column) for w in anonymous.warnings] == [(4, "Company")]


def test_us_applicants(us_applicants_dir: Path) -> None:
    source = UsApplicants(us_applicants_dir / "experience.csv")  # a file: its folder is read
    result = default_pipeline(core_taxonomy()).run(source)
    assert result.rows_read == 8
    assert [r.as_tuple() for r in result.rejected] == [
        (4, "experience.csv Applicant.ID", "no position name in any work-history row and no positions of interest")
    ]
    seekers = {i.external_id: i for i in result.items if isinstance(i, SeekerItem)}
    assert list(seekers) == ["10001", "10003", "10004"]
    cook = seekers["10001"]
    assert cook.desired_titles == ["Server"] and cook.country == "US" and cook.skills == []
    assert [e.title for e in cook.experiences] == ["Line Cook", "Barista"]
    assert cook.experiences[0].description == "Prepared breakfast orders.\nCleaned the grill."
    assert cook.experiences[0].end_date == dt.date(2012, 5, 31) and cook.experiences[1].end_date is None
    assert (cook.city, cook.province) == ("Dallas", "TX")  # the current job is the most recent
    cashier = seekers["10003"]
    assert [e.title for e in cashier.experiences] == ["Cashier"]
    # home comes from the latest row with a location, even one whose position is missing (then skipped)
    assert (cashier.city, cashier.province) == ("Reno", "NV")
    assert [(w.row, w.column) for w in cashier.warnings] == [(6, "experience.csv Position.Name")]
    dishwasher = seekers["10004"]
    assert dishwasher.experiences == [] and dishwasher.desired_titles == ["Dishwasher"] and dishwasher.row == 4


def test_missing_files_and_columns_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError):
        list(UsApplicants(tmp_path))
    bad = tmp_path / "jobs.csv"
    bad.write_text("Job.ID,Title\n1,x\n", encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="Company"):
        list(UsJobs(bad))
