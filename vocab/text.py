"""The one text normaliser and the one fuzzy-matching setup used by ``matching``, ``scrapers`` and ``service``.

Every comparison of skills, certificates, titles and place names goes through :func:`normalise`
and, where exact equality fails, through :func:`similarity` / :func:`best_match`, so that the
taxonomy, the ranker and the scrapers agree on what "the same" means.

Normalisation (:func:`normalise`): Unicode NFKC (full-width ``ＰＬＣ`` → ``PLC``), traditional →
simplified Chinese with OpenCC (``數控車床`` → ``数控车床``), case folding, punctuation and symbols
turned into spaces except inside protected tokens (``c++``, ``c#``, ``.net``, ``node.js``) and
decimal numbers, whitespace collapsed. Three rewrites make spellings of one thing equal:

* **Taiwan wording**: a text written in traditional characters is converted with OpenCC's
  ``tw2sp`` (Taiwan standard → simplified with mainland phrases), so ``軟體工程師`` →
  ``软件工程师``, ``網路`` → ``网络``, ``資料庫`` → ``数据库``; a text in simplified characters is
  left as written (``软体家具`` is upholstered furniture, not software). Other traditional text
  goes through the same converter, whose character table is ``t2s``'s.
* **数控 / CNC**: in a compound, ``CNC`` written before Chinese is ``数控`` (``CNC车床`` =
  ``数控车床``, ``CNC 编程`` = ``数控编程``); ``CNC`` alone stays the protected token ``cnc``.
* **protected-token spellings** (:data:`TOKEN_SPELLINGS`): a protected token with punctuation
  written without it (``NodeJS``, ``Node JS``, ``VueJS``, ``TCPIP``, ``PLSQL``) is the token
  (``node.js``, ``vue.js``, ``tcp/ip``, ``pl/sql``).

Related but different things stay apart: the normaliser never drops a qualifying word
(``维修电工`` is not ``电工``); only an alias in the taxonomy can say two wordings are the same.

Fuzzy matching uses rapidfuzz's ``token_sort_ratio`` (normalised Indel similarity of the
sorted word lists) and is only *allowed* when all of these hold (:func:`fuzzy_allowed`):

* neither side is, and both sides contain the same, protected tokens: protected tokens are
  matched exactly only, so ``C#`` never becomes ``C`` and ``Java`` never becomes ``JavaScript``;
* the digit runs are identical (``ISO 9001`` is not ``ISO 9002``, ``CET-4`` is not ``CET-6``);
* the shorter string is at least :data:`MIN_LENGTH_RATIO` of the longer one (without spaces),
  so a short string does not match a long one just because it is contained in it
  (``电工`` vs ``维修电工``); only an explicit alias can say they are the same.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

#: Tokens matched exactly before (and never by) any fuzzy step. Listed in their usual spelling;
#: compared after :func:`normalise`. Single letters and short acronyms are here because an edit
#: distance between them is meaningless (``CAD``/``CAM``, ``C``/``R``), and the programming
#: languages because their names are prefixes of each other (``Java``/``JavaScript``).
PROTECTED_TOKENS: tuple[str, ...] = (
    "C",
    "C++",
    "C#",
    "F#",
    "R",
    "Go",
    ".NET",
    "ASP.NET",
    "VB.NET",
    "Node.js",
    "Vue.js",
    "TCP/IP",
    "PL/SQL",
    "Objective-C",
    "PLC",
    "CAD",
    "CAM",
    "CAE",
    "CNC",
    "3D",
    "UG",
    "PS",
    "AI",
    "Java",
    "JavaScript",
    "TypeScript",
    "Python",
    "PHP",
    "SQL",
    "MySQL",
    "HTML",
    "CSS",
    "Office",
    "Excel",
    "Word",
    "PPT",
    "ERP",
    "MES",
    "SAP",
    "HVAC",
    "CDL",
    "SMT",
    "PCB",
    "EMC",
    "IOS",
    "Android",
    "Linux",
)

#: Minimum fuzzy similarity (0–1) for strings written in Latin script: a dropped or swapped
#: letter in a longer word passes (``electrican`` → 0.95, ``Mircosoft Excel`` → 0.93), while a
#: substituted letter in a word of up to eight letters does not (``welding``/``wedding`` 0.857).
#: Typos of protected tokens are never corrected (add an alias instead).
LATIN_CUTOFF = 0.88
#: Minimum fuzzy similarity for strings containing Chinese characters. Stricter than Latin:
#: Chinese input methods produce whole words, so one differing character usually changes the
#: meaning (``低压电工作业证`` vs ``高压电工作业证`` scores 0.857 and must not match).
CJK_CUTOFF = 0.9
#: Shortest/longest length (spaces removed) below which fuzzy matching is refused: the
#: substring guard (``电工``/``维修电工`` = 0.5, ``焊工``/``电焊工`` = 0.67, ``Java``/``JavaScript`` = 0.4).
MIN_LENGTH_RATIO = 0.7
#: Strings shorter than this (spaces removed) are matched exactly only.
MIN_FUZZY_LENGTH = 3


def _spellings() -> dict[str, str]:
    """Punctuation-less spellings of the protected tokens that carry punctuation inside
    (``nodejs``/``node js`` → ``node.js``); skipped where a spelling is itself a token or too short."""
    out: dict[str, str] = {}
    for token in PROTECTED_TOKENS:
        t = token.casefold()
        inner = t.strip(".+#-/")
        if inner == t.lstrip(".") and not re.search(r"[./\-]", inner):
            continue
        parts = [p for p in re.split(r"[./\-]", inner) if p]
        if len(parts) < 2:
            continue
        for spelling in ("".join(parts), " ".join(parts)):
            if len(spelling) >= 4 and spelling not in (x.casefold() for x in PROTECTED_TOKENS):
                out.setdefault(spelling, t)
    return out


#: ``spelling → protected token``, e.g. ``nodejs``/``node js`` → ``node.js`` (see the module doc)
TOKEN_SPELLINGS: dict[str, str] = _spellings()

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_PUNCT_PROTECTED = sorted((t.casefold() for t in PROTECTED_TOKENS if not t.isalnum()), key=len, reverse=True)
_PROTECTED_ALT = "|".join(re.escape(t) for t in _PUNCT_PROTECTED)
_PROTECTED_SET = frozenset(t.casefold() for t in PROTECTED_TOKENS)
# A protected token with punctuation must not be glued to other Latin letters or digits.
_PROTECTED_RE = f"(?<![a-z0-9.+#])(?:{_PROTECTED_ALT})(?![a-z0-9+#])"
_NORMALISE_RE = re.compile(f"({_PROTECTED_RE}|\\d+(?:\\.\\d+)+)|[^\\w\\s]|_")
_SPACE_RE = re.compile(r"\s+")
_TOKEN_RE = re.compile(f"({_PROTECTED_RE})|([{_CJK}]+)|([^\\W_{_CJK}]+(?:\\.\\d+)*)")
_WORD_RE = re.compile(f"{_PROTECTED_RE}|[^\\W_{_CJK}]+")
_DIGITS_RE = re.compile(r"\d+(?:\.\d+)*")
_SPELLING_RE = re.compile(
    "(?<![a-z0-9.+#])("
    + "|".join(re.escape(s).replace("\\ ", "\\s+") for s in sorted(TOKEN_SPELLINGS, key=len, reverse=True))
    + ")(?![a-z0-9+#])"
)
_CNC_COMPOUND_RE = re.compile(f"(?<![a-z0-9])cnc\\s*(?=[{_CJK}])")
_PROTECTED_SPAN_RE = re.compile(_PROTECTED_RE)

_lock = threading.Lock()
_converters: dict[str, Any] = {}
_jieba: Any = None


def _opencc(config: str = "t2s") -> Any:
    """The OpenCC converter ``config`` (``t2s``, ``tw2sp``), created on first use."""
    converter = _converters.get(config)
    if converter is None:
        with _lock:
            if (converter := _converters.get(config)) is None:
                import opencc

                converter = _converters[config] = opencc.OpenCC(config)
    return converter


def to_simplified(text: str) -> str:
    """``text`` in simplified characters with mainland wording where it was written in traditional
    characters (``軟體工程師`` → ``软件工程师``); a simplified text is returned unchanged (the rule
    in the module doc)."""
    if not _CJK_RE.search(text):
        return text
    simplified = _opencc("t2s").convert(text)
    if simplified == text:  # already simplified: its wording is the writer's
        return text
    return _opencc("tw2sp").convert(text)


def _tokenizer() -> Any:
    """A jieba tokenizer with its dictionary loaded, created on first use, logging silenced."""
    global _jieba
    if _jieba is None:
        with _lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                _jieba = tk
    return _jieba


def _keep_or_space(m: re.Match[str]) -> str:
    return m.group(1) if m.group(1) is not None else " "


@lru_cache(maxsize=200_000)
def normalise(text: str) -> str:
    """Normalise ``text`` for comparison: NFKC, traditional → simplified, casefold, punctuation → space.

    ``"ＰＬＣ編程／C#"`` → ``"plc编程 c#"``. Protected tokens with punctuation (``c++``, ``c#``,
    ``.net``) and decimal numbers (``1.5``) keep their punctuation; runs of whitespace become
    one space; the result is stripped. ``None``-safe callers should pass ``""``.
    """
    if not text:
        return ""
    s = to_simplified(unicodedata.normalize("NFKC", text)).casefold()
    if "cnc" in s:
        s = _CNC_COMPOUND_RE.sub("数控", s)
    s = _SPELLING_RE.sub(lambda m: TOKEN_SPELLINGS[_SPACE_RE.sub(" ", m.group(1))], s)
    s = _NORMALISE_RE.sub(_keep_or_space, s)
    return _SPACE_RE.sub(" ", s).strip()


def compact(text: str) -> str:
    """:func:`normalise` with spaces removed: ``"PLC 编程"`` and ``"PLC编程"`` both give ``"plc编程"``."""
    return normalise(text).replace(" ", "")


def has_cjk(text: str) -> bool:
    """True when ``text`` contains a Chinese (CJK unified) character."""
    return bool(_CJK_RE.search(text))


def is_protected(text: str) -> bool:
    """True when the whole of ``text`` is one protected token (``"C#"``, ``"ＰＬＣ"``, ``"java"``)."""
    return normalise(text) in _PROTECTED_SET


def tokens(text: str) -> list[str]:
    """Split ``text`` into normalised tokens.

    Chinese runs are segmented with jieba (``"数控车床编程"`` → ``["数控车床", "编程"]``),
    protected tokens stay whole (``"c#"``, ``".net"``), other words split on spaces and
    punctuation. Order is kept, duplicates are not removed.
    """
    out: list[str] = []
    for protected, cjk, word in _TOKEN_RE.findall(normalise(text)):
        if cjk:
            out.extend(t for t in _tokenizer().lcut(cjk) if t.strip())
        else:
            out.append(protected or word)
    return out


def protected_spans(norm: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every protected token in the *normalised* text ``norm``: the places a
    scan for shorter labels must not cut into (``js`` is not found in ``node.js``)."""
    return [m.span() for m in _PROTECTED_SPAN_RE.finditer(norm)]


