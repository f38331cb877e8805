"""Sign-up pages: graduates activate the account of their roster record (school, 学号 and the last
six characters of the 身份证号, or an invitation code), adult trainees and employers register;
employers see their verification status; staff work the employer approval queue and invite a
cohort's or class's graduates (with a printable sheet per class) and see the share activated.

Every page calls the service method the API calls (:mod:`service.signup.controllers`,
:mod:`service.accounts.controllers`): activation, registration, approval and refusal behave the
same on both, rate limits and the no-membership-oracle answers included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import TooManyRequestsException
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Template

from service.accounts.models import Role
from service.accounts.schemas import ActivateRequest, EmployerSignup, RegisterRequest
from service.accounts.service import AccountService, LoginTakenError
from service.accounts.setup import AuthKit
from service.auth.guards import ensure_allowed, require_roles
from service.auth.scoping import schools_clause
from service.catalog.models import RegionLevel
from service.catalog.service import CatalogService
from service.employers.models import VerificationStatus
from service.employers.service import EmployerService, normalise_uscc, uscc_check, uscc_region_matches
from service.employers.verification import VerificationService
from service.errors import ConflictError, DomainError, InvalidFieldError
from service.inputs import SIGN_IN_BODY_BYTES, clean_name
from service.pagination import DbSession
from service.signup.controllers import activate_account, client_ip, school_for_invitations
from service.signup.schemas import DEFAULT_INVITATION_DAYS, MAX_INVITATION_DAYS
from service.signup.service import (
    ActivationRefused,
    InvitationService,
    SignupService,
    printable,
    typed_id_number,
)
from service.web.auth_pages import public_form_page, public_post_refused
from service.web.common import N_, Page, PageDep, render, see_other

PUBLIC = {"exclude_from_auth": True}
PUBLIC_FORM = {**PUBLIC, "exclude_from_csrf": True}  # checked by :func:`public_post_refused` instead
STAFF_ONLY = [require_roles(Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)]
Kit = NamedDependency[AuthKit]
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
QUEUE_PAGE = 50

#: The page texts of the service's refusals (msgids; translated when shown).
REFUSED_DETAILS = N_(
    "These details do not match a roster record that can be activated. Check the school, your "
    "学号 and your 身份证号 as they are on the school's roster — or ask "
    "your class teacher for an invitation code."
)
REFUSED_CODE = N_(
    "This invitation code cannot be used. Check it for typos; a code works only once and only until "
    "its expiry date. Ask your class teacher for a new one."
)
ALREADY = N_(
    "This roster record already has an account. Sign in with it, or ask your school's employment office for help."
)
TOO_MANY = N_("Too many attempts. Wait a few minutes and try again.")
EXPIRED_FORM = N_("This form has expired or came from another site. Please fill it in again.")


@dataclass
class LoginFields:
    """The login part every sign-up form has: e-mail and/or mobile number, password twice."""

    email: str = ""
    phone: str = ""
    password: str = ""
    password_confirm: str = ""


@dataclass
class ActivationForm(LoginFields):
    school_id: str = ""
    student_number: str = ""
    id_number: str = ""


@dataclass
class CodeForm(LoginFields):
    code: str = ""


@dataclass
class TraineeForm(LoginFields):
    name: str = ""
    training_institution: str = ""


@dataclass
class EmployerForm(LoginFields):
    company: str = ""
    uscc: str = ""
    region_code: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""


@dataclass
class RefusalForm:
    reason: str = ""


@dataclass
class InvitationForm:
    cohort: str = ""
    class_name: str = ""
    days: str = str(DEFAULT_INVITATION_DAYS)


def login_errors(page: Page, form: LoginFields) -> dict[str, str]:
    """What is wrong with the login part, every field at once, in the page's language."""
    errors: dict[str, str] = {}
    email, phone = form.email.strip(), re.sub(r"[\s-]", "", form.phone)
    if not email and not phone:
        errors["email"] = page.gettext("Enter an e-mail address or a mobile number (or both).")
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        errors["email"] = page.gettext("This is not an e-mail address (name@example.cn).")
    if phone and not _MOBILE.match(phone):
        errors["phone"] = page.gettext("Enter an 11-digit mainland mobile number starting with 13–19.")
    if not 8 <= len(form.password) <= 128:
        errors["password"] = page.gettext("Choose a password of 8 to 128 characters.")
    elif form.password != form.password_confirm:
        errors["password_confirm"] = page.gettext("The two passwords differ: type the same password twice.")
    return errors


