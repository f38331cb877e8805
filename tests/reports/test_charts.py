"""Rendered SVG charts: valid SVG, Chinese text kept as text, suppressed cells marked, bars to scale.

Figures come from the worked case (worked_case.py), as of 2025-12-31 with the 2026-01-01 cut-off:
major 730801 (school A, 8 graduates): employed a1 a2 a3 a8 + further study a5 -> 5/8 = 62.5 %;
major 740202 (school B, 3 graduates): employed b1 -> 1/3 = 33.3 %. Salaries: A 3000 3500 4500 5000
(median 4000), B 6000. 对口 2025: 4 of 5 employed = 80.0 %; 2024 (c1, 对口 unknown): 0 of 1 = 0.0 %.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import matplotlib
import pytest
from lxml import etree
from sqlalchemy.ext.asyncio import AsyncSession

from service.config import Settings
from service.reports.build import build_report
from service.reports.charts import chart_svg
from service.reports.compute import ReportParams, Scope
from tests.reports import worked_case

SVG = "{http://www.w3.org/2000/svg}"
ROOT = Path(__file__).resolve().parents[2]


async def _report(session: AsyncSession, threshold: int = 1, cohorts: tuple[int, ...] = (2025,)) -> dict[str, Any]:
    await worked_case.load(session)
    return await build_report(
        session,
        ReportParams(
            scope=Scope.parse("all"),
            cohorts=cohorts,
            as_of=dt.date(2025, 12, 31),
            recorded_before=worked_case.CUTOFF,
            threshold=threshold,
        ),
    )


def _parse(svg: bytes) -> etree._Element:
    root = etree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def _texts(root: etree._Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def _group(root: etree._Element, gid: str) -> etree._Element | None:
    found = root.xpath(f"//svg:g[@id='{gid}']", namespaces={"svg": SVG[1:-1]})
    return found[0] if found else None


def _bar_height(root: etree._Element, gid: str) -> float:
    """Vertical extent of the bar drawn in group ``gid`` (matplotlib writes bars as closed paths)."""
    group = _group(root, gid)
    assert group is not None, f"no bar {gid}"
    ys = [float(y) for y in re.findall(r"[ML] [-\d.]+ ([-\d.]+)", group.find(f"{SVG}path").get("d") or "")]
    return max(ys) - min(ys)


async def test_rates_by_major_are_text_and_to_scale(session: AsyncSession) -> None:
    report = await _report(session)
    root = _parse(chart_svg(report, "employment_rate", "major"))
    texts = _texts(root)
    # Chinese labels are <text>, not glyph paths: title, groups, caption with definition and as-of date
    assert "就业率 (%) · 按专业" in texts
    assert {"物流服务与管理", "西餐烹饪"} <= set(texts)
    caption = " ".join(t for t in texts if t.startswith(("定义", "统计日")) or "毕业生数" in t)
    assert "(直接就业 + 升学) / 毕业生数" in caption and "2025-12-31" in caption
    assert {"62.5%", "33.3%"} <= set(texts)
    assert _bar_height(root, "bar-0") / _bar_height(root, "bar-1") == pytest.approx(62.5 / 33.3, rel=1e-4)
    assert _group(root, "suppressed-0") is None and not root.xpath("//*[starts-with(@id, 'glyph')]")


async def test_suppressed_cells_are_marked_not_zero(session: AsyncSession) -> None:
    report = await _report(session, threshold=5)  # the cell of 3 (major 740202) and its complement hidden
    root = _parse(chart_svg(report, "employment_rate", "major"))
    for i in (0, 1):
        marker = _group(root, f"suppressed-{i}")
        assert marker is not None and "".join(marker.itertext()).strip() == "已抑制"
        assert _group(root, f"bar-{i}") is None
    assert any("不是 0" in t for t in _texts(root))


async def test_zero_is_a_bar_and_no_denominator_is_no_data(session: AsyncSession) -> None:
    report = await _report(session, cohorts=(2024, 2025))
    root = _parse(chart_svg(report, "in_field_rate", "cohort"))
    assert {"2024届", "2025届", "0.0%", "80.0%"} <= set(_texts(root))
    assert _bar_height(root, "bar-0") == 0.0 and _bar_height(root, "bar-1") > 0
    only_2025 = await build_report(
        session,
        ReportParams(
            scope=Scope.parse("all"),
            cohorts=(2025,),
            as_of=dt.date(2025, 12, 31),
            recorded_before=worked_case.CUTOFF,
            threshold=1,
        ),
    )
    q4 = _parse(chart_svg(only_2025, "q4_employment_rate", "total"))  # Q2 2026 is not over: 0/0
    assert "".join(_group(q4, "nodata-0").itertext()).strip() == "无数据"
    assert _group(q4, "suppressed-0") is None


async def test_salary_median_and_bands(session: AsyncSession) -> None:
    report = await _report(session)
    root = _parse(chart_svg(report, "salary_median", "major"))
    assert {"4,000", "6,000"} <= set(_texts(root))
    assert _bar_height(root, "bar-0") / _bar_height(root, "bar-1") == pytest.approx(4000 / 6000, rel=1e-4)
    bands = _parse(chart_svg(report, "salary_bands", "school"))
    assert {"2001–3000元", "3001–4000元", "6001元及以上", "天河职校", "南山职校"} <= set(_texts(bands))
    h = {g: _bar_height(bands, f"bar-{g}") for g in ("0-salary_3001_4000", "0-salary_4001_5000", "1-salary_5001_6000")}
    assert h["0-salary_4001_5000"] == pytest.approx(2 * h["0-salary_3001_4000"], rel=1e-4)  # a1 a3 vs a2
    assert h["1-salary_5001_6000"] == pytest.approx(h["0-salary_3001_4000"], rel=1e-4)  # b1 (6000) vs a2


async def test_bad_arguments_and_thread_safety(session: AsyncSession) -> None:
    report = await _report(session)
    with pytest.raises(ValueError, match="employment_rate"):
        chart_svg(report, "happiness", "major")
    with pytest.raises(ValueError, match="cohort"):
        chart_svg(report, "employment_rate", "planet")
    expected = {m: chart_svg(report, m, "school") for m in ("employment_rate", "in_field_rate", "salary_bands")}
    results: list[tuple[str, bytes]] = []

    def work(metric: str) -> None:
        for _ in range(3):
            results.append((metric, chart_svg(report, metric, "school")))

    threads = [threading.Thread(target=work, args=(m,)) for m in expected for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 18 and all(svg == expected[m] for m, svg in results)
    assert matplotlib.rcParams["svg.fonttype"] == "path"  # nothing left behind in the process-wide settings


@pytest.fixture
async def loaded(session: AsyncSession) -> dict[str, int]:
    return await worked_case.load(session)


def test_chart_endpoint(client: httpx.Client, loaded: dict[str, int]) -> None:
    q: dict[str, Any] = {
        "scope": "all",
        "as_of": "2025-12-31",
        "cohort": 2025,
        "recorded_before": "2026-01-01T00:00:00Z",
        "threshold": 1,
        "metric": "employment_rate",
        "by": "major",
    }
    r = client.get("/reports/chart", params=q)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("image/svg+xml")
    assert {"就业率 (%) · 按专业", "62.5%", "33.3%", "物流服务与管理"} <= set(_texts(_parse(r.content)))
    bad = client.get("/reports/chart", params={**q, "metric": "happiness"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "metric"
    assert client.get("/reports/chart", params={**q, "by": "planet"}).json()["errors"][0]["field"] == "by"


def test_report_cli_writes_svg(settings: Settings, tmp_path: Path, loaded: dict[str, int]) -> None:
    import os

    target = tmp_path / "chart.svg"
    env = {**os.environ, "VOCMATCH_DATABASE_URL": settings.database_url}
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.cli",
            "report",
            "--as-of",
            "2025-12-31",
            "--recorded-before",
            "2026-01-01T00:00:00+00:00",
            "--threshold",
            "1",
            "--format",
            "svg",
            "--metric",
            "salary_median",
            "--by",
            "school",
            "-o",
            str(target),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr.decode()
    root = _parse(target.read_bytes())
    assert {"天河职校", "南山职校", "4,000", "6,000"} <= set(_texts(root))
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "service.cli",
            "report",
            "--as-of",
            "2025-12-31",
            "--format",
            "svg",
            "--metric",
            "happiness",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert p.returncode == 2 and b"metric" in p.stderr


async def test_chart_has_the_report_guard(
    anon_client: httpx.Client, client_as: Any, session: AsyncSession, loaded: dict[str, int]
) -> None:
    from sqlalchemy import select

    from service.accounts.models import Role
    from service.catalog.models import School

    school_a = (await session.execute(select(School.id).where(School.code == "4144010001"))).scalar_one()
    q: dict[str, Any] = {
        "as_of": "2025-12-31",
        "cohort": 2025,
        "recorded_before": "2026-01-01T00:00:00Z",
        "threshold": 1,
        "metric": "employment_rate",
        "by": "major",
    }
    assert anon_client.get("/reports/chart", params={**q, "scope": "school:4144010001"}).status_code == 401
    graduate = client_as(Role.GRADUATE, graduate_id=loaded["a1"])
    assert graduate.get("/reports/chart", params={**q, "scope": "all"}).status_code == 403
    staff = client_as(Role.SCHOOL, school_id=school_a)
    q = {**q, "threshold": 5}  # below the default only the system admin may go
    assert staff.get("/reports/chart", params={**q, "scope": "school:4144030001"}).status_code == 403
    assert staff.get("/reports/chart", params={**q, "scope": "school:4144010001", "threshold": 1}).status_code == 403
    own = staff.get("/reports/chart", params={**q, "scope": "school:4144010001"})
    assert own.status_code == 200 and "物流服务与管理" in _texts(_parse(own.content))
