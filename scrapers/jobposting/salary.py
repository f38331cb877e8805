"""schema.org ``baseSalary`` → :class:`~scrapers.items.SalaryRange`.

Forms accepted (all seen on real boards):

* a number (``6000``) or a numeric string (``"6000"``, ``"6,000.00"``);
* a range string (``"6000-8000"``, ``"6000 ~ 8000"``) — and a Chinese salary text
  (``"6-9K"``, ``"1-1.5万/月"``), which goes to :func:`scrapers.normalise.salary.parse_salary`;
* a ``MonetaryAmount`` whose ``value`` is any of the above or a ``QuantitativeValue``
  (``value`` / ``minValue`` / ``maxValue``), or with ``minValue``/``maxValue`` on itself;
* ``unitText`` (HOUR, DAY, WEEK, MONTH, YEAR; also ``HOURLY``, ``per month``, ``月``/``年`` …) on
  the inner or the outer object — the inner one wins. It applies to a salary text too
  (``"25-38万"`` with ``unitText`` YEAR is 250,000–380,000 元 a year, not a month); a period
  written in the text itself (``1-1.5万/月``) wins, with a warning when the two differ.

Figures implausible for their period (:data:`scrapers.normalise.salary.PLAUSIBLE`, e.g.
``"150-200元"`` a YEAR) are warned about and left unknown (the text is kept) rather than stored wrong.

Amounts are in ``currency`` per period (``CNY`` when the page gives none and the posting is
Chinese is the caller's default); monthly equivalents use :func:`vocab.to_monthly`.
A structured amount without any ``unitText`` keeps its bounds with no period (no monthly figure)
and a warning: the period is not guessed.
"""

from __future__ import annotations

import re
from typing import Any

from scrapers.items import SalaryRange
from scrapers.jobposting.extract import is_a
from scrapers.normalise.salary import implausible, parse_salary
from vocab import SalaryPeriod, to_monthly

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_NUMERIC = re.compile(rf"^\s*({_NUMBER})\s*$")
_NUMERIC_RANGE = re.compile(rf"^\s*({_NUMBER})\s*(?:-|–|—|~|～|至|到|to)\s*({_NUMBER})\s*$", re.IGNORECASE)
_UNITS = {
    "HOUR": SalaryPeriod.HOUR,
    "HOURLY": SalaryPeriod.HOUR,
    "PERHOUR": SalaryPeriod.HOUR,
    "小时": SalaryPeriod.HOUR,
    "时": SalaryPeriod.HOUR,
    "DAY": SalaryPeriod.DAY,
    "DAILY": SalaryPeriod.DAY,
    "PERDAY": SalaryPeriod.DAY,
    "天": SalaryPeriod.DAY,
    "日": SalaryPeriod.DAY,
    "WEEK": SalaryPeriod.WEEK,
    "WEEKLY": SalaryPeriod.WEEK,
    "PERWEEK": SalaryPeriod.WEEK,
    "周": SalaryPeriod.WEEK,
    "MONTH": SalaryPeriod.MONTH,
    "MONTHLY": SalaryPeriod.MONTH,
    "PERMONTH": SalaryPeriod.MONTH,
    "月": SalaryPeriod.MONTH,
    "YEAR": SalaryPeriod.YEAR,
    "YEARLY": SalaryPeriod.YEAR,
    "ANNUAL": SalaryPeriod.YEAR,
    "ANNUALLY": SalaryPeriod.YEAR,
    "PERYEAR": SalaryPeriod.YEAR,
    "年": SalaryPeriod.YEAR,
}


def period_from_unit(unit: object) -> SalaryPeriod | None:
    """``unitText`` → period, ``None`` when absent or unknown."""
    if unit is None:
        return None
    key = re.sub(r"[\s_/\-]+", "", str(unit)).upper().removeprefix("每")
    if key in _UNITS:  # ANNUAL before the "a"/"per" forms strip its first letter
        return _UNITS[key]
    key = key.removeprefix("A")
    return _UNITS.get(key) or _UNITS.get(f"PER{key}")


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and (m := _NUMERIC.match(value)):
        return float(m.group(1).replace(",", ""))
    return None


