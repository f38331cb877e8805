"""``vocmatch outcomes``: the maintained outcome table the reports count from.

    vocmatch outcomes rebuild    recompute graduate_outcomes from every destination event

The table is kept in step with every destination event written through the service (same
transaction); rebuild it after loading events or graduation dates around the service (bulk
``COPY``, SQL by hand). Prints the graduates, events and rows as JSON. Exit code 0.
"""

from __future__ import annotations

from typing import Any

import click

from service.cli.helpers import load_settings, print_json, run_in_session


@click.group()
def outcomes() -> None:
    """The maintained outcome table (graduate_outcomes) behind the reports."""


@outcomes.command(name="rebuild")
def outcomes_rebuild() -> None:
    """Recompute graduate_outcomes from all destination events, in one transaction."""
    import dataclasses
    import time

    from service.destinations.outcomes import rebuild

    async def work(session: Any) -> Any:
        return await session.run_sync(lambda s: rebuild(s.connection()))

    t0 = time.perf_counter()
    report = run_in_session(load_settings(), work)
    print_json({**dataclasses.asdict(report), "seconds": round(time.perf_counter() - t0, 1)})
