"""GB/T 2260 region-code arithmetic.

A code is six digits: ``PP0000`` a province, ``PPCC00`` a prefecture-level city, ``PPCCXX``
a county or district. Municipalities (北京 110000) have a single city level ``1101``.
"""

from __future__ import annotations

import re

_CODE = re.compile(r"^\d{6}$")


def is_region_code(code: str) -> bool:
    return bool(_CODE.match(code))


def region_prefix(code: str) -> str:
    """The prefix every code inside ``code`` shares: ``440000`` → ``44``, ``440100`` → ``4401``,
    ``440106`` → ``440106``.

    Raises:
        ValueError: ``code`` is not six digits.
    """
    if not is_region_code(code):
        raise ValueError(f"not a GB/T 2260 region code: {code!r}")
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def province_of(code: str) -> str:
    return code[:2] + "0000"


def city_of(code: str) -> str:
    return code[:4] + "00"
