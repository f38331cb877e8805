"""Importing slices of the real files in ../shared/data, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from service.catalog.models import Region
from service.employers.models import Employer
from service.graduates.models import Graduate, SeekerKind
from service.imports.service import import_path
from service.postings.models import Posting
from vocab import EducationLevel, SalaryPeriod

ROWS = 200


def _slice(source: Path, target: Path, encoding: str, rows: int = ROWS, extra: Sequence[Sequence[str]] = ()) -> Path:
    """The header and first ``rows`` records of ``source`` (plus ``extra``) written to ``target``."""
    with source.open(encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        records = [next(reader) for _ in range(rows + 1)]
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows([*records, *extra])
    return target


async def _count(session: AsyncSession, model: type) -> int:
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


@pytest.mark.shared_data
async def test_51job_2019_slice(session: AsyncSession, shared_data: Path, tmp_path: Path) -> None:
    broken = [
        "[]",
        "['5-6千/月']",
        "['某某机械厂']",
        "[]",
        "[]",
        "['佛山']",
        "['中专']",
        "[]",
        "['1人']",
        "['2019-09-13']",
        "",
    ]
    path = _slice(
        shared_data / "cn_postings" / "51job_2019_gb18030.csv",
        tmp_path / "51job_2019_gb18030.csv",
        "gb18030",
        extra=[broken],
    )
    report = await import_path(session, path)
    await session.commit()
    assert report.kind == "cn_51job_2019" and report.rows_read == ROWS + 1
    assert (98, "职位", "title is required") in report.rejected  # an all-[] row in the real file
    assert (ROWS + 2, "职位", "title is required") in report.rejected  # the broken row appended (rows, not lines)
    assert report.stored == ROWS + 1 - len(report.rejected) - len(report.duplicates)
    assert await _count(session, Posting) == report.stored

    first = (
        await session.execute(
            select(Posting).options(selectinload(Posting.employer)).where(Posting.title.startswith("IT培训咨询顾问"))
        )
    ).scalar_one()
    assert (first.salary_min, first.salary_max, first.salary_period) == (10000, 15000, SalaryPeriod.MONTH)
    assert (first.salary_min_monthly, first.salary_max_monthly, first.salary_text) == (10000, 15000, "1-1.5万/月")
    assert first.education_required is EducationLevel.ASSOCIATE and first.experience_years == 1
    assert (first.region_code, first.province, first.city) == ("310115", "上海市", "上海市")
    assert first.openings == 2 and str(first.posted_on) == "2019-09-13" and first.source == "51job"
    assert first.employer.name == "上海领象信息科技有限公司" and first.employer.verified is False
    assert first.employer.source == "51job" and first.employer.size == "500-1000人"
    region = await session.get(Region, "310115")
    assert region is not None and region.parent_code == "310100"
    assert await session.get(Region, "310000") is not None

    # line 4 of the file: 学历 ['本科'] sits in the 工作经验 column and 学历 is []
    shifted = (
        (await session.execute(select(Posting).where(Posting.employer.has(name="杭州广立微电子有限公司"))))
        .scalars()
        .first()
    )
    assert shifted is not None and shifted.education_required is EducationLevel.BACHELOR
    assert shifted.experience_years is None and shifted.salary_period is SalaryPeriod.YEAR
    assert (shifted.salary_min_monthly, shifted.salary_max_monthly) == (16667, 33333)
    assert shifted.region_code == "430104"

    again = await import_path(session, path)
    await session.commit()
    assert (again.stored, again.updated, again.unchanged) == (0, 0, report.stored)
    assert await _count(session, Posting) == report.stored
    assert again.employers_created == 0 and again.regions_added == 0


@pytest.mark.shared_data
async def test_51job_2023_slice_and_update(session: AsyncSession, shared_data: Path, tmp_path: Path) -> None:
    path = _slice(shared_data / "cn_postings" / "51job_2023.csv", tmp_path / "51job_2023.csv", "utf-8")
    report = await import_path(session, path)
    await session.commit()
    assert report.kind == "cn_51job_2023" and report.rows_read == ROWS and report.rejected == []
    assert report.stored + len(report.duplicates) == ROWS
    thirteen = (
        await session.execute(
            select(Posting).where(Posting.salary_text == "1-1.5万·13薪", Posting.title == "大数据研发工程师")
        )
    ).scalar_one()
    assert (thirteen.salary_min_monthly, thirteen.salary_max_monthly) == (10833, 16250)
    assert (thirteen.salary_min, thirteen.salary_period) == (130000, SalaryPeriod.YEAR)
    assert thirteen.region_code == "510107" and thirteen.experience_years == 3
    assert thirteen.education_required is EducationLevel.ASSOCIATE
    assert thirteen.required_skills == ["hadoop", "数据库", "数据分析"] and "五险一金" in thirteen.description

    # a changed cell updates that posting only
    text = path.read_text(encoding="utf-8").replace("1-1.5万·13薪", "1.1-1.5万·13薪", 1)
    path.write_text(text, encoding="utf-8")
    again = await import_path(session, path)
    await session.commit()
    assert (again.stored, again.updated, again.unchanged) == (0, 1, report.stored - 1)
    await session.refresh(thirteen)
    assert thirteen.salary_min_monthly == 11917 and thirteen.salary_text == "1.1-1.5万·13薪"


@pytest.mark.shared_data
async def test_us_jobs_slice(session: AsyncSession, shared_data: Path, tmp_path: Path) -> None:
    path = _slice(shared_data / "us_jobboard_views" / "jobs.csv", tmp_path / "jobs.csv", "utf-8")
    report = await import_path(session, path)
    await session.commit()
    assert report.kind == "us_jobs" and report.rows_read == ROWS and report.rejected == []
    assert report.stored == ROWS and await _count(session, Posting) == ROWS
    job = (
        await session.execute(
            select(Posting)
            .options(selectinload(Posting.employer))
            .where(Posting.source == "us_jobboard", Posting.external_id == "73666")
        )
    ).scalar_one()
    assert (job.title, job.country, job.region_code, job.province, job.city) == (
        "Cashiers & Valets Needed!",
        "US",
        None,
        "NJ",
        "Newark",
    )
    assert job.salary_min is None and job.salary_text is None and job.salary_currency == "USD"
    assert job.employer.name == "WallyPark" and job.employer.source == "us_jobboard" and not job.employer.verified
    assert report.employers_created == await _count(session, Employer)
    again = await import_path(session, path, kind="us_jobs")
    assert (again.stored, again.updated, again.unchanged) == (0, 0, ROWS)


@pytest.mark.shared_data
async def test_us_applicants_slice(session: AsyncSession, shared_data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "us"
    _slice(shared_data / "us_jobboard_views" / "experience.csv", folder / "experience.csv", "utf-8")
    _slice(
        shared_data / "us_jobboard_views" / "positions_of_interest.csv", folder / "positions_of_interest.csv", "utf-8"
    )
    report = await import_path(session, folder)
    await session.commit()
    assert report.kind == "us_applicants" and report.rows_read == 2 * ROWS
    assert report.stored == await _count(session, Graduate) > 0
    seeker = (
        await session.execute(
            select(Graduate).options(selectinload(Graduate.experiences)).where(Graduate.external_id == "10003")
        )
    ).scalar_one()
    assert seeker.kind is SeekerKind.EXTERNAL and seeker.source == "us_jobboard" and seeker.country == "US"
    assert seeker.desired_titles == ["security officer"]
    assert [e.title for e in seeker.experiences] == ["maintenance technician", "Electrical Helper", "technician"]
    assert seeker.experiences[0].employer_name == "Winn residental" and seeker.experiences[2].province == "MD"
    assert (seeker.city, seeker.province) == ("washington", "DC")
    again = await import_path(session, folder / "experience.csv")
    assert (again.stored, again.updated, again.unchanged) == (0, 0, report.stored)
