"""Sign-up rules: activation of roster graduates (by roster details or by invitation), adult
trainees' registration, and the schools' invitations and activation figures.

Activation never creates a graduate: the account is bound to the roster record (``users.graduate_id``,
unique, so one record has at most one account). Every failure to identify the record — unknown
school or 学号, a wrong 身份证号 ending, a record without a 身份证号, an unknown, used, revoked or
expired code — raises the one :class:`ActivationRefused`, after the same work (a password hash),
so the answer tells nobody whether a student exists or which detail was wrong.

Flushes only; the request transaction commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.accounts.repository import AccountRepository
from service.accounts.security import hash_password
from service.accounts.service import AccountService, LoginTakenError
from service.auth.guards import Principal
from service.db import utcnow
from service.errors import ConflictError, InvalidFieldError
from service.graduates.identity import normalise_id_number
from service.graduates.models import Graduate
from service.privacy.audit import record as audit_record
from service.privacy.models import AuditAction
from service.signup.models import ActivationCode
from service.signup.schemas import DEFAULT_INVITATION_DAYS, MAX_INVITATION_DAYS

#: Crockford's Base32 alphabet (https://www.crockford.com/base32.html): no I, L, O or U, so a code
#: read aloud or copied from paper is not mistyped; 12 characters carry 60 random bits.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
#: Crockford's decoding of look-alikes typed by hand.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
#: The one answer to a failed activation (what to check, never which part was wrong).
REFUSED_DETAILS = (
    "these details do not match a roster record that can be activated: check the school, the 学号 "
    "and the 身份证号, or ask your school for an invitation code"
)
REFUSED_CODE = (
    "this invitation code cannot be used: check it for typos; a code works once and only until its "
    "expiry date — ask your class teacher for a new one"
)


class ActivationRefused(InvalidFieldError):
    """422: the details or the code identify no roster record that can be activated (one message
    for every reason: no membership oracle)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(field, message)


def normalise_code(text: str) -> str:
    """A code as typed (any case, spaces, dashes, full-width characters, O/I/L for 0/1) → its
    canonical 12 characters, or ``""`` when it cannot be one."""
    folded = unicodedata.normalize("NFKC", text).upper().translate(_LOOK_ALIKES)
    code = "".join(ch for ch in folded if ch not in " -_")
    return code if len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code) else ""


def code_hash(code: str) -> str:
    """SHA-256 (hex) of a canonical code: what the database keeps. A code has 60 random bits, so
    a plain hash suffices (no password stretching needed; OWASP Forgot Password Cheat Sheet:
    store reset tokens hashed)."""
    return hashlib.sha256(code.encode()).hexdigest()


def new_code() -> str:
    """A fresh random code (``secrets``), 12 characters of :data:`CODE_ALPHABET`."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def printable(code: str) -> str:
    """``ABCD1234EFGH`` → ``ABCD-1234-EFGH`` (easier to copy from paper)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def typed_id_number(text: str) -> str:
    """A whole 身份证号 as typed, in its stored form (full-width folded, spaces dropped, check digit
    verified: :func:`service.graduates.identity.normalise_id_number`); ``""`` when it is not one.

    Why the whole number and not its last six characters: staff pages show the last four (issue 14),
    and the two before them are the day of birth, so six characters left about 31 guesses."""
    try:
        return normalise_id_number("".join(unicodedata.normalize("NFKC", text).split()))
    except InvalidFieldError:
        return ""


def roster_number(text: str) -> str:
    """A 学号 as typed, in the form the roster lookup and the attempt limit both use (NFKC: full-width
    and other look-alike digits fold to ASCII, so a variant is the same 学号, not a fresh allowance)."""
    return unicodedata.normalize("NFKC", text).strip()


@dataclass(frozen=True)
class IssuedInvitation:
    """One code made for one graduate (the code exists only here: the database keeps its hash)."""

    graduate_id: int
    name: str
    student_number: str | None
    class_name: str | None
    code: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class ActivationShare:
    """Graduates of one school, cohort and class and how many of them have an account."""

    school_id: int
    school_name: str
    cohort: int | None
    class_name: str | None
    graduates: int
    activated: int

    @property
    def share(self) -> float:
        return self.activated / self.graduates if self.graduates else 0.0


