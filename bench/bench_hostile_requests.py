"""What hostile uploads and bodies cost the server (issue 14, items 8 and 9), measured on a real
``vocmatch serve`` process of a checkout (this one by default; ``--checkout /work/main`` measures
the code before the fix in the same run, with the same interpreter and libraries).

For each checkout it migrates a SQLite file in /tmp, adds one school and its staff account, starts
``python -m service.cli serve`` (one uvicorn worker, warm-up off) and reads the server's resident
memory (``VmRSS`` of /proc) before each case, its peak during the case (sampled every 50 ms) and
what is still held half a second after it (the server process with any worker processes it
started, all counted):

* ``login-10MiB``: ``POST /auth/login`` with a 10 MiB JSON body (``Content-Length`` sent), 5 times;
* ``login-10MiB-chunked``: the same body sent chunked (no ``Content-Length``), 5 times;
* ``login-10MB``: a body of exactly 10,000,000 bytes (the app-wide limit before the fix), 5 times;
* ``merged-range``, ``row-1048576``, ``zip-bomb``: the hostile rosters of
  ``tests/rosters/test_hostile_workbooks.py`` uploaded to ``POST /schools/{code}/rosters``;
* ``roster-20k``: a real 20,000-row roster (every row rejected after all its cells are checked),
  while a second client calls ``GET /health`` back to back: the median and the slowest ``/health``
  during the upload are printed (the target: under 100 ms);
* ``idle-15s``: the same ``/health`` calls for 15 s with no upload: what the machine itself adds.

Each case prints the answer's status, the wall time of the request and the RSS growth. Figures
are medians of ``--runs`` runs (each on a fresh server). Machines are shared: compare the columns
of one run, not absolute times across runs.

    .venv/bin/python bench/bench_hostile_requests.py [--checkout PATH ...] [--runs 3] [--cases ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
SCHOOL = "4144010001"
PASSWORD = "bench-password-2026"
MALE = "440106200701010019"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def _tree_rss_kib(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants (the server and its roster worker processes)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += _rss_kib(p)
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, RuntimeError, ValueError):
            continue
    return total


def _prepare(checkout: Path, url: str, secret_file: str) -> None:
    """Migrate and add a school, a 专业 and a school staff account (the checkout's own code)."""
    code = f"""
import asyncio
from service.accounts.models import Role, User
from service.accounts.security import hash_password
from service.catalog.models import Major, Region, RegionLevel, School
from service.config import Settings
from service.db import make_engine, make_sessionmaker
from service.migrate import upgrade
settings = Settings(database_url={url!r})
upgrade(settings)
async def main():
    engine = make_engine(settings)
    async with make_sessionmaker(engine)() as s:
        s.add(Region(code="440106", name="天河区", level=RegionLevel.COUNTY))
        s.add(Major(code="730801", name="物流服务与管理", category="财经商贸大类"))
        await s.flush()
        school = School(code={SCHOOL!r}, name="天河职校", region_code="440106")
        s.add(school)
        await s.flush()
        s.add(User(role=Role.SCHOOL, email="staff@bench.cn", school_id=school.id,
                   password_hash=await hash_password({PASSWORD!r})))
        await s.commit()
    await engine.dispose()
asyncio.run(main())
"""
    subprocess.run([sys.executable, "-c", code], cwd=checkout, env=_env(checkout, url, secret_file), check=True)


def _env(checkout: Path, url: str, secret_file: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(checkout),
        "VOCMATCH_DATABASE_URL": url,
        "VOCMATCH_WARM_UP": "false",
        "VOCMATCH_SECRET_KEY_FILE": secret_file,
        "VOCMATCH_COOKIE_SECURE": "false",
        "VOCMATCH_API_RATE_PER_MINUTE": "0",
        "VOCMATCH_LOGIN_RATE_PER_IP": "1000/minute",
    }


class Server:
    """``python -m service.cli serve`` of ``checkout`` on a fresh SQLite file."""

    def __init__(self, checkout: Path) -> None:
        self.checkout = checkout
        self.tmp = tempfile.TemporaryDirectory()
        self.url = f"sqlite+aiosqlite:///{self.tmp.name}/bench.sqlite3"
        self.secret = f"{self.tmp.name}/secret_key"
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        _prepare(self.checkout, self.url, self.secret)
        env = {**_env(self.checkout, self.url, self.secret), "VOCMATCH_PORT": str(self.port)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve"],
            cwd=self.checkout,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")
        r = httpx.post(self.base + "/auth/login", json={"login": "staff@bench.cn", "password": PASSWORD})
        self.token = r.json()["access_token"]
        return self

    def rss(self) -> int:
        """Resident memory of the server process and its worker processes, KiB."""
        return _tree_rss_kib(self.proc.pid)

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()  # uvicorn waits for the request in progress: a blocked server is killed
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.tmp.cleanup()


class PeakRss:
    """Samples the server's VmRSS every 50 ms while the ``with`` block runs; ``peak`` in KiB."""

    def __init__(self, server: Server) -> None:
        self.server, self.peak, self.stop = server, 0, threading.Event()

    def _sample(self) -> None:
        while not self.stop.is_set():
            try:
                self.peak = max(self.peak, self.server.rss())
            except (OSError, RuntimeError):
                return
            time.sleep(0.05)

    def __enter__(self) -> PeakRss:
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


# --- the cases ---------------------------------------------------------------------------------


def _login_body(size: int = 10 * 1024 * 1024) -> bytes:
    """A sign-in body of ``size`` bytes: a password of (almost) that length."""
    head, tail = b'{"login": "staff@bench.cn", "password": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def _chunks(body: bytes) -> Iterator[bytes]:
    for i in range(0, len(body), 64 * 1024):
        yield body[i : i + 64 * 1024]


def case_login(server: Server, chunked: bool, size: int = 10 * 1024 * 1024) -> tuple[int, float]:
    body = _login_body(size)
    status, took = 0, []
    with httpx.Client(base_url=server.base, timeout=120) as c:
        for _ in range(5):
            t0 = time.perf_counter()
            try:
                content = _chunks(body) if chunked else body
                status = c.post(
                    "/auth/login", content=content, headers={"content-type": "application/json"}
                ).status_code
            except httpx.HTTPError as exc:  # the server may close the connection on a refused body
                status = type(exc).__name__  # type: ignore[assignment]  # the error's name in the table
            took.append(time.perf_counter() - t0)
    return status, statistics.median(took)


def _workbook(rows: Sequence[list[Any]], after: Callable[[Any], object] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    ws = wb.active
    assert isinstance(ws, Worksheet)  # a new workbook's one sheet
    for row in rows:
        ws.append(row)
    if after:
        after(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


HEADER = ["学号", "姓名", "性别", "身份证号", "专业", "毕业时间", "手机号", "届别"]
ROWS = [HEADER, ["0012025001", "陈明", "男", MALE, "物流服务与管理", "2025-06-30", "13800138000", "2025"]]


#: A range openpyxl's normal mode (the code before the fix) survives: 102 columns × 50,000 rows. The
#: tests use C2:XFD1048576, which that code would expand into 17 billion cells (the server died
#: at 10 GB when tried).
MERGED_RANGE = "C2:CZ50000"


def merged_range() -> bytes:
    src = zipfile.ZipFile(io.BytesIO(_workbook(ROWS)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(
                    b"</sheetData>",
                    b'</sheetData><mergeCells count="1"><mergeCell ref="' + MERGED_RANGE.encode() + b'"/></mergeCells>',
                )
            dst.writestr(info.filename, body)
    return out.getvalue()


def far_row() -> bytes:
    return _workbook(ROWS, lambda wb: wb.active.cell(row=1_048_576, column=1, value="x"))


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        src = zipfile.ZipFile(io.BytesIO(_workbook(ROWS)))
        for info in src.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":  # one cell of 300 MB of text: about 300 KB zipped
                with bomb.open(info.filename, "w") as part:
                    part.write(
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
                    )
                    block = b"x" * (1 << 20)
                    for _ in range(300):
                        part.write(block)
                    part.write(b"</t></is></c></row></sheetData></worksheet>")
            else:
                bomb.writestr(info.filename, src.read(info.filename))
    return out.getvalue()


def big_roster(rows: int = 20_000) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("名册")
    ws.append(HEADER)
    for i in range(rows):
        ws.append(
            [f"0{2025000000 + i}", "陈明", "男", MALE, "物流服务与管理", dt.date(2025, 6, 30), "13800138000", "不详"]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def case_upload(server: Server, data: bytes, watch_health: bool = False) -> tuple[int | str, float, list[float]]:
    health: list[float] = []
    done = threading.Event()

    def poll() -> None:
        with httpx.Client(base_url=server.base, timeout=120) as h:
            while not done.is_set():
                t0 = time.perf_counter()
                h.get("/health")
                if not done.is_set():
                    health.append(time.perf_counter() - t0)

    poller = threading.Thread(target=poll)
    with httpx.Client(base_url=server.base, timeout=300, headers={"Authorization": f"Bearer {server.token}"}) as c:
        if watch_health:
            poller.start()
        t0 = time.perf_counter()
        try:
            status: int | str = c.post(f"/schools/{SCHOOL}/rosters", files={"data": ("名册.xlsx", data)}).status_code
        except httpx.TimeoutException:
            status = "timeout"
        took = time.perf_counter() - t0
        done.set()
        if watch_health:
            poller.join()
    return status, took, health


def case_idle(server: Server, seconds: float = 15) -> tuple[int, float, list[float]]:
    """``/health`` back to back for ``seconds`` with nothing else to do: the machine's own noise."""
    health: list[float] = []
    with httpx.Client(base_url=server.base, timeout=120) as h:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            status = h.get("/health").status_code
            health.append(time.perf_counter() - t0)
    return status, seconds, health


CASES: dict[str, Callable[[Server], tuple]] = {
    "idle-15s": case_idle,
    "login-10MiB": lambda s: case_login(s, chunked=False),
    "login-10MiB-chunked": lambda s: case_login(s, chunked=True),
    "login-10MB": lambda s: case_login(s, chunked=False, size=10_000_000),  # the old limit, exactly
    "merged-range": lambda s: case_upload(s, merged_range()),
    "row-1048576": lambda s: case_upload(s, far_row()),
    "zip-bomb": lambda s: case_upload(s, zip_bomb()),
    "roster-20k": lambda s: case_upload(s, big_roster(), watch_health=True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkout", nargs="+", type=Path, default=[ROOT])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cases", nargs="+", default=list(CASES))
    args = parser.parse_args()
    print(
        f"{'checkout':<22} {'case':<20} {'status':>8} {'request s':>10} {'peak +MiB':>9} {'kept +MiB':>9} "
        f"{'/health med ms':>15} {'/health p99 ms':>15} {'/health max ms':>15}"
    )
    for checkout in args.checkout:
        for case in args.cases:
            results = []
            for _ in range(args.runs):
                with Server(checkout) as server:
                    before = server.rss()
                    with PeakRss(server) as peak:
                        out = CASES[case](server)
                    time.sleep(0.5)
                    results.append((out, (max(peak.peak, before) - before) / 1024, (server.rss() - before) / 1024))
            status = results[-1][0][0]
            took = statistics.median(r[0][1] for r in results)
            peak_mib = statistics.median(r[1] for r in results)
            grown = statistics.median(r[2] for r in results)
            health = [h for r in results if len(r[0]) > 2 for h in r[0][2]]
            med = f"{statistics.median(health) * 1000:.0f}" if health else "-"
            p99 = (
                f"{statistics.quantiles(health, n=100, method='inclusive')[98] * 1000:.0f}" if len(health) > 1 else "-"
            )
            worst = f"{max(health) * 1000:.0f}" if health else "-"
            print(
                f"{str(checkout)[-22:]:<22} {case:<20} {status!s:>8} {took:>10.2f} {peak_mib:>9.0f} {grown:>9.0f} "
                f"{med:>15} {p99:>15} {worst:>15}",
                flush=True,
            )


if __name__ == "__main__":
    main()
