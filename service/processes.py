"""Child processes that end with the process they work for.

``vocmatch run`` starts a notification drainer, the recommendation index starts a build process and
roster imports run in worker processes. When the server ends without stopping them — a ``kill -9``, or
uvicorn, which on SIGTERM shuts down and then raises the signal again with the default handler, so the
parent's ``finally`` never runs — they would keep running as orphans (a build held 1.7 GB; a drainer
kept sending mail for a server that was gone). :func:`watch_process` makes such a child exit as soon as
the server has ended. It watches the server itself, not the child's parent: a worker started through a
``forkserver`` (the roster imports, :mod:`service.rosters.workers`) is a child of the fork server,
which lives as long as any of its workers (each holds the pipe whose end tells the fork server to stop).
"""

from __future__ import annotations

import os
import select
import threading


def watch_process(pid: int) -> threading.Thread:
    """Start a daemon thread that ends this process (``os._exit(0)``: nothing is left to report to) as
    soon as process ``pid`` has ended — at once if it has already. Linux's pidfd (``pidfd_open(2)``,
    Linux 5.3) becomes readable when the process ends, zombie or not, and cannot be confused with a
    later process given the same id (polling ``os.getppid()`` for a re-parenting, the previous way,
    noticed within a second and only for the direct parent). Returns the thread."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(0)
    thread = threading.Thread(target=_exit_when_readable, args=(fd,), name="process-watch", daemon=True)
    thread.start()
    return thread


def _exit_when_readable(fd: int) -> None:
    select.select([fd], [], [])
    os._exit(0)
