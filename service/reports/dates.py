"""Report dates given as month-day (``MM-DD``): term ends, 初次 and 年终 statistics dates (pure code).

Used by the settings ``VOCMATCH_REPORT_TERM_ENDS``, ``VOCMATCH_REPORT_INITIAL_DATE`` and
``VOCMATCH_REPORT_YEAR_END_DATE`` (:class:`service.config.Settings`) and by the scheduled
snapshot jobs (:mod:`service.reports.scheduled`).
"""

from __future__ import annotations

import datetime as dt
import re

MonthDay = tuple[int, int]
_MONTH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})$")


def parse_month_days(text: str, variable: str, *, single: bool = False) -> tuple[MonthDay, ...]:
    """``"01-31,07-31"`` → ``((1, 31), (7, 31))``: sorted, without repeats.

    ``variable`` names the setting in error messages; ``single`` requires exactly one date.

    Raises:
        ValueError: empty, not ``MM-DD``, not a day of every year (``02-29`` is refused: not
            every year has it), or several dates where one is expected. The message names
            ``variable`` and the offending text.
    """
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise ValueError(f"{variable} is empty; give month-day dates as MM-DD, e.g. 01-31,07-31")
    if single and len(parts) > 1:
        raise ValueError(f"{variable}={text!r}: give one date as MM-DD, not {len(parts)}")
    out: set[MonthDay] = set()
    for part in parts:
        m = _MONTH_DAY.match(part)
        if m is None:
            raise ValueError(f"{variable}={text!r}: {part!r} is not a month-day date MM-DD (e.g. 07-31)")
        month, day = int(m.group(1)), int(m.group(2))
        try:
            dt.date(2001, month, day)  # a common year: 02-29 is not a date every year
        except ValueError:
            raise ValueError(f"{variable}={text!r}: {part!r} is not a day that every year has") from None
        out.add((month, day))
    return tuple(sorted(out))


def latest_before(today: dt.date, month_days: tuple[MonthDay, ...]) -> dt.date:
    """The latest date strictly before ``today`` whose month-day is one of ``month_days``
    (the statistics date a job running on ``today`` reports on)."""
    candidates = [dt.date(year, m, d) for year in (today.year, today.year - 1) for m, d in month_days]
    return max(c for c in candidates if c < today)


def day_after(month_day: MonthDay) -> MonthDay:
    """Month-day of the day after ``month_day`` (in a common year; 12-31 → 01-01)."""
    nxt = dt.date(2001, *month_day) + dt.timedelta(days=1)
    return nxt.month, nxt.day
