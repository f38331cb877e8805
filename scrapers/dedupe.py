"""The duplicate key: the same vacancy published on two boards gets the same key.

A key is built from three parts, each put through :func:`matching.text.compact` (the one text
normaliser: NFKC, traditional → simplified, case folded, punctuation and spaces removed):

* the employer name without a bracketed branch or place suffix (``（上海分公司）``, ``(北京)``)
  and without its legal form (``有限公司``, ``有限责任公司``, ``股份有限公司``, ``Co., Ltd.``,
  ``Inc.``, ``LLC``), so ``苏州精工机械有限责任公司（吴中分公司）`` = ``苏州精工机械有限公司``;
* the title without bracketed notes about shifts, perks or urgency (``（长白班）``,
  ``【急招】``, ``(包吃住)``); other bracketed parts (``会计（中级）``) are kept because they
  name a different job;
* the country and city (``上海`` and ``上海市`` agree): different cities are different postings.

No key (``None``) when the employer is not stated or the city is unknown: such postings are
never merged with another source's. The pipeline step :class:`scrapers.pipeline.Deduplicate`
sets :attr:`scrapers.items.PostingItem.duplicate_key`; the store looks postings up by it.
"""

from __future__ import annotations

import re

from matching.text import compact

#: keep keys within the ``postings.duplicate_key`` column
KEY_LIMIT = 300

_BRACKETED = re.compile(r"[（(【\[〔［][^（()）【】\[\]〔〕［］]*[）)】\]〕］]")
_TRAILING_BRACKET = re.compile(r"\s*[（(【\[〔［][^（()）【】\[\]〔〕［］]*[）)】\]〕］]\s*$")
_LEGAL_FORM = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|股份公司|"
    r",?\s*(?:co\.?,?\s*ltd\.?|company\s+limited|limited|ltd\.?|inc\.?|incorporated|llc|corp\.?|corporation))\s*$",
    re.IGNORECASE)
#: words that make a bracketed title part a note (shift, perks, urgency) rather than the job
_NOTE_WORDS = re.compile(r"班|倒|急|包吃|包住|五险|社保|双休|单休|直招|高薪|底薪|提成|月薪|年薪|日结|周结|"
                         r"可实习|应届|接受|入职|补贴|餐补|住宿|宿舍|加班|轮休|做六休一|做五休二|"
                         r"shift|urgent|hiring|immediate|benefits", re.IGNORECASE)
_CITY_SUFFIX = re.compile(r"(?:市|地区|盟|自治州)$")


def employer_key(name: str | None) -> str:
    """``苏州精工机械有限责任公司（吴中分公司）`` → ``苏州精工机械``; ``""`` when nothing is left."""
    text = (name or "").strip()
    while True:  # several suffixes: ``XX有限公司（北京）（分公司）``
        stripped = _TRAILING_BRACKET.sub("", text)
        stripped = _LEGAL_FORM.sub("", stripped).strip(" ,.，")
        if stripped == text:
            break
        text = stripped
    return compact(text)


def _drop_note(match: re.Match[str]) -> str:
    return " " if _NOTE_WORDS.search(match.group(0)) else match.group(0)


def title_key(title: str | None) -> str:
    """``数控车床操作工（长白班）`` → ``数控车床操作工``; ``【急招】会计（中级）`` → ``会计中级``."""
    return compact(_BRACKETED.sub(_drop_note, title or ""))


def city_key(city: str | None) -> str:
    """``上海市`` → ``上海``; ``New York`` → ``newyork``."""
    return _CITY_SUFFIX.sub("", compact(city or ""))


def duplicate_key(employer_name: str | None, title: str | None, city: str | None, country: str = "CN",
                  *, no_employer: str | None = None) -> str | None:
    """``"country|employer|title|city"`` from the parts above, or ``None`` when the employer (or
    ``no_employer``, the placeholder for "not stated"), the title or the city is missing."""
    if not employer_name or employer_name == no_employer:
        return None
    parts = (employer_key(employer_name), title_key(title), city_key(city))
    if not all(parts):
        return None
    return f"{(country or '').upper()}|{'|'.join(parts)}"[:KEY_LIMIT]
