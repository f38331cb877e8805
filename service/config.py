"""One typed settings object, read from ``VOCMATCH_*`` environment variables.

Every setting has a default that serves the embedded SQLite database, so the
service starts with no configuration at all. See README.md ("Configuration").
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

ENV_PREFIX = "VOCMATCH_"
DEFAULT_SQLITE_PATH = Path("var/vocmatch.sqlite3")


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Service settings.

    Attributes:
        database_url: SQLAlchemy async URL. ``sqlite+aiosqlite:///path`` (embedded default)
            or ``postgresql+asyncpg://user@host:5432/db``.
        debug: Litestar debug mode (never on in production: it puts tracebacks in error bodies).
        echo_sql: log every SQL statement.
        host / port: where ``vocmatch serve`` listens.
        workers: uvicorn worker processes for ``vocmatch serve``.
        page_size_max: largest ``limit`` a list endpoint accepts.
        recommend_limit_max: largest ``limit`` for recommendations / candidates.
        model_dir: where trained ranking models are stored (skops files).
    """

    database_url: str = f"sqlite+aiosqlite:///{DEFAULT_SQLITE_PATH}"
    debug: bool = False
    echo_sql: bool = False
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    page_size_max: int = 200
    recommend_limit_max: int = 100
    model_dir: str = "var/models"

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
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
