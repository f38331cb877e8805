"""Notifications: an in-app inbox, per-user preferences, and e-mail through a transactional outbox.

The public interface, for every domain that has something to tell a user::

    from service.notifications import Kind, notify, employer_recipients, graduate_recipients

    await notify(session, recipients=[user_id, ...], kind=Kind.APPLICATION_RECEIVED,
                 params={"posting_title": posting.title}, link=f"/web/postings/{posting.id}/applications")

* :func:`~service.notifications.service.notify` — call it inside your transaction, after your own
  change: it writes the inbox rows and (per the recipients' preferences) the outbox rows in the
  same transaction, so the notification exists exactly when your change does. It flushes, never
  commits. Wrong kind, params or link raise ``ValueError`` (a bug in the caller).
* :class:`~service.notifications.kinds.Kind` and :data:`~service.notifications.kinds.KINDS` —
  the event kinds, the params each needs, and their texts in Chinese and English. A new kind is
  one :class:`~service.notifications.kinds.KindSpec` there, plus its label on the preferences
  page (``service/web/templates/notifications/macros.html``) and its two catalogue entries.
* :func:`~service.notifications.service.employer_recipients` (an employer's member accounts) and
  :func:`~service.notifications.service.graduate_recipients` (graduates' accounts) — the user ids
  most events go to.

Params never carry other people's personal data (see :mod:`service.notifications.kinds`); links
are local paths (``/web/…``). Delivery is the scheduler's (:mod:`service.notifications.delivery`,
job ``drain_outbox``); channels are in :mod:`service.notifications.channels`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Kind", "notify", "employer_recipients", "graduate_recipients"]


def __getattr__(name: str) -> Any:  # PEP 562: importing the package stays free of model imports
    if name == "Kind":
        from service.notifications.kinds import Kind

        return Kind
    if name in ("notify", "employer_recipients", "graduate_recipients"):
        from service.notifications import service

        return getattr(service, name)
    raise AttributeError(f"module 'service.notifications' has no attribute {name!r}")
