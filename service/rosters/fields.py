"""Roster columns: header synonyms and the parsing of each cell, with precise reasons on failure.

Identifiers (学号, 身份证号, 联系电话) are text, always. A 身份证号 that reached us as a number
(an Excel numeric cell, or text such as ``4.40101E+17``) has lost digits and is refused; student
and phone numbers stored as whole numbers are accepted only when the cell's number format shows
how many digits they had (``000000``) or they fit in 15 digits without a fraction.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from service.errors import InvalidFieldError
from service.graduates.identity import ID_NUMBER_PROBLEMS_ZH, normalise_id_number
from service.graduates.models import Gender

#: field → Chinese column name used in reports, and the header spellings accepted for it
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "student_number": ("学号", ("学号", "学籍号", "学生学号", "学生编号", "学籍编号", "studentnumber", "studentid")),
    "name": ("姓名", ("姓名", "学生姓名", "毕业生姓名", "name")),
    "gender": ("性别", ("性别", "gender", "sex")),
    "id_number": (
        "身份证号",
        ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码", "居民身份证号", "idnumber"),
    ),
    "major": ("专业", ("专业", "专业名称", "所学专业", "专业代码", "就读专业", "major")),
    "graduation_date": ("毕业时间", ("毕业时间", "毕业日期", "毕业年月", "毕业年份", "graduationdate")),
    "phone": ("联系电话", ("联系电话", "手机号", "手机号码", "手机", "电话", "联系方式", "phone", "mobile")),
    "class_name": ("班级", ("班级", "班级名称", "所在班级", "行政班", "class", "classname")),
    "cohort": ("届别", ("届别", "毕业届别", "届", "cohort")),
    "disadvantaged": ("困难群体", ("困难群体", "是否困难群体", "困难生", "是否困难生", "困难类型", "disadvantaged")),
}
REQUIRED = ("student_number", "name", "graduation_date")
_SYNONYMS = {syn: field for field, (_, syns) in FIELDS.items() for syn in syns}
_SCI = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_ZEROS = re.compile(r"^0+$")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 = 1900-01-01 (Excel's 1900 leap-year bug absorbed after Feb 1900)


class CellError(ValueError):
    """A cell that cannot be accepted; ``field`` is the roster field, the message the reason (Chinese
    / English), ``code`` its stable error code (:data:`service.rosters.service.ROW_ERROR_CODES`) and
    ``params`` the values a page needs to say it in the reader's language."""

    def __init__(self, field: str, reason: str, code: str, **params: object) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason
        self.code = code
        self.params = params


def normalise_header(text: str) -> str:
    """``"身份证号码（必填）*"`` → ``"身份证号码"``: spaces, stars, bracketed notes and case dropped."""
    text = re.sub(r"[（(【\[].*?[）)】\]]", "", text)
    return re.sub(r"[\s*:：_\-]", "", text).lower()


def header_of(texts: list[str]) -> dict[str, int]:
    """Map a header row to ``{field: column index}`` (first occurrence of each field wins)."""
    mapping: dict[str, int] = {}
    for i, text in enumerate(texts):
        field = _SYNONYMS.get(normalise_header(text))
        if field is not None and field not in mapping:
            mapping[field] = i
    return mapping


def text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip().replace("\u3000", "")
        return value.lstrip("'") or None  # a leading apostrophe is Excel's "this is text" marker
    return str(value)


def identifier(field: str, value: Any, number_format: str = "General", max_len: int = 32) -> str | None:
    """Text of an identifier cell, keeping leading zeros.

    Raises:
        CellError: the cell is a number that may have lost digits or its fraction, or is in
            scientific notation, or is too long.
    """
    if isinstance(value, bool):
        raise CellError(field, "是布尔值, 应为文本 / a true/false cell, expected text", "boolean_cell")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            raise CellError(
                field,
                f"是带小数的数字 {value!r}: 请将该列设为文本格式 / a decimal number, format the column as text",
                "decimal_number",
                value=repr(value),
            )
        number = int(value)
        if abs(number) >= 10**15:
            raise CellError(
                field,
                "以数字形式存储, Excel 只保留15位有效数字, 已丢失末位: 请将该列设为文本格式后重新录入 / "
                "stored as a number with more than 15 digits: digits were lost",
                "digits_lost",
            )
        digits = str(number)
        if _ZEROS.match(number_format):
            digits = digits.zfill(len(number_format))
        value = digits
    text = text_of(value)
    if text is not None and _SCI.match(text):
        raise CellError(
            field,
            f"是科学计数法 {text!r}, 数字已丢失: 请将该列设为文本格式后重新录入 / scientific notation: "
            "digits were lost",
            "scientific_notation",
            text=repr(text),
        )
    if text is not None and len(text) > max_len:
        raise CellError(
            field,
            f"长度 {len(text)} 超过 {max_len} / longer than {max_len} characters",
            "too_long",
            length=len(text),
            max=max_len,
        )
    return text


