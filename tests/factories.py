"""Shared test data: the places most test worlds start from (GB/T 2260 codes of Guangdong, with
Guangzhou's 天河区, and of Guangxi, with Nanning). Each call returns new ORM objects to add."""

from __future__ import annotations

from service.catalog.models import Region, RegionLevel


def guangdong_regions(*, guangxi: bool = False) -> list[Region]:
    """广东省 440000 › 广州市 440100 › 天河区 440106; with ``guangxi``, also 广西壮族自治区 450000 ›
    南宁市 450100 (a second province for "another region" cases)."""
    regions = [
        Region(code="440000", name="广东省", level=RegionLevel.PROVINCE),
        Region(code="440100", name="广州市", level=RegionLevel.CITY, parent_code="440000"),
        Region(code="440106", name="天河区", level=RegionLevel.COUNTY, parent_code="440100"),
    ]
    if guangxi:
        regions += [
            Region(code="450000", name="广西壮族自治区", level=RegionLevel.PROVINCE),
            Region(code="450100", name="南宁市", level=RegionLevel.CITY, parent_code="450000"),
        ]
    return regions