def _protected_in(norm: str) -> frozenset[str]:
    return frozenset(w for w in _WORD_RE.findall(norm) if w in _PROTECTED_SET)


def cutoff_for(a: str, b: str) -> float:
    """The documented cutoff for comparing ``a`` and ``b``: :data:`CJK_CUTOFF` if either has Chinese."""
    return CJK_CUTOFF if has_cjk(a) or has_cjk(b) else LATIN_CUTOFF


def fuzzy_allowed(a: str, b: str) -> bool:
    """Whether two *normalised* strings may be compared fuzzily at all (the guards in the module doc)."""
    if not a or not b:
        return False
    ca, cb = a.replace(" ", ""), b.replace(" ", "")
    la, lb = len(ca), len(cb)
    if min(la, lb) < MIN_FUZZY_LENGTH or min(la, lb) / max(la, lb) < MIN_LENGTH_RATIO:
        return False
    if a in _PROTECTED_SET or b in _PROTECTED_SET:
        return False
    if _DIGITS_RE.findall(a) != _DIGITS_RE.findall(b):
        return False
    return _protected_in(a) == _protected_in(b)


def similarity(a: str, b: str) -> float:
    """Similarity 0–1 of two raw strings under the shared rules.

    1.0 when equal after :func:`normalise` (or equal without spaces), 0.0 when either is empty
    or fuzzy matching is not allowed (:func:`fuzzy_allowed`), else rapidfuzz
    ``token_sort_ratio / 100``. Compare with :func:`cutoff_for` or use :func:`is_match`.
    """
    na, nb = normalise(a), normalise(b)
    if not na or not nb:
        return 0.0
    if na == nb or na.replace(" ", "") == nb.replace(" ", ""):
        return 1.0
    if not fuzzy_allowed(na, nb):
        return 0.0
    return fuzz.token_sort_ratio(na, nb, processor=None) / 100.0


