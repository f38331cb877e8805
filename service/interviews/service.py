"""Interview rules: the posting's employer proposes times on a live application; the applicant
accepts one, declines, or asks for another time; the day before an accepted interview both
sides are reminded once; an accepted interview is offered as an iCalendar (RFC 5545) file.

Every answer is one conditional update (``… WHERE status IN (<the states it may leave>)``), so
of two simultaneous answers exactly one is taken, on SQLite as on PostgreSQL. Services flush;
the caller's transaction commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.applications.models import Application, ApplicationStatus
from service.applications.schemas import StatusChange
from service.applications.service import LIVE_STATUSES, ApplicationService
from service.config import ZONE
from service.db import rowcount, utcnow
from service.employers.models import Employer
from service.errors import ConflictError, InvalidFieldError, NotFoundError
from service.interviews.models import (
    CANCELLABLE_STATUSES,
    OPEN_STATUSES,
    Interview,
    InterviewMode,
    InterviewSlot,
    InterviewStatus,
)
from service.interviews.repository import InterviewRepository
from service.interviews.schemas import InterviewCreate, InterviewRead, SlotRead
from service.notifications.kinds import Kind
from service.notifications.service import employer_recipients, graduate_recipients, notify
from service.postings.models import Posting

#: A proposed time may be at most this far ahead (a typo such as 2062 for 2026 is refused).
MAX_DAYS_AHEAD = 365
#: The reminder goes out when an accepted interview starts within this window ("the day before").
REMINDER_WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class Context:
    """What an interview is about: its application, posting and employer (ids and names)."""

    application_id: int
    graduate_id: int
    posting_id: int
    posting_title: str
    employer_id: int
    employer_name: str


async def context_of(session: AsyncSession, application_id: int) -> Context:
    """The :class:`Context` of ``application_id``. Raises :class:`NotFoundError`."""
    row = (
        await session.execute(
            select(Application.id, Application.graduate_id, Posting.id, Posting.title, Employer.id, Employer.name)
            .join(Posting, Posting.id == Application.posting_id)
            .join(Employer, Employer.id == Posting.employer_id)
            .where(Application.id == application_id)
        )
    ).first()
    if row is None:
        raise NotFoundError("application", application_id)
    return Context(*row)


def to_read(interview: Interview, ctx: Context) -> InterviewRead:
    """Interview (slots loaded) → :class:`InterviewRead`, times in Beijing time."""
    return InterviewRead(
        id=interview.id,
        application_id=interview.application_id,
        posting_id=ctx.posting_id,
        posting_title=ctx.posting_title,
        employer_name=ctx.employer_name,
        status=interview.status,
        mode=interview.mode,
        place=interview.place,
        online_url=interview.online_url,
        note=interview.note,
        answer_message=interview.answer_message,
        answered_at=interview.answered_at.astimezone(ZONE) if interview.answered_at else None,
        slots=[
            SlotRead(
                id=s.id, starts_at=s.starts_at.astimezone(ZONE), ends_at=s.ends_at.astimezone(ZONE), chosen=s.chosen
            )
            for s in interview.slots
        ],
        created_at=interview.created_at,
    )


def chosen_slot(interview: Interview) -> InterviewSlot | None:
    """The accepted time (slots loaded), or None."""
    return next((s for s in interview.slots if s.chosen), None)


def check_online_url(url: str) -> str:
    """``url`` if it is an absolute ``http(s)://`` address with a host (so a link shown on a page or
    in a calendar can never be ``javascript:`` or a relative path). Raises :class:`InvalidFieldError`."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc or any(c.isspace() for c in url):
        raise InvalidFieldError(
            "online_url",
            f"{url[:80]!r} is not an http(s):// address (e.g. https://meeting.tencent.com/dm/…)",
            "online_url_not_http",
        )
    return url


