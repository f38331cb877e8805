"""学历 texts → :class:`vocab.EducationLevel`.

``中专/中职/中技/技校/职高`` are secondary-vocational; ``初中(及以下)`` junior secondary;
``学历不限``/``无学历要求``/``不限`` mean no requirement (``ANY``). ``及以上``/``以上`` suffixes
(``大专及以上``) name the minimum, which is what the level means.
"""

from __future__ import annotations

import re
import unicodedata

from vocab import EducationLevel

_LEVELS: tuple[tuple[str, EducationLevel], ...] = (
    ("博士", EducationLevel.DOCTORATE),
    ("硕士", EducationLevel.MASTER),
    ("研究生", EducationLevel.MASTER),
    ("MBA", EducationLevel.MASTER),
    ("本科", EducationLevel.BACHELOR),
    ("学士", EducationLevel.BACHELOR),
    ("大专", EducationLevel.ASSOCIATE),
    ("专科", EducationLevel.ASSOCIATE),
    ("高职", EducationLevel.ASSOCIATE),
    ("中专", EducationLevel.SECONDARY_VOCATIONAL),
    ("中职", EducationLevel.SECONDARY_VOCATIONAL),
    ("中技", EducationLevel.SECONDARY_VOCATIONAL),
    ("技校", EducationLevel.SECONDARY_VOCATIONAL),
    ("职高", EducationLevel.SECONDARY_VOCATIONAL),
    ("技工", EducationLevel.SECONDARY_VOCATIONAL),
    ("高中", EducationLevel.SENIOR_SECONDARY),
    ("初中", EducationLevel.JUNIOR_SECONDARY),
    ("小学", EducationLevel.JUNIOR_SECONDARY),
)
_NO_REQUIREMENT = re.compile(r"学历不限|不限学历|无学历要求|学历无要求|^不限$")
_QUALIFIERS = re.compile(r"(及以上|以上|及以下|以下|学历|毕业|或同等学力)")


def parse_education(text: str | None) -> EducationLevel | None:
    """The level a 学历 text names, or ``None`` when it names none (``英语熟练``, empty)."""
    if not text:
        return None
    raw = unicodedata.normalize("NFKC", text).replace(" ", "").upper()
    if _NO_REQUIREMENT.search(raw):
        return EducationLevel.ANY
    s = _QUALIFIERS.sub("", raw)
    if not s:
        return None
    for word, level in _LEVELS:
        if s == word or s.startswith(word):
            return level
    for word, level in _LEVELS:  # "统招本科" and the like
        if word in s:
            return level
    return None


def looks_like_education(text: str) -> bool:
    """Whether a cell is an education requirement (used to realign shifted 51job cells)."""
    return parse_education(text) is not None
