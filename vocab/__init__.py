"""Controlled vocabularies shared by ``matching``, ``scrapers`` and ``service``.

This package is the one home of what both ``matching`` and ``scrapers`` need (these enums and the
text normaliser :mod:`vocab.text`), so that neither imports the other; it imports nothing of ours.

Values follow schema.org where one exists (``employmentType``, ``unitText``).
"""

from __future__ import annotations

import enum

#: The service's time zone (IANA name; Beijing time, UTC+8): its users are in mainland China. The one
#: definition in the project: :data:`service.config.TIMEZONE` / ``ZONE`` for the service, the default
#: of a board's ``timezone`` and of dates read from pages in ``scrapers``.
TIMEZONE = "Asia/Shanghai"


class EducationLevel(enum.StrEnum):
    """Education levels in ascending order; compare with :func:`education_rank`.

    中专, 中职, 职高 and 技校 are all secondary-vocational (``SECONDARY_VOCATIONAL``); 高中 is
    ranked alongside them because Chinese postings treat them as equivalent requirements.
    """

    ANY = "any"  # 学历不限
    JUNIOR_SECONDARY = "junior_secondary"  # 初中及以下
    SECONDARY_VOCATIONAL = "secondary_vocational"  # 中专/中职/职高/技校
    SENIOR_SECONDARY = "senior_secondary"  # 高中
    ASSOCIATE = "associate"  # 大专/高职
    BACHELOR = "bachelor"  # 本科
    MASTER = "master"  # 硕士
    DOCTORATE = "doctorate"  # 博士


_EDUCATION_RANK = {
    EducationLevel.ANY: 0,
    EducationLevel.JUNIOR_SECONDARY: 1,
    EducationLevel.SECONDARY_VOCATIONAL: 2,
    EducationLevel.SENIOR_SECONDARY: 2,
    EducationLevel.ASSOCIATE: 3,
    EducationLevel.BACHELOR: 4,
    EducationLevel.MASTER: 5,
    EducationLevel.DOCTORATE: 6,
}


def education_rank(level: EducationLevel | str) -> int:
    """Ordinal rank 0–6 of an education level (0 = no requirement)."""
    return _EDUCATION_RANK[EducationLevel(level)]


class EmploymentType(enum.StrEnum):
    """schema.org ``employmentType`` values plus 顶岗实习/岗位实习 (``WORK_PLACEMENT``)."""

    FULL_TIME = "FULL_TIME"
    PART_TIME = "PART_TIME"
    CONTRACTOR = "CONTRACTOR"
    TEMPORARY = "TEMPORARY"
    INTERN = "INTERN"
    WORK_PLACEMENT = "WORK_PLACEMENT"  # 顶岗实习 / 岗位实习 arranged through the school
    OTHER = "OTHER"

    @property
    def is_internship(self) -> bool:
        return self in (EmploymentType.INTERN, EmploymentType.WORK_PLACEMENT)


class SalaryPeriod(enum.StrEnum):
    """schema.org ``unitText`` for a salary amount."""

    HOUR = "HOUR"
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    YEAR = "YEAR"


#: Conversion to a monthly amount. Hours and days assume China's statutory averages:
#: 21.75 paid working days a month and 8 hours a day (人社部发〔2008〕3号).
MONTHLY_FACTOR = {
    SalaryPeriod.HOUR: 21.75 * 8,
    SalaryPeriod.DAY: 21.75,
    SalaryPeriod.WEEK: 52 / 12,
    SalaryPeriod.MONTH: 1.0,
    SalaryPeriod.YEAR: 1 / 12,
}


def to_monthly(amount: float | None, period: SalaryPeriod | str | None) -> int | None:
    """Convert ``amount`` per ``period`` to a whole amount per month; ``None`` stays unknown."""
    if amount is None or period is None:
        return None
    return round(amount * MONTHLY_FACTOR[SalaryPeriod(period)])
