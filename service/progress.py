"""Progress bars for long commands (``vocmatch import``, ``roster import``, ``taxonomy import-*``,
``crawl``, ``evaluate``, ``jobs run retrain_ranker``), drawn with :mod:`rich`.

A bar shows what is being done, done/total, the rate (rows/s, pages/s, queries/s …) and the time
left; a phase whose total is unknown shows a spinner, the count and the rate. Bars are drawn on
standard error, and only when both standard output and standard error are terminals and the user
did not ask for ``--json``: piped, redirected or machine-read output stays exactly as before.

The work itself only calls a plain ``progress(phase, done, total)`` function (see
:data:`ProgressFn`); :func:`progress_for` gives one that draws, or one that does nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Protocol, cast

#: ``progress(phase, done, total)``: ``phase`` names the step (shown as the bar's label, e.g.
#: ``read``, ``store``, ``queries``); ``total`` is ``None`` when unknown.
ProgressFn = Callable[[str, int, int | None], None]


class ProgressReporter(Protocol):
    """What :func:`progress_for` gives: a :data:`ProgressFn` with ``echo(message)``."""

    def __call__(self, phase: str, done: int, total: int | None, /) -> None: ...

    def echo(self, message: str, /) -> None: ...


#: the unit shown in the rate for each phase (default ``rows``)
UNITS = {
    "store": "postings",
    "write": "steps",
    "pages": "pages",
    "lists": "pages",
    "queries": "queries",
    "seeds": "runs",
    "train": "steps",
    "write_rows": "rows",
}
LABELS = {
    "read": "读取 reading",
    "store": "写入 storing",
    "write": "写入 writing",
    "pages": "抓取 crawling",
    "lists": "列表页 list pages",
    "queries": "评估 ranking",
    "seeds": "评估 evaluating",
    "train": "训练 training",
    "write_rows": "写入 writing",
}


def wanted(as_json: bool = False) -> bool:
    """Whether to draw: not ``--json``, and standard output and error are both terminals."""
    return not as_json and _isatty(sys.stdout) and _isatty(sys.stderr)


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class _Quiet:
    """The ``progress`` of a run without bars: ignores figures, writes messages to standard error."""

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        return None

    @staticmethod
    def echo(message: str) -> None:
        import click

        click.echo(message, err=True)


@contextmanager
def progress_for(as_json: bool = False, *, force: bool | None = None) -> Iterator[ProgressReporter]:
    """A ``progress(phase, done, total)`` function for the duration of the block: drawing bars when
    :func:`wanted` (or ``force``), else doing nothing. The bars are left on screen when done.
    ``progress.echo(message)`` writes a line to standard error (above the bars when drawing)."""
    if not (wanted(as_json) if force is None else force):
        yield _Quiet()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """``123 rows/s`` (rich's own speed column is for bytes)."""

        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            if speed is None and task.elapsed and task.completed:  # too quick for rich's moving average
                speed = task.completed / task.elapsed
            unit = task.fields.get("unit", "rows")
            return Text("—" if speed is None else f"{speed:,.0f} {unit}/s" if speed >= 10 else f"{speed:.1f} {unit}/s")

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("剩余 left"),
        TimeRemainingColumn(),
        TextColumn("·"),
        TimeElapsedColumn(),
    )
    console = Console(stderr=True)
    tasks: dict[str, Any] = {}
    with Progress(*columns, console=console, refresh_per_second=5) as bars:

        def progress(phase: str, done: int, total: int | None) -> None:
            if phase not in tasks:
                tasks[phase] = bars.add_task(LABELS.get(phase, phase), total=total, unit=UNITS.get(phase, "rows"))
            task = tasks[phase]
            if total is not None:
                bars.update(task, total=max(total, done))
            bars.update(task, completed=done)

        progress.echo = lambda message: bars.console.print(message, markup=False, highlight=False)  # type: ignore[attr-defined]  # on the function object
        yield cast(ProgressReporter, progress)  # the function with its echo, set just above
        for task in tasks.values():  # the last figures, whatever the last report was
            t = bars.tasks[task]
            if t.total is None:
                bars.update(task, total=t.completed)
