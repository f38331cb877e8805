"""The iCalendar file (``.ics``, RFC 5545) of an accepted interview, made with the ``icalendar``
library (which folds long lines and escapes ``,``, ``;``, ``\\`` and newlines in TEXT values,
RFC 5545 §3.3.11).

One ``VEVENT`` per file: ``UID`` stable per interview and accepted time (RFC 5545 §3.8.4.7: a
rescheduled interview is a new event), ``DTSTAMP``, ``DTSTART``/``DTEND`` in Asia/Shanghai with
its ``VTIMEZONE`` (§3.6.5), ``SUMMARY``, ``LOCATION`` (the place, or "online"), ``URL`` (§3.8.4.6,
the meeting link of an online interview) and ``DESCRIPTION`` (the employer's note).

A **cancelled** interview that had been accepted gives the same event (same ``UID``) with
``STATUS:CANCELLED`` (§3.8.1.11) and ``SEQUENCE:1`` (§3.8.7.4: a revision changing the status is
numbered above the accepted event's ``SEQUENCE:0``), so a calendar that imported the accepted file
updates that event to cancelled instead of adding a second one. The object stays ``METHOD:PUBLISH``:
``METHOD:CANCEL`` is an iTIP scheduling message (RFC 5546 §3.2.5) that requires ``ORGANIZER`` and
``ATTENDEE`` e-mail addresses this file does not carry, while ``PUBLISH`` allows ``STATUS:CANCELLED``
(RFC 5546 §3.2.1).
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event

from service.config import ZONE
from service.interviews.models import Interview, InterviewMode, InterviewSlot, InterviewStatus
from service.interviews.service import Context

#: ``PRODID`` (RFC 5545 §3.7.3) of the files this service makes.
PRODID = "-//vocmatch//interviews//ZH"
#: Litestar adds ``; charset=utf-8`` to text types.
MEDIA_TYPE = "text/calendar"


def uid(interview: Interview, slot: InterviewSlot, host: str = "vocmatch") -> str:
    """Globally unique, stable identifier of the event (RFC 5545 §3.8.4.7 recommends ``…@domain``)."""
    return f"interview-{interview.id}-{slot.id}@{host}"


def interview_ics(
    interview: Interview, slot: InterviewSlot, ctx: Context, now: dt.datetime, host: str = "vocmatch"
) -> bytes:
    """The ``.ics`` bytes (UTF-8, CRLF line ends) of ``interview`` at its accepted ``slot``: confirmed,
    or cancelled (same ``UID``, higher ``SEQUENCE``) once the employer cancelled it."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid(interview, slot, host))
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", slot.starts_at.astimezone(ZONE))
    event.add("dtend", slot.ends_at.astimezone(ZONE))
    event.add("summary", f"面试 Interview: {ctx.posting_title} ({ctx.employer_name})")
    if interview.mode == InterviewMode.ONLINE and interview.online_url:
        event.add("location", "线上面试 Online")
        event.add("url", interview.online_url)
    elif interview.place:
        event.add("location", interview.place)
    if interview.note:
        event.add("description", interview.note)
    cancelled = interview.status == InterviewStatus.CANCELLED
    event.add("sequence", 1 if cancelled else 0)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def filename(interview: Interview) -> str:
    return f"interview-{interview.id}.ics"
