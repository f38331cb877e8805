"""Employer pages: my postings, the posting form (create and edit, skills picked with taxonomy
suggestions), the applications to one posting moved along the pipeline (htmx),
and the anonymised candidates recommended for a posting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template

from service.accounts.models import Role
from service.applications.models import ALLOWED_TRANSITIONS, Application, ApplicationStatus
from service.applications.repository import ApplicationFilter, ApplicationRepository
from service.applications.schemas import StatusChange
from service.applications.service import ApplicationService
from service.auth.guards import (
    can_change_application,
    can_manage_posting,
    can_read_application,
    ensure_allowed,
    ensure_candidates_allowed,
    ensure_visible,
    require_roles,
)
from service.auth.scoping import applications_clause, postings_clause
from service.catalog.regions import city_of, is_region_code, province_of
from service.catalog.service import CatalogService
from service.conversations.repository import ConversationRepository
from service.conversations.service import invitations_clause
from service.employers.repository import EmployerRepository
from service.errors import ConflictError, InvalidFieldError
from service.inputs import TEXT_BODY_BYTES
from service.pagination import DbSession, IdPath
from service.postings.models import Posting, PostingStatus
from service.postings.repository import PostingFilter, PostingRepository
from service.postings.schemas import PostingCreate, PostingUpdate
from service.postings.service import PostingService
from service.recommendations.service import RecommendationService
from service.web.common import (
    Page,
    PageDep,
    convert_form,
    domain_messages,
    render,
    see_other,
    split_items,
    translate_errors,
)
from service.web.interview_pages import latest_interviews
from service.web.places import place_groups
from service.web.reasons import candidate_phrases, salary_text, sentence
from service.web.suggest_pages import chips_context
from vocab import EducationLevel, EmploymentType

EMPLOYER_ONLY = [require_roles(Role.EMPLOYER)]
#: The moves an employer is offered, in pipeline order (withdrawing is the graduate's).
EMPLOYER_MOVES = (
    ApplicationStatus.VIEWED,
    ApplicationStatus.INTERVIEW,
    ApplicationStatus.OFFER,
    ApplicationStatus.HIRED,
    ApplicationStatus.REJECTED,
)


def next_moves(status: ApplicationStatus) -> list[ApplicationStatus]:
    """The statuses an employer may move an application in ``status`` to, in pipeline order."""
    return [s for s in EMPLOYER_MOVES if s in ALLOWED_TRANSITIONS[status]]


@dataclass
class StatusForm:
    """The move form: the new ``status`` (one of applied … hired, rejected)."""

    status: str = ""


class EmployerPages(Controller):
    path = "/web"
    guards = EMPLOYER_ONLY

    @get("/postings")
    async def postings(self, page: PageDep, db_session: DbSession) -> Template:
        """The employer's postings, newest first, with the number of applications to each."""
        p = page.user
        rows, _ = await PostingRepository(db_session).list(
            PostingFilter(employer_id=p.employer_id), 200, 0, postings_clause(p)
        )
        ids = [r.id for r in rows]
        counts = await ApplicationRepository(db_session).counts_by_posting(ids, applications_clause(p))
        items = [
            {
                "posting": r,
                "applications": counts.get(r.id, 0),
                "salary": salary_text(page.tr, r.salary_min_monthly, r.salary_max_monthly),
            }
            for r in sorted(rows, key=lambda r: -r.id)
        ]
        return render(page, "employer/postings.html", items=items, saved=page.request.query_params.get("saved"))

    async def _posting(self, page: Page, db_session: DbSession, posting_id: int) -> Posting:
        posting = await PostingRepository(db_session).get(posting_id)
        ensure_visible(posting is not None and can_manage_posting(page.user, posting), "posting", posting_id)
        assert posting is not None
        return posting

    async def _row(self, page: PageDep, db_session: DbSession, application: Application) -> dict[str, Any]:
        """One row of the applications table, re-rendered after a move: the applicant's name is
        read and audited as the list does (:meth:`ApplicationService.applicants_shown`)."""
        service = ApplicationService(db_session, actor=page.user, request=page.request)
        graduates = await service.applicants_shown([application])
        return {
            "application": application,
            "graduate": graduates.get(application.graduate_id),
            "moves": next_moves(application.status),
            "interview": (await latest_interviews(db_session, [application.id]))[application.id],
        }

    @get("/postings/{posting_id:int}/applications")
    async def applications(self, page: PageDep, db_session: DbSession, posting_id: IdPath) -> Template:
        """Applications to one of the employer's postings, with the applicant's name (they applied,
        so the employer may see it) and the moves allowed from each status. Each applicant shown
        gets a ``read`` audit event (object type ``application_list``; :meth:`ApplicationService.applicants_shown`)."""
        posting = await self._posting(page, db_session, posting_id)
        items, _ = await ApplicationService(db_session).list(
            ApplicationFilter(posting_id=posting_id), 200, 0, applications_clause(page.user)
        )
        # applicants' names shown: audited as a list read (as GET /graduates does)
        graduates = await ApplicationService(db_session, actor=page.user, request=page.request).applicants_shown(items)
        interviews = await latest_interviews(db_session, [a.id for a in items])
        rows = [
            {
                "application": a,
                "graduate": graduates.get(a.graduate_id),
                "moves": next_moves(a.status),
                "interview": interviews[a.id],
            }
            for a in items
        ]
        return render(page, "employer/applications.html", posting=posting, rows=rows)

    @post("/applications/{application_id:int}/status", status_code=200)
    async def move(
        self,
        page: PageDep,
        db_session: DbSession,
        application_id: IdPath,
        data: Annotated[StatusForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Response[Any] | Template:
        """Move an application (as ``POST /applications/{id}/status``): htmx gets the updated table
        row; a plain form post goes back to the posting's applications. A hire records the
        graduate's destination. A move not allowed from the current status shows why in the row."""
        application = await ApplicationService(db_session).get(application_id)
        ensure_visible(can_read_application(page.user, application), "application", application_id)
        try:
            status = ApplicationStatus(data.status)
        except ValueError:
            raise InvalidFieldError("status", f"unknown status {data.status[:40]!r}") from None
        ensure_allowed(can_change_application(page.user, application, status), f"move to {status.value}")
        if status == ApplicationStatus.HIRED:  # a hire needs its start date and pay: the hire form asks
            return see_other(f"/web/applications/{application_id}/hire", page)
        error = None
        try:
            application = await ApplicationService(db_session, actor=page.user, request=page.request).change_status(
                application_id, StatusChange(status=status)
            )
        except ConflictError:
            error = page.gettext("This move is not possible from the current status.")
        if not page.htmx:
            return see_other(f"/web/postings/{application.posting_id}/applications")
        return render(
            page, "partials/application_row.html", row=await self._row(page, db_session, application), error=error
        )

    @get("/postings/{posting_id:int}/candidates")
    async def candidates(self, page: PageDep, db_session: DbSession, posting_id: IdPath) -> Template:
        """Graduates recommended for the posting, anonymised (school, major, cohort, skills — no
        name or contact), with the reasons in plain words. 403 while the employer is unverified
        (:func:`~service.auth.guards.ensure_candidates_allowed`)."""
        posting = await self._posting(page, db_session, posting_id)
        ensure_candidates_allowed(page.user, posting)
        service = RecommendationService(db_session, page.request.app.state.ranker_cache)
        result = await service.for_posting(posting_id, 20)
        items = [
            {
                "candidate": c.graduate,
                "score": c.score,
                "reasons": sentence(page.tr, candidate_phrases(page.tr, c.reasons)),
            }
            for c in result.items
        ]
        # invitations to apply (service/conversations), read in the scope GET /invitations uses
        invited = await ConversationRepository(db_session).invitation_statuses(
            posting_id, invitations_clause(page.user)
        )
        return render(
            page,
            "employer/candidates.html",
            posting=posting,
            items=items,
            invited=invited,
            just_invited=page.request.query_params.get("invited") == "1",
        )

    # --- posting form --------------------------------------------------------------------

    async def _regions(
        self, db_session: DbSession, employer_id: int | None, keep: str | None = None
    ) -> list[dict[str, Any]]:
        """The place list of the posting form (:func:`service.web.places.place_groups`): every city of
        the country grouped by province, the employer's province first with its counties."""
        employer = await EmployerRepository(db_session).get(employer_id) if employer_id is not None else None
        prefix = employer.region_code[:2] if employer is not None and employer.region_code else None
        return await place_groups(db_session, prefix, keep=keep or None)

    async def _form_page(
        self,
        page: Page,
        db_session: DbSession,
        values: dict[str, Any],
        errors: dict[str, str],
        posting: Posting | None,
        status_code: int = 200,
    ) -> Template:
        return render(
            page,
            "employer/posting_form.html",
            status_code=status_code,
            values=values,
            errors=errors,
            posting=posting,
            regions=await self._regions(db_session, page.user.employer_id, values.get("region_code")),
            job_types=list(EmploymentType),
            education_levels=list(EducationLevel),
            statuses=list(PostingStatus),
            chips=[
                chips_context(page, name, values[name], error=errors.get(name))
                for name in ("required_skills", "preferred_skills", "posting_certificates")
            ],
        )

    @get("/postings/new")
    async def new_posting(self, page: PageDep, db_session: DbSession) -> Template:
        """The empty posting form (title, description, place, salary 元/月, job type, schooling,
        openings, apply-by date, skills and certificates picked with taxonomy suggestions)."""
        return await self._form_page(page, db_session, dict(EMPTY_FORM), {}, None)

    @post("/postings/new", status_code=303, request_max_body_size=TEXT_BODY_BYTES)
    async def create_posting(
        self, request: Request[Any, Any, Any], page: PageDep, db_session: DbSession
    ) -> Response[Any] | Template:
        """Create the posting through :meth:`PostingService.create` (the rules of ``POST /postings``):
        303 to my postings, or 422 with each error next to its field (nothing stored)."""
        p = page.user
        ensure_allowed(
            p.employer_id is not None and can_manage_posting(p, employer_id=p.employer_id), "create postings"
        )
        values, data = await _read_posting_form(request, db_session)
        created, invalid = convert_form({**data, "employer_id": p.employer_id}, PostingCreate, PLACEHOLDERS)
        errors = translate_errors(page.tr, invalid)
        if created is not None:
            try:
                posting = await PostingService(db_session).create(created)
            except InvalidFieldError as exc:
                errors = domain_messages(page.tr, exc)
        if errors:
            return await self._form_page(page, db_session, values, _form_errors(errors), None, status_code=422)
        return see_other(f"/web/postings?saved={posting.id}", page)

    @get("/postings/{posting_id:int}/edit")
    async def edit_posting(self, page: PageDep, db_session: DbSession, posting_id: IdPath) -> Template:
        """The form filled with the posting (404 page for another employer's posting)."""
        posting = await self._posting(page, db_session, posting_id)
        values = {
            "title": posting.title,
            "description": posting.description or "",
            "region_code": posting.region_code or "",
            "salary_min": _amount(posting.salary_min_monthly),
            "salary_max": _amount(posting.salary_max_monthly),
            "employment_type": posting.employment_type.value,
            "education_required": posting.education_required.value,
            "openings": str(posting.openings),
            "valid_through": posting.valid_through.isoformat() if posting.valid_through else "",
            "status": posting.status.value,
            "required_skills": list(posting.required_skills),
            "preferred_skills": list(posting.preferred_skills),
            "posting_certificates": list(posting.certificates),
        }
        return await self._form_page(page, db_session, values, {}, posting)

    @post("/postings/{posting_id:int}/edit", status_code=303, request_max_body_size=TEXT_BODY_BYTES)
    async def update_posting(
        self, request: Request[Any, Any, Any], page: PageDep, db_session: DbSession, posting_id: IdPath
    ) -> Response[Any] | Template:
        """Change the posting through :meth:`PostingService.update` (the rules of
        ``PATCH /postings/{id}``; salaries are stored per month): 303 to my postings, or 422 with
        each error next to its field (nothing stored)."""
        posting = await self._posting(page, db_session, posting_id)
        values, data = await _read_posting_form(request, db_session)
        data["status"] = values["status"] = values.get("status") or posting.status.value
        change, invalid = convert_form(data, PostingUpdate, PLACEHOLDERS)
        errors = translate_errors(page.tr, invalid)
        if change is not None:
            try:
                await PostingService(db_session).update(posting_id, change)
            except InvalidFieldError as exc:
                errors = domain_messages(page.tr, exc)
        if errors:
            return await self._form_page(page, db_session, values, _form_errors(errors), posting, status_code=422)
        return see_other(f"/web/postings?saved={posting_id}", page)


#: The new-posting form's starting values.
EMPTY_FORM: dict[str, Any] = {
    "title": "",
    "description": "",
    "region_code": "",
    "salary_min": "",
    "salary_max": "",
    "employment_type": EmploymentType.FULL_TIME.value,
    "education_required": EducationLevel.ANY.value,
    "openings": "1",
    "valid_through": "",
    "status": PostingStatus.OPEN.value,
    "required_skills": [],
    "preferred_skills": [],
    "posting_certificates": [],
}
#: Stand-ins for bad values while the remaining fields are checked (never stored).
PLACEHOLDERS: dict[str, Any] = {"title": "x", "employer_id": 1}


def _amount(value: int | None) -> str:
    return "" if value is None else str(value)


def _form_errors(errors: dict[str, str]) -> dict[str, str]:
    """Service field names → form field names (``certificates`` is ``posting_certificates`` in the
    form; salary errors name the monthly amounts the form shows)."""
    return {("posting_certificates" if k == "certificates" else k): v for k, v in errors.items()}


async def _read_posting_form(
    request: Request[Any, Any, Any],
    db_session: DbSession,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The submitted form as typed (``values``) and as the API body (``data``): salaries per
    month (``salary_period`` MONTH), province and city names taken from the chosen region code,
    blank boxes as ``null``."""
    form = await request.form()
    text = {
        n: (form.get(n) or "").strip()
        for n in (
            "title",
            "description",
            "region_code",
            "salary_min",
            "salary_max",
            "employment_type",
            "education_required",
            "openings",
            "valid_through",
            "status",
        )
    }
    lists = {
        n: list(
            dict.fromkeys([*(v.strip() for v in form.getall(n, []) if v.strip()), *split_items(form.get(f"{n}_new"))])
        )
        for n in ("required_skills", "preferred_skills", "posting_certificates")
    }
    values = {**text, **lists}
    province = city = None
    code = text["region_code"]
    if code and is_region_code(code):
        names = await CatalogService(db_session).region_names({province_of(code), city_of(code)})
        province, city = names.get(province_of(code)), names.get(city_of(code))
    data: dict[str, Any] = {
        "title": text["title"],
        "description": text["description"],
        "region_code": code or None,
        "province": province,
        "city": city,
        "salary_period": "MONTH",
        "salary_min": text["salary_min"].replace(",", "") or None,
        "salary_max": text["salary_max"].replace(",", "") or None,
        "employment_type": text["employment_type"] or EmploymentType.FULL_TIME.value,
        "education_required": text["education_required"] or EducationLevel.ANY.value,
        "openings": text["openings"] or "1",
        "valid_through": text["valid_through"] or None,
        "required_skills": lists["required_skills"],
        "preferred_skills": lists["preferred_skills"],
        "certificates": lists["posting_certificates"],
    }
    return values, data
