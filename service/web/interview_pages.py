"""Interview and hire pages, calling the same service methods as the API:

* the employer proposes interview times (Beijing time) and a place or an online link
  (:meth:`InterviewService.propose`), and marks an application hired with the start date, the agreed
  monthly pay, the contract type and social insurance (:meth:`ApplicationService.change_status`);
* both sides read an interview; the graduate accepts a time, declines, or asks for another time
  (:meth:`InterviewService.accept` / ``decline`` / ``request_reschedule``); the employer cancels a
  proposed or accepted one with an optional reason (:meth:`InterviewService.cancel`); an accepted
  interview downloads as an ``.ics`` file (once cancelled, the file that cancels the event).

Who may do what is :mod:`service.interviews.access` (as the API); another employer's or graduate's
interview is the 404 page.
"""

from __future__ import annotations

import datetime as dt
import gettext
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from service.accounts.models import Role
from service.applications.models import ALLOWED_TRANSITIONS, Application, ApplicationStatus
from service.applications.schemas import StatusChange
from service.applications.service import LIVE_STATUSES, ApplicationService
from service.auth.guards import can_change_application, ensure_allowed, require_roles, require_signed_in
from service.config import ZONE, latest_today
from service.destinations.models import DestinationCategory
from service.destinations.service import HIRE_CATEGORIES, INTERNSHIP_TYPES
from service.errors import ConflictError, InvalidFieldError
from service.interviews.access import (
    can_answer,
    can_propose,
    ensure_answer,
    ensure_cancel,
    ensure_propose,
    visible_application,
    visible_interview,
)
from service.interviews.controllers import ics_response
from service.interviews.models import CANCELLABLE_STATUSES, Interview, InterviewMode, InterviewStatus
from service.interviews.schemas import MAX_SLOTS, InterviewCreate
from service.interviews.service import Context, InterviewService, chosen_slot
from service.pagination import DbSession, IdPath
from service.web.common import (
    N_,
    PageDep,
    coded_message,
    convert_form,
    domain_messages,
    render,
    see_other,
)

EMPLOYER_ONLY = [require_roles(Role.EMPLOYER)]
#: Interview lengths offered on the form (minutes).
DURATIONS = (30, 45, 60, 90, 120)
#: Contract types offered on the hire form, in the order an employer thinks of them.
CONTRACT_TYPES = (
    DestinationCategory.LABOUR_CONTRACT,
    DestinationCategory.EMPLOYMENT_AGREEMENT,
    DestinationCategory.OTHER_EMPLOYMENT,
)
assert set(CONTRACT_TYPES) == HIRE_CATEGORIES
#: The social insurance answers (社会保险) and what the API takes for each.
INSURANCE = {"yes": True, "no": False, "unknown": None}


def interview_view(interview: Interview | None) -> dict[str, Any] | None:
    """What the pipeline and the applications pages show of an application's latest interview."""
    if interview is None:
        return None
    slot = chosen_slot(interview)
    return {
        "id": interview.id,
        "status": interview.status.value,
        "time": slot.starts_at if slot else None,
    }  # shown by the ``local`` filter


async def latest_interviews(db_session: DbSession, application_ids: list[int]) -> dict[int, dict[str, Any] | None]:
    """``{application id: interview_view(its newest interview)}`` for a page's rows."""
    latest = await InterviewService(db_session).latest(application_ids)
    return {a: interview_view(latest.get(a)) for a in application_ids}


#: The page's text for each stable code of an interview or hire error (:class:`~service.errors.DomainError`).
MESSAGES_BY_CODE = {
    "slot_in_past": N_("This time has already passed"),
    "slot_too_far_ahead": N_("This time is more than a year ahead"),
    "slot_given_twice": N_("This time is given twice"),
    "place_missing": N_("Enter where the interview takes place"),
    "online_url_missing": N_("Enter the meeting link"),
    "online_url_not_http": N_("Enter a link starting with https://"),
    "start_before_graduation": N_("This date is long before the graduate's graduation"),
    "start_in_future": N_("The first working day has not come yet: mark the hire on that day or later"),
    "salary_out_of_range": N_("This amount is outside the accepted range"),
    "reschedule_reason_missing": N_("Say which days or times would suit you"),
    "slot_passed": N_("That time has already passed; ask for another time"),
    "choose_slot": N_("Choose one of the times"),
}


