"""Recording graduate destinations (毕业去向). Events are appended, never changed.

Corrections are new events: the school overrides 对口 with a reason (``in_field_override``), the
graduate confirms or disputes an outcome (``confirmation`` / ``dispute``). Which outcome counts
is decided by :mod:`service.destinations.precedence`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from service.applications.models import Application
from service.catalog.models import Region
from service.config import latest_today
from service.destinations.infield import propose_in_field
from service.destinations.models import (
    DestinationCategory,
    DestinationEvent,
    DestinationEventKind,
    DestinationSource,
)
from service.destinations.precedence import EMPLOYED, History
from service.destinations.repository import DestinationRepository
from service.destinations.schemas import (
    Confirmation,
    CurrentDestination,
    DestinationCreate,
    DestinationHistory,
    DestinationRead,
    Dispute,
    InFieldOverride,
    Review,
    ReviewDecision,
)
from service.employers.models import Employer
from service.errors import ConflictError, InvalidFieldError, NotFoundError
from service.graduates.models import Graduate
from service.postings.models import Posting
from service.privacy.audit import record as audit_record
from service.privacy.models import AuditAction
from vocab import EmploymentType

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection

    from service.auth.guards import Principal

INTERNSHIP_TYPES = frozenset({EmploymentType.INTERN, EmploymentType.WORK_PLACEMENT})
API_SOURCES = frozenset({DestinationSource.SELF_REPORT, DestinationSource.SCHOOL_SURVEY, DestinationSource.IMPORT})
#: 毕业去向 categories an employer's hire can record: the three "employed by an employer" forms of
#: the MOE statistics categories (签就业协议 / 签劳动合同 / 其他录用形式). 自主创业 (self_employed)
#: and 自由职业 (freelance) are not a hire by an employer; 升学, 待就业 etc. are not employment.
HIRE_CATEGORIES = frozenset(
    {
        DestinationCategory.EMPLOYMENT_AGREEMENT,
        DestinationCategory.LABOUR_CONTRACT,
        DestinationCategory.OTHER_EMPLOYMENT,
    }
)


def check_hire_category(category: DestinationCategory) -> None:
    """Refuse a 毕业去向 category a platform hire cannot record (see :data:`HIRE_CATEGORIES`).

    Raises:
        InvalidFieldError: on ``destination_category`` (422), listing the accepted values.
    """
    if category not in HIRE_CATEGORIES:
        accepted = ", ".join(sorted(HIRE_CATEGORIES))
        raise InvalidFieldError(
            "destination_category",
            f"{category} is not employment by the hiring employer; a hire records one of {accepted}",
        )


#: A hire may start at most this many days before the graduate's graduation date: 中职 students
#: spend about their last term in 顶岗实习 (《职业学校学生实习管理规定》, 教育部等八部门 2021:
#: 岗位实习 generally six months), and a job starting before then is an internship, not a 毕业去向.
HIRE_START_BEFORE_GRADUATION_DAYS = 183
#: The agreed pay of a hire (元/月, before tax) must lie in ``[MIN_HIRE_MONTHLY_SALARY,``
#: :data:`MAX_REPORTED_MONTHLY_SALARY` ``]``: zero or negative pay is a typing error; amounts below
#: a local minimum wage are accepted (part-time and piece-rate work exist).
MIN_HIRE_MONTHLY_SALARY = 1


def graduation_day(graduation_date: dt.date | None, cohort: int | None) -> dt.date | None:
    """The graduate's graduation date; for a cohort (届) without one, 30 June of that year (中职
    students graduate at the end of the spring term); None if neither is known."""
    if graduation_date is not None:
        return graduation_date
    return dt.date(cohort, 6, 30) if cohort else None


def check_hire_terms(
    start_date: dt.date | None, monthly_salary: int | None, graduated_on: dt.date | None, today: dt.date | None = None
) -> None:
    """Refuse hire terms that cannot be true.

    Raises:
        InvalidFieldError: (422) ``start_date`` after ``today`` (default :func:`latest_today`), before
            :data:`EARLIEST_OCCURRED_ON`, or more than :data:`HIRE_START_BEFORE_GRADUATION_DAYS` days
            before ``graduated_on``; ``monthly_salary`` outside ``[MIN_HIRE_MONTHLY_SALARY,
            MAX_REPORTED_MONTHLY_SALARY]``.
    """
    today = today or latest_today()
    problems: list[tuple[str, str, str]] = []
    if start_date is not None:
        if start_date > today:
            problems.append(
                (
                    "start_date",
                    f"{start_date} is in the future; mark the hire on or after the first working day",
                    "start_in_future",
                )
            )
        elif start_date < EARLIEST_OCCURRED_ON:
            problems.append(("start_date", f"{start_date} is before {EARLIEST_OCCURRED_ON}", "start_too_early"))
        elif graduated_on is not None and start_date < graduated_on - dt.timedelta(
            days=HIRE_START_BEFORE_GRADUATION_DAYS
        ):
            problems.append(
                (
                    "start_date",
                    f"{start_date} is more than {HIRE_START_BEFORE_GRADUATION_DAYS} days "
                    f"before the graduate's graduation ({graduated_on})",
                    "start_before_graduation",
                )
            )
    if monthly_salary is not None and not MIN_HIRE_MONTHLY_SALARY <= monthly_salary <= MAX_REPORTED_MONTHLY_SALARY:
        problems.append(
            (
                "monthly_salary",
                f"{monthly_salary:,} 元/月 is outside {MIN_HIRE_MONTHLY_SALARY:,}–"
                f"{MAX_REPORTED_MONTHLY_SALARY:,} 元/月",
                "salary_out_of_range",
            )
        )
    if problems:  # every bad field at once (a form shows all its errors)
        error = InvalidFieldError(*problems[0])
        error.errors = [{"field": field, "message": message, "code": code} for field, message, code in problems]
        raise error


#: details copied from an outcome onto the events that refer to it
_DETAILS = (
    "category",
    "employer_id",
    "employer_name",
    "job_title",
    "occupation_code",
    "industry",
    "region_code",
    "monthly_salary",
    "labour_contract",
    "social_insurance",
    "internship",
    "in_field",
    "in_field_reason",
)


def to_read(e: DestinationEvent) -> DestinationRead:
    return DestinationRead(
        id=e.id,
        graduate_id=e.graduate_id,
        kind=e.kind,
        refers_to_id=e.refers_to_id,
        occurred_on=e.occurred_on,
        recorded_at=e.recorded_at,
        source=e.source,
        category=e.category,
        employer_id=e.employer_id,
        employer_name=e.employer_name,
        job_title=e.job_title,
        occupation_code=e.occupation_code,
        industry=e.industry,
        region_code=e.region_code,
        monthly_salary=e.monthly_salary,
        labour_contract=e.labour_contract,
        social_insurance=e.social_insurance,
        internship=e.internship,
        in_field=e.in_field,
        in_field_reason=e.in_field_reason,
        application_id=e.application_id,
        note=e.note,
        evidence=e.evidence,
    )


_AUDIT_ACTIONS = {
    DestinationEventKind.OUTCOME: AuditAction.CREATE,
    DestinationEventKind.IN_FIELD_OVERRIDE: AuditAction.OVERRIDE,
    DestinationEventKind.CONFIRMATION: AuditAction.CONFIRM,
    DestinationEventKind.DISPUTE: AuditAction.DISPUTE,
}


async def _audit(
    session: AsyncSession,
    event: DestinationEvent,
    actor: Principal | None,
    request: ASGIConnection[Any, Any, Any, Any] | None,
) -> None:
    """Every new destination event goes to the audit log (ids and codes only, no free text)."""
    await audit_record(
        session,
        actor,
        _AUDIT_ACTIONS[event.kind],
        "destination_event",
        event.id,
        graduate_id=event.graduate_id,
        request=request,
        detail={
            "kind": event.kind.value,
            "source": event.source.value,
            "category": event.category.value,
            "refers_to_id": event.refers_to_id,
            "application_id": event.application_id,
            "in_field": event.in_field,
            "evidence": event.evidence.value if event.evidence else None,
        },
    )


def _propose(event: DestinationEvent, major_code: str | None) -> None:
    """Fill ``in_field``, ``in_field_reason`` and ``occupation_code`` for a new outcome in a job:
    none for 应征义务兵, whom 对口就业率 does not count (:mod:`service.reports.definitions`)."""
    if event.category not in EMPLOYED or event.category == DestinationCategory.MILITARY or event.internship:
        return
    in_field, occ, reason = propose_in_field(major_code, event.occupation_code, event.job_title)
    event.in_field, event.occupation_code, event.in_field_reason = in_field, occ, reason


async def record_platform_hire(
    session: AsyncSession,
    application: Application,
    *,
    category: DestinationCategory = DestinationCategory.OTHER_EMPLOYMENT,
    note: str | None = None,
    actor: Principal | None = None,
    request: ASGIConnection[Any, Any, Any, Any] | None = None,
    start_date: dt.date | None = None,
    monthly_salary: int | None = None,
    social_insurance: bool | None = None,
) -> DestinationEvent | None:
    """Append the destination implied by ``application`` being marked hired on the platform.

    The event has source ``platform_hire``, the given 毕业去向 ``category`` (default
    ``other_employment``, 其他录用形式就业, per the MOE statistics categories), ``occurred_on`` =
    ``start_date`` (the first working day the employer gave; today if not given), the posting's
    employer (id, name, industry), title, occupation and region, ``monthly_salary`` = the agreed
    pay the employer gave (元/月; unknown if not given — the posting's advertised minimum is not
    what was agreed) and ``social_insurance`` as given (None: unknown). ``labour_contract`` is true
    for category ``labour_contract``, else unknown. ``in_field`` (对口) is proposed from the
    graduate's major and the posting's occupation
    (:func:`service.destinations.infield.propose_in_field`).

    A hire for an internship or work-placement posting (顶岗实习, :data:`INTERNSHIP_TYPES`) records
    **nothing** and returns None: an internship is not a 毕业去向 (教育部 "不得将实习、见习证明作为就业证明"),
    and recording it would replace the graduate's confirmed employment by 待就业.

    Flushes and returns the new event; the caller's transaction commits. The event is audited
    with ``actor`` (``None``: the system) and ``request``.

    Raises:
        InvalidFieldError: ``category`` is not one of :data:`HIRE_CATEGORIES` (422).
    """
    check_hire_category(category)
    stmt = select(Posting).options(joinedload(Posting.employer)).where(Posting.id == application.posting_id)
    posting = (await session.execute(stmt)).scalar_one()
    if posting.employment_type in INTERNSHIP_TYPES:
        return None
    major_code = (
        await session.execute(select(Graduate.major_code).where(Graduate.id == application.graduate_id))
    ).scalar_one()
    event = DestinationEvent(
        graduate_id=application.graduate_id,
        occurred_on=start_date or latest_today(),
        source=DestinationSource.PLATFORM_HIRE,
        kind=DestinationEventKind.OUTCOME,
        category=category,
        employer_id=posting.employer_id,
        employer_name=posting.employer.name,
        job_title=posting.title,
        occupation_code=posting.occupation_code,
        industry=posting.employer.industry,
        region_code=posting.region_code,
        monthly_salary=monthly_salary,
        labour_contract=True if category == DestinationCategory.LABOUR_CONTRACT else None,
        social_insurance=social_insurance,
        internship=False,
        in_field=None,
        application_id=application.id,
        note=note,
    )
    _propose(event, major_code)
    session.add(event)
    await session.flush()
    await _audit(session, event, actor, request)
    return event


#: Why an outcome flagged ``internship`` is refused (:meth:`DestinationService.record`), and where it goes instead.
INTERNSHIP_REFUSED = (
    "实习、顶岗实习和见习不是毕业去向, 不作为去向登记: 顶岗实习由学校登记为实习安排 (POST /internships); "
    "见习期间未就业的毕业生登记为待就业 (seeking). An internship or traineeship is not a destination and is "
    "not recorded as one: the student's school records 顶岗实习 as an internship placement (POST "
    "/internships); a graduate on a traineeship without a job reports category seeking (待就业)."
)
#: No outcome dates from before this (the same floor as cohorts, ``service.graduates.schemas.Year``).
EARLIEST_OCCURRED_ON = dt.date(1950, 1, 1)
#: The highest believable monthly pay (元/月, before tax) on a reported outcome. The posting
#: ceiling (:data:`service.postings.service.MAX_MONTHLY_SALARY`, 10,000,000) only catches unit
#: mix-ups; a graduate's reported first-job pay of 1,000,000 元/月 is already not believable.
MAX_REPORTED_MONTHLY_SALARY = 200_000


class DestinationService:
    """Append destination events and read a graduate's history. Flushes; the caller commits.

    Every appended event is audited with ``actor`` (the signed-in user; ``None``: the system) and
    ``request`` (method, path, client address)."""

    def __init__(
        self,
        session: AsyncSession,
        actor: Principal | None = None,
        request: ASGIConnection[Any, Any, Any, Any] | None = None,
    ) -> None:
        self.session = session
        self.repo = DestinationRepository(session)
        self.actor = actor
        self.request = request

    async def _add(self, event: DestinationEvent) -> DestinationEvent:
        await self.repo.add(event)
        await _audit(self.session, event, self.actor, self.request)
        return event

    async def latest_outcomes(self, limit: int) -> list[tuple[DestinationEvent, str]]:
        """The ``limit`` outcomes recorded last among the graduates the actor may read
        (:func:`~service.auth.scoping.destinations_clause`), newest first, each with the graduate's
        name (the school dashboard's list). Names with employer and job title are personal data: the
        graduates listed are audited (``read``, ``destination_list``), as ``GET`` of a history is."""
        from service.auth.scoping import destinations_clause
        from service.privacy.audit import record_list_read

        assert self.actor is not None, "a signed-in reader"
        latest = await self.repo.latest_outcomes(destinations_clause(self.actor), limit)
        if latest:
            graduate_ids = list(dict.fromkeys(event.graduate_id for event, _ in latest))
            await record_list_read(self.session, self.actor, "destination_list", graduate_ids, request=self.request)
        return latest

    def _may_name(self, employer: Employer) -> bool:
        """Whether the actor may link an outcome to ``employer`` (and so see its name echoed):
        an employer they may read (:func:`~service.auth.guards.can_read_employer`; for a
        graduate: verified ones). The system (no actor) may link any."""
        from service.auth.guards import can_read_employer

        return self.actor is None or can_read_employer(self.actor, employer)

    async def _graduate(self, graduate_id: int) -> Graduate:
        graduate = await self.session.get(Graduate, graduate_id)
        if graduate is None:
            raise NotFoundError("graduate", graduate_id)
        return graduate

    async def record(self, graduate_id: int, data: DestinationCreate) -> DestinationEvent:
        """Append an outcome reported by a graduate, a school survey or an import.

        ``in_field`` is proposed for directly-employed outcomes; category ``labour_contract``
        implies ``labour_contract = true``.

        An internship or traineeship (``internship = true``: 实习, 顶岗实习/岗位实习, 见习) is refused
        from every source, as an employer's internship hire records nothing
        (:func:`record_platform_hire`): it is not a 毕业去向. The MOE forbids counting internship or
        traineeship certificates as employment (教育部 "四不准": 不准将毕业生实习见习证明作为就业证明),
        and 《职业学校学生实习管理规定》(教职成〔2021〕4号) makes 岗位实习 part of the course, arranged by
        the school under a three-party agreement — so a school records it as an internship placement
        (``POST /internships``, :mod:`service.internships`), and a graduate on a traineeship without a
        job is 待就业 (category ``seeking``). Refusing, rather than storing the row as a low-ranking
        outcome, keeps the follow-up list and the graduate's page from showing an internship as a
        destination at all; rows stored before this rule never outrank another outcome
        (:mod:`service.destinations.precedence`, rule 5).

        Raises:
            NotFoundError: unknown graduate (404).
            InvalidFieldError: ``source`` ``platform_hire``/``school_review``, ``occurred_on`` in the
                future or before :data:`EARLIEST_OCCURRED_ON`, ``monthly_salary`` above
                :data:`MAX_REPORTED_MONTHLY_SALARY`, unknown ``employer_id`` (or one the actor may not
                read, e.g. an unverified employer for a graduate: the same answer), unknown
                ``region_code``, ``internship = true`` (see above), a salary or employer on a
                non-employment category, or ``labour_contract = false`` with category
                ``labour_contract`` (422).
        """
        graduate = await self._graduate(graduate_id)
        if data.source not in API_SOURCES:
            raise InvalidFieldError(
                "source",
                f"must be one of {', '.join(sorted(API_SOURCES))}; platform hires "
                "are recorded by marking an application hired",
            )
        if data.internship:
            raise InvalidFieldError("internship", INTERNSHIP_REFUSED)
        if data.occurred_on > latest_today():
            raise InvalidFieldError("occurred_on", f"{data.occurred_on} is in the future", "date_in_future")
        if data.occurred_on < EARLIEST_OCCURRED_ON:
            raise InvalidFieldError(
                "occurred_on", f"{data.occurred_on} is before {EARLIEST_OCCURRED_ON}", "date_too_early"
            )
        if data.monthly_salary is not None and data.monthly_salary > MAX_REPORTED_MONTHLY_SALARY:
            raise InvalidFieldError(
                "monthly_salary",
                f"{data.monthly_salary:,} 元/月 is above the plausible ceiling "
                f"of {MAX_REPORTED_MONTHLY_SALARY:,} 元/月 for a reported outcome",
            )
        employed = data.category in EMPLOYED
        if not employed:
            for name in ("employer_id", "employer_name", "monthly_salary"):
                if getattr(data, name) is not None:
                    raise InvalidFieldError(
                        name, f"not accepted with category {data.category.value}", "not_for_category"
                    )
        if data.category == DestinationCategory.LABOUR_CONTRACT and data.labour_contract is False:
            raise InvalidFieldError("labour_contract", "category labour_contract (签劳动合同形式就业) means a contract")
        employer_name = data.employer_name
        if data.employer_id is not None:
            employer = await self.session.get(Employer, data.employer_id)
            if employer is None or not self._may_name(employer):
                # an employer the caller may not read answers as an unknown id: no names, no enumeration
                raise InvalidFieldError("employer_id", f"employer {data.employer_id} does not exist")
            employer_name = employer_name or employer.name
        if data.region_code is not None and await self.session.get(Region, data.region_code) is None:
            raise InvalidFieldError(
                "region_code", f"unknown GB/T 2260 region code {data.region_code}", "unknown_region"
            )
        event = DestinationEvent(
            graduate_id=graduate_id,
            kind=DestinationEventKind.OUTCOME,
            occurred_on=data.occurred_on,
            source=data.source,
            category=data.category,
            employer_id=data.employer_id,
            employer_name=employer_name,
            job_title=data.job_title,
            occupation_code=data.occupation_code,
            industry=data.industry,
            region_code=data.region_code,
            monthly_salary=data.monthly_salary,
            labour_contract=True if data.category == DestinationCategory.LABOUR_CONTRACT else data.labour_contract,
            social_insurance=data.social_insurance,
            internship=data.internship,
            note=data.note,
            evidence=data.evidence,
        )
        _propose(event, graduate.major_code)
        return await self._add(event)

    async def _outcome(self, graduate_id: int, event_id: int) -> DestinationEvent:
        await self._graduate(graduate_id)
        event = await self.repo.get(event_id)
        if event is None or event.graduate_id != graduate_id:
            raise NotFoundError(f"destination event of graduate {graduate_id}", event_id)
        if event.kind != DestinationEventKind.OUTCOME:
            raise ConflictError(f"event {event_id} is a {event.kind.value}, not an outcome: refer to the outcome")
        return event

    async def _refer(
        self, outcome: DestinationEvent, kind: DestinationEventKind, source: DestinationSource, **fields: object
    ) -> DestinationEvent:
        copied = {name: getattr(outcome, name) for name in _DETAILS}
        copied.update(fields)
        event = DestinationEvent(
            graduate_id=outcome.graduate_id,
            kind=kind,
            refers_to_id=outcome.id,
            occurred_on=latest_today(),
            source=source,
            **copied,
        )
        return await self._add(event)

    async def override_in_field(self, graduate_id: int, event_id: int, data: InFieldOverride) -> DestinationEvent:
        """The school sets 对口 of outcome ``event_id`` with a reason (a new ``in_field_override``
        event, source ``school_review``; the outcome itself is unchanged).

        Raises:
            NotFoundError: unknown graduate or event of that graduate (404).
            ConflictError: ``event_id`` is not an outcome (409).
            InvalidFieldError: the outcome is not direct employment, so 对口 does not apply (422).
        """
        outcome = await self._outcome(graduate_id, event_id)
        if outcome.category not in EMPLOYED or outcome.category == DestinationCategory.MILITARY or outcome.internship:
            raise InvalidFieldError(
                "in_field",
                f"对口 applies to employment in a job only, not {outcome.category.value}"
                + (" (internship)" if outcome.internship else ""),
            )
        return await self._refer(
            outcome,
            DestinationEventKind.IN_FIELD_OVERRIDE,
            DestinationSource.SCHOOL_REVIEW,
            in_field=data.in_field,
            in_field_reason=data.reason,
        )

    async def confirm(self, graduate_id: int, event_id: int, data: Confirmation) -> DestinationEvent:
        """The graduate confirms outcome ``event_id`` (a new ``confirmation`` event). Raises as
        :meth:`override_in_field` (404/409); 409 too when the school's review took the outcome out of
        the count (refused the self-report, or agreed with the graduate's objection): confirming it
        would override the school's decision — the graduate reports again instead."""
        outcome = await self._outcome(graduate_id, event_id)
        reviews = [
            e
            for e in await self.repo.history(graduate_id)
            if e.refers_to_id == event_id
            and e.kind in (DestinationEventKind.CONFIRMATION, DestinationEventKind.DISPUTE)
        ]
        if (
            reviews
            and reviews[-1].source is DestinationSource.SCHOOL_REVIEW
            and reviews[-1].kind is DestinationEventKind.DISPUTE
        ):
            raise ConflictError(
                f"the school's review took event {event_id} out of the count; report the "
                "destination again instead of confirming it"
            )
        return await self._refer(
            outcome, DestinationEventKind.CONFIRMATION, DestinationSource.SELF_REPORT, note=data.note
        )

    async def dispute(self, graduate_id: int, event_id: int, data: Dispute) -> DestinationEvent:
        """The graduate disputes outcome ``event_id`` with a reason (a new ``dispute`` event); the
        outcome stops counting. Raises as :meth:`override_in_field` (404/409)."""
        outcome = await self._outcome(graduate_id, event_id)
        return await self._refer(outcome, DestinationEventKind.DISPUTE, DestinationSource.SELF_REPORT, note=data.reason)

    async def review(self, graduate_id: int, event_id: int, data: Review) -> DestinationEvent:
        """The school's decision on outcome ``event_id`` awaiting review (see
        :mod:`service.destinations.followup`), appended as events so that
        :mod:`service.destinations.precedence` decides what counts:

        * a self-report accepted: a ``school_survey`` outcome with the same details and day, referring
          to it (it outranks the self-report and other sources' outcomes of that day);
        * a self-report refused: a ``dispute`` from ``school_review`` (it stops counting);
        * a dispute accepted (the graduate is right): a ``dispute`` from ``school_review`` (the outcome
          stays out; the school records the right one by survey);
        * a dispute refused (the record stands): a ``confirmation`` from ``school_review`` (it counts again).

        ``data.reason`` is kept as the event's note. Audited (``review``, with the decision) and the
        graduate is notified (``destination_review_decided``, with the reason). Returns the new event.

        Raises:
            NotFoundError: unknown graduate or event of that graduate (404).
            ConflictError: ``event_id`` is not an outcome, or awaits no review (409).
            InvalidFieldError: ``reason`` missing when refusing (422).
        """
        from service.destinations.followup import standing
        from service.notifications.kinds import Kind
        from service.notifications.service import graduate_recipients, notify

        outcome = await self._outcome(graduate_id, event_id)
        if data.decision is ReviewDecision.REFUSE and not data.reason:
            raise InvalidFieldError("reason", "a refusal needs a reason: the graduate is told it")
        state = standing(list(await self.repo.history(graduate_id)), latest_today())
        if event_id in state.pending_self_reports:
            about = "self_report"
            if data.decision is ReviewDecision.ACCEPT:
                copied = {name: getattr(outcome, name) for name in _DETAILS}
                event = await self._add(
                    DestinationEvent(
                        graduate_id=graduate_id,
                        kind=DestinationEventKind.OUTCOME,
                        refers_to_id=outcome.id,
                        occurred_on=outcome.occurred_on,
                        source=DestinationSource.SCHOOL_SURVEY,
                        note=data.reason,
                        evidence=outcome.evidence,
                        **copied,
                    )
                )
            else:
                event = await self._refer(
                    outcome, DestinationEventKind.DISPUTE, DestinationSource.SCHOOL_REVIEW, note=data.reason
                )
        elif event_id in state.pending_disputes:
            about = "dispute"
            kind = (
                DestinationEventKind.DISPUTE
                if data.decision is ReviewDecision.ACCEPT
                else DestinationEventKind.CONFIRMATION
            )
            event = await self._refer(outcome, kind, DestinationSource.SCHOOL_REVIEW, note=data.reason)
        else:
            raise ConflictError(
                f"event {event_id} awaits no review: it is neither an unreviewed self-report nor "
                "disputed by the graduate"
            )
        decision = "accepted" if data.decision is ReviewDecision.ACCEPT else "refused"
        await audit_record(
            self.session,
            self.actor,
            AuditAction.REVIEW,
            "destination_event",
            outcome.id,
            graduate_id=graduate_id,
            request=self.request,
            detail={"decision": decision, "about": about, "event_id": event.id},
        )
        recipients = (await graduate_recipients(self.session, [graduate_id])).get(graduate_id, [])
        params: dict[str, str] = {"decision": decision}
        if data.reason:
            params["reason"] = data.reason
        await notify(
            self.session,
            recipients=recipients,
            kind=Kind.DESTINATION_REVIEW_DECIDED,
            params=params,
            link="/web/destination",
        )
        return event

    async def history(
        self, graduate_id: int, as_of: dt.date | None = None, recorded_before: dt.datetime | None = None
    ) -> DestinationHistory:
        """The graduate's events recorded before ``recorded_before`` (default: all, i.e. now) and
        the outcome counting on ``as_of`` (default today) as known then — the same cut-off as a
        report's, so a graduate's line can be checked against a snapshot.
        Raises :class:`NotFoundError` for an unknown graduate."""
        await self._graduate(graduate_id)
        events = [
            e
            for e in await self.repo.history(graduate_id)
            if recorded_before is None or e.recorded_at < recorded_before
        ]
        day = as_of or latest_today()
        eff = History(events).on(day)
        current = (
            None
            if eff is None
            else CurrentDestination(
                event_id=eff.event.id,
                category=eff.category,
                employed=eff.employed,
                in_field=eff.in_field,
                in_field_overridden=eff.in_field_overridden,
                confirmed=eff.confirmed,
            )
        )
        return DestinationHistory(
            graduate_id=graduate_id,
            as_of=day,
            current=current,
            events=[to_read(e) for e in events],
            recorded_before=recorded_before,
        )
