"""Chinese job-board salary strings → amounts per period and 元/月.

Understood forms (``N`` a number, spaces and full-width characters allowed)::

    6-9K  6-9千  3千-8千  8千-1.6万  1-1.5万/月  10-20万/年  200元/天  25元/小时
    4000-6000元·14薪  1-1.5万·13薪   (13/14 monthly salaries a year)
    1万以上/月  8千以下   面议

Rules:

* a unit (元, 千/K, 万/W) written on one end only applies to both ends (``1-1.5万``);
* no period means per month — the convention of 51job and most Chinese boards (``2-3万``);
* ``·N薪``: the annual total is ``N`` monthly salaries, so the monthly equivalent is
  ``amount × N / 12`` (e.g. ``1-1.5万·13薪`` → 10833–16250 元/月); ``months_per_year`` keeps N;
* ``…以上`` sets only the minimum, ``…以下`` only the maximum;
* swapped bounds (``9-6千``) are put in order, with a warning;
* ``面议`` (negotiable) is unknown, without a warning; numbers without any unit (``5000``,
  ``6-9``) are not guessed: unknown, with a warning.

Monthly conversion uses :func:`matching.vocab.to_monthly` (21.75 days, 8 hours a day).
"""

from __future__ import annotations

import re
import unicodedata

from matching.vocab import SalaryPeriod, to_monthly
from scrapers.items import SalaryRange

_UNIT_FACTOR = {"元": 1, "块": 1, "千": 1000, "K": 1000, "万": 10000, "W": 10000}
_PERIODS = {"月": SalaryPeriod.MONTH, "年": SalaryPeriod.YEAR, "天": SalaryPeriod.DAY, "日": SalaryPeriod.DAY,
            "小时": SalaryPeriod.HOUR, "时": SalaryPeriod.HOUR, "周": SalaryPeriod.WEEK}
_NEGOTIABLE = re.compile(r"面议|面谈|待遇优厚|negotiable", re.IGNORECASE)
_MONTHS = re.compile(r"[·*×X]?(\d{1,2})薪$")
_PERIOD_SUFFIX = re.compile(r"(?:/|每)(小时|时|天|日|周|月|年)$")
_PERIOD_PREFIX = re.compile(r"^(时|日|周|月|年)薪")
_AMOUNT = r"(\d+(?:\.\d+)?)(千元|万元|元|块|千|K|万|W)?"
_RANGE = re.compile(rf"^{_AMOUNT}(?:[-~至到]{_AMOUNT})?$")


def _canonical(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).upper()
    s = re.sub(r"\s+", "", s)
    return s.replace("—", "-").replace("–", "-").replace("－", "-").replace("〜", "-")


def parse_salary(text: str | None) -> tuple[SalaryRange | None, list[str]]:
    """Parse a salary string. Returns the range (``None`` for an empty cell) and warnings.

    The amounts are in 元 per ``period``; ``min_monthly``/``max_monthly`` are 元/月.
    An unknown salary is a :class:`SalaryRange` with ``None`` bounds that keeps ``text``.
    """
    if text is None or not text.strip():
        return None, []
    original = text.strip()
    unknown = SalaryRange(text=original)
    s = _canonical(original)
    if _NEGOTIABLE.search(s):
        return unknown, []
    warnings: list[str] = []

    months: int | None = None
    if m := _MONTHS.search(s):
        months, s = int(m.group(1)), s[: m.start()]
        if not 12 <= months <= 24:
            warnings.append(f"{months}薪 is not 12–24 monthly salaries a year; ignored")
            months = None

    period: SalaryPeriod | None = None
    if m := _PERIOD_SUFFIX.search(s):
        period, s = _PERIODS[m.group(1)], s[: m.start()]
    elif m := _PERIOD_PREFIX.search(s):
        period, s = _PERIODS[m.group(1)], s[m.end():]

    open_end: str | None = None
    if s.endswith(("以上", "起")):
        open_end, s = "min", s.removesuffix("以上").removesuffix("起")
    elif s.endswith("以下"):
        open_end, s = "max", s.removesuffix("以下")

    m = _RANGE.match(s)
    if m is None:
        return unknown, [f"salary {original!r} not understood; kept as text"]
    low, low_unit, high, high_unit = m.groups()
    if low_unit is None and high_unit is None:
        return unknown, [f"salary {original!r} has no unit (元/千/万); not guessed, kept as text"]
    low_factor = _UNIT_FACTOR[(low_unit or high_unit)[0]]  # type: ignore[index]
    high_factor = _UNIT_FACTOR[(high_unit or low_unit)[0]]  # type: ignore[index]
    minimum: float | None = round(float(low) * low_factor, 2)
    maximum: float | None = round(float(high) * high_factor, 2) if high is not None else minimum
    if open_end == "min":
        maximum = None
    elif open_end == "max":
        minimum, maximum = None, maximum if high is not None else minimum
    if minimum is not None and maximum is not None and minimum > maximum:
        warnings.append(f"salary bounds swapped in {original!r}; read as {maximum:g}-{minimum:g}")
        minimum, maximum = maximum, minimum

    if period is None:
        period = SalaryPeriod.MONTH
    if months is not None and period != SalaryPeriod.MONTH:
        warnings.append(f"{months}薪 only applies to a monthly salary; ignored")
        months = None

    def monthly(amount: float | None) -> int | None:
        if amount is None:
            return None
        if months is not None:
            return to_monthly(amount * months, SalaryPeriod.YEAR)
        return to_monthly(amount, period)

    return SalaryRange(text=original, minimum=minimum, maximum=maximum, period=period, months_per_year=months,
                       min_monthly=monthly(minimum), max_monthly=monthly(maximum)), warnings
