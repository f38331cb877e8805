"""The duplicate key: the same vacancy published on two boards gets the same key.

A key is built from three parts, each put through :func:`vocab.text.compact` (the one text
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

**Requisition and reference numbers** keep vacancies apart: an employer hiring two 数控车工 in 苏州
publishes two requisitions, which share the key. :func:`extract_reference` finds the number where
the source gives none in a field: a labelled one in the title or description (``招聘编号：SZ-017``,
``Req #12345``, ``Requisition ID: 2024-017``, ``Reference: ABC-123``) or a bracketed code in the
title (``架构工程师（J10072）``); that bracketed code is left out of the title key, since the number
is compared on its own. The store merges two postings with one key only when their numbers
(:func:`reference_key`) agree or one of them has none.
"""

from __future__ import annotations

import re
import unicodedata

from vocab.text import compact

#: keep keys within the ``postings.duplicate_key`` column
KEY_LIMIT = 300

_BRACKETED = re.compile(r"[（(【\[〔［][^（()）【】\[\]〔〕［］]*[）)】\]〕］]")
_TRAILING_BRACKET = re.compile(r"\s*[（(【\[〔［][^（()）【】\[\]〔〕［］]*[）)】\]〕］]\s*$")
_LEGAL_FORM = re.compile(
    r"(?:股份有限公司|有限责任公司|有限公司|股份公司|"
    r",?\s*(?:co\.?,?\s*ltd\.?|company\s+limited|limited|ltd\.?|inc\.?|incorporated|llc|corp\.?|corporation))\s*$",
    re.IGNORECASE,
)
#: words that make a bracketed title part a note (shift, perks, urgency) rather than the job
_NOTE_WORDS = re.compile(
    r"班|倒|急|包吃|包住|五险|社保|双休|单休|直招|高薪|底薪|提成|月薪|年薪|日结|周结|"
    r"可实习|应届|接受|入职|补贴|餐补|住宿|宿舍|加班|轮休|做六休一|做五休二|"
    r"shift|urgent|hiring|immediate|benefits",
    re.IGNORECASE,
)
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


_CODE = r"([A-Za-z0-9][A-Za-z0-9\-_/.]{1,38}[A-Za-z0-9])"
_LABELLED = re.compile(
    r"(?:(?:招聘|职位|岗位|需求|职位需求)?编号|(?<![A-Za-z])(?:requisition|req)\.?\s*(?:id|no\.?|number|#)?|"
    r"(?<![A-Za-z])(?:reference|ref)\.?\s*(?:id|no\.?|number|#)?|(?<![A-Za-z])job\s*(?:id|no\.?|number|#))"
    r"\s*[:：#]?\s*" + _CODE,
    re.IGNORECASE,
)
_BRACKETED_CODE = re.compile(r"[（(【\[]\s*([A-Za-z]{1,5}-?\d{3,}[A-Za-z0-9\-]*)\s*[）)】\]]")


def extract_reference(title: str | None, description: str | None = None) -> str | None:
    """The requisition/reference number a title or description gives (see the module doc), or ``None``.
    A number needs a digit; the description's first 2,000 characters are searched."""
    for text in (title or "", (description or "")[:2000]):
        for m in _LABELLED.finditer(text):
            if any(ch.isdigit() for ch in m.group(1)):
                return m.group(1)[:100]
    if title and (code := _BRACKETED_CODE.search(title)):
        return code.group(1)[:100]
    return None


def reference_key(reference: str | None) -> str:
    """``" sz-2026/017 "`` → ``SZ2026017``; ``""`` for none."""
    return re.sub(r"[^0-9A-Za-z\u4e00-\u9fff]", "", unicodedata.normalize("NFKC", reference or "")).upper()[:100]


def same_requisition(a: str | None, b: str | None) -> bool:
    """Whether two postings' numbers allow them to be one vacancy: equal, or either unknown."""
    ka, kb = reference_key(a), reference_key(b)
    return not ka or not kb or ka == kb


def _drop_note(match: re.Match[str]) -> str:
    if _BRACKETED_CODE.fullmatch(match.group(0).strip()):
        return " "  # a requisition code: compared on its own (same_requisition)
    return " " if _NOTE_WORDS.search(match.group(0)) else match.group(0)


def title_key(title: str | None) -> str:
    """``数控车床操作工（长白班）`` → ``数控车床操作工``; ``【急招】会计（中级）`` → ``会计中级``;
    ``Welder - Req #12345`` → ``welder`` (the number is compared on its own)."""
    text = _LABELLED.sub(lambda m: " " if any(ch.isdigit() for ch in m.group(1)) else m.group(0), title or "")
    return compact(_BRACKETED.sub(_drop_note, text))


def city_key(city: str | None) -> str:
    """``上海市`` → ``上海``; ``New York`` → ``newyork``."""
    return _CITY_SUFFIX.sub("", compact(city or ""))


def duplicate_key(
    employer_name: str | None,
    title: str | None,
    city: str | None,
    country: str = "CN",
    *,
    no_employer: str | None = None,
) -> str | None:
    """``"country|employer|title|city"`` from the parts above, or ``None`` when the employer (or
    ``no_employer``, the placeholder for "not stated"), the title or the city is missing."""
    if not employer_name or employer_name == no_employer:
        return None
    parts = (employer_key(employer_name), title_key(title), city_key(city))
    if not all(parts):
        return None
    return f"{(country or '').upper()}|{'|'.join(parts)}"[:KEY_LIMIT]
