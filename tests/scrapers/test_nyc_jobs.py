"""NYC Jobs rows: salary frequency → period (USD), mojibake repair."""

from __future__ import annotations

import pytest

from scrapers.sources.nyc_jobs import fix_mojibake, nyc_salary
from vocab import SalaryPeriod


@pytest.mark.parametrize(
    ("low", "high", "frequency", "period", "monthly"),
    [
        ("42405", "65485", "Annual", SalaryPeriod.YEAR, (3534, 5457)),
        ("35", "35", "Hourly", SalaryPeriod.HOUR, (6090, 6090)),
        ("275.5", "300", "Daily", SalaryPeriod.DAY, (5992, 6525)),
        ("65485", "42405", "annual", SalaryPeriod.YEAR, (3534, 5457)),  # swapped
    ],
)
def test_salary_frequency(low: str, high: str, frequency: str, period: SalaryPeriod, monthly: tuple[int, int]) -> None:
    salary, _ = nyc_salary(low, high, frequency)
    assert salary.currency == "USD" and salary.period is period
    assert (salary.min_monthly, salary.max_monthly) == monthly


def test_salary_problems() -> None:
    assert nyc_salary(None, None, "Annual") == (None, None)
    unknown, warning = nyc_salary("10", "20", "Fortnightly")
    assert unknown.period is None and unknown.max_monthly is None and "Fortnightly" in (warning or "")
    assert nyc_salary("ten", "20", "Annual")[0] is None


@pytest.mark.parametrize(
    ("text", "fixed"),
    [
        ("New York Cityâ€™s", "New York City’s"),
        ("â€œ1â€\x9d above", "“1” above"),
        ("plain text", "plain text"),
        ("Ãœ and 中文", "Ãœ and 中文"),  # not a clean round trip: left alone
    ],
)
def test_mojibake(text: str, fixed: str) -> None:
    assert fix_mojibake(text) == fixed
