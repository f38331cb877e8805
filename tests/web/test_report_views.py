"""Issue 15 item 5 on the web dashboard: a school's staff see their own exact figures, marked as
internal (not for publication), with separate publication downloads that are suppressed."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role, User
from service.accounts.security import hash_password
from service.catalog.models import School
from tests.reports import worked_case
from tests.web.conftest import PASSWORD, sign_in, text_of


async def test_dashboard_shows_exact_internal_figures(session: AsyncSession, web: httpx.Client, server: Any) -> None:
    await worked_case.load(session)
    school_b = (await session.execute(select(School).where(School.code == "4144030001"))).scalar_one()
    session.add(
        User(
            role=Role.SCHOOL,
            email="staff_b@example.cn",
            password_hash=await hash_password(PASSWORD),
            school_id=school_b.id,
        )
    )
    await session.commit()
    sign_in(web, "staff_b@example.cn")
    page = web.get("/web/dashboard", params={"as_of": "2025-12-31", "cohort": 2025, "lang": "zh"})
    assert page.status_code == 200, page.text
    text = text_of(page.text)
    assert 'data-view="internal"' in page.text and "内部数据，不得对外发布" in text
    # 3 graduates (below the publication threshold of 5) shown exactly, with their rates: 1/3 employed
    assert "33.3%" in text or "33.3 %" in text
    assert "发布版（小格人数已抑制，可对外发布）" in text
    link = next(
        part.split('"')[0]
        for part in page.text.split('href="')[1:]
        if "view=publish" in part.split('"')[0] and "format=csv" in part.split('"')[0]
    )
    published = web.get(link.replace("&amp;", "&"))
    assert published.status_code == 200 and "-publish." in published.headers["content-disposition"]
    rows = published.content.decode("utf-8-sig").splitlines()
    total = next(r for r in rows if r.startswith("合计,"))
    assert total.split(",")[3] == "*"  # the publication version hides the row of 3
