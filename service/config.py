"""One typed settings object, read from ``VOCMATCH_*`` environment variables.

Every setting has a default that serves the embedded SQLite database, so the
service starts with no configuration at all. See README.md ("Configuration").
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import msgspec

from vocab import TIMEZONE

ENV_PREFIX = "VOCMATCH_"
DEFAULT_SQLITE_PATH = Path("var/vocmatch.sqlite3")
#: The service's time zone, :data:`vocab.TIMEZONE` (Asia/Shanghai), for the scheduler's cron times
#: (``--timezone`` default), local dates (a crawled posting's ``valid_through``, the latest start date
#: of a hire: one entered at 07:00 in Beijing, 23:00 UTC the day before, may start "today"), and the
#: times shown on pages, in notification texts, interview calendars and report captions; ``ZONE`` is it
#: as a ``tzinfo``.
ZONE = ZoneInfo(TIMEZONE)


def beijing_date(moment: dt.datetime) -> dt.date:
    """The calendar date of the instant ``moment`` in :data:`ZONE` (a naive value is taken as UTC, as
    stored: :class:`service.db.UtcDateTime`)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(ZONE).date()


def beijing_today() -> dt.date:
    """Today on the users' calendar, :data:`ZONE`'s (Asia/Shanghai), whatever the server's zone: the
    day every page and answer means by "today". Use it for what *is* today — the postings open today
    (a posting valid through D takes applications until D has passed in Beijing, the rule of the
    nightly expiry job, :func:`service.imports.runs.expire_postings`, so the two always agree), a new
    posting's ``posted_on``, the recommendations' and the job search's day, saved jobs' states, the
    cohort year, dates printed on documents. Not the server's date (from 16:00 to 24:00 UTC a server on
    UTC is a day behind: a posting that closed yesterday in Beijing still took applications), nor
    :func:`latest_today` (on a server whose calendar is ahead of Beijing's it would close postings
    and date new ones a day early)."""
    return beijing_date(dt.datetime.now(dt.UTC))


