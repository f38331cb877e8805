"""import_path for the new kinds: JobPosting pages, job-fair sheets, NYC Jobs; expiry on store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from scrapers.items import PostingItem, SalaryRange
from service.imports.kinds import ImportKind, detect_kind
from service.imports.postings import posting_fields
from service.imports.service import import_path
from service.postings.models import Posting, PostingStatus
from tests.scrapers.test_jobfair import make_fair_workbook
from vocab import EmploymentType, SalaryPeriod

FIXTURES = Path(__file__).parents[1] / "scrapers" / "fixtures"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("jsonld/graph_page.html", ImportKind.JSONLD_PAGE),
        ("jobfair/fair_utf8_bom.csv", ImportKind.JOB_FAIR),
        ("jobfair/fair_gb18030.csv", ImportKind.JOB_FAIR),
    ],
)
def test_detect_new_kinds(name: str, kind: ImportKind) -> None:
    assert detect_kind(FIXTURES / name) is kind


async def _count(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(Posting))).scalar_one()


async def test_import_a_jsonld_page(session: AsyncSession) -> None:
    report = await import_path(session, FIXTURES / "jsonld" / "several_blocks.html")
    await session.commit()
    assert report.kind == "jsonld_page" and (report.rows_read, report.stored) == (4, 3)
    assert report.rejected == [(10, "JSON-LD", report.rejected[0][2])] and "line 10" in report.rejected[0][2]
    rows = {
        p.title: p for p in (await session.execute(select(Posting).options(selectinload(Posting.employer)))).scalars()
    }
    apprentice = rows["汽修学徒"]
    assert apprentice.external_id == "QX-1001" and apprentice.source == "jsonld"
    assert apprentice.employment_type is EmploymentType.INTERN and apprentice.region_code == "440106"
    assert apprentice.valid_through == dt.date(2026, 3, 31)
    assert apprentice.status is PostingStatus.CLOSED  # 2026-03-31 has passed
    assert (apprentice.salary_min, apprentice.salary_max, apprentice.salary_currency) == (4000, 6000, "CNY")
    warehouse = rows["仓库管理员"]
    assert (warehouse.salary_period, warehouse.salary_min_monthly) == (SalaryPeriod.DAY, 4350)
    again = await import_path(session, FIXTURES / "jsonld" / "several_blocks.html")
    assert (again.stored, again.updated, again.unchanged) == (0, 0, 3)


async def test_import_a_job_fair_workbook_twice(session: AsyncSession, tmp_path: Path) -> None:
    path = make_fair_workbook(tmp_path / "招聘会岗位信息表.xlsx")
    report = await import_path(session, path)
    await session.commit()
    assert report.kind == "job_fair" and (report.rows_read, report.stored) == (5, 4)
    assert report.rejected == [(5, "岗位名称", "title is required")]
    repair = (await session.execute(select(Posting).where(Posting.title == "设备维修技术员"))).scalar_one()
    assert repair.openings == 5 and repair.posted_on == dt.date(2026, 3, 1) and repair.region_code == "320583"
    again = await import_path(session, path)
    assert (again.stored, again.unchanged) == (0, 4) and await _count(session) == 4


def test_expiry_follows_now() -> None:
    item = PostingItem(
        source="t",
        external_id="1",
        row=1,
        title="焊工",
        employer_name="某厂",
        valid_through=dt.date(2026, 3, 31),
        expires_at=dt.datetime(2026, 4, 1, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        salary=SalaryRange(text="USD 20/HOUR", minimum=20, maximum=20, period=SalaryPeriod.HOUR, currency="USD"),
    )
    before = posting_fields(item, 1, now=dt.datetime(2026, 3, 31, 15, 59, tzinfo=dt.UTC))  # 23:59 in Shanghai
    after = posting_fields(item, 1, now=dt.datetime(2026, 3, 31, 16, 0, tzinfo=dt.UTC))  # 00:00 next day
    assert before["status"] is PostingStatus.OPEN and after["status"] is PostingStatus.CLOSED
    assert before["valid_through"] == dt.date(2026, 3, 31) and before["salary_currency"] == "USD"
    item.expires_at = item.valid_through = None
    assert "status" not in posting_fields(item, 1) and "valid_through" not in posting_fields(item, 1)


@pytest.mark.shared_data
async def test_nyc_jobs(session: AsyncSession, shared_data: Path) -> None:
    path = shared_data / "nyc_jobs" / "NYC_Jobs.csv"
    assert detect_kind(path) is ImportKind.NYC_JOBS
    report = await import_path(session, path)
    await session.commit()
    # the same Job ID is published as Internal and External: one posting
    assert (report.rows_read, report.stored, len(report.duplicates), report.rejected) == (3977, 2188, 1789, [])
    painter = (await session.execute(select(Posting).where(Posting.external_id == "133921"))).scalar_one()
    assert (painter.title, painter.salary_min, painter.salary_period, painter.salary_currency) == (
        "Temporary Painter",
        35,
        SalaryPeriod.HOUR,
        "USD",
    )
    assert painter.salary_min_monthly == round(35 * 21.75 * 8) and painter.country == "US"
    periods = dict(
        (await session.execute(select(Posting.salary_period, func.count()).group_by(Posting.salary_period)))
        .tuples()
        .all()
    )
    assert set(periods) == {SalaryPeriod.YEAR, SalaryPeriod.HOUR, SalaryPeriod.DAY}
    assert "â€" not in "".join((await session.execute(select(Posting.description))).scalars())
