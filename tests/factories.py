"""Shared test data and helpers: the places most test worlds start from (GB/T 2260 codes of
Guangdong, with Guangzhou's 天河区, and of Guangxi, with Nanning; each call returns new ORM objects to
add), HTTP clients signed in as existing accounts, and an account's notifications."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import Region, RegionLevel
from service.config import Settings
from service.notifications.models import Notification
from tests.harness import http_client

#: GB/T 2260 names and levels of the places the tests use.
PLACES: dict[str, tuple[str, RegionLevel]] = {
    "110000": ("北京市", RegionLevel.PROVINCE),
    "110108": ("海淀区", RegionLevel.COUNTY),
    "410000": ("河南省", RegionLevel.PROVINCE),
    "410100": ("郑州市", RegionLevel.CITY),
    "440000": ("广东省", RegionLevel.PROVINCE),
    "440100": ("广州市", RegionLevel.CITY),
    "440106": ("天河区", RegionLevel.COUNTY),
    "440300": ("深圳市", RegionLevel.CITY),
    "440304": ("福田区", RegionLevel.COUNTY),
    "440305": ("南山区", RegionLevel.COUNTY),
    "440600": ("佛山市", RegionLevel.CITY),
    "440800": ("湛江市", RegionLevel.CITY),
    "450000": ("广西壮族自治区", RegionLevel.PROVINCE),
    "450100": ("南宁市", RegionLevel.CITY),
}


def places(*codes: str) -> list[Region]:
    """New :class:`Region` rows for ``codes`` (keys of :data:`PLACES`), in the order given; each one's
    parent is its nearest ancestor among ``codes`` (GB/T 2260: the city ``XXYY00``, then the province
    ``XX0000``), so ``places("110000", "110108")`` puts 海淀区 straight under 北京市."""
    rows = []
    for code in codes:
        name, level = PLACES[code]
        ancestors = (code[:4] + "00", code[:2] + "0000")
        parent = next((a for a in ancestors if a != code and a in codes), None)
        rows.append(Region(code=code, name=name, level=level, parent_code=parent))
    return rows


def guangdong_regions(*, guangxi: bool = False) -> list[Region]:
    """广东省 440000 › 广州市 440100 › 天河区 440106; with ``guangxi``, also 广西壮族自治区 450000 ›
    南宁市 450100 (a second province for "another region" cases)."""
    return places("440000", "440100", "440106", *(("450000", "450100") if guangxi else ()))


@contextmanager
def bearer_clients(base_url: str, settings: Settings) -> Iterator[Callable[[int], httpx.Client]]:
    """``make(user_id)`` → an HTTP client to ``base_url`` sending a bearer token of that existing
    account (:func:`tests.conftest.sign_in`); every client made is closed when the block ends."""
    from tests.conftest import sign_in

    opened: list[httpx.Client] = []

    def make(user_id: int) -> httpx.Client:
        token = sign_in(settings, user_id)
        c = http_client(base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {token}"})
        opened.append(c)
        return c

    try:
        yield make
    finally:
        for c in opened:
            c.close()


async def inbox(session: AsyncSession, user_id: int) -> list[Notification]:
    """The account's notifications, oldest first, read afresh from the database."""
    stmt = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
    return list((await session.execute(stmt.execution_options(populate_existing=True))).scalars())


def synthetic_ranking(n_groups: int = 60, size: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(X, y, groups)`` for :meth:`matching.ltr.LearnedRanker.fit`: ``n_groups`` queries of ``size`` rows of
    noise over FEATURE_NAMES, the relevant row (grade 2) of each being the one with the largest
    ``history_city_share``; ``content_salary`` is never known and ``content_title`` unknown in a fifth."""
    from matching.ltr_features import (
        FEATURE_NAMES,  # here: importing it loads scikit-learn, which most tests never need
    )

    col = {name: i for i, name in enumerate(FEATURE_NAMES)}
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_groups * size, len(FEATURE_NAMES)))
    X[:, col["content_salary"]] = np.nan  # never known: must not break the booster
    X[rng.random(len(X)) < 0.2, col["content_title"]] = np.nan
    y = np.zeros(len(X))
    groups = np.repeat(np.arange(n_groups), size)
    for g in range(n_groups):
        rows = np.flatnonzero(groups == g)
        y[rows[np.argmax(X[rows, col["history_city_share"]])]] = 2.0
    return X, y, groups
