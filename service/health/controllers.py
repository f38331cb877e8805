"""Liveness and readiness."""

from __future__ import annotations

import msgspec
from litestar import get
from sqlalchemy import text

from service.errors import unavailable_problem
from service.pagination import DbSession


class Health(msgspec.Struct):
    status: str
    database: str


@get("/health", tags=["health"], summary="Health check")
async def health(db_session: DbSession) -> Health:
    """``{"status": "ok", "database": "ok"}`` when the database answers and holds the schema;
    503 (problem details, ``Retry-After``) otherwise, as every route answers then."""
    try:
        await db_session.execute(text("SELECT 1 FROM alembic_version"))
    except Exception as exc:  # whatever the driver raises, the database is not usable
        raise unavailable_problem() from exc
    return Health(status="ok", database="ok")
