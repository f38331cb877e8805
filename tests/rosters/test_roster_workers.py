"""The roster import workers (:mod:`service.rosters.workers`): forks of a fork server that holds the
service's modules already, each at a lower CPU priority. That they end with the server is in
``tests/test_processes.py``; what they import is in ``tests/rosters/test_roster_import.py`` and the
other roster tests, through the web server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.config import Settings
from service.rosters.workers import PRELOAD, WORKER_NICENESS, RosterWorkers


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[RosterWorkers]:
    w = RosterWorkers(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'unused.sqlite3'}"))
    yield w
    w.close()


def test_a_worker_is_a_fork_of_the_preloading_fork_server(workers: RosterWorkers) -> None:
    """Not a new interpreter per import (``spawn``): the worker's parent is the fork server, started
    with the modules of :data:`PRELOAD` to import (its command line lists them)."""
    parent = workers._executor().submit(os.getppid).result(timeout=120)
    assert parent != os.getpid(), "the worker was started by the server itself (spawn), not by a fork server"
    command = Path(f"/proc/{parent}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    assert "multiprocessing.forkserver" in command
    assert all(repr(module) in command for module in PRELOAD), command


def test_a_worker_runs_at_a_lower_priority(workers: RosterWorkers) -> None:
    niceness = workers._executor().submit(os.nice, 0).result(timeout=120)
    assert niceness == min(os.nice(0) + WORKER_NICENESS, 19)


def test_the_preloaded_modules_start_no_thread() -> None:
    """The fork server forks workers: a thread of it would be missing in them (its locks held)."""
    modules = [m for m in PRELOAD if m != "__main__"]
    code = f"import threading\nfor m in {modules!r}: __import__(m)\nprint(threading.active_count())"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "1"