def login_values(form: LoginFields, page: Page) -> dict[str, Any]:
    """The login part of a sign-up, with the page's language as the account's notification language
    (someone who signs up in English gets English e-mails from the start)."""
    return {
        "email": form.email.strip().lower() or None,
        "phone": form.phone.strip() or None,
        "password": form.password,
        "language": page.locale,
    }


def kept(form: Any) -> dict[str, str]:
    """The form's values to show again (never the passwords)."""
    return {k: v for k, v in vars(form).items() if k not in ("password", "password_confirm")}


def field_errors(page: Page, exc: DomainError) -> dict[str, str]:
    """A service's field errors in the page's language (login fields and the employer's)."""
    out: dict[str, str] = {}
    for item in exc.errors or [{"field": "_form", "message": exc.detail}]:
        field, code = str(item.get("field", "_form")), item.get("code")
        if field == "uscc":
            out["uscc"] = (
                page.gettext(
                    "This 统一社会信用代码 is already registered. If it is your company's, ask a "
                    "colleague who has an account to add you."
                )
                if code == "uscc_taken"
                else uscc_message(page, code)
            )
        elif field == "region_code":
            out["region_code"] = page.gettext("Choose the city where the company is.")
        elif field in ("email", "phone"):
            out[field] = (
                page.gettext("Enter an 11-digit mainland mobile number starting with 13–19.")
                if field == "phone"
                else page.gettext("This is not an e-mail address (name@example.cn).")
            )
        else:
            out["_form"] = page.gettext("Some input is not valid: check the fields and try again.")
    return out


def uscc_message(page: Page, code: str | None) -> str:
    """The 统一社会信用代码 check's message (:func:`~service.employers.service.normalise_uscc`, by its
    error ``code``) translated."""
    if code == "uscc_length":
        return page.gettext("A 统一社会信用代码 has 18 characters.")
    if code == "uscc_checksum":
        return page.gettext(
            "The last character (the check character, GB 32100-2015) does not fit the first 17: "
            "check the code for a typo."
        )
    return page.gettext(
        "A 统一社会信用代码 has only digits and the capitals A–H J–N P–R T U W–Y; characters 3–8 are digits."
    )


async def schools_list(db_session: DbSession) -> list[tuple[int, str]]:
    """Every school as ``(id, name)`` for the sign-up forms (:meth:`CatalogService.school_choices`)."""
    return await CatalogService(db_session).school_choices()


async def city_groups(db_session: DbSession) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every city (地级) grouped by its province, for the employer's place (GB/T 2260)."""
    rows = await CatalogService(db_session).provinces_and_cities(include_retired=False)
    groups: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for code, name, level in rows:
        if level == RegionLevel.PROVINCE:
            groups.setdefault(code[:2], (name, []))
        else:
            groups.setdefault(code[:2], (code[:2], []))[1].append((code, name))
    return [(name, cities) for name, cities in groups.values() if cities]


