"""Chinese job-board salary strings → amounts per period and 元/月.

Understood forms (``N`` a number, spaces and full-width characters allowed)::

    6-9K  6-9千  3千-8千  8千-1.6万  1-1.5万/月  10-20万/年  200元/天  25元/小时
    4000-6000元·14薪  1-1.5万·13薪   (13/14 monthly salaries a year)
    1万以上/月  8千以下   面议
    8000+  8K+  1万+  8000元+  3000起        (open-ended: a minimum, no maximum)
    ¥8000-12000  ￥6-9K  RMB 8000  8000-12000元人民币   (currency-marked: CNY)

Rules:

* a unit (元, 千/K, 万/W) written on one end only applies to both ends (``1-1.5万``);
* no period means per month — the convention of 51job and most Chinese boards (``2-3万``);
* ``·N薪``: the annual total is ``N`` monthly salaries, so the monthly equivalent is
  ``amount × N / 12`` (e.g. ``1-1.5万·13薪`` → 10833–16250 元/月); ``months_per_year`` keeps N;
* ``…以上``, ``…起`` and a trailing ``+`` set only the minimum, ``…以下`` only the maximum;
* a currency mark (``¥``/``￥``, ``RMB``, ``CNY``, ``人民币``) sets ``currency`` to ``CNY`` and,
  like ``元``, says the figures are in 元;
* swapped bounds (``9-6千``) are put in order, with a warning;
* ``面议`` (negotiable) is unknown, without a warning; numbers without any unit (``5000``,
  ``6-9``) are not guessed: unknown, with a warning — except an open-ended figure
  (``8000+``, ``3000起``, ``5000以上``), which the boards write in 元 only, when it is
  plausible as 元 for its period (``6+`` is not);
* a figure implausible for its period (:data:`PLAUSIBLE`, e.g. ``25-38万`` a month) is not
  stored wrong: the salary is unknown (text kept) with a warning naming the bounds.

Plausibility bounds (:data:`PLAUSIBLE`, per period, in 元 for CNY and dollars for USD) are wide on
purpose: they catch a misread unit or period (a yearly figure read as monthly is about 12× too
high, a monthly one read as daily about 20×), not unusual pay. The CNY floors sit below the
lowest statutory minimum wages (2024: about 1,700 元/月 and 17 元/小时 in the lowest bands; source:
人力资源社会保障部《全国各地区最低工资标准情况》) to leave room for internship allowances; the
ceilings are far above any vocational wage. USD floors sit below the federal minimum wage
(7.25 $/h, Fair Labor Standards Act).

Monthly conversion uses :func:`vocab.to_monthly` (21.75 days, 8 hours a day).
"""

from __future__ import annotations

import re
import unicodedata

from scrapers.items import SalaryRange
from vocab import SalaryPeriod, to_monthly

_UNIT_FACTOR = {"元": 1, "块": 1, "千": 1000, "K": 1000, "万": 10000, "W": 10000}
_PERIODS = {
    "月": SalaryPeriod.MONTH,
    "年": SalaryPeriod.YEAR,
    "天": SalaryPeriod.DAY,
    "日": SalaryPeriod.DAY,
    "小时": SalaryPeriod.HOUR,
    "时": SalaryPeriod.HOUR,
    "周": SalaryPeriod.WEEK,
}
_NEGOTIABLE = re.compile(r"面议|面谈|待遇优厚|negotiable", re.IGNORECASE)
#: a currency mark before or after the figures (after NFKC ``￥`` is ``¥``)
_CURRENCY_MARK = re.compile(r"^(?:¥|RMB|CNY|人民币)|(?:RMB|CNY|人民币|元人民币)$")

#: (lowest, highest) plausible amount per period, by ISO 4217 currency (see the module doc)
PLAUSIBLE: dict[str, dict[SalaryPeriod, tuple[float, float]]] = {
    "CNY": {
        SalaryPeriod.HOUR: (10, 1_000),
        SalaryPeriod.DAY: (50, 5_000),
        SalaryPeriod.WEEK: (250, 25_000),
        SalaryPeriod.MONTH: (800, 300_000),
        SalaryPeriod.YEAR: (8_000, 5_000_000),
    },
    "USD": {
        SalaryPeriod.HOUR: (5, 1_000),
        SalaryPeriod.DAY: (40, 8_000),
        SalaryPeriod.WEEK: (200, 40_000),
        SalaryPeriod.MONTH: (800, 150_000),
        SalaryPeriod.YEAR: (10_000, 2_000_000),
    },
}
_PERIOD_NAMES = {
    SalaryPeriod.HOUR: "an hourly",
    SalaryPeriod.DAY: "a daily",
    SalaryPeriod.WEEK: "a weekly",
    SalaryPeriod.MONTH: "a monthly",
    SalaryPeriod.YEAR: "a yearly",
}
_MONTHS = re.compile(r"[·*×X]?(\d{1,2})薪$")
_PERIOD_SUFFIX = re.compile(r"(?:/|每)(小时|时|天|日|周|月|年)$")
_PERIOD_PREFIX = re.compile(r"^(时|日|周|月|年)薪")
_AMOUNT = r"(\d+(?:\.\d+)?)(千元|万元|元|块|千|K|万|W)?"
_RANGE = re.compile(rf"^{_AMOUNT}(?:[-~至到]{_AMOUNT})?$")


