"""``datePosted`` / ``validThrough`` values → dates and closing instants.

Accepted: an ISO 8601 date (``2026-03-01``), an ISO datetime with an offset or ``Z``
(``2026-03-01T18:00:00+08:00``) or without one (read in the service's time zone), and non-ISO
strings in Chinese or English (``2026年3月1日``, ``2026/3/1``, ``March 1, 2026``, ``01 Mar 2026``),
parsed with :mod:`dateparser` (year-month-day order preferred for numeric forms). A number is
read as a Unix timestamp in seconds (or milliseconds when larger than 10¹¹).

Expiry (issue 4): a date-only ``validThrough`` lasts to the end of that local day, so the
posting closes at 00:00 of the next day in the time zone (Asia/Shanghai by default).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from vocab import TIMEZONE

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}|[0-9]T[0-9]|\d\s*[时點点]")


class DateError(ValueError):
    """A value that is not a date in any accepted form."""


def parse_when(value: object, timezone: str = TIMEZONE) -> dt.date | dt.datetime:
    """A date (no time given) or an aware datetime (time given; naive ones get ``timezone``).

    Raises:
        DateError: empty, or not a date in any accepted form (the message quotes the value).
    """
    tz = ZoneInfo(timezone)
    if isinstance(value, bool) or value is None:
        raise DateError(f"{value!r} is not a date")
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 1e11 else value
        return dt.datetime.fromtimestamp(seconds, tz)
    text = str(value).strip()
    if not text:
        raise DateError("empty date")
    if _ISO_DATE.match(text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError as exc:
            raise DateError(f"{text!r} is not a date: {exc}") from None
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        parsed = _parse_loose(text)
    if not _HAS_TIME.search(text) and parsed.time() == dt.time(0) and parsed.tzinfo is None:
        return parsed.date()
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def _parse_loose(text: str) -> dt.datetime:
    import dateparser  # slow to import (language data): only when a page needs it

    parsed = dateparser.parse(
        text,
        languages=["zh", "en"],
        settings={
            "DATE_ORDER": "YMD",
            "PREFER_DAY_OF_MONTH": "first",
            "PARSERS": ["custom-formats", "absolute-time"],
            "REQUIRE_PARTS": ["day", "month", "year"],
        },
    )
    if parsed is None:
        raise DateError(f"{text!r} is not a date (ISO 8601, 2026年3月1日, 2026/3/1 or March 1, 2026)")
    return parsed


def local_date(value: dt.date | dt.datetime, timezone: str = TIMEZONE) -> dt.date:
    """The calendar date of ``value`` in ``timezone`` (a date is returned as is)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(ZoneInfo(timezone)).date()
    return value


def closing_instant(value: dt.date | dt.datetime, timezone: str = TIMEZONE) -> dt.datetime:
    """When a posting valid through ``value`` closes: a datetime as given, a date at the end of
    that local day (00:00 of the next day in ``timezone``)."""
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime.combine(value + dt.timedelta(days=1), dt.time(0), tzinfo=ZoneInfo(timezone))
