"""The downloadable roster template (.xlsx): the columns the import reads, a note on each header
(an Excel cell comment), drop-down lists for 性别 and 专业, and the column help the upload page shows.

The 专业 list is the catalogue stored in the database (the shipped 《职业教育专业目录（2021年）》, 358
中职专业, plus any a department added), without majors retired before ``cohort``; it is too long
for a list written into the validation itself (Excel caps that at 255 characters), so it sits on a
hidden sheet the validation refers to (ECMA-376 Part 1, §18.3.1.32 ``dataValidation``; a list
``formula1`` may be a range of another sheet). The import reads only the visible active sheet and
refuses a hidden sheet only when it holds a roster header (:mod:`service.rosters.reader`); the
hidden list has a one-column header, which is not one. A filled template imports unchanged with
:func:`service.rosters.service.import_roster`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.majors import major_open_to
from service.catalog.models import Major
from service.rosters import fields as f

#: Rows of the data area given formats and drop-downs (a province-sized school has a few thousand).
TEMPLATE_ROWS = 5000
ROSTER_SHEET = "毕业生名册"
MAJORS_SHEET = "专业列表"
GENDERS = ("男", "女")


@dataclass(frozen=True, slots=True)
class ColumnHelp:
    """One template column: roster field, whether required, text format (identifiers), notes."""

    field: str
    required: bool
    text: bool
    zh: str
    en: str

    @property
    def header(self) -> str:
        return f.FIELDS[self.field][0]


COLUMNS: tuple[ColumnHelp, ...] = (
    ColumnHelp(
        "student_number",
        True,
        True,
        "必填。学校内唯一的学号；再次上传时按学号更新，不会重复建档。请保持文本格式，保留开头的0。",
        "Required. The student number, unique in the school; uploading again updates the graduate with "
        "this number instead of adding a second one. Keep it as text so leading zeros stay.",
    ),
    ColumnHelp(
        "name", True, False, "必填。学生姓名，最多100个字符。", "Required. The student's name, up to 100 characters."
    ),
    ColumnHelp(
        "gender",
        False,
        False,
        "从下拉列表选择 男 或 女；留空时按身份证号第17位判断。",
        "Pick 男 (male) or 女 (female) from the list; left empty, it is taken from the 17th digit of the ID number.",
    ),
    ColumnHelp(
        "id_number",
        False,
        True,
        "18位公民身份号码（GB 11643），须为文本格式：数字格式会丢失末位。同一号码只能属于一名学生。",
        "The 18-character citizen ID number (GB 11643), as text: a number cell loses its last digits. "
        "One number belongs to one student only.",
    ),
    ColumnHelp(
        "major",
        False,
        False,
        "从下拉列表选择《职业教育专业目录（2021年）》中的专业名称，也可填6位专业代码。",
        "Pick the major's name from the list (the 2021 vocational major catalogue), or write its 6-digit code.",
    ),
    ColumnHelp(
        "graduation_date",
        True,
        False,
        "必填。毕业日期，如 2026-06-30；只填年月（2026-06）表示该月最后一天。",
        "Required. The graduation date, e.g. 2026-06-30; a month alone (2026-06) means its last day.",
    ),
    ColumnHelp(
        "phone",
        False,
        True,
        "11位手机号或以0开头的固定电话，文本格式。",
        "An 11-digit mobile number or a landline starting with 0, as text.",
    ),
    ColumnHelp(
        "cohort",
        False,
        False,
        "届别（毕业年份，如 2026）；留空时取毕业日期的年份。",
        "The cohort (year of graduation, e.g. 2026); left empty, the year of the graduation date.",
    ),
    ColumnHelp(
        "disadvantaged",
        False,
        False,
        "困难群体：是/否，或写类别（低保家庭、脱贫家庭、残疾等，视为“是”）；不清楚可留空。",
        "Disadvantaged group: 是 (yes) / 否 (no), or the category (低保家庭, 脱贫家庭, disability …, "
        "taken as yes); leave empty when unknown.",
    ),
    ColumnHelp(
        "class_name",
        False,
        True,
        "班级名称，如 数控2301班，最多64个字符；去向跟踪名单可按班级筛选，激活邀请可按班级发放。",
        "The class, e.g. 数控2301班, up to 64 characters; the follow-up list filters by it and "
        "invitation codes can be handed out per class.",
    ),
)


async def catalogue_major_names(session: AsyncSession, cohort: int | None = None) -> list[str]:
    """The names of the catalogue's majors in code order (those open to ``cohort`` when given)."""
    rows = (
        await session.execute(select(Major.code, Major.name, Major.valid_from, Major.retired_on).order_by(Major.code))
    ).all()
    return [name for code, name, start, end in rows if len(code) == 6 and major_open_to(start, end, cohort)]


def build_template(major_names: list[str]) -> bytes:
    """The template workbook: the roster sheet (active, header notes as comments, text format for
    identifiers, drop-downs for 性别 and 专业) and the hidden sheet with the majors' names."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)  # a new workbook's one sheet
    sheet.title = ROSTER_SHEET
    lists = book.create_sheet(MAJORS_SHEET)
    lists.append(["专业名称（下拉列表，请勿修改）"])
    for name in major_names:
        lists.append([name])
    lists.sheet_state = "hidden"
    bold, required_fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for col, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=col, value=column.header)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center")
        if column.required:
            cell.fill = required_fill
        comment = Comment(f"{column.zh}\n{column.en}", "vocmatch")
        comment.width, comment.height = 320, 160
        cell.comment = comment
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = 22 if column.text else 14
        if column.text:  # identifiers as text: Excel would turn them into numbers and drop digits
            for row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=row, column=col).number_format = "@"
        if column.field == "gender":
            _list_validation(
                sheet,
                f'"{",".join(GENDERS)}"',
                f"{letter}2:{letter}{TEMPLATE_ROWS + 1}",
                "性别 / gender",
                "请从列表选择 男 或 女 / pick 男 or 女",
            )
        elif column.field == "major" and major_names:
            _list_validation(
                sheet,
                f"'{MAJORS_SHEET}'!$A$2:$A${len(major_names) + 1}",
                f"{letter}2:{letter}{TEMPLATE_ROWS + 1}",
                "专业 / major",
                "请从专业目录列表中选择 / pick a major of the catalogue",
            )
    sheet.freeze_panes = "A2"
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _list_validation(sheet: object, formula: str, cells: str, title: str, error: str) -> None:
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showDropDown=False,
        showErrorMessage=True,
        errorTitle=title,
        error=error,
        promptTitle=title,
    )
    validation.add(cells)
    sheet.add_data_validation(validation)  # type: ignore[attr-defined]  # missing from openpyxl's stubs
