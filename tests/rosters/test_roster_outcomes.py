"""A roster re-import that corrects a graduation date recomputes the graduate's rows of the
maintained outcome table in the same transaction (the quarter flags depend on the date), on both backends."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.destinations.outcomes import COLUMNS
from service.destinations.service import DestinationService
from service.graduates.models import Graduate
from service.rosters.service import import_roster
from tests.destinations.test_outcome_table import _create, assert_maintained, stored
from tests.rosters.conftest import SCHOOL
from tests.rosters.test_roster_import import HEADER, MALE, write_xlsx


async def test_a_roster_correction_of_the_graduation_date_recomputes_the_outcome_rows(
    session: AsyncSession, school: int, tmp_path: Path
) -> None:
    def roster(name: str, graduated: str) -> Path:
        row: list[object] = ["0012025001", "陈小明", "男", MALE, "物流服务与管理", graduated, "13800138000", ""]
        return write_xlsx(tmp_path / name, [list(HEADER), row])

    first = roster("v1.xlsx", "2025-06-30")
    await import_roster(session, first.read_bytes(), first.name, SCHOOL)
    await session.commit()
    gid = (await session.execute(select(Graduate.id))).scalar_one()
    svc = DestinationService(session)
    await svc.record(gid, _create(occurred_on=dt.date(2025, 7, 15)))
    await svc.record(
        gid,
        _create(
            occurred_on=dt.date(2025, 8, 1),
            category="seeking",
            monthly_salary=None,
            social_insurance=None,
            region_code=None,
        ),
    )
    await session.commit()
    q2, open_end = COLUMNS.index("q2_employed"), COLUMNS.index("recorded_to")
    assert [r[q2] for r in await stored(session) if r[open_end] is None] == [False, False]  # 2025 Q4: 待就业

    corrected = roster("v2.xlsx", "2025-01-10")  # the 2nd quarter after is now 2025 Q3, with the job
    report = await import_roster(session, corrected.read_bytes(), corrected.name, SCHOOL)
    assert report.updated == 1
    await assert_maintained(session)
    assert [r[q2] for r in await stored(session) if r[open_end] is None] == [True, True]
    await session.commit()
