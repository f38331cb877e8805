"""The app served for a benchmark: ``uvicorn service.app:create_app --factory`` in a child process (one
worker, loopback, a free port), waited for until ``GET /health`` answers, stopped when the block ends.
Used by bench_churn, bench_pages, bench_recommend_http and bench_recommend_scale (run them with the
project's venv python: ``.venv/bin/python bench/NAME.py``, which finds this module beside them)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    """A TCP port free on the loopback interface now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Server:
    """A running server: its process (e.g. for its memory) and its base URL ``http://127.0.0.1:PORT``."""

    process: subprocess.Popen[bytes]
    base: str


def wait_for_health(process: subprocess.Popen[bytes], base: str, timeout: float, path: str = "/health") -> None:
    """Poll ``GET {base}{path}`` every 0.2 s until it answers. Raises ``RuntimeError`` when the process
    ends first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            httpx.get(f"{base}{path}", timeout=1)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("server did not start") from None
            time.sleep(0.2)


@contextmanager
def serve(
    env: Mapping[str, str],
    *,
    start_timeout: float = 60,
    stop_timeout: float = 30,
    root: Path = ROOT,
    app: str = "service.app:create_app",
    factory: bool = True,
    health: str = "/health",
) -> Iterator[Server]:
    """Serve the app with the environment ``env`` (its settings come from the ``VOCMATCH_*`` variables)
    for the duration of the block; the server is terminated at its end, also when the start fails.
    ``root`` is the folder it runs in (another checkout, with ``PYTHONPATH`` set to it in ``env``, for
    a side-by-side run), ``app`` the ASGI app (a factory unless ``factory`` is false) and ``health``
    the path polled until it answers."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            *(["--factory"] if factory else []),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--workers",
            "1",
        ],
        cwd=root,
        env=dict(env),
    )
    try:
        server = Server(process, f"http://127.0.0.1:{port}")
        wait_for_health(process, server.base, start_timeout, health)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=stop_timeout)
