"""Children end with the process that started them (:mod:`service.processes`): the notification
drainer of ``vocmatch run`` once its server is gone — uvicorn ends on SIGTERM by raising the signal
again, so ``vocmatch run``'s ``finally`` that stops the drainer does not run then."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from service.cli.server import run
from tests.harness import process_alive, process_gone_within

WAIT = 15.0


def _drainer_command() -> list[str]:
    """The drainer command line ``vocmatch run`` starts (read from its source, so the test follows it)."""
    import inspect

    source = inspect.getsource(run.callback)  # type: ignore[arg-type]  # click keeps the function
    assert '"--exit-with-parent",' in source and "str(os.getpid())" in source, "vocmatch run's drainer is unwatched"
    return [sys.executable, "-m", "service.cli", "notifications", "drain", "--watch", "0.5", "--exit-with-parent"]


def test_the_drainer_of_vocmatch_run_ends_when_the_server_dies(sqlite_template: Path, tmp_path: Path) -> None:
    db = tmp_path / "drain.sqlite3"
    shutil.copy(sqlite_template, db)
    env = {**os.environ, "VOCMATCH_DATABASE_URL": f"sqlite+aiosqlite:///{db}", "VOCMATCH_OUTBOX_DIR": str(tmp_path)}
    # a stand-in server: starts the drainer, says its pid, and dies without stopping it (like SIGTERM under uvicorn)
    server = textwrap.dedent(f"""
        import os, subprocess, sys
        quiet = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        child = subprocess.Popen({_drainer_command()!r} + [str(os.getpid())], **quiet)
        print(child.pid, flush=True)
        os._exit(0)
    """)
    done = subprocess.run([sys.executable, "-c", server], env=env, capture_output=True, text=True, timeout=60)
    pid = int(done.stdout.strip())
    try:
        assert process_gone_within(pid, WAIT), "the drainer outlived the process that started it"
    finally:
        if process_alive(pid):
            os.kill(pid, 9)


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGKILL])
def test_a_roster_worker_ends_when_the_server_dies(tmp_path: Path, signal_number: int) -> None:
    """A worker of :class:`~service.rosters.workers.RosterWorkers`, busy or idle, and the fork server
    it came from end once the server is gone (SIGTERM with the default handler, as uvicorn re-raises
    it, or SIGKILL): an import cut off there rolls back with its connection."""
    server = textwrap.dedent(f"""
        import time
        from service.config import Settings
        from service.rosters.workers import RosterWorkers
        pool = RosterWorkers(Settings(database_url="sqlite+aiosqlite:///{tmp_path}/unused.sqlite3"))._executor()
        pool.submit(time.sleep, 600)  # a long import
        while not pool._processes:
            time.sleep(0.05)
        print(*pool._processes, flush=True)
        time.sleep(600)
    """)
    with subprocess.Popen(
        [sys.executable, "-c", server],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        workers = [int(pid) for pid in proc.stdout.readline().split()]
        assert workers, "no worker started"
        time.sleep(1.0)  # the worker is under way (its initializer ran)
        forks = {int(Path(f"/proc/{pid}/stat").read_text().split(") ")[1].split()[1]) for pid in workers}
        children = workers + sorted(forks - {proc.pid})
        try:
            os.kill(proc.pid, signal_number)
            proc.wait(WAIT)
            for pid in children:
                assert process_gone_within(pid, WAIT), f"process {pid} of the roster workers outlived the server"
        finally:
            for pid in children:
                if process_alive(pid):
                    os.kill(pid, signal.SIGKILL)
