"""Liveness and readiness."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.exceptions import ServiceUnavailableException
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from service.pagination import DbSession


class Health(msgspec.Struct):
    status: str
    database: str


@get("/health", tags=["health"], summary="Health check")
async def health(db_session: DbSession) -> Health:
    """``{"status": "ok", "database": "ok"}`` when the database answers ``SELECT 1``; 503 otherwise."""
    try:
        await db_session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as exc:
        raise ServiceUnavailableException("database unreachable") from exc
    return Health(status="ok", database="ok")
