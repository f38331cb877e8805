"""National reference data on both backends: ``vocmatch migrate`` alone makes a database that takes
a school anywhere in China and a roster of any catalogue major; region lists update without
losing codes that rows refer to; majors are added, renamed and retired with their cohorts kept.

The shared test template is migrated schema-only (``service.migrate.upgrade``), so these tests
load the reference data themselves (the CLI, or :func:`load_region_list` with small lists).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.cn import ric

from scrapers.regions import RegionRecord
from service.accounts.models import Role
from service.catalog.models import Major, Region, School
from service.catalog.reference import load_reference, load_region_list
from service.catalog.schemas import SchoolCreate
from service.catalog.service import CatalogService
from service.config import Settings
from service.db import make_engine, make_sessionmaker
from service.errors import InvalidFieldError
from service.graduates.models import Graduate
from tests.conftest import LiveServer, create_account, run_async
from tests.factories import places
from tests.harness import http_client

ROOT = Path(__file__).resolve().parents[2]


def _vocmatch(url: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "VOCMATCH_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args], cwd=ROOT, env=env, capture_output=True, timeout=300
    )


def _id_number(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


async def _counts(url: str) -> tuple[dict[str, int], int]:
    engine = make_engine(Settings(database_url=url))
    try:
        async with make_sessionmaker(engine)() as s:
            levels = dict((await s.execute(select(Region.level, func.count()).group_by(Region.level))).tuples().all())
            majors = await s.scalar(select(func.count()).select_from(Major))
            return {str(k): v for k, v in levels.items()}, int(majors or 0)
    finally:
        await engine.dispose()


def test_migrate_alone_accepts_a_school_in_henan_and_a_roster_of_catalogue_majors(
    fresh_url: str, tmp_path: Path
) -> None:
    run = _vocmatch(fresh_url, "migrate")
    assert run.returncode == 0, run.stderr.decode()
    assert "3217 regions added" in run.stderr.decode() and "358 majors added" in run.stderr.decode()
    assert run_async(lambda: _counts(fresh_url)) == ({"province": 34, "city": 338, "county": 2845}, 358)
    again = _vocmatch(fresh_url, "migrate")  # idempotent
    assert again.returncode == 0 and "0 regions added, 0 updated, 0 retired; 0 majors added" in again.stderr.decode()

    settings = Settings(
        database_url=fresh_url,
        model_dir=str(tmp_path / "models"),
        warm_up=False,
        secret_key_file=str(tmp_path / "secret_key"),
    )
    _, token = create_account(settings, Role.ADMIN)
    with (
        LiveServer(settings) as live,
        http_client(base_url=live.base_url, timeout=30, headers={"Authorization": f"Bearer {token}"}) as c,
    ):
        henan = c.get("/regions", params={"parent_code": "410000", "limit": 100}).json()  # 17 cities + 济源市
        assert (
            henan["total"] == 18
            and {"code": "410100", "name": "郑州市", "level": "city", "parent_code": "410000", "retired_on": None}
            in henan["items"]
        )
        made = c.post("/schools", json={"code": "4141010001", "name": "郑州市商贸职业学校", "region_code": "410100"})
        assert made.status_code == 201, made.text
        assert (
            c.post(
                "/schools", json={"code": "4165010001", "name": "和田地区和康县职业技术学校", "region_code": "653228"}
            ).status_code
            == 201
        )  # a 2024 county
        roster = (
            "学号,姓名,身份证号,所学专业,毕业时间\n"
            f"2025001,李静,{_id_number('41010220090101002')},护理,2025-06-30\n"
            f"2025002,王磊,{_id_number('41010220090202001')},610101,2025-06-30\n"
            f"2025003,赵敏,{_id_number('41010220090303002')},幼儿保育,2025-06-30\n"
        )
        report = c.post("/schools/4141010001/rosters", files={"data": ("名册.csv", roster.encode())})
        assert report.status_code == 201, report.text
        assert (report.json()["created"], report.json()["rejected"]) == (3, [])
        graduates = c.get("/graduates", params={"limit": 10}).json()["items"]
        assert sorted(g["major_code"] for g in graduates) == ["610101", "720201", "770101"]


def test_schema_only_migrate_loads_nothing(fresh_url: str) -> None:
    run = _vocmatch(fresh_url, "migrate", "--schema-only")
    assert run.returncode == 0, run.stderr.decode()
    assert run_async(lambda: _counts(fresh_url)) == ({}, 0)


V1 = [
    RegionRecord("370000", "山东省", "province", None),
    RegionRecord("370100", "济南市", "city", "370000"),
    RegionRecord("371200", "莱芜市", "city", "370000"),
    RegionRecord("371202", "莱城区", "county", "371200"),
    RegionRecord("410000", "河南省", "province", None),
    RegionRecord("419001", "济源市", "county", "410000"),
]
V2 = [
    RegionRecord("370000", "山东省", "province", None),
    RegionRecord("370100", "济南市", "city", "370000"),
    RegionRecord("370116", "莱芜区", "county", "370100"),
    RegionRecord("410000", "河南省", "province", None),
    RegionRecord("419001", "济源市（示范区）", "county", "410000"),
]


async def test_a_newer_region_list_retires_what_it_drops_and_keeps_what_rows_refer_to(session: AsyncSession) -> None:
    first = await load_region_list(session, V1, dt.date(2018, 12, 31), "v1.csv")
    assert (first.regions_added, first.regions_retired) == (6, 0)
    svc = CatalogService(session)
    school = await svc.create_school(SchoolCreate(code="4137120001", name="莱芜职业中专", region_code="371202"))
    await session.commit()

    second = await load_region_list(session, V2, dt.date(2019, 12, 31), "v2.csv")
    await session.commit()
    assert (second.regions_added, second.regions_updated, second.regions_retired) == (1, 1, 2)
    retired = await session.get(Region, "371202")
    assert retired is not None and retired.retired_on == dt.date(2019, 12, 31)  # kept: a school is there
    assert (await session.get(School, school.id)).region_code == "371202"
    assert (await session.get(Region, "419001")).name == "济源市（示范区）"
    with pytest.raises(InvalidFieldError, match="371202 .*retired on 2019-12-31"):
        await svc.create_school(SchoolCreate(code="4137120002", name="新学校", region_code="371202"))
    await session.rollback()
    current, _ = await svc.list_regions(None, "370000", 50, 0)
    assert [r.code for r in current] == ["370100"]
    everything, _ = await svc.list_regions(None, "370000", 50, 0, include_retired=True)
    assert [r.code for r in everything] == ["370100", "371200"]

    again = await load_region_list(session, V2, dt.date(2019, 12, 31), "v2.csv")
    assert (again.regions_added, again.regions_updated, again.regions_retired, again.regions_restored) == (0, 0, 0, 0)
    older = await load_region_list(session, V1, dt.date(2018, 12, 31), "v1.csv")  # never replaces a newer list
    assert older.regions_restored == 0 and "kept the list of 2019-12-31" in older.differs[0]
    assert (await session.get(Region, "371202")).retired_on is not None
    forced = await load_region_list(session, V1, dt.date(2018, 12, 31), "v1.csv", force=True)
    assert (forced.regions_restored, forced.regions_retired) == (2, 1)  # 莱芜 back, 370116 retired
    partial = await load_region_list(
        session,
        [RegionRecord("653228", "和康县", "county", None)],
        dt.date(2024, 12, 31),
        "add.csv",
        retire_missing=False,
    )
    assert (partial.regions_added, partial.regions_retired) == (1, 0)
    await session.commit()


async def test_built_in_load_is_add_only_for_majors_and_keeps_a_newer_region_list(session: AsyncSession) -> None:
    session.add(Major(code="740106", name="会展策划与服务（本省更名）", category="旅游大类"))
    await session.commit()
    report = await load_reference(session)
    assert report.majors_added == 357 and report.regions_added == 3217
    renamed = await session.get(Major, "740106")
    assert renamed is not None and renamed.name == "会展策划与服务（本省更名）" and renamed.class_name == "旅游类"
    assert any(line.startswith("major 740106: stored 会展策划与服务（本省更名）") for line in report.differs)
    await load_region_list(session, V2, dt.date(2026, 12, 31), "a-newer-list.csv", retire_missing=False)
    await session.commit()
    rerun = await load_reference(session)  # the shipped 2025 list must not undo the 2026 one
    assert rerun.regions_updated == 0 and "kept the list of 2026-12-31" in rerun.differs[0]


def test_bad_region_file_names_row_and_column_and_stores_nothing(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "regions.csv"
    bad.write_text(
        "code,name,level,parent_code\n410000,河南省,province,\n410100,郑州市,county,410000\n", encoding="utf-8"
    )
    run = _vocmatch(settings.database_url, "reference", "regions", str(bad), "--as-of", "2026-12-31")
    assert run.returncode == 1
    assert "row 3, column level: code 410100 is a city code, not county" in run.stderr.decode()
    assert run_async(lambda: _counts(settings.database_url)) == ({}, 0)
    bad.write_text(
        "code,name,level,parent_code\n410000,河南省,province,\n410100,郑州市,city,410000\n", encoding="utf-8"
    )
    run = _vocmatch(settings.database_url, "reference", "regions", str(bad), "--as-of", "2026-12-31", "--partial")
    assert run.returncode == 0, run.stderr.decode()
    assert run_async(lambda: _counts(settings.database_url)) == ({"province": 1, "city": 1}, 0)


@pytest.fixture
async def zhengzhou_school(session: AsyncSession) -> str:
    session.add_all(
        [
            *places("410000", "410100"),
        ]
    )
    await session.flush()
    session.add_all(
        [
            School(code="4141010001", name="郑州市商贸职业学校", region_code="410100"),
            Major(code="730101", name="纳税事务", category="财经商贸大类", class_name="财政税务类"),
        ]
    )
    await session.commit()
    return "4141010001"


@pytest.fixture
async def zhengzhou_school_id(session: AsyncSession, zhengzhou_school: str) -> int:
    return int(await session.scalar(select(School.id).where(School.code == zhengzhou_school)))


def _roster(rows: list[tuple[str, str, int]], start: int = 1) -> bytes:
    lines = ["学号,姓名,身份证号,所学专业,届别,毕业时间"]
    for i, (major, name, cohort) in enumerate(rows, start=start):
        lines.append(f"{cohort}{i:03d},{name},{_id_number(f'410102200801{i:02d}001')},{major},{cohort},{cohort}-06-30")
    return "\n".join(lines).encode()


def test_department_adds_renames_and_retires_majors_and_old_cohorts_stay_valid(
    client_as: Callable[..., httpx.Client], client: httpx.Client, zhengzhou_school: str, zhengzhou_school_id: int
) -> None:
    dept = client_as(Role.DEPARTMENT, region_code="410000")
    added = dept.post("/majors", json={"code": "730102", "name": "智能财税", "valid_from": "2023-09-01"})
    assert added.status_code == 201, added.text
    assert added.json() == {
        "code": "730102",
        "name": "智能财税",
        "category": "财经商贸大类",
        "class_name": "财政税务类",
        "valid_from": "2023-09-01",
        "retired_on": None,
    }
    assert dept.post("/majors", json={"code": "730102", "name": "x"}).status_code == 409
    assert dept.post("/majors", json={"code": "990102", "name": "x"}).status_code == 422  # unknown 大类
    assert dept.post("/majors", json={"code": "73010", "name": "x"}).status_code == 400
    assert (
        client_as(Role.SCHOOL, school_id=zhengzhou_school_id)
        .post("/majors", json={"code": "730103", "name": "x"})
        .status_code
        == 403
    )
    renamed = dept.patch("/majors/730101", json={"name": "纳税事务（财税）"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "纳税事务（财税）"
    assert dept.patch("/majors/999999", json={"name": "x"}).status_code == 404
    assert (
        dept.patch("/majors/730101", json={"retired_on": "2020-01-01", "valid_from": "2021-01-01"}).status_code == 422
    )
    retired = dept.patch("/majors/730101", json={"retired_on": "2025-08-31"})
    assert retired.status_code == 200 and retired.json()["retired_on"] == "2025-08-31"

    ok = client.post(
        f"/schools/{zhengzhou_school}/rosters",
        files={
            "data": (
                "2025.csv",
                _roster([("纳税事务（财税）", "周一", 2025), ("730101", "吴二", 2025), ("智能财税", "郑三", 2026)]),
            )
        },
    )
    assert ok.status_code == 201 and (ok.json()["created"], ok.json()["rejected"]) == (3, []), ok.text
    late = client.post(
        f"/schools/{zhengzhou_school}/rosters",
        files={"data": ("2026.csv", _roster([("730101", "钱四", 2026), ("智能财税", "孙五", 2022)], start=11))},
    )
    body = late.json()
    assert body["written"] is False and [(e["row"], e["column"]) for e in body["rejected"]] == [
        (2, "专业"),
        (3, "专业"),
    ]
    assert "retired on 2025-08-31" in body["rejected"][0]["reason"] and "2026" in body["rejected"][0]["reason"]
    assert "exists from 2023-09-01" in body["rejected"][1]["reason"]
    graduate = {
        "name": "冯六",
        "school_id": zhengzhou_school_id,
        "major_code": "730101",
        "cohort": 2027,
        "student_number": "2027001",
    }
    refused = client.post("/graduates", json=graduate)
    assert refused.status_code == 422 and "major_code" in refused.json()["detail"]
    assert client.post("/graduates", json={**graduate, "cohort": 2024}).status_code == 201


async def test_the_test_template_carries_no_reference_rows(session: AsyncSession) -> None:
    """The contract the harness relies on: migrations load no rows, so tests that seed their own
    regions and majors never collide with the reference data."""
    assert await session.scalar(select(func.count()).select_from(Region)) == 0
    assert await session.scalar(select(func.count()).select_from(Graduate)) == 0
