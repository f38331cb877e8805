"""Issue 20.4: requisition numbers keep vacancies apart across boards; saved pages from different
sites are different sources, so one vacancy saved from two boards is one posting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from scrapers.jobposting.page import JsonLdFile
from scrapers.sites import saved_page_url, site_of, source_for
from service.imports.service import import_path
from service.postings.models import Posting, PostingSource

EMPLOYER = "苏州精工机械有限公司"
PLACE = {"address": {"addressRegion": "江苏省", "addressLocality": "苏州市"}}


def _page(path: Path, data: dict, *, head: str = "", before: str = "") -> Path:
    block = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "JobPosting",
            "hiringOrganization": EMPLOYER,
            "jobLocation": PLACE,
            **data,
        },
        ensure_ascii=False,
    )
    path.write_text(
        f'{before}<!DOCTYPE html><html><head><meta charset="utf-8">{head}'
        f'<script type="application/ld+json">{block}</script></head><body></body></html>',
        encoding="utf-8",
    )
    return path


def _requisition(value: str, name: str = EMPLOYER) -> dict:
    return {"@type": "PropertyValue", "name": name, "value": value}


async def _postings(session: AsyncSession) -> list[Posting]:
    stmt = select(Posting).options(selectinload(Posting.sources)).order_by(Posting.id)
    return list((await session.execute(stmt)).scalars())


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://jobs.51job.com/suzhou/1234.html", "51job.com"),
        ("https://www.zhipin.com/job_detail/a.html", "zhipin.com"),
        ("http://hr.abc.com.cn/x", "abc.com.cn"),
        ("https://WWW.Liepin.COM/job/1", "liepin.com"),
        ("http://127.0.0.1:8080/job/1", "127.0.0.1"),
        ("not a url", None),
        (None, None),
    ],
)
def test_site_of(url: str | None, site: str | None) -> None:
    assert site_of(url) == site


def test_source_for_a_configured_board_is_its_name(tmp_path: Path) -> None:
    assert source_for("https://jobs.example.cn/job/1.html") == "example_cn"  # scrapers/boards/example_cn.json
    assert source_for("https://m.example.cn/job/1.html") == "example_cn"
    assert source_for(None) == "jsonld" and source_for("https://www.zhaopin.com/x") == "zhaopin.com"
    # a saved page of the crawled board gets the id the crawl gives it (the board's url_regex)
    page = _page(
        tmp_path / "p.html",
        {"title": "数控车工", "identifier": "X-1"},
        head='<link rel="canonical" href="https://jobs.example.cn/job/101.html?utm_source=x">',
    )
    [item] = list(JsonLdFile(page))
    assert (item.source, item.external_id) == ("example_cn", "101")


@pytest.mark.parametrize(
    ("head", "before", "url"),
    [
        (
            '<link rel="canonical" href="https://jobs.51job.com/suzhou/9.html">',
            "",
            "https://jobs.51job.com/suzhou/9.html",
        ),
        (
            '<meta property="og:url" content="https://www.zhipin.com/job_detail/9.html">',
            "",
            "https://www.zhipin.com/job_detail/9.html",
        ),
        (
            "",
            "<!-- saved from url=(0041)https://www.liepin.com/job/19283746.shtml -->\n",
            "https://www.liepin.com/job/19283746.shtml",
        ),
        ("", "", None),
    ],
)
def test_saved_page_url(tmp_path: Path, head: str, before: str, url: str | None) -> None:
    page = _page(tmp_path / "p.html", {"title": "数控车工"}, head=head, before=before)
    assert saved_page_url(page.read_text(encoding="utf-8")) == url
    [item] = list(JsonLdFile(page))
    assert item.source == source_for(url) and item.source_url == url


async def test_pages_saved_from_two_boards_are_one_posting(session: AsyncSession, tmp_path: Path) -> None:
    zhipin = _page(
        tmp_path / "zhipin.html",
        {
            "title": "数控车工（长白班）",
            "url": "https://www.zhipin.com/job_detail/a1.html",
            "baseSalary": {"@type": "MonetaryAmount", "currency": "CNY", "value": "8-12K"},
        },
    )
    job51 = _page(
        tmp_path / "51job.html",
        {"title": "数控车工"},
        head='<link rel="canonical" href="https://jobs.51job.com/suzhou/77.html">',
    )
    liepin = _page(
        tmp_path / "liepin.html",
        {"title": "数控车工", "identifier": "LP-77"},
        before="<!-- saved from url=(0041)https://www.liepin.com/job/19283746.shtml -->\n",
    )
    first = await import_path(session, zhipin)
    second = await import_path(session, job51)
    third = await import_path(session, liepin)
    await session.commit()
    assert (first.stored, second.merged, third.merged) == (1, 1, 1)
    [posting] = await _postings(session)
    assert sorted(s.source for s in posting.sources) == ["51job.com", "liepin.com", "zhipin.com"]
    assert posting.salary_min_monthly == 8000
    again = await import_path(session, job51)  # the same saved page again: the same listing
    assert (again.stored, again.merged, again.unchanged) == (0, 0, 1)
    nameless = await import_path(session, _page(tmp_path / "plain.html", {"title": "数控车工"}))
    assert nameless.merged == 1  # no URL anywhere: the generic source jsonld, still another source


async def test_two_requisitions_on_two_boards_stay_two_postings(session: AsyncSession, tmp_path: Path) -> None:
    a = _page(
        tmp_path / "a.html",
        {
            "title": "数控车工",
            "url": "https://www.zhipin.com/job_detail/a.html",
            "identifier": _requisition("SZJG-2026-017"),
        },
    )
    b = _page(
        tmp_path / "b.html",
        {
            "title": "数控车工",
            "url": "https://jobs.51job.com/suzhou/b.html",
            "identifier": _requisition("SZJG-2026-018"),
        },
    )
    same_as_a = _page(
        tmp_path / "c.html",
        {
            "title": "数控车工（长白班）",
            "url": "https://www.liepin.com/job/c.shtml",
            "description": "招聘编号：szjg-2026/017",
        },
    )
    without = _page(tmp_path / "d.html", {"title": "数控车工", "url": "https://www.58.com/job/d.html"})
    reports = [await import_path(session, p) for p in (a, b, same_as_a, without)]
    await session.commit()
    assert [(r.stored, r.merged) for r in reports] == [(1, 0), (1, 0), (0, 1), (0, 1)]
    postings = await _postings(session)
    assert len(postings) == 2
    by_source = {s.source: (p.id, s.reference) for p in postings for s in p.sources}
    assert by_source["zhipin.com"][0] == by_source["liepin.com"][0] != by_source["51job.com"][0]
    assert by_source["zhipin.com"][1] == "SZJG-2026-017" and by_source["liepin.com"][1] == "szjg-2026/017"
    assert by_source["58.com"][0] == by_source["zhipin.com"][0]  # no number: joins the first with its key


async def test_requisitions_from_mapped_exports(session: AsyncSession, tmp_path: Path) -> None:
    """Two boards' exports, each with its own ids: the reference column decides which rows are one vacancy."""
    for board, rows in (("boarda", [("A1", "R-100"), ("A2", "R-200")]), ("boardb", [("B1", "R-200"), ("B2", "R-300")])):
        (tmp_path / f"{board}.csv").write_text(
            "id,职位,公司,城市,编号\n" + "".join(f"{i},数控车工,{EMPLOYER},苏州,{ref}\n" for i, ref in rows),
            encoding="utf-8",
        )
        (tmp_path / f"{board}.toml").write_text(
            f'source = "{board}"\n[columns]\nid = "id"\ntitle = "职位"\n'
            f'employer = "公司"\ncity = "城市"\nreference = "编号"\n',
            encoding="utf-8",
        )
    first = await import_path(session, tmp_path / "boarda.csv", mapping=tmp_path / "boarda.toml")
    second = await import_path(session, tmp_path / "boardb.csv", mapping=tmp_path / "boardb.toml")
    await session.commit()
    assert (first.stored, second.stored, second.merged) == (2, 1, 1)
    stored = (
        await session.execute(
            select(PostingSource.source, PostingSource.external_id, PostingSource.posting_id).order_by(PostingSource.id)
        )
    ).all()
    ids = {(s, e): p for s, e, p in stored}
    assert ids[("boardb", "B1")] == ids[("boarda", "A2")] != ids[("boarda", "A1")]
    assert (await session.execute(select(func.count()).select_from(Posting))).scalar_one() == 3