def check_proposal(data: InterviewCreate, now: dt.datetime) -> tuple[str | None, str | None]:
    """``(place, online_url)`` of a valid proposal, stripped.

    Raises:
        InvalidFieldError: (422) naming ``slots[i].starts_at`` for a time without a UTC offset, in the
            past, more than :data:`MAX_DAYS_AHEAD` days ahead or given twice; ``place`` missing for
            ``in_person``; ``online_url`` missing or not http(s) for ``online``.
    """
    seen: set[dt.datetime] = set()
    for i, slot in enumerate(data.slots):
        name = f"slots[{i}].starts_at"
        if slot.starts_at.tzinfo is None or slot.starts_at.utcoffset() is None:
            raise InvalidFieldError(
                name,
                f"{slot.starts_at.isoformat()} has no UTC offset; give it with one, "
                "e.g. 2026-12-10T14:00:00+08:00 for 14:00 Beijing time",
            )
        if slot.starts_at <= now:
            raise InvalidFieldError(name, f"{slot.starts_at.isoformat()} is in the past", "slot_in_past")
        if slot.starts_at > now + dt.timedelta(days=MAX_DAYS_AHEAD):
            raise InvalidFieldError(
                name, f"{slot.starts_at.isoformat()} is more than {MAX_DAYS_AHEAD} days ahead", "slot_too_far_ahead"
            )
        if slot.starts_at in seen:
            raise InvalidFieldError(name, f"{slot.starts_at.isoformat()} is proposed twice", "slot_given_twice")
        seen.add(slot.starts_at)
    place = (data.place or "").strip() or None
    url = (data.online_url or "").strip() or None
    if data.mode == InterviewMode.IN_PERSON and place is None:
        raise InvalidFieldError(
            "place", "an interview in person needs a place (address, building, room)", "place_missing"
        )
    if data.mode == InterviewMode.ONLINE:
        if url is None:
            raise InvalidFieldError("online_url", "an online interview needs the meeting link", "online_url_missing")
        check_online_url(url)
    return place, url


