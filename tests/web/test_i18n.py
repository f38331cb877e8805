"""The gettext catalogues: every message the pages use (extracted with the project's babel.cfg) is
in both catalogues and translated into Chinese, the catalogues compile, and the locale choice."""

from __future__ import annotations

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
            ROOT / "service" / "web", method_map, options_map):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _catalogue(locale: str) -> dict[str, str]:
    with (LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        # plural entries are keyed by their singular (as extracted); their string is the first form
        return {(m.id[0] if isinstance(m.id, tuple) else m.id): (m.string[0] if isinstance(m.string, tuple) else m.string)
                for m in read_po(handle) if m.id and not m.fuzzy}


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


@pytest.mark.parametrize(("query", "cookie", "accept", "expected"), [
    (None, None, None, "zh_Hans"),
    ("en", None, None, "en"),
    ("zh_Hans", "en", "en", "zh_Hans"),
    (None, "en", "zh-CN", "en"),
    (None, None, "en-GB,en;q=0.9", "en"),
    (None, None, "zh-CN,zh;q=0.9,en;q=0.8", "zh_Hans"),
    (None, None, "fr-FR,de;q=0.5", "zh_Hans"),
    (None, None, "fr;q=1,en;q=0.5", "en"),
    ("klingon", None, None, "zh_Hans"),
])
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
