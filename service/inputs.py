"""Request-wide input checks run before every handler (Litestar ``before_request`` hook).

:func:`check_request_input` refuses, with a 400 problem naming the place, what no handler should
ever see:

* a NUL character (U+0000) in the path, the query string, a url-encoded form or a JSON body.
  PostgreSQL cannot store it in text (``invalid byte sequence``) and SQLite would store it
  silently, so it is refused everywhere. The field is named as a path into the body
  (``name``, ``certificates[0].name``), or the query/path parameter's name;
* a JSON body nested too deeply for the decoder (``RecursionError``): "JSON nested too deeply";
* a JSON number too large to decode (``1e400``): "number out of range", naming its field.

A body is read only for a route that takes one (a ``data`` parameter) or a url-encoded form (the
web pages read theirs); the body of any other route is never read nor decoded here.

Cost: the query string and body are only searched for the NUL byte / ``\\u0000`` escape; only when
one is present is the body walked to find the field. The JSON body is decoded once here and the
decoded value is kept by Litestar for the handler, so nothing is decoded twice.
"""

from __future__ import annotations

import json
import math
import unicodedata
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from litestar import Request
from litestar.exceptions import SerializationException

from service.errors import InvalidFieldError, InvalidInputError

#: Body limits by kind of route (the app-wide default, for most JSON routes, is
#: ``Settings.max_body_bytes``, 64 KiB; roster uploads set their own). A body over its route's limit
#: is refused with 413 before it is read (``Content-Length``) or as soon as it passes the limit
#: (chunked): :class:`service.accounts.hardening.BodySizeLimitMiddleware`.
SIGN_IN_BODY_BYTES = 16 * 1024  # sign-in, registration, sessions, passwords, bodiless actions
TEXT_BODY_BYTES = 1024 * 1024  # profiles and postings: free text of up to 20,000 characters

NUL = "\x00"
NUL_MESSAGE = "contains a NUL character (U+0000), which cannot be stored / 含有空字符 (U+0000)"
_FORM_TYPES = ("multipart/form-data",)
_URLENCODED = "application/x-www-form-urlencoded"
MAX_INT_DIGITS = 4000  # below Python's int/str conversion limit (4300 digits)


#: Unicode's bidirectional embedding, override and isolate controls (UAX #9, "Explicit Directional
#: Formatting Characters": U+202A–U+202E, U+2066–U+2069). They make a browser show characters in
#: another order than stored (``U+202E 0008310083 1`` reads as ``1 3800138000``).
_DIRECTION_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def without_direction_controls(text: str) -> str:
    """``text`` without the bidirectional controls (:data:`_DIRECTION_CONTROLS`); other format
    characters stay (a message's emoji keep their zero-width joiners)."""
    return text.translate(_DIRECTION_CONTROLS)


def without_format_characters(text: str) -> str:
    """``text`` without Unicode's invisible format characters, general category ``Cf`` (Unicode
    Standard §4.5 "General Category"; listed in UCD ``DerivedGeneralCategory.txt``): zero-width space,
    (non-)joiners, soft hyphen, word joiner, BOM, direction marks and controls."""
    return "".join(c for c in text if unicodedata.category(c) != "Cf")


#: The longest text a search box takes, in characters (the follow-up list's name or student number,
#: the jobs search's words, ``q`` of the API's lists): a longer one is refused, so a page never
#: repeats kilobytes of query back.
SEARCH_MAX_CHARS = 100

#: Why a name with nothing visible left after :func:`clean_name` is refused.
NAME_INVISIBLE = "has no visible character (only spaces or invisible characters) / 没有可见字符 (只有空格或不可见字符)"


def clean_name(text: str) -> str:
    """The one rule for short human text that people search for — person names (姓名, a trainee's
    name), school and employer names: composed (Unicode NFC, UAX #15, so ``Nu`` + U+030C and ``Nǔ``
    are one name), without invisible format characters (:func:`without_format_characters`: a
    zero-width space would make ``李\u200b华`` a name no search for 李华 finds; a right-to-left
    override would show it in another order), runs of white space (the ideographic space too) as one
    space, stripped. Visible punctuation stays (``阿卜杜拉·买买提``). ``""`` when nothing visible is
    left; the caller refuses it as a missing value."""
    visible = without_format_characters(unicodedata.normalize("NFC", text))
    return " ".join(visible.split())


