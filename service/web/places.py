"""The place picker of the forms (a posting's place of work, a destination's city): every
prefecture-level city of the country (GB/T 2260, the catalogue's ``regions``), grouped by
province (``<optgroup>``), and — where a form knows the user's province — that province's counties
too, its group first. Counties of the other provinces are left out to keep the page light (about
340 cities rather than 3,000+ counties); a stored value outside the list is kept as an option."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import Region, RegionLevel
from service.catalog.regions import province_of


async def place_groups(
    session: AsyncSession, home_province: str | None = None, keep: str | None = None
) -> list[dict[str, Any]]:
    """``[{"code", "name", "places": [(code, name), ...]}]`` per province in code order (``home_province``,
    a 2-digit prefix, first, with its counties); ``keep`` (a stored region code) is always listed."""
    wanted: list[ColumnElement[bool]] = [Region.level.in_([RegionLevel.PROVINCE, RegionLevel.CITY])]
    if home_province:
        wanted.append(Region.code.startswith(home_province))
    if keep:
        wanted.append(Region.code == keep)
    rows = (
        await session.execute(select(Region.code, Region.name, Region.level).where(or_(*wanted)).order_by(Region.code))
    ).all()
    groups: dict[str, dict[str, Any]] = {}
    for code, name, level in rows:
        group = groups.setdefault(
            province_of(code), {"code": province_of(code), "name": province_of(code), "places": []}
        )
        if level == RegionLevel.PROVINCE:
            group["name"] = name
        else:
            group["places"].append((code, name))
    ordered = sorted(
        (g for g in groups.values() if g["places"]),
        key=lambda g: (not (home_province and g["code"].startswith(home_province)), g["code"]),
    )
    return ordered


def place_names(groups: list[dict[str, Any]]) -> dict[str, str]:
    """``{code: name}`` of every place in ``groups``."""
    return {code: name for g in groups for code, name in g["places"]}
