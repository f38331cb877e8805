"""Salary columns of imported postings."""

from __future__ import annotations

from scrapers.items import SalaryRange
from service.imports.postings import salary_fields
from vocab import SalaryPeriod


def test_thirteen_months_pay_is_stored_as_the_annual_total() -> None:
    fields = salary_fields(
        SalaryRange(text="1-1.5万·13薪", minimum=10000, maximum=15000, period=SalaryPeriod.MONTH, months_per_year=13)
    )
    assert (fields["salary_min"], fields["salary_period"]) == (130000, SalaryPeriod.YEAR)
    assert (fields["salary_min_monthly"], fields["salary_max_monthly"]) == (10833, 16250)


def test_absurd_pay_is_kept_as_text_only() -> None:
    fields = salary_fields(
        SalaryRange(text="100000000/小时", minimum=100_000_000, maximum=None, period=SalaryPeriod.HOUR)
    )
    assert fields["salary_text"] == "100000000/小时"
    assert fields["salary_min"] is None and fields["salary_min_monthly"] is None
