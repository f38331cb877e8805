"""Run Alembic migrations programmatically (``vocmatch migrate``, app tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from service.config import Settings

_INI = Path(__file__).with_name("alembic.ini")


def alembic_config(settings: Settings) -> Config:
    cfg = Config(str(_INI))
    cfg.set_main_option("script_location", str(_INI.with_name("migrations")))
    cfg.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return cfg


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Migrate the database at ``settings.database_url`` to ``revision`` (creating a SQLite file's
    folder if needed). Synchronous: call it outside a running event loop."""
    if settings.is_sqlite:
        path = settings.database_url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(settings), revision)
