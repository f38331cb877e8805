"""Internship pages (顶岗实习): the placements each role may read (the student's own, the
employer's with a confirm button, the school's or region's with the counts and the share of a
cohort placed), the school's form to record a placement with its agreement PDF, and the agreement
download. They call :class:`service.internships.service.InternshipService`, as the API does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template

from service.accounts.models import Role
from service.auth.guards import require_roles, require_signed_in
from service.errors import DomainError, InvalidFieldError
from service.internships.controllers import agreement_response
from service.internships.schemas import InternshipCreate
from service.internships.service import STAFF_ROLES, InternshipService, default_cohort
from service.internships.storage import MAX_AGREEMENT_BYTES, check_pdf
from service.pagination import DbSession, IdPath
from service.web.common import PageDep, convert_form, domain_messages, render, see_other, translate_errors

#: Placements listed on the page (the API pages through all of them).
SHOWN = 200
#: Employers offered in the form's list (the name is typed; the list only helps).
EMPLOYER_CHOICES = 500


@dataclass
class InternshipForm:
    """The school's form: the student by 学号, the employer by name, the rest as the API's body."""

    student_number: str = ""
    employer_name: str = ""
    posting_id: str = ""
    start_date: str = ""
    end_date: str = ""
    supervisor_name: str = ""
    insured: str = ""
    insurer: str = ""
    policy_number: str = ""
    agreement: UploadFile | None = None


def _cohort(text: str | None) -> int:
    return int(text) if text and text.isdigit() and 1950 <= int(text) <= 2100 else default_cohort()


class InternshipPages(Controller):
    path = "/web/internships"

    @get("/", guards=[require_signed_in])
    async def internships(self, page: PageDep, db_session: DbSession) -> Template:
        """Every role's placements (see the module docstring; staff: of ``?cohort=`` when given);
        staff also get the counts for ``?cohort=`` (default: the cohort in its placement year)."""
        p = page.user
        service = InternshipService(db_session, p, page.request)
        asked = page.request.query_params.get("cohort")
        cohort = _cohort(asked)
        staff = p.role in STAFF_ROLES
        # the list is every placement the caller may read, or one cohort's when asked for
        items, total = await service.page(limit=SHOWN, offset=0, cohort=cohort if staff and asked else None)
        counts = await service.counts(cohort) if staff else None
        return render(
            page,
            "internships/list.html",
            items=items,
            total=total,
            counts=counts,
            cohort=cohort,
            staff=staff,
            shown=SHOWN,
            saved=page.request.query_params.get("saved"),
        )

    async def _form(self, page: PageDep, db_session: DbSession, status_code: int = 200, **context: Any) -> Template:
        employers = await InternshipService(db_session, page.user, page.request).employer_choices(EMPLOYER_CHOICES)
        context.setdefault("values", {})
        context.setdefault("errors", {})
        return render(page, "internships/form.html", status_code=status_code, employers=employers, **context)

    @get("/new", guards=[require_roles(Role.SCHOOL)])
    async def new_form(self, page: PageDep, db_session: DbSession) -> Template:
        """The form to record a placement of one of the school's students."""
        return await self._form(page, db_session)

    @post("/new", guards=[require_roles(Role.SCHOOL)], request_max_body_size=MAX_AGREEMENT_BYTES + 64 * 1024)
    async def record(
        self,
        page: PageDep,
        db_session: DbSession,
        data: Annotated[InternshipForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Any:
        """Record the placement (and store the agreement PDF if one is attached), then 303 to the
        list; 422 with the form and each error beside its field otherwise (nothing stored)."""
        p = page.user
        values = {k: v for k, v in vars(data).items() if k != "agreement" and isinstance(v, str)}
        errors: dict[str, str] = {}
        service = InternshipService(db_session, p, page.request)
        graduate_id = await service.student_named(data.student_number)
        if graduate_id is None:
            errors["student_number"] = page.gettext("No student of your school has this student number.")
        employer_id = await service.employer_named(data.employer_name)
        if employer_id is None:
            errors["employer_name"] = page.gettext("No employer has this name: pick one from the list.")
        body = {
            "graduate_id": graduate_id or 1,
            "employer_id": employer_id or 1,
            "start_date": data.start_date,
            "end_date": data.end_date,
            "supervisor_name": data.supervisor_name,
            "insured": bool(data.insured),
            "insurer": data.insurer.strip() or None,
            "policy_number": data.policy_number.strip() or None,
            "posting_id": int(data.posting_id) if data.posting_id.strip().isdigit() else None,
        }
        if data.posting_id.strip() and body["posting_id"] is None:
            errors["posting_id"] = page.gettext("Give the posting's number, or leave it empty.")
        created, invalid = convert_form(body, InternshipCreate)
        errors.update(translate_errors(page.tr, invalid))
        content = await data.agreement.read() if data.agreement is not None else b""
        filename = (data.agreement.filename if data.agreement is not None else "") or "agreement.pdf"
        if content:
            try:
                check_pdf(content, filename)
            except InvalidFieldError as exc:
                errors["agreement"] = (
                    page.gettext("The file is larger than 10 MB.")
                    if exc.code == "file_too_large"
                    else page.gettext(
                        "%(file)s is not a PDF by its content, whatever its name "
                        "says: upload the signed agreement as a PDF file."
                    )
                    % {"file": filename}
                )
        if not errors and created is not None:
            try:
                internship = await service.record(created)
                if content:
                    await service.attach_agreement(
                        internship.id, content, filename, page.request.app.state.settings.attachment_dir
                    )
            except DomainError as exc:
                await db_session.rollback()
                errors.update(domain_messages(page.tr, exc))
            else:
                return see_other(f"/web/internships?saved={internship.id}", page)
        return await self._form(page, db_session, status_code=422, values=values, errors=errors)

    @post("/{internship_id:int}/confirm", guards=[require_roles(Role.EMPLOYER)])
    async def confirm(self, page: PageDep, db_session: DbSession, internship_id: IdPath) -> Any:
        """The employer confirms the placement; 303 back to the list (404 page for another's)."""
        await InternshipService(db_session, page.user, page.request).confirm(internship_id)
        return see_other("/web/internships?saved=confirmed", page)

    @get("/{internship_id:int}/agreement", guards=[require_signed_in])
    async def agreement(self, page: PageDep, db_session: DbSession, internship_id: IdPath) -> Response[bytes]:
        """The agreement PDF, for those who may read the placement."""
        return await agreement_response(page.request, db_session, internship_id)
