"""Salary strings → amounts per period and 元/月."""

from __future__ import annotations

import pytest

from scrapers.normalise.salary import parse_salary
from vocab import SalaryPeriod

M, Y, D, H = SalaryPeriod.MONTH, SalaryPeriod.YEAR, SalaryPeriod.DAY, SalaryPeriod.HOUR


@pytest.mark.parametrize(
    ("text", "low", "high", "period", "months", "low_monthly", "high_monthly"),
    [
        # K / 千 / 万, unit on one end applying to both
        ("6-9K", 6000, 9000, M, None, 6000, 9000),
        ("6-9k", 6000, 9000, M, None, 6000, 9000),
        ("4.5-6千/月", 4500, 6000, M, None, 4500, 6000),
        ("1-1.5万/月", 10000, 15000, M, None, 10000, 15000),
        ("0.8-1万/月", 8000, 10000, M, None, 8000, 10000),
        ("3千-8千", 3000, 8000, M, None, 3000, 8000),
        ("8千-1.6万", 8000, 16000, M, None, 8000, 16000),
        ("1万-1.5万元", 10000, 15000, M, None, 10000, 15000),
        # per year
        ("10-20万/年", 100000, 200000, Y, None, 8333, 16667),
        ("20-40万/年", 200000, 400000, Y, None, 16667, 33333),
        ("年薪12-18万", 120000, 180000, Y, None, 10000, 15000),
        # N薪: annual = N monthly salaries, monthly equivalent = annual / 12
        ("4000-6000元·14薪", 4000, 6000, M, 14, 4667, 7000),
        ("1-1.5万·13薪", 10000, 15000, M, 13, 10833, 16250),
        ("1.2-2.4万·14薪", 12000, 24000, M, 14, 14000, 28000),
        ("6千-1.2万 · 13薪", 6000, 12000, M, 13, 6500, 13000),
        # per day / hour (21.75 days a month, 8 hours a day)
        ("200元/天", 200, 200, D, None, 4350, 4350),
        ("150-200元/日", 150, 200, D, None, 3262, 4350),
        ("25元/小时", 25, 25, H, None, 4350, 4350),
        # open bounds
        ("1万以上/月", 10000, None, M, None, 10000, None),
        ("50万以上/年", 500000, None, Y, None, 41667, None),
        ("8千以下", None, 8000, M, None, None, 8000),
        ("4.5千以下/月", None, 4500, M, None, None, 4500),
        # no period: per month (51job convention)
        ("2-3万", 20000, 30000, M, None, 20000, 30000),
        ("4-7万", 40000, 70000, M, None, 40000, 70000),
        # full-width characters
        ("４０００－６０００元/月", 4000, 6000, M, None, 4000, 6000),
    ],
)
def test_understood_forms(
    text: str,
    low: float | None,
    high: float | None,
    period: SalaryPeriod,
    months: int | None,
    low_monthly: int | None,
    high_monthly: int | None,
) -> None:
    salary, warnings = parse_salary(text)
    assert salary is not None and warnings == []
    assert (salary.minimum, salary.maximum, salary.period, salary.months_per_year) == (low, high, period, months)
    assert (salary.min_monthly, salary.max_monthly) == (low_monthly, high_monthly)
    assert salary.text == text.strip()


@pytest.mark.parametrize("text", ["面议", "薪资面议", " 面议 "])
def test_negotiable_is_unknown_without_warning(text: str) -> None:
    salary, warnings = parse_salary(text)
    assert salary is not None and not salary.known and warnings == []
    assert salary.text == text.strip() and salary.period is None


@pytest.mark.parametrize(
    ("text", "low", "high"), [("9-6千", 6000, 9000), ("1.5-1万/月", 10000, 15000), ("8千-6千", 6000, 8000)]
)
def test_swapped_bounds_are_fixed_with_a_warning(text: str, low: float, high: float) -> None:
    salary, warnings = parse_salary(text)
    assert salary is not None and (salary.minimum, salary.maximum) == (low, high)
    assert len(warnings) == 1 and "swapped" in warnings[0]


@pytest.mark.parametrize("text", ["5000", "6-9", "4000-6000/月", "8000-12000"])
def test_bare_numbers_are_not_guessed(text: str) -> None:
    salary, warnings = parse_salary(text)
    assert salary is not None and not salary.known and salary.text == text
    assert len(warnings) == 1 and "no unit" in warnings[0]


@pytest.mark.parametrize("text", ["很高", "6-9K-12K", "万/月"])
def test_nonsense_is_kept_as_text_with_a_warning(text: str) -> None:
    salary, warnings = parse_salary(text)
    assert salary is not None and not salary.known and salary.text == text
    assert warnings and "not understood" in warnings[0]


