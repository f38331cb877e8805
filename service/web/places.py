"""The place picker of the forms (a posting's place of work, a destination's city): every
prefecture-level city of the country (GB/T 2260, the catalogue's ``regions``), grouped by
province (``<optgroup>``), and — where a form knows the user's province — that province's counties
too, its group first. Counties of the other provinces are left out to keep the page light (about
340 cities rather than 3,000+ counties); a stored value outside the list is kept as an option."""

from __future__ import annotations

from typing import Any

from service.catalog.models import RegionLevel
from service.catalog.regions import province_of
from service.catalog.service import CatalogService
from service.pagination import DbSession


async def place_groups(
    session: DbSession, home_province: str | None = None, keep: str | None = None
) -> list[dict[str, Any]]:
    """``[{"code", "name", "places": [(code, name), ...]}]`` per province in code order (``home_province``,
    a 2-digit prefix, first, with its counties); ``keep`` (a stored region code) is always listed."""
    rows = await CatalogService(session).provinces_and_cities(counties_of=home_province, keep=keep)
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
