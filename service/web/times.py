"""Times on the pages: every stored instant (UTC, :class:`service.db.UtcDateTime`) is shown in the
readers' zone, Beijing time (:data:`service.config.ZONE`, Asia/Shanghai — the
service's users are in mainland China), inside a ``<time>`` element whose ``datetime`` attribute is
the instant in UTC (HTML Living Standard §4.5.14, "a valid global date and time string").

Templates use the one filter ``local``::

    {{ msg.created_at|local }}          → <time datetime="2026-12-01T06:30:00Z">2026-12-01 14:30</time>
    {{ a.created_at|local("date") }}    → <time datetime="2026-12-01T06:30:00Z">2026-12-01</time>
    {{ slot.ends_at|local("time") }}    → <time datetime="…Z">15:00</time>
"""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup, escape

from service.config import ZONE

FORMATS = {"minute": "%Y-%m-%d %H:%M", "date": "%Y-%m-%d", "time": "%H:%M"}


def utc_iso(moment: dt.datetime) -> str:
    """``moment`` (aware) as a UTC ISO 8601 string ending in ``Z``, to the second."""
    return moment.astimezone(dt.UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def local_text(moment: dt.datetime, style: str = "minute") -> str:
    """``moment`` in Beijing time as text (:data:`FORMATS`); a naive value is taken as UTC (as stored)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZONE).strftime(FORMATS[style])


def local(moment: dt.datetime | None, style: str = "minute") -> Markup | str:
    """The Jinja filter: ``<time datetime="UTC">Beijing time</time>``; empty for ``None``.

    Raises:
        KeyError: ``style`` is not one of :data:`FORMATS` (a template error).
    """
    if moment is None:
        return ""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return Markup('<time datetime="{}">{}</time>').format(utc_iso(aware), escape(local_text(aware, style)))
