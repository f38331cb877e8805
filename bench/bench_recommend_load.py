"""Recommendation throughput per worker at a fixed concurrency on the sample, beside a hello-world app.

Issue 18's target: "Recommendations ≥ 500 requests/s per worker at concurrency 16 on the sample,
p99 ≤ 50 ms (a bounded load tool on loopback; report the hello-world figure from the same run beside
it)". For each code tree (this checkout, and ``--before ROOT`` — e.g. a ``git worktree`` of ``main`` —
for the side-by-side figure) it builds the sample database (``vocmatch migrate`` and the sample, one
admin account, with that tree's code), serves it with one uvicorn worker on loopback, warms every
graduate's recommendations once, then sends ``--requests`` ``GET /graduates/{id}/recommendations?
limit=10`` (graduates in turn) over ``--concurrency`` keep-alive connections, each sending its next
request when the previous answer is read (a closed loop: the load is bounded by the concurrency).
The same client then does the same against a Litestar hello-world app (``bench/_hello.py``, one
uvicorn worker), which shows the client and the machine's ceiling: if the hello-world figure is not
far above the recommendations', the client or the machine is the bottleneck, not the service.

With ``--before``, every graduate's answer (posting ids and scores) of the two trees is compared and
the number of identical ones printed. The client is a minimal HTTP/1.1 client on asyncio streams (no library: an httpx client costs more
CPU per request than the hello-world server, so it would measure itself). Prints requests/s, median
and 99th percentile latency (client-side, ms) and the ratio to hello-world, with the load average.
Run from the project root:

    .venv/bin/python bench/bench_recommend_load.py [--before ../main] [--requests 3000] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _server import ROOT, serve

EMAIL, PASSWORD = "bench-admin@example.cn", "bench admin password"
PREPARE = """
import json, sys
sys.path.insert(0, "bench")
from bench_recommend_http import _prepare, EMAIL
from service.config import Settings
ids = _prepare(Settings.from_env())
print(json.dumps(ids))
"""


async def _request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, head: bytes) -> tuple[int, bytes]:
    """Send one request (``head``: its bytes) and read the answer (``Content-Length`` or chunked)."""
    writer.write(head)
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length, chunked = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
    if not chunked:
        return status, await reader.readexactly(length)
    body = bytearray()
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        if size == 0:
            await reader.readline()
            return status, bytes(body)
        body += await reader.readexactly(size)
        await reader.readline()


def _head(path: str, token: str | None) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{auth}\r\n".encode()


async def _load(port: int, paths: list[str], token: str | None, requests: int, concurrency: int) -> dict[str, float]:
    """``requests`` requests (``paths`` in turn) over ``concurrency`` connections, closed loop."""
    heads = [_head(p, token) for p in paths]
    times: list[float] = []
    errors = 0
    next_index = 0

    async def worker() -> None:
        nonlocal next_index, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while next_index < requests:
                head = heads[next_index % len(heads)]
                next_index += 1
                t = time.perf_counter()
                status, _ = await _request(reader, writer, head)
                times.append(time.perf_counter() - t)
                errors += status != 200
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - start
    ms = sorted(t * 1000 for t in times)
    return {
        "requests": len(ms),
        "errors": errors,
        "req_per_s": round(len(ms) / wall, 1),
        "median_ms": round(statistics.median(ms), 2),
        "p99_ms": round(ms[min(len(ms) - 1, int(0.99 * len(ms)))], 2),
    }


async def _login(port: int) -> str:
    body = json.dumps({"login": EMAIL, "password": PASSWORD}).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (
        f"POST /auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    status, answer = await _request(reader, writer, head + body)
    writer.close()
    if status != 200:
        raise RuntimeError(f"login failed: {status} {answer[:200]!r}")
    return str(json.loads(answer)["access_token"])


def _env(tmp: str, root: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(root),
        "VOCMATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.sqlite3",
        "VOCMATCH_MODEL_DIR": f"{tmp}/models",
        "VOCMATCH_SECRET_KEY": "b" * 48,
        "VOCMATCH_API_RATE_PER_MINUTE": "100000000",
        "VOCMATCH_COOKIE_SECURE": "false",
    }


def _tree(name: str, root: Path, args: argparse.Namespace) -> dict[str, object]:
    """Prepare the sample with ``root``'s code, serve it, warm every graduate once, then measure."""
    with tempfile.TemporaryDirectory(prefix="vocmatch-load-") as tmp:
        env = _env(tmp, root)
        out = subprocess.run(
            [sys.executable, "-c", PREPARE], cwd=root, env=env, check=True, capture_output=True, text=True
        )
        ids = json.loads(out.stdout.strip().splitlines()[-1])
        paths = [f"/graduates/{g}/recommendations?limit=10" for g in ids["graduates"]]
        with serve(env, start_timeout=120, stop_timeout=30, root=root) as server:
            port = int(server.base.rsplit(":", 1)[1])

            async def run() -> tuple[dict[str, float], dict[str, list[tuple[int, float]]]]:
                token = await _login(port)
                answers = await _answers(port, paths, token)  # also warms every graduate once
                return await _load(port, paths, token, args.requests, args.concurrency), answers

            result, answers = asyncio.run(run())
    return {"tree": name, "root": str(root), "graduates": len(ids["graduates"]), **result, "answers": answers}


