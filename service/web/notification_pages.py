"""Notification pages for every signed-in user: the inbox (all or unread, paged, mark one or all
read, open one) and the notification settings (language, e-mail per event kind). They call the
same :class:`~service.notifications.service.NotificationService` as ``/notifications``, always for
the signed-in user's own notifications: another user's is a 404 page."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import ValidationException
from litestar.response import Redirect, Template

from service.auth.guards import require_signed_in
from service.notifications.kinds import LANGUAGES, language_of
from service.notifications.schemas import PreferencesUpdate
from service.notifications.service import NotificationService, to_read
from service.pagination import DbSession, IdPath
from service.web.common import PageDep, render, see_other

#: Notifications per inbox page.
PAGE_SIZE = 20
INBOX = "/web/notifications"
SETTINGS = "/web/notifications/preferences"


def _offset(value: str | None) -> int:
    return int(value) if value and value.isdigit() and len(value) < 12 else 0


class NotificationPages(Controller):
    path = INBOX
    guards = [require_signed_in]

    @get("/")
    async def inbox(self, page: PageDep, db_session: DbSession) -> Template:
        """The signed-in user's notifications, newest first, 20 a page (``?offset=``), all or only
        unread ones (``?unread=1``), texts in the page's language."""
        query = page.request.query_params
        unread_only = query.get("unread") == "1"
        offset = _offset(query.get("offset"))
        service = NotificationService(db_session)
        rows, total = await service.page(page.user.user_id, unread_only=unread_only, limit=PAGE_SIZE, offset=offset)
        items = [{"n": to_read(n, page.locale)} for n in rows]  # times: the ``local`` filter
        return render(
            page,
            "notifications/inbox.html",
            items=items,
            total=total,
            offset=offset,
            size=PAGE_SIZE,
            unread_only=unread_only,
        )

    @get("/{notification_id:int}/open")
    async def open(self, page: PageDep, db_session: DbSession, notification_id: IdPath) -> Redirect:
        """Mark the notification read and go to the page it is about (the inbox when it has none)."""
        n = await NotificationService(db_session).mark_read(page.user.user_id, notification_id)
        return Redirect(path=n.link or INBOX, status_code=303)

    @post("/{notification_id:int}/read", status_code=303)
    async def mark_read(
        self, page: PageDep, db_session: DbSession, notification_id: IdPath
    ) -> Response[Any] | Template:
        """Mark one notification read: htmx gets the updated item, a plain form goes back to the inbox."""
        n = await NotificationService(db_session).mark_read(page.user.user_id, notification_id)
        if page.htmx:
            return render(page, "notifications/item.html", status_code=200, item={"n": to_read(n, page.locale)})
        return see_other(INBOX, page)

    @post("/read-all", status_code=303)
    async def mark_all_read(self, page: PageDep, db_session: DbSession) -> Response[Any]:
        """Mark every notification of the user read, then back to the inbox."""
        await NotificationService(db_session).mark_all_read(page.user.user_id)
        return see_other(INBOX, page)

    @get("/preferences")
    async def preferences(self, page: PageDep, db_session: DbSession) -> Template:
        """The language of notifications and, per event kind the user's role receives, the inbox
        (always) and e-mail (a checkbox)."""
        prefs = await NotificationService(db_session).preferences(page.user.user_id)
        return render(
            page,
            "notifications/preferences.html",
            prefs=prefs,
            languages=LANGUAGES,
            saved=page.request.query_params.get("saved") == "1",
        )

    @post("/preferences", status_code=303)
    async def save_preferences(
        self, request: Request[Any, Any, Any], page: PageDep, db_session: DbSession
    ) -> Response[Any]:
        """Save the form: ``language`` and the checked ``email`` kinds (each kind shown and not
        checked is switched off). An unknown language or kind is a 400 page."""
        form = await request.form()
        service = NotificationService(db_session)
        shown = [k.kind for k in (await service.preferences(page.user.user_id)).kinds]
        checked = set(form.getall("email", []))
        unknown = checked - {k.value for k in shown}
        language = form.get("language") or ""
        if unknown or language not in LANGUAGES:
            raise ValidationException(f"unknown kinds {sorted(unknown)} or language {language!r}")
        email = {kind: kind.value in checked for kind in shown}
        await service.update_preferences(
            page.user.user_id, PreferencesUpdate(language=language_of(language), email=email)
        )
        return see_other(f"{SETTINGS}?saved=1", page)
