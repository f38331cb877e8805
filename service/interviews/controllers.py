"""HTTP endpoints for interviews.

``POST /applications/{id}/interviews`` (the posting's employer proposes times and a place or link),
``GET /applications/{id}/interviews``, ``GET /interviews/{id}``, ``POST /interviews/{id}/accept``,
``/decline`` and ``/reschedule`` (the applicant answers), ``POST /interviews/{id}/cancel`` (the
employer calls a proposed or accepted interview off), ``GET /interviews/{id}/calendar.ics`` (an
accepted interview as an iCalendar file; once cancelled, the file that cancels it). Who may read and act: :mod:`service.interviews.access`;
an interview the caller may not read is a 404. Times are ISO 8601 with offsets, answered in
Beijing time (``+08:00``).
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody

from service.accounts.models import Role
from service.auth.guards import current_principal, require_roles, require_signed_in
from service.db import utcnow
from service.errors import ConflictError
from service.interviews.access import (
    ensure_answer,
    ensure_cancel,
    ensure_propose,
    visible_application,
    visible_interview,
)
from service.interviews.calendar import MEDIA_TYPE, filename, interview_ics
from service.interviews.models import InterviewStatus
from service.interviews.schemas import (
    InterviewAccept,
    InterviewCancel,
    InterviewCreate,
    InterviewDecline,
    InterviewRead,
    InterviewReschedule,
)
from service.interviews.service import InterviewService, chosen_slot, to_read
from service.pagination import DbSession, IdPath

GRADUATE_ONLY = [require_roles(Role.GRADUATE)]


async def ics_response(db_session: DbSession, interview_id: int, request: Request) -> Response[bytes]:
    """The ``.ics`` download of a visible interview: accepted, or cancelled after it was accepted
    (then the file cancels the event); 409 otherwise (no time was ever agreed)."""
    interview, ctx = await visible_interview(db_session, current_principal(request), interview_id)
    slot = chosen_slot(interview)
    if interview.status not in (InterviewStatus.ACCEPTED, InterviewStatus.CANCELLED) or slot is None:
        raise ConflictError(
            f"status: interview {interview_id} is {interview.status.value}; only an accepted "
            "(or accepted, then cancelled) interview has a calendar file",
            [{"field": "status", "message": f"interview is {interview.status.value}"}],
        )
    body = interview_ics(interview, slot, ctx, utcnow(), host=request.url.hostname or "vocmatch")
    return Response(
        content=body,
        media_type=MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename(interview)}"'},
    )


class InterviewController(Controller):
    path = "/"
    tags = ["interviews"]

    @post(
        "/applications/{application_id:int}/interviews",
        summary="Propose interview times",
        guards=[require_roles(Role.EMPLOYER, Role.ADMIN)],
    )
    async def propose(
        self, request: Request, db_session: DbSession, application_id: IdPath, data: JSONBody[InterviewCreate]
    ) -> InterviewRead:
        """201 with the interview (status ``proposed``); an open proposal on the application is
        superseded and the applicant is notified. Errors: 404 application unknown or not the caller's
        to read; 403 not the posting's employer; 409 application hired/rejected/withdrawn; 422 a
        time without offset, in the past or more than a year ahead, or a missing place/link (the
        field is named, e.g. ``slots[0].starts_at``)."""
        p = current_principal(request)
        ensure_propose(p, await visible_application(db_session, p, application_id))
        service = InterviewService(db_session)
        return await service.read(await service.propose(application_id, data))

    @get(
        "/applications/{application_id:int}/interviews",
        summary="An application's interviews",
        guards=[require_signed_in],
    )
    async def of_application(
        self, request: Request, db_session: DbSession, application_id: IdPath
    ) -> list[InterviewRead]:
        """Every interview of the application, oldest first; 404 if the caller may not read it."""
        ctx = await visible_application(db_session, current_principal(request), application_id)
        return [to_read(i, ctx) for i in await InterviewService(db_session).of_application(application_id)]

    @get("/interviews/{interview_id:int}", summary="Read an interview", guards=[require_signed_in])
    async def get_interview(self, request: Request, db_session: DbSession, interview_id: IdPath) -> InterviewRead:
        """The interview with its times (Beijing time); 404 if the caller may not read its application."""
        interview, ctx = await visible_interview(db_session, current_principal(request), interview_id)
        return to_read(interview, ctx)

    @post(
        "/interviews/{interview_id:int}/accept",
        summary="Accept one proposed time",
        status_code=200,
        guards=GRADUATE_ONLY,
    )
    async def accept(
        self, request: Request, db_session: DbSession, interview_id: IdPath, data: JSONBody[InterviewAccept]
    ) -> InterviewRead:
        """The applicant accepts ``slot_id``; the employer is notified. 404 not visible; 403 not the
        applicant; 409 not waiting for an answer; 422 a time of another interview or one passed."""
        p = current_principal(request)
        _, ctx = await visible_interview(db_session, p, interview_id)
        ensure_answer(p, ctx)
        return to_read(await InterviewService(db_session).accept(interview_id, data.slot_id), ctx)

    @post(
        "/interviews/{interview_id:int}/decline", summary="Decline an interview", status_code=200, guards=GRADUATE_ONLY
    )
    async def decline(
        self, request: Request, db_session: DbSession, interview_id: IdPath, data: JSONBody[InterviewDecline]
    ) -> InterviewRead:
        """The applicant declines (also after accepting); the employer is notified. 404/403/409 as accept."""
        p = current_principal(request)
        _, ctx = await visible_interview(db_session, p, interview_id)
        ensure_answer(p, ctx)
        return to_read(await InterviewService(db_session).decline(interview_id, data.message), ctx)

    @post(
        "/interviews/{interview_id:int}/reschedule",
        summary="Ask for another time",
        status_code=200,
        guards=GRADUATE_ONLY,
    )
    async def reschedule(
        self, request: Request, db_session: DbSession, interview_id: IdPath, data: JSONBody[InterviewReschedule]
    ) -> InterviewRead:
        """The applicant asks for another time with a message; the employer is notified and
        proposes again. 404/403/409 as accept; 422 empty message."""
        p = current_principal(request)
        _, ctx = await visible_interview(db_session, p, interview_id)
        ensure_answer(p, ctx)
        return to_read(await InterviewService(db_session).request_reschedule(interview_id, data.message), ctx)

    @post(
        "/interviews/{interview_id:int}/cancel",
        summary="Cancel an interview",
        status_code=200,
        guards=[require_roles(Role.EMPLOYER, Role.ADMIN)],
    )
    async def cancel(
        self, request: Request, db_session: DbSession, interview_id: IdPath, data: JSONBody[InterviewCancel]
    ) -> InterviewRead:
        """The posting's employer cancels a proposed or accepted interview, optionally with a
        ``reason``; the applicant is notified, no reminder is sent, and the calendar file of an
        accepted one now cancels the event. 404 not visible; 403 not the posting's employer; 409
        already declined, asked to be moved, superseded or cancelled."""
        p = current_principal(request)
        _, ctx = await visible_interview(db_session, p, interview_id)
        ensure_cancel(p, ctx)
        return to_read(await InterviewService(db_session).cancel(interview_id, data.reason), ctx)

    @get(
        "/interviews/{interview_id:int}/calendar.ics",
        summary="Calendar file of an accepted interview",
        guards=[require_signed_in],
        media_type=MEDIA_TYPE,
    )
    async def calendar(self, request: Request, db_session: DbSession, interview_id: IdPath) -> Response[bytes]:
        """``text/calendar`` (RFC 5545) with one event at the accepted time (``STATUS:CANCELLED`` once
        the employer cancelled it); 409 if no time was accepted."""
        return await ics_response(db_session, interview_id, request)
