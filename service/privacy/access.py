"""Who may export, ask for and carry out the deletion of a graduate's data.

* **Export** (``GET /graduates/{id}/export``): the graduate themself and the system admin. School
  staff and department admins are refused (403) although they may read the profile: the export
  adds the person's login sessions and the audit trail about them, which staff do not need for
  their work (data minimisation), and a graduate who asks their school for a copy gets it from the
  admin. Everyone who may not even see the graduate gets the same 404 as for a missing id.
* **Deletion request** (``POST /graduates/{id}/deletion-request``): only the graduate themself,
  confirming with their password.
* **Deletion** (``DELETE /graduates/{id}``): the system admin at any time (e.g. on a request made
  in writing), and staff of the graduate's own school once the graduate has asked (409 before).
  The graduate cannot run it themself: the school answers for the roster and the reported figures
  and carries the request out.
* **Reading a deletion request**: anyone who may read the graduate except employers.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.auth.guards import Principal, ensure_allowed, ensure_visible
from service.errors import NotFoundError
from service.graduates.models import Graduate


async def visible_graduate(session: AsyncSession, p: Principal, graduate_id: int) -> Graduate:
    """The graduate if ``p`` may read their profile (:func:`service.auth.scoping.graduates_clause`).

    Raises:
        NotFoundError: no such graduate, or ``p`` may not see them (the same 404, nothing leaked).
    """
    from service.auth.scoping import graduates_clause

    stmt = select(Graduate).where(Graduate.id == graduate_id, graduates_clause(p))
    graduate = (await session.execute(stmt)).scalar_one_or_none()
    ensure_visible(graduate is not None, "graduate", graduate_id)
    assert graduate is not None
    return graduate


def is_self(p: Principal, graduate_id: int) -> bool:
    return p.role is Role.GRADUATE and p.graduate_id == graduate_id


async def check_export(session: AsyncSession, p: Principal, graduate_id: int) -> None:
    """404 (as :func:`visible_graduate`) or 403 unless ``p`` is the graduate or the admin."""
    await visible_graduate(session, p, graduate_id)
    ensure_allowed(
        is_self(p, graduate_id) or p.role is Role.ADMIN,
        "export this graduate's data (only the graduate and the system admin may)",
    )


async def check_request_deletion(session: AsyncSession, p: Principal, graduate_id: int) -> None:
    """404 or 403 unless ``p`` is the graduate themself."""
    await visible_graduate(session, p, graduate_id)
    ensure_allowed(
        is_self(p, graduate_id),
        "ask for another person's deletion (only the graduate may; "
        "staff carry a request out with DELETE /graduates/{id})",
    )


async def check_read_deletion(session: AsyncSession, p: Principal, graduate_id: int) -> None:
    """404 unless ``p`` may read the graduate and is not an employer."""
    if p.role is Role.EMPLOYER:
        raise NotFoundError("graduate", graduate_id)
    await visible_graduate(session, p, graduate_id)


async def check_delete(session: AsyncSession, p: Principal, graduate_id: int) -> Graduate:
    """404 or 403 unless ``p`` is the admin or staff of the graduate's school (the pending-request
    condition for school staff is checked by :func:`service.privacy.deletion.execute_deletion`)."""
    graduate = await visible_graduate(session, p, graduate_id)
    allowed = p.role is Role.ADMIN or (p.role is Role.SCHOOL and graduate.school_id == p.school_id)
    ensure_allowed(
        allowed, "delete this graduate (the system admin, or staff of the graduate's school after the graduate asked)"
    )
    return graduate
