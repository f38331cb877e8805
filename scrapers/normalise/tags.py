"""Posting tags (51job 2023 ``岗位描述``: ``spark\\n大数据\\n五险一金``) → skills and benefits.

A tag is a benefit (福利) when it names insurance, pay extras, leave, meals, transport,
training or workplace perks; everything else is a skill or topic keyword. Skills are
de-duplicated case-insensitively, keeping the first spelling seen.
"""

from __future__ import annotations

import re

_BENEFIT = re.compile(
    r"险|公积金|奖金|年终|双薪|补贴|补助|餐补|房补|福利|体检|旅游|双休|休二|年假|休假|假期|节假日|全勤|加班费|"
    r"培训|班车|三餐|食宿|包吃|包住|宿舍|期权|股票|下午茶|瑜伽|健身|氛围|晋升|扁平|出国|礼品|过节费|"
    r"弹性工作|百强|五百强|500强|团建|零食"
)


def is_benefit(tag: str) -> bool:
    return bool(_BENEFIT.search(tag))


def split_tags(tags: list[str]) -> tuple[list[str], list[str]]:
    """``(skills, benefits)`` from a list of tags; each tag may hold several lines."""
    skills: list[str] = []
    benefits: list[str] = []
    seen: set[str] = set()
    for chunk in tags:
        for tag in chunk.splitlines():
            tag = tag.strip()
            if not tag or tag.casefold() in seen:
                continue
            seen.add(tag.casefold())
            (benefits if is_benefit(tag) else skills).append(tag)
    return skills, benefits
