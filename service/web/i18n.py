"""Translations for the web pages: gettext catalogues compiled from the ``.po`` files at start-up.

The catalogues live in ``service/web/locale/<locale>/LC_MESSAGES/messages.po`` (extract with
``pybabel extract -F babel.cfg -o messages.pot service/web`` and merge with ``pybabel update``).
They are compiled in memory with :mod:`babel.messages` when the app is built, so a fresh clone
needs no compiled ``.mo`` files and a catalogue can never be stale.

Locale choice for a request (:func:`pick_locale`): the ``lang`` query parameter, then the
``vocmatch_lang`` cookie, then ``Accept-Language``; Chinese (``zh_Hans``) when none names a
supported locale.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "zh_Hans"
LOCALES = ("zh_Hans", "en")
LANG_COOKIE = "vocmatch_lang"
#: ``lang`` values and Accept-Language tags → catalogue name
_ALIASES = {
    "zh": "zh_Hans",
    "zh_hans": "zh_Hans",
    "zh_cn": "zh_Hans",
    "zh-cn": "zh_Hans",
    "zh-hans": "zh_Hans",
    "en": "en",
    "en_us": "en",
    "en-us": "en",
    "en_gb": "en",
    "en-gb": "en",
}


@dataclass(frozen=True)
class Catalogues:
    """One compiled :class:`gettext.GNUTranslations` per supported locale."""

    translations: dict[str, gettext.GNUTranslations]

    def get(self, locale: str) -> gettext.GNUTranslations:
        return self.translations.get(locale) or self.translations[DEFAULT_LOCALE]


def compile_po(path: Path) -> gettext.GNUTranslations:
    """Compile one ``.po`` file in memory. Fuzzy entries are left out (as ``pybabel compile`` does).

    Raises:
        FileNotFoundError: the catalogue is missing.
        ValueError: the ``.po`` file cannot be parsed (babel names the line).
    """
    with path.open("rb") as handle:
        catalog = read_po(handle, abort_invalid=True)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def load_catalogues(directory: Path = LOCALE_DIR) -> Catalogues:
    """Compile every supported locale's ``messages.po`` under ``directory``."""
    return Catalogues({name: compile_po(directory / name / "LC_MESSAGES" / "messages.po") for name in LOCALES})


def normalise_locale(value: str | None) -> str | None:
    """``"en"``, ``"en-US"``, ``"zh_Hans"``, ``"zh-CN"`` … → a supported locale name, else ``None``."""
    if not value:
        return None
    text = value.strip()
    if text in LOCALES:
        return text
    return _ALIASES.get(text.lower()) or _ALIASES.get(text.lower().split("-")[0].split("_")[0])


def pick_locale(query_lang: str | None, cookie_lang: str | None, accept_language: str | None) -> str:
    """The locale for a request: query parameter, cookie, ``Accept-Language`` (q-values honoured), default."""
    for value in (query_lang, cookie_lang):
        locale = normalise_locale(value)
        if locale:
            return locale
    if accept_language:
        tags = []
        for part in accept_language.split(","):
            tag, _, params = part.strip().partition(";")
            q = 1.0
            if params.strip().startswith("q="):
                try:
                    q = float(params.strip()[2:])
                except ValueError:
                    q = 0.0
            if tag and q > 0:
                tags.append((q, tag.replace("-", "_")))
        preferred = [tag for _, tag in sorted(tags, key=lambda t: -t[0])]
        found = negotiate_locale(preferred, ["zh_Hans", "zh_CN", "zh", "en"], sep="_")
        if found:
            return normalise_locale(found) or DEFAULT_LOCALE
    return DEFAULT_LOCALE


def html_lang(locale: str) -> str:
    """The BCP 47 tag for ``<html lang>``: ``zh-Hans`` or ``en``."""
    return str(Locale.parse(locale)).replace("_", "-")