def id_number(value: Any, number_format: str = "General") -> str | None:
    """A checked 身份证号 (GB 11643-1999 check digit and birth date), or ``None`` if blank.

    Raises:
        CellError: stored as a number (digits lost), scientific notation, or invalid.
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise CellError(
            "id_number",
            "以数字形式存储, Excel 只保留15位有效数字, 18位号码已丢失末位: 请将该列设为文本格式后重新录入 / "
            "stored as a number: an 18-digit number cannot survive that",
            "id_number_as_number",
        )
    text = identifier("id_number", value, number_format, max_len=20)
    if text is None:
        return None
    try:
        return normalise_id_number(text)
    except InvalidFieldError as exc:
        problem = exc.errors[0]
        reason = f"{ID_NUMBER_PROBLEMS_ZH[problem['code']]} / {problem['message']}"  # Chinese / English
        raise CellError("id_number", reason, "id_number_invalid") from exc


def phone(value: Any, number_format: str = "General") -> str | None:
    """Digits of a phone number (``+86``, spaces and hyphens removed; leading 0 of landlines kept).

    Raises:
        CellError: not 11 digits starting with 1 (mobile) nor 7-12 digits starting with 0 (landline)."""
    text = identifier("phone", value, number_format, max_len=24)
    if text is None:
        return None
    digits = re.sub(r"[\s\-()（）]", "", text)
    digits = re.sub(r"^(\+?86)(?=1\d{10}$)", "", digits)
    if re.fullmatch(r"1\d{10}", digits) or re.fullmatch(r"0\d{6,11}", digits):
        return digits
    raise CellError(
        "phone", "不是11位手机号或以0开头的固定电话 / not an 11-digit mobile or a 0-prefixed landline", "phone_invalid"
    )


def gender(value: Any) -> Gender | None:
    text = (text_of(value) or "").lower()
    if not text:
        return None
    if text in ("男", "m", "male", "1"):
        return Gender.MALE
    if text in ("女", "f", "female", "2"):
        return Gender.FEMALE
    raise CellError("gender", f"{text!r} 不是 男/女 / not male or female", "gender_invalid", text=repr(text))


def yes_no(field: str, value: Any) -> bool | None:
    text = (text_of(value) or "").lower()
    if not text:
        return None
    if text in ("是", "y", "yes", "1", "true", "困难"):
        return True
    if text in ("否", "n", "no", "0", "false", "无"):
        return False
    return True if field == "disadvantaged" else None  # a named category (低保家庭, 脱贫家庭 …) means yes


def _last_day(year: int, month: int) -> dt.date:
    import calendar

    return dt.date(year, month, calendar.monthrange(year, month)[1])


def date_of(field: str, value: Any) -> dt.date | None:
    """A date from an Excel date, an Excel serial number (also as text) or text such as
    ``2025-06-30``, ``2025/6/30``, ``2025.6.30``, ``20250630``, ``2025年6月30日``; a month alone
    (``2025-06``, ``2025年6月``) means its last day.

    Raises:
        CellError: anything else, or a serial out of 1950-2100.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = text_of(value) or ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) or re.fullmatch(r"\d{5}(\.0+)?", text):
        serial = float(value if isinstance(value, (int, float)) else text)
        day = EXCEL_EPOCH + dt.timedelta(days=int(serial))
        if not 1950 <= day.year <= 2100:
            raise CellError(
                field,
                f"Excel 日期序号 {text} 超出范围 / serial date out of range",
                "date_serial_out_of_range",
                text=text,
            )
        return day
    m = re.fullmatch(r"(\d{4})(?:[-/.年])(\d{1,2})(?:[-/.月](\d{1,2})日?|月)?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})?", text
    )
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        try:
            return dt.date(year, month, int(m.group(3))) if m.group(3) else _last_day(year, month)
        except ValueError:
            pass
    raise CellError(
        field, f"{text!r} 不是日期 (如 2025-06-30, 2025年6月) / not a date", "date_invalid", text=repr(text)
    )
