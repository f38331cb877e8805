"""``vocmatch notifications``: delivering the queued notifications.

    vocmatch notifications drain [--watch SECONDS]   deliver the queued notifications now (once, or every
                                                     SECONDS until interrupted: what ``vocmatch run`` starts)

The scheduler (``vocmatch scheduler``) drains the outbox on its own every
``VOCMATCH_NOTIFY_DRAIN_INTERVAL_SECONDS``; ``vocmatch jobs run drain_outbox`` runs that job once.
"""

from __future__ import annotations

import json
import time

import click

from service.cli.helpers import load_settings


@click.group()
def notifications() -> None:
    """Notifications: deliver the queued e-mails."""


@notifications.command()
@click.option(
    "--watch",
    type=click.FloatRange(min=0.5),
    default=None,
    help="keep draining every SECONDS until interrupted (default: drain once and exit)",
)
@click.option(
    "--exit-with-parent",
    type=int,
    default=None,
    hidden=True,
    help="end when process PID, the starter, ends (vocmatch run)",
)
def drain(watch: float | None, exit_with_parent: int | None) -> None:
    """Deliver every due notification (SMTP when VOCMATCH_SMTP_URL is set, else .eml files in
    VOCMATCH_OUTBOX_DIR) and print the drain report as JSON."""
    import logging

    from service.processes import watch_process

    if exit_with_parent is not None:  # the starter's pid, passed down: it may be gone before we start
        watch_process(exit_with_parent)

    from service.notifications.scheduled import drain_outbox

    settings = load_settings()
    if watch is None:
        click.echo(json.dumps(drain_outbox(settings), ensure_ascii=False, indent=2, default=str))
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    where = "SMTP" if settings.smtp_url else f".eml files in {settings.outbox_dir}/"
    click.echo(f"delivering notifications every {watch:g} s ({where}); Ctrl-C stops", err=True)
    try:
        while True:
            drain_outbox(settings)
            time.sleep(watch)
    except KeyboardInterrupt:
        pass
