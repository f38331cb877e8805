"""Account rules: registration, provisioning by scope, login sessions with rotating refresh tokens.

Flushes only; the request transaction commits (a refused refresh revokes the session and is
committed by the caller before the 401 is sent — see the controller).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import msgspec
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import (
    ROTATED_KEPT,
    SCOPE_COLUMN,
    AuthSession,
    Role,
    User,
    new_session_public_id,
)
from service.accounts.repository import AccountRepository
from service.accounts.schemas import RegisterRequest, UserCreate, UserRead
from service.accounts.security import (
    hash_password,
    needs_rehash,
    new_refresh_secret,
    refresh_matches,
    split_refresh_token,
    verify_password,
    was_rotated_away,
)
from service.auth.guards import Principal, can_read_employer, can_read_graduate, region_contains
from service.catalog.models import Region, School
from service.db import utcnow
from service.employers.models import Employer
from service.employers.schemas import EmployerCreate
from service.employers.service import EmployerService
from service.errors import ConflictError, InvalidFieldError
from service.graduates.models import Graduate, SeekerKind
from service.graduates.schemas import GraduateCreate
from service.graduates.service import GraduateService
from service.inputs import NAME_INVISIBLE, clean_name

_PHONE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
BAD_LOGIN = "wrong login name or password"
BAD_REFRESH = "refresh token is invalid, expired or revoked; sign in again"

#: Which roles each role may create accounts for (always within its own scope).
MAY_CREATE: dict[Role, frozenset[Role]] = {
    Role.ADMIN: frozenset(Role),
    Role.DEPARTMENT: frozenset({Role.DEPARTMENT, Role.SCHOOL}),
    Role.SCHOOL: frozenset({Role.SCHOOL, Role.GRADUATE}),
    Role.EMPLOYER: frozenset({Role.EMPLOYER}),
    Role.GRADUATE: frozenset(),
}


def _article(word: str) -> str:
    """``a`` or ``an`` for an English ``word`` (by its first letter; enough for role names)."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def normalise_login(value: str) -> tuple[str | None, str | None]:
    """A login name → ``(email, phone)``: an e-mail is lower-cased; a mobile number loses spaces,
    dashes and a +86 prefix. Exactly one of the two is set (the phone may not be a valid number:
    it then simply matches nobody)."""
    text = value.strip()
    if "@" in text:
        return text.lower(), None
    digits = re.sub(r"[\s-]", "", text)
    match = _PHONE.match(digits)
    return None, match.group(1) if match else digits


def to_read(u: User) -> UserRead:
    return UserRead(
        id=u.id,
        role=u.role,
        email=u.email,
        phone=u.phone,
        graduate_id=u.graduate_id,
        employer_id=u.employer_id,
        school_id=u.school_id,
        region_code=u.region_code,
        active=u.active,
        created_at=u.created_at,
        last_login_at=u.last_login_at,
    )