def _canonical(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).upper()
    s = re.sub(r"\s+", "", s)
    return s.replace("—", "-").replace("–", "-").replace("－", "-").replace("〜", "-")


def implausible(
    minimum: float | None, maximum: float | None, period: SalaryPeriod | None, currency: str | None = "CNY"
) -> str | None:
    """Why ``minimum``–``maximum`` per ``period`` is not a plausible salary in ``currency``
    (:data:`PLAUSIBLE`), or ``None`` when it is (or cannot be judged: no period, another currency)."""
    bounds = PLAUSIBLE.get((currency or "CNY").upper(), {}).get(period) if period else None
    if bounds is None or period is None:
        return None
    low, high = bounds
    figures = [x for x in (minimum, maximum) if x is not None]
    if all(low <= x <= high for x in figures):
        return None
    unit = "元" if (currency or "CNY").upper() == "CNY" else (currency or "").upper()
    shown = "-".join(_amount(x) for x in dict.fromkeys(figures))
    return (
        f"{shown} {unit} is not plausible for {_PERIOD_NAMES[period]} salary "
        f"({_amount(low)}–{_amount(high)} {unit} per {period.value.lower()}); left unknown"
    )


def _amount(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def parse_salary(
    text: str | None, default_period: SalaryPeriod | None = None, currency: str | None = None
) -> tuple[SalaryRange | None, list[str]]:
    """Parse a salary string. Returns the range (``None`` for an empty cell) and warnings.

    The amounts are in 元 per ``period``; ``min_monthly``/``max_monthly`` are 元/月.
    ``default_period`` is the period when the text names none (schema.org ``unitText`` beside
    the text; default a month); a period written in the text wins, with a warning when the two
    differ. ``currency`` is the currency stated beside the text (a mark in the text sets CNY).
    An unknown salary is a :class:`SalaryRange` with ``None`` bounds that keeps ``text``.
    """
    if text is None or not text.strip():
        return None, []
    original = text.strip()
    unknown = SalaryRange(text=original, currency=currency)
    s = _canonical(original)
    if _NEGOTIABLE.search(s):
        return unknown, []
    warnings: list[str] = []
    marked = False
    if m := _CURRENCY_MARK.search(s):
        marked, currency, s = True, "CNY", s[: m.start()] + s[m.end() :]
        unknown.currency = currency

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
        period, s = _PERIODS[m.group(1)], s[m.end() :]

    open_end: str | None = None
    if s.endswith(("以上", "起", "+")):
        open_end, s = "min", s.removesuffix("以上").removesuffix("起").removesuffix("+")
    elif s.endswith("以下"):
        open_end, s = "max", s.removesuffix("以下")
    if not period and (m := _PERIOD_SUFFIX.search(s)):  # 8000元/月+ : the period before the +
        period, s = _PERIODS[m.group(1)], s[: m.start()]

    m = _RANGE.match(s)
    if m is None:
        return unknown, [f"salary {original!r} not understood; kept as text"]
    low, low_unit, high, high_unit = m.groups()
    if low_unit is None and high_unit is None:
        if marked:  # ¥8000-12000: the mark says 元
            low_unit = "元"
        elif open_end == "min" and high is None:  # 8000+ / 3000起: the boards' "元 and up"
            low_unit = "元"
        else:
            return unknown, [f"salary {original!r} has no unit (元/千/万); not guessed, kept as text"]
    low_factor = _UNIT_FACTOR[(low_unit or high_unit)[0]]
    high_factor = _UNIT_FACTOR[(high_unit or low_unit)[0]]
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
        period = default_period or SalaryPeriod.MONTH
    elif default_period is not None and default_period != period:
        warnings.append(
            f"salary {original!r} names a {period.value.lower()} figure but unitText says "
            f"{default_period.value}; the text's period is used"
        )
    if (why := implausible(minimum, maximum, period, currency)) is not None:
        return unknown, [f"salary {original!r}: {why}"]
    if months is not None and period != SalaryPeriod.MONTH:
        warnings.append(f"{months}薪 only applies to a monthly salary; ignored")
        months = None

    def monthly(amount: float | None) -> int | None:
        if amount is None:
            return None
        if months is not None:
            return to_monthly(amount * months, SalaryPeriod.YEAR)
        return to_monthly(amount, period)

    return SalaryRange(
        text=original,
        minimum=minimum,
        maximum=maximum,
        period=period,
        months_per_year=months,
        min_monthly=monthly(minimum),
        max_monthly=monthly(maximum),
        currency=currency,
    ), warnings
