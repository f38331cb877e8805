"""居民身份证号码 (GB 11643-1999) checks and masking, on top of ``stdnum.cn.ric``.

Error messages never repeat the number: it is personal data and must not leak into
responses or logs.
"""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric
from stdnum.util import isdigits

from service.errors import InvalidFieldError
from service.graduates.models import Gender


def normalise_id_number(value: str, field: str = "id_number") -> str:
    """Check a 身份证号 and return it compact and upper case (``x`` → ``X``).

    Checked: 18 characters, the first 17 digits, the ISO 7064 MOD 11-2 check character
    (``X`` for 10; GB 11643-1999 §5), and that characters 7-14 are a real birth date not
    in the future. The 6-digit address code is not looked up: codes change over time and a
    real person's old code must not be refused.

    Raises:
        InvalidFieldError: on ``field``, saying which part is wrong (never echoing the number).
    """
    number = ric.compact(value)
    if len(number) != 18:
        raise InvalidFieldError(field, f"身份证号 must have 18 characters, got {len(number)}")
    if not isdigits(number[:-1]) or not (number[-1].isdigit() or number[-1] == "X"):
        raise InvalidFieldError(field, "身份证号 must be 17 digits followed by a digit or X")
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidFieldError(field, "身份证号 check digit is wrong (GB 11643-1999): check for a typo")
    try:
        born = ric.get_birth_date(number)
    except ValueError:  # stdnum's InvalidComponent is a ValueError
        born = None
    if born is None or born > dt.date.today():
        raise InvalidFieldError(field, "身份证号 characters 7-14 are not a valid birth date")
    return number


def gender_of_id_number(number: str) -> Gender:
    """The gender encoded by the 17th character (the sequence code's last digit): odd = male,
    even = female (GB 11643-1999 §4.3). ``number`` must already be normalised."""
    return Gender.MALE if int(number[16]) % 2 else Gender.FEMALE


def mask_id_number(number: str | None) -> str | None:
    """``440106200501010015`` → ``4401**********0015``: first 4 and last 4 characters kept."""
    if number is None:
        return None
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
