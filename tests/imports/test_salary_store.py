"""Issue 20.2/20.3 stored: salary texts with a stated period, open-ended and currency-marked strings,
and implausible figures, as they end up in the postings table on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.imports.service import import_path
from service.postings.models import Posting
from vocab import SalaryPeriod

M, Y, D, H, W = SalaryPeriod.MONTH, SalaryPeriod.YEAR, SalaryPeriod.DAY, SalaryPeriod.HOUR, SalaryPeriod.WEEK


def _salary(value: object, **outer: object) -> dict:
    return {"@type": "MonetaryAmount", "currency": "CNY", "value": value, **outer}


def _qv(**kw: object) -> dict:
    return {"@type": "QuantitativeValue", **kw}


@pytest.mark.parametrize(
    ("salary", "stored"),
    [
        (_salary("25-38万", unitText="YEAR"), (250000, 380000, Y, 20833, 31667, "25-38万")),
        (_salary(_qv(value="150-200元", unitText="DAY")), (150, 200, D, 3262, 4350, "150-200元")),
        (_salary(_qv(value="30-45元"), unitText="HOUR"), (30, 45, H, 5220, 7830, "30-45元")),
        (_salary("1500-2000元", unitText="WEEK"), (1500, 2000, W, 6500, 8667, "1500-2000元")),
        (_salary("8000+", unitText="MONTH"), (8000, None, M, 8000, None, "8000+")),
        (_salary("￥6-9K"), (6000, 9000, M, 6000, 9000, "￥6-9K")),
        # implausible for the stated period: unknown pay, the text kept
        (_salary("150-200元", unitText="YEAR"), (None, None, None, None, None, "150-200元")),
        (_salary(_qv(value="25-38万", unitText="DAY")), (None, None, None, None, None, "25-38万")),
        (
            _salary(_qv(minValue=250000, maxValue=380000, unitText="MONTH")),
            (None, None, None, None, None, "CNY 250000-380000/MONTH"),
        ),
    ],
)
async def test_jsonld_salary_texts_are_stored_with_their_period(
    session: AsyncSession, tmp_path: Path, salary: dict, stored: tuple
) -> None:
    block = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "JobPosting",
            "title": "仓库管理员",
            "identifier": "S-1",
            "hiringOrganization": "上海迅达物流有限公司",
            "baseSalary": salary,
            "jobLocation": {"address": {"addressRegion": "上海市"}},
        },
        ensure_ascii=False,
    )
    page = tmp_path / "p.html"
    page.write_text(f'<html><head><script type="application/ld+json">{block}</script></head></html>', encoding="utf-8")
    report = await import_path(session, page)
    await session.commit()
    assert report.stored == 1
    posting = (await session.execute(select(Posting))).scalar_one()
    assert (
        posting.salary_min,
        posting.salary_max,
        posting.salary_period,
        posting.salary_min_monthly,
        posting.salary_max_monthly,
        posting.salary_text,
    ) == stored
    assert posting.salary_currency == "CNY"
    if stored[0] is None:
        assert any("not plausible" in w[2] for w in report.warning_samples)


async def test_board_salary_strings_are_stored(session: AsyncSession, tmp_path: Path) -> None:
    rows = {
        "1": "8000+",
        "2": "8K+",
        "3": "1万+",
        "4": "8000元+",
        "5": "¥8000-12000",
        "6": "￥8000-12000",
        "7": "25-38万",
        "8": "6+",
    }
    (tmp_path / "x.csv").write_text(
        "id,职位,公司,城市,薪资\n" + "".join(f"{i},焊工,佛山南海五金制品厂,佛山,{s}\n" for i, s in rows.items()),
        encoding="utf-8",
    )
    (tmp_path / "x.toml").write_text(
        '[columns]\nid = "id"\ntitle = "职位"\nemployer = "公司"\ncity = "城市"\nsalary = "薪资"\n', encoding="utf-8"
    )
    report = await import_path(session, tmp_path / "x.csv", mapping=tmp_path / "x.toml")
    await session.commit()
    assert report.stored == 8 and report.warnings == 2  # 25-38万 a month and 6 元 a month
    got = {
        p.external_id: (p.salary_min_monthly, p.salary_max_monthly, p.salary_currency)
        for p in (await session.execute(select(Posting))).scalars()
    }
    assert got == {
        "1": (8000, None, "CNY"),
        "2": (8000, None, "CNY"),
        "3": (10000, None, "CNY"),
        "4": (8000, None, "CNY"),
        "5": (8000, 12000, "CNY"),
        "6": (8000, 12000, "CNY"),
        "7": (None, None, "CNY"),
        "8": (None, None, "CNY"),
    }
