"""居民身份证号码 (GB 11643-1999) checks and masking, on top of ``stdnum.cn.ric``.

Error messages never repeat the number: it is personal data and must not leak into
responses or logs.
"""

from __future__ import annotations

import unicodedata

from stdnum.cn import ric
from stdnum.util import isdigits

from service.config import latest_today
from service.errors import InvalidFieldError
from service.graduates.models import Gender

#: Province-level codes, the first two digits of every GB/T 2260 address code: 11–15 华北,
#: 21–23 东北, 31–37 华东, 41–46 中南, 50–54 西南, 61–65 西北, 71 台湾, 81 香港, 82 澳门.
PROVINCE_CODES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
    }
)
#: Earliest birth year accepted (GB 11643-1999 encodes the full year; no living holder is older).
MIN_BIRTH_YEAR = 1900


#: The Chinese of each :func:`normalise_id_number` refusal, by its code (the roster report says both).
ID_NUMBER_PROBLEMS_ZH = {
    "id_number_length": "身份证号应为18位",
    "id_number_format": "身份证号应为17位数字加1位数字或X",
    "id_number_check_digit": "身份证号校验位不符 (GB 11643-1999)，请检查是否录错",
    "id_number_province": "身份证号第1-2位不是省级行政区划代码 (GB/T 2260，11–82)",
    "id_number_birth_date": f"身份证号第7-14位不是有效的出生日期 ({MIN_BIRTH_YEAR}年至今)",
}


def normalise_id_number(value: str, field: str = "id_number") -> str:
    """Check a 身份证号 and return it compact and upper case (``x`` → ``X``).

    Full-width characters (``１``…``９``, ``Ｘ``, the ideographic space) are first folded to their
    ASCII forms (Unicode NFKC), so one number typed two ways is stored once.
    Checked: 18 characters, the first 17 digits, the ISO 7064 MOD 11-2 check character
    (``X`` for 10; GB 11643-1999 §5), that the address code starts with a GB/T 2260 province
    code (:data:`PROVINCE_CODES`), and that characters 7-14 are a real birth date from
    :data:`MIN_BIRTH_YEAR` on and not in the future. The rest of the address code is not looked
    up: county codes change over time and a real person's old code must not be refused.

    Raises:
        InvalidFieldError: on ``field``, saying which part is wrong (never echoing the number).
    """
    number = ric.compact(unicodedata.normalize("NFKC", value))
    if len(number) != 18:
        raise InvalidFieldError(field, f"身份证号 must have 18 characters, got {len(number)}", "id_number_length")
    if not isdigits(number[:-1]) or not (number[-1].isdigit() or number[-1] == "X"):
        raise InvalidFieldError(field, "身份证号 must be 17 digits followed by a digit or X", "id_number_format")
    if number[-1] != ric.calc_check_digit(number):
        raise InvalidFieldError(
            field, "身份证号 check digit is wrong (GB 11643-1999): check for a typo", "id_number_check_digit"
        )
    if number[:2] not in PROVINCE_CODES:
        raise InvalidFieldError(
            field, "身份证号 characters 1-2 are not a GB/T 2260 province code (11–82)", "id_number_province"
        )
    try:
        born = ric.get_birth_date(number)
    except ValueError:  # stdnum's InvalidComponent is a ValueError
        born = None
    if born is None or born > latest_today() or born.year < MIN_BIRTH_YEAR:
        raise InvalidFieldError(
            field,
            f"身份证号 characters 7-14 are not a valid birth date (from {MIN_BIRTH_YEAR} to today)",
            "id_number_birth_date",
        )
    return number


def gender_of_id_number(number: str) -> Gender:
    """The gender encoded by the 17th character (the sequence code's last digit): odd = male,
    even = female (GB 11643-1999 §4.3). ``number`` must already be normalised."""
    return Gender.MALE if int(number[16]) % 2 else Gender.FEMALE


def mask_id_number(number: str | None) -> str | None:
    """``440106200501010015`` → ``**************0015``: only the last 4 characters kept. The first
    ones (address code) and the birth date are hidden: with them and the cohort, a few hundred
    candidates remain and the check digit picks the number out (issue 14)."""
    if number is None:
        return None
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]
