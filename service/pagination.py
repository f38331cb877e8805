"""Offset pagination and the request-scoped session type shared by every controller."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

import msgspec
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

#: The request's session; its transaction is committed after a 2xx/3xx response, else rolled back.
DbSession = NamedDependency[AsyncSession]
Limit = Annotated[int, QueryParameter(ge=1, le=200, description="page size (1–200)")]
Offset = Annotated[int, QueryParameter(ge=0, description="items to skip")]


class Page(msgspec.Struct, Generic[T]):
    """One page of a list: ``items`` in a stable order, ``total`` matching items overall."""

    items: list[T]
    total: int
    limit: int
    offset: int
