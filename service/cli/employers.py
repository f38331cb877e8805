"""``vocmatch employers``: employer vetting (审核) from the command line, for staff working in bulk.

Employers created by an import or a crawl start unverified, like self-registered ones, so none of
their postings reach graduates until staff approve them (issue 6). One by one that is
``POST /employers/{id}/verify``; for a whole board the department trusts, these commands.
"""

from __future__ import annotations

import asyncio
from typing import Any

import click
from sqlalchemy import func, select, update

from service.cli.helpers import load_settings
from service.config import Settings


async def unverified_by_source(settings: Settings) -> dict[str, int]:
    """``{source: number of unverified employers}`` (``platform`` = registered through the service)."""
    from service.db import make_engine, session_scope
    from service.employers.models import Employer

    engine = make_engine(settings)
    try:
        async with session_scope(engine) as session:
            rows = (
                await session.execute(
                    select(Employer.source, func.count())
                    .where(Employer.verified.is_(False))
                    .group_by(Employer.source)
                    .order_by(Employer.source)
                )
            ).all()
    finally:
        await engine.dispose()
    return {source: count for source, count in rows}


async def verify_source(settings: Settings, source: str) -> int:
    """Mark every unverified employer imported from ``source`` verified; returns how many.

    Raises:
        ValueError: ``source`` is ``platform`` (self-registered employers are vetted one by one).
    """
    from service.db import make_engine, session_scope
    from service.employers.models import Employer

    if source == "platform":
        raise ValueError(
            "source: self-registered employers (platform) are approved one by one with POST /employers/{id}/verify"
        )
    engine = make_engine(settings)
    try:
        async with session_scope(engine) as session:
            result: Any = await session.execute(
                update(Employer).where(Employer.source == source, Employer.verified.is_(False)).values(verified=True)
            )
            return int(result.rowcount or 0)
    finally:
        await engine.dispose()


@click.group()
def employers() -> None:
    """Employer vetting: list unverified employers by source, approve a trusted board's in bulk."""


@employers.command(name="unverified")
def unverified_command() -> None:
    """Print the number of unverified employers per source as JSON."""
    import json

    click.echo(json.dumps(asyncio.run(unverified_by_source(load_settings())), ensure_ascii=False, indent=2))


@employers.command(name="verify-source")
@click.argument("source")
def verify_source_command(source: str) -> None:
    """Approve every unverified employer imported from SOURCE (e.g. ``51job``, ``jobfair``)."""
    known = asyncio.run(unverified_by_source(load_settings()))
    if source not in known:
        listed = ", ".join(f"{s} ({n})" for s, n in known.items()) or "none"
        raise click.ClickException(f"no unverified employer from source {source!r}; unverified by source: {listed}")
    try:
        count = asyncio.run(verify_source(load_settings(), source))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"verified {count} employers from {source}")