class AccountService:
    """Create users, open and rotate login sessions. Flushes; the caller's transaction commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = AccountRepository(session)

    async def new_user(
        self,
        role: Role,
        password: str,
        email: str | None,
        phone: str | None,
        language: str = "zh_Hans",
        **scope: object,
    ) -> User:
        """Store an account with an argon2id hash of ``password``, the role's scope id (not
        checked here: callers do) and the notification ``language``. 422 no login name / bad
        phone, 409 login taken."""
        email, phone = await self._check_login_free(email, phone)
        user = User(
            role=role, email=email, phone=phone, password_hash=await hash_password(password), language=language, **scope
        )
        self.session.add(user)
        await self.session.flush()
        await self.session.refresh(user)
        return user

    async def register(self, data: RegisterRequest) -> User:
        """Self-registration: a graduate with a new profile, an adult trainee (``trainee``: a new
        profile of kind ``adult_trainee`` with the training institution), or an employer member
        with a new, unverified employer. (Roster graduates activate instead:
        :meth:`service.signup.service.SignupService.activate`.)

        Every check that does not concern the login name runs first, and the profile is created,
        before the login name is looked up, so a taken address costs the same work and gets the
        same errors as a free one.

        Raises:
            InvalidFieldError: 422, the role's section (``graduate`` / ``employer``) is missing,
                no e-mail or phone, or the employer's ``uscc`` / ``region_code`` is invalid.
            ConflictError: 409, the employer's 统一社会信用代码 is already registered (a fact about
                the business, not the person).
            LoginTakenError: the e-mail or phone is already someone's login. The caller must roll
                the transaction back (the profile created goes with it) and answer exactly as for
                a new account, so the answer never tells whether an address is registered.
        """
        if data.role == "graduate" and data.graduate is None:
            raise InvalidFieldError("graduate", 'required for role graduate: {"name": …}')
        if data.role == "employer" and data.employer is None:
            raise InvalidFieldError("employer", 'required for role employer: {"name": …}')
        if data.role == "trainee" and data.trainee is None:
            raise InvalidFieldError("trainee", 'required for role trainee: {"name": …, "training_institution": …}')
        email, phone = self._login_names(data.email, data.phone)
        if data.role == "trainee":
            assert data.trainee is not None
            institution = clean_name(data.trainee.training_institution or "") or None
            name = clean_name(data.trainee.name)
            if not name:
                raise InvalidFieldError("trainee.name", NAME_INVISIBLE)
            trainee = Graduate(
                name=name,
                kind=SeekerKind.ADULT_TRAINEE,
                training_institution=institution,
            )
            self.session.add(trainee)
            await self.session.flush()
            scope: dict[str, object] = {"graduate_id": trainee.id}
        elif data.role == "graduate":
            assert data.graduate is not None
            graduate = await GraduateService(self.session).create(GraduateCreate(name=data.graduate.name))
            scope = {"graduate_id": graduate.id}
        else:
            assert data.employer is not None
            fields = msgspec.structs.asdict(data.employer)
            employer = await EmployerService(self.session).create(EmployerCreate(**fields))  # unverified
            scope = {"employer_id": employer.id}
        await self._refuse_taken_login(email, phone, data.password)
        role = Role.EMPLOYER if data.role == "employer" else Role.GRADUATE
        return await self.new_user(role, data.password, email, phone, data.language, **scope)

    async def _refuse_taken_login(self, email: str | None, phone: str | None, password: str) -> None:
        """Raise :class:`LoginTakenError` when ``email`` or ``phone`` is someone's login — after
        hashing ``password`` as a new account would, so the answer takes as long either way."""
        if await self.repo.login_taken(email, phone) is not None:
            await hash_password(password)
            raise LoginTakenError

    @staticmethod
    def _login_names(email: str | None, phone: str | None) -> tuple[str | None, str | None]:
        """Normalised ``(email, phone)``; 422 when both are missing or the phone is no mobile number."""
        if email is None and phone is None:
            raise InvalidFieldError("email", "give an e-mail address or a mobile number (phone)")
        email = email.strip().lower() if email else None
        phone = normalise_login(phone)[1] if phone else None
        if phone is not None and not _MOBILE.match(phone):
            raise InvalidFieldError("phone", "not a mainland mobile number: 11 digits starting 13–19")
        return email, phone

    async def _check_login_free(self, email: str | None, phone: str | None) -> tuple[str | None, str | None]:
        """Normalised ``(email, phone)``; 422 when both are missing, 409 when one is taken (for the
        command line, whose operator may know; HTTP routes use :meth:`_refuse_taken_login`)."""
        email, phone = self._login_names(email, phone)
        taken = await self.repo.login_taken(email, phone)
        if taken is not None:
            raise ConflictError(f"{taken}: already registered", [{"field": taken, "message": "already registered"}])
        return email, phone

    async def provision(self, creator: Principal, data: UserCreate) -> User:
        """Create an account inside the creator's scope: the admin anyone; a department admin school
        staff of schools in its region and department admins of sub-regions; school staff
        colleagues and accounts for their own graduates; an employer member colleagues.

        Raises:
            PermissionDeniedException: 403, the creator may not create this role at all.
            InvalidFieldError: 422, the scope id is missing, extra, unknown, or one the creator may
                not even read (the same message as for an unknown id: nothing leaks); no login
                name, or a phone that is no mobile number.
            PermissionDeniedException: 403 also when the creator may read the scope object (a
                public school or region, a verified employer) but it lies outside their scope.
            ConflictError: 409, the graduate already has an account.
            LoginTakenError: the e-mail or phone is already someone's login: nothing is created
                and the caller answers exactly as for a new account (see :meth:`register`).
        """
        if data.role not in MAY_CREATE[creator.role]:
            raise PermissionDeniedException(
                f"{_article(creator.role.value)} {creator.role.value} account may not create {data.role.value} accounts"
            )
        scope = await self._check_scope(creator, data)
        email, phone = self._login_names(data.email, data.phone)
        await self._refuse_taken_login(email, phone, data.password)
        return await self.new_user(data.role, data.password, email, phone, **scope)

    async def _check_scope(self, creator: Principal, data: UserCreate) -> dict[str, Any]:
        wanted = SCOPE_COLUMN[data.role]
        given = {c: getattr(data, c) for c in ("graduate_id", "employer_id", "school_id", "region_code")}
        for column, value in given.items():
            if column != wanted and value is not None:
                raise InvalidFieldError(column, f"not used for role {data.role.value}")
        if wanted is None:
            return {}
        value = given[wanted]
        if value is None:
            raise InvalidFieldError(wanted, f"required for role {data.role.value}")
        found, usable = await self._in_scope(creator, wanted, value)
        if not found:
            raise InvalidFieldError(wanted, f"{value} does not exist")
        if not usable:
            raise PermissionDeniedException(
                f"{wanted} {value} is outside your scope: you may not create accounts for it"
            )
        if wanted == "graduate_id" and await self.repo.graduate_has_account(int(value)):
            raise ConflictError(
                f"graduate_id: graduate {value} already has an account",
                [{"field": "graduate_id", "message": "already has an account"}],
            )
        return {wanted: value}

    async def _in_scope(self, creator: Principal, column: str, value: object) -> tuple[bool, bool]:
        """``(found, usable)`` for scope id ``value`` of ``column``: ``found`` — it exists and the
        creator may read it (otherwise the answer is the 422 of an unknown id, so nothing leaks);
        ``usable`` — the creator may also create accounts for it (otherwise 403)."""
        admin = creator.role is Role.ADMIN
        if column == "graduate_id":
            graduate = await self.session.get(Graduate, value)
            if graduate is None:
                return False, False
            school = await self.session.get(School, graduate.school_id) if graduate.school_id is not None else None
            seen = can_read_graduate(creator, graduate, school_region=school.region_code if school else None)
            return seen, admin or graduate.school_id == creator.school_id
        if column == "employer_id":
            employer = await self.session.get(Employer, value)
            if employer is None:
                return False, False
            return can_read_employer(creator, employer), admin or employer.id == creator.employer_id
        if column == "school_id":  # schools are public reference data
            school = await self.session.get(School, value)
            if school is None:
                return False, False
            return True, admin or school.id == creator.school_id or region_contains(
                creator.region_code, school.region_code
            )
        region = await self.session.get(Region, value)  # regions too
        if region is None:
            return False, False
        return True, admin or region_contains(creator.region_code, str(value))

    async def authenticate(self, login: str, password: str) -> User:
        """The active user with this login name and password.

        Raises:
            NotAuthorizedException: 401 with one message for every failure (no account, wrong
                password, deactivated), so the answer does not reveal which accounts exist.
        """
        email, phone = normalise_login(login)
        user = await self.repo.by_login(email, phone)
        ok = await verify_password(user.password_hash if user else None, password)
        if user is None or not ok or not user.active:
            raise NotAuthorizedException(BAD_LOGIN)
        if needs_rehash(user.password_hash):  # made with older parameters: upgrade it now
            user.password_hash = await hash_password(password)
        return user

    async def open_session(
        self, user: User, ttl_seconds: int, user_agent: str | None, client_ip: str | None
    ) -> tuple[AuthSession, str]:
        """A new login session; returns it with its refresh token ``"<public id>.<secret>"``."""
        secret, digest = new_refresh_secret()
        now = utcnow()
        auth_session = AuthSession(
            public_id=new_session_public_id(),
            user_id=user.id,
            refresh_hash=digest,
            rotated_hashes=[],
            created_at=now,
            last_used_at=now,
            expires_at=now + dt.timedelta(seconds=ttl_seconds),
            user_agent=(user_agent or "")[:300] or None,
            client_ip=client_ip,
        )
        user.last_login_at = now
        self.session.add(auth_session)
        await self.session.flush()
        return auth_session, f"{auth_session.public_id}.{secret}"

    async def rotate(self, refresh_token: str) -> tuple[AuthSession, str]:
        """Trade a refresh token for a new one (the old one stops working).

        Raises:
            NotAuthorizedException: 401, malformed, unknown, expired or revoked token, a secret that
                was never issued for the session (changes nothing: a forger cannot end anyone's
                session), or an inactive user.
            RefreshReuseError: 401 too, for a secret that was issued for the session and already
                rotated away: it has been copied, so the whole session is revoked (RFC 9700
                §4.14.2); the caller must commit before answering.
        """
        parts = split_refresh_token(refresh_token)
        auth_session = await self.repo.session_by_public_id(parts[0]) if parts else None
        if parts is None or auth_session is None:
            raise NotAuthorizedException(BAD_REFRESH)
        now = utcnow()
        if not refresh_matches(auth_session, parts[1]):
            if auth_session.revoked_at is None and was_rotated_away(auth_session, parts[1]):
                auth_session.revoked_at = now
                await self.session.flush()
                raise RefreshReuseError(BAD_REFRESH)
            raise NotAuthorizedException(BAD_REFRESH)
        user = await self.repo.get(auth_session.user_id)
        if auth_session.revoked_at is not None or auth_session.expires_at <= now or user is None or not user.active:
            raise NotAuthorizedException(BAD_REFRESH)
        secret, digest = new_refresh_secret()
        auth_session.rotated_hashes = [*auth_session.rotated_hashes, auth_session.refresh_hash][-ROTATED_KEPT:]
        auth_session.refresh_hash = digest
        auth_session.last_used_at = now
        await self.session.flush()
        return auth_session, f"{auth_session.public_id}.{secret}"

    async def close_session(self, refresh_token: str) -> None:
        """Revoke the session of a refresh token (logout); unknown, made-up or rotated-away tokens
        are ignored."""
        parts = split_refresh_token(refresh_token)
        auth_session = await self.repo.session_by_public_id(parts[0]) if parts else None
        if parts and auth_session is not None and refresh_matches(auth_session, parts[1]):
            auth_session.revoked_at = auth_session.revoked_at or utcnow()
            await self.session.flush()

    async def end_session(self, session_id: int) -> None:
        """Revoke login session ``session_id`` (the pages' sign-out, which knows the session from the
        access token rather than a refresh token); as :meth:`close_session`, its refresh token and
        every access token issued in it stop working at once. Unknown or already revoked: nothing."""
        auth_session = await self.repo.get_session(session_id)
        if auth_session is not None and auth_session.revoked_at is None:
            auth_session.revoked_at = utcnow()
            await self.session.flush()


class LoginTakenError(Exception):
    """The e-mail or phone of a new account is already someone's login. Not an HTTP error: the
    route rolls back and answers as for a free one (no membership oracle)."""


class RefreshReuseError(NotAuthorizedException):
    """A rotated-away refresh token came back: its session was revoked (commit, then answer 401)."""
