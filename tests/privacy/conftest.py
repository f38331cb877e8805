"""Privacy fixtures: the accounts tests' world of two of everything (one account per role, own vs
foreign objects), plus signed-in HTTP clients per account and an anonymous one."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.accounts.conftest import (  # noqa: F401 - fixtures re-used here
    PASSWORD,
    World,
    bearer,
    login,
    settings,
    settings_overrides,
    world,
)
from tests.conftest import LiveServer

ID_NUMBER = "11010519491231002X"  # a valid GB 11643 number (check character X)


@pytest.fixture
def anon(server: LiveServer) -> Iterator[httpx.Client]:
    """A client with no credentials at all (the root ``client`` may carry a default sign-in)."""
    with httpx.Client(base_url=server.base_url, timeout=30) as c:
        yield c


@pytest.fixture
def as_user(server: LiveServer, world: World) -> Iterator[Callable[[str], httpx.Client]]:
    """``as_user("school_a")`` → a client sending that account's bearer token (signed in once)."""
    clients: dict[str, httpx.Client] = {}

    def get(name: str) -> httpx.Client:
        if name not in clients:
            c = httpx.Client(base_url=server.base_url, timeout=30)
            c.headers.update(bearer(login(c, world.logins[name])))
            clients[name] = c
        return clients[name]

    yield get
    for c in clients.values():
        c.close()