async def _answers(port: int, paths: list[str], token: str) -> dict[str, list[tuple[int, float]]]:
    """Each path's answer as (posting id, score) pairs, one request after the other."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    out = {}
    try:
        for path in paths:
            status, body = await _request(reader, writer, _head(path, token))
            if status != 200:
                raise RuntimeError(f"{path}: {status} {body[:200]!r}")
            out[path] = [(i["posting"]["id"], i["score"]) for i in json.loads(body)["items"]]
    finally:
        writer.close()
    return out


def _hello(args: argparse.Namespace) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "bench")}
    with serve(env, app="_hello:app", factory=False, health="/", root=ROOT / "bench") as server:
        port = int(server.base.rsplit(":", 1)[1])

        async def run() -> dict[str, float]:
            await _load(port, ["/"], None, 500, args.concurrency)
            return await _load(port, ["/"], None, args.requests, args.concurrency)

        return {"tree": "hello-world", **asyncio.run(run())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, help="another checkout (e.g. of main) measured in the same run")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--json", action="store_true", help="print only the JSON result")
    args = parser.parse_args()
    load_before = os.getloadavg()
    rows = [_hello(args)]
    if args.before is not None:
        rows.append(_tree("before", args.before.resolve(), args))
    rows.append(_tree("after", ROOT, args))
    rows.append({**_hello(args), "tree": "hello-world (again)"})
    answers: list[dict[str, Any]] = [r.pop("answers") for r in rows if "answers" in r]  # type: ignore[misc]
    same = None
    if len(answers) == 2:
        same = sum(answers[0][p] == answers[1].get(p) for p in answers[0])
    hello = statistics.mean(float(r["req_per_s"]) for r in rows if str(r["tree"]).startswith("hello"))  # type: ignore[arg-type]
    for r in rows:
        r["ratio_to_hello"] = round(float(r["req_per_s"]) / hello, 3)  # type: ignore[arg-type]
    result = {
        "concurrency": args.concurrency,
        "load_average_before_after": [round(x, 1) for x in (*load_before, *os.getloadavg())],
        "cores": os.cpu_count(),
        "rows": rows,
        "same_top10_before_after": None if same is None else f"{same}/{len(answers[0])}",
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"concurrency {args.concurrency}, load average {result['load_average_before_after']}, {os.cpu_count()} cores")
    print(f"{'tree':22} {'req/s':>8} {'median ms':>10} {'p99 ms':>8} {'× hello':>8} {'errors':>6}")
    for r in rows:
        print(
            f"{r['tree']!s:22} {r['req_per_s']:>8} {r['median_ms']:>10} {r['p99_ms']:>8} "
            f"{r['ratio_to_hello']:>8} {r['errors']:>6}"
        )
    if same is not None:
        print(f"same top 10 (posting ids and scores) before and after: {result['same_top10_before_after']} graduates")


if __name__ == "__main__":
    main()
