"""Roster import from real .xlsx and .csv files written into tmp_path, on both backends."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.cn import ric

from service.config import Settings
from service.graduates.models import Gender, Graduate
from service.rosters.service import RosterFileError, import_roster
from tests.rosters.conftest import SCHOOL

ROOT = Path(__file__).resolve().parents[2]


def id_number(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


MALE = id_number("44010620070101001")
FEMALE = id_number("44010620070202002")
MALE2 = id_number("44010620070303003")
SERIAL_2025_06_30 = (dt.date(2025, 6, 30) - dt.date(1899, 12, 30)).days


def write_xlsx(
    path: Path, rows: Sequence[Sequence[object]], merge: Sequence[str] = (), formats: dict[str, str] | None = None
) -> Path:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    for rng in merge:
        ws.merge_cells(rng)
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    wb.save(path)
    return path


HEADER = ["学号", "姓名", "性别", "身份证号码（必填）", "所学专业", "毕业时间", "手机号", "是否困难生"]


def good_xlsx(path: Path) -> Path:
    return write_xlsx(
        path,
        [
            ["2025届毕业生名册"],
            HEADER,
            ["0012025001", "陈明", "男", MALE, "物流服务与管理", dt.datetime(2025, 6, 30), 13800138000, "是"],
            ["0012025002", "林芳", "女", FEMALE, None, SERIAL_2025_06_30, "020-12345678", "否"],
            [12025003, "王强", "", MALE2, None, "2025年6月", "+86 139 0013 9000", ""],
        ],
        merge=["A1:H1", "E3:E5"],
        formats={"A5": "0000000000"},
    )


async def count(session: AsyncSession) -> int:
    return (await session.execute(select(func.count()).select_from(Graduate))).scalar_one()


async def test_xlsx_import_keeps_text_and_fills_merged_cells(
    session: AsyncSession, school: int, tmp_path: Path
) -> None:
    path = good_xlsx(tmp_path / "roster.xlsx")
    report = await import_roster(session, path.read_bytes(), path.name, SCHOOL)
    await session.commit()
    assert report.rejected == [] and report.written and (report.created, report.rows_read) == (3, 3)
    gs = {g.student_number: g for g in (await session.execute(select(Graduate))).scalars()}
    assert set(gs) == {"0012025001", "0012025002", "0012025003"}  # zero-padded number format honoured
    a, b, c = gs["0012025001"], gs["0012025002"], gs["0012025003"]
    assert a.id_number == MALE and a.phone == "13800138000" and a.disadvantaged is True
    assert b.phone == "02012345678" and b.disadvantaged is False and b.gender == Gender.FEMALE
    assert c.phone == "13900139000" and c.gender == Gender.MALE  # from the 身份证号
    assert {g.major_code for g in gs.values()} == {"730801"}  # merged 专业 filled down
    assert a.graduation_date == b.graduation_date == c.graduation_date == dt.date(2025, 6, 30)
    assert {g.cohort for g in gs.values()} == {2025} and a.school_id == school


async def test_reimport_updates_and_never_duplicates(session: AsyncSession, school: int, tmp_path: Path) -> None:
    path = good_xlsx(tmp_path / "roster.xlsx")
    await import_roster(session, path.read_bytes(), path.name, SCHOOL)
    await session.commit()
    again = await import_roster(session, path.read_bytes(), path.name, SCHOOL)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    changed = write_xlsx(
        tmp_path / "v2.xlsx",
        [HEADER, ["0012025001", "陈小明", "男", MALE, "西餐烹饪", "2025-07-01", "13800138000", ""]],
    )
    report = await import_roster(session, changed.read_bytes(), changed.name, SCHOOL)
    await session.commit()
    assert (report.created, report.updated) == (0, 1)
    assert await count(session) == 3
    g = (await session.execute(select(Graduate).where(Graduate.student_number == "0012025001"))).scalar_one()
    assert (g.name, g.major_code, g.graduation_date) == ("陈小明", "740202", dt.date(2025, 7, 1))


#: (row, column named in the rejection, words of the reason)
BAD_ROWS: list[tuple[list[object], str, str]] = [
    (["0012025010", "甲", "男", 440106200701010019, None, "2025-06-30", None, None], "身份证号", "15位"),
    (["0012025011", "乙", "男", "4.40106E+17", None, "2025-06-30", None, None], "身份证号", "科学计数法"),
    (
        ["0012025012", "丙", "男", MALE[:-1] + ("0" if MALE[-1] != "0" else "1"), None, "2025-06-30", None, None],
        "身份证号",
        "身份证号校验位不符 (GB 11643-1999)，请检查是否录错 / 身份证号 check digit is wrong",  # Chinese / English
    ),
    (["0012025013", "丁", "男", None, None, "下个月", None, None], "毕业时间", "不是日期"),
    (["0012025014", "戊", "男", None, "火箭工程", "2025-06-30", None, None], "专业", "unknown major"),
    (["0012025001", "己", "女", None, None, "2025-06-30", None, None], "学号", "duplicate of row 2"),
    (["0012025016", "庚", "女", MALE2, None, "2025-06-30", None, None], "性别", "contradicts"),
    (["0012025017", None, "男", None, None, "2025-06-30", None, None], "姓名", "required"),
    (["1.2025E+09", "辛", "男", None, None, "2025-06-30", None, None], "学号", "科学计数法"),
    (["0012025019", "壬", "男", None, None, "2025-06-30", "12345", None], "联系电话", "not an 11-digit"),
]


async def test_every_bad_input_is_reported_and_nothing_written(
    session: AsyncSession, school: int, tmp_path: Path
) -> None:
    rows: list[list[object]] = [
        ["学号", "姓名", "性别", "身份证号", "专业", "毕业时间", "联系电话", "困难群体"],
        ["0012025001", "好人", "男", MALE, "物流服务与管理", "2025-06-30", "13800138000", None],
    ]
    rows += [r for r, _, _ in BAD_ROWS]
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    report = await import_roster(session, path.read_bytes(), path.name, SCHOOL)
    await session.commit()
    assert not report.written and await count(session) == 0
    by_row = {e.row: e for e in report.rejected}
    for i, (_, column, reason) in enumerate(BAD_ROWS):
        error = by_row[i + 3]  # header is row 1, the good row is row 2
        assert error.column == column and reason in error.reason, (i, error)
    assert report.rejected_rows == len(BAD_ROWS)
    # valid-rows-only stores the good row and still reports the others
    partial = await import_roster(session, path.read_bytes(), path.name, SCHOOL, valid_rows_only=True)
    await session.commit()
    assert partial.written and partial.created == 1 and partial.rejected_rows == len(BAD_ROWS)
    assert await count(session) == 1


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
async def test_csv_encodings_and_header_synonyms(
    session: AsyncSession, school: int, tmp_path: Path, encoding: str
) -> None:
    text = (
        "学籍号,学生姓名,公民身份号码,专业代码,毕业日期,联系电话\n"
        f"0012025001,陈明,{MALE},730801,{SERIAL_2025_06_30},013800138000\n"
        f"0012025002,林芳,{FEMALE},740202,2025/6/30,13800138001\n"
    )
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode(encoding))
    report = await import_roster(session, path.read_bytes(), path.name, SCHOOL)
    await session.commit()
    assert report.rejected == [] and report.created == 2
    g = (await session.execute(select(Graduate).where(Graduate.student_number == "0012025001"))).scalar_one()
    assert (g.name, g.major_code, g.graduation_date) == ("陈明", "730801", dt.date(2025, 6, 30))
    assert g.phone == "013800138000"  # a landline-shaped number with its leading 0


async def test_names_are_stored_without_invisible_characters(
    session: AsyncSession, school: int, tmp_path: Path
) -> None:
    """A zero-width space or direction control in a 姓名 (or 班级) cell is not stored, so a name search
    finds the name as shown; visible marks stay; a 姓名 of invisible characters only is a missing one."""
    text = (
        "学号,姓名,毕业时间,班级\n"
        "QA1,李\u200b华,2026-06-30,\u200b1班\n"
        "QA2,\u202e阿卜杜拉·买买提\u202c,2026-06-30,\n"
        "QA3,Nu\u0308\u030c,2026-06-30,\n"
        "QA4,\u200b\ufeff,2026-06-30,\n"
    )
    report = await import_roster(session, text.encode(), "roster.csv", SCHOOL, valid_rows_only=True)
    await session.commit()
    assert [(e.row, e.column, e.code) for e in report.rejected] == [(5, "姓名", "required_missing")]
    stored = dict((await session.execute(select(Graduate.student_number, Graduate.name))).tuples().all())
    assert stored == {"QA1": "李华", "QA2": "阿卜杜拉·买买提", "QA3": "N\u01da"}
    found = await session.execute(select(Graduate.class_name).where(Graduate.name.contains("李华")))
    assert found.scalar_one() == "1班"


async def test_unreadable_files(session: AsyncSession, school: int, tmp_path: Path) -> None:
    with pytest.raises(RosterFileError, match="not UTF-8 or GB18030"):
        await import_roster(session, b"\xff\xfe\x00\x81\x30", "x.csv", SCHOOL)
    with pytest.raises(RosterFileError, match="毕业时间"):
        await import_roster(session, "学号,姓名\n1,甲\n".encode(), "x.csv", SCHOOL)
    with pytest.raises(RosterFileError, match="unknown school"):
        await import_roster(session, b"", "x.csv", "999")
    with pytest.raises(RosterFileError, match=r"\.xlsx"):
        await import_roster(session, b"", "x.xls", SCHOOL)


async def test_cli_exit_code_and_report(settings: Settings, session: AsyncSession, school: int, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "bad.xlsx", [HEADER, ["0012025001", "甲", "男", "4.40106E+17", None, "2025-06-30", None, None]]
    )
    env = {**os.environ, "VOCMATCH_DATABASE_URL": settings.database_url}
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "roster", "import", str(path), "--school", SCHOOL],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert run.returncode == 1
    body = json.loads(run.stdout)
    assert body["rejected"] == [
        {
            "row": 2,
            "column": "身份证号",
            "reason": body["rejected"][0]["reason"],
            "field": "id_number",
            "code": "scientific_notation",
        }
    ]  # the stable code too
    assert body["written"] is False
    good = good_xlsx(tmp_path / "good.xlsx")
    run = subprocess.run(
        [sys.executable, "-m", "service.cli", "roster", "import", str(good), "--school", SCHOOL],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr.decode()
    assert json.loads(run.stdout)["created"] == 3


def test_upload_endpoint(client: httpx.Client, school: int, tmp_path: Path) -> None:
    good = good_xlsx(tmp_path / "good.xlsx")
    r = client.post(f"/schools/{SCHOOL}/rosters", files={"data": ("good.xlsx", good.read_bytes())})
    assert r.status_code == 201, r.text
    assert r.json()["created"] == 3
    bad = write_xlsx(tmp_path / "bad.xlsx", [HEADER, ["0012025009", "甲", "男", "4.40106E+17", None, "2025-06-30"]])
    r = client.post(f"/schools/{SCHOOL}/rosters", files={"data": ("bad.xlsx", bad.read_bytes())})
    assert r.status_code == 422 and r.json()["rejected"][0]["column"] == "身份证号"
    assert client.get("/graduates", params={"school_id": school}).json()["total"] == 3
    r = client.post(f"/schools/{SCHOOL}/rosters", files={"data": ("x.pdf", b"%PDF")})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "data"


def test_upload_faults_are_client_errors_naming_the_file_or_field(
    client: httpx.Client, school: int, tmp_path: Path
) -> None:
    url = f"/schools/{SCHOOL}/rosters"
    r = client.post(url, files={"data": ("名册.xlsx", b"PK\x03\x04garbage")})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "data"
    assert "名册.xlsx" in r.json()["detail"] and "not a readable .xlsx" in r.json()["detail"]
    # the file sent as a plain form value, not as a file
    r = client.post(url, files={"data": (None, "学号,姓名,毕业时间\n1,甲,2025-06-30\n")})
    assert r.status_code == 400, r.text
    assert r.json()["errors"][0]["field"] == "data" and "a file is expected" in r.json()["detail"]
    assert client.post(url, data={"data": "学号,姓名"}).status_code == 400  # not multipart at all
    # the file under another field name
    good = good_xlsx(tmp_path / "good.xlsx")
    r = client.post(url, files={"roster": ("good.xlsx", good.read_bytes())})
    assert r.status_code == 400, r.text
    assert r.json()["errors"][0]["field"] == "data"
    # a header and no data rows
    r = client.post(url, files={"data": ("empty.csv", "学号,姓名,身份证号,毕业时间\n\n".encode())})
    assert r.status_code == 422, r.text
    assert "empty.csv" in r.json()["detail"] and "no data rows" in r.json()["detail"]
    assert client.get("/graduates", params={"school_id": school}).json()["total"] == 0


def test_nul_in_a_cell_is_a_row_error(client: httpx.Client, school: int) -> None:
    text = (
        f"学号,姓名,身份证号,毕业时间,备注\n0012025001,陈\x00明,{MALE},2025-06-30,\n"
        f"0012025002,林芳,{FEMALE},2025-06-30,\x00 ignored column\n"
    )
    r = client.post(f"/schools/{SCHOOL}/rosters", files={"data": ("nul.csv", text.encode())})
    assert r.status_code == 422, r.text
    report = r.json()
    assert [(e["row"], e["column"]) for e in report["rejected"]] == [(2, "姓名")]
    assert "NUL" in report["rejected"][0]["reason"] and report["written"] is False
    r = client.post(
        f"/schools/{SCHOOL}/rosters", params={"valid_rows_only": "true"}, files={"data": ("nul.csv", text.encode())}
    )
    assert r.status_code == 201, r.text
    names = [g["name"] for g in client.get("/graduates", params={"school_id": school}).json()["items"]]
    assert names == ["林芳"]


async def test_class_column_is_stored_and_a_missing_one_keeps_it(
    session: AsyncSession, school: int, tmp_path: Path
) -> None:
    """班级 (the follow-up list's class filter) comes from the roster; a later file without the
    column leaves it as it was."""
    path = write_xlsx(
        tmp_path / "r.xlsx",
        [["学号", "姓名", "班级", "毕业时间"], ["0012025001", "陈明", "2022级物流1班", "2025-06-30"]],
    )
    report = await import_roster(session, path.read_bytes(), path.name, SCHOOL)
    await session.commit()
    assert report.rejected == [] and report.created == 1
    again = write_xlsx(tmp_path / "r2.xlsx", [["学号", "姓名", "毕业时间"], ["0012025001", "陈明", "2025-06-30"]])
    await import_roster(session, again.read_bytes(), again.name, SCHOOL)
    await session.commit()
    session.expire_all()
    g = (await session.execute(select(Graduate).where(Graduate.student_number == "0012025001"))).scalar_one()
    assert g.class_name == "2022级物流1班"
