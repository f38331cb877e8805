"""HTTP endpoints for notifications (``/notifications``).

Authorisation: every signed-in user has an inbox and preferences, and every route works on the
caller's own only (no route takes a user id); another user's notification is a 404, like a
missing one. The outbox routes (deliveries, failed ones, retry) are the system admin's.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, patch, post
from litestar.params import JSONBody, QueryParameter

from service.accounts.models import Role
from service.auth.guards import current_principal, require_roles, require_signed_in
from service.notifications.models import OutboxStatus
from service.notifications.schemas import (
    MarkedRead,
    NotificationRead,
    OutboxRead,
    PreferencesRead,
    PreferencesUpdate,
    UnreadCount,
)
from service.notifications.service import NotificationService, outbox_read, to_read
from service.pagination import DbSession, IdPath, Limit, Offset, Page


class NotificationController(Controller):
    path = "/notifications"
    tags = ["notifications"]

    @get("/", summary="My notifications", guards=[require_signed_in])
    async def list_notifications(
        self,
        request: Request,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        unread: Annotated[bool | None, QueryParameter(description="only unread (true) notifications")] = None,
    ) -> Page[NotificationRead]:
        """The caller's notifications, newest first, texts in the account's notification language;
        ``total`` counts all (or all unread) of them."""
        user_id = current_principal(request).user_id
        service = NotificationService(db_session)
        items, total = await service.page(user_id, unread_only=bool(unread), limit=limit, offset=offset)
        language = await service.language(user_id)
        return Page(items=[to_read(n, language) for n in items], total=total, limit=limit, offset=offset)

    @get("/unread-count", summary="How many of my notifications are unread", guards=[require_signed_in])
    async def unread_count(self, request: Request, db_session: DbSession) -> UnreadCount:
        """``{"unread": n}`` for the caller."""
        return UnreadCount(
            unread=await NotificationService(db_session).unread_count(current_principal(request).user_id)
        )

    @post(
        "/{notification_id:int}/read", summary="Mark one notification read", status_code=200, guards=[require_signed_in]
    )
    async def mark_read(self, request: Request, db_session: DbSession, notification_id: IdPath) -> NotificationRead:
        """Mark it read (again is harmless: ``read_at`` keeps the first time). 404 for an unknown id
        or another user's notification."""
        user_id = current_principal(request).user_id
        service = NotificationService(db_session)
        notification = await service.mark_read(user_id, notification_id)
        return to_read(notification, await service.language(user_id))

    @post("/read-all", summary="Mark all my notifications read", status_code=200, guards=[require_signed_in])
    async def mark_all_read(self, request: Request, db_session: DbSession) -> MarkedRead:
        """Mark every unread notification of the caller read; ``{"marked": n}``."""
        return MarkedRead(
            marked=await NotificationService(db_session).mark_all_read(current_principal(request).user_id)
        )

    @get("/preferences", summary="My notification preferences", guards=[require_signed_in])
    async def preferences(self, request: Request, db_session: DbSession) -> PreferencesRead:
        """Language, whether the account has an e-mail address, and per kind its role receives: the
        in-app inbox (always on) and e-mail (on or off)."""
        return await NotificationService(db_session).preferences(current_principal(request).user_id)

    @patch("/preferences", summary="Change my notification preferences", guards=[require_signed_in])
    async def update_preferences(
        self, request: Request, db_session: DbSession, data: JSONBody[PreferencesUpdate]
    ) -> PreferencesRead:
        """Change ``language`` (``zh_Hans`` or ``en``) and/or e-mail per kind
        (``{"email": {"posting_closed": false}}``). Errors: 400 unknown field, kind or language;
        422 for a kind that cannot be switched off (``account_activation``)."""
        return await NotificationService(db_session).update_preferences(current_principal(request).user_id, data)

    @get("/outbox", summary="Queued and delivered messages (admin)", guards=[require_roles(Role.ADMIN)])
    async def outbox(
        self,
        db_session: DbSession,
        limit: Limit = 20,
        offset: Offset = 0,
        status: Annotated[OutboxStatus | None, QueryParameter(description="e.g. failed")] = None,
    ) -> Page[OutboxRead]:
        """Outbox rows, newest first: state, attempts, next attempt (``due_at``) and the last error;
        never the text or the address. System admin only."""
        items, total = await NotificationService(db_session).outbox(status, limit, offset)
        return Page(items=[outbox_read(o) for o in items], total=total, limit=limit, offset=offset)

    @post(
        "/outbox/{outbox_id:int}/retry",
        summary="Queue a failed message again (admin)",
        status_code=200,
        guards=[require_roles(Role.ADMIN)],
    )
    async def retry(self, db_session: DbSession, outbox_id: IdPath) -> OutboxRead:
        """Queue a ``failed`` (or pending) message again, due now, with a fresh set of attempts.
        404 unknown id; 409 already sent or being sent."""
        return outbox_read(await NotificationService(db_session).retry(outbox_id))
