"""Bodies cost what they are allowed to (issue 14, item 9): every route has a body limit of its
kind, refused with 413 before the body is read, and a body a route does not take is never read
nor decoded. (Before: one app-wide limit of 10 MB, and a refused 10 MB sign-in body cost ~86 MiB
of the server's memory, never given back; ``bench/bench_hostile_requests.py`` prints the figures.)"""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from service.app import create_app
from service.config import Settings
from service.inputs import SIGN_IN_BODY_BYTES, TEXT_BODY_BYTES
from service.internships.storage import MAX_AGREEMENT_BYTES
from service.rosters.controllers import MAX_UPLOAD_BODY_BYTES

DEFAULT = Settings().max_body_bytes
SIGN_IN = {
    "/auth/",
    "/web/sign-in",
    "/web/sign-out",
    "/employers/{employer_id:int}/verify",
    "/employers/{employer_id:int}/refuse",
    "/graduates/{graduate_id:int}/deletion-request",
    "DELETE /graduates/{graduate_id:int}",
    "/web/sign-up",
    "/web/sign-up/employer",
    "/web/sign-up/trainee",
    "/web/activate",
}
TEXT = {
    "/graduates",
    "PATCH /graduates/{graduate_id:int}",
    "/postings",
    "/postings/{posting_id:int}",
    "/web/profile",
    "/web/postings/new",
    "/web/postings/{posting_id:int}/edit",
}
UPLOADS = {"/schools/{school_code:str}/rosters", "/web/roster"}
#: Signed agreements (三方协议, PDF) of internship placements and the graduates' résumé attachments (PDF or
#: .docx): the largest file's limit (10 MiB) and a form's worth more.
ATTACHMENTS = {
    "/internships/{internship_id:int}/agreement",
    "POST /web/internships/new",
    "/graduates/{graduate_id:int}/resume/attachment",
    "POST /web/resume/attachment",
}


def _kind(method: str, path: str) -> str:
    def among(names: set[str]) -> bool:
        return any(path == n or f"{method} {path}" == n or (n.endswith("/") and path.startswith(n)) for n in names)

    if among(UPLOADS):
        return "upload"
    if among(ATTACHMENTS) and method == "POST":
        return "attachment"
    if among(SIGN_IN):
        return "sign-in"
    if among(TEXT) and method in ("POST", "PATCH"):
        return "text"
    return "default"


LIMITS = {
    "upload": MAX_UPLOAD_BODY_BYTES,
    "attachment": MAX_AGREEMENT_BYTES + 64 * 1024,
    "sign-in": SIGN_IN_BODY_BYTES,
    "text": TEXT_BODY_BYTES,
    "default": DEFAULT,
}


def test_every_route_has_a_body_limit_of_its_kind(tmp_path) -> None:
    app = create_app(
        Settings(
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}",
            warm_up=False,
            secret_key_file=str(tmp_path / "secret_key"),
        )
    )
    seen = []
    for route in app.routes:
        for method, handler in getattr(route, "route_handler_map", {}).items():
            handler = handler[0] if isinstance(handler, tuple) else handler
            if method in ("GET", "HEAD", "OPTIONS"):
                continue
            kind = _kind(method, route.path)
            seen.append((method, route.path, kind, handler.resolve_request_max_body_size()))
    wrong = [(m, p, kind, got) for m, p, kind, got in seen if got != LIMITS[kind]]
    assert not wrong, f"routes whose body limit is not their kind's: {wrong}"
    assert DEFAULT <= 64 * 1024 and SIGN_IN_BODY_BYTES <= 16 * 1024
    assert {kind for *_, kind, _ in seen} == set(LIMITS)
    assert max(got for *_, kind, got in seen if kind not in ("upload", "attachment")) <= TEXT_BODY_BYTES


def test_a_big_sign_in_body_is_refused_before_it_is_read(anon_client: httpx.Client) -> None:
    body = b'{"login": "a@b.cn", "password": "' + b"x" * (2 * SIGN_IN_BODY_BYTES) + b'"}'
    r = anon_client.post("/auth/login", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 413, r.text
    assert f"limit of {SIGN_IN_BODY_BYTES} bytes" in r.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: stopped as soon as it passes the limit
        for i in range(0, len(body), 4096):
            yield body[i : i + 4096]

    r = anon_client.post("/auth/login", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and f"limit of {SIGN_IN_BODY_BYTES} bytes" in r.json()["detail"], r.text
    assert anon_client.get("/health").status_code == 200


def test_a_body_the_route_does_not_take_is_never_decoded(client: httpx.Client) -> None:
    """``DELETE /graduates/{id}`` and ``POST /employers/{id}/verify`` take no body: one that the
    input check would refuse if it decoded it (a NUL character) reaches the route untouched."""
    nul = b'{"note": "\\u0000"}'
    headers = {"content-type": "application/json"}
    assert client.request("DELETE", "/graduates/999999", content=nul, headers=headers).status_code == 404
    assert client.post("/employers/999999/verify", content=nul, headers=headers).status_code == 404
    # a route that takes a body still has it checked
    r = client.post("/employers", content=b'{"name": "a\\u0000b"}', headers=headers)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "name", r.text
