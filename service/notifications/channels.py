"""Delivery channels: how one outbox message leaves the service.

A :class:`Channel` delivers :class:`Outbound` messages of one outbox ``channel`` name. Today that
is ``email``, by one of two channels chosen by the settings (:func:`make_channels`):

* :class:`SmtpChannel` — ``VOCMATCH_SMTP_URL`` set: sent with aiosmtplib over one reused
  connection (STARTTLS or TLS and login as the URL says);
* :class:`FileChannel` — no SMTP (``make run``): each message is written as an ``.eml`` file to
  ``VOCMATCH_OUTBOX_DIR`` (UTF-8 headers and body, readable in a text editor or any mail program).

An SMS or WeChat channel is another class with ``name = "sms"`` (``"wechat"``) and ``send``/``close``;
the outbox, the drainer, the retries and the preferences already work per channel name.

Both e-mail channels build the same message (:func:`build_email`, stdlib
:class:`email.message.EmailMessage`): ``Message-ID`` ``<message_key@domain of VOCMATCH_MAIL_FROM>``
and ``Date`` the time the message was queued, so every attempt sends the same message;
``Auto-Submitted: auto-generated`` (RFC 3834) so auto-responders stay quiet.
"""

from __future__ import annotations

import email.policy
import email.utils
import os
import urllib.parse
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import datetime as dt

    from service.config import Settings

#: The outbox channel names a user can switch per kind (the inbox is always on).
EMAIL = "email"

_FOOTER = {
    "zh_Hans": "这是 vocmatch 自动发送的通知，请勿直接回复。更改通知设置：{url}",
    "en": "This notification was sent automatically by vocmatch; please do not reply. Notification settings: {url}",
}
_OPEN = {"zh_Hans": "打开：{url}", "en": "Open: {url}"}
PREFERENCES_PATH = "/web/notifications/preferences"


@dataclass(frozen=True)
class Outbound:
    """One message as a channel sees it (from an outbox row)."""

    key: str  # the outbox row's message_key: stable over every attempt
    kind: str
    recipient: str  # e-mail address (or phone number, for an SMS channel)
    language: str
    subject: str
    body: str
    link_url: str | None  # absolute
    queued_at: dt.datetime
    preferences_url: str


