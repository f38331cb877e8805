"""The shared normaliser and fuzzy-matching rules (vocab.text)."""

from __future__ import annotations

import pytest

from vocab.text import (
    CJK_CUTOFF,
    LATIN_CUTOFF,
    TOKEN_SPELLINGS,
    best_match,
    compact,
    fuzzy_allowed,
    is_match,
    is_protected,
    match_pairs,
    normalise,
    protected_spans,
    similarity,
    tokens,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＰＬＣ", "plc"),
        ("ＣＮＣ　编程", "数控编程"),  # a CNC compound is written 数控 (test_cnc_compounds)
        ("Ｃ＃", "c#"),
        ("１２３ＡＢＣ", "123abc"),
    ],
)
def test_full_width_becomes_ascii(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("數控車床", "数控车床"),
        ("維修電工", "维修电工"),
        ("電工證", "电工证"),
        ("機械設計與製造", "机械设计与制造"),
    ],
)
def test_traditional_becomes_simplified(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("C#", "c#"),
        ("C++", "c++"),
        (".NET", ".net"),
        ("ASP.NET开发", "asp.net开发"),
        ("熟悉C#、C++和.NET", "熟悉c# c++和.net"),
        ("Java/JavaScript", "java javascript"),
        ("TCP/IP", "tcp/ip"),
    ],
)
def test_protected_tokens_keep_their_punctuation(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Line   Cook\t- Full time!  ", "line cook full time"),
        ("数控编程（FANUC系统）", "数控编程 fanuc系统"),
        ("薪资1.5万/月", "薪资1.5万 月"),
        ("", ""),
        ("！？。", ""),
    ],
)
def test_punctuation_and_whitespace(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_tokens_segment_chinese_and_keep_protected_tokens_whole() -> None:
    toks = tokens("熟悉C#和C++开发，會數控車床")
    assert "c#" in toks and "c++" in toks
    assert "c" not in toks
    assert "数控" in toks or "数控车床" in toks
    assert tokens("Line Cook / Prep Cook") == ["line", "cook", "prep", "cook"]
    assert tokens("") == []


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("C#", "C"),
        ("C++", "C"),
        ("C#", "C++"),
        ("Java", "JavaScript"),
        (".NET", "NET"),
        ("CAD", "CAM"),
        ("电工", "维修电工"),
        ("焊工", "电焊工"),
        ("ISO 9001", "ISO 9002"),
        ("低压电工作业证", "高压电工作业证"),
        ("java developer", "javascript developer"),
    ],
)
def test_traps_do_not_match(a: str, b: str) -> None:
    assert not is_match(a, b)
    assert not is_match(b, a)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("electrican", "electrician"),
        ("Mircosoft Excel", "microsoft excel"),
        ("CNC 编程", "CNC编程"),
        ("數控車床", "数控车床"),
        ("forklift operater", "Forklift Operator"),
    ],
)
def test_variants_match(a: str, b: str) -> None:
    assert is_match(a, b)


def test_similarity_range_and_guards() -> None:
    assert similarity("", "x") == 0.0
    assert similarity("PLC", "ＰＬＣ") == 1.0
    assert similarity("Java", "JavaScript") == 0.0  # guarded, not merely low
    assert 0.0 < similarity("welding", "wedding") < LATIN_CUTOFF
    assert 0.0 < similarity("低压电工作业证", "高压电工作业证") < CJK_CUTOFF
    assert not fuzzy_allowed("c#", "c")
    assert is_protected("ＰＬＣ") and is_protected("c#") and not is_protected("welding")
    assert compact("CNC 编程") == "数控编程" == compact("CNC编程")


def test_best_match() -> None:
    choices = ["Java", "JavaScript", "Electrician", "数控编程"]
    assert best_match("javascript", choices) == ("JavaScript", 1.0, 1)
    hit = best_match("electrican", choices)
    assert hit is not None and hit[0] == "Electrician" and hit[1] >= LATIN_CUTOFF
    assert best_match("Java Script", ["JavaScript"]) is not None
    assert best_match("Jav", choices) is None
    assert best_match("数控", choices) is None  # substring of 数控编程, not the same
    assert best_match("anything", []) is None
    assert best_match("", choices) is None


def test_match_pairs_agrees_with_is_match() -> None:
    queries = [normalise(x) for x in ["electrican", "java", "数控车床", "forklift operater"]]
    choices = [normalise(x) for x in ["electrician", "javascript", "数控车工", "forklift operator", "java"]]
    pairs = {(q, c) for q, c, _ in match_pairs(queries, choices)}
    expected = {(qi, ci) for qi, q in enumerate(queries) for ci, c in enumerate(choices) if q != c and is_match(q, c)}
    assert pairs == expected == {(0, 0), (3, 3)}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("軟體工程師", "软件工程师"),
        ("軟體測試", "软件测试"),
        ("硬體維修", "硬件维修"),
        ("網路管理員", "网络管理员"),
        ("資料庫管理", "数据库管理"),
        ("印表機維修", "打印机维修"),
        ("程式設計", "编程"),
        ("雷射切割機", "激光切割机"),
        ("專案經理", "项目经理"),
        ("軟件工程師", "软件工程师"),  # Hong Kong wording already mainland
    ],
)
def test_taiwan_wording_in_traditional_script_becomes_mainland(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


@pytest.mark.parametrize("raw", ["软体家具", "软体动物", "网路", "程式", "激光切割"])
def test_simplified_text_keeps_its_wording(raw: str) -> None:
    assert normalise(raw) == raw  # written in simplified characters: the writer's words, not Taiwan's


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("数控车床", "CNC车床"),
        ("数控编程", "CNC 编程"),
        ("数控加工中心", "cnc加工中心"),
        ("數控車床操作工", "CNC車床操作工"),
        ("数控铣床", "ＣＮＣ铣床"),
    ],
)
def test_cnc_compounds(a: str, b: str) -> None:
    assert compact(a) == compact(b) and compact(a).startswith("数控")


def test_cnc_alone_stays_a_protected_token() -> None:
    assert normalise("CNC") == "cnc" and is_protected("CNC")
    assert normalise("CNC operator") == "cnc operator" and normalise("CNC/数控") == "cnc 数控"


@pytest.mark.parametrize(
    ("spelling", "token"),
    [
        ("NodeJS", "node.js"),
        ("nodejs", "node.js"),
        ("Node JS", "node.js"),
        ("NODE.JS", "node.js"),
        ("VueJS", "vue.js"),
        ("Vue js", "vue.js"),
        ("TCPIP", "tcp/ip"),
        ("PLSQL", "pl/sql"),
        ("ASPNET", "asp.net"),
        ("Objective C", "objective-c"),
    ],
)
def test_protected_token_spellings_are_the_token(spelling: str, token: str) -> None:
    assert normalise(spelling) == token and is_protected(spelling)
    assert normalise(f"熟悉{spelling}开发") == f"熟悉{token}开发"
    assert tokens(f"{spelling}工程师")[0] == token


@pytest.mark.parametrize("text", ["nodejsx", "mynodejs", "node jsx", "tcpipx"])
def test_spellings_need_word_boundaries(text: str) -> None:
    assert normalise(text) not in TOKEN_SPELLINGS.values()


@pytest.mark.parametrize(
    ("text", "spans"),
    [("node.js", [(0, 7)]), ("熟悉node.js和c++", [(2, 9), (10, 13)]), ("java", []), ("asp.net mvc", [(0, 7)])],
)
def test_protected_spans(text: str, spans: list[tuple[int, int]]) -> None:
    assert protected_spans(text) == spans
