"""HTTP endpoints for reference data: ``/regions``, ``/schools``, ``/majors``.

Reading them is public (no token): GB/T 2260 regions, the 中职 专业目录 and the list of schools
(name, 学校标识码, region) are published reference data, and registration forms need them before
anyone has an account. Creating a school needs the system admin, or a department admin for a
school inside its region. Adding, renaming and retiring majors (增补专业, 更名, 停招) needs a
department admin or the system admin (the CLI ``vocmatch majors …`` calls the same service).
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, patch, post
from litestar.params import JSONBody, PathParameter, QueryParameter

from service.accounts.models import Role
from service.auth.guards import current_principal, ensure_allowed, region_contains, require_roles
from service.catalog.models import RegionLevel
from service.catalog.schemas import MajorCreate, MajorRead, MajorUpdate, RegionRead, SchoolCreate, SchoolRead
from service.catalog.service import CatalogService, major_to_read, region_to_read, school_to_read
from service.pagination import DbSession, IdPath, Limit, Offset, Page

#: Handler option: reachable without a token (see the module docstring).
PUBLIC = {"exclude_from_auth": True}

RegionCodeParam = Annotated[str | None, QueryParameter(pattern=r"^\d{6}$", description="GB/T 2260 code")]


class CatalogController(Controller):
    path = "/"
    tags = ["catalog"]

    @get("/regions", summary="List regions", opt=PUBLIC)
    async def list_regions(
        self,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        level: Annotated[RegionLevel | None, QueryParameter()] = None,
        parent_code: RegionCodeParam = None,
        include_retired: Annotated[bool, QueryParameter(description="also codes a later list dropped")] = False,
    ) -> Page[RegionRead]:
        """GB/T 2260 regions ordered by code; ``parent_code`` lists the direct children of one region.
        Codes retired by a later code list are left out unless ``include_retired``."""
        items, total = await CatalogService(db_session).list_regions(level, parent_code, limit, offset, include_retired)
        return Page(items=[region_to_read(r) for r in items], total=total, limit=limit, offset=offset)

    @get("/schools", summary="List schools", opt=PUBLIC)
    async def list_schools(
        self,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        region_code: Annotated[
            str | None, QueryParameter(pattern=r"^\d{6}$", description="GB/T 2260; includes sub-regions")
        ] = None,
        q: Annotated[str | None, QueryParameter(max_length=100, description="name contains")] = None,
    ) -> Page[SchoolRead]:
        """Schools ordered by id, filtered; ``total`` counts all matches."""
        items, total = await CatalogService(db_session).list_schools(region_code, q, limit, offset)
        return Page(items=[school_to_read(s) for s in items], total=total, limit=limit, offset=offset)

    @get("/schools/{school_id:int}", summary="Read a school", opt=PUBLIC)
    async def get_school(self, db_session: DbSession, school_id: IdPath) -> SchoolRead:
        """One school; 404 if ``school_id`` does not exist."""
        return school_to_read(await CatalogService(db_session).get_school(school_id))

    @post("/schools", summary="Create a school", guards=[require_roles(Role.DEPARTMENT, Role.ADMIN)])
    async def create_school(self, request: Request, db_session: DbSession, data: JSONBody[SchoolCreate]) -> SchoolRead:
        """Add a school (中职学校) by its 10-digit 学校标识码: the system admin, or a department
        admin for a ``region_code`` inside its region.

        Errors: 400 for a malformed body (field named), 401 signed out, 403 other roles or a region
        outside the department's, 422 for an unknown ``region_code``, 409 for a ``code`` already used.
        """
        p = current_principal(request)
        ensure_allowed(
            p.role is Role.ADMIN or region_contains(p.region_code, data.region_code),
            f"create a school outside region {p.region_code}",
        )
        return school_to_read(await CatalogService(db_session).create_school(data))

    @get("/majors", summary="List majors", opt=PUBLIC)
    async def list_majors(
        self,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        category: Annotated[str | None, QueryParameter(max_length=64, description="专业大类, exact")] = None,
        q: Annotated[str | None, QueryParameter(max_length=100, description="name contains")] = None,
    ) -> Page[MajorRead]:
        """Majors (专业) ordered by 专业代码, filtered; ``total`` counts all matches."""
        items, total = await CatalogService(db_session).list_majors(category, q, limit, offset)
        return Page(items=[major_to_read(m) for m in items], total=total, limit=limit, offset=offset)

    @post("/majors", summary="Add a major", guards=[require_roles(Role.DEPARTMENT, Role.ADMIN)])
    async def create_major(self, db_session: DbSession, data: JSONBody[MajorCreate]) -> MajorRead:
        """Add a major (增补专业) with its six-digit 专业代码; 专业大类/专业类 default from the code.

        Errors: 400 malformed body (field named), 401 signed out, 403 other roles, 409 code taken,
        422 unknown 专业大类 without ``category``, ``retired_on`` before ``valid_from``.
        """
        return major_to_read(await CatalogService(db_session).add_major(data))

    @patch(
        "/majors/{code:str}",
        summary="Rename, date or retire a major",
        guards=[require_roles(Role.DEPARTMENT, Role.ADMIN)],
    )
    async def update_major(
        self,
        db_session: DbSession,
        code: Annotated[str, PathParameter(pattern=r"^\d{6}$", description="six-digit 专业代码")],
        data: JSONBody[MajorUpdate],
    ) -> MajorRead:
        """Change a major's name, 专业大类, 专业类 or dates. ``retired_on`` retires it: rosters of
        cohorts up to that year still accept it, later ones are refused; nothing is deleted.

        Errors: 400 malformed body, 401, 403 other roles, 404 unknown code, 422 bad dates.
        """
        return major_to_read(await CatalogService(db_session).update_major(code, data))
