"""Hostile roster files (issue 14, item 8): built here, byte by byte where openpyxl would not write
them, and refused at a bounded cost with an error naming the limit; the active sheet is the one
read and named; data in hidden sheets is refused; and the server keeps answering ``/health``
while a big upload is parsed (a worker thread, not the event loop).

What each file cost before the fix (openpyxl's normal mode): a 5 KB workbook with one merged
range over the sheet blocked the worker for 16 s and took 400 MB; one cell at row 1,048,576 23 s
and 1 GB; a 527 KB zip bomb 900 MB. ``bench/bench_hostile_uploads.py`` prints the figures now.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
import threading
import time
import zipfile
from collections.abc import Callable, Sequence

import httpx
import pytest
from openpyxl import Workbook

from service.rosters import fields as f
from service.rosters.reader import LIMITS, RosterFileError, read_roster
from tests.rosters.conftest import SCHOOL
from tests.rosters.test_roster_import import FEMALE, HEADER, MALE

SHEET = "xl/worksheets/sheet1.xml"
ROWS = [
    HEADER,
    ["0012025001", "陈明", "男", MALE, "物流服务与管理", "2025-06-30", "13800138000", "否"],
    ["0012025002", "林芳", "女", FEMALE, "物流服务与管理", "2025-06-30", "13900139000", "否"],
]


def xlsx(rows: Sequence[Sequence[object]] = ROWS, build: Callable[[Workbook], object] | None = None) -> bytes:
    """A real workbook written by openpyxl: ``rows`` on the first sheet, then ``build(workbook)``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "名册"
    for row in rows:
        ws.append(list(row))
    if build is not None:
        build(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rewrite(data: bytes, part: str, change: Callable[[str], str]) -> bytes:
    """``data`` with the XML of ``part`` replaced by ``change(xml)`` (the other parts copied)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == part:
                body = change(body.decode("utf-8")).encode("utf-8")
            dst.writestr(info.filename, body)
    return out.getvalue()


def read(data: bytes) -> tuple[int, str | None]:
    found = read_roster(data, "名册.xlsx", f.header_of)
    return len(found.rows), found.sheet


def refused(data: bytes, *words: str) -> str:
    with pytest.raises(RosterFileError) as caught:
        read_roster(data, "名册.xlsx", f.header_of)
    message = str(caught.value)
    for word in words:
        assert word in message, message
    return message


def test_a_merged_range_over_the_whole_sheet_costs_what_its_rows_cost() -> None:
    """One ``<mergeCell ref="A2:XFD1048576">`` (17 billion cells in openpyxl's normal mode): read in
    streaming mode, the range fills only the rows that exist, up to the column limit."""

    def merge(xml: str) -> str:
        return xml.replace(
            "</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="C2:XFD1048576"/></mergeCells>'
        )

    data = rewrite(xlsx(), SHEET, merge)
    assert len(data) < 10_000
    found = read_roster(data, "名册.xlsx", f.header_of)
    assert [r.number for r in found.rows] == [2, 3]
    assert [c.value for c in found.rows[1].cells[:4]] == ["0012025002", "林芳", "男", "男"]  # C2 filled C3 and D3
    assert len(found.rows[1].cells) == LIMITS.max_columns


def test_a_cell_at_row_1048576_is_refused_naming_the_row_limit() -> None:
    data = xlsx(build=lambda wb: wb.active.cell(row=1_048_576, column=1, value="x"))
    message = refused(data, "1,048,576", f"{LIMITS.max_rows:,} rows")
    assert "名册" in message


def test_a_cell_far_to_the_right_is_refused_naming_the_column_limit() -> None:
    refused(
        xlsx(build=lambda wb: wb.active.cell(row=2, column=16_384, value="x")),
        "16,384",
        f"{LIMITS.max_columns} columns",
    )


def test_a_declared_dimension_of_the_whole_sheet_is_ignored() -> None:
    data = rewrite(
        xlsx(), SHEET, lambda xml: re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
    )
    assert read(data) == (2, "名册")


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    """A shared-strings part of 300 MB of spaces compresses to about 300 KB: refused on the sizes
    the archive declares (Python's zipfile never inflates past them)."""
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as bomb:
        src = zipfile.ZipFile(io.BytesIO(xlsx()))
        for info in src.infolist():
            bomb.writestr(info.filename, src.read(info.filename))
        with bomb.open("xl/padding.xml", "w") as part:
            block = b" " * (1 << 20)
            for _ in range(300):
                part.write(block)
    assert len(data.getvalue()) < 1_000_000
    refused(data.getvalue(), "unzips to", f"{LIMITS.max_unzipped_bytes // (1 << 20)} MB")


def test_an_archive_of_too_many_parts_is_refused_before_its_directory_is_read() -> None:
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_STORED) as many:
        for i in range(LIMITS.max_parts + 1):
            many.writestr(f"p{i}", b"")
    refused(data.getvalue(), "parts", f"{LIMITS.max_parts:,}")
    # an archive claiming a single part: the size of its directory bounds what zipfile would parse
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", zipfile.ZIP_STORED) as many:
        for i in range(LIMITS.max_parts):
            many.writestr(f"{i:04d}" + "x" * 1100, b"")
    raw = bytearray(data.getvalue())
    at = raw.rfind(b"PK\x05\x06")
    raw[at + 8 : at + 12] = (1).to_bytes(2, "little") * 2
    refused(bytes(raw), "parts in a directory of", f"{LIMITS.max_parts:,}")


def test_xml_entity_declarations_are_refused() -> None:
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    )
    data = rewrite(
        xlsx(),
        SHEET,
        lambda xml: laughs
        + xml.replace("<sheetData>", '<sheetData><row r="9"><c r="A9" t="inlineStr"><is><t>&b;</t></is></c></row>'),
    )
    refused(data, "entities")


def test_the_active_sheet_is_read_and_named() -> None:
    def second_sheet(wb: Workbook) -> None:
        other = wb.create_sheet("2024届")
        for row in [HEADER, ["0012024001", "王强", "男", MALE, None, "2024-06-30", None, None]]:
            other.append(row)
        wb.active = 1

    assert read(xlsx(build=second_sheet)) == (1, "2024届")
    assert read(xlsx()) == (2, "名册")


def test_roster_data_in_a_hidden_sheet_is_refused() -> None:
    def hidden_data(wb: Workbook) -> None:
        wb.active.delete_rows(2, 2)  # the visible sheet keeps only its header
        secret = wb.create_sheet("隐藏")
        for row in ROWS:
            secret.append(row)
        secret.sheet_state = "hidden"

    refused(xlsx(build=hidden_data), "hidden sheet '隐藏'")

    # a hidden list of majors (a drop-down's source) is no roster: the visible data is read
    def hidden_list(wb: Workbook) -> None:
        majors = wb.create_sheet("专业列表")
        majors.append(["物流服务与管理"])
        majors.sheet_state = "veryHidden"

    lists = xlsx(build=hidden_list)
    assert read(lists) == (2, "名册")


def test_a_hidden_active_sheet_is_refused() -> None:
    def hide_active(wb: Workbook) -> None:
        wb.create_sheet("可见")
        wb["名册"].sheet_state = "hidden"

    data = rewrite(
        xlsx(build=hide_active),
        "xl/workbook.xml",
        lambda xml: re.sub(r'activeTab="\d+"', 'activeTab="0"', xml)
        if "activeTab" in xml
        else xml.replace("<workbookView", '<workbookView activeTab="0"'),
    )
    refused(data, "active sheet '名册' is hidden")


def test_csv_rosters_have_the_same_limits() -> None:
    wide = ",".join(["x"] * (LIMITS.max_columns + 1)).encode()
    with pytest.raises(RosterFileError, match=f"{LIMITS.max_columns} columns"):
        read_roster(wide, "名册.csv", f.header_of)
    with pytest.raises(RosterFileError, match="not valid CSV"):
        read_roster(b'"' + b"x" * 200_000, "名册.csv", f.header_of)


def test_upload_past_a_limit_is_422_naming_it(client: httpx.Client, school: int) -> None:
    data = xlsx(build=lambda wb: wb.active.cell(row=1_048_576, column=1, value="x"))
    r = client.post(f"/schools/{SCHOOL}/rosters", files={"data": ("名册.xlsx", data)})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "data" and "rows" in r.json()["detail"]
    assert client.get("/health").json()["status"] == "ok"


@functools.cache
def _slow_roster(rows: int) -> bytes:
    """A real roster whose every row is rejected (届别 not a year) after all its cells are read and
    checked: the request spends its time parsing, then writes nothing. Built once per test session
    (about 1 s of CPU per 5,000 rows) and shared by both backends' runs."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("名册")
    ws.append([*HEADER, "届别"])
    for i in range(rows):
        ws.append(
            [
                f"0{2025000000 + i}",
                "陈明",
                "男",
                MALE,
                "物流服务与管理",
                dt.date(2025, 6, 30),
                "13800138000",
                "否",
                "不详",
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


#: Rows of the upload in :func:`test_health_answers_while_a_big_upload_is_parsed`. The property does not
#: grow with the size: it needs only a parse that lasts many /health round trips. 5,000 rows take about
#: 2.5 s of CPU to read in the roster worker, plus the checks of every row (measured on the 2-core test
#: machine), against a few milliseconds per loopback /health round trip — hundreds of probes fit, and the
#: test asks for 5. 20,000 rows (a 16 s upload) proved nothing more and cost four times as much.
SLOW_ROWS = 5_000


@pytest.mark.slow  # a load test: /health timed through a multi-second upload
def test_health_answers_while_a_big_upload_is_parsed(
    client: httpx.Client,
    anon_client: httpx.Client,
    school: int,
) -> None:
    """``/health`` round trips, one after another, started after the upload's body was sent: many
    complete before the upload's answer. Parsing on the event loop would let at most one through.
    The size (:data:`SLOW_ROWS`) only has to make the parse last clearly longer than a probe's round
    trip; five answers in a row during the upload are themselves the proof that it did."""
    data = _slow_roster(SLOW_ROWS)
    sent = threading.Event()
    result: dict[str, float] = {}  # the upload's status code and when it ended

    def trace(name: str, info: dict[str, object]) -> None:
        if name == "http11.send_request_body.complete":
            sent.set()

    def upload() -> None:
        r = client.post(
            f"/schools/{SCHOOL}/rosters", files={"data": ("名册.xlsx", data)}, extensions={"trace": trace}, timeout=300
        )
        result["status"], result["done"] = r.status_code, time.monotonic()

    thread = threading.Thread(target=upload)
    thread.start()
    assert sent.wait(60)
    answered: list[tuple[float, float]] = []
    while thread.is_alive():
        start = time.monotonic()
        assert anon_client.get("/health").status_code == 200
        answered.append((start, time.monotonic()))
    thread.join()
    assert result["status"] == 422  # every row rejected: nothing written
    during = [(s, e) for s, e in answered if e < result["done"]]
    slowest = max((e - s for s, e in during), default=0)
    print(f"/health answered {len(during)} times during the upload; slowest {slowest * 1000:.0f} ms")
    assert len(during) >= 5, f"only {len(during)} /health answers while the upload was processed"
