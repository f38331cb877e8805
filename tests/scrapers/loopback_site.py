"""A small job board on 127.0.0.1 for crawl tests: saved pages, robots.txt and misbehaving routes.

Routes: ``/robots.txt`` (disallows ``/private/``), ``/jobs/…`` and ``/job/…`` (the saved pages in
``fixtures/board_cn``, with ETags: a matching ``If-None-Match`` gets 304), ``/job/104.html``
(always 500: the failing page), ``/retry-after`` (429 with ``Retry-After: 1`` once, then 200),
``/flaky`` (503 once, then 200), ``/always-503``, ``/slow`` (answers after 2 s),
``/loop`` (redirects to itself), ``/big`` (2 MB), ``/gone`` (404). Every request is logged.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).parent / "fixtures" / "board_cn"


class Site:
    """Start with ``with Site() as site``; ``site.url(path)``; ``site.log`` = [(path, headers)]."""

    def __init__(self, robots: str = "User-agent: *\nDisallow: /private/\n", robots_status: int = 200) -> None:
        self.robots, self.robots_status = robots, robots_status
        self.log: list[tuple[str, dict[str, str]]] = []
        self.hits: Counter[str] = Counter()
        self.pages = {
            f"/jobs/{p.name}" if p.name.startswith("list") else f"/job/{p.name.removeprefix('job_')}": p.read_bytes()
            for p in PAGES.glob("*.html")
        }
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # http.server's name
                path = self.path.split("?", 1)[0]
                site.log.append((self.path, dict(self.headers.items())))  # with the query
                site.hits[path] += 1
                n = site.hits[path]
                html = {"Content-Type": "text/html; charset=utf-8"}
                if path == "/robots.txt":
                    self._send(site.robots_status, site.robots.encode(), {"Content-Type": "text/plain"})
                elif path == "/job/104.html" or path == "/always-503":
                    self._send(500 if path == "/job/104.html" else 503, b"error", html)
                elif path == "/retry-after":
                    self._send(429, b"slow down", {"Retry-After": "1"}) if n == 1 else self._send(200, b"ok", html)
                elif path == "/flaky":
                    self._send(503, b"busy") if n == 1 else self._send(200, "好了".encode(), html)
                elif path == "/slow":
                    time.sleep(2)
                    self._send(200, b"late", html)
                elif path == "/loop":
                    self._send(302, b"", {"Location": "/loop"})
                elif path == "/big":
                    self._send(200, b"x" * 2_000_000, html)
                elif path in site.pages:
                    body = site.pages[path]
                    etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                    if self.headers.get("If-None-Match") == etag:
                        self._send(304, b"", {"ETag": etag})
                    else:
                        self._send(200, body, {**html, "ETag": etag})
                else:
                    self._send(404, b"not found", html)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
