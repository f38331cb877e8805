"""``vocmatch employers``: employer vetting (审核) from the command line, for staff working in bulk.

Employers created by an import or a crawl start unverified, like self-registered ones, so none of
their postings reach graduates until staff approve them (issue 6). One by one that is
``POST /employers/{id}/verify``; for a whole board the department trusts, these commands. Both go
through :class:`service.employers.verification.VerificationService` (audited with the system as actor).
"""

from __future__ import annotations

import json

import click

from service.cli.helpers import load_settings, run_in_session


@click.group()
def employers() -> None:
    """Employer vetting: list unverified employers by source, approve a trusted board's in bulk."""


def _unverified() -> dict[str, int]:
    from service.employers.verification import VerificationService

    return run_in_session(load_settings(), lambda session: VerificationService(session).unverified_by_source())


@employers.command(name="unverified")
def unverified_command() -> None:
    """Print the number of unverified employers per source as JSON."""
    click.echo(json.dumps(_unverified(), ensure_ascii=False, indent=2))


@employers.command(name="verify-source")
@click.argument("source")
def verify_source_command(source: str) -> None:
    """Approve every unverified employer imported from SOURCE (e.g. ``51job``, ``jobfair``)."""
    from service.employers.verification import VerificationService
    from service.errors import InvalidFieldError

    known = _unverified()
    if source not in known:
        listed = ", ".join(f"{s} ({n})" for s, n in known.items()) or "none"
        raise click.ClickException(f"no unverified employer from source {source!r}; unverified by source: {listed}")
    try:
        count = run_in_session(load_settings(), lambda session: VerificationService(session).verify_source(source))
    except InvalidFieldError as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"verified {count} employers from {source}")
