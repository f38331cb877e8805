"""No personal data in access logs: the query string's values are redacted (issue 14, item 17).

uvicorn logs every request (logger ``uvicorn.access``) with its path *and query string*, and
query strings carry what people search for (``/graduates?q=李晓峰``, ``/web/jobs?q=…&city=…``),
names and numbers included. :class:`RedactQueryValues` rewrites the logged path to keep the path
and the parameter *names* but replace every value with ``[redacted]``
(``/graduates?q=[redacted]&limit=[redacted]``); a name that is not a plain identifier is redacted
too. :func:`install` puts it on the logger; the app factory calls it, so every way of serving the
app (``vocmatch serve``, ``uvicorn --factory``, several workers) logs this way. Paths themselves
hold only ids and codes (route parameters), and the service's own error logs write paths without
query strings.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "[redacted]"
_PLAIN_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-\[\]]{0,63}")


def redact(path_with_query: str) -> str:
    """``path?name=value&…`` → ``path?name=[redacted]&…`` (the path unchanged)."""
    path, sep, query = path_with_query.partition("?")
    if not sep:
        return path
    parts = []
    for pair in query.split("&"):
        name = pair.split("=", 1)[0]
        parts.append(f"{name if _PLAIN_NAME.fullmatch(name) else REDACTED}={REDACTED}" if pair else "")
    return f"{path}?{'&'.join(parts)}"


class RedactQueryValues(logging.Filter):
    """A filter for ``uvicorn.access`` records (arguments: client address, method, path with query
    string, HTTP version, status): the path's query values redacted, see :func:`redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str) and "?" in args[2]:
            record.args = (*args[:2], redact(args[2]), *args[3:])
        return True


def install() -> None:
    """Put :class:`RedactQueryValues` on the ``uvicorn.access`` logger (once per process)."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactQueryValues) for f in logger.filters):
        logger.addFilter(RedactQueryValues())