def _message(tr: gettext.GNUTranslations, message: str, code: str | None = None) -> str:
    """A message about an interview or hire field in the page's language: by the service error's
    ``code`` (:data:`MESSAGES_BY_CODE`, then the shared codes), else as any form field's."""
    return coded_message(tr, message, code, MESSAGES_BY_CODE)


def _domain_messages(tr: gettext.GNUTranslations, exc: InvalidFieldError | ConflictError) -> dict[str, str]:
    """``{form field: message}`` of a service error, each translated by its code."""
    return domain_messages(tr, exc, MESSAGES_BY_CODE)


def _parse_local(value: str) -> dt.datetime | None:
    """A ``datetime-local`` box (``2026-12-10T14:00``) as Beijing time; None when not a date-time."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=ZONE) if moment.tzinfo is None else moment


class InterviewPages(Controller):
    path = "/web"

    # --- propose (employer) ----------------------------------------------------------------

    async def _live_application(
        self, page: PageDep, db_session: DbSession, application_id: int
    ) -> tuple[Application, Context]:
        ctx = await visible_application(db_session, page.user, application_id)
        ensure_propose(page.user, ctx)
        return await ApplicationService(db_session).get(application_id), ctx

    def _propose_page(
        self,
        page: PageDep,
        application: Application,
        ctx: Context,
        values: dict[str, Any],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        return render(
            page,
            "interviews/propose.html",
            status_code=status_code,
            application=application,
            ctx=ctx,
            values=values,
            errors=errors,
            durations=DURATIONS,
            slot_names=[f"slot_{i}" for i in range(1, MAX_SLOTS + 1)],
        )

    @get("/applications/{application_id:int}/interviews/new", guards=EMPLOYER_ONLY)
    async def new_interview(self, page: PageDep, db_session: DbSession, application_id: IdPath) -> Template:
        """The proposal form: up to five times (Beijing time), length, in person at a place or online
        with a link, a note."""
        application, ctx = await self._live_application(page, db_session, application_id)
        values = {
            "mode": InterviewMode.IN_PERSON.value,
            "duration": "30",
            "place": "",
            "online_url": "",
            "note": "",
            **{f"slot_{i}": "" for i in range(1, MAX_SLOTS + 1)},
        }
        return self._propose_page(page, application, ctx, values, {})

    @post("/applications/{application_id:int}/interviews/new", guards=EMPLOYER_ONLY, status_code=303)
    async def propose(
        self, request: Request[Any, Any, Any], page: PageDep, db_session: DbSession, application_id: IdPath
    ) -> Response[Any] | Template:
        """Propose through :meth:`InterviewService.propose`: 303 to the interview, or 422 with each error
        next to its box (nothing stored, nobody told)."""
        application, ctx = await self._live_application(page, db_session, application_id)
        form = await request.form()
        names = ("mode", "duration", "place", "online_url", "note", *(f"slot_{i}" for i in range(1, MAX_SLOTS + 1)))
        values = {n: (form.get(n) or "").strip() for n in names}
        errors: dict[str, str] = {}
        filled: list[str] = []
        slots = []
        for i in range(1, MAX_SLOTS + 1):
            name = f"slot_{i}"
            if not values[name]:
                continue
            moment = _parse_local(values[name])
            if moment is None:
                errors[name] = page.gettext("Enter a date and a time")
                continue
            filled.append(name)
            slots.append({"starts_at": moment.isoformat(), "duration_minutes": values["duration"] or "30"})
        if not slots and not errors:
            errors["slot_1"] = page.gettext("Give at least one time")
        data = {
            "slots": slots or [{"starts_at": dt.datetime.now(dt.UTC).isoformat()}],
            "mode": values["mode"] or "in_person",
            "place": values["place"] or None,
            "online_url": values["online_url"] or None,
            "note": values["note"] or None,
        }
        created, form_errors = convert_form(data, InterviewCreate)
        errors.update({("duration" if k == "slots" else k): _message(page.tr, v) for k, v in form_errors.items()})
        if created is not None and not errors:
            try:
                interview = await InterviewService(db_session).propose(application_id, created)
            except (InvalidFieldError, ConflictError) as exc:
                for field, message in _domain_messages(page.tr, exc).items():
                    errors[_form_field(exc, field, filled)] = message
            else:
                return see_other(f"/web/interviews/{interview.id}", page)
        return self._propose_page(page, application, ctx, values, errors, status_code=422)

    # --- read and answer (both sides) ------------------------------------------------------------

    async def _detail(
        self,
        page: PageDep,
        db_session: DbSession,
        interview_id: int,
        errors: dict[str, str],
        values: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        interview, ctx = await visible_interview(db_session, page.user, interview_id)
        status = (await ApplicationService(db_session).get(ctx.application_id)).status
        slot = chosen_slot(interview)
        return render(
            page,
            "interviews/detail.html",
            status_code=status_code,
            interview=interview,
            ctx=ctx,
            slots=[{"id": s.id, "start": s.starts_at, "end": s.ends_at, "chosen": s.chosen} for s in interview.slots],
            chosen=slot.starts_at if slot else None,
            may_answer=can_answer(page.user, ctx)
            and interview.status in (InterviewStatus.PROPOSED, InterviewStatus.ACCEPTED),
            may_propose=can_propose(page.user, ctx) and status in LIVE_STATUSES,
            may_cancel=can_propose(page.user, ctx) and interview.status in CANCELLABLE_STATUSES,
            has_calendar=slot is not None and interview.status in (InterviewStatus.ACCEPTED, InterviewStatus.CANCELLED),
            errors=errors,
            values=values,
            saved=page.request.query_params.get("saved"),
        )

    @get("/interviews/{interview_id:int}", guards=[require_signed_in])
    async def interview(self, page: PageDep, db_session: DbSession, interview_id: IdPath) -> Template:
        """One interview: the times in Beijing time, the place or link, the note, the answer; the
        applicant's answer forms; the calendar file once accepted."""
        return await self._detail(page, db_session, interview_id, {}, {})

    @post("/interviews/{interview_id:int}/answer", guards=[require_roles(Role.GRADUATE)], status_code=303)
    async def answer(
        self, request: Request[Any, Any, Any], page: PageDep, db_session: DbSession, interview_id: IdPath
    ) -> Response[Any] | Template:
        """The applicant's answer (``action`` accept with ``slot_id``, decline, or reschedule with a
        ``message``): 303 back to the interview, or 422 with the error next to its box."""
        _, ctx = await visible_interview(db_session, page.user, interview_id)
        ensure_answer(page.user, ctx)
        form = await request.form()
        action, message = (form.get("action") or "").strip(), (form.get("message") or "").strip()
        service = InterviewService(db_session)
        errors: dict[str, str] = {}
        try:
            if action == "accept":
                slot = (form.get("slot_id") or "").strip()
                if not slot.isdigit():
                    raise InvalidFieldError("slot_id", "choose one of the times", "choose_slot")
                await service.accept(interview_id, int(slot))
            elif action == "decline":
                await service.decline(interview_id, message[:1000])
            elif action == "reschedule":
                await service.request_reschedule(interview_id, message[:1000])
            else:
                raise InvalidFieldError("action", "accept, decline or reschedule")
        except InvalidFieldError as exc:
            errors = _domain_messages(page.tr, exc)
        except ConflictError:
            errors = {"_form": page.gettext("This interview can no longer be answered this way.")}
        if errors:
            return await self._detail(page, db_session, interview_id, errors, {"message": message}, status_code=422)
        return see_other(f"/web/interviews/{interview_id}?saved={action}", page)

    @post("/interviews/{interview_id:int}/cancel", guards=EMPLOYER_ONLY, status_code=303)
    async def cancel(
        self, request: Request[Any, Any, Any], page: PageDep, db_session: DbSession, interview_id: IdPath
    ) -> Response[Any] | Template:
        """The employer cancels the interview (optional ``reason``) through
        :meth:`InterviewService.cancel`: 303 back to it, or 409 with the page saying it can no longer be
        cancelled."""
        _, ctx = await visible_interview(db_session, page.user, interview_id)
        ensure_cancel(page.user, ctx)
        reason = (((await request.form()).get("reason")) or "").strip()
        try:
            await InterviewService(db_session).cancel(interview_id, reason[:1000])
        except ConflictError:
            return await self._detail(
                page,
                db_session,
                interview_id,
                {"_form": page.gettext("This interview can no longer be cancelled.")},
                {"reason": reason},
                status_code=409,
            )
        return see_other(f"/web/interviews/{interview_id}?saved=cancel", page)

    @get("/interviews/{interview_id:int}/calendar.ics", guards=[require_signed_in])
    async def calendar(
        self, request: Request[Any, Any, Any], db_session: DbSession, interview_id: IdPath
    ) -> Response[bytes]:
        """The accepted interview as an iCalendar file (as ``GET /interviews/{id}/calendar.ics``)."""
        return await ics_response(db_session, interview_id, request)

    # --- hire (employer) ------------------------------------------------------------------------

    async def _hireable(self, page: PageDep, db_session: DbSession, application_id: int) -> Application:
        await visible_application(db_session, page.user, application_id)
        application = await ApplicationService(db_session).get(application_id)
        ensure_allowed(
            can_change_application(page.user, application, ApplicationStatus.HIRED),
            f"hire for application {application_id}",
        )
        return application

    def _hire_page(
        self,
        page: PageDep,
        application: Application,
        values: dict[str, str],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        return render(
            page,
            "interviews/hire.html",
            status_code=status_code,
            application=application,
            values=values,
            errors=errors,
            contract_types=CONTRACT_TYPES,
            today=latest_today().isoformat(),
            internship=application.posting.employment_type in INTERNSHIP_TYPES,
            open=ApplicationStatus.HIRED in ALLOWED_TRANSITIONS[application.status],
        )

    @get("/applications/{application_id:int}/hire", guards=EMPLOYER_ONLY)
    async def hire_form(self, page: PageDep, db_session: DbSession, application_id: IdPath) -> Template:
        """The hire form: first working day, agreed monthly pay, contract type, social insurance."""
        application = await self._hireable(page, db_session, application_id)
        values = {
            "start_date": latest_today().isoformat(),
            "monthly_salary": "",
            "contract_type": DestinationCategory.LABOUR_CONTRACT.value,
            "social_insurance": "unknown",
            "note": "",
        }
        return self._hire_page(page, application, values, {})

    @post("/applications/{application_id:int}/hire", guards=EMPLOYER_ONLY, status_code=303)
    async def hire(
        self, request: Request[Any, Any, Any], page: PageDep, db_session: DbSession, application_id: IdPath
    ) -> Response[Any] | Template:
        """Mark hired through :meth:`ApplicationService.change_status` with the terms (the graduate's
        destination records them): 303 to the posting's applications, or 422 naming each field."""
        application = await self._hireable(page, db_session, application_id)
        internship = application.posting.employment_type in INTERNSHIP_TYPES
        form = await request.form()
        names = ("start_date", "monthly_salary", "contract_type", "social_insurance", "note")
        values = {n: (form.get(n) or "").strip() for n in names}
        errors: dict[str, str] = {}
        if not internship:  # a job's hire must say when it starts and what it pays (issue 15 item 6)
            errors.update(
                {n: page.gettext("This field is required") for n in ("start_date", "monthly_salary") if not values[n]}
            )
        data = {
            "status": ApplicationStatus.HIRED.value,
            "note": values["note"] or None,
            "start_date": values["start_date"] or None,
            "monthly_salary": values["monthly_salary"].replace(",", "").replace("，", "") or None,
        }
        if not internship:
            data.update(
                destination_category=values["contract_type"] or None,
                social_insurance=INSURANCE.get(values["social_insurance"]),
            )
        change, form_errors = convert_form(data, StatusChange)
        errors.update(
            {
                ("contract_type" if k == "destination_category" else k): _message(page.tr, v)
                for k, v in form_errors.items()
                if k not in errors
            }
        )
        if change is not None and not errors:
            service = ApplicationService(db_session, actor=page.user, request=page.request)
            try:
                await service.change_status(application_id, change)
            except InvalidFieldError as exc:
                errors = {
                    ("contract_type" if k == "destination_category" else k): v
                    for k, v in _domain_messages(page.tr, exc).items()
                }
            except ConflictError:
                errors = {"_form": page.gettext("This move is not possible from the current status.")}
            else:
                return see_other(f"/web/postings/{application.posting_id}/applications", page)
        return self._hire_page(page, application, values, errors, status_code=422)


def _form_field(exc: Exception, field: str, filled: list[str]) -> str:
    """The form box a service error names: ``slots[i].starts_at`` → the i-th filled time box."""
    for item in getattr(exc, "errors", []):
        name = str(item.get("field", ""))
        if name.startswith("slots[") and "]" in name:
            index = int(name[6 : name.index("]")])
            return filled[index] if index < len(filled) else "slot_1"
    return field if field != "application_id" else "_form"
