"""Application rules: apply only to open postings, once; move along ``ALLOWED_TRANSITIONS`` with
conditional updates (atomic on both databases); a hire takes one of the posting's openings, never
more than it has, records a destination and fills the posting with its last opening."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, case, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.applications.models import ALLOWED_TRANSITIONS, Application, ApplicationEvent, ApplicationStatus
from service.applications.repository import ApplicationFilter, ApplicationRepository
from service.applications.schemas import (
    ApplicationCreate,
    ApplicationEventRead,
    ApplicationRead,
    StatusChange,
)
from service.auth.guards import STAFF
from service.config import beijing_today
from service.db import rowcount, utcnow
from service.destinations.models import DestinationCategory
from service.destinations.service import (
    check_hire_category,
    check_hire_terms,
    graduation_day,
    record_platform_hire,
)
from service.employers.models import Employer
from service.errors import ConflictError, InvalidFieldError, NotFoundError
from service.graduates.models import Graduate
from service.notifications.kinds import Kind
from service.notifications.service import employer_recipients, graduate_recipients, notify
from service.postings.models import Posting, PostingStatus
from service.postings.visibility import ensure_graduates_may_apply

if TYPE_CHECKING:
    from service.auth.guards import Principal


def to_read(a: Application) -> ApplicationRead:
    """Application → :class:`ApplicationRead` (posting and history must be loaded)."""
    return ApplicationRead(
        id=a.id,
        graduate_id=a.graduate_id,
        posting_id=a.posting_id,
        posting_title=a.posting.title,
        status=a.status,
        cover_letter=a.cover_letter,
        history=[
            ApplicationEventRead(from_status=e.from_status, to_status=e.to_status, note=e.note, at=e.at)
            for e in a.history
        ],
        created_at=a.created_at,
        updated_at=a.updated_at,
    )


#: Fields of :class:`StatusChange` only a hire takes.
HIRE_FIELDS = ("destination_category", "start_date", "monthly_salary", "social_insurance")

#: Applications still in the running (not hired, rejected or withdrawn).
LIVE_STATUSES = (
    ApplicationStatus.APPLIED,
    ApplicationStatus.VIEWED,
    ApplicationStatus.INTERVIEW,
    ApplicationStatus.OFFER,
)


async def tell_applicants_posting_closed(session: AsyncSession, posting_ids: Sequence[int], reason: str) -> int:
    """Notify (:data:`~service.notifications.kinds.Kind.POSTING_CLOSED`) the graduates whose
    application to one of ``posting_ids`` is still live that the posting stopped taking
    applications; ``reason`` is ``closed`` (by the employer), ``filled`` or ``expired``. Call it in
    the transaction that closes the postings. Returns how many graduates were told."""
    if not posting_ids:
        return 0
    stmt = (
        select(Application.posting_id, Application.graduate_id, Posting.title, Employer.name)
        .join(Posting, Posting.id == Application.posting_id)
        .join(Employer, Employer.id == Posting.employer_id)
        .where(Application.posting_id.in_(list(posting_ids)), Application.status.in_(LIVE_STATUSES))
        .order_by(Application.posting_id, Application.graduate_id)
    )
    rows = (await session.execute(stmt)).all()
    accounts = await graduate_recipients(session, [r.graduate_id for r in rows])
    by_posting: dict[int, tuple[str, str, list[int]]] = {}
    for posting_id, graduate_id, title, employer_name in rows:
        by_posting.setdefault(posting_id, (title, employer_name, []))[2].extend(accounts.get(graduate_id, []))
    told = 0
    for posting_id, (title, employer_name, users) in by_posting.items():
        result = await notify(
            session,
            recipients=users,
            kind=Kind.POSTING_CLOSED,
            link="/web/applications",
            params={"posting_title": title, "employer_name": employer_name, "reason": reason},
        )
        told += len(result.notification_ids)
    return told


def closed_reason(posting: Posting, day: dt.date) -> str | None:
    """Why ``posting`` takes no applications on ``day``, or None if it is open."""
    if posting.status != PostingStatus.OPEN:
        return f"posting {posting.id} is {posting.status.value}"
    if posting.valid_through is not None and posting.valid_through < day:
        return f"posting {posting.id} closed for applications after {posting.valid_through.isoformat()}"
    return None


class ApplicationService:
    """Apply, read, list and move applications. Flushes; the caller's transaction commits."""

    def __init__(self, session: AsyncSession, actor: Principal | None = None, request: Any = None) -> None:
        """``actor``/``request``: who moves applications, for the audit log of the destination a hire
        records (``None``: the system, e.g. an import)."""
        self.session = session
        self.repo = ApplicationRepository(session)
        self.actor = actor
        self.request = request

    async def get(self, application_id: int) -> Application:
        """With posting and history. Raises :class:`NotFoundError`."""
        application = await self.repo.get(application_id)
        if application is None:
            raise NotFoundError("application", application_id)
        return application

    async def create(self, data: ApplicationCreate) -> Application:
        """Apply: status ``applied`` with one history entry; the posting's ``application_count``
        goes up by one; the graduate's résumé is kept as it is now, with the contact consent
        (:func:`service.resumes.service.take_snapshot`).

        Every way of applying comes here (``POST /applications``, the job page, accepting an
        invitation), so the postings' visibility rule is checked here, once
        (:func:`service.postings.visibility.ensure_graduates_may_apply`): a graduate applies only
        to postings of verified employers; staff applying for a graduate (``actor`` school,
        department or admin) may apply to any posting they can read.

        Raises:
            InvalidFieldError: unknown ``graduate_id`` or ``posting_id`` (422);
                :class:`~service.postings.visibility.HiddenPostingError` for a posting graduates do
                not see, the same 422 as an unknown one.
            ConflictError: the posting is not open today (status not open, or past
                ``valid_through``), or the graduate already applied to it (409).
        """
        if await self.session.get(Graduate, data.graduate_id) is None:
            raise InvalidFieldError("graduate_id", f"graduate {data.graduate_id} does not exist")
        posting = await self.session.get(Posting, data.posting_id)
        if posting is None:
            raise InvalidFieldError("posting_id", f"posting {data.posting_id} does not exist")
        if self.actor is None or self.actor.role not in STAFF:
            await ensure_graduates_may_apply(self.session, posting)
        reason = closed_reason(posting, beijing_today())
        if reason is not None:
            raise ConflictError(
                f"posting_id: {reason}; it takes no applications", [{"field": "posting_id", "message": reason}]
            )
        existing = await self.repo.find(data.graduate_id, data.posting_id)
        if existing is not None:
            message = (
                f"graduate {data.graduate_id} already applied to posting {data.posting_id} (application {existing.id})"
            )
            raise ConflictError(message, [{"field": "posting_id", "message": message}])
        application = Application(
            graduate_id=data.graduate_id,
            posting_id=data.posting_id,
            cover_letter=data.cover_letter,
            status=ApplicationStatus.APPLIED,
        )
        application.history = [ApplicationEvent(from_status=None, to_status=ApplicationStatus.APPLIED)]
        self.session.add(application)
        await self.session.flush()
        await self.session.execute(
            update(Posting)
            .where(Posting.id == data.posting_id)
            .values(application_count=Posting.application_count + 1)
            .execution_options(synchronize_session=False)
        )
        from service.resumes.service import take_snapshot  # resumes reads applications' models

        await take_snapshot(self.session, application.id, data.graduate_id, share_contact=data.share_contact)
        await notify(
            self.session,
            recipients=await employer_recipients(self.session, posting.employer_id),
            kind=Kind.APPLICATION_RECEIVED,
            params={"posting_title": posting.title},
            link=f"/web/postings/{posting.id}/applications",
        )
        return await self.get(application.id)

    async def change_status(
        self, application_id: int, change: StatusChange, *, tell_graduate: bool = True
    ) -> Application:
        """Move along ``ALLOWED_TRANSITIONS`` and append the move to the history.
        ``tell_graduate=False``: the caller tells the graduate itself (e.g. an interview invitation
        moving the application to ``interview``).

        The move is one conditional update (``… WHERE status = <the status read>``), so of two
        simultaneous moves of one application exactly one happens, on SQLite as on PostgreSQL; the
        other is a 409 and writes nothing.

        On ``hired``: the posting's opening is taken with one conditional update too (its
        ``hire_count`` goes up only while below ``openings`` and the posting is not ``filled``; it
        becomes ``filled`` with its last opening), so concurrent hires never take more than the
        posting's openings; then a destination event is recorded (:func:`record_platform_hire`,
        category ``change.destination_category`` or ``other_employment``). A hire refused for want
        of an opening leaves the application as it was (409), with no hire event and no destination.
        When the hire fills the posting, its other live applicants are told. Every move but
        ``withdrawn`` (the graduate's own) notifies the graduate; ``withdrawn`` notifies the
        posting's employer (``application_withdrawn``).

        Raises:
            NotFoundError: unknown application (404).
            ConflictError: the move is not allowed from the current state (409; names both), the
                application was moved by another request meanwhile, or the posting has no opening
                left (409).
            InvalidFieldError: ``destination_category`` given with a status other than hired, or one
                that is not employment by the hiring employer (only employment_agreement,
                labour_contract, other_employment; 422); likewise ``start_date``,
                ``monthly_salary`` or ``social_insurance`` with another status, a start date in
                the future or long before graduation, or pay out of bounds
                (:func:`~service.destinations.service.check_hire_terms`; 422).
        """
        if change.status != ApplicationStatus.HIRED:
            for name in HIRE_FIELDS:
                if getattr(change, name) is not None:
                    raise InvalidFieldError(name, "only accepted together with status hired")
        if change.destination_category is not None:
            check_hire_category(change.destination_category)
        application = await self.get(application_id)
        if change.status == ApplicationStatus.HIRED:
            await self._check_hire_terms(application, change)
        current = application.status
        if change.status not in ALLOWED_TRANSITIONS[current]:
            allowed = ", ".join(sorted(ALLOWED_TRANSITIONS[current])) or "none: it is final"
            raise ConflictError(
                f"status: cannot move application {application_id} from {current.value} to "
                f"{change.status.value} (allowed from {current.value}: {allowed})",
                [{"field": "status", "message": f"{current.value} → {change.status.value} is not allowed"}],
            )
        await self._move(application, current, change.status)
        if change.status == ApplicationStatus.HIRED:
            await self._take_opening(application, current)
        self.session.add(
            ApplicationEvent(
                application_id=application_id, from_status=current, to_status=change.status, note=change.note
            )
        )
        await self.session.flush()
        application = await self.get(application_id)
        if change.status != ApplicationStatus.WITHDRAWN:
            if tell_graduate:
                await self._tell_graduate(application)
        else:  # the graduate's own move: the employer is told (without the graduate's name)
            await notify(
                self.session,
                recipients=await employer_recipients(self.session, application.posting.employer_id),
                kind=Kind.APPLICATION_WITHDRAWN,
                params={"posting_title": application.posting.title},
                link=f"/web/postings/{application.posting_id}/applications",
            )
        if change.status == ApplicationStatus.HIRED:
            await record_platform_hire(
                self.session,
                application,
                category=change.destination_category or DestinationCategory.OTHER_EMPLOYMENT,
                note=change.note,
                actor=self.actor,
                request=self.request,
                start_date=change.start_date,
                monthly_salary=change.monthly_salary,
                social_insurance=change.social_insurance,
            )
        return application

    async def _check_hire_terms(self, application: Application, change: StatusChange) -> None:
        """The hire's start date and pay (:func:`~service.destinations.service.check_hire_terms`,
        judged against the graduate's graduation date); 422 naming the field."""
        graduated = (
            await self.session.execute(
                select(Graduate.graduation_date, Graduate.cohort).where(Graduate.id == application.graduate_id)
            )
        ).one()
        check_hire_terms(change.start_date, change.monthly_salary, graduation_day(*graduated))

    async def _tell_graduate(self, application: Application) -> None:
        employer_name = (
            await self.session.execute(select(Employer.name).where(Employer.id == application.posting.employer_id))
        ).scalar_one()
        users = (await graduate_recipients(self.session, [application.graduate_id])).get(application.graduate_id, [])
        await notify(
            self.session,
            recipients=users,
            kind=Kind.APPLICATION_STATUS_CHANGED,
            link="/web/applications",
            params={
                "posting_title": application.posting.title,
                "employer_name": employer_name,
                "status": application.status.value,
            },
        )

    async def _move(self, application: Application, current: ApplicationStatus, target: ApplicationStatus) -> None:
        """``current`` → ``target`` if the stored status is still ``current``; else 409, nothing written."""
        moved = await self.session.execute(
            update(Application)
            .where(Application.id == application.id, Application.status == current)
            .values(status=target, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if rowcount(moved) != 1:
            raise ConflictError(
                f"status: application {application.id} was moved from {current.value} by another request "
                "meanwhile; read it again",
                [{"field": "status", "message": f"no longer {current.value}"}],
            )

    async def _take_opening(self, application: Application, before: ApplicationStatus) -> None:
        """Count the hire against the posting's openings, or put the application back to ``before``
        (409): the posting is filled, or every opening is taken."""
        taken = await self.session.execute(
            update(Posting)
            .where(
                Posting.id == application.posting_id,
                Posting.status != PostingStatus.FILLED,
                Posting.hire_count < Posting.openings,
            )
            .values(
                hire_count=Posting.hire_count + 1,
                status=case(
                    (
                        and_(Posting.status == PostingStatus.OPEN, Posting.hire_count + 1 >= Posting.openings),
                        literal(PostingStatus.FILLED, Posting.status.type),
                    ),
                    else_=Posting.status,
                ),
            )
            .execution_options(synchronize_session=False)
        )
        if rowcount(taken) == 1:
            status = (
                await self.session.execute(select(Posting.status).where(Posting.id == application.posting_id))
            ).scalar_one()
            if status == PostingStatus.FILLED:
                await tell_applicants_posting_closed(self.session, [application.posting_id], "filled")
            return
        await self.session.execute(
            update(Application)
            .where(Application.id == application.id, Application.status == ApplicationStatus.HIRED)
            .values(status=before, updated_at=application.updated_at)
            .execution_options(synchronize_session=False)
        )
        posting = (
            await self.session.execute(
                select(Posting).where(Posting.id == application.posting_id).execution_options(populate_existing=True)
            )
        ).scalar_one()
        message = (
            f"posting {posting.id} has no opening left ({posting.hire_count} of {posting.openings} hired, "
            f"status {posting.status.value})"
        )
        raise ConflictError(
            f"status: cannot hire for application {application.id}: {message}",
            [{"field": "status", "message": message}],
        )

    async def list(
        self, f: ApplicationFilter, limit: int, offset: int, scope: ColumnElement[bool] | None = None
    ) -> tuple[Sequence[Application], int]:
        return await self.repo.list(f, limit, offset, scope)

    async def applicants_shown(self, applications: Sequence[Application]) -> dict[int, Graduate]:
        """The applicants of ``applications`` that the actor may read
        (:func:`~service.auth.scoping.graduates_clause`), by id, about to be shown by name: each is
        audited as a list read (``read`` of ``application_list``, as ``GET /graduates`` audits its
        list). The pages' application list and the row a status move re-renders both call this."""
        from service.auth.scoping import graduates_clause
        from service.privacy.audit import record_list_read

        assert self.actor is not None, "applicants are shown to a signed-in actor"
        ids = sorted({a.graduate_id for a in applications})
        if not ids:
            return {}
        stmt = select(Graduate).where(Graduate.id.in_(ids), graduates_clause(self.actor))
        graduates = {g.id: g for g in (await self.session.execute(stmt)).scalars()}
        if graduates:
            await record_list_read(self.session, self.actor, "application_list", list(graduates), request=self.request)
        return graduates
