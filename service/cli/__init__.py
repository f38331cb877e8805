"""The ``vocmatch`` command line.

    vocmatch run                 migrate, load the built-in sample (once) and serve
    vocmatch serve               serve the API (uvicorn) on VOCMATCH_HOST:VOCMATCH_PORT
    vocmatch migrate             apply database migrations, then load the national reference data
                                 (GB/T 2260 regions, 中职 专业目录; ``--schema-only`` skips it)
    vocmatch reference …         load / update the reference data (service.cli.reference)
    vocmatch majors …            add, rename, retire majors
    vocmatch seed [--seed N]     load the built-in Chinese sample data (idempotent)
    vocmatch import PATH...      import real postings / job seekers, printing counts
    vocmatch import FILE --mapping M [--dry-run]   any board's CSV/XLSX export through a column mapping
    vocmatch recommend ID        print recommendations for a graduate as JSON (same as the API)
    vocmatch candidates ID       print ranked candidates for a posting as JSON (same as the API)
    vocmatch users create-admin EMAIL   create a system admin (password prompted twice)
    vocmatch employers verify-source S  approve every unverified employer imported from board S
    vocmatch notifications drain [--watch S]   deliver queued notifications (SMTP or .eml files)
    vocmatch outcomes rebuild    recompute the reports' outcome table from the destination events

Every command reads its settings from ``VOCMATCH_*`` environment variables (README.md).

One module per command group (``service/cli/<group>.py``); what they share (settings, one
transaction, JSON output, ``--timezone``) is in :mod:`service.cli.helpers`, and no command module
imports another.
"""

from __future__ import annotations

import click

from service.cli.crawl import crawl, scrape, scrape_page
from service.cli.employers import employers
from service.cli.evaluate import evaluate
from service.cli.imports import import_
from service.cli.jobs import jobs, scheduler
from service.cli.notifications import notifications
from service.cli.outcomes import outcomes
from service.cli.recommendations import candidates, recommend
from service.cli.reference import majors, reference
from service.cli.reports import report, roster
from service.cli.server import migrate, run, seed, serve
from service.cli.taxonomy import taxonomy
from service.cli.users import users


@click.group()
def main() -> None:
    """vocmatch: job matching and employment statistics for vocational graduates."""


for _command in (
    migrate,
    seed,
    serve,
    run,
    import_,
    recommend,
    candidates,
    users,
    evaluate,
    roster,
    report,
    scheduler,
    jobs,
    crawl,
    scrape,
    scrape_page,
    taxonomy,
    employers,
    reference,
    majors,
    notifications,
    outcomes,
):
    main.add_command(_command)
