"""Follow-up pages (毕业去向跟踪) for school staff and the department: the follow-up list of a cohort
with flags, filters and paging, its CSV/XLSX export for phone follow-up, reminders to selected
graduates, the school-survey form that records or corrects a destination with its evidence, and
the review queue of self-reports and disputes.

Who may do what (same rules as the API, :mod:`service.auth.guards`):

* the list and its export: school staff (their school), department admins (their region's
  schools, :func:`~service.auth.scoping.graduates_clause`) and the admin; phone numbers only
  for school staff and the admin (they make the calls), 身份证号 only as the existing mask;
* reminders: school staff (the reminder is sent in their school's name);
* survey and review: the graduate's school staff and the admin (:func:`can_survey_destination`);
  department admins only read.

Every list shown and file exported is audited per graduate; every recorded event is audited by
:class:`~service.destinations.service.DestinationService`.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.params import QueryParameter
from litestar.response import Template

from service.accounts.models import Role
from service.auth.guards import can_survey_destination, ensure_allowed, ensure_visible, require_roles
from service.auth.scoping import exists_where, graduates_clause
from service.catalog.service import CatalogService
from service.config import latest_today
from service.destinations import followup as fu
from service.destinations.controllers import visible_graduate
from service.destinations.models import (
    DestinationCategory,
    DestinationSource,
    EvidenceType,
)
from service.destinations.repository import DestinationRepository
from service.destinations.schemas import DestinationCreate, Review
from service.destinations.service import DestinationService
from service.errors import ConflictError, InvalidFieldError
from service.graduates.identity import mask_id_number
from service.graduates.models import Graduate
from service.inputs import SEARCH_MAX_CHARS
from service.pagination import DbSession, IdPath
from service.privacy.audit import record_list_read
from service.reports.compute import default_cohort
from service.web.common import N_, Page, PageDep, convert_form, domain_messages, render, see_other, translate_errors
from service.web.places import place_groups

READERS = [require_roles(Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)]
SURVEYORS = [require_roles(Role.SCHOOL, Role.ADMIN)]
PAGE_SIZE = 50

CohortQ = Annotated[int | None, QueryParameter(ge=1950, le=2100, description="届 (graduation year)")]
FlagQ = Annotated[str | None, QueryParameter(max_length=32, description="a follow-up flag")]
MajorQ = Annotated[str | None, QueryParameter(pattern=r"^\d{6}$", description="专业代码")]
ClassQ = Annotated[str | None, QueryParameter(max_length=64, description="班级")]
TextQ = Annotated[str | None, QueryParameter(max_length=SEARCH_MAX_CHARS, description="name or student number")]
SortQ = Annotated[str, QueryParameter(pattern=r"^(stale|name|student_number|class|category)$")]
PageQ = Annotated[int, QueryParameter(name="page", ge=1, le=100_000)]
FormatQ = Annotated[str, QueryParameter(name="format", pattern=r"^(csv|xlsx)$")]


def _filter(
    cohort: int, flag: str | None, major: str | None, class_name: str | None, q: str | None, sort: str
) -> fu.FollowUpFilter:
    try:
        chosen = fu.Flag(flag) if flag else None
    except ValueError:
        raise InvalidFieldError("flag", f"must be one of {', '.join(f.value for f in fu.Flag)}") from None
    return fu.FollowUpFilter(
        cohort=cohort, flag=chosen, major_code=major or None, class_name=class_name or None, q=q or None, sort=sort
    )


class FollowUpPages(Controller):
    path = "/web/follow-up"

    @get("/", guards=READERS)
    async def follow_up_list(
        self,
        page: PageDep,
        db_session: DbSession,
        cohort: CohortQ = None,
        flag: FlagQ = None,
        major: MajorQ = None,
        class_name: ClassQ = None,
        q: TextQ = None,
        sort: SortQ = "stale",
        page_number: PageQ = 1,
    ) -> Template:
        """The follow-up list of ``?cohort=`` (default: the cohort the reports default to): every
        graduate with the destination that counts, who recorded it, the confirmation state, days since
        the last update and the flags; filtered by ``flag``, ``major``, ``class_name`` and ``q`` (name
        or student number), sorted by ``sort``, 50 a page. The graduates shown are audited (``read``,
        ``follow_up_list``)."""
        p = page.user
        f = _filter(cohort or default_cohort(latest_today()), flag, major, class_name, q, sort)
        found = await fu.read_follow_up(
            db_session, p, f, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE, request=page.request
        )
        shown, summary = found.page, found.summary
        cohorts, majors = await fu.filter_options(db_session, p)
        params = {
            k: v
            for k, v in {
                "cohort": f.cohort,
                "flag": flag,
                "major": major,
                "class_name": class_name,
                "q": q,
                "sort": sort,
            }.items()
            if v
        }
        query = urlencode(params)
        query_params = page.request.query_params
        return render(
            page,
            "school/follow_up.html",
            rows=shown,
            f=f,
            flag=flag,
            counts=summary.flag_counts,
            flags=list(fu.Flag),
            classes=await fu.cohort_classes(db_session, p, f.cohort),
            cohort_total=summary.total,
            params=params,
            query=query,
            page_number=page_number,
            pages=max(1, -(-shown.total // PAGE_SIZE)),
            show_phone=fu.shows_phone(p),
            can_remind=p.role is Role.SCHOOL,
            can_survey=p.role in (Role.SCHOOL, Role.ADMIN),
            reminded=query_params.get("reminded"),
            no_account=query_params.get("no_account"),
            cohorts=cohorts,
            majors=majors,
        )

    @get("/export", guards=READERS)
    async def follow_up_export(
        self,
        page: PageDep,
        db_session: DbSession,
        cohort: CohortQ = None,
        flag: FlagQ = None,
        major: MajorQ = None,
        class_name: ClassQ = None,
        q: TextQ = None,
        sort: SortQ = "stale",
        file_format: FormatQ = "xlsx",
    ) -> Response[bytes]:
        """The selected rows of the list (all pages) as ``.xlsx`` or ``.csv`` (UTF-8 with BOM) with
        Chinese headers for phone follow-up: 联系电话 only for school staff and the admin, 身份证号 as
        its mask, no cell a spreadsheet would run as a formula. Audited (``export``, one per graduate)."""
        p = page.user
        f = _filter(cohort or default_cohort(latest_today()), flag, major, class_name, q, sort)
        selected = (await fu.read_follow_up(db_session, p, f, export=True, request=page.request)).page.items
        phone = fu.shows_phone(p)
        name = f"follow-up-{f.cohort}.{file_format}"
        if file_format == "csv":
            return Response(
                fu.to_csv(selected, phone),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}"'},
            )
        return Response(
            fu.to_xlsx(selected, phone),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @post("/remind", status_code=303, guards=[require_roles(Role.SCHOOL)])
    async def send_reminders(
        self, request: Request[Any, Any, Any], page: PageDep, db_session: DbSession
    ) -> Response[Any]:
        """Send the selected graduates (form field ``graduate_id``, repeated) a reminder to report or
        confirm their destination, with an optional ``message`` (at most 200 characters), in the
        school's name; 303 back to the list saying how many were reminded and how many have no
        account (to call instead). 422 page when none is selected; 404 page for a graduate of
        another school."""
        p = page.user
        form = await request.form()
        raw_ids = form.getall("graduate_id", [])
        try:
            ids = [int(v) for v in raw_ids]
        except ValueError:
            raise InvalidFieldError("graduate_id", "graduate ids are whole numbers") from None
        message = (form.get("message") or "").strip() or None
        if message is not None and len(message) > 200:
            raise InvalidFieldError("message", "at most 200 characters")
        school = await CatalogService(db_session).find_school(p.school_id)
        ensure_allowed(school is not None, "send reminders")
        assert school is not None
        reminded, no_account = await fu.send_reminders(db_session, p, ids, school.name, message, request=request)
        back = (form.get("back") or "").strip()
        back = back if back.startswith("cohort=") and "\n" not in back else ""
        return see_other(f"/web/follow-up?{back}&reminded={reminded}&no_account={no_account}".replace("?&", "?"), page)

    # --- survey ------------------------------------------------------------------------------

    async def _graduate(self, page: Page, db_session: DbSession, graduate_id: int) -> Graduate:
        graduate = await visible_graduate(db_session, page.user, graduate_id)
        ensure_allowed(can_survey_destination(page.user, graduate), f"record a destination for graduate {graduate_id}")
        return graduate

    async def _survey_page(
        self,
        page: Page,
        db_session: DbSession,
        graduate: Graduate,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        history = await DestinationService(db_session).history(graduate.id)
        await record_list_read(db_session, page.user, "destination_history", [graduate.id], request=page.request)
        cities = await place_groups(db_session)  # the whole country, grouped by province
        state = fu.standing(list(await DestinationRepository(db_session).history(graduate.id)), latest_today())
        return render(
            page,
            "school/survey.html",
            status_code=status_code,
            graduate=graduate,
            id_masked=mask_id_number(graduate.id_number),
            history=history,
            events=list(reversed(history.events)),
            state=state,
            categories=list(DestinationCategory),
            evidence_types=list(EvidenceType),
            cities=cities,
            values=values or {"occurred_on": latest_today().isoformat()},
            errors=errors or {},
            saved=page.request.query_params.get("saved"),
        )

    @get("/{graduate_id:int}", guards=SURVEYORS)
    async def survey_form(self, page: PageDep, db_session: DbSession, graduate_id: IdPath) -> Template:
        """One graduate's destination history (every event, newest first, with its source, evidence
        and note) and the school-survey form: category, employer, job title, city, monthly salary,
        effective date and evidence (劳动合同, 社会保险, 录取通知书, 入伍通知书, other). The graduate's
        school staff and the admin; 404 for a graduate of another school. Audited (``read``)."""
        return await self._survey_page(page, db_session, await self._graduate(page, db_session, graduate_id))

    @post("/{graduate_id:int}", status_code=303, guards=SURVEYORS)
    async def survey_record(
        self, request: Request[Any, Any, Any], page: PageDep, db_session: DbSession, graduate_id: IdPath
    ) -> Response[Any] | Template:
        """Record (or correct, by a newer outcome) the graduate's destination as a school survey through
        :meth:`DestinationService.record` — the method behind ``POST /graduates/{id}/destinations`` —
        with its evidence and effective date: 303 back to the history, or 422 with each error next to
        its field (nothing stored)."""
        graduate = await self._graduate(page, db_session, graduate_id)
        form = await request.form()
        names = (
            "category",
            "employer_name",
            "job_title",
            "region_code",
            "monthly_salary",
            "occurred_on",
            "evidence",
            "note",
        )
        values = {n: (form.get(n) or "").strip() for n in names}
        data: dict[str, Any] = {
            "source": DestinationSource.SCHOOL_SURVEY.value,
            **{n: v.replace(",", "") if n == "monthly_salary" else v for n, v in values.items() if v},
        }
        errors: dict[str, str] = {}
        for name, message in (
            ("category", N_("Choose the destination.")),
            ("occurred_on", N_("Enter the date it took effect.")),
            ("evidence", N_("Choose the evidence you saw.")),
        ):
            if not values[name]:
                errors[name] = page.gettext(message)
        if values["evidence"] == EvidenceType.OTHER.value and not values["note"]:
            errors["note"] = page.gettext("Describe the evidence in the note.")
        report, more = convert_form(data, DestinationCreate, {"category": "seeking", "occurred_on": "2000-01-01"})
        errors = {**translate_errors(page.tr, more), **errors}
        if report is not None and not errors:
            try:
                await DestinationService(db_session, actor=page.user, request=request).record(graduate.id, report)
            except (InvalidFieldError, ConflictError) as exc:
                errors = domain_messages(page.tr, exc)
        if errors:
            return await self._survey_page(page, db_session, graduate, values, errors, status_code=422)
        return see_other(f"/web/follow-up/{graduate.id}?saved=1", page)

    # --- review queue ------------------------------------------------------------------------

    @get("/review", guards=SURVEYORS)
    async def review_queue(self, page: PageDep, db_session: DbSession) -> Template:
        """Self-reports and disputes awaiting the school's review, oldest first: the graduate, the
        reported (or disputed) outcome, the graduate's reason for a dispute, what counts today, and an
        accept / refuse form with a reason. Audited (``read``, ``review_queue``)."""
        items = await fu.review_queue(db_session, page.user, latest_today())
        if items:
            await record_list_read(
                db_session,
                page.user,
                "review_queue",
                list(dict.fromkeys(i["graduate"].id for i in items)),
                request=page.request,
            )
        return render(page, "school/review.html", items=items, done=page.request.query_params.get("done"), error=None)

    @post("/review/{event_id:int}", status_code=303, guards=SURVEYORS)
    async def review_decide(
        self, request: Request[Any, Any, Any], page: PageDep, db_session: DbSession, event_id: IdPath
    ) -> Response[Any] | Template:
        """Accept or refuse (form ``decision``) the self-report or disputed outcome ``event_id`` with a
        ``reason`` (required to refuse) through :meth:`DestinationService.review`: the graduate is
        notified, the decision audited. 303 back to the queue; 422 page without a reason to refuse;
        404 for another school's graduate; 409 when it awaits no review."""
        p = page.user
        event = await DestinationRepository(db_session).get(event_id)
        graduate_id = event.graduate_id if event is not None else None
        ensure_visible(
            graduate_id is not None and await exists_where(db_session, Graduate.id, graduate_id, graduates_clause(p)),
            "destination event",
            event_id,
        )
        assert graduate_id is not None
        graduate = await self._graduate(page, db_session, graduate_id)
        form = await request.form()
        review, errors = convert_form(
            {
                "decision": (form.get("decision") or "").strip(),
                **({"reason": r} if (r := (form.get("reason") or "").strip()) else {}),
            },
            Review,
        )
        if review is not None and review.decision.value == "refuse" and not review.reason:
            errors = {"reason": "required"}
        if review is None or errors:
            items = await fu.review_queue(db_session, p, latest_today())
            return render(
                page,
                "school/review.html",
                status_code=422,
                items=items,
                done=None,
                error={
                    "event_id": event_id,
                    "message": page.gettext("Choose accept or refuse; to refuse, give the reason (2–500 characters)."),
                },
            )
        await DestinationService(db_session, actor=p, request=request).review(graduate.id, event_id, review)
        return see_other(f"/web/follow-up/review?done={review.decision.value}", page)
