"""Saved jobs and job alerts fixtures: settings as the notification tests use them (an ``.eml`` folder,
a public URL for links, plain-HTTP cookies for the pages), a real SMTP server, and a small world —
places in 广东/广西, a verified employer A with an open posting, an unverified employer B with one,
graduate 陈小明 (account in Chinese) and graduate Huang Li (account in English), each with a password
for the web sign-in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.config import Settings
from service.db import utcnow
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.postings.models import Posting
from tests.conftest import LiveServer, test_password_hash
from tests.factories import guangdong_regions
from tests.harness import http_client
from tests.notifications.smtp_sink import SmtpSink


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The outbox stays the harness's folder, emptied before each test (one under ``tmp_path`` would
    make the settings, and so the server, differ per test)."""
    return msgspec.structs.replace(
        settings,
        public_url="https://vocmatch.example.cn",
        mail_from="vocmatch 就业服务 <no-reply@vocmatch.example.cn>",
        smtp_timeout_seconds=2.0,
        cookie_secure=False,
        api_rate_per_minute=0,
    )


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)


async def add_posting(
    session: AsyncSession, employer_id: int, title: str, *, ago: dt.timedelta | None = None, **fields: Any
) -> Posting:
    """A posting of ``employer_id`` first stored ``ago`` before now (default: now), flushed."""
    values: dict[str, Any] = {
        "region_code": "440106",
        "province": "广东省",
        "city": "广州市",
        "salary_min_monthly": 5000,
        "salary_max_monthly": 7000,
        **fields,
    }
    posting = Posting(title=title, employer_id=employer_id, **values)
    if ago is not None:
        posting.created_at = posting.updated_at = utcnow() - ago
    session.add(posting)
    await session.flush()
    return posting


async def build_world(session: AsyncSession) -> World:
    session.add_all(guangdong_regions(guangxi=True))
    await session.flush()
    employer_a = Employer(name="广州数控设备有限公司", verified=True, region_code="440106")
    employer_b = Employer(name="未审核贸易有限公司", verified=False, region_code="440106")
    graduate_a = Graduate(name="陈小明", cohort=2025, skills=["数控车床操作"])
    graduate_b = Graduate(name="黄丽", cohort=2025, skills=["仓库管理"])
    session.add_all([employer_a, employer_b, graduate_a, graduate_b])
    await session.flush()
    posting_a = await add_posting(session, employer_a.id, "数控车床操作工", ago=dt.timedelta(days=3))
    posting_b = await add_posting(session, employer_b.id, "仓库管理员", ago=dt.timedelta(days=3))
    w = World(
        ids={
            "employer_a": employer_a.id,
            "employer_b": employer_b.id,
            "graduate_a": graduate_a.id,
            "graduate_b": graduate_b.id,
            "posting_a": posting_a.id,
            "posting_b": posting_b.id,
        }
    )
    for name, graduate, language in (("a", graduate_a, "zh_Hans"), ("b", graduate_b, "en")):
        user = User(
            role=Role.GRADUATE,
            email=f"graduate-{name}@example.cn",
            password_hash=test_password_hash(),
            graduate_id=graduate.id,
            language=language,
        )
        session.add(user)
        await session.flush()
        w.ids[f"user_{name}"] = user.id
        w.emails[name] = user.email or ""
    await session.commit()
    return w


@pytest.fixture
async def world(session: AsyncSession) -> World:
    return await build_world(session)


@pytest.fixture
def web(server: LiveServer) -> Iterator[httpx.Client]:
    """A browser-like client: cookies only (sign in with :func:`tests.web.conftest.sign_in`)."""
    with http_client(base_url=server.base_url, timeout=30) as c:
        yield c
