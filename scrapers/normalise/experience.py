"""工作经验 texts → the minimum number of years required.

``1年工作经验`` → 1, ``3-4年`` → 3 (the lower bound), ``10年以上`` → 10, ``一年以上`` → 1;
``经验不限``/``无需经验``/``无工作经验``/``应届``/``在校生/应届生`` → 0; anything else → ``None``.
"""

from __future__ import annotations

import re
import unicodedata

_NONE_NEEDED = re.compile(r"经验不限|不限经验|无需经验|无工作经验|无经验|不要求|应届|在校|实习生|无要求")
_YEARS = re.compile(r"(\d+|[一二两三四五六七八九十]+)\s*(?:[-~至到]\s*(?:\d+|[一二两三四五六七八九十]+))?\s*年")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _number(token: str) -> int:
    if token.isdigit():
        return int(token)
    if token == "十":
        return 10
    if token.startswith("十"):
        return 10 + _CN_DIGITS[token[1]]
    if token.endswith("十"):
        return _CN_DIGITS[token[0]] * 10
    if "十" in token:
        tens, ones = token.split("十")
        return _CN_DIGITS[tens] * 10 + _CN_DIGITS[ones]
    return _CN_DIGITS[token[0]]


def parse_experience(text: str | None) -> int | None:
    """Minimum years of experience a text asks for (0 = none needed), or ``None`` if unknown."""
    if not text:
        return None
    s = unicodedata.normalize("NFKC", text)
    if _NONE_NEEDED.search(s):
        return 0
    if m := _YEARS.search(s):
        return _number(m.group(1))
    return None


def looks_like_experience(text: str) -> bool:
    """Whether a cell is an experience requirement (used to realign shifted 51job cells)."""
    return "经验" in text or parse_experience(text) is not None
