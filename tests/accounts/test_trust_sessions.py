"""Issue 14, "Sessions and sign-in" (items 4–7), tried as a hostile caller would, over real HTTP on
both databases: forged refresh tokens, locking the owner out, forged client addresses, and
cross-site sign-in (login CSRF) and cookie requests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from litestar.middleware.csrf import generate_csrf_token
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import AuthSession
from service.accounts.security import derive_key, resolve_secret_key
from service.app import create_app
from service.cli.server import SERVER_OPTIONS
from service.config import Settings
from service.privacy.models import AuditEvent
from tests.accounts.conftest import PASSWORD, World, bearer, login
from tests.harness import http_client


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


# --- item 4: a forged refresh token revokes nothing ---------------------------------------------


def test_forged_refresh_token_revokes_nothing(client: httpx.Client, world: World, settings: Settings) -> None:
    """Anyone may post made-up refresh tokens — ``<sequential id>.x`` for every small id, or the
    real session's public id with a secret never issued — to ``/auth/refresh``, ``/auth/logout``
    and (as a cookie, with a valid CSRF pair) ``/auth/session/refresh``: each is a plain 401 (the
    logout's 204) and every live session keeps working."""
    owners = [login(client, world.logins[name]) for name in ("graduate_a", "school_a", "admin")]
    public_id = owners[0]["refresh_token"].split(".")[0]
    forged = [f"{n}.x" for n in range(1, 40)] + [f"{public_id}.x", f"{public_id}.{'A' * 43}"]
    csrf = generate_csrf_token(derive_key(resolve_secret_key(settings), "csrf"))
    for token in forged:
        assert client.post("/auth/refresh", json={"refresh_token": token}).status_code == 401
        assert client.post("/auth/logout", json={"refresh_token": token}).status_code == 204
        with http_client(
            base_url=str(client.base_url), timeout=30, cookies={"vocmatch_refresh": token, "vocmatch_csrf": csrf}
        ) as browser:
            assert browser.post("/auth/session/refresh", headers={"x-csrf-token": csrf}).status_code == 401
    for tokens in owners:
        assert client.get("/auth/me", headers=bearer(tokens)).status_code == 200
        renewed = client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
        assert renewed.status_code == 200, renewed.text


async def test_refresh_tokens_name_sessions_by_an_unguessable_id(
    client: httpx.Client, world: World, session: AsyncSession
) -> None:
    """The session part of a refresh token is 144 random bits, not the sequential database key."""
    tokens = [login(client, world.logins["graduate_a"])["refresh_token"] for _ in range(3)]
    names = [t.split(".")[0] for t in tokens]
    stored = (await session.execute(select(AuthSession.id, AuthSession.public_id))).all()
    assert len(set(names)) == 3 and all(len(n) >= 22 and not n.isdigit() for n in names)
    assert {n for n in names} <= {public for _, public in stored}
    assert not {str(ident) for ident, _ in stored} & set(names)


def test_a_rotated_away_refresh_token_still_revokes_its_session(client: httpx.Client, world: World) -> None:
    """Reuse detection keeps working for secrets really issued: a token two rotations old comes
    back (it was copied) and the whole session ends."""
    first = login(client, world.logins["employer_a"])
    second = client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]}).json()
    third = client.post("/auth/refresh", json={"refresh_token": second["refresh_token"]}).json()
    _problem(client.post("/auth/refresh", json={"refresh_token": first["refresh_token"]}), 401)
    _problem(client.get("/auth/me", headers=bearer(third)), 401)
    _problem(client.post("/auth/refresh", json={"refresh_token": third["refresh_token"]}), 401)


# --- item 5: no lock-out of the owner ------------------------------------------------------------