def visible_name(field: str, text: str) -> str:
    """``text`` by :func:`clean_name`, for a name the caller requires.

    Raises:
        InvalidFieldError: nothing visible is left (422 on ``field``)."""
    name = clean_name(text)
    if not name:
        raise InvalidFieldError(field, NAME_INVISIBLE)
    return name


def _shown(text: str) -> str:
    """``text`` with each NUL written as the escape ``\\u0000`` (for naming a key that holds one)."""
    return text.replace(NUL, "\\u0000")


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def find_path(value: Any, bad: Callable[[Any], bool]) -> str | None:
    """The path of the first item (value or object key) of decoded JSON ``value`` for which
    ``bad`` is true, e.g. ``certificates[0].name``; ``$`` for the top-level value itself.

    Iterative (no recursion), so any nesting depth the decoder accepted is walked safely."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        path, item = stack.pop()
        if bad(item):
            return path or "$"
        if isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                if bad(key):
                    return _join(path, _shown(key))
                stack.append((_join(path, key), child))
        elif isinstance(item, list):
            stack.extend((_join(path, i), child) for i, child in reversed(list(enumerate(item))))
    return None


def find_nul(value: Any) -> str | None:
    """The path of the first string (value or key) in decoded JSON ``value`` holding a NUL."""
    return find_path(value, lambda item: isinstance(item, str) and NUL in item)


_HUGE = object()  # stands for a number no decoder can hold


def _parse_float(text: str) -> Any:
    number = float(text)
    return _HUGE if math.isinf(number) else number


def _parse_int(text: str) -> Any:
    return _HUGE if len(text) > MAX_INT_DIGITS else int(text)


def out_of_range_path(body: bytes) -> str | None:
    """Where JSON ``body`` holds a number too large to decode (``1e400``, thousands of digits),
    which msgspec only reports as ``$[...]``; found with the standard ``json`` module."""
    try:
        value = json.loads(body, parse_float=_parse_float, parse_int=_parse_int)
    except (ValueError, RecursionError):
        return None
    return find_path(value, lambda item: item is _HUGE)


def _check_pairs(raw: bytes, source: str) -> None:
    """Refuse a NUL in url-encoded ``raw`` (query string or form body), naming the parameter."""
    if b"%00" not in raw and b"\x00" not in raw:
        return
    # pairs split on "&" only, and blank ones kept: every NUL ends up in some name or value
    for name, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True, errors="replace"):
        if NUL in name or NUL in value:
            raise InvalidInputError(_shown(name), NUL_MESSAGE, source)


async def check_request_input(request: Request[Any, Any, Any]) -> None:
    """``before_request`` hook: refuse NUL characters and over-deep JSON (see the module docstring).

    Raises:
        InvalidInputError: 400, naming the path parameter, query parameter or body field
            (``source`` ``path``/``query``/``body``).
    """
    for name, value in request.path_params.items():
        if isinstance(value, str) and NUL in value:
            raise InvalidInputError(name, NUL_MESSAGE, "path")
    _check_pairs(request.scope.get("query_string", b""), "query")
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    media_type = request.content_type[0]
    if media_type in _FORM_TYPES:
        return  # files are checked by whoever reads them (e.g. the roster reader, per cell)
    if media_type != _URLENCODED and "data" not in request.route_handler.parsed_fn_signature.parameters:
        return  # the route takes no body: never read nor decode one
    body = await request.body()
    if not body:
        return
    if media_type == _URLENCODED:
        _check_pairs(body, "body")
        return
    try:
        decoded = await request.json()  # cached on the request: the handler reuses it
    except RecursionError:
        raise InvalidInputError("$", "JSON nested too deeply / JSON 嵌套层数过多", "body") from None
    except SerializationException as exc:
        if "out of range" in str(exc) and (path := out_of_range_path(body)) is not None:
            raise InvalidInputError(path, "number out of range / 数值超出范围", "body") from None
        return  # not JSON: the handler's own parsing reports it
    if b"\\u0000" in body and (path := find_nul(decoded)) is not None:
        raise InvalidInputError(path, NUL_MESSAGE, "body")
