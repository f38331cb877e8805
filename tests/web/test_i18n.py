"""The gettext catalogues: every message the pages use (extracted with the project's babel.cfg) is
in both catalogues and translated into Chinese, the catalogues compile, and the locale choice."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from service.web.i18n import LOCALE_DIR, LOCALES, load_catalogues, pick_locale

ROOT = Path(__file__).resolve().parents[2]


def _extracted() -> set[str]:
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "service" / "web", method_map, options_map
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _first(text: str | tuple[str, ...] | list[str] | None) -> str:
    """A message's id or string; a plural's first form."""
    return text[0] if isinstance(text, tuple | list) else text or ""


def _catalogue(locale: str) -> dict[str, str]:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        # plural entries are keyed by their singular (as extracted); their string is the first form
        return {_first(m.id): _first(m.string) for m in read_po(handle) if m.id and not m.fuzzy}


def test_every_message_is_in_both_catalogues_and_translated_into_chinese() -> None:
    used = _extracted()
    assert len(used) > 150  # the extraction really ran over code and templates
    for locale in LOCALES:
        catalogue = _catalogue(locale)
        missing = used - set(catalogue)
        assert not missing, f"{locale}: not in the catalogue (run pybabel extract/update): {sorted(missing)}"
    chinese = _catalogue("zh_Hans")
    untranslated = sorted(m for m in used if not chinese[m])
    assert not untranslated, f"zh_Hans: untranslated: {untranslated}"
    english = _catalogue("en")
    assert english["LIST_SEPARATOR"] == ", " and english["PHRASE_SEPARATOR"] == "; "


def test_catalogues_compile_and_translate() -> None:
    catalogues = load_catalogues()
    assert catalogues.get("zh_Hans").gettext("Sign in") == "登录"
    assert catalogues.get("en").gettext("Sign in") == "Sign in"
    assert catalogues.get("xx").gettext("Sign in") == "登录"  # unknown: the default (Chinese)


@pytest.mark.parametrize(
    ("query", "cookie", "accept", "expected"),
    [
        (None, None, None, "zh_Hans"),
        ("en", None, None, "en"),
        ("zh_Hans", "en", "en", "zh_Hans"),
        (None, "en", "zh-CN", "en"),
        (None, None, "en-GB,en;q=0.9", "en"),
        (None, None, "zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans"),
        (None, None, "fr-FR,de;q=0.5", "zh_Hans"),
        (None, None, "fr;q=1,en;q=0.5", "en"),
        ("klingon", None, None, "zh_Hans"),
    ],
)
def test_pick_locale(query: str | None, cookie: str | None, accept: str | None, expected: str) -> None:
    assert pick_locale(query, cookie, accept) == expected


def test_local_filter_shows_beijing_time_with_the_utc_instant() -> None:
    """The one filter for datetimes on pages (service.web.times): Beijing time in a ``<time>`` whose
    ``datetime`` is UTC; the day changes at 16:00 UTC; a naive value is taken as UTC, ``None`` is empty."""
    import datetime as dt

    from service.web.times import local

    evening = dt.datetime(2026, 3, 1, 16, 0, 5, 123, tzinfo=dt.UTC)
    assert str(local(evening)) == '<time datetime="2026-03-01T16:00:05Z">2026-03-02 00:00</time>'
    assert str(local(evening, "date")).endswith(">2026-03-02</time>")
    assert str(local(evening.replace(tzinfo=None), "time")).endswith(">00:00</time>")
    assert local(None) == ""


def _roster_rows(html: str) -> list[tuple[str, str, str]]:
    import re as _re

    rows = _re.findall(r'<tr data-code="([a-z_]+)"><td>\d+</td><td>([^<]*)</td><td>([^<]*)</td></tr>', html)
    return [(code, column, reason) for code, column, reason in rows]


def test_roster_errors_are_said_in_the_readers_language_by_code(web, world) -> None:
    """The roster report's reasons and columns, rendered by their stable codes: English readers read
    English (the file's own header after the column name), Chinese readers Chinese — never the
    service's two-language text."""
    import html as _html
    import re as _re

    from tests.web.conftest import sign_in

    sign_in(web, world.logins["school_a"])
    roster = (
        "学号,姓名,毕业时间,性别,专业,届别,联系电话\n"
        "001,张三,2025-06-30,女,不存在的专业,第三届,123\n001,李四,明年,男,,,\n"
    ).encode()

    def upload(lang: str) -> list[tuple[str, str, str]]:
        r = web.post(
            f"/web/roster?lang={lang}",
            files={"data": ("r.csv", roster, "text/csv")},
            data={"_csrf_token": web.cookies["vocmatch_csrf"]},
        )
        assert r.status_code == 422
        return [(c, _html.unescape(col), _html.unescape(reason)) for c, col, reason in _roster_rows(r.text)]

    english = upload("en")
    codes = {code for code, _, _ in english}
    assert {"major_unknown", "cohort_not_year", "phone_invalid", "date_invalid"} <= codes
    for code, column, reason in english:
        assert " / " not in reason, reason
        leftover = reason
        for allowed in (
            "不存在的专业",
            "明年",
            "第三届",
            "身份证号",
            "男",
            "女",
            "2025年6月",
        ):  # values, and what a cell may say
            leftover = leftover.replace(allowed, "")
        assert not _re.search(r"[\u4e00-\u9fff]", leftover), (code, reason)
        assert _re.fullmatch(r"[A-Za-z ]+ \([\u4e00-\u9fff]+\)", column), column
    assert (
        "phone_invalid",
        "Phone (联系电话)",
        "Not an 11-digit mobile number or a landline starting with 0",
    ) in english
    chinese = upload("zh")
    assert ("phone_invalid", "联系电话", "不是11位手机号或以0开头的固定电话") in chinese
    assert ("major_unknown", "专业", "专业 不存在的专业 不在专业目录中") in chinese
    assert all(not _re.search(r"[A-Za-z]{3,}", reason) for _, _, reason in chinese), chinese


def _section(html: str, marker: str) -> str:
    from tests.web.conftest import text_of

    return text_of(html.split(marker, 1)[1].split("</section>", 1)[0])


async def test_report_words_are_in_the_readers_language(web, world, session) -> None:
    """The dashboards' definitions, rules, row words (合计, 届), salary bands, the annual report's
    title and the charts' language follow the page's language; names (schools, places) stay as
    recorded."""
    import datetime as _dt
    import re as _re

    from sqlalchemy import update

    from service.graduates.models import Graduate
    from tests.web.conftest import sign_in

    await session.execute(update(Graduate).values(graduation_date=_dt.date(2025, 6, 30)))  # counted in 2025
    await session.commit()
    han = _re.compile(r"[\u4e00-\u9fff]")
    sign_in(web, world.logins["school_a"])
    english = web.get("/web/dashboard?cohort=2025&as_of=2026-06-30&lang=en").text
    definitions = _section(english, 'class="definitions"')
    assert "Employment rate" in definitions and "Rates are computed from exact counts" in definitions
    import html as _html

    dds = _re.findall(r"<dd>([^<]*)</dd>", english.split('class="definitions"', 1)[1].split("</section>", 1)[0])
    assert len(dds) >= 4 and not any(han.search(_html.unescape(d)) for d in dds), dds  # the rate names keep a gloss
    assert "/reports/chart?" in english and "&amp;lang=en" in english.split("/reports/chart?", 1)[1][:200]
    chinese = web.get("/web/dashboard?cohort=2025&as_of=2026-06-30&lang=zh").text
    zh_definitions = _section(chinese, 'class="definitions"')
    assert "就业率" in zh_definitions and "Rates are computed" not in zh_definitions
    assert "&amp;lang=zh" in chinese.split("/reports/chart?", 1)[1][:200]
    web.cookies.clear()

    sign_in(web, world.logins["department_a"])
    annual = web.get("/web/dashboard/annual?lang=en").text
    title = _re.search(r"<h1>([^<]*)</h1>", annual).group(1)
    assert "annual report on the employment of the" in title and "届" not in title
    assert not han.search(_section(annual, 'class="definitions"').split(" Source ")[0])  # sources: cited titles
    trend = _section(annual, 'aria-labelledby="a-trend"')
    assert " cohort" in trend and "届" not in trend
    assert "yuan and above" in _section(annual, 'aria-labelledby="a-bands"')
    assert "合计" not in _section(annual, 'aria-labelledby="a-total"')
    zh_annual = web.get("/web/dashboard/annual?lang=zh").text
    assert "届中等职业学校毕业生就业质量年度报告" in _re.search(r"<h1>([^<]*)</h1>", zh_annual).group(1)
    assert "元及以上" in _section(zh_annual, 'aria-labelledby="a-bands"')


def test_award_levels_are_offered_in_the_readers_language(web, world) -> None:
    """The competition level options keep their stored (Chinese) values and show the reader's words."""
    from tests.web.conftest import sign_in

    sign_in(web, world.logins["graduate_a"])
    english = web.get("/web/profile?lang=en").text
    assert 'value="省级"' in english and ">Provincial level</option>" in english
    assert ">省级</option>" not in english
    assert ">省级</option>" in web.get("/web/profile?lang=zh").text


def test_roster_file_errors_are_said_in_the_readers_language(web, world) -> None:
    """A roster file refused as a whole (type, missing columns) is explained by its code in the page's
    language, across the import workers (the code survives pickling)."""
    import pickle

    from service.rosters.reader import RosterFileError
    from tests.web.conftest import sign_in, text_of

    again = pickle.loads(pickle.dumps(RosterFileError("x", "no_header", rows=10)))
    assert (again.code, again.params, str(again)) == ("no_header", {"rows": 10}, "x")
    sign_in(web, world.logins["school_a"])

    def upload(lang: str, name: str, body: bytes) -> str:
        r = web.post(
            f"/web/roster?lang={lang}",
            files={"data": (name, body, "text/plain")},
            data={"_csrf_token": web.cookies["vocmatch_csrf"]},
        )
        assert r.status_code == 422
        return text_of(r.text.split('role="alert">', 1)[1].split("</p>", 1)[0])

    missing = "学号,性别\n001,男\n".encode()
    assert upload("zh", "r.csv", missing).strip() == "缺少必填列：姓名、毕业时间。找到的列：学号、性别。"
    assert (
        upload("en", "r.csv", missing).strip()
        == "Required columns are missing: 姓名、毕业时间. Columns found: 学号、性别."
    )
    assert "请上传 .xlsx 或 .csv 文件" in upload("zh", "r.txt", b"x")
    assert "upload an .xlsx or .csv file" in upload("en", "r.txt", b"x")


def test_unreadable_roster_files_are_said_in_the_readers_language(web, world) -> None:
    """A roster file that cannot be read at all (a broken workbook, a CSV in another encoding, roster
    data in a hidden sheet, a field past the CSV limit) is explained in the page's language by its
    code, not with the reader's English detail (``not a readable .xlsx workbook (not a zip
    archive…)`` on the Chinese page)."""
    import io

    from openpyxl import Workbook

    from tests.web.conftest import sign_in, text_of

    sign_in(web, world.logins["school_a"])

    def upload(lang: str, name: str, body: bytes) -> str:
        r = web.post(
            f"/web/roster?lang={lang}",
            files={"data": (name, body, "application/octet-stream")},
            data={"_csrf_token": web.cookies["vocmatch_csrf"]},
        )
        assert r.status_code == 422, r.text
        return text_of(r.text.split('role="alert">', 1)[1].split("</p>", 1)[0]).strip()

    book = Workbook()
    book.active.append(["说明"])
    hidden = book.create_sheet("名册")
    hidden.append(["学号", "姓名", "毕业时间"])
    hidden.append(["001", "甲", "2026-06-30"])
    hidden.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    cases = {
        "broken.xlsx": b"\x89PNG\r\n\x1a\n" + b"0" * 100,
        "utf16.csv": "学号,姓名,毕业时间\n001,甲,2026-06-30\n".encode("utf-16"),
        "hidden.xlsx": out.getvalue(),
        "long.csv": b'\xe5\xad\xa6\xe5\x8f\xb7,"' + b"x" * 140_000 + b'"\n',
    }
    for name, body in cases.items():
        zh, en = upload("zh", name, body), upload("en", name, body)
        assert re.search(r"[\u4e00-\u9fff]", zh) and not re.search(r"[A-Za-z]{4,} [a-z]{3,}", zh), (name, zh)
        # English, with at most the sheet's name in Chinese
        assert not re.search(r"[\u4e00-\u9fff]", en.replace("名册", "")), (name, en)
    assert "名册" in upload("zh", "hidden.xlsx", cases["hidden.xlsx"])  # the hidden sheet is named
