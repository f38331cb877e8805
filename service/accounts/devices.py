"""Trusted-device cookies: how the login limiter tells the account's owner from someone guessing.

OWASP's "Slow Down Online Guessing Attacks with Device Cookies" scheme: after a successful sign-in
the browser (or any client that keeps cookies) gets an HttpOnly cookie holding ``nonce.signature``,
the signature an HMAC of the login name and the nonce under a key derived from the service secret.
Failed sign-ins are then counted per (account, client), the client being that device when its
cookie is valid for the account, else the client IP address
(:class:`service.accounts.hardening.LoginLimiter`): a guesser's failures from another address or
browser never delay the owner, and a guesser cannot make up device ids (each needs the account's
password once). One cookie carries the entries of the last :data:`MAX_ENTRIES` accounts signed in
on the device (a shared computer in a school lab).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from litestar.datastructures import Cookie

from service.accounts.security import derive_key

DEVICE_COOKIE = "vocmatch_device"
MAX_ENTRIES = 5
#: How long a device stays known without signing in again (180 days).
DEVICE_TTL_SECONDS = 180 * 24 * 3600
_ENTRY = re.compile(r"^[A-Za-z0-9_-]{16}\.[0-9a-f]{32}$")


class DeviceCookies:
    """Issue and check device cookies for one app (key derived from the service secret)."""

    def __init__(self, secret: str, *, secure: bool) -> None:
        self._key = derive_key(secret, "device").encode()
        self.secure = secure

    def _signature(self, account: str, nonce: str) -> str:
        return hmac.new(self._key, f"{account}\x00{nonce}".encode(), hashlib.sha256).hexdigest()[:32]

    @staticmethod
    def _entries(value: str | None) -> list[str]:
        return [e for e in (value or "").split("~")[:MAX_ENTRIES] if _ENTRY.match(e)]

    def _nonce_for(self, entries: list[str], account: str) -> str | None:
        for entry in entries:
            nonce, _, signature = entry.partition(".")
            if hmac.compare_digest(signature, self._signature(account, nonce)):
                return nonce
        return None

    def client_for(self, value: str | None, account: str) -> str | None:
        """``"device:<nonce>"`` when cookie ``value`` holds a valid entry for ``account`` (the
        normalised login name), else ``None`` (the caller then counts by IP address)."""
        nonce = self._nonce_for(self._entries(value), account)
        return None if nonce is None else f"device:{nonce}"

    def cookie(self, value: str | None, account: str) -> Cookie:
        """The cookie to send after ``account`` signed in: the device's entry for it (kept if it
        had one) after the entries of up to ``MAX_ENTRIES - 1`` other accounts."""
        entries = self._entries(value)
        nonce = self._nonce_for(entries, account)
        others = [e for e in entries if nonce is None or not e.startswith(f"{nonce}.")]
        nonce = nonce or secrets.token_urlsafe(12)
        entry = f"{nonce}.{self._signature(account, nonce)}"
        return Cookie(
            key=DEVICE_COOKIE,
            value="~".join([*others[-(MAX_ENTRIES - 1) :], entry]),
            path="/",
            httponly=True,
            secure=self.secure,
            samesite="lax",
            max_age=DEVICE_TTL_SECONDS,
        )
