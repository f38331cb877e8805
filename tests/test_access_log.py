"""No personal data in access logs (issue 14, item 17): a real ``vocmatch serve`` process logs
each request with its query values redacted. (Before: uvicorn logged ``GET /graduates?q=<name>``
as it came.)"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx

from service.access_log import redact
from service.config import Settings
from service.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
NAME, PHONE, ID_NUMBER = "李晓峰", "13800138123", "11010519491231002X"


def test_redact_keeps_the_path_and_names_but_no_value() -> None:
    assert redact("/graduates") == "/graduates"
    assert redact(f"/graduates?q={quote(NAME)}&limit=20") == "/graduates?q=[redacted]&limit=[redacted]"
    assert redact(f"/web/jobs?{quote(NAME)}&city=") == "/web/jobs?[redacted]=[redacted]&city=[redacted]"
    assert redact("/x?") == "/x?"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_served_access_log_holds_no_query_values(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'log.sqlite3'}"
    upgrade(Settings(database_url=url))
    port = _free_port()
    env = {
        **os.environ,
        "VOCMATCH_DATABASE_URL": url,
        "VOCMATCH_WARM_UP": "false",
        "VOCMATCH_PORT": str(port),
        "VOCMATCH_SECRET_KEY_FILE": str(tmp_path / "secret_key"),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(base + "/health", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        params = {"q": NAME, "phone": PHONE, "id_number": ID_NUMBER}
        assert httpx.get(base + "/health", params=params).status_code == 200
        assert httpx.get(base + "/graduates", params=params).status_code == 401
        assert httpx.get(base + "/web/jobs", params={"q": NAME}).status_code in (200, 303)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    log = out.decode("utf-8", "replace")
    assert '"GET /health?q=[redacted]&phone=[redacted]&id_number=[redacted] HTTP/1.1" 200' in log, log
    assert "/graduates?q=[redacted]" in log and "/web/jobs?q=[redacted]" in log, log
    for secret in (NAME, quote(NAME), PHONE, ID_NUMBER):
        assert secret not in log, f"{secret!r} in the access log:\n{log}"
