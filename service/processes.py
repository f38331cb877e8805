"""Child processes that end with the process that started them.

``vocmatch run`` starts a notification drainer, and the recommendation index starts a build process.
When their parent ends without stopping them — a ``kill -9``, or uvicorn, which on SIGTERM shuts down
and then raises the signal again with the default handler, so the parent's ``finally`` never runs —
they would keep running as orphans (a build held 1.7 GB; a drainer kept sending mail for a server that
was gone). :func:`watch_parent` makes such a child exit within about a second of its parent's end, by
polling ``os.getppid()``: a child whose parent ended is re-parented, so its parent id changes (POSIX).
"""

from __future__ import annotations

import os
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
