"""Well-formed fake identifiers for fictional sample people and organisations.

* 统一社会信用代码 (GB 32100-2015): ``9`` (registered by 市场监管/工商) + ``1`` (enterprise) +
  six-digit region code + nine-character organisation code (GB 11714-1997, itself with a check
  character) + check character from :func:`stdnum.cn.uscc.calc_check_digit`.
* 居民身份证号码 (GB 11643-1999): six-digit address code + birth date ``YYYYMMDD`` + three-digit
  sequence (odd for men, even for women) + check character from :func:`stdnum.cn.ric.calc_check_digit`.

The numbers are random and well-formed; they are not meant to identify anyone.
"""

from __future__ import annotations

import datetime as dt
import random

from stdnum.cn import ric, uscc

#: GB 11714-1997 organisation-code weights for the eight body characters.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check_digit(body: str) -> str:
    """The ninth character of a GB 11714-1997 organisation code whose eight characters are digits:
    ``C9 = 11 - (Σ wᵢ·cᵢ mod 11)``, written ``X`` for 10 and ``0`` for 11.

    Raises:
        ValueError: ``body`` is not eight digits.
    """
    if len(body) != 8 or not body.isdigit():
        raise ValueError(f"organisation code body must be eight digits, got {body!r}")
    c9 = 11 - sum(int(ch) * w for ch, w in zip(body, _ORG_WEIGHTS)) % 11
    return {10: "X", 11: "0"}.get(c9, str(c9))


def make_uscc(rng: random.Random, region_code: str) -> str:
    """A random, well-formed 18-character 统一社会信用代码 for an enterprise registered in
    ``region_code`` (six digits)."""
    body = f"{rng.randrange(10**7, 10**8):08d}"
    head = f"91{region_code}{body}{org_code_check_digit(body)}"
    return head + uscc.calc_check_digit(head)


def make_id_number(rng: random.Random, address_code: str, born: dt.date, male: bool) -> str:
    """A random, well-formed 18-character 身份证号 for someone born on ``born`` whose address code
    is ``address_code``; the sequence code's parity encodes the gender."""
    seq = rng.randrange(0, 500) * 2 + (1 if male else 0)
    body = f"{address_code}{born:%Y%m%d}{seq:03d}"
    # calc_check_digit ignores the last character of what it is given
    return body + ric.calc_check_digit(body + "0")
