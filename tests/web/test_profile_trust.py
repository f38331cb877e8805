"""Issue 14 on the graduate's profile page (items 2 and 14), over real HTTP on both backends: what
the school's roster says is shown read-only — the 身份证号 as its last 4 characters only — and
cannot be changed through the page."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.cn import ric

from service.graduates.models import Gender, Graduate
from tests.web.conftest import World, sign_in, text_of

ID_NUMBER = "44010620061109731" + ric.calc_check_digit("44010620061109731" + "0")


async def test_profile_page_shows_roster_fields_read_only(
    web: httpx.Client, world: World, session: AsyncSession
) -> None:
    await session.execute(
        update(Graduate)
        .where(Graduate.id == world.ids["graduate_a"])
        .values(
            id_number=ID_NUMBER, student_number="0012025001", graduation_date=dt.date(2025, 6, 30), gender=Gender.MALE
        )
    )
    await session.commit()
    sign_in(web, world.logins["graduate_a"])
    page = web.get("/web/profile")
    assert page.status_code == 200
    shown = text_of(page.text)
    assert "来自学校学籍名册" in shown and "只能由学校修改" in shown
    for fact in (
        "广州市机电技师学校",
        "0012025001",
        "2025",
        "2025-06-30",
        "男",
        "中职",
        "*" * 14 + ID_NUMBER[-4:],
        "仅显示后 4 位",
    ):
        assert fact in shown, fact
    assert ID_NUMBER[:6] not in page.text and ID_NUMBER[6:14] not in page.text
    for field in ("cohort", "student_number", "school_id", "graduation_date", "id_number", "gender"):
        assert f'name="{field}"' not in page.text, field
    english = web.get("/web/profile?lang=en")
    assert "From your school's roster" in english.text and "only the last 4 characters are shown" in english.text

    crafted = web.post(
        "/web/profile",
        data={
            "_csrf_token": web.cookies["vocmatch_csrf"],
            "skills": "数控车床操作",
            "cohort": "2030",
            "student_number": "X1",
            "school_id": "999",
            "graduation_date": "2030-06-30",
            "id_number": "11010519491231002X",
        },
    )
    assert crafted.status_code == 303, crafted.text
    await session.rollback()
    stored = (
        await session.execute(
            select(Graduate).where(Graduate.id == world.ids["graduate_a"]).execution_options(populate_existing=True)
        )
    ).scalar_one()
    assert (stored.cohort, stored.student_number, stored.graduation_date, stored.id_number) == (
        2025,
        "0012025001",
        dt.date(2025, 6, 30),
        ID_NUMBER,
    )
    assert stored.skills == ["数控车床操作"]