class SignupService:
    """Activation and trainee registration. Flushes; the caller's transaction commits."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.accounts = AccountService(session)

    async def activate(
        self,
        *,
        password: str,
        email: str | None,
        phone: str | None,
        school_id: int | None = None,
        student_number: str | None = None,
        id_number: str | None = None,
        code: str | None = None,
        language: str = "zh_Hans",
    ) -> User:
        """Create the account of a roster graduate, bound to their record, its notifications in
        ``language``.

        Identified either by ``code`` (an invitation, spent by this call) or by ``school_id``,
        ``student_number`` (学号, as on the roster) and ``id_number`` (the whole 身份证号 on the
        roster, compared in constant time).

        Raises:
            InvalidFieldError: 422, neither a code nor all three details given, or no e-mail /
                mobile number (these say what is missing and depend on nothing stored).
            ActivationRefused: 422, the details or code identify no record that can be activated
                (one message whatever the reason, after hashing the password as a success would).
            ConflictError: 409, the record already has an account (only reachable with details
                that are right, so it tells nothing to someone who does not know them).
            LoginTakenError: the e-mail or phone is someone's login: the caller rolls back (the
                spent code comes back) and answers as for a success.
        """
        email, phone = AccountService._login_names(email, phone)
        if code is None and not (school_id and student_number and id_number):
            missing = [
                n
                for n, v in (("school_id", school_id), ("student_number", student_number), ("id_number", id_number))
                if not v
            ]
            raise InvalidFieldError(missing[0], "give the school, the 学号 and the 身份证号 — or an invitation code")
        if code is not None:
            graduate = await self._redeem(code)
            field, message = "code", REFUSED_CODE
        else:
            assert school_id and student_number and id_number
            graduate = await self._by_details(school_id, student_number, id_number)
            field, message = "student_number", REFUSED_DETAILS
        if graduate is None:
            await hash_password(password)  # the same work as a success
            raise ActivationRefused(field, message)
        if await AccountRepository(self.session).graduate_has_account(graduate.id):
            raise ConflictError(
                "this roster record already has an account: sign in, or ask your school to reset it",
                [{"field": field, "message": "already activated"}],
            )
        await self.accounts._refuse_taken_login(email, phone, password)
        return await self.accounts.new_user(Role.GRADUATE, password, email, phone, language, graduate_id=graduate.id)

    async def _by_details(self, school_id: int, student_number: str, id_number: str) -> Graduate | None:
        number = roster_number(student_number)
        graduate = (
            await self.session.execute(
                select(Graduate).where(Graduate.school_id == school_id, Graduate.student_number == number)
            )
        ).scalar_one_or_none()
        stored = graduate.id_number if graduate is not None and graduate.id_number else "\x00" * 18
        matches = hmac.compare_digest(stored.encode(), typed_id_number(id_number).encode())
        return graduate if graduate is not None and graduate.id_number and matches else None

    async def _redeem(self, code: str) -> Graduate | None:
        """Spend the invitation ``code`` (single use: one ``UPDATE … WHERE used_at IS NULL``, so two
        concurrent activations cannot both spend it) and return its graduate; ``None`` for an
        unknown, used, revoked or expired code."""
        canonical = normalise_code(code)
        if not canonical:
            return None
        now = utcnow()
        result = await self.session.execute(
            update(ActivationCode)
            .where(
                ActivationCode.code_hash == code_hash(canonical),
                ActivationCode.used_at.is_(None),
                ActivationCode.revoked_at.is_(None),
                ActivationCode.expires_at > now,
            )
            .values(used_at=now)
            .returning(ActivationCode.graduate_id)
        )
        graduate_id = result.scalar_one_or_none()
        return await self.session.get(Graduate, graduate_id) if graduate_id is not None else None

    async def register_trainee(
        self,
        *,
        name: str,
        training_institution: str | None,
        password: str,
        email: str | None,
        phone: str | None,
        language: str = "zh_Hans",
    ) -> User:
        """An adult trainee's account with a new profile (kind ``adult_trainee``, no school), its
        notifications in ``language``: the web form's way into :meth:`AccountService.register`
        (role ``trainee``), which raises."""
        from service.accounts.schemas import RegisterRequest, TraineeSignup

        data = RegisterRequest(
            role="trainee",
            password=password,
            email=email,
            phone=phone,
            trainee=TraineeSignup(name=name, training_institution=training_institution or None),
            language="en" if language == "en" else "zh_Hans",
        )
        return await self.accounts.register(data)


class InvitationService:
    """Invitations of one school's roster graduates, and the share activated."""

    def __init__(self, session: AsyncSession, actor: Principal | None = None, request: Any = None) -> None:
        self.session = session
        self.actor = actor
        self.request = request

    async def issue(
        self, school_id: int, cohort: int | None, class_name: str | None, days: int = DEFAULT_INVITATION_DAYS
    ) -> list[IssuedInvitation]:
        """A new code for every roster graduate of the school (with a 学号; an erased record has
        none) of ``cohort`` and ``class_name`` when given who has no account yet, valid for
        ``days``; older unused codes of the same graduates are revoked (only the newest sheet works). Audited (``create`` of ``invitation``, the
        count). Ordered by class and 学号, as a class teacher hands them out.

        Raises:
            InvalidFieldError: 422, ``days`` outside 1–:data:`MAX_INVITATION_DAYS`.
        """
        if not 1 <= days <= MAX_INVITATION_DAYS:
            raise InvalidFieldError("days", f"an invitation is valid for 1 to {MAX_INVITATION_DAYS} days")
        with_account = select(User.graduate_id).where(User.graduate_id.is_not(None))
        stmt = (
            select(Graduate)
            .where(
                Graduate.school_id == school_id, Graduate.student_number.is_not(None), Graduate.id.not_in(with_account)
            )
            .order_by(Graduate.class_name, Graduate.student_number, Graduate.id)
        )
        if cohort is not None:
            stmt = stmt.where(Graduate.cohort == cohort)
        if class_name:
            stmt = stmt.where(Graduate.class_name == class_name)
        graduates = (await self.session.execute(stmt)).scalars().all()
        now = utcnow()
        expires = now + dt.timedelta(days=days)
        ids = [g.id for g in graduates]
        for chunk in range(0, len(ids), 500):
            await self.session.execute(
                update(ActivationCode)
                .where(
                    ActivationCode.graduate_id.in_(ids[chunk : chunk + 500]),
                    ActivationCode.used_at.is_(None),
                    ActivationCode.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            )
        issued = []
        for g in graduates:
            code = new_code()
            self.session.add(
                ActivationCode(
                    code_hash=code_hash(code),
                    graduate_id=g.id,
                    school_id=school_id,
                    created_by=self.actor.user_id if self.actor else None,
                    created_at=now,
                    expires_at=expires,
                )
            )
            issued.append(
                IssuedInvitation(
                    graduate_id=g.id,
                    name=g.name,
                    student_number=g.student_number,
                    class_name=g.class_name,
                    code=code,
                    expires_at=expires,
                )
            )
        await audit_record(
            self.session,
            self.actor,
            AuditAction.CREATE,
            "invitation",
            school_id,
            detail={"cohort": cohort, "class_name": class_name, "count": len(issued), "days": days},
            request=self.request,
        )
        await self.session.flush()
        return issued

    async def shares(self, school_ids: Sequence[int] | Any) -> list[ActivationShare]:
        """Graduates and activated accounts per school, cohort and class (``school_ids``: ids or a
        ``SELECT`` of them — :func:`~service.auth.scoping.schools_clause`)."""
        from service.catalog.models import School

        activated = func.count(User.id)
        stmt = (
            select(
                Graduate.school_id,
                School.name,
                Graduate.cohort,
                Graduate.class_name,
                func.count(Graduate.id),
                activated,
            )
            .join(School, School.id == Graduate.school_id)
            .outerjoin(User, and_(User.graduate_id == Graduate.id))
            .where(Graduate.school_id.in_(school_ids))
            .group_by(Graduate.school_id, School.name, Graduate.cohort, Graduate.class_name)
            .order_by(School.name, Graduate.cohort.desc(), Graduate.class_name)
        )
        rows = (await self.session.execute(stmt)).all()
        return [
            ActivationShare(
                school_id=r[0], school_name=r[1], cohort=r[2], class_name=r[3], graduates=r[4], activated=r[5]
            )
            for r in rows
        ]

    async def shares_in(self, scope: ColumnElement[bool]) -> list[ActivationShare]:
        """:meth:`shares` of every school ``scope`` admits (a clause on ``School``:
        :func:`~service.auth.scoping.schools_clause`)."""
        from service.catalog.models import School

        return await self.shares(select(School.id).where(scope))

    async def classes(self, school_id: int) -> list[tuple[int | None, str | None]]:
        """The (cohort, class) pairs of a school's roster, latest cohort first."""
        rows = (
            await self.session.execute(
                select(Graduate.cohort, Graduate.class_name)
                .where(Graduate.school_id == school_id)
                .distinct()
                .order_by(Graduate.cohort.desc(), Graduate.class_name)
            )
        ).all()
        return [(r[0], r[1]) for r in rows]


__all__ = ["ActivationRefused", "InvitationService", "LoginTakenError", "SignupService"]
