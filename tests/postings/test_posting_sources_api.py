"""GET /postings exposes every board a posting was found on and all its places of work; the
region filter matches any place; stale postings stay readable but are marked."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from scrapers.items import PlaceItem, PostingItem
from scrapers.pipeline import default_pipeline
from service.imports.postings import store_postings
from service.imports.report import ImportReport
from service.postings.models import Posting, PostingSource
from service.taxonomy.core import core_taxonomy

SEEN = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def _item(source: str, external_id: str, employer: str, title: str, places: list[str], url: str) -> PostingItem:
    return PostingItem(
        source=source,
        external_id=external_id,
        row=2,
        title=title,
        employer_name=employer,
        location_text=places[0],
        locations=places,
        places=[PlaceItem(p) for p in places],
        source_url=url,
    )


async def test_sources_and_locations_over_http(session: AsyncSession, client: httpx.Client) -> None:
    items = (
        default_pipeline(core_taxonomy())
        .run(
            [
                _item(
                    "board_a",
                    "A-7",
                    "无锡精工有限责任公司（新吴分公司）",
                    "机修工（两班倒）",
                    ["江苏省-无锡市"],
                    "https://a.example/job/7?utm_source=x&id=7",
                ),
                _item(
                    "board_b",
                    "B-9",
                    "无锡精工有限公司",
                    "机修工",
                    ["无锡市", "江苏省-常州市-武进区"],
                    "https://b.example/jobs/B-9?spm=1.2.3",
                ),
            ]
        )
        .items
    )
    report = ImportReport(kind="test", path="-")
    for item in items:  # one file per board
        assert isinstance(item, PostingItem), item
        await store_postings(session, [item], report, now=SEEN)
    await session.commit()
    assert (report.stored, report.merged) == (1, 1)

    page = client.get("/postings", params={"q": "机修工"}).raise_for_status().json()
    [posting] = page["items"]
    assert [(s["source"], s["url"]) for s in posting["sources"]] == [
        ("board_a", "https://a.example/job/7?id=7"),
        ("board_b", "https://b.example/jobs/B-9"),
    ]
    assert {s["last_seen_at"] for s in posting["sources"]} == {"2026-06-01T02:00:00Z"}
    assert [loc["city"] for loc in posting["locations"]] == ["无锡市"]  # board_a's, the primary source
    assert posting["stale_at"] is None and posting["source"] == "board_a"
    one = client.get(f"/postings/{posting['id']}").raise_for_status().json()
    assert one["sources"] == posting["sources"]

    await session.execute(
        update(Posting).values(
            locations=[
                {"region_code": "320200", "province": "江苏省", "city": "无锡市", "district": None, "address": None},
                {
                    "region_code": "320412",
                    "province": "江苏省",
                    "city": "常州市",
                    "district": "武进区",
                    "address": None,
                },
            ]
        )
    )
    await session.commit()
    for code, found in (("320400", 1), ("320412", 1), ("320000", 1), ("310000", 0)):
        listed = client.get("/postings", params={"region_code": code}).raise_for_status().json()
        assert listed["total"] == found, code

    created = (
        client.post(
            "/postings",
            json={"title": "文员", "employer_id": posting["employer_id"], "region_code": "320200", "city": "无锡市"},
        )
        .raise_for_status()
        .json()
    )
    assert created["sources"] == [] and [loc["region_code"] for loc in created["locations"]] == ["320200"]


async def test_a_blank_source_url_is_stored_as_none(session: AsyncSession) -> None:
    """A listing whose URL is white space only keeps no URL (canonical_url gives None) instead of failing
    the whole batch's import."""
    item = _item("board_a", "A-8", "无锡精工有限公司", "钳工", ["江苏省-无锡市"], "   ")
    report = ImportReport(kind="test", path="-")
    await store_postings(session, [item], report, now=SEEN)
    await session.commit()
    assert report.stored == 1
    stored = select(PostingSource.url).where(PostingSource.source == "board_a", PostingSource.external_id == "A-8")
    assert (await session.execute(stored)).scalar_one() is None