def latest_today() -> dt.date:
    """Today as the later of two calendars: :data:`ZONE`'s (:func:`beijing_today`, the users') and the
    server's (often UTC: a day behind from 16:00 to 24:00 UTC). The lenient upper bound of dates a user
    enters ("not in the future": a birth date, a certificate's date, an award's year, the latest day a
    hire or an outcome may be dated — a date that is today on either calendar is accepted) and the
    destinations' "as of" day (a graduate's current destination, the follow-up list, the dashboards):
    an outcome started today in Beijing is accepted and current at once (with the server's date it
    was refused as in the future, or shown as not yet current, every evening UTC). On a server on UTC
    or on Beijing time it equals :func:`beijing_today`; use that one for what is open, new or current
    "today" outside the destinations."""
    return max(beijing_today(), dt.date.today())


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Service settings.

    Attributes:
        database_url: SQLAlchemy async URL. ``sqlite+aiosqlite:///path`` (embedded default)
            or ``postgresql+asyncpg://user@host:5432/db``.
        debug: Litestar debug mode (never on in production: it puts tracebacks in error bodies).
        echo_sql: log every SQL statement.
        host / port: where ``vocmatch serve`` listens.
        workers: uvicorn worker processes for ``vocmatch serve``.
        model_dir: where trained ranking models are stored (skops files).
        warm_up: build the recommendation index in the background at start-up.
        recommendation_index: ``live`` (default): postings added, edited or closed reach the index
            as deltas through the postings' change feed (``posting_changes``, read by a background
            task of each worker) and full rebuilds run in the background; ``scan``: the same deltas,
            found by reading the postings' change key on every request; ``refit``: the oldest path,
            every change to the postings table (applications too) refits the index inside the next
            request (both kept for ``bench/bench_churn.py``'s side-by-side figures).
        change_poll_seconds: how often each worker reads the change feed (on PostgreSQL a ``NOTIFY``
            wakes it at once as well).
        index_rebuild_seconds: a live index with pending deltas is rebuilt in full (fresh vocabulary and
            statistics) at most this often, in the background; the old index serves meanwhile.
        index_process_min_postings: full builds of at least this many postings run in a separate
            process (smaller ones, under a second, in a thread with its own connection).
        index_dir: where those builds save the content index as a snapshot that every worker of the
            host memory-maps (``<index_dir>/<seq>``, :mod:`service.recommendations.snapshots`); a
            worker starting while a snapshot of today is there maps it instead of fitting one. Empty:
            no snapshots (the build process sends its index to the worker, as before).
        crawl_boards: comma-separated board names (``scrapers/boards``) the scheduler crawls daily.
        stale_after_crawls: a crawled posting no board has listed for this many consecutive
            completed crawls of its boards is stale and no longer shown to graduates.
        secret_key: signs access tokens (JWT HS256) and CSRF tokens; at least 32 characters.
            Production MUST set ``VOCMATCH_SECRET_KEY`` to the same value on every worker and host.
            Empty (the embedded default): a random key is created once in ``secret_key_file``
            and shared by every worker that reads that file.
        secret_key_file: where the embedded default key is kept (created with mode 0600).
        access_token_ttl_seconds: lifetime of an access token (JWT), seconds.
        refresh_token_ttl_seconds: lifetime of a login session / refresh token, seconds.
        cookie_secure: mark session cookies ``Secure`` (HTTPS only); off only for plain-HTTP tests.
        login_rate_per_ip: sign-in attempts allowed per client IP, in the ``limits`` notation
            (``"20/minute"``).
        login_rate_per_account: failed sign-ins allowed per account *and client* (the device that
            signed in to the account before, else the client IP), one or more ``limits`` windows
            separated by ``;`` — each full window makes the next wait longer; failures from one
            client never delay another (no lock-out of the owner).
        register_rate_per_ip: self-registrations (``POST /auth/register``) allowed per client IP,
            in the ``limits`` notation (``"10/hour"``); every attempt counts, refused ones included.
        api_rate_per_minute: requests per minute per signed-in user (else per client IP).
        rate_limit_storage_uri: ``limits`` storage for the login counters (``async+memory://`` is
            per process; several workers should share ``async+redis://host:6379``).
        trusted_proxies: comma-separated addresses or networks (``10.0.0.5``, ``172.16.0.0/12``) of
            the reverse proxies whose ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed;
            empty (the default) believes nobody's, so the client address is the connection's.
        max_body_bytes: largest request body of most JSON routes, bytes; larger is 413 (refused before
            it is read). Routes set their own: sign-in 16 KiB, profiles and postings 1 MiB, roster
            uploads 50 MiB (:mod:`service.inputs`, :mod:`service.rosters.controllers`).
        hsts_seconds: ``Strict-Transport-Security`` max-age; 0 sends none (set it behind HTTPS).
        report_term_ends: term ends (学期末) as ``MM-DD`` list; the ``term_end`` report snapshot is
            taken as of each, the day after (:mod:`service.reports.scheduled`).
        report_initial_date / report_year_end_date: ``MM-DD`` of the 初次 and 年终 statistics dates.
        report_salary_bands: upper edges (元/月, included) of the reports' starting-salary bands,
            increasing whole numbers: ``2000,3000,4000,5000,6000`` gives 2000元及以下, 2001–3000元, …,
            5001–6000元, 6001元及以上 (:func:`service.reports.definitions.salary_bands`).
            Invalid dates or edges stop start-up with an error naming the variable.
        smtp_url: where notification e-mails go (:mod:`service.notifications.channels`):
            ``smtp://user:pass@host:587?starttls=true`` (STARTTLS), ``smtps://user:pass@host:465``
            (TLS from the start) or ``smtp://host:25``; user and password percent-encoded. Empty (the
            default): e-mails are written as ``.eml`` files to ``outbox_dir`` instead.
        smtp_timeout_seconds: timeout of each SMTP command (connect, MAIL, RCPT, DATA…), seconds.
        mail_from: the ``From`` of notification e-mails (``名字 <address>`` or an address); its domain
            is also the right-hand side of every ``Message-ID``.
        outbox_dir: where the file channel writes ``.eml`` files when ``smtp_url`` is empty.
        attachment_dir: where uploaded attachments are stored, outside the database (the internship
            agreements, 三方协议, under ``internships/``; the graduates' résumé attachments under
            ``resumes/``); back it up with the database.
        max_resume_attachment_bytes: largest résumé attachment (PDF or DOCX) a graduate may upload,
            bytes (default 5 MiB; at most 10 MiB, the upload routes' body limit).
        resume_font: a TrueType font file (``.ttf`` or ``.ttc``, first face) with Chinese glyphs that
            résumé PDFs embed (subset). Empty (the default): the first of
            :data:`service.resumes.pdf.FONT_CANDIDATES` that exists — Debian's ``fonts-wqy-zenhei``,
            which ``.ci/run`` and the Dockerfile install. Set but missing stops start-up.
        public_url: the service's address as users reach it, for links in e-mails.
        notify_batch_size: outbox rows one drainer claims at a time.
        notify_connections: channel connections (SMTP sessions) one drainer sends over at once; also
            the most messages a killed drainer can send twice (see ``service.notifications.delivery``).
        notify_lease_seconds: how long a claimed outbox row stays reserved for its drainer; a row whose
            lease expired (its drainer died) is claimed again. Must exceed the time one message may take
            (every send is cut off at half the lease).
        notify_max_attempts: delivery attempts of one message before it is marked ``failed``.
        notify_retry_base_seconds / notify_retry_max_seconds: back-off after a failed attempt n is
            ``min(max, base · 2^(n-1))``, of which a random 50–100 % is waited.
        notify_drain_interval_seconds: how often the scheduler drains the outbox.
        message_rate_per_sender: messages one account may send in its application threads, one or
            more ``limits`` windows separated by ``;`` (counted from the stored messages, so the
            limit holds across workers and restarts); beyond it 429 with ``Retry-After``.
        invitation_rate_per_sender: invitations to apply one employer account may send, likewise.
        notify_keep_sent_days: sent outbox rows (the e-mails' texts) are deleted after this many days
            (the in-app inbox is kept).
    """

    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}"
    debug: bool = False
    echo_sql: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    model_dir: str = "var/models"
    warm_up: bool = True
    recommendation_index: Literal["live", "scan", "refit"] = "live"
    change_poll_seconds: float = 1.0
    index_rebuild_seconds: float = 300.0
    index_process_min_postings: int = 2000
    index_dir: str = "var/index"
    crawl_boards: str = ""
    stale_after_crawls: int = 3
    secret_key: str = ""
    secret_key_file: str = "var/secret_key"
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 14 * 24 * 3600
    cookie_secure: bool = True
    login_rate_per_ip: str = "20/minute"
    login_rate_per_account: str = "5/minute;10/15 minutes;20/hour;50/day"
    register_rate_per_ip: str = "10/hour"
    api_rate_per_minute: int = 600
    rate_limit_storage_uri: str = "async+memory://"
    max_body_bytes: int = 64 * 1024
    trusted_proxies: str = ""
    hsts_seconds: int = 0
    report_term_ends: str = "01-31,07-31"
    report_initial_date: str = "09-01"
    report_year_end_date: str = "12-31"
    report_salary_bands: str = "2000,3000,4000,5000,6000"
    smtp_url: str = ""
    smtp_timeout_seconds: float = 30.0
    mail_from: str = "vocmatch <no-reply@vocmatch.localhost>"
    outbox_dir: str = "var/outbox"
    attachment_dir: str = "var/attachments"
    max_resume_attachment_bytes: int = 5 * 1024 * 1024
    resume_font: str = ""
    public_url: str = "http://127.0.0.1:8000"
    notify_batch_size: int = 50
    notify_connections: int = 4
    notify_lease_seconds: int = 300
    notify_max_attempts: int = 8
    notify_retry_base_seconds: float = 60.0
    notify_retry_max_seconds: float = 6 * 3600.0
    notify_drain_interval_seconds: int = 15
    notify_keep_sent_days: int = 30
    message_rate_per_sender: str = "10/minute;60/hour;300/day"
    invitation_rate_per_sender: str = "30/hour;100/day"

    def __post_init__(self) -> None:
        from service.notifications.channels import check_mail_settings
        from service.reports.dates import parse_month_days
        from service.reports.definitions import parse_salary_edges

        parse_month_days(self.report_term_ends, ENV_PREFIX + "REPORT_TERM_ENDS")
        parse_month_days(self.report_initial_date, ENV_PREFIX + "REPORT_INITIAL_DATE", single=True)
        parse_month_days(self.report_year_end_date, ENV_PREFIX + "REPORT_YEAR_END_DATE", single=True)
        parse_salary_edges(self.report_salary_bands, ENV_PREFIX + "REPORT_SALARY_BANDS")
        check_mail_settings(self, ENV_PREFIX)
        from limits import parse_many

        from service.storage import MAX_FILE_BYTES

        if not 1 <= self.max_resume_attachment_bytes <= MAX_FILE_BYTES:
            raise ValueError(
                f"{ENV_PREFIX}MAX_RESUME_ATTACHMENT_BYTES: {self.max_resume_attachment_bytes} is not "
                f"between 1 and {MAX_FILE_BYTES} (10 MiB, the upload routes' body limit)"
            )
        if self.resume_font and not Path(self.resume_font).is_file():
            raise ValueError(
                f"{ENV_PREFIX}RESUME_FONT: {self.resume_font!r} is not a file; name a TrueType font "
                "with Chinese glyphs (e.g. /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc) or leave it empty"
            )
        for name in ("message_rate_per_sender", "invitation_rate_per_sender"):
            try:
                parse_many(getattr(self, name))
            except ValueError as exc:
                raise ValueError(f"{ENV_PREFIX}{name.upper()}: {exc} (e.g. '10/minute;300/day')") from None

    @property
    def salary_edges(self) -> tuple[int, ...]:
        """:attr:`report_salary_bands` parsed (validated at start-up)."""
        from service.reports.definitions import parse_salary_edges

        return parse_salary_edges(self.report_salary_bands)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Build settings from ``VOCMATCH_<FIELD>`` variables (e.g. ``VOCMATCH_DATABASE_URL``).

        Raises:
            ValueError: a variable cannot be converted to its field's type; the message names it.
        """
        environ = os.environ if environ is None else environ
        raw: dict[str, object] = {}
        for field in msgspec.structs.fields(cls):
            key = ENV_PREFIX + field.name.upper()
            if key in environ:
                raw[field.name] = environ[key]
        raw.update(overrides)
        try:
            return msgspec.convert(raw, cls, strict=False)
        except msgspec.ValidationError as exc:
            raise ValueError(f"invalid setting: {exc} (environment variables {ENV_PREFIX}*)") from exc

    @property
    def crawl_board_names(self) -> list[str]:
        return [b.strip() for b in self.crawl_boards.split(",") if b.strip()]

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
