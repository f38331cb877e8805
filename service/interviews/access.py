"""Who may do what with interviews (shared by the API and the pages).

Reading follows the application (:func:`service.auth.scoping.applications_clause`): the
applicant, the posting's employer, the applicant's school staff and department, the admin; anyone
else gets the 404 of a missing interview. Proposing and cancelling are the posting's employer's (and the admin's);
answering is the applicant's alone (nobody answers for a graduate).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.applications.models import Application
from service.auth.guards import Principal, ensure_allowed, ensure_visible
from service.auth.scoping import applications_clause, exists_where
from service.interviews.models import Interview
from service.interviews.service import Context, InterviewService, context_of


async def visible_application(session: AsyncSession, p: Principal, application_id: int) -> Context:
    """The application's :class:`Context` if ``p`` may read it; else the 404 of a missing one."""
    ensure_visible(
        await exists_where(session, Application.id, application_id, applications_clause(p)),
        "application",
        application_id,
    )
    return await context_of(session, application_id)


async def visible_interview(session: AsyncSession, p: Principal, interview_id: int) -> tuple[Interview, Context]:
    """The interview and its context if ``p`` may read its application; else 404 (as for a missing one)."""
    interview = await InterviewService(session).repo.get(interview_id)
    ensure_visible(
        interview is not None
        and await exists_where(session, Application.id, interview.application_id, applications_clause(p)),
        "interview",
        interview_id,
    )
    assert interview is not None
    return interview, await context_of(session, interview.application_id)


def can_propose(p: Principal, ctx: Context) -> bool:
    """The posting's employer's members and the admin."""
    return p.role is Role.ADMIN or (p.role is Role.EMPLOYER and p.employer_id == ctx.employer_id)


def can_answer(p: Principal, ctx: Context) -> bool:
    """The applicant only."""
    return p.role is Role.GRADUATE and p.graduate_id == ctx.graduate_id


def ensure_propose(p: Principal, ctx: Context) -> None:
    ensure_allowed(can_propose(p, ctx), f"propose interviews on application {ctx.application_id}")


def ensure_answer(p: Principal, ctx: Context) -> None:
    ensure_allowed(can_answer(p, ctx), "answer an interview for another person")


def ensure_cancel(p: Principal, ctx: Context) -> None:
    """Who may propose may cancel (:func:`can_propose`)."""
    ensure_allowed(can_propose(p, ctx), f"cancel interviews on application {ctx.application_id}")