def _bounds(value: object) -> tuple[float | None, float | None] | None:
    """Bounds of a plain value (number, numeric string, numeric range string); ``None`` if it is none."""
    if (n := _number(value)) is not None:
        return n, n
    if isinstance(value, str) and (m := _NUMERIC_RANGE.match(value)):
        return float(m.group(1).replace(",", "")), float(m.group(2).replace(",", ""))
    return None


def _describe(low: float | None, high: float | None, currency: str | None, period: SalaryPeriod | None) -> str:
    amount = f"{low:g}" if low == high else f"{'' if low is None else f'{low:g}'}-{'' if high is None else f'{high:g}'}"
    return " ".join(x for x in (currency, amount) if x) + (f"/{period.value}" if period else "")


def parse_base_salary(value: Any) -> tuple[SalaryRange | None, list[str]]:
    """``baseSalary`` (any accepted form) → range and warnings; ``None`` when absent/empty.

    ``SalaryRange.text`` is the published text when there is one, else a compact rendering
    (``CNY 6000-8000/MONTH``); ``currency`` is the stated ISO 4217 code.
    """
    if value is None or value == "" or value == {}:
        return None, []
    if isinstance(value, list):
        value = value[0] if value else None
        if value is None:
            return None, []
    outer_unit = inner_unit = None
    currency: str | None = None
    inner: Any = value
    low = high = None
    if isinstance(value, dict):
        currency = str(value.get("currency") or "").strip().upper() or None
        outer_unit = value.get("unitText")
        inner = value.get("value")
        if inner is None and ("minValue" in value or "maxValue" in value):
            inner = {"minValue": value.get("minValue"), "maxValue": value.get("maxValue")}
        if isinstance(inner, dict):
            inner_unit = inner.get("unitText")
            if "minValue" in inner or "maxValue" in inner:
                low, high = _number(inner.get("minValue")), _number(inner.get("maxValue"))
                if low is None and high is None:
                    inner = inner.get("value")
                else:
                    inner = None
            else:
                inner = inner.get("value")
        if is_a(inner, "MonetaryAmount") or is_a(inner, "QuantitativeValue"):
            return parse_base_salary(inner)
    warnings: list[str] = []
    if inner is not None:
        bounds = _bounds(inner)
        if bounds is None:
            if isinstance(inner, str):  # a salary text (6-9K, 1-1.5万/月): the Chinese parser decides
                unit = inner_unit if inner_unit is not None else outer_unit
                parsed, text_warnings = parse_salary(inner, period_from_unit(unit), currency)
                if unit is not None and period_from_unit(unit) is None:
                    text_warnings.append(f"baseSalary unitText {unit!r} not understood")
                return parsed, text_warnings
            return SalaryRange(text=str(inner)[:100], currency=currency), [f"baseSalary value {inner!r} not understood"]
        low, high = bounds
    if low is None and high is None:
        return SalaryRange(text="", currency=currency), ["baseSalary has no amount"]
    if low is not None and high is not None and low > high:
        warnings.append(f"baseSalary bounds swapped ({low:g} > {high:g}); put in order")
        low, high = high, low
    period = period_from_unit(inner_unit) or period_from_unit(outer_unit)
    unit_given = inner_unit if inner_unit is not None else outer_unit
    if period is None:
        warnings.append(
            "baseSalary has no unitText (HOUR/DAY/WEEK/MONTH/YEAR); period not guessed"
            if unit_given is None
            else f"baseSalary unitText {unit_given!r} not understood"
        )
    elif (why := implausible(low, high, period, currency)) is not None:
        return SalaryRange(text=_describe(low, high, currency, period), currency=currency), [f"baseSalary: {why}"]
    return SalaryRange(
        text=_describe(low, high, currency, period),
        minimum=low,
        maximum=high,
        period=period,
        min_monthly=to_monthly(low, period),
        max_monthly=to_monthly(high, period),
        currency=currency,
    ), warnings
