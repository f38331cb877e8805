"""HTTP endpoints for sign-up: roster activation (``POST /auth/activate``), invitations and the
share activated (``/schools/{id}/invitations``, ``/schools/{id}/activation``). (The employer
approval queue is in :mod:`service.employers.controllers`.) The web pages (:mod:`service.web.signup_pages`) call the same service methods."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from service.accounts.hardening import require_json
from service.accounts.models import Role
from service.accounts.schemas import AccountAccepted, ActivateRequest
from service.accounts.service import LoginTakenError
from service.accounts.setup import AuthKit
from service.auth.guards import can_manage_school, current_principal, ensure_allowed, require_roles
from service.auth.scoping import schools_clause
from service.catalog.models import School
from service.errors import NotFoundError
from service.inputs import SIGN_IN_BODY_BYTES
from service.pagination import DbSession
from service.signup.schemas import ActivationShareRead, InvitationCreate, InvitationRead
from service.signup.service import (
    ActivationRefused,
    InvitationService,
    SignupService,
    printable,
    roster_number,
)

PUBLIC = {"exclude_from_auth": True}
STAFF = [require_roles(Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)]
#: The answer to an activation that made the account — or would have, but the e-mail or mobile
#: number already signs in to another account (nothing changed): the same either way.
ACTIVATED = AccountAccepted(
    detail=(
        "accepted: unless this e-mail address or mobile number already belongs to an account, your account is now "
        "bound to your school's roster record and signs in at POST /auth/login / 已受理：该邮箱或手机号如尚未注册，"
        "账号已与学校名册记录绑定，可直接登录；如已注册则未作任何改动"
    )
)


def client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def activation_key(data: ActivateRequest, ip: str) -> tuple[str, str]:
    """The limiter key of an activation attempt: the (school, 学号) tried, or the client for codes
    (a code names no one before it is found)."""
    if data.code is not None:
        return "activate-code", ip
    return "activate", f"{data.school_id}:{roster_number(data.student_number or '')}"


async def activate_account(
    request: Request[Any, Any, Any], db_session: DbSession, kit: AuthKit, data: ActivateRequest
) -> None:
    """Rate-limited activation shared by the API and the pages: every attempt counts against the
    client address (as registrations do); failures also against the (school, 学号) tried — or,
    for codes, the address — with the sign-in failure windows. Raises as
    :meth:`SignupService.activate`; a taken login is swallowed after rolling back."""
    ip = client_ip(request)
    await kit.limiter.registration(ip)
    kind, key = activation_key(data, ip)
    await kit.limiter.target_open(kind, key)
    try:
        await SignupService(db_session).activate(
            password=data.password,
            email=data.email,
            phone=data.phone,
            school_id=data.school_id,
            student_number=data.student_number,
            id_number=data.id_number,
            code=data.code,
            language=data.language,
        )
    except ActivationRefused:
        await kit.limiter.target_failed(kind, key)
        raise
    except LoginTakenError:
        await db_session.rollback()  # the spent code comes back


@post(
    "/auth/activate",
    summary="Activate a roster graduate's account",
    tags=["auth"],
    opt=PUBLIC,
    guards=[require_json],
    status_code=202,
    request_max_body_size=SIGN_IN_BODY_BYTES,
)
async def activate(
    request: Request[Any, Any, Any],
    db_session: DbSession,
    auth_kit: NamedDependency[AuthKit],
    data: JSONBody[ActivateRequest],
) -> AccountAccepted:
    """A graduate on a school's roster creates their account, bound to that record (never a second
    profile): with ``school_id``, ``student_number`` (学号) and ``id_number`` (the whole 身份证号,
    check digit verified), or with an invitation ``code`` from the school (single use,
    expiring). Then sign in at ``POST /auth/login``.

    202 with the same body whether the e-mail/mobile was free (the account now exists) or already
    someone's (nothing changed). Errors: 422 with one message for every unidentified record —
    unknown school or 学号, a wrong 身份证号, a record without 身份证号; unknown, used or
    expired code — so nothing tells whether a student exists or which detail was wrong; 422 a
    missing detail or no e-mail/phone; 409 the record already has an account; 429 with
    ``Retry-After`` after ``VOCMATCH_REGISTER_RATE_PER_IP`` attempts from one address, or after
    ``VOCMATCH_LOGIN_RATE_PER_ACCOUNT`` failures for one (school, 学号)."""
    await activate_account(request, db_session, auth_kit, data)
    return ACTIVATED


async def school_for_invitations(db_session: DbSession, request: Request[Any, Any, Any], school_id: int) -> School:
    """The school whose invitations the caller manages (its staff, the admin). 404 unknown; 403 other."""
    school = await db_session.get(School, school_id)
    if school is None:
        raise NotFoundError("school", school_id)
    ensure_allowed(can_manage_school(current_principal(request), school), f"invite the graduates of school {school_id}")
    return school


def invitation_read(request: Request[Any, Any, Any], item: Any) -> InvitationRead:
    base = str(request.base_url).rstrip("/")
    return InvitationRead(
        graduate_id=item.graduate_id,
        name=item.name,
        student_number=item.student_number,
        class_name=item.class_name,
        code=printable(item.code),
        link=f"{base}/web/activate?code={item.code}",
        expires_at=item.expires_at,
    )


@post(
    "/schools/{school_id:int}/invitations",
    summary="Invite a cohort's or class's graduates to activate",
    tags=["schools"],
    guards=[require_roles(Role.SCHOOL, Role.ADMIN)],
    status_code=201,
)
async def create_invitations(
    request: Request[Any, Any, Any], db_session: DbSession, school_id: FromPath[int], data: JSONBody[InvitationCreate]
) -> list[InvitationRead]:
    """One new code and link for every graduate of the school's roster (of ``cohort``/``class_name``
    when given) without an account, valid ``days`` (default 30); older unused codes of the same
    graduates stop working. The codes are in this answer only (the service keeps their SHA-256).
    Audited. Errors: 403 another school's staff and other roles; 404 unknown school; 422 ``days``."""
    await school_for_invitations(db_session, request, school_id)
    service = InvitationService(db_session, current_principal(request), request)
    issued = await service.issue(school_id, data.cohort, data.class_name, data.days)
    return [invitation_read(request, item) for item in issued]


@get(
    "/schools/{school_id:int}/activation",
    summary="Share of graduates with an activated account",
    tags=["schools"],
    guards=STAFF,
)
async def activation_shares(
    request: Request[Any, Any, Any], db_session: DbSession, school_id: FromPath[int]
) -> list[ActivationShareRead]:
    """Per cohort and class: graduates on the roster, how many activated an account, the share.
    School staff their own school, department admins schools in their region, the admin any;
    404 for a school outside the caller's (the same as an unknown one)."""
    from sqlalchemy import select

    p = current_principal(request)
    visible = (await db_session.execute(select(School.id).where(School.id == school_id, schools_clause(p)))).first()
    if visible is None:
        raise NotFoundError("school", school_id)
    shares = await InvitationService(db_session).shares([school_id])
    return [
        ActivationShareRead(
            school_id=s.school_id,
            school_name=s.school_name,
            cohort=s.cohort,
            class_name=s.class_name,
            graduates=s.graduates,
            activated=s.activated,
            share=round(s.share, 4),
        )
        for s in shares
    ]


ROUTES = [activate, create_invitations, activation_shares]
