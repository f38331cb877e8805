"""Writing and reading the audit log (``audit_events``).

:func:`record` is the one way in: it adds a row to the caller's session and flushes, so the event
is committed or rolled back with the change it describes (a refused request leaves no trace of an
act that did not happen). Nothing updates or deletes an audit event.

Who reads it (:func:`audit_clause`): the system admin everything; school staff the events about
their own school's graduates; a department admin the events about graduates of schools inside its
region. Events about no graduate (``graduate_id`` NULL) are the admin's only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, false, func, insert, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.graduates.models import Graduate
from service.privacy.models import AuditAction, AuditEvent

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection

    from service.auth.guards import Principal

#: Largest ``detail`` document accepted (characters of its ``repr``): ids and counts, not payloads.
MAX_DETAIL_CHARS = 2000


def _check_detail(detail: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``detail``; refuse values that are neither scalars nor lists of scalars.

    Raises:
        ValueError: nested documents or an oversized detail (a programming error, not user input).
    """
    out: dict[str, Any] = {}
    for key, value in detail.items():
        items = value if isinstance(value, list) else [value]
        if not all(v is None or isinstance(v, (bool, int, float, str)) for v in items):
            raise ValueError(f"audit detail {key!r} must be a scalar or a list of scalars")
        out[str(key)] = list(value) if isinstance(value, list) else value
    if len(repr(out)) > MAX_DETAIL_CHARS:
        raise ValueError(f"audit detail longer than {MAX_DETAIL_CHARS} characters")
    return out


async def record(
    session: AsyncSession,
    principal: Principal | None,
    action: AuditAction | str,
    object_type: str,
    object_id: object,
    *,
    graduate_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
    request: ASGIConnection[Any, Any, Any, Any] | None = None,
) -> AuditEvent:
    """Append one audit event to ``session`` and flush (the caller's transaction commits it).

    Args:
        principal: who acted; ``None`` for the system (CLI, scheduled jobs, imports).
        action: an :class:`AuditAction` (or its value).
        object_type: what was acted on, e.g. ``"graduate"``, ``"destination_event"``, ``"roster"``.
        object_id: its id or code (stored as text, up to 64 characters), or ``None``.
        graduate_id: the graduate whose personal data it concerns, if any.
        detail: ids, counts, field names, filters — never names, ID or phone numbers or free text.
        request: the HTTP request, for method, path (query string left out: it may hold a
            name search) and client address.

    Raises:
        ValueError: ``action`` is not an :class:`AuditAction` value, or ``detail`` holds a nested
            document or is over :data:`MAX_DETAIL_CHARS`.
    """
    event = AuditEvent(
        at=dt.datetime.now(dt.UTC),
        actor_user_id=principal.user_id if principal is not None else None,
        actor_role=principal.role if principal is not None else None,
        action=AuditAction(action),
        object_type=object_type[:40],
        object_id=None if object_id is None else str(object_id)[:64],
        graduate_id=graduate_id,
        detail=_check_detail(detail or {}),
    )
    if request is not None:
        method = request.scope.get("method")  # HTTP requests only (a websocket's scope has none)
        event.method = method if isinstance(method, str) else None
        event.path = request.url.path[:500]
        event.client_ip = request.client.host[:45] if request.client else None
    session.add(event)
    await session.flush()
    return event


async def record_list_read(
    session: AsyncSession,
    principal: Principal,
    object_type: str,
    graduate_ids: Sequence[int],
    *,
    request: ASGIConnection[Any, Any, Any, Any] | None = None,
    action: AuditAction = AuditAction.READ,
) -> int:
    """Audit a list answer that showed the personal data of ``graduate_ids``: one ``read`` event
    (``action``: ``export`` for a file) per graduate (so each graduate's school sees it in
    ``GET /audit?graduate_id=``), written by one multi-row ``INSERT`` (executemany: a page of 50
    graduates is one statement, not 50). Returns the number of events added."""
    now = dt.datetime.now(dt.UTC)
    where = (
        {
            "method": request.scope.get("method"),
            "path": request.url.path[:500],
            "client_ip": request.client.host[:45] if request.client else None,
        }
        if request is not None
        else {}
    )
    rows = [
        {
            "at": now,
            "actor_user_id": principal.user_id,
            "actor_role": principal.role,
            "action": action,
            "object_type": object_type[:40],
            "object_id": str(graduate_id),
            "graduate_id": graduate_id,
            "detail": {"listed": len(graduate_ids)},
            **where,
        }
        for graduate_id in graduate_ids
    ]
    if rows:
        await session.execute(insert(AuditEvent), rows)
    return len(rows)


def audit_clause(p: Principal) -> ColumnElement[bool]:
    """Audit events ``p`` may read: all for the admin; for school staff and department admins
    those about graduates they may read (:func:`service.auth.scoping.graduates_clause`);
    nothing for graduates and employers."""
    from service.auth.scoping import graduates_clause

    if p.role is Role.ADMIN:
        return true()
    if p.role in (Role.SCHOOL, Role.DEPARTMENT):
        return AuditEvent.graduate_id.in_(select(Graduate.id).where(graduates_clause(p)))
    return false()


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Filters of ``GET /audit``; ``since``/``until`` are UTC-aware bounds on ``at`` (``until`` exclusive)."""

    graduate_id: int | None = None
    actor_user_id: int | None = None
    action: AuditAction | None = None
    object_type: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def _where(f: AuditFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if f.graduate_id is not None:
        clauses.append(AuditEvent.graduate_id == f.graduate_id)
    if f.actor_user_id is not None:
        clauses.append(AuditEvent.actor_user_id == f.actor_user_id)
    if f.action is not None:
        clauses.append(AuditEvent.action == f.action)
    if f.object_type is not None:
        clauses.append(AuditEvent.object_type == f.object_type)
    if f.since is not None:
        clauses.append(AuditEvent.at >= f.since)
    if f.until is not None:
        clauses.append(AuditEvent.at < f.until)
    return clauses


async def list_events(
    session: AsyncSession, f: AuditFilter, limit: int, offset: int, scope: ColumnElement[bool] | None = None
) -> tuple[Sequence[AuditEvent], int]:
    """One page of events, newest first (then by id), and the number matching overall."""
    clauses = _where(f) + ([scope] if scope is not None else [])
    stmt = select(AuditEvent).where(*clauses)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    page = stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit).offset(offset)
    return (await session.execute(page)).scalars().all(), total


async def events_about(session: AsyncSession, graduate_id: int) -> Sequence[AuditEvent]:
    """Every event concerning ``graduate_id``, oldest first (for the graduate's data export)."""
    stmt = select(AuditEvent).where(AuditEvent.graduate_id == graduate_id).order_by(AuditEvent.id)
    return (await session.execute(stmt)).scalars().all()
