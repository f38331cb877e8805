"""Child processes that end with the process that started them.

``vocmatch run`` starts a notification drainer, and the recommendation index starts a build process.
When their parent ends without stopping them — a ``kill -9``, or uvicorn, which on SIGTERM shuts down
and then raises the signal again with the default handler, so the parent's ``finally`` never runs —
they would keep running as orphans (a build held 1.7 GB; a drainer kept sending mail for a server that
was gone). :func:`watch_parent` makes such a child exit within about a second of its parent's end, by
polling ``os.getppid()``: a child whose parent ended is re-parented, so its parent id changes (POSIX).

A worker started through a ``forkserver`` (the roster imports, :mod:`service.rosters.workers`) is a
child of the fork server, not of the server it works for, and the fork server lives as long as any
of its workers (each holds the pipe whose end tells the fork server to stop): such a worker watches
the server itself, :func:`watch_process`.
"""

from __future__ import annotations

import os
import select
import threading
import time

#: how often a watched child checks that its parent is still there (seconds)
PARENT_WATCH_SECONDS = 1.0


def watch_parent(parent: int, every: float = PARENT_WATCH_SECONDS) -> threading.Thread:
    """Start a daemon thread that ends this process (``os._exit(0)``: nothing is left to report to)
    as soon as its parent is no longer ``parent`` (the id the parent passed down, or ``os.getppid()``
    read at start). Returns the thread."""
    thread = threading.Thread(target=_exit_with_parent, args=(parent, every), name="parent-watch", daemon=True)
    thread.start()
    return thread


def _exit_with_parent(parent: int, every: float) -> None:
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(0)


def watch_process(pid: int) -> threading.Thread:
    """Start a daemon thread that ends this process (``os._exit(0)``) as soon as process ``pid`` has
    ended — at once if it has already. Linux's pidfd (``pidfd_open(2)``, Linux 5.3) becomes readable
    when the process ends, zombie or not, and cannot be confused with a later process given the same
    id. Returns the thread."""
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
