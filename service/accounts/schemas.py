"""Request and response bodies for accounts and login."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from service.accounts.models import Role
from service.employers.schemas import Address, ContactName, ContactPhone, Industry, Name, RegionCode, Size, Uscc
from service.notifications.schemas import Language

Email = Annotated[
    str, Meta(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="e-mail address (stored lower-cased)")
]
#: Mainland mobile number as typed (spaces, dashes, +86 allowed); the service checks the 11 digits.
Phone = Annotated[str, Meta(pattern=r"^[+0-9][0-9 -]{9,19}$", description="mobile number, 11 digits (1[3-9]…)")]
#: NIST SP 800-63B §5.1.1.2: at least 8 characters; 128 caps the hashing work per request.
Password = Annotated[str, Meta(min_length=8, max_length=128)]
LoginName = Annotated[str, Meta(min_length=3, max_length=254, description="e-mail address or mobile number")]
RefreshToken = Annotated[str, Meta(min_length=3, max_length=200)]


class GraduateSignup(msgspec.Struct, forbid_unknown_fields=True):
    """The new graduate profile a self-registration creates (a school links it to a roster later)."""

    name: Annotated[str, Meta(min_length=1, max_length=100)]


class EmployerSignup(msgspec.Struct, forbid_unknown_fields=True):
    """The new employer a self-registration creates; it stays unverified until staff approve it."""

    name: Name
    uscc: Uscc | None = None
    industry: Industry | None = None
    size: Size | None = None
    region_code: RegionCode | None = None
    address: Address | None = None
    contact_name: ContactName | None = None
    contact_phone: ContactPhone | None = None


class TraineeSignup(msgspec.Struct, forbid_unknown_fields=True):
    """An adult trainee (成人学员, e.g. a returning migrant worker in a training programme) with no
    school roster: a new profile of kind ``adult_trainee``, with the training institution if any."""

    name: Annotated[str, Meta(min_length=1, max_length=100)]
    training_institution: Annotated[str, Meta(min_length=1, max_length=200)] | None = None


class RegisterRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Self-registration of a graduate (with ``graduate``) or an employer (with ``employer``).
    At least one of ``email`` / ``phone`` is required; either then works as the login name.
    Staff accounts are never self-registered: see ``POST /auth/users``."""

    role: Literal["graduate", "employer", "trainee"]
    password: Password
    email: Email | None = None
    phone: Phone | None = None
    graduate: GraduateSignup | None = None
    employer: EmployerSignup | None = None
    trainee: TraineeSignup | None = None
    #: the language of the account's notifications (inbox and e-mail); the sign-up pages send theirs
    language: Language = "zh_Hans"


class ActivateRequest(msgspec.Struct, forbid_unknown_fields=True):
    """Activation of a roster graduate's account (``POST /auth/activate``): either the school
    (``school_id``), 学号 and the whole 身份证号, or an invitation ``code``
    from the school. The account is bound to that roster record; no new profile is made."""

    password: Password
    email: Email | None = None
    phone: Phone | None = None
    school_id: Annotated[int, Meta(ge=1)] | None = None
    student_number: Annotated[str, Meta(min_length=1, max_length=32)] | None = None
    id_number: Annotated[str, Meta(min_length=1, max_length=40)] | None = None  # the whole 身份证号
    code: Annotated[str, Meta(min_length=1, max_length=40)] | None = None
    #: the language of the account's notifications (inbox and e-mail); the sign-up pages send theirs
    language: Language = "zh_Hans"


class UserCreate(msgspec.Struct, forbid_unknown_fields=True):
    """An account created by someone with authority over its scope (``POST /auth/users``): set the
    one scope id the role needs — ``graduate_id``, ``employer_id``, ``school_id`` or
    ``region_code`` (none for ``admin``)."""

    role: Role
    password: Password
    email: Email | None = None
    phone: Phone | None = None
    graduate_id: Annotated[int, Meta(ge=1)] | None = None
    employer_id: Annotated[int, Meta(ge=1)] | None = None
    school_id: Annotated[int, Meta(ge=1)] | None = None
    region_code: RegionCode | None = None


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    login: LoginName
    password: Annotated[str, Meta(min_length=1, max_length=128)]


class RefreshRequest(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: RefreshToken


class AccountAccepted(msgspec.Struct):
    """The answer to a registration or an account creation: the same whether the login name was
    free (the account now exists) or already someone's (nothing changed), so it tells nobody
    whether an e-mail address or mobile number is registered."""

    detail: str


class TokenPair(msgspec.Struct):
    """Tokens from a login or refresh. Send ``access_token`` as ``Authorization: Bearer …``;
    trade ``refresh_token`` (single use: each refresh returns a new one) at ``POST /auth/refresh``."""

    access_token: str
    refresh_token: str
    expires_in: int  # seconds until the access token expires
    refresh_expires_in: int  # seconds until the login session ends
    token_type: str = "bearer"


class UserRead(msgspec.Struct):
    """An account as its owner (or whoever created it) sees it; never the password hash."""

    id: int
    role: Role
    email: str | None
    phone: str | None
    graduate_id: int | None
    employer_id: int | None
    school_id: int | None
    region_code: str | None
    active: bool
    created_at: dt.datetime
    last_login_at: dt.datetime | None