class SignupPages(Controller):
    """The public sign-up forms. Each answers a success with the same "done" page whether or not
    the e-mail/mobile was already someone's login (nothing is changed then), as the API does."""

    path = "/web/sign-up"
    request_max_body_size = SIGN_IN_BODY_BYTES

    async def _activation_page(
        self,
        page: Page,
        kit: AuthKit,
        db_session: DbSession,
        *,
        status_code: int = 200,
        fresh: bool = False,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        return public_form_page(
            page,
            kit,
            "signup/activate.html",
            status_code=status_code,
            fresh=fresh,
            values=values or {},
            errors=errors or {},
            schools=await schools_list(db_session),
        )

    @get("/", opt=PUBLIC)
    async def form(self, page: PageDep, auth_kit: Kit, db_session: DbSession) -> Template:
        """The ways to sign up, with the roster activation form (school, 学号, the 身份证号)."""
        return await self._activation_page(page, auth_kit, db_session)

    @post("/", opt=PUBLIC_FORM, status_code=200)
    async def activate(
        self,
        request: Request[Any, Any, Any],
        page: PageDep,
        db_session: DbSession,
        auth_kit: Kit,
        data: Annotated[ActivationForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template:
        """Activate by roster details (as ``POST /auth/activate``): the "done" page, or the form again
        with every error at once (400), the one refusal (422, whatever was wrong), 409 already
        activated, 429 too many attempts, 403 an expired or cross-site form."""
        values = kept(data)
        if await public_post_refused(request, auth_kit):
            return await self._activation_page(
                page,
                auth_kit,
                db_session,
                status_code=403,
                fresh=True,
                values=values,
                errors={"_form": page.gettext(EXPIRED_FORM)},
            )
        errors = login_errors(page, data)
        if not data.school_id.isdigit():
            errors["school_id"] = page.gettext("Choose your school.")
        if not data.student_number.strip() or len(data.student_number.strip()) > 32:
            errors["student_number"] = page.gettext("Enter your 学号 as it is on the school's roster.")
        if not typed_id_number(data.id_number):
            errors["id_number"] = page.gettext("Enter your whole 身份证号, 18 characters (the last may be X).")
        if errors:
            return await self._activation_page(
                page, auth_kit, db_session, status_code=400, values=values, errors=errors
            )
        body = ActivateRequest(
            **login_values(data, page),
            school_id=int(data.school_id),
            student_number=data.student_number.strip(),
            id_number=data.id_number,
        )
        failure = await _activate(request, page, db_session, auth_kit, body)
        if failure is not None:
            status, errors = failure
            return await self._activation_page(
                page, auth_kit, db_session, status_code=status, values=values, errors=errors
            )
        return render(page, "signup/done.html", kind="graduate")

    def _trainee_page(
        self,
        page: Page,
        kit: AuthKit,
        *,
        status_code: int = 200,
        fresh: bool = False,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        return public_form_page(
            page,
            kit,
            "signup/trainee.html",
            status_code=status_code,
            fresh=fresh,
            values=values or {},
            errors=errors or {},
        )

    @get("/trainee", opt=PUBLIC)
    async def trainee_form(self, page: PageDep, auth_kit: Kit) -> Template:
        """Registration of an adult trainee without a school roster (name, optional training institution)."""
        return self._trainee_page(page, auth_kit)

    @post("/trainee", opt=PUBLIC_FORM, status_code=200)
    async def trainee(
        self,
        request: Request[Any, Any, Any],
        page: PageDep,
        db_session: DbSession,
        auth_kit: Kit,
        data: Annotated[TraineeForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template:
        """Register an adult trainee (as ``POST /auth/register`` with role ``trainee``, rate-limited
        the same): the "done" page, or the form with every error (400/403/429)."""
        values = kept(data)
        if await public_post_refused(request, auth_kit):
            return self._trainee_page(
                page, auth_kit, status_code=403, fresh=True, values=values, errors={"_form": page.gettext(EXPIRED_FORM)}
            )
        errors = login_errors(page, data)
        if not clean_name(data.name) or len(data.name.strip()) > 100:  # only invisible characters: no name
            errors["name"] = page.gettext("Enter your name (up to 100 characters).")
        if len(data.training_institution.strip()) > 200:
            errors["training_institution"] = page.gettext("Enter at most 200 characters.")
        if errors:
            return self._trainee_page(page, auth_kit, status_code=400, values=values, errors=errors)
        try:
            await auth_kit.limiter.registration(client_ip(request))
        except TooManyRequestsException:
            return self._trainee_page(
                page, auth_kit, status_code=429, values=values, errors={"_form": page.gettext(TOO_MANY)}
            )
        try:
            await SignupService(db_session).register_trainee(
                name=data.name,
                training_institution=data.training_institution.strip() or None,
                **login_values(data, page),
            )
        except LoginTakenError:
            await db_session.rollback()
        return render(page, "signup/done.html", kind="trainee")

    async def _employer_page(
        self,
        page: Page,
        kit: AuthKit,
        db_session: DbSession,
        *,
        status_code: int = 200,
        fresh: bool = False,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        return public_form_page(
            page,
            kit,
            "signup/employer.html",
            status_code=status_code,
            fresh=fresh,
            values=values or {},
            errors=errors or {},
            cities=await city_groups(db_session),
        )

    @get("/employer", opt=PUBLIC)
    async def employer_form(self, page: PageDep, auth_kit: Kit, db_session: DbSession) -> Template:
        """Employer sign-up: company, 统一社会信用代码, city, address, contact person, login."""
        return await self._employer_page(page, auth_kit, db_session)

    @post("/employer", opt=PUBLIC_FORM, status_code=200)
    async def employer(
        self,
        request: Request[Any, Any, Any],
        page: PageDep,
        db_session: DbSession,
        auth_kit: Kit,
        data: Annotated[EmployerForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template:
        """Register an employer and its first member (``AccountService.register``, as
        ``POST /auth/register``): the 统一社会信用代码 is checked (GB 32100-2015 check character) and
        the employer waits for approval. The "done" page, or the form with every error (400),
        409-like errors as field errors (422), 403 expired form, 429 too many."""
        values = kept(data)
        if await public_post_refused(request, auth_kit):
            return await self._employer_page(
                page,
                auth_kit,
                db_session,
                status_code=403,
                fresh=True,
                values=values,
                errors={"_form": page.gettext(EXPIRED_FORM)},
            )
        errors = login_errors(page, data)
        if not data.company.strip() or len(data.company.strip()) > 200:
            errors["company"] = page.gettext("Enter the company's registered name (up to 200 characters).")
        if not data.uscc.strip():
            errors["uscc"] = page.gettext(
                "Enter the company's 统一社会信用代码 (18 characters, on the business licence)."
            )
        else:
            try:
                normalise_uscc(data.uscc)
            except InvalidFieldError as exc:
                errors["uscc"] = uscc_message(page, exc.code)
        if not re.fullmatch(r"\d{6}", data.region_code):
            errors["region_code"] = page.gettext("Choose the city where the company is.")
        if not data.contact_name.strip() or len(data.contact_name.strip()) > 100:
            errors["contact_name"] = page.gettext("Enter the name of the person staff may contact.")
        contact_phone = data.contact_phone.strip()
        if contact_phone and not re.fullmatch(r"[+0-9][0-9 -]{6,19}", contact_phone):
            errors["contact_phone"] = page.gettext("Enter a phone number (digits, spaces and dashes).")
        if len(data.address.strip()) > 300:
            errors["address"] = page.gettext("Enter at most 300 characters.")
        if errors:
            return await self._employer_page(page, auth_kit, db_session, status_code=400, values=values, errors=errors)
        try:
            await auth_kit.limiter.registration(client_ip(request))
        except TooManyRequestsException:
            return await self._employer_page(
                page, auth_kit, db_session, status_code=429, values=values, errors={"_form": page.gettext(TOO_MANY)}
            )
        body = RegisterRequest(
            role="employer",
            **login_values(data, page),
            employer=EmployerSignup(
                name=data.company.strip(),
                uscc=data.uscc.strip(),
                region_code=data.region_code,
                address=data.address.strip() or None,
                contact_name=data.contact_name.strip(),
                contact_phone=contact_phone or None,
            ),
        )
        try:
            await AccountService(db_session).register(body)
        except LoginTakenError:
            await db_session.rollback()
        except (InvalidFieldError, ConflictError) as exc:
            return await self._employer_page(
                page, auth_kit, db_session, status_code=422, values=values, errors=field_errors(page, exc)
            )
        return render(page, "signup/done.html", kind="employer")


async def _activate(
    request: Request[Any, Any, Any], page: Page, db_session: DbSession, kit: AuthKit, body: ActivateRequest
) -> tuple[int, dict[str, str]] | None:
    """Run the API's activation; ``None`` on success, else the status and the page's errors."""
    try:
        await activate_account(request, db_session, kit, body)
    except TooManyRequestsException:
        return 429, {"_form": page.gettext(TOO_MANY)}
    except ActivationRefused:
        return 422, {"_form": page.gettext(REFUSED_CODE if body.code is not None else REFUSED_DETAILS)}
    except ConflictError:
        return 409, {"_form": page.gettext(ALREADY)}
    except InvalidFieldError as exc:
        return 422, field_errors(page, exc)
    return None


class ActivationPages(Controller):
    """Activation with an invitation code or link (``/web/activate?code=…``)."""

    path = "/web/activate"
    request_max_body_size = SIGN_IN_BODY_BYTES

    def _page(
        self,
        page: Page,
        kit: AuthKit,
        *,
        status_code: int = 200,
        fresh: bool = False,
        values: dict[str, str] | None = None,
        errors: dict[str, str] | None = None,
    ) -> Template:
        return public_form_page(
            page,
            kit,
            "signup/code.html",
            status_code=status_code,
            fresh=fresh,
            values=values or {},
            errors=errors or {},
        )

    @get("/", opt=PUBLIC)
    async def form(self, page: PageDep, auth_kit: Kit) -> Template:
        """The code form; the link on an invitation sheet fills the code in (``?code=``)."""
        code = (page.request.query_params.get("code") or "")[:40]
        return self._page(page, auth_kit, values={"code": code})

    @post("/", opt=PUBLIC_FORM, status_code=200)
    async def activate(
        self,
        request: Request[Any, Any, Any],
        page: PageDep,
        db_session: DbSession,
        auth_kit: Kit,
        data: Annotated[CodeForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template:
        """Spend the code and create the account bound to its roster record (``POST /auth/activate``
        with ``code``): the "done" page, or the form with the errors (400; 422 the one refusal for
        an unknown, used or expired code; 409; 429; 403)."""
        values = kept(data)
        if await public_post_refused(request, auth_kit):
            return self._page(
                page, auth_kit, status_code=403, fresh=True, values=values, errors={"_form": page.gettext(EXPIRED_FORM)}
            )
        errors = login_errors(page, data)
        if not data.code.strip() or len(data.code) > 40:
            errors["code"] = page.gettext("Enter the invitation code from your school (12 letters and digits).")
        if errors:
            return self._page(page, auth_kit, status_code=400, values=values, errors=errors)
        failure = await _activate(
            request, page, db_session, auth_kit, ActivateRequest(**login_values(data, page), code=data.code.strip())
        )
        if failure is not None:
            return self._page(page, auth_kit, status_code=failure[0], values=values, errors=failure[1])
        return render(page, "signup/done.html", kind="graduate")


QueueStatusQ = Annotated[str, QueryParameter(pattern=r"^(pending|refused|approved)$")]
CityQ = Annotated[str | None, QueryParameter(pattern=r"^\d{6}$", description="city code (GB/T 2260)")]
NameQ = Annotated[str | None, QueryParameter(max_length=100, description="part of the employer's name")]
QueuePageQ = Annotated[int, QueryParameter(name="page", ge=1, le=100_000)]


async def _queue_page(
    page: Page,
    db_session: DbSession,
    *,
    status: str,
    city: str | None = None,
    q: str | None = None,
    page_number: int = 1,
    status_code: int = 200,
    error: tuple[int, str] | None = None,
) -> Template:
    """The approval queue page: one page of :meth:`VerificationService.queue` (the API's
    method), the cities the caller's queue has employers in (for the filter) and the paging links."""
    service = VerificationService(db_session, page.user)
    items, total = await service.queue(
        status=status, limit=QUEUE_PAGE, offset=(page_number - 1) * QUEUE_PAGE, region_code=city, q=q
    )
    codes = {e.region_code for e in items if e.region_code}
    regions = await CatalogService(db_session).region_names(codes)
    rows = [
        {
            "employer": e,
            "region": regions.get(e.region_code or "", e.region_code),
            "check": uscc_check(e.uscc),
            "same_province": uscc_region_matches(e.uscc, e.region_code),
        }
        for e in items
    ]
    cities = await service.queue_cities()
    params = {
        k: v
        for k, v in {
            "status": status if status != "pending" else None,
            "city": city,
            "q": (q or "").strip() or None,
        }.items()
        if v
    }
    return render(
        page,
        "signup/queue.html",
        status_code=status_code,
        rows=rows,
        total=total,
        status=status,
        decided=page.request.query_params.get("decided"),
        error=error,
        cities=cities,
        city=city,
        q=q or "",
        page_number=page_number,
        pages=max(1, -(-total // QUEUE_PAGE)),
        query=urlencode(params),
    )


class VerificationPages(Controller):
    """The employer's verification status, and the staff's approval queue."""

    path = "/web"

    @get("/verification", guards=[require_roles(Role.EMPLOYER)])
    async def status(self, page: PageDep, db_session: DbSession) -> Template:
        """The member's employer: pending, approved or refused (with the reason), and what it means."""
        employer = await EmployerService(db_session).get(page.user.employer_id or 0)
        return render(page, "signup/verification.html", employer=employer, status=VerificationStatus.of(employer))

    @get("/employers/queue", guards=STAFF_ONLY)
    async def queue(
        self,
        page: PageDep,
        db_session: DbSession,
        status: QueueStatusQ = "pending",
        city: CityQ = None,
        q: NameQ = None,
        page_number: QueuePageQ = 1,
    ) -> Template:
        """Employers the caller may approve (``GET /employers/verification-queue``): ``?status=``
        pending (default), refused or approved, ``?city=`` (a city code: its counties too) and
        ``?q=`` (part of the name), 50 a page (``?page=``), with how many match; the details, the
        contact person and the 统一社会信用代码 check for each."""
        return await _queue_page(page, db_session, status=status, city=city, q=q, page_number=page_number)

    @post("/employers/{employer_id:int}/approve", guards=STAFF_ONLY, status_code=303)
    async def approve(self, page: PageDep, db_session: DbSession, employer_id: FromPath[int]) -> Any:
        """Approve (``VerificationService.verify``, as ``POST /employers/{id}/verify``): the members are
        notified, the decision audited; 303 back to the queue. 403/404 pages as the API."""
        service = VerificationService(db_session, page.user, page.request)
        await service.verify(await service.to_decide(employer_id))
        return see_other("/web/employers/queue?decided=approved", page)

    @post("/employers/{employer_id:int}/refuse", guards=STAFF_ONLY, status_code=303)
    async def refuse(
        self,
        page: PageDep,
        db_session: DbSession,
        employer_id: FromPath[int],
        data: Annotated[RefusalForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Any:
        """Refuse with a reason (``VerificationService.refuse``, as ``POST /employers/{id}/refuse``);
        303 back to the queue; a blank reason: the queue again with the error (422)."""
        service = VerificationService(db_session, page.user, page.request)
        employer = await service.to_decide(employer_id)
        if len(" ".join(data.reason.split())) < 2 or len(data.reason) > 500:
            reason = page.gettext("Give the reason for the refusal (2 to 500 characters): the employer reads it.")
            return await _queue_page(
                page, db_session, status=VerificationStatus.of(employer), status_code=422, error=(employer.id, reason)
            )
        await service.refuse(employer, data.reason)
        return see_other("/web/employers/queue?decided=refused", page)


class InvitationPages(Controller):
    """Invitations (school staff) and the share of graduates activated (staff)."""

    path = "/web/activation-codes"
    guards = STAFF_ONLY

    @get("/")
    async def overview(self, page: PageDep, db_session: DbSession) -> Template:
        """The share activated per school, cohort and class of the schools the caller may see; for
        school staff also the form that makes a class's invitation sheet."""
        p = page.user
        service = InvitationService(db_session)
        shares = await service.shares_in(schools_clause(p))
        classes = await service.classes(p.school_id) if p.role is Role.SCHOOL and p.school_id else []
        return render(
            page,
            "signup/invitations.html",
            shares=shares,
            classes=classes,
            can_invite=p.role is Role.SCHOOL,
            values={"days": str(DEFAULT_INVITATION_DAYS)},
            errors={},
            max_days=MAX_INVITATION_DAYS,
        )

    @post("/", status_code=200, guards=[require_roles(Role.SCHOOL)])
    async def create(
        self,
        page: PageDep,
        db_session: DbSession,
        data: Annotated[InvitationForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template:
        """New codes for the chosen cohort/class (``POST /schools/{id}/invitations``'s service
        method) and the printable sheet, one slip per graduate — shown once: the service keeps
        only the codes' hashes. 422 with the form for bad input."""
        p = page.user
        ensure_allowed(p.school_id is not None, "invite graduates")
        assert p.school_id is not None
        # the check of POST /schools/{id}/invitations: 404 unknown school, 403 one the caller may not manage
        school = await school_for_invitations(db_session, page.request, p.school_id)
        errors: dict[str, str] = {}
        cohort = int(data.cohort) if data.cohort.isdigit() and 1950 <= int(data.cohort) <= 2100 else None
        if data.cohort and cohort is None:
            errors["cohort"] = page.gettext("Choose a cohort (a year).")
        days = int(data.days) if data.days.isdigit() else 0
        if not 1 <= days <= MAX_INVITATION_DAYS:
            errors["days"] = page.gettext("An invitation is valid for 1 to %(n)s days.") % {"n": MAX_INVITATION_DAYS}
        if errors:
            service = InvitationService(db_session)
            return render(
                page,
                "signup/invitations.html",
                status_code=422,
                shares=await service.shares([school.id]),
                classes=await service.classes(school.id),
                can_invite=True,
                values=kept(data),
                errors=errors,
                max_days=MAX_INVITATION_DAYS,
            )
        issued = await InvitationService(db_session, p, page.request).issue(
            school.id, cohort, data.class_name.strip() or None, days
        )
        base = str(page.request.base_url).rstrip("/")
        slips = [{"item": i, "code": printable(i.code), "link": f"{base}/web/activate?code={i.code}"} for i in issued]
        return render(
            page,
            "signup/sheet.html",
            school=school,
            slips=slips,
            cohort=cohort,
            class_name=data.class_name.strip() or None,
            days=days,
        )


ROUTE_HANDLERS = [SignupPages, ActivationPages, VerificationPages, InvitationPages]
