"""First accounts: the system admin (``vocmatch users create-admin``) and, for a development
install on the embedded default secret only, one sample account per role (``vocmatch seed``).

Nobody can sign up as staff: the first admin comes from the command line, and everyone else is
created by an account above them (``POST /auth/users``) or registers as a graduate or employer.
"""

from __future__ import annotations

from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.accounts.schemas import Email, Password
from service.accounts.service import AccountService
from service.catalog.models import School
from service.employers.models import Employer
from service.errors import InvalidFieldError
from service.graduates.models import Graduate
from service.sample.loader import SAMPLE_SOURCE

#: Password of every sample account. Published in README.md, so sample accounts are only ever
#: made on the embedded default secret (``VOCMATCH_SECRET_KEY`` unset: a development install).
SAMPLE_PASSWORD = "vocmatch-sample-2026"
#: The sample department admin's region: 广东省 (the sample's schools are all in Guangdong).
SAMPLE_REGION = "440000"


class _AdminInput(msgspec.Struct):
    email: Email
    password: Password


async def create_admin(session: AsyncSession, email: str, password: str) -> User:
    """A new active system admin with ``email`` (stored lower-cased) and an argon2id hash of
    ``password``. Flushes; the caller commits.

    Raises:
        InvalidFieldError: not an e-mail address, or a password outside 8–128 characters (field named).
        ConflictError: the e-mail address is already registered.
    """
    try:
        data = msgspec.convert({"email": email, "password": password}, _AdminInput)
    except msgspec.ValidationError as exc:
        field = "password" if "password" in str(exc) else "email"
        raise InvalidFieldError(field, str(exc)) from exc
    return await AccountService(session).new_user(Role.ADMIN, data.password, data.email, None)


async def create_sample_accounts(session: AsyncSession) -> list[tuple[str, str, str]]:
    """One account per role on the loaded sample, all with :data:`SAMPLE_PASSWORD`; accounts that
    already exist are kept as they are (idempotent). Call only for the embedded default secret.

    Returns ``[(login e-mail, role, scope)]`` for every sample account, new or existing.
    """
    graduate = await session.scalar(
        select(Graduate)
        .where(Graduate.source == SAMPLE_SOURCE, Graduate.school_id.is_not(None))
        .order_by(Graduate.id)
        .limit(1)
    )
    # the school account is the sample graduate's school, so it sees that graduate
    school_query = select(School).order_by(School.id).limit(1)
    if graduate is not None:
        school_query = select(School).where(School.id == graduate.school_id)
    school = await session.scalar(school_query)
    employer = await session.scalar(
        select(Employer)
        .where(Employer.source == SAMPLE_SOURCE, Employer.verified.is_(True))
        .order_by(Employer.id)
        .limit(1)
    )
    wanted: list[tuple[str, Role, dict[str, Any], str]] = [("admin@sample.vocmatch.cn", Role.ADMIN, {}, "everything")]
    if school is not None:
        wanted.append(("school@sample.vocmatch.cn", Role.SCHOOL, {"school_id": school.id}, f"school {school.name}"))
    wanted.append(
        ("department@sample.vocmatch.cn", Role.DEPARTMENT, {"region_code": SAMPLE_REGION}, f"region {SAMPLE_REGION}")
    )
    if employer is not None:
        wanted.append(
            ("employer@sample.vocmatch.cn", Role.EMPLOYER, {"employer_id": employer.id}, f"employer {employer.name}")
        )
    if graduate is not None:
        wanted.append(
            ("graduate@sample.vocmatch.cn", Role.GRADUATE, {"graduate_id": graduate.id}, f"graduate {graduate.id}")
        )
    service = AccountService(session)
    out = []
    for email, role, scope, label in wanted:
        if await session.scalar(select(User.id).where(User.email == email)) is None:
            if (
                role is Role.GRADUATE
                and await session.scalar(select(User.id).where(User.graduate_id == scope["graduate_id"])) is not None
            ):
                continue  # that graduate already has an account of their own
            await service.new_user(role, SAMPLE_PASSWORD, email, None, **scope)
        out.append((email, role.value, label))
    return out
