"""The index build process never outlives its server: ``close()`` ends a running build, and a build
process whose server died exits by itself (a killed server once left 1.7 GB builds running)."""

from __future__ import annotations

import multiprocessing
import os
import time
from typing import Any

from service.recommendations.index import IndexMaintainer, new_build_pool
from tests.harness import process_gone_within

WAIT = 10.0


def _busy_pool_pid(pool: Any) -> int:
    """Start a minute-long task in ``pool`` and return its process id once the task runs."""
    assert pool.submit(os.getpid).result(timeout=60) > 0  # the process is up
    pool.submit(time.sleep, 60)
    (pid,) = list(pool._processes)
    return pid


def test_close_ends_a_running_build() -> None:
    maintainer = IndexMaintainer()
    maintainer._pool = new_build_pool()
    pid = _busy_pool_pid(maintainer._pool)
    maintainer.close()
    assert process_gone_within(pid, WAIT), "the build process still runs after close()"


def _server_that_dies(report: Any) -> None:
    """A stand-in server: starts a build, says which process builds, and dies without shutting down."""
    pool = new_build_pool()
    report.put(_busy_pool_pid(pool))
    report.close()
    report.join_thread()  # the pid is sent before the abrupt end
    os._exit(0)


def test_a_build_process_ends_when_its_server_dies() -> None:
    ctx = multiprocessing.get_context("spawn")
    report = ctx.Queue()
    server = ctx.Process(target=_server_that_dies, args=(report,))
    server.start()
    pid = report.get(timeout=60)
    server.join(30)
    assert process_gone_within(pid, WAIT), "the build process outlived its server"
