"""Hardening over real HTTP: security headers, the 413 that names the limit, cookie sessions with
CSRF, the API rate limit, and the signing secret kept in ``var/``."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pytest

from service.accounts.security import resolve_secret_key
from service.config import Settings
from tests.accounts.conftest import PASSWORD, World, bearer, login
from tests.harness import http_client


def test_security_headers_on_data_errors_and_docs(client: httpx.Client) -> None:
    for response in (client.get("/health"), client.get("/no-such-page"), client.post("/auth/login", json={})):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
        assert "strict-transport-security" not in response.headers
    docs = client.get("/docs/swagger")
    assert docs.status_code == 200 and "script-src 'self'" in docs.headers["content-security-policy"]


@pytest.mark.parametrize("settings_overrides", [{"hsts_seconds": 31536000}])
def test_hsts_when_configured(client: httpx.Client) -> None:
    assert client.get("/health").headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


def test_signed_in_responses_are_not_cached(client: httpx.Client, world: World) -> None:
    assert "no-store" not in client.get("/health").headers.get("cache-control", "")
    assert (
        client.get("/auth/me", headers=bearer(login(client, world.logins["admin"]))).headers["cache-control"]
        == "no-store"
    )


@pytest.mark.parametrize("settings_overrides", [{"max_body_bytes": 1000}])
def test_oversized_body_is_413_naming_the_limit(client: httpx.Client, admin_client: httpx.Client) -> None:
    employer = {"name": "x" * 2000}  # a route of the default kind: VOCMATCH_MAX_BODY_BYTES
    response = admin_client.post("/employers", json=employer)
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "limit of 1000 bytes" in response.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted while streaming
        yield msgspec.json.encode(employer)[:600]
        yield msgspec.json.encode(employer)[600:]

    streamed = admin_client.post("/employers", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413, streamed.text
    assert "limit of 1000 bytes" in streamed.json()["detail"]
    assert admin_client.get("/employers").json()["total"] == 0
    # sign-in routes have their own, smaller limit (service.inputs.SIGN_IN_BODY_BYTES)
    body = {"role": "graduate", "email": "a@b.cn", "password": PASSWORD, "graduate": {"name": "x" * 20_000}}
    response = client.post("/auth/register", json=body)
    assert response.status_code == 413 and "limit of 16384 bytes" in response.json()["detail"], response.text
    assert admin_client.get("/graduates").json()["total"] == 0
    small = client.post("/auth/register", json=body | {"graduate": {"name": "陈小明"}})
    assert small.status_code == 202, small.text


def test_cookie_session_needs_the_csrf_token(client: httpx.Client, world: World) -> None:
    opened = client.post("/auth/session", json={"login": world.logins["school_a"], "password": PASSWORD})
    assert opened.status_code == 201, opened.text
    assert "access_token" not in opened.text and opened.json()["role"] == "school"
    set_cookie = opened.headers.get_list("set-cookie")
    assert any(c.startswith("vocmatch_access=") and "HttpOnly" in c for c in set_cookie)
    assert any(c.startswith("vocmatch_refresh=") and "Path=/auth" in c and "HttpOnly" in c for c in set_cookie)
    csrf = client.cookies["vocmatch_csrf"]

    assert client.get("/auth/me").json()["role"] == "school"  # safe method: cookie alone is enough
    refused = client.post("/auth/session/refresh")
    assert refused.status_code == 403 and "CSRF" in refused.text
    forged = client.post("/auth/session/refresh", headers={"x-csrf-token": "0" * 128})
    assert forged.status_code == 403
    renewed = client.post("/auth/session/refresh", headers={"x-csrf-token": csrf})
    assert renewed.status_code == 204, renewed.text
    assert client.get("/auth/me").status_code == 200

    assert client.delete("/auth/session").status_code == 403
    assert client.delete("/auth/session", headers={"x-csrf-token": csrf}).status_code == 204
    assert client.get("/auth/me").status_code == 401

    client.cookies.set("vocmatch_refresh", "1.stale", path="/auth")  # a stale cookie does not block signing in
    again = client.post("/auth/session", json={"login": world.logins["school_a"], "password": PASSWORD})
    assert again.status_code == 201, again.text


def test_bearer_requests_need_no_csrf_token(client: httpx.Client, world: World) -> None:
    tokens = login(client, world.logins["admin"])
    client.cookies.set("vocmatch_access", "stale")
    response = client.post(
        "/auth/users", headers=bearer(tokens), json={"role": "admin", "email": "second@x.cn", "password": PASSWORD}
    )
    assert response.status_code == 202, response.text


@pytest.mark.parametrize("settings_overrides", [{"api_rate_per_minute": 3}])
def test_api_rate_limit(client: httpx.Client) -> None:
    statuses = [client.get("/regions").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert client.get("/health").status_code == 200  # health and docs are never limited


def test_secret_key_is_kept_in_a_private_file(tmp_path: Path) -> None:
    settings = Settings(secret_key_file=str(tmp_path / "var" / "secret_key"))
    first = resolve_secret_key(settings)
    assert len(first) >= 32 and first == resolve_secret_key(settings)  # every worker reads the same key
    assert stat.S_IMODE(os.stat(tmp_path / "var" / "secret_key").st_mode) == 0o600
    assert list((tmp_path / "var").iterdir()) == [tmp_path / "var" / "secret_key"]
    assert resolve_secret_key(Settings(secret_key="k" * 40, secret_key_file=settings.secret_key_file)) == "k" * 40
    with pytest.raises(ValueError, match="VOCMATCH_SECRET_KEY must have at least 32 characters"):
        resolve_secret_key(Settings(secret_key="short"))


def test_tokens_survive_a_restart_with_the_same_key(settings: Settings, world: World) -> None:
    from tests.conftest import LiveServer

    with LiveServer(settings) as first, http_client(base_url=first.base_url) as client:
        tokens = login(client, world.logins["admin"])
    with LiveServer(settings) as second, http_client(base_url=second.base_url) as client:
        assert client.get("/auth/me", headers=bearer(tokens)).json()["role"] == "admin"


def test_registrations_are_limited_per_address(client: httpx.Client, admin_client: httpx.Client) -> None:
    """The default ``VOCMATCH_REGISTER_RATE_PER_IP`` (10/hour): a burst of sign-ups from one address
    stops at the limit with 429 and ``Retry-After``; refused attempts count too; login is unaffected."""

    def register(n: int) -> httpx.Response:
        return client.post(
            "/auth/register",
            json={
                "role": "graduate",
                "email": f"burst{n}@example.cn",
                "password": PASSWORD,
                "graduate": {"name": f"学生{n}"},
            },
        )

    statuses = [register(n).status_code for n in range(9)]
    taken = client.post(
        "/auth/register",
        json={"role": "graduate", "email": "burst0@example.cn", "password": PASSWORD, "graduate": {"name": "重复"}},
    )
    assert statuses == [202] * 9 and taken.status_code == 202  # a taken address: the same answer
    refused = register(99)
    assert refused.status_code == 429, refused.text
    assert "too many registrations from this address (limit 10 per 1 hour)" in refused.json()["detail"]
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert admin_client.get("/graduates").json()["total"] == 9
    assert client.post("/auth/login", json={"login": "burst1@example.cn", "password": PASSWORD}).status_code == 200


@pytest.mark.parametrize("settings_overrides", [{"register_rate_per_ip": "2/minute"}])
def test_registration_limit_is_a_setting(client: httpx.Client) -> None:
    bodies = [
        {"role": "employer", "email": f"e{n}@example.cn", "password": PASSWORD, "employer": {"name": f"单位{n}"}}
        for n in range(3)
    ]
    assert [client.post("/auth/register", json=b).status_code for b in bodies] == [202, 202, 429]
