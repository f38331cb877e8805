"""学历, 工作经验, employment type and tag normalisation."""

from __future__ import annotations

import pytest

from scrapers.normalise.education import parse_education
from scrapers.normalise.employment import employment_type_from_title
from scrapers.normalise.experience import parse_experience
from scrapers.normalise.tags import split_tags
from vocab import EducationLevel as E
from vocab import EmploymentType


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("初中", E.JUNIOR_SECONDARY),
        ("初中及以下", E.JUNIOR_SECONDARY),
        ("中专", E.SECONDARY_VOCATIONAL),
        ("中职", E.SECONDARY_VOCATIONAL),
        ("中技", E.SECONDARY_VOCATIONAL),
        ("技校", E.SECONDARY_VOCATIONAL),
        ("职高", E.SECONDARY_VOCATIONAL),
        ("中专及以上", E.SECONDARY_VOCATIONAL),
        ("高中", E.SENIOR_SECONDARY),
        ("大专", E.ASSOCIATE),
        ("大专及以上", E.ASSOCIATE),
        ("高职", E.ASSOCIATE),
        ("本科", E.BACHELOR),
        ("统招本科", E.BACHELOR),
        ("本科以上学历", E.BACHELOR),
        ("硕士", E.MASTER),
        ("研究生", E.MASTER),
        ("博士", E.DOCTORATE),
        ("学历不限", E.ANY),
        ("无学历要求", E.ANY),
        ("不限", E.ANY),
    ],
)
def test_education_levels(text: str, level: E) -> None:
    assert parse_education(text) is level


@pytest.mark.parametrize("text", [None, "", "英语熟练", "普通话良好", "若干人", "学历"])
def test_not_an_education(text: str | None) -> None:
    assert parse_education(text) is None


@pytest.mark.parametrize(
    ("text", "years"),
    [
        ("1年工作经验", 1),
        ("2年", 2),
        ("3-4年", 3),
        ("3-4年工作经验", 3),
        ("5-7年", 5),
        ("10年以上", 10),
        ("10年以上工作经验", 10),
        ("一年以上", 1),
        ("两年", 2),
        ("十年以上", 10),
        ("经验不限", 0),
        ("无需经验", 0),
        ("无工作经验", 0),
        ("应届", 0),
        ("应届生", 0),
        ("在校生/应届生", 0),
    ],
)
def test_experience_years(text: str, years: int) -> None:
    assert parse_experience(text) == years


@pytest.mark.parametrize("text", [None, "", "英语精通", "本科", "若干"])
def test_unknown_experience_is_none(text: str | None) -> None:
    assert parse_experience(text) is None


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("汽修实习生", EmploymentType.INTERN),
        ("Summer Internship", EmploymentType.INTERN),
        ("兼职收银员", EmploymentType.PART_TIME),
        ("Event Specialist Part Time", EmploymentType.PART_TIME),
        ("Part-Time Cashier", EmploymentType.PART_TIME),
        ("Macy's Seasonal Cashier", EmploymentType.TEMPORARY),
        ("数控车床操作工", EmploymentType.FULL_TIME),
        ("International Sales", EmploymentType.FULL_TIME),
    ],
)
def test_employment_type_from_title(title: str, kind: EmploymentType) -> None:
    assert employment_type_from_title(title) is kind


def test_tags_split_into_skills_and_benefits() -> None:
    skills, benefits = split_tags(["spark\n大数据\nHadoop\n五险一金\n定期体检", "hadoop\n金融\n年终奖金\n\n餐饮补贴"])
    assert skills == ["spark", "大数据", "Hadoop", "金融"]  # hadoop repeated in another case is dropped
    assert benefits == ["五险一金", "定期体检", "年终奖金", "餐饮补贴"]