class InterviewService:
    """Propose, answer and read interviews. Flushes; the caller's transaction commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = InterviewRepository(session)

    async def get(self, interview_id: int) -> Interview:
        """With slots. Raises :class:`NotFoundError`."""
        interview = await self.repo.get(interview_id)
        if interview is None:
            raise NotFoundError("interview", interview_id)
        return interview

    async def read(self, interview: Interview) -> InterviewRead:
        return to_read(interview, await context_of(self.session, interview.application_id))

    async def of_application(self, application_id: int) -> list[Interview]:
        """The application's interviews, oldest first."""
        return list(await self.repo.of_applications([application_id]))

    async def latest(self, application_ids: Iterable[int]) -> dict[int, Interview]:
        """``{application id: its newest interview}`` (for the pipeline's interview column)."""
        return {i.application_id: i for i in await self.repo.of_applications(application_ids)}

    async def propose(self, application_id: int, data: InterviewCreate, now: dt.datetime | None = None) -> Interview:
        """Propose times on ``application_id``; an open proposal on it (not yet answered, or asked to
        be moved) becomes ``superseded``; an accepted earlier interview stays (a second round). An
        application still ``applied``/``viewed`` moves to ``interview``. The applicant is told once
        (:attr:`Kind.INTERVIEW_PROPOSED`).

        Raises:
            NotFoundError: unknown application (404).
            ConflictError: the application is no longer live (hired, rejected, withdrawn; 409).
            InvalidFieldError: see :func:`check_proposal` (422).
        """
        now = now or utcnow()
        ctx = await context_of(self.session, application_id)
        await self._ensure_live(application_id)
        place, url = check_proposal(data, now)
        await self.session.execute(
            update(Interview)
            .where(
                Interview.application_id == application_id,
                Interview.status.in_([InterviewStatus.PROPOSED, InterviewStatus.RESCHEDULE_REQUESTED]),
            )
            .values(status=InterviewStatus.SUPERSEDED, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        interview = Interview(
            application_id=application_id,
            status=InterviewStatus.PROPOSED,
            mode=data.mode,
            place=place,
            online_url=url if data.mode == InterviewMode.ONLINE else None,
            note=(data.note or "").strip() or None,
        )
        interview.slots = [
            InterviewSlot(
                starts_at=s.starts_at.astimezone(dt.UTC),
                ends_at=(s.starts_at + dt.timedelta(minutes=s.duration_minutes)).astimezone(dt.UTC),
                chosen=False,
            )
            for s in data.slots
        ]
        self.session.add(interview)
        await self.session.flush()
        await self._mark_interviewing(application_id)
        users = (await graduate_recipients(self.session, [ctx.graduate_id])).get(ctx.graduate_id, [])
        await notify(
            self.session,
            recipients=users,
            kind=Kind.INTERVIEW_PROPOSED,
            link=f"/web/interviews/{interview.id}",
            params={"employer_name": ctx.employer_name, "posting_title": ctx.posting_title},
        )
        return await self.get(interview.id)

    async def _mark_interviewing(self, application_id: int) -> None:
        """An application still ``applied`` or ``viewed`` moves to ``interview`` (邀请面试) in the
        pipeline, through the application rules; the invitation itself tells the graduate."""
        status = (
            await self.session.execute(select(Application.status).where(Application.id == application_id))
        ).scalar_one()
        if status in (ApplicationStatus.APPLIED, ApplicationStatus.VIEWED):
            await ApplicationService(self.session).change_status(
                application_id,
                StatusChange(status=ApplicationStatus.INTERVIEW, note="已发出面试邀请"),
                tell_graduate=False,
            )

    async def _ensure_live(self, application_id: int) -> None:
        """409 unless the application is still live (not hired, rejected or withdrawn)."""
        status = (
            await self.session.execute(select(Application.status).where(Application.id == application_id))
        ).scalar_one()
        if status not in LIVE_STATUSES:
            raise ConflictError(
                f"application_id: application {application_id} is {status.value}; interviews "
                "belong to live applications only",
                [{"field": "application_id", "message": f"application is {status.value}"}],
            )

    async def _answer(
        self,
        interview: Interview,
        allowed_from: tuple[InterviewStatus, ...],
        to: InterviewStatus,
        message: str | None,
        now: dt.datetime,
    ) -> None:
        moved = await self.session.execute(
            update(Interview)
            .where(Interview.id == interview.id, Interview.status.in_(allowed_from))
            .values(status=to, answer_message=message, answered_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if rowcount(moved) != 1:
            await self._refuse(interview.id, to)
        ctx = await context_of(self.session, interview.application_id)
        answer = {
            InterviewStatus.ACCEPTED: "accepted",
            InterviewStatus.DECLINED: "declined",
            InterviewStatus.RESCHEDULE_REQUESTED: "reschedule",
        }[to]
        await notify(
            self.session,
            recipients=await employer_recipients(self.session, ctx.employer_id),
            kind=Kind.INTERVIEW_ANSWERED,
            link=f"/web/interviews/{interview.id}",
            params={"posting_title": ctx.posting_title, "answer": answer},
        )

    async def accept(self, interview_id: int, slot_id: int, now: dt.datetime | None = None) -> Interview:
        """Accept the proposed time ``slot_id`` (only while ``proposed``); the employer is told.

        Raises:
            NotFoundError: unknown interview (404).
            InvalidFieldError: ``slot_id`` is not one of this interview's times, or it has passed (422).
            ConflictError: the interview is not waiting for an answer, or the application is no
                longer live (409).
        """
        now = now or utcnow()
        interview = await self.get(interview_id)
        slot = next((s for s in interview.slots if s.id == slot_id), None)
        if slot is None:
            raise InvalidFieldError("slot_id", f"{slot_id} is not one of the times of interview {interview_id}")
        if slot.starts_at <= now:
            raise InvalidFieldError("slot_id", "that time has already passed; ask for another time", "slot_passed")
        await self._ensure_live(interview.application_id)
        await self._answer(interview, (InterviewStatus.PROPOSED,), InterviewStatus.ACCEPTED, None, now)
        await self.session.execute(
            update(InterviewSlot)
            .where(InterviewSlot.id == slot_id)
            .values(chosen=True)
            .execution_options(synchronize_session=False)
        )
        return await self.get(interview_id)

    async def decline(self, interview_id: int, message: str | None, now: dt.datetime | None = None) -> Interview:
        """Decline (while proposed, accepted or asked to be moved); the employer is told. Raises
        :class:`NotFoundError` (404) or :class:`ConflictError` (409: already declined or superseded)."""
        interview = await self.get(interview_id)
        await self._answer(
            interview, OPEN_STATUSES, InterviewStatus.DECLINED, (message or "").strip() or None, now or utcnow()
        )
        await self._unchoose(interview_id)
        return await self.get(interview_id)

    async def request_reschedule(self, interview_id: int, message: str, now: dt.datetime | None = None) -> Interview:
        """Ask for another time with ``message`` (while proposed or accepted); the employer is told
        and proposes again. Raises :class:`NotFoundError` (404), :class:`InvalidFieldError` (422: empty
        message) or :class:`ConflictError` (409)."""
        message = (message or "").strip()
        if not message:
            raise InvalidFieldError("message", "say which days or times would suit you", "reschedule_reason_missing")
        interview = await self.get(interview_id)
        await self._ensure_live(interview.application_id)
        await self._answer(
            interview,
            (InterviewStatus.PROPOSED, InterviewStatus.ACCEPTED),
            InterviewStatus.RESCHEDULE_REQUESTED,
            message,
            now or utcnow(),
        )
        await self._unchoose(interview_id)
        return await self.get(interview_id)

    async def cancel(self, interview_id: int, reason: str | None, now: dt.datetime | None = None) -> Interview:
        """The employer cancels a proposed or accepted interview (:data:`CANCELLABLE_STATUSES`) with an
        optional ``reason``. An accepted time stays chosen, so the calendar file can say the event is
        cancelled (:mod:`service.interviews.calendar`); the reminder job only reminds accepted
        interviews, so none is sent. The graduate is told (:attr:`Kind.INTERVIEW_CANCELLED`: the
        accepted time, if any, and the reason).

        Raises:
            NotFoundError: unknown interview (404).
            ConflictError: the interview is declined, asked to be moved, superseded or already
                cancelled (409).
        """
        now = now or utcnow()
        interview = await self.get(interview_id)
        reason = (reason or "").strip() or None
        moved = await self.session.execute(
            update(Interview)
            .where(Interview.id == interview_id, Interview.status.in_(CANCELLABLE_STATUSES))
            .values(status=InterviewStatus.CANCELLED, answer_message=reason, answered_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if rowcount(moved) != 1:
            await self._refuse(interview_id, InterviewStatus.CANCELLED)
        ctx = await context_of(self.session, interview.application_id)
        slot = chosen_slot(interview) if interview.status == InterviewStatus.ACCEPTED else None
        users = (await graduate_recipients(self.session, [ctx.graduate_id])).get(ctx.graduate_id, [])
        await notify(
            self.session,
            recipients=users,
            kind=Kind.INTERVIEW_CANCELLED,
            link=f"/web/interviews/{interview_id}",
            params={
                "posting_title": ctx.posting_title,
                "employer_name": ctx.employer_name,
                "reason": reason,
                "starts_at": slot.starts_at.astimezone(ZONE).isoformat() if slot else None,
            },
        )
        return await self.get(interview_id)

    async def _refuse(self, interview_id: int, to: InterviewStatus) -> None:
        """Raise the 409 of a change of status the interview's current status does not allow."""
        current = (
            await self.session.execute(select(Interview.status).where(Interview.id == interview_id))
        ).scalar_one()
        raise ConflictError(
            f"status: interview {interview_id} is {current.value}; it cannot become {to.value}",
            [{"field": "status", "message": f"{current.value} → {to.value} is not allowed"}],
        )

    async def _unchoose(self, interview_id: int) -> None:
        await self.session.execute(
            update(InterviewSlot)
            .where(InterviewSlot.interview_id == interview_id)
            .values(chosen=False)
            .execution_options(synchronize_session=False)
        )


async def send_reminders(session: AsyncSession, now: dt.datetime | None = None) -> int:
    """Remind both sides (:attr:`Kind.INTERVIEW_REMINDER`) of every accepted interview of a live
    application starting within :data:`REMINDER_WINDOW` after ``now`` that has not been reminded. Each interview is
    claimed by a conditional update (``reminded_at IS NULL``), so however often this runs, and in
    however many processes at once, each interview is reminded once. Returns how many were reminded."""
    now = now or utcnow()
    rows = (
        await session.execute(
            select(
                Interview.id,
                Interview.application_id,
                InterviewSlot.starts_at,
                Interview.mode,
                Interview.place,
                Interview.online_url,
            )
            .join(InterviewSlot, InterviewSlot.interview_id == Interview.id)
            .join(Application, Application.id == Interview.application_id)
            .where(
                Interview.status == InterviewStatus.ACCEPTED,
                Interview.reminded_at.is_(None),
                Application.status.in_(LIVE_STATUSES),
                InterviewSlot.chosen.is_(True),
                InterviewSlot.starts_at > now,
                InterviewSlot.starts_at <= now + REMINDER_WINDOW,
            )
            .order_by(InterviewSlot.starts_at)
        )
    ).all()
    reminded = 0
    for interview_id, application_id, starts_at, mode, place, url in rows:
        claimed = await session.execute(
            update(Interview)
            .where(
                Interview.id == interview_id,
                Interview.reminded_at.is_(None),
                Interview.status == InterviewStatus.ACCEPTED,
            )
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        if rowcount(claimed) != 1:
            continue
        ctx = await context_of(session, application_id)
        users = (await graduate_recipients(session, [ctx.graduate_id])).get(ctx.graduate_id, [])
        users += await employer_recipients(session, ctx.employer_id)
        where = url if mode == InterviewMode.ONLINE else place
        await notify(
            session,
            recipients=users,
            kind=Kind.INTERVIEW_REMINDER,
            link=f"/web/interviews/{interview_id}",
            params={
                "posting_title": ctx.posting_title,
                "employer_name": ctx.employer_name,
                "starts_at": starts_at.astimezone(ZONE).isoformat(),
                "place": where,
            },
        )
        reminded += 1
    return reminded
