"""URL normalisation for de-duplication: tracking parameters and fragments removed.

Tracking parameters: ``utm_*``, ``spm``, ``from``/``source``/``ref``-style click ids listed in
:data:`TRACKING`, and the click ids of the big ad networks (``gclid``, ``fbclid``, ``msclkid``,
``bd_vid``). Removal uses :func:`w3lib.url.url_query_cleaner`; the rest is canonicalised with
:func:`w3lib.url.canonicalize_url` (sorted query, upper-case percent escapes).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from w3lib.url import canonicalize_url, url_query_cleaner

TRACKING = frozenset(
    {
        "spm",
        "scm",
        "from",
        "ref",
        "refer",
        "referrer",
        "source",
        "src",
        "share_from",
        "gclid",
        "fbclid",
        "msclkid",
        "bd_vid",
        "yclid",
        "_ga",
        "trk",
        "trackid",
        "track_id",
        "sessionid",
        "sid",
        "ka",
        "lid",
        "securityid",
        "mc_cid",
        "mc_eid",
    }
)
_UTM = re.compile(r"^(utm_|hmsr|hmpl|hmcu|hmkw|hmci)", re.IGNORECASE)


def canonical_url(url: str | None) -> str | None:
    """``url`` without tracking parameters or fragment, canonicalised; ``None``/empty → ``None``."""
    if not url or not url.strip():
        return None
    url = url.strip()
    query = url.split("?", 1)[1].split("#", 1)[0] if "?" in url else ""
    drop = [k for k, _ in parse_qsl(query, keep_blank_values=True) if k.lower() in TRACKING or _UTM.match(k)]
    if drop:
        url = url_query_cleaner(url, drop, remove=True, keep_fragments=False)
    return canonicalize_url(url, keep_fragments=False)
