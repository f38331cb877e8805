"""Offset pagination, identifier parameter types and the request-scoped session type shared by
every controller.

Identifiers are database keys stored as 64-bit signed integers (SQLite ``INTEGER``,
PostgreSQL ``BIGINT``/``INTEGER``), so every id a client can send (path, query or body) is bounded
to ``1 … 2**63 - 1`` here: a larger number is a 400 naming the parameter instead of reaching the
database driver (SQLite raises ``OverflowError``, PostgreSQL "value out of int64 range").
"""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.di import NamedDependency
from litestar.params import PathParameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

#: Largest value of a 64-bit signed integer, the widest key column on either backend.
MAX_ID = 2**63 - 1

#: The request's session; its transaction is committed after a 2xx/3xx response, else rolled back.
DbSession = NamedDependency[AsyncSession]
Limit = Annotated[int, QueryParameter(ge=1, le=200, description="page size (1–200)")]
Offset = Annotated[int, QueryParameter(ge=0, le=MAX_ID, description="items to skip")]

#: An id in the path, e.g. ``/graduates/{graduate_id:int}``: 1 … 2**63 - 1, else 400 naming it.
IdPath = Annotated[int, PathParameter(ge=1, le=MAX_ID, description="identifier (1 … 2^63-1)")]
#: An optional id filter in the query string, e.g. ``?employer_id=3``: 1 … 2**63 - 1.
IdQuery = Annotated[int | None, QueryParameter(ge=1, le=MAX_ID, description="identifier (1 … 2^63-1)")]
#: An id inside a JSON body (msgspec): 1 … 2**63 - 1, else 400 naming the field.
Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]


class Page(msgspec.Struct, Generic[T]):
    """One page of a list: ``items`` in a stable order, ``total`` matching items overall."""

    items: list[T]
    total: int
    limit: int
    offset: int
