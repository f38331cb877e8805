"""51job (前程无忧) exports: the 2019 spider file and the 2023 cleaned file.

2019 (``51job_2019_gb18030.csv``, GB18030): 职位,薪资,公司,公司信息,公司地址,地区,工作经验,学历,
人数,时间,岗位信息 — every cell but 岗位信息 is a Python list literal (``['大专']``, ``[]``). The
spider read the "地区|经验|学历|人数|时间" line positionally, so when a posting gives no
experience the 学历 value sits in 工作经验 and 学历 holds ``[]`` (or a language requirement
such as ``英语熟练``). Both cells are therefore classified by content, not by position.

2023 (``51job_2023.csv``, UTF-8): 岗位名称,分类,薪资,公司地址,工作经验,学历要求,公司名称,岗位描述 —
公司地址 is the location (``上海·浦东新区``), 分类 the company's industry, and 岗位描述 one piece of
a list literal split over the rows (``'spark\\n大数据\\n五险一金',``), holding skill tags and
benefits mixed.

Neither file has an id: ``external_id`` is a SHA-256 of (company, title, location, date).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from scrapers.csvio import CsvFileSource, CsvRow, parse_list_cell, parse_list_fragment
from scrapers.items import PostingItem
from scrapers.normalise.education import looks_like_education
from scrapers.normalise.experience import looks_like_experience
from scrapers.normalise.tags import split_tags

SOURCE = "51job"
COLUMNS_2019 = ("职位", "薪资", "公司", "公司信息", "公司地址", "地区", "工作经验", "学历", "人数", "时间")
COLUMNS_2023 = ("岗位名称", "分类", "薪资", "公司地址", "工作经验", "学历要求", "公司名称", "岗位描述")
_ADDRESS_PREFIX = re.compile(r"^上班地址\s*[:：]\s*")
_HEADCOUNT = re.compile(r"^(\d+)人$")


def posting_key(company: str | None, title: str | None, location: str | None, date: str | None) -> str:
    """A stable id for a posting without one: SHA-256 (first 32 hex digits) of the four texts."""
    joined = "\x1f".join(x or "" for x in (company, title, location, date))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:32]


class _Reader(CsvFileSource):
    name = SOURCE


class Job51_2019(_Reader):
    """Postings from the 2019 spider file (GB18030, list-literal cells)."""

    columns = COLUMNS_2019

    def _item(self, row: CsvRow) -> PostingItem:
        cells: dict[str, list[str]] = {}
        warnings: list[tuple[str, str]] = []
        for column in self.columns:
            cells[column], problem = parse_list_cell(row.values.get(column, ""))
            if problem:
                warnings.append((column, problem))

        def first(column: str) -> str | None:
            return " ".join(cells[column]) or None

        title, company, location, date_text = first("职位"), first("公司"), first("地区"), first("时间")
        item = PostingItem(
            source=SOURCE,
            external_id=posting_key(company, title, location, date_text),
            row=row.row,
            title=title or "",
            employer_name=company,
            salary_text=first("薪资"),
            location_text=location,
            description=(row.values.get("岗位信息") or "").strip(),
            columns={
                "title": "职位",
                "employer_name": "公司",
                "salary_text": "薪资",
                "location_text": "地区",
                "address": "公司地址",
                "employer_industry": "公司信息",
                "employer_size": "公司信息",
                "experience_text": "工作经验",
                "education_text": "学历",
            },
        )
        for column, problem in warnings:
            item.warn(column, problem)
        if info := first("公司信息"):
            self._company_info(item, info)
        if address := first("公司地址"):
            item.address = _ADDRESS_PREFIX.sub("", address).strip() or None
        for token in cells["工作经验"] + cells["学历"]:  # realign: classify by content
            if item.experience_text is None and looks_like_experience(token):
                item.experience_text = token
            elif item.education_text is None and looks_like_education(token):
                item.education_text = token
            else:
                item.other_requirements.append(token)
        if item.other_requirements:
            extra = "其他要求：" + "、".join(item.other_requirements)
            item.description = f"{item.description}\n{extra}" if item.description else extra
        if (count := first("人数")) and (m := _HEADCOUNT.match(count)):
            item.openings = max(1, int(m.group(1)))
        if date_text:
            try:
                item.posted_on = dt.date.fromisoformat(date_text)
            except ValueError:
                item.warn("时间", f"{date_text!r} is not a date (YYYY-MM-DD)")
        return item

    @staticmethod
    def _company_info(item: PostingItem, info: str) -> None:
        """``民营公司| 50-150人| 计算机软件 互联网/电子商务`` → kind, size, industry."""
        parts = [p.strip() for p in info.split("|") if p.strip()]
        if parts:
            item.employer_kind = parts.pop(0)
        for part in parts:
            if part.endswith(("人", "人以上", "人以下")) and any(ch.isdigit() for ch in part):
                item.employer_size = part
            else:
                item.employer_industry = part


class Job51_2023(_Reader):
    """Postings from the 2023 cleaned file (UTF-8, plain cells, tags in 岗位描述)."""

    columns = COLUMNS_2023

    def _item(self, row: CsvRow) -> PostingItem:
        v = {k: (val or "").strip() for k, val in row.values.items()}
        company, title, location = v["公司名称"] or None, v["岗位名称"], v["公司地址"] or None
        item = PostingItem(
            source=SOURCE,
            external_id=posting_key(company, title, location, None),
            row=row.row,
            title=title,
            employer_name=company,
            employer_industry=v["分类"] or None,
            salary_text=v["薪资"] or None,
            location_text=location,
            experience_text=v["工作经验"] or None,
            education_text=v["学历要求"] or None,
            columns={
                "title": "岗位名称",
                "employer_name": "公司名称",
                "salary_text": "薪资",
                "location_text": "公司地址",
                "employer_industry": "分类",
                "experience_text": "工作经验",
                "education_text": "学历要求",
            },
        )
        tags, problem = parse_list_fragment(v["岗位描述"])
        if problem:
            item.warn("岗位描述", problem)
        item.skills, item.benefits = split_tags(tags)
        if item.benefits:
            item.description = "福利：" + "、".join(item.benefits)
        return item
