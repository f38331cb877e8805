"""Encoding detection, CSV rows with line numbers, list-literal cells."""

from __future__ import annotations

from pathlib import Path

import pytest

from scrapers.csvio import (
    UnreadableFileError,
    clean,
    detect_encoding,
    iter_rows,
    parse_list_cell,
    parse_list_fragment,
    read_text,
)

FIXTURES = Path(__file__).parent / "fixtures"


def test_encodings() -> None:
    text = "职位,薪资\n['大专'],['1-1.5万/月']\n"
    assert detect_encoding(text.encode("utf-8")) == "utf-8-sig"
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"
    assert detect_encoding(text.encode("gb18030")) == "gb18030"
    assert detect_encoding(text.encode("gbk")) == "gb18030"
    with pytest.raises(UnreadableFileError, match="offset"):
        detect_encoding(b"\x81\x20\xff\xfe")


def test_gb18030_fixture_is_read() -> None:
    text, encoding = read_text(FIXTURES / "job51_2019_sample.csv")
    assert encoding == "gb18030" and text.startswith("职位,薪资")


def test_rows_are_numbered_as_a_spreadsheet_shows_them() -> None:
    header, rows = iter_rows('a,b\n1,"x\ny"\n\n2,z\n3\n', ("a", "b"))
    assert header == ["a", "b"]
    got = [(r.row, r.values) for r in rows]  # a line break inside a cell does not add a row
    assert got == [(2, {"a": "1", "b": "x\ny"}), (4, {"a": "2", "b": "z"}), (5, {"a": "3", "b": ""})]


def test_missing_column_names_it() -> None:
    with pytest.raises(UnreadableFileError, match="职位"):
        iter_rows("公司,薪资\n", ("职位",))
    with pytest.raises(UnreadableFileError, match="empty"):
        iter_rows("", ())


@pytest.mark.parametrize(
    ("cell", "values", "warns"),
    [
        ("['大专']", ["大专"], False),
        ("[]", [], False),
        ("", [], False),
        ("['a', ' b ']", ["a", "b"], False),
        ("本科", ["本科"], False),
        ("['0.8-1万/月]", ["0.8-1万/月"], True),
        ("[1, 2]", ["[1, 2]"], True),
        ("[__import__('os').system('true')]", ["__import__('os').system('true')"], True),
    ],
)
def test_list_cells(cell: str, values: list[str], warns: bool) -> None:
    got, warning = parse_list_cell(cell)
    assert got == values and (warning is not None) == warns


@pytest.mark.parametrize(
    ("cell", "values"),
    [
        ("['spark\\n大数据',", ["spark\n大数据"]),
        ("'hive\\nsql',", ["hive\nsql"]),
        ("'五险一金']", ["五险一金"]),
        ("['a']", ["a"]),
        ("", []),
    ],
)
def test_list_fragments(cell: str, values: list[str]) -> None:
    assert parse_list_fragment(cell) == (values, None)


@pytest.mark.parametrize(
    ("value", "cleaned"),
    [("NA", None), (" none ", None), ("", None), (None, None), ("  Cashier ", "Cashier"), ("Nancy", "Nancy")],
)
def test_clean(value: str | None, cleaned: str | None) -> None:
    assert clean(value) == cleaned
