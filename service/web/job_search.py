"""Search and filters of the graduate's jobs page (``/web/jobs?q=…&region=…&min_salary=…&job_type=…&internship=1``).

Filters mean what the same filters of ``GET /postings`` mean (:class:`~service.postings.repository.PostingFilter`):
``q`` holds words, each found in the title, the description or the employer's name; ``region`` a GB/T 2260 province or city code (a province
includes its cities; a posting counts when its primary place or any further place lies inside);
``min_salary`` (元/月) keeps postings whose upper monthly bound reaches it; ``job_type`` one
employment type; ``internship=1`` only internships and work placements (实习/顶岗实习). Only
postings open today that the graduate may see are searched. The search and its ranking are
:meth:`service.recommendations.service.RecommendationService.search` (the content ranker behind the
recommendations, with the same reasons; postings already applied to are left out); this module parses
the page's filters and lists the places to filter by.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from service.catalog.regions import city_of, is_region_code, province_of
from service.catalog.service import CatalogService
from service.pagination import DbSession
from service.postings.search import JobQuery, open_region_codes, parse_filters
from service.web.common import Page
from vocab import EmploymentType

#: Employment types offered in the job-type filter, in this order.
JOB_TYPES = (
    EmploymentType.FULL_TIME,
    EmploymentType.PART_TIME,
    EmploymentType.INTERN,
    EmploymentType.WORK_PLACEMENT,
    EmploymentType.TEMPORARY,
    EmploymentType.CONTRACTOR,
)


def N_(message: str) -> str:  # babel's marker for a message translated elsewhere
    return message


#: The filters' messages (written in :func:`service.postings.search.parse_filters`), marked here for
#: the catalogue extraction, which reads ``service/web`` only.
FILTER_MESSAGES = (
    N_("Choose a place from the list."),
    N_("Enter a whole number of yuan per month, e.g. 4500."),
    N_("Choose a job type from the list."),
    N_("Enter at most 100 characters."),
)


def parse_query(page: Page) -> JobQuery:
    """Read the filters from the page's query string (:func:`service.postings.search.parse_filters`);
    bad values go to ``errors``, translated."""
    return parse_filters(page.request.query_params, page.gettext)


async def region_options(session: DbSession, today: dt.date) -> list[dict[str, Any]]:
    """Provinces, each with its cities, that have open postings a graduate may see:
    ``[{"code", "name", "cities": [{"code", "name"}]}]`` sorted by code."""
    codes = await open_region_codes(session, today)
    wanted = {c for code in codes if code and is_region_code(code) for c in (province_of(code), city_of(code))}
    names = await CatalogService(session).region_names(wanted)
    provinces: dict[str, dict[str, Any]] = {}
    for code in sorted(c for c in wanted if c in names):
        if code.endswith("0000"):
            provinces.setdefault(code, {"code": code, "name": names[code], "cities": []})
    for code in sorted(c for c in wanted if c in names and not c.endswith("0000")):
        province = provinces.setdefault(
            province_of(code),
            {"code": province_of(code), "name": names.get(province_of(code), province_of(code)), "cities": []},
        )
        province["cities"].append({"code": code, "name": names[code]})
    return list(provinces.values())


async def region_path(session: DbSession, code: str | None) -> str | None:
    """``"广东省 广州市 天河区"``: the names of a GB/T 2260 code's province, city and county (those known)."""
    if not code or not is_region_code(code):
        return None
    codes = list(dict.fromkeys([province_of(code), city_of(code), code]))
    names = await CatalogService(session).region_names(codes)
    return " ".join(names[c] for c in codes if c in names) or None
