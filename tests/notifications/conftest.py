"""Notification fixtures: settings with a per-test outbox folder and short retry/lease times, a real
SMTP server (:class:`~tests.notifications.smtp_sink.SmtpSink`, aiosmtpd) and settings pointing at it,
and helpers that store accounts and a small hiring world (employer with two members, a graduate
with an account, an open posting)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from service.accounts.models import Role, User
from service.config import Settings
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.notifications.delivery import Drainer, DrainReport
from service.postings.models import Posting
from tests.notifications.smtp_sink import SmtpSink


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The database settings plus: 0.2 s retry back-off, a 10 s lease and 2 s SMTP timeouts,
    plain-HTTP cookies (for the pages); ``.eml`` files go to the (emptied) scratch outbox."""
    return msgspec.structs.replace(
        settings,
        public_url="https://vocmatch.example.cn",
        mail_from="vocmatch 就业服务 <no-reply@vocmatch.example.cn>",
        notify_retry_base_seconds=0.2,
        notify_retry_max_seconds=1.0,
        notify_lease_seconds=10,
        smtp_timeout_seconds=2.0,
        cookie_secure=False,
    )


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A real SMTP server on a free loopback port (stopped after the test)."""
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp_settings(settings: Settings, smtp_sink: SmtpSink) -> Settings:
    """``settings`` with ``VOCMATCH_SMTP_URL`` pointing at :func:`smtp_sink`."""
    return msgspec.structs.replace(settings, smtp_url=smtp_sink.url)


async def drain(engine: AsyncEngine, settings: Settings, **kwargs: Any) -> DrainReport:
    """One drain run with the channels of ``settings``."""
    return await Drainer(engine, settings).run(**kwargs)


async def add_user(
    session: AsyncSession,
    role: Role = Role.ADMIN,
    *,
    email: str | None = "",
    language: str = "zh_Hans",
    active: bool = True,
    phone: str | None = None,
    **scope: Any,
) -> User:
    """Store an account (flushed); ``email=""`` makes up a unique address, ``None`` gives none."""
    if email == "":
        email = f"{role.value}-{uuid.uuid4().hex[:10]}@example.cn"
    user = User(role=role, email=email, phone=phone, password_hash="x", language=language, active=active, **scope)
    session.add(user)
    await session.flush()
    return user


@dataclass
class Hiring:
    """Employer 广州数控设备有限公司 (verified) with members ``members`` (Chinese and English speaking),
    graduate 陈小明 with account ``graduate_user`` (Chinese), open posting 数控车床操作工."""

    employer: Employer
    members: list[User]
    graduate: Graduate
    graduate_user: User
    posting: Posting
    extra: dict[str, Any] = field(default_factory=dict)


async def hiring_world(session: AsyncSession, *, verified: bool = True, openings: int = 1) -> Hiring:
    employer = Employer(name="广州数控设备有限公司", verified=verified)
    graduate = Graduate(name="陈小明", phone="13800138000")
    session.add_all([employer, graduate])
    await session.flush()
    members = [
        await add_user(session, Role.EMPLOYER, employer_id=employer.id, language="zh_Hans"),
        await add_user(session, Role.EMPLOYER, employer_id=employer.id, language="en"),
    ]
    graduate_user = await add_user(session, Role.GRADUATE, graduate_id=graduate.id)
    posting = Posting(title="数控车床操作工", employer_id=employer.id, openings=openings)
    session.add(posting)
    await session.flush()
    return Hiring(employer=employer, members=members, graduate=graduate, graduate_user=graduate_user, posting=posting)