@pytest.mark.parametrize("text", [None, "", "   "])
def test_empty_cell_is_no_salary(text: str | None) -> None:
    assert parse_salary(text) == (None, [])


def test_months_on_a_yearly_salary_are_ignored_with_a_warning() -> None:
    salary, warnings = parse_salary("10-20万/年·13薪")
    assert salary is not None and salary.months_per_year is None and salary.max_monthly == 16667
    assert any("13薪" in w for w in warnings)


def test_implausible_months_are_ignored_with_a_warning() -> None:
    salary, warnings = parse_salary("1-2万·40薪")
    assert salary is not None and salary.months_per_year is None and salary.min_monthly == 10000
    assert any("40薪" in w for w in warnings)


@pytest.mark.parametrize(
    ("text", "low", "high", "currency"),
    [
        # open-ended: a minimum and no maximum, whatever unit (or none: the boards' 元)
        ("8000+", 8000, None, None),
        ("8K+", 8000, None, None),
        ("8k +", 8000, None, None),
        ("1万+", 10000, None, None),
        ("1.2万+", 12000, None, None),
        ("8000元+", 8000, None, None),
        ("3000起", 3000, None, None),
        ("５０００＋", 5000, None, None),
        ("1万+/月", 10000, None, None),
        ("8000元/月+", 8000, None, None),
        # currency-marked: CNY, the mark standing for 元
        ("¥8000-12000", 8000, 12000, "CNY"),
        ("￥8000-12000", 8000, 12000, "CNY"),
        ("￥6-9K", 6000, 9000, "CNY"),
        ("¥ 4500", 4500, 4500, "CNY"),
        ("RMB 8000-10000", 8000, 10000, "CNY"),
        ("8000-12000元人民币", 8000, 12000, "CNY"),
        ("¥8000+", 8000, None, "CNY"),
        ("￥1-1.5万/月", 10000, 15000, "CNY"),
    ],
)
def test_open_ended_and_currency_marked(text: str, low: float, high: float | None, currency: str | None) -> None:
    salary, warnings = parse_salary(text)
    assert warnings == [] and salary is not None and salary.text == text
    assert (salary.minimum, salary.maximum, salary.period, salary.currency) == (low, high, M, currency)
    assert (salary.min_monthly, salary.max_monthly) == (low, high)


@pytest.mark.parametrize(
    ("text", "period", "low", "high", "monthly"),
    [
        ("25-38万", Y, 250000, 380000, (20833, 31667)),
        ("150-200元", D, 150, 200, (3262, 4350)),
        ("30-45元", H, 30, 45, (5220, 7830)),
        ("1500-2000元", SalaryPeriod.WEEK, 1500, 2000, (6500, 8667)),
        ("12万+", Y, 120000, None, (10000, None)),
    ],
)
def test_a_stated_period_applies_to_a_text_without_one(
    text: str, period: SalaryPeriod, low: float, high: float | None, monthly: tuple[int, int | None]
) -> None:
    salary, warnings = parse_salary(text, period)
    assert warnings == [] and (salary.minimum, salary.maximum, salary.period) == (low, high, period)
    assert (salary.min_monthly, salary.max_monthly) == monthly


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("25-38万", None),  # 250,000 元 a month: a yearly figure read as monthly
        ("150-200元", Y),
        ("25-38万", D),
        ("8000-9000元", H),
        ("6+", None),
        ("50-80万", SalaryPeriod.WEEK),
        ("300元", None),
        ("2-3元/小时", None),
    ],
)
def test_implausible_figures_are_unknown_with_a_warning(text: str, period: SalaryPeriod | None) -> None:
    salary, warnings = parse_salary(text, period)
    assert salary is not None and not salary.known and salary.text == text
    assert len(warnings) == 1 and "not plausible" in warnings[0] and "left unknown" in warnings[0]


def test_plausibility_bounds_per_period() -> None:
    from scrapers.normalise.salary import PLAUSIBLE, implausible

    for bounds in PLAUSIBLE.values():
        assert set(bounds) == set(SalaryPeriod)
        for period, (low, high) in bounds.items():
            assert 0 < low < high
            assert implausible(low, high, period) is None or bounds is not PLAUSIBLE["CNY"]
    assert implausible(799, None, M) and not implausible(800, None, M)
    assert implausible(None, 300_001, M) and not implausible(None, 300_000, M)
    assert implausible(20, 20, H, "USD") is None and implausible(20, 20, H, "EUR") is None  # not judged
    assert implausible(52000, None, H, "USD") is not None


def test_period_in_the_text_wins_over_the_stated_one_with_a_warning() -> None:
    salary, warnings = parse_salary("1-1.5万/月", Y)
    assert (salary.period, salary.max_monthly) == (M, 15000) and "unitText says YEAR" in warnings[0]