def is_match(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are the same skill/title under the shared rules and cutoffs."""
    return similarity(a, b) >= cutoff_for(a, b)


def best_match(
    query: str,
    choices: Sequence[str],
    cutoff: float | None = None,
    processor: Callable[[str], str] | None = normalise,
    exact: bool = True,
) -> tuple[str, float, int] | None:
    """The choice most similar to ``query`` as ``(choice, score 0–1, index)``, or ``None``.

    A match after normalising (or without spaces: ``Java Script`` = ``JavaScript``) scores 1.0 and
    wins. Otherwise rapidfuzz ``token_sort_ratio`` with
    ``processor`` (default :func:`normalise`; pass ``None`` only when ``query`` and ``choices`` are
    already normalised) ranks the choices (``exact=False`` skips the equality scan when the caller has
    already looked the query up in its own index); candidates failing :func:`fuzzy_allowed` or below
    ``cutoff`` (default :func:`cutoff_for` each pair) are dropped. Ties go to the earlier choice.
    """
    proc = processor or (lambda s: s)
    nq = proc(query)
    if not nq or not choices:
        return None
    cq = nq.replace(" ", "")
    for i, choice in enumerate(choices if exact else ()):  # equal after normalising, or without spaces
        nc = proc(choice)
        if nc == nq or nc.replace(" ", "") == cq:
            return choice, 1.0, i
    floor = min(LATIN_CUTOFF, CJK_CUTOFF) if cutoff is None else cutoff
    hits = process.extract(
        nq, choices, scorer=fuzz.token_sort_ratio, processor=processor, score_cutoff=floor * 100, limit=None
    )
    for choice, score, index in hits:  # sorted by score desc, then index
        nc = proc(choice)
        need = cutoff_for(nq, nc) if cutoff is None else cutoff
        if score / 100.0 >= need and fuzzy_allowed(nq, nc):
            return choice, score / 100.0, index
    return None


def match_pairs(queries: Sequence[str], choices: Sequence[str]) -> list[tuple[int, int, float]]:
    """All ``(query index, choice index, score)`` pairs that match fuzzily; inputs already normalised.

    The bulk form of :func:`is_match` (rapidfuzz ``cdist``, same scorer, guards and cutoffs), used
    to expand a profile's skills against a fitted vocabulary in one call. Exact equality is not
    reported here; callers look that up in a dict first.
    """
    if not queries or not choices:
        return []
    floor = min(LATIN_CUTOFF, CJK_CUTOFF) * 100
    scores = process.cdist(
        queries, choices, scorer=fuzz.token_sort_ratio, processor=None, score_cutoff=floor, dtype="float32"
    )
    out = []
    for qi, ci in zip(*scores.nonzero(), strict=True):
        q, c = queries[qi], choices[ci]
        s = float(scores[qi, ci]) / 100.0
        if q != c and s >= cutoff_for(q, c) and fuzzy_allowed(q, c):
            out.append((int(qi), int(ci), s))
    return out
