"""Location texts → GB/T 2260 region plus province/city names (see :mod:`scrapers.regions`)."""

from __future__ import annotations

from dataclasses import dataclass

from scrapers.regions import region_chain, resolve_region


@dataclass(frozen=True)
class Location:
    """``region_code`` is the most specific division resolved; names are for display/filters."""

    region_code: str | None
    province: str | None
    city: str | None
    district: str | None = None  # county-level division (区/县/县级市) when resolved


def parse_location(text: str | None) -> Location | None:
    """``上海-浦东新区`` → Location("310115", "上海市", "上海市"); unresolvable → ``None``.

    ``city`` is the prefecture-level city (for a municipality, the municipality itself);
    a text naming only a province gives ``city=None``.
    """
    record = resolve_region(text)
    if record is None:
        return None
    chain = region_chain(record.code)
    province = chain[0].name
    city = chain[1].name if len(chain) > 1 else None
    if city is None and record.code[:2] in ("11", "12", "31", "50"):
        city = province  # 北京/天津/上海/重庆 are cities too
    district = record.name if record.level == "county" else None
    return Location(record.code, province, city, district)
