"""Which one certificate or skill would open the most additional postings near a graduate.

Definitions (used by the graduate's jobs page, ``/web/jobs``):

* **Nearby postings** of a graduate: postings open on ``today`` (:func:`~service.postings.repository.open_on_clause`)
  of verified employers (:func:`~service.postings.visibility.visible_to_graduates_clause`, the postings a
  graduate may see) whose place of work — the primary ``region_code`` or any entry of ``locations`` —
  lies in the graduate's **area**: the prefecture-level city of the graduate's ``region_code``
  (GB/T 2260, e.g. 440106 → 广州市 4401) with ``area="city"``, or its province (44) with
  ``area="province"``. A graduate without a region code is compared by name: posting ``city`` equal
  to the graduate's ``city`` (``province`` for ``area="province"``). No place known: no nearby postings.
* **Qualifying** for a posting: the graduate holds every *required* skill and every certificate the
  posting names (preferred skills do not count), and meets its education requirement. "Holds" is
  decided by the recommendation ranker's own comparison (:class:`matching.content.ContentRanker`:
  taxonomy concepts, then the shared fuzzy rules of :mod:`vocab.text`), so the items named here
  are exactly the ones the recommendation reasons list as "missing".
* An item (a skill or certificate, identified by its taxonomy concept when it resolves to one,
  else by its normalised text: :func:`matching.index.skill_key`) **opens** a nearby posting when
  the graduate does not qualify for that posting, meets its education requirement, and the item
  is the *only* required skill or certificate the graduate lacks for it. Two wordings of the same
  concept in one posting count as one item. A posting the graduate lacks two items for is opened
  by neither alone and is not counted.

:func:`opening_items` counts, for each item, the nearby postings it opens and returns the top ones
(most postings first, ties by label). It reads only; nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Literal

import msgspec
from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from matching.index import skill_key
from service.catalog.models import Region
from service.catalog.regions import city_of, is_region_code, province_of
from service.config import beijing_today
from service.errors import NotFoundError
from service.graduates.models import Graduate
from service.postings.models import Posting
from service.postings.repository import open_on_clause, region_clause
from service.postings.visibility import visible_to_graduates_clause
from service.recommendations.caches import RankerCache
from service.recommendations.documents import seeker_doc

Area = Literal["city", "province"]
#: How many items :func:`opening_items` returns by default.
TOP = 3
#: Posting ids kept per item as examples (for links).
EXAMPLES = 3


class OpeningItem(msgspec.Struct, frozen=True):
    """One missing skill or certificate: ``key`` (``c:<concept code>`` or ``r:<normalised text>``),
    ``label`` (the concept's label, else the wording most postings use), ``kind`` (``skill`` or
    ``certificate``), ``postings`` = how many nearby postings it alone would open, and up to
    :data:`EXAMPLES` of their ids (lowest first)."""

    key: str
    label: str
    kind: str
    postings: int
    example_posting_ids: list[int]


class OpeningReport(msgspec.Struct, frozen=True):
    """The answer for one graduate: the ``area`` used and its name (``None`` when the graduate's
    place is unknown), how many nearby postings there are, how many the graduate already
    qualifies for, and the top ``items``."""

    graduate_id: int
    area: Area
    area_name: str | None
    nearby: int
    qualified: int
    items: list[OpeningItem]


async def _area(session: AsyncSession, g: Graduate, area: Area) -> tuple[ColumnElement[bool] | None, str | None]:
    """The SQL condition for "in the graduate's area" and the area's name (see the module doc)."""
    if g.region_code and is_region_code(g.region_code):
        code = city_of(g.region_code) if area == "city" else province_of(g.region_code)
        if area == "city" and g.region_code[:2] in ("11", "12", "31", "50"):  # municipalities: one city level
            code = province_of(g.region_code)
        name = await session.scalar(select(Region.name).where(Region.code == code))
        fallback = g.city if area == "city" else g.province
        return region_clause(code), name or fallback
    if area == "city" and g.city:
        return Posting.city == g.city, g.city
    if g.province:
        return (Posting.province == g.province, g.province) if area == "province" else (None, None)
    return None, None


async def load_graduate(session: AsyncSession, graduate_id: int) -> Graduate:
    """The graduate with what the ranker reads loaded (certificates, experiences, major).

    Raises:
        NotFoundError: unknown graduate (404).
    """
    stmt = (
        select(Graduate)
        .options(selectinload(Graduate.certificates), selectinload(Graduate.experiences), selectinload(Graduate.major))
        .where(Graduate.id == graduate_id)
    )
    graduate = (await session.execute(stmt)).scalar_one_or_none()
    if graduate is None:
        raise NotFoundError("graduate", graduate_id)
    return graduate


async def opening_items(
    session: AsyncSession,
    cache: RankerCache,
    graduate_id: int,
    *,
    area: Area = "city",
    today: dt.date | None = None,
    top: int = TOP,
) -> OpeningReport:
    """The ``top`` skills/certificates that would each open the most nearby postings for the
    graduate, as defined in the module doc. ``cache`` is the app's recommendation
    :class:`~service.recommendations.caches.RankerCache` (the ranker fitted on the postings open
    on ``today``, default the users' today, :func:`~service.config.beijing_today`).

    Raises:
        NotFoundError: unknown graduate (404).
    """
    today = today or beijing_today()
    graduate = await load_graduate(session, graduate_id)
    condition, area_name = await _area(session, graduate, area)
    if condition is None:
        return OpeningReport(graduate_id=graduate_id, area=area, area_name=None, nearby=0, qualified=0, items=[])
    nearby = set(
        (
            await session.execute(
                select(Posting.id).where(open_on_clause(today), visible_to_graduates_clause(), condition)
            )
        ).scalars()
    )
    ranker = await cache.get(session, today)
    every = ranker.ids()
    nearby &= every  # the ranker's open set (same clause; guards against a fit from a moment ago)
    if not nearby:
        return OpeningReport(graduate_id=graduate_id, area=area, area_name=area_name, nearby=0, qualified=0, items=[])
    matches = ranker.recommend(seeker_doc(graduate), k=len(nearby), exclude=every - nearby, exhaustive=True)
    taxonomy = ranker.taxonomy
    opened: dict[str, list[int]] = defaultdict(list)
    wordings: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, str] = {}
    qualified = 0
    for m in matches:
        e = m.explanation
        if e.education_met is False:
            continue
        missing: dict[str, tuple[str, str]] = {}
        for kind, said in (("skill", e.missing_skills), ("certificate", e.missing_certificates)):
            for wording in said:
                key = skill_key(wording, taxonomy)
                if key is not None:
                    missing.setdefault(key, (wording, kind))
        if not missing:
            qualified += 1
        elif len(missing) == 1:
            ((key, (wording, kind)),) = missing.items()
            opened[key].append(m.job_id)
            wordings[key][wording] += 1
            kinds.setdefault(key, kind)
    items: list[OpeningItem] = []
    for key, ids in opened.items():
        concept = taxonomy.concept(key[2:]) if taxonomy is not None and key.startswith("c:") else None
        label = concept.label if concept is not None else wordings[key].most_common(1)[0][0]
        items.append(
            OpeningItem(
                key=key, label=label, kind=kinds[key], postings=len(ids), example_posting_ids=sorted(ids)[:EXAMPLES]
            )
        )
    items.sort(key=lambda i: (-i.postings, i.label, i.key))
    return OpeningReport(
        graduate_id=graduate_id,
        area=area,
        area_name=area_name,
        nearby=len(nearby),
        qualified=qualified,
        items=items[:top],
    )
