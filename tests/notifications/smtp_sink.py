"""A real SMTP server for tests and benchmarks: aiosmtpd on a free loopback port, in its own thread.

It keeps every message it accepted (parsed, with its ``Message-ID``) and can be told to refuse
(``sink.refuse = "451 4.3.0 try again later"``: every DATA is answered with that line; the refused
messages' IDs are kept in ``refused_ids``), to answer slowly (``sink.delay`` seconds per message),
or be stopped and started again on the same port (a server that is down, then back).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's name
        if self.sink.delay:
            await asyncio.sleep(self.sink.delay)
        return self.sink._received(envelope)


class SmtpSink:
    """An in-process SMTP server (see the module docstring). ``parse=False`` keeps only the
    Message-IDs (faster, for benchmarks)."""

    def __init__(self, port: int | None = None, parse: bool = True) -> None:
        self.port = port or free_port()
        self.parse = parse
        self.refuse: str | None = None
        self.refused_ids: list[str] = []
        self.delay = 0.0
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.ids: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def _received(self, envelope: Any) -> str:
        raw: bytes = envelope.original_content or envelope.content
        if self.parse:
            message = BytesParser(policy=policy.default).parsebytes(raw)
            message_id = str(message["Message-ID"])
        else:
            start = raw.find(b"Message-ID: ")
            message, message_id = None, raw[start + 12 : raw.find(b"\r\n", start)].decode() if start >= 0 else ""
        if self.refuse:
            with self._lock:
                self.refused_ids.append(message_id)
            return self.refuse
        with self._lock:
            if message is not None:
                self.messages.append(message)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            self.ids[message_id] += 1
        return "250 OK"

    @property
    def count(self) -> int:
        with self._lock:
            return sum(self.ids.values())

    @property
    def duplicates(self) -> int:
        """Messages received more than once, counted by Message-ID (each extra copy counts one)."""
        with self._lock:
            return sum(n - 1 for n in self.ids.values())

    def start(self) -> SmtpSink:
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 30) -> bool:
        deadline = time.monotonic() + timeout
        while self.count < count:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.02)
        return True

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main() -> None:
    """``python -m tests.notifications.smtp_sink --port P --ids FILE``: serve until SIGTERM/SIGINT, then
    write the Message-ID of every accepted message (one per line, repeats kept) to FILE. The
    benchmark runs the server in its own process so it does not share the drainer's CPU (GIL)."""
    import argparse
    import signal

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ids", required=True)
    args = parser.parse_args()
    sink = SmtpSink(port=args.port, parse=False).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    sink.stop()
    with open(args.ids, "w", encoding="utf-8") as handle:
        for message_id, n in sink.ids.items():
            handle.write(f"{message_id}\n" * n)


if __name__ == "__main__":
    main()
