"""import_path on the hand-written fixtures: kinds, errors, rejected rows, report shape."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.errors import InvalidFieldError
from service.imports.kinds import ImportKind, detect_kind
from service.imports.service import import_path
from service.postings.models import Posting

FIXTURES = Path(__file__).parents[1] / "scrapers" / "fixtures"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("job51_2019_sample.csv", ImportKind.CN_51JOB_2019),
        ("job51_2023_sample.csv", ImportKind.CN_51JOB_2023),
        ("us_jobs_sample.csv", ImportKind.US_JOBS),
    ],
)
def test_detect_kind(name: str, kind: ImportKind) -> None:
    assert detect_kind(FIXTURES / name) is kind


@pytest.mark.parametrize("name", ["", "experience.csv", "positions_of_interest.csv"])
def test_detect_kind_of_applicant_files(us_applicants_dir: Path, name: str) -> None:
    assert detect_kind(us_applicants_dir / name if name else us_applicants_dir) is ImportKind.US_APPLICANTS


def test_detect_kind_refuses_clearly(tmp_path: Path) -> None:
    with pytest.raises(InvalidFieldError, match="does not exist"):
        detect_kind(tmp_path / "nope.csv")
    (tmp_path / "views.csv").write_text("Applicant.ID,Job.ID\n", encoding="utf-8")
    with pytest.raises(InvalidFieldError, match="interaction data"):
        detect_kind(tmp_path / "views.csv")
    (tmp_path / "other.csv").write_text("姓名,身份证号\n", encoding="utf-8")
    with pytest.raises(InvalidFieldError, match="身份证号"):
        detect_kind(tmp_path / "other.csv")
    with pytest.raises(InvalidFieldError, match="folder"):
        detect_kind(tmp_path)


async def test_bad_kind_and_unreadable_file(session: AsyncSession, tmp_path: Path) -> None:
    with pytest.raises(InvalidFieldError, match="kind"):
        await import_path(session, FIXTURES / "us_jobs_sample.csv", kind="excel")
    binary = tmp_path / "jobs.csv"
    binary.write_bytes(b"\x81\x20\xff\xfe" * 10)
    with pytest.raises(InvalidFieldError) as caught:
        await import_path(session, binary, kind="us_jobs")
    assert caught.value.errors[0]["field"] == "path"
    with pytest.raises(InvalidFieldError, match="职位"):  # a US file read as 51job: its missing column named
        await import_path(session, FIXTURES / "us_jobs_sample.csv", kind="cn_51job_2019")
    assert (await session.execute(select(func.count()).select_from(Posting))).scalar_one() == 0


async def test_fixture_import_reports_rows(session: AsyncSession) -> None:
    report = await import_path(session, FIXTURES / "job51_2019_sample.csv")
    await session.commit()
    assert (report.rows_read, report.stored, report.updated, report.unchanged) == (7, 5, 0, 0)
    assert report.rejected == [(5, "职位", "title is required")]
    assert report.duplicates == [(8, "external_id", "duplicate of row 2")]
    assert report.warnings == 2 and {w[1] for w in report.warning_samples} == {"地区", "薪资"}
    data = report.to_dict()
    assert data["rejected"] == [[5, "职位", "title is required"]] and data["duplicates"] == 1
    assert data["kind"] == "cn_51job_2019" and data["stored"] == 5
    assert "第 5 行" in report.summary() and "职位" in report.summary()
    same = await import_path(session, FIXTURES / "job51_2019_sample.csv")
    assert (same.stored, same.unchanged) == (0, 5)
    # the 2023 file's 电气维修工 is another posting of the same board: both kept, one employer each
    other = await import_path(session, FIXTURES / "job51_2023_sample.csv")
    assert other.stored == 4 and other.rejected == [(5, "岗位名称", "title is required")]
    assert (await session.execute(select(func.count()).select_from(Posting))).scalar_one() == 9
