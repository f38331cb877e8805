"""Reports over real HTTP and the CLI: JSON/CSV/XLSX exports, tracing a cell, snapshots made once."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.cli import main
from service.config import Settings
from service.reports.compute import Scope
from service.reports.models import ReportSnapshot
from service.reports.snapshots import ensure_snapshot
from tests.reports import worked_case

ROOT = Path(__file__).resolve().parents[2]
Q: dict[str, Any] = {
    "scope": "all",
    "as_of": "2025-12-31",
    "cohort": 2025,
    "recorded_before": "2026-01-01T00:00:00Z",
    "threshold": 1,
}


@pytest.fixture
async def case(session: AsyncSession) -> dict[str, int]:
    return await worked_case.load(session)


def test_json_report(client: httpx.Client, case: dict[str, int]) -> None:
    r = client.get("/reports", params=Q)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["breakdowns"]["total"][0]["rates"]["employment_rate"] == 54.5
    assert body["definitions"]["nace_mapping"]["military"]["nace"] == "Serving in the armed forces"
    assert "四舍五入" in body["definitions"]["rounding"]
    assert body["charts"]["destination_distribution"][0] == {
        "category": "employment_agreement",
        "label": "签就业协议形式就业",
        "count": 1,
    }


def test_csv_and_xlsx_have_chinese_headers(client: httpx.Client, case: dict[str, int]) -> None:
    r = client.get("/reports", params={**Q, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["分组维度", "分组", "名称", "毕业生数"]
    total = next(row for row in rows if row[0] == "合计")
    assert total[3] == "11" and total[rows[0].index("就业率(%)")] == "54.5"
    r = client.get("/reports", params={**Q, "format": "xlsx", "threshold": 5, "view": "publish"})
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["说明", "合计", "省", "市", "县区", "学校", "专业", "届别", "性别", "困难群体"]
    school = wb["学校"]
    assert school["C1"].value == "毕业生数"
    assert [school.cell(row, 3).value for row in (2, 3)] == ["*", "*"]  # the cell of 3 and its complement


def test_trace_lists_the_graduates_behind_a_cell(client: httpx.Client, case: dict[str, int]) -> None:
    r = client.get("/reports/trace", params={**Q, "row": "total", "column": "employed"})
    assert r.status_code == 200, r.text
    assert sorted(x["graduate_id"] for x in r.json()) == sorted(case[n] for n in ("a1", "a2", "a3", "a8", "b1"))
    r = client.get("/reports/trace", params={**Q, "row": "school:4144030001", "column": "abroad"})
    assert [x["graduate_id"] for x in r.json()] == [case["b2"]]
    assert client.get("/reports/trace", params={**Q, "row": "planet:x", "column": "employed"}).status_code == 422


def test_bad_scope_is_named(client: httpx.Client) -> None:
    r = client.get("/reports", params={**Q, "scope": "county-44"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "scope"


def test_only_the_admin_lowers_the_small_cell_threshold(
    client: httpx.Client, client_as: Callable[..., httpx.Client], case: dict[str, int]
) -> None:
    """Below the default 5 the small cells that identify few graduates would show: the system admin
    only (403 naming the rule for staff); raising the threshold is open to every reader."""
    department = client_as(Role.DEPARTMENT, region_code="440000")
    q = {**Q, "scope": "region:440000"}
    for path, extra in (("/reports", {}), ("/reports/chart", {"metric": "employment_rate", "by": "major"})):
        for low in (1, 4):
            refused = department.get(path, params={**q, **extra, "threshold": low})
            assert refused.status_code == 403, refused.text
            assert "only the system admin may lower the small-cell threshold below 5" in refused.json()["detail"]
        for fine in (5, 8):
            assert department.get(path, params={**q, **extra, "threshold": fine}).status_code == 200
        assert client.get(path, params={**q, **extra, "threshold": 1}).status_code == 200
    published = department.get(
        "/reports", params={**{k: v for k, v in q.items() if k != "threshold"}, "view": "publish"}
    ).json()
    assert published["threshold"] == 5 and published["view"] == "publish"


@pytest.mark.parametrize("as_of", ["9999-12-31", "1949-12-31", "2101-01-01"])
def test_as_of_out_of_range_is_named(client: httpx.Client, as_of: str) -> None:
    for path in ("/reports", "/reports/chart"):
        r = client.get(path, params={**Q, "as_of": as_of})
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "as_of" and "2100-12-31" in r.text
    r = client.get("/reports/trace", params={**Q, "as_of": as_of, "row": "total", "column": "employed"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "as_of"


def _cli(settings: Settings, *args: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VOCMATCH_DATABASE_URL": settings.database_url}
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


@pytest.mark.slow  # two scheduler processes racing
async def test_two_scheduler_processes_make_one_snapshot(settings: Settings, session: AsyncSession) -> None:
    await worked_case.load(session)
    args = ("jobs", "run", "year_end", "--today", "2026-01-01", "--scope", "all", "--scope", "school:4144010001")
    procs = [_cli(settings, *args) for _ in range(2)]
    outputs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
        outputs.append(json.loads(out))
    n = (await session.execute(select(func.count()).select_from(ReportSnapshot))).scalar_one()
    assert n == 2  # one per scope
    for i in range(2):
        created = [o[i]["created"] for o in outputs]
        assert sorted(created) == [False, True]
        assert outputs[0][i]["snapshot_id"] == outputs[1][i]["snapshot_id"]
    snap = (await session.execute(select(ReportSnapshot).where(ReportSnapshot.scope == "all"))).scalar_one()
    assert (snap.period, snap.cohort, snap.as_of.isoformat(), snap.job) == ("year_end", 2025, "2025-12-31", "year_end")
    assert snap.data["breakdowns"]["total"][0]["counts"]["graduates"] == 11
    # running again later finds it: the same command in-process (a third process proved nothing the
    # two racing ones do not, and cost a CLI start-up, ~3-5 s per backend under load); on a thread, as
    # the command runs its own event loop
    again = await asyncio.to_thread(
        CliRunner().invoke, main, list(args), env={"VOCMATCH_DATABASE_URL": settings.database_url}
    )
    assert again.exit_code == 0, again.output
    assert [o["created"] for o in json.loads(again.stdout)] == [False, False]


async def test_database_refuses_a_second_snapshot(session: AsyncSession) -> None:
    await worked_case.load(session)
    snap, created = await ensure_snapshot(
        session, Scope.parse("all"), 2025, "manual", worked_case.GRADUATED, worked_case.CUTOFF
    )
    assert created
    again, created = await ensure_snapshot(
        session, Scope.parse("all"), 2025, "manual", worked_case.GRADUATED, worked_case.CUTOFF
    )
    assert not created and again.id == snap.id
    await session.commit()
    session.add(
        ReportSnapshot(
            scope="all",
            cohort=2025,
            period="manual",
            as_of=worked_case.GRADUATED,
            recorded_before=worked_case.CUTOFF,
            data={},
        )
    )
    with pytest.raises(IntegrityError):
        await session.commit()


def test_snapshot_endpoints(client: httpx.Client, settings: Settings, case: dict[str, int]) -> None:
    p = _cli(settings, "jobs", "run", "monthly", "--today", "2025-11-03", "--scope", "all")
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err.decode()
    page = client.get("/reports/snapshots").json()
    assert page["total"] == 1 and page["items"][0]["as_of"] == "2025-10-31"
    sid = page["items"][0]["id"]
    body = client.get(f"/reports/snapshots/{sid}").json()
    assert body["as_of"] == "2025-10-31" and body["cohorts"] == [2025]
    assert client.get("/reports/snapshots/999").status_code == 404


def test_report_cli_writes_xlsx(settings: Settings, tmp_path: Path, case: dict[str, int]) -> None:
    target = tmp_path / "r.xlsx"
    p = _cli(
        settings,
        "report",
        "--scope",
        "school:4144010001",
        "--as-of",
        "2025-12-31",
        "--format",
        "xlsx",
        "--recorded-before",
        "2026-01-01T00:00:00+00:00",
        "--threshold",
        "1",
        "-o",
        str(target),
    )
    _, err = p.communicate(timeout=120)
    assert p.returncode == 0, err.decode()
    ws = load_workbook(target)["合计"]
    assert ws["C2"].value == 8
