"""Helpers shared by the sample generator modules: place names and the spelling of concepts.

Graduates and employers do not write skills the way the taxonomy does. :func:`spell` picks the
preferred label, an alias, or a *variant* of either that the normaliser must undo (full-width
Latin letters ``ＰＬＣ``, traditional characters ``數控編程``, a stray space, changed case) or,
rarely, a typo that it cannot undo (a dropped letter).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Sequence
from functools import cache
from typing import Any

from matching.taxonomy import Concept
from service.sample.datafiles import guangdong_regions

PROVINCE = "广东省"
_lock = threading.Lock()
_s2t: Any = None


@cache
def region_names() -> dict[str, str]:
    """GB/T 2260 code → name for the Guangdong rows of the sample."""
    return {r.code: r.name for r in guangdong_regions()}


def city_code(region_code: str) -> str:
    """The prefecture-level city containing ``region_code`` (a county or the city itself)."""
    return region_code[:4] + "00"


def city_name(region_code: str) -> str:
    """``440306`` → ``深圳市``; ``441900`` → ``东莞市``."""
    return region_names()[city_code(region_code)]


def place_name(region_code: str) -> str:
    """City plus county name: ``440306`` → ``深圳市宝安区``; a city code gives the city name."""
    city = city_name(region_code)
    return city if region_code == city_code(region_code) else city + region_names()[region_code]


@cache
def counties_of(city: str) -> tuple[str, ...]:
    """County codes listed for ``city`` (six-digit city code); the city itself when it has none
    (东莞市, 中山市 have no county level)."""
    found = tuple(r.code for r in guangdong_regions() if r.parent_code == city and r.level == "county")
    return found or (city,)


def _traditional(text: str) -> str:
    global _s2t
    if _s2t is None:
        with _lock:
            if _s2t is None:
                import opencc

                _s2t = opencc.OpenCC("s2t")
    return str(_s2t.convert(text))


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def variant(rng: random.Random, text: str) -> str:
    """A spelling of ``text`` that normalises back to it, or (1 in 10) a typo that does not."""
    has_latin = any(c.isascii() and c.isalpha() for c in text)
    kinds = ["traditional", "space"] + (["full_width", "case"] if has_latin else [])
    if rng.random() < 0.1 and len(text) >= 4:
        i = rng.randrange(1, len(text))
        return text[:i] + text[i + 1 :]  # a dropped character
    kind = rng.choice(kinds)
    if kind == "traditional":
        converted = _traditional(text)
        return converted if converted != text else _full_width(text)
    if kind == "full_width":
        return _full_width(text)
    if kind == "case":
        return text.upper() if text != text.upper() else text.lower()
    if len(text) < 2:
        return text + " "
    i = rng.randrange(1, len(text))
    return text[:i] + " " + text[i:]


def spell(rng: random.Random, concept: Concept, alias_rate: float = 0.25, variant_rate: float = 0.0) -> str:
    """How a person writes ``concept``: its label, else a Chinese-first alias, maybe a variant."""
    zh_aliases = [a.label for a in concept.aliases if a.lang == "zh"] or [a.label for a in concept.aliases]
    text = rng.choice(zh_aliases) if zh_aliases and rng.random() < alias_rate else concept.label
    return variant(rng, text) if rng.random() < variant_rate else text


def pick(rng: random.Random, items: Sequence[str], low: int, high: int) -> list[str]:
    """Between ``low`` and ``high`` distinct items of ``items`` (fewer if there are fewer)."""
    n = min(len(items), rng.randint(low, high))
    return rng.sample(list(items), n)