def _attempt(client: httpx.Client, account: str, password: str, address: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": address} if address else {}
    return client.post("/auth/login", json={"login": account, "password": password}, headers=headers)


@pytest.mark.parametrize("settings_overrides", [{"trusted_proxies": "127.0.0.1"}])
def test_failed_sign_ins_from_elsewhere_do_not_lock_out_the_owner(client: httpx.Client, world: World) -> None:
    """A guesser at another address fills every failure window for the account; the owner, from
    their own address and without any cookie, still signs in at the first try."""
    account = world.logins["graduate_a"]
    statuses = [_attempt(client, account, f"guess-{n}", "198.51.100.7").status_code for n in range(12)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    owner = _attempt(client, account, PASSWORD, "203.0.113.9")
    assert owner.status_code == 200, owner.text


def test_owner_with_a_device_cookie_signs_in_while_others_guess_from_the_same_address(
    client: httpx.Client, world: World, server: Any
) -> None:
    """Behind one school NAT: the owner signed in on this browser before (device cookie); a guesser
    at the same address keeps failing and is made to wait, the owner is not."""
    account = world.logins["school_a"]
    with http_client(base_url=server.base_url, timeout=30) as owner:
        assert _attempt(owner, account, PASSWORD).status_code == 200
        assert owner.cookies.get("vocmatch_device")
        statuses = [_attempt(client, account, f"guess-{n}").status_code for n in range(8)]
        assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
        again = _attempt(owner, account, PASSWORD)
        assert again.status_code == 200, again.text


@pytest.mark.parametrize("settings_overrides", [{"login_rate_per_account": "2/2 seconds;4/1 hour"}])
def test_each_run_of_failures_from_one_client_waits_longer(client: httpx.Client, world: World) -> None:
    """Growing delays: the first full window asks for seconds, the next one for about an hour."""
    account = world.logins["graduate_b"]
    assert [_attempt(client, account, "wrong").status_code for _ in range(2)] == [401, 401]
    first = _problem(_attempt(client, account, PASSWORD), 429)
    first_wait = int(_attempt(client, account, PASSWORD).headers["retry-after"])
    assert 0 < first_wait <= 2 and "for this account from this device or address" in first["detail"]
    time.sleep(2.2)
    assert [_attempt(client, account, "wrong").status_code for _ in range(2)] == [401, 401]
    second = _attempt(client, account, PASSWORD)
    assert second.status_code == 429 and int(second.headers["retry-after"]) > 3000


# --- item 6: client addresses are not forgeable ----------------------------------------------------


class ProductionServer:
    """The app served as ``vocmatch serve`` serves it (:data:`service.cli.server.SERVER_OPTIONS`), on a
    free loopback port in a background thread."""

    def __init__(self, settings: Settings) -> None:
        config = uvicorn.Config(
            create_app(settings), host="127.0.0.1", port=0, log_level="warning", lifespan="on", **SERVER_OPTIONS
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> httpx.Client:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive(), "server did not start"
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.client = http_client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        return self.client

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def production(settings: Settings, world: World) -> Iterator[httpx.Client]:
    with ProductionServer(settings) as c:
        yield c


async def _addresses(session: AsyncSession) -> tuple[list[str | None], list[str | None]]:
    await session.rollback()  # see what the server committed
    sessions = (await session.execute(select(AuthSession.client_ip).order_by(AuthSession.id))).scalars().all()
    audits = (await session.execute(select(AuditEvent.client_ip).order_by(AuditEvent.id))).scalars().all()
    return list(sessions), list(audits)


@pytest.mark.parametrize("settings_overrides", [{"login_rate_per_ip": "3/minute"}])
async def test_forwarded_for_is_not_believed_by_default(
    production: httpx.Client, world: World, session: AsyncSession
) -> None:
    """With no trusted proxy configured, ``X-Forwarded-For`` changes nothing: the login session and
    the audit log record the connection's address, and a fresh made-up address per attempt does
    not escape the per-address sign-in limit."""
    spoofed = {"X-Forwarded-For": "203.0.113.9"}
    tokens = production.post(
        "/auth/login", headers=spoofed, json={"login": world.logins["admin"], "password": PASSWORD}
    ).json()
    read = production.get(f"/graduates/{world.ids['graduate_a']}", headers={**bearer(tokens), **spoofed})
    assert read.status_code == 200
    sessions, audits = await _addresses(session)
    assert sessions == ["127.0.0.1"] and audits == ["127.0.0.1"]
    statuses = [
        production.post(
            "/auth/login",
            headers={"X-Forwarded-For": f"198.51.100.{n}"},
            json={"login": world.logins["school_a"], "password": PASSWORD},
        ).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("settings_overrides", [{"trusted_proxies": "127.0.0.1"}])
async def test_forwarded_for_from_a_trusted_proxy_names_the_client(
    production: httpx.Client, world: World, session: AsyncSession
) -> None:
    """From a proxy named in ``VOCMATCH_TRUSTED_PROXIES`` the client is the last address the proxy
    appended; whatever the client itself put before it is ignored."""
    forwarded = {"X-Forwarded-For": "10.9.9.9, 203.0.113.9"}  # the client claimed 10.9.9.9, nginx saw .9
    tokens = production.post(
        "/auth/login", headers=forwarded, json={"login": world.logins["admin"], "password": PASSWORD}
    ).json()
    assert (
        production.get(f"/graduates/{world.ids['graduate_a']}", headers={**bearer(tokens), **forwarded}).status_code
        == 200
    )
    assert await _addresses(session) == (["203.0.113.9"], ["203.0.113.9"])


# --- item 7: CSRF everywhere a cookie authenticates --------------------------------------------------


def _form_token(client: httpx.Client) -> str:
    client.get("/web/sign-in")
    return client.cookies["vocmatch_csrf"]


def test_cross_site_sign_in_is_refused(client: httpx.Client, world: World, server: Any) -> None:
    """Login CSRF: a page of another site cannot sign a visitor into the attacker's account. The
    web form needs its pre-session token, and a post another site sent is refused even with one;
    ``POST /auth/session`` refuses other sites' posts. Nothing is signed in either way."""
    account = {"login": world.logins["graduate_a"], "password": PASSWORD}
    assert client.post("/web/sign-in", data=account).status_code == 403  # no token: a forged form
    for headers in (
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Referer": "https://evil.example/page"},
    ):
        token = _form_token(client)
        refused = client.post("/web/sign-in", data={**account, "_csrf_token": token}, headers=headers)
        assert refused.status_code == 403, headers
        assert "vocmatch_access" not in refused.headers.get("set-cookie", "")
        _problem(client.post("/auth/session", json=account, headers=headers), 403)
    assert "vocmatch_access" not in client.cookies
    same_site = {"Origin": server.base_url, "Sec-Fetch-Site": "same-origin"}
    token = _form_token(client)
    signed_in = client.post("/web/sign-in", data={**account, "_csrf_token": token}, headers=same_site)
    assert signed_in.status_code == 303 and "vocmatch_access" in client.cookies
    assert client.post("/auth/session", json=account, headers=same_site).status_code == 201


def test_json_sign_in_routes_take_only_json(client: httpx.Client, world: World) -> None:
    """A cross-site form can send ``text/plain`` whose body reads as JSON; the JSON routes refuse
    anything but ``application/json`` (415) before reading the body."""
    body = ('{"login": "%s", "password": "%s"}' % (world.logins["graduate_a"], PASSWORD)).encode()
    for path in ("/auth/session", "/auth/login", "/auth/register", "/auth/refresh", "/auth/logout"):
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
            refused = client.post(path, content=body, headers={"Content-Type": content_type})
            assert refused.status_code == 415, (path, content_type, refused.text)
            assert "vocmatch_access" not in refused.headers.get("set-cookie", "")


def test_empty_authorization_header_does_not_skip_the_cookie_csrf_check(client: httpx.Client, world: World) -> None:
    """Only a real bearer token skips the cookie CSRF check: an empty ``Authorization`` header, a
    scheme without a token or another scheme leaves the request cookie-authenticated, so it needs
    the CSRF token; and a cookie request another site sent is refused even with the token."""
    opened = client.post("/auth/session", json={"login": world.logins["school_a"], "password": PASSWORD})
    assert opened.status_code == 201, opened.text
    for value in ("", "Bearer", "Basic Zm9vOmJhcg=="):
        refused = client.post("/auth/session/refresh", headers={"Authorization": value})
        assert refused.status_code == 403, (value, refused.text)
    csrf = client.cookies["vocmatch_csrf"]
    cross = client.post("/auth/session/refresh", headers={"x-csrf-token": csrf, "Origin": "https://evil.example"})
    assert cross.status_code == 403
    assert client.post("/auth/session/refresh", headers={"x-csrf-token": csrf}).status_code == 204
