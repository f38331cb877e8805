"""HTTP endpoints for a graduate's destination history (``/graduates/{id}/destinations``).

Authorisation (see :mod:`service.auth.guards`): the history is read by the graduate, their
school's staff, department admins of the school's region and the admin — never by employers. A
graduate the caller may not read is a 404. The graduate records self-reports and confirms or
disputes outcomes; their school's staff record survey and import outcomes and override 对口;
the admin may do all of it. Department admins only read.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.auth.guards import (
    Principal,
    can_self_report_destination,
    can_survey_destination,
    current_principal,
    ensure_allowed,
    ensure_visible,
    require_roles,
)
from service.auth.scoping import exists_where, graduates_clause
from service.destinations import followup as fu
from service.destinations.models import DestinationSource
from service.destinations.schemas import (
    Confirmation,
    DestinationCreate,
    DestinationHistory,
    DestinationRead,
    Dispute,
    FollowUpItem,
    InFieldOverride,
    Review,
)
from service.destinations.service import DestinationService, to_read
from service.errors import InvalidFieldError
from service.graduates.models import Graduate
from service.inputs import SEARCH_MAX_CHARS
from service.pagination import DbSession, IdPath, Limit, Offset, Page

READERS = (Role.GRADUATE, Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)


async def visible_graduate(session: AsyncSession, p: Principal, graduate_id: int) -> Graduate:
    """The graduate, loaded, if ``p`` may read them (404 otherwise, as for an unknown id); the destination
    endpoints and pages (:mod:`service.web.followup_pages`) check with it."""
    ensure_visible(await exists_where(session, Graduate.id, graduate_id, graduates_clause(p)), "graduate", graduate_id)
    graduate = await session.get(Graduate, graduate_id)
    assert graduate is not None  # it exists: the check above found it
    return graduate


class DestinationController(Controller):
    path = "/graduates/{graduate_id:int}/destinations"
    tags = ["destinations"]

    @post(
        "/", summary="Record a destination (毕业去向)", guards=[require_roles(Role.GRADUATE, Role.SCHOOL, Role.ADMIN)]
    )
    async def record_destination(
        self, request: Request, db_session: DbSession, graduate_id: IdPath, data: JSONBody[DestinationCreate]
    ) -> DestinationRead:
        """Append an outcome from a self-report (the graduate), school survey or import (their
        school's staff); 对口 is proposed from the major↔occupation mapping. 404 unknown graduate
        or one the caller may not read; 403 a source the caller may not record; 400 malformed
        body; 422 bad field (named)."""
        p = current_principal(request)
        graduate = await visible_graduate(db_session, p, graduate_id)
        allowed = (
            can_self_report_destination(p, graduate)
            if data.source is DestinationSource.SELF_REPORT
            else can_survey_destination(p, graduate)
        )
        ensure_allowed(allowed, f"record a {data.source.value} destination for graduate {graduate_id}")
        return to_read(await DestinationService(db_session, actor=p, request=request).record(graduate_id, data))

    @get("/", summary="Destination history of a graduate", guards=[require_roles(*READERS)])
    async def destination_history(
        self,
        request: Request,
        db_session: DbSession,
        graduate_id: IdPath,
        as_of: Annotated[dt.date | None, QueryParameter(description="day for `current` (default today)")] = None,
        recorded_before: Annotated[
            dt.datetime | None,
            QueryParameter(description="knowledge cut-off, as a report's (default: everything recorded)"),
        ] = None,
    ) -> DestinationHistory:
        """Every event recorded before ``recorded_before`` (default all) in recording order, and the
        outcome that counts on ``as_of`` under the documented precedence rule as known then (the
        cut-off of a report or snapshot reproduces the graduate's line in it). 422 for a
        ``recorded_before`` without a time zone; 404 for an unknown graduate or one the caller may
        not read; 403 for employers."""
        if recorded_before is not None and recorded_before.tzinfo is None:
            raise InvalidFieldError("recorded_before", "give a time zone, e.g. 2026-01-01T00:00:00+08:00")
        await visible_graduate(db_session, current_principal(request), graduate_id)
        return await DestinationService(db_session).history(
            graduate_id, as_of, None if recorded_before is None else recorded_before.astimezone(dt.UTC)
        )

    @post(
        "/{event_id:int}/in-field-override",
        summary="School overrides 对口 with a reason",
        guards=[require_roles(Role.SCHOOL, Role.ADMIN)],
    )
    async def override_in_field(
        self,
        request: Request,
        db_session: DbSession,
        graduate_id: IdPath,
        event_id: IdPath,
        data: JSONBody[InFieldOverride],
    ) -> DestinationRead:
        """A new event setting 对口 of the outcome; the outcome is unchanged. 404 unknown graduate or
        event; 409 when ``event_id`` is not an outcome; 422 when the outcome is not direct employment.
        The graduate's school staff and the admin only (403 other roles; 404 another school's graduate)."""
        p = current_principal(request)
        graduate = await visible_graduate(db_session, p, graduate_id)
        ensure_allowed(can_survey_destination(p, graduate), f"override 对口 for graduate {graduate_id}")
        return to_read(
            await DestinationService(db_session, actor=p, request=request).override_in_field(
                graduate_id, event_id, data
            )
        )

    @post(
        "/{event_id:int}/confirmation",
        summary="Graduate confirms an outcome",
        guards=[require_roles(Role.GRADUATE, Role.ADMIN)],
    )
    async def confirm_destination(
        self,
        request: Request,
        db_session: DbSession,
        graduate_id: IdPath,
        event_id: IdPath,
        data: JSONBody[Confirmation],
    ) -> DestinationRead:
        """A new ``confirmation`` event, by the graduate (or the admin); 404/409 as for the
        override; 403 other roles."""
        p = current_principal(request)
        graduate = await visible_graduate(db_session, p, graduate_id)
        ensure_allowed(can_self_report_destination(p, graduate), f"confirm for graduate {graduate_id}")
        return to_read(
            await DestinationService(db_session, actor=p, request=request).confirm(graduate_id, event_id, data)
        )

    @post(
        "/{event_id:int}/dispute",
        summary="Graduate disputes an outcome",
        guards=[require_roles(Role.GRADUATE, Role.ADMIN)],
    )
    async def dispute_destination(
        self,
        request: Request,
        db_session: DbSession,
        graduate_id: IdPath,
        event_id: IdPath,
        data: JSONBody[Dispute],
    ) -> DestinationRead:
        """A new ``dispute`` event with the reason, by the graduate (or the admin); the outcome
        stops counting. 404/409 as above; 403 other roles."""
        p = current_principal(request)
        graduate = await visible_graduate(db_session, p, graduate_id)
        ensure_allowed(can_self_report_destination(p, graduate), f"dispute for graduate {graduate_id}")
        return to_read(
            await DestinationService(db_session, actor=p, request=request).dispute(graduate_id, event_id, data)
        )

    @post(
        "/{event_id:int}/review",
        summary="School accepts or refuses a self-report or dispute",
        guards=[require_roles(Role.SCHOOL, Role.ADMIN)],
    )
    async def review_destination(
        self,
        request: Request,
        db_session: DbSession,
        graduate_id: IdPath,
        event_id: IdPath,
        data: JSONBody[Review],
    ) -> DestinationRead:
        """The school's decision on an unreviewed self-report or an outcome the graduate disputes
        (:meth:`DestinationService.review`): the graduate is notified, the decision audited. The
        graduate's school staff and the admin (403 other roles; 404 another school's graduate); 409
        when the outcome awaits no review; 422 refusing without a ``reason``."""
        p = current_principal(request)
        graduate = await visible_graduate(db_session, p, graduate_id)
        ensure_allowed(can_survey_destination(p, graduate), f"review a destination of graduate {graduate_id}")
        service = DestinationService(db_session, actor=p, request=request)
        return to_read(await service.review(graduate_id, event_id, data))


def to_item(r: fu.FollowUpRow) -> FollowUpItem:
    return FollowUpItem(
        graduate_id=r.graduate_id,
        name=r.name,
        student_number=r.student_number,
        class_name=r.class_name,
        major_code=r.major_code,
        cohort=r.cohort,
        phone=r.phone,
        id_number_masked=r.id_number_masked,
        has_account=r.has_account,
        event_id=r.event_id,
        category=r.category,
        employer_name=r.employer_name,
        recorder=r.recorder.value if r.recorder else None,
        confirmation=r.confirmation.value,
        days_since_update=r.days_since_update,
        flags=[f.value for f in r.flags],
    )


class FollowUpController(Controller):
    path = "/follow-up"
    tags = ["destinations"]

    @get(
        "/",
        summary="Follow-up list of a cohort (毕业去向跟踪)",
        guards=[require_roles(Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)],
    )
    async def follow_up(
        self,
        request: Request,
        db_session: DbSession,
        cohort: Annotated[int, QueryParameter(ge=1950, le=2100, description="届 (graduation year)")],
        flag: Annotated[fu.Flag | None, QueryParameter(description="only graduates with this flag")] = None,
        major_code: Annotated[str | None, QueryParameter(pattern=r"^\d{6}$", description="专业代码")] = None,
        class_name: Annotated[str | None, QueryParameter(max_length=64, description="班级")] = None,
        q: Annotated[
            str | None, QueryParameter(max_length=SEARCH_MAX_CHARS, description="name or student number")
        ] = None,
        sort: Annotated[str, QueryParameter(pattern=r"^(stale|name|student_number|class|category)$")] = "stale",
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[FollowUpItem]:
        """Every graduate of ``cohort`` the caller may read (own school; the region's schools for a
        department admin; all for the admin) with the destination that counts, who recorded it, the
        confirmation state, days since the last update and the flags — the same rows as the
        ``/web/follow-up`` page. Phone numbers only for school staff and the admin. Listed graduates
        are audited (``read``, ``follow_up_list``)."""
        p = current_principal(request)
        f = fu.FollowUpFilter(cohort=cohort, flag=flag, major_code=major_code, class_name=class_name, q=q, sort=sort)
        page = (await fu.read_follow_up(db_session, p, f, limit=limit, offset=offset, request=request)).page
        return Page(items=[to_item(r) for r in page.items], total=page.total, limit=limit, offset=offset)