class DeliveryError(Exception):
    """A message was not delivered. ``permanent``: trying again cannot help (e.g. SMTP 550 for the
    recipient); ``connection``: the channel itself is unusable now (server down, login refused),
    so the drainer stops this run and backs off instead of failing every queued message."""

    def __init__(self, message: str, *, permanent: bool = False, connection: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.connection = connection


@runtime_checkable
class Channel(Protocol):
    """Delivers the outbox rows of channel ``name``. ``send`` returns once the message is handed
    over durably (the SMTP server's 250 to DATA; the file renamed into place) and raises
    :class:`DeliveryError` otherwise; ``close`` releases connections."""

    name: str

    async def send(self, message: Outbound) -> None: ...

    async def close(self) -> None: ...


# --- settings ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmtpConfig:
    """An SMTP server from ``VOCMATCH_SMTP_URL``."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    use_tls: bool = False  # smtps://: TLS from the first byte
    start_tls: bool | None = None  # True: required; False: never; None: if the server offers it
    validate_certs: bool = True

    @classmethod
    def from_url(cls, url: str, variable: str = "VOCMATCH_SMTP_URL") -> SmtpConfig:
        """Parse ``smtp[s]://[user[:password]@]host[:port][?starttls=true|false&verify=true|false]``.
        Default port: 465 for smtps, 587 with ``starttls=true``, else 25.

        Raises:
            ValueError: naming ``variable`` and what is wrong (never the password).
        """
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"{variable}: scheme must be smtp:// or smtps://, not {parts.scheme or 'none'!r}")
        try:
            port = parts.port
        except ValueError:
            raise ValueError(f"{variable}: the port is not a number from 1 to 65535") from None
        if not parts.hostname:
            raise ValueError(f"{variable}: no host (smtp://host:587)")
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        unknown = sorted(set(query) - {"starttls", "verify"})
        if unknown:
            raise ValueError(f"{variable}: unknown parameters {unknown}; known: starttls, verify")
        flags = {name: _flag(variable, name, values[-1]) for name, values in query.items()}
        use_tls = parts.scheme == "smtps"
        start_tls = flags.get("starttls")
        if use_tls and start_tls:
            raise ValueError(f"{variable}: smtps:// is TLS from the start; starttls=true applies to smtp:// only")
        default_port = 465 if use_tls else 587 if start_tls else 25
        return cls(
            host=parts.hostname,
            port=port or default_port,
            username=urllib.parse.unquote(parts.username) if parts.username else None,
            password=urllib.parse.unquote(parts.password) if parts.password else None,
            use_tls=use_tls,
            start_tls=False if use_tls else start_tls,
            validate_certs=flags.get("verify", True) is not False,
        )


def _flag(variable: str, name: str, value: str) -> bool:
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise ValueError(f"{variable}: {name}={value!r} is not true or false")


def mail_domain(mail_from: str) -> str:
    """The domain of the ``From`` address (``vocmatch <no-reply@example.cn>`` → ``example.cn``)."""
    return email.utils.parseaddr(mail_from)[1].rpartition("@")[2]


def check_mail_settings(settings: Settings, prefix: str = "VOCMATCH_") -> None:
    """Check the notification settings at start-up. Raises ``ValueError`` naming the variable."""
    if settings.smtp_url:
        SmtpConfig.from_url(settings.smtp_url, prefix + "SMTP_URL")
    address = email.utils.parseaddr(settings.mail_from)[1]
    local, _, domain = address.rpartition("@")
    if not local or "." not in domain and domain != "localhost":
        raise ValueError(f"{prefix}MAIL_FROM: {settings.mail_from!r} has no address such as no-reply@example.cn")
    if not settings.public_url.startswith(("http://", "https://")):
        raise ValueError(f"{prefix}PUBLIC_URL: {settings.public_url!r} must start with http:// or https://")
    if settings.smtp_timeout_seconds <= 0 or settings.notify_lease_seconds < 2 * settings.smtp_timeout_seconds:
        raise ValueError(
            f"{prefix}NOTIFY_LEASE_SECONDS ({settings.notify_lease_seconds}) must be at least twice "
            f"{prefix}SMTP_TIMEOUT_SECONDS ({settings.smtp_timeout_seconds}), which must be positive"
        )
    for name in (
        "notify_batch_size",
        "notify_connections",
        "notify_max_attempts",
        "notify_drain_interval_seconds",
        "notify_keep_sent_days",
    ):
        if getattr(settings, name) < 1:
            raise ValueError(f"{prefix}{name.upper()}: must be at least 1")
    if settings.notify_retry_base_seconds < 0 or settings.notify_retry_max_seconds < settings.notify_retry_base_seconds:
        raise ValueError(f"{prefix}NOTIFY_RETRY_BASE_SECONDS must be ≥ 0 and ≤ {prefix}NOTIFY_RETRY_MAX_SECONDS")


# --- the e-mail ----------------------------------------------------------------------------------


def email_text(message: Outbound) -> str:
    """The plain-text body: the notification, the link, and a footer pointing to the settings."""
    lang = message.language if message.language in _FOOTER else "zh_Hans"
    parts = [message.body]
    if message.link_url:
        parts.append(_OPEN[lang].format(url=message.link_url))
    parts.append("-- \n" + _FOOTER[lang].format(url=message.preferences_url))
    return "\n\n".join(parts) + "\n"


def build_email(message: Outbound, mail_from: str, *, readable: bool = False) -> EmailMessage:
    """The e-mail for ``message`` from ``mail_from``; the same message on every attempt.
    ``readable``: the body as plain UTF-8 (``8bit``) rather than base64, for files people open in an
    editor (lines under 900 bytes, far from SMTP's 998 limit; longer text keeps base64)."""
    text = email_text(message)
    cte = "8bit" if readable and max(len(line.encode()) for line in text.splitlines()) < 900 else None
    mail = EmailMessage()
    mail["From"] = mail_from
    mail["To"] = message.recipient
    mail["Subject"] = message.subject
    mail["Date"] = email.utils.format_datetime(message.queued_at)
    mail["Message-ID"] = f"<{message.key}@{mail_domain(mail_from)}>"
    mail["Auto-Submitted"] = "auto-generated"
    mail["X-Vocmatch-Kind"] = message.kind
    mail.set_content(text, charset="utf-8", cte=cte)
    return mail


# --- SMTP ----------------------------------------------------------------------------------------


class SmtpChannel:
    """E-mail over SMTP (aiosmtplib), one connection reused for every message of a drain run."""

    name = EMAIL

    def __init__(self, config: SmtpConfig, mail_from: str, timeout: float) -> None:
        self.config = config
        self.mail_from = mail_from
        self.timeout = timeout
        self._smtp: Any = None

    async def _connection(self) -> Any:
        import aiosmtplib

        if self._smtp is not None and self._smtp.is_connected:
            return self._smtp
        c = self.config
        smtp = aiosmtplib.SMTP(
            hostname=c.host,
            port=c.port,
            username=c.username,
            password=c.password,
            use_tls=c.use_tls,
            start_tls=c.start_tls,
            validate_certs=c.validate_certs,
            timeout=self.timeout,
        )
        try:
            await smtp.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise DeliveryError(
                f"SMTP {c.host}:{c.port}: cannot connect or log in: {_describe(exc)}", connection=True
            ) from exc
        self._smtp = smtp
        return smtp

    async def send(self, message: Outbound) -> None:
        """Send; raise :class:`DeliveryError` (5xx for the recipient or the content: permanent;
        other refusals and lost connections: temporary)."""
        import aiosmtplib

        smtp = await self._connection()
        try:
            await smtp.send_message(build_email(message, self.mail_from))
        except aiosmtplib.SMTPRecipientsRefused as exc:
            codes = [r.code for r in exc.recipients]
            raise DeliveryError(
                f"recipient refused: {_describe(exc)}", permanent=all(500 <= c < 600 for c in codes)
            ) from exc
        except (aiosmtplib.SMTPDataError, aiosmtplib.SMTPRecipientRefused) as exc:
            raise DeliveryError(
                f"refused: {_describe(exc)}", permanent=500 <= exc.code < 600, connection=exc.code == 421
            ) from exc
        except aiosmtplib.SMTPResponseException as exc:  # sender refused, 421 closing…: the set-up
            await self.close()
            raise DeliveryError(f"SMTP server refused: {_describe(exc)}", connection=True) from exc
        except (aiosmtplib.SMTPException, OSError) as exc:  # disconnected, timed out
            await self.close()
            raise DeliveryError(f"SMTP connection failed: {_describe(exc)}", connection=True) from exc

    async def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            if smtp.is_connected:
                await smtp.quit()
        except Exception:  # the connection is being dropped anyway
            smtp.close()


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}"[:900]


# --- files ---------------------------------------------------------------------------------------

#: Writes headers and body as UTF-8 (RFC 6532), so a text editor shows the Chinese as it is.
READABLE = email.policy.default.clone(utf8=True)


class FileChannel:
    """E-mail written as ``<outbox_dir>/<queued YYYYmmdd-HHMMSS>-<kind>-<message key>.eml``.

    The name depends only on the message, and the file is written to a temporary name, flushed to
    disk and renamed into place, so a retry after a crash replaces the same file: one file per
    message, never a half-written one."""

    name = EMAIL

    def __init__(self, directory: str | Path, mail_from: str) -> None:
        self.directory = Path(directory)
        self.mail_from = mail_from

    def path_for(self, message: Outbound) -> Path:
        return self.directory / f"{message.queued_at:%Y%m%d-%H%M%S}-{message.kind}-{message.key}.eml"

    async def send(self, message: Outbound) -> None:
        target = self.path_for(message)
        data = build_email(message, self.mail_from, readable=True).as_bytes(policy=READABLE)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            with temporary.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, target)
            directory = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except OSError as exc:
            raise DeliveryError(f"cannot write {target}: {exc}", connection=True) from exc

    async def close(self) -> None:
        return None


def make_channels(settings: Settings) -> dict[str, Channel]:
    """The channels of ``settings``: ``{"email": SmtpChannel or FileChannel}``."""
    if settings.smtp_url:
        smtp: Channel = SmtpChannel(
            SmtpConfig.from_url(settings.smtp_url), settings.mail_from, settings.smtp_timeout_seconds
        )
        return {EMAIL: smtp}
    return {EMAIL: FileChannel(settings.outbox_dir, settings.mail_from)}
