"""The ``vocmatch`` command line.

    vocmatch run                 migrate, load the built-in sample (once) and serve
    vocmatch serve               serve the API (uvicorn) on VOCMATCH_HOST:VOCMATCH_PORT
    vocmatch migrate             apply database migrations, then load the national reference data
                                 (GB/T 2260 regions, 中职 专业目录; ``--schema-only`` skips it)
    vocmatch reference …         load / update the reference data (service.cli_reference)
    vocmatch majors …            add, rename, retire majors
    vocmatch seed [--seed N]     load the built-in Chinese sample data (idempotent)
    vocmatch import PATH...      import real postings / job seekers, printing counts
    vocmatch import FILE --mapping M [--dry-run]   any board's CSV/XLSX export through a column mapping
    vocmatch recommend ID        print recommendations for a graduate as JSON (same as the API)
    vocmatch candidates ID       print ranked candidates for a posting as JSON (same as the API)
    vocmatch users create-admin EMAIL   create a system admin (password prompted twice)
    vocmatch employers verify-source S  approve every unverified employer imported from board S
    vocmatch notifications drain [--watch S]   deliver queued notifications (SMTP or .eml files)

Every command reads its settings from ``VOCMATCH_*`` environment variables (README.md).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import msgspec

from service.config import Settings

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def _run_in_session(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(session)`` in one transaction on a fresh engine, then dispose of the engine."""
    from service.db import make_engine, session_scope

    async def main() -> T:
        engine = make_engine(settings)
        try:
            async with session_scope(engine) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _echo_json(obj: object) -> None:
    click.echo(json.dumps(msgspec.to_builtins(obj), ensure_ascii=False, indent=2))


@click.group()
def main() -> None:
    """vocmatch: job matching and employment statistics for vocational graduates."""


@main.command()
@click.option("--schema-only", is_flag=True, help="apply the schema migrations but load no reference data")
def migrate(schema_only: bool) -> None:
    """Apply all database migrations (Alembic) to VOCMATCH_DATABASE_URL, then load the national
    reference data (every GB/T 2260 province, prefecture and county; the 2021 中职 专业目录), so a
    database without the demo sample can register schools anywhere. Idempotent."""
    from service.migrate import upgrade

    settings = _settings()
    upgrade(settings)
    where = settings.database_url.split("@")[-1]
    click.echo(f"database at {where} migrated to the latest schema revision", err=True)
    if schema_only:
        return
    from service.catalog.reference import load_reference

    report = _run_in_session(settings, load_reference)
    click.echo(f"reference data: {report.regions_added} regions added, {report.regions_updated} updated, "
               f"{report.regions_retired} retired; {report.majors_added} majors added", err=True)
    for line in report.differs:
        click.echo(f"  kept as stored: {line}", err=True)


@main.command()
@click.option("--seed", "seed_value", default=2026, show_default=True, help="random seed of the generator")
def seed(seed_value: int) -> None:
    """Load the built-in sample (regions, majors, taxonomy, schools, employers, postings, graduates)."""
    from service.sample.loader import load_sample

    settings = _settings()
    counts = _run_in_session(settings, lambda s: load_sample(s, seed=seed_value))
    _echo_json(counts)
    if not settings.secret_key:  # embedded default secret: a development install
        from service.accounts.bootstrap import SAMPLE_PASSWORD, create_sample_accounts

        accounts = _run_in_session(settings, create_sample_accounts)
        click.echo(f"sample accounts (development only, password {SAMPLE_PASSWORD!r}; "
                   "POST /auth/login with {\"login\": <e-mail>, \"password\": …}):", err=True)
        for email, role, label in accounts:
            click.echo(f"  {email:32} {role:10} {label}", err=True)
    else:
        click.echo("no sample accounts (VOCMATCH_SECRET_KEY is set); create an admin with "
                   "`vocmatch users create-admin EMAIL`", err=True)


#: uvicorn options of ``vocmatch serve``. uvicorn's own proxy-header handling is off (by default it
#: believes ``X-Forwarded-For`` from 127.0.0.1, whoever sends it through a local hop): the app
#: believes it only from ``VOCMATCH_TRUSTED_PROXIES`` (:func:`service.accounts.setup.build_security`).
SERVER_OPTIONS: dict[str, Any] = {"proxy_headers": False, "server_header": False}


@main.command()
@click.option("--host", default=None, help="default VOCMATCH_HOST (127.0.0.1)")
@click.option("--port", type=int, default=None, help="default VOCMATCH_PORT (8000)")
@click.option("--workers", type=int, default=None, help="default VOCMATCH_WORKERS (1)")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the HTTP API. Several workers (or hosts) can share one PostgreSQL database."""
    import uvicorn

    settings = _settings()
    uvicorn.run(
        "service.app:create_app", factory=True, host=host or settings.host, port=port or settings.port,
        workers=workers or settings.workers, log_level="info", **SERVER_OPTIONS,
    )


@main.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Migrate, load the sample data (a no-op when already loaded), then serve, with a child process
    delivering notifications every 5 s (``vocmatch notifications drain --watch 5``: without
    VOCMATCH_SMTP_URL they are written as .eml files to VOCMATCH_OUTBOX_DIR, var/outbox)."""
    import subprocess

    ctx.invoke(migrate)
    ctx.invoke(seed)
    drainer = subprocess.Popen([sys.executable, "-m", "service.cli", "notifications", "drain", "--watch", "5"])
    try:
        ctx.invoke(serve)
    finally:
        drainer.terminate()
        drainer.wait(timeout=30)


@main.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--kind", default=None, help="force the source kind instead of detecting it from the file")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="a mapping file (TOML) naming which column of a board's CSV/XLSX export holds what "
                   "(README: \"Any board's export\")")
@click.option("--dry-run", is_flag=True, help="read and normalise, print a preview of what would be stored; store nothing")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="--dry-run: postings shown")
@click.option("--json", "as_json", is_flag=True, help="JSON output (the default for an import) and no progress bar")
def import_(paths: tuple[Path, ...], kind: str | None, mapping: Path | None, dry_run: bool, limit: int,
            as_json: bool) -> None:
    """Import postings or job seekers from files (see README: "Loading real data").

    Prints, per file, rows read, stored, already present and rejected (with row and reason).
    Importing the same file twice stores nothing twice. A board's own export is read through
    --mapping; --dry-run shows what would be stored. Exits 1 if a file cannot be read, yields
    nothing, or does not fit the mapping (the message lists its columns and how to map them).
    """
    from service.errors import InvalidFieldError
    from service.imports.service import import_path, preview_path
    from service.progress import progress_for

    settings = None if dry_run else _settings()
    failed = False
    for path in paths:
        try:
            with progress_for(as_json) as progress:
                if dry_run:
                    preview = asyncio.run(preview_path(path, kind, mapping, progress))
                else:
                    report = _run_in_session(settings, lambda s, p=path: import_path(s, p, kind, mapping, progress))
        except InvalidFieldError as exc:
            click.echo(f"{path}: {exc.detail}", err=True)
            failed = True
            continue
        if dry_run:
            from service.cli_crawl import preview_dict, preview_lines

            if as_json:
                _echo_json(preview_dict(preview, limit))
            else:
                click.echo("\n".join(preview_lines(preview, limit)))
            continue
        _echo_json({"file": str(path), **report.to_dict()})
    if failed:
        sys.exit(1)


@main.command()
@click.argument("graduate_id", type=int)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
def recommend(graduate_id: int, limit: int) -> None:
    """Print the recommendations for GRADUATE_ID as JSON (the body of GET /graduates/{id}/recommendations)."""
    from service.errors import NotFoundError
    from service.recommendations.service import RankerCache, RecommendationService

    try:
        settings = _settings()
        result = _run_in_session(settings, lambda s: RecommendationService(s, RankerCache(settings=settings))
                                 .for_graduate(graduate_id, limit))
    except NotFoundError as exc:
        raise click.ClickException(exc.detail) from exc
    _echo_json(result)


@main.command()
@click.argument("posting_id", type=int)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
def candidates(posting_id: int, limit: int) -> None:
    """Print ranked candidates for POSTING_ID as JSON (the body of GET /postings/{id}/candidates)."""
    from service.errors import NotFoundError
    from service.recommendations.service import RankerCache, RecommendationService

    try:
        settings = _settings()
        result = _run_in_session(settings, lambda s: RecommendationService(s, RankerCache(settings=settings))
                                 .for_posting(posting_id, limit))
    except NotFoundError as exc:
        raise click.ClickException(exc.detail) from exc
    _echo_json(result)


@main.group()
def users() -> None:
    """Manage accounts from the command line (the first system admin)."""


@users.command(name="create-admin")
@click.argument("email")
@click.option("--password", default=None, help="the password (8–128 characters); prompted twice when left out")
def create_admin_command(email: str, password: str | None) -> None:
    """Create a system admin who signs in with EMAIL (stored lower-cased) and the password,
    kept only as an argon2id hash. Exits 1 for a bad e-mail/password or an e-mail already used."""
    from service.accounts.bootstrap import create_admin
    from service.errors import ConflictError, InvalidFieldError

    if password is None:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        user = _run_in_session(_settings(), lambda s: create_admin(s, email, password))
    except (InvalidFieldError, ConflictError) as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"created system admin {user.email} (user {user.id})", err=True)


def _register_subcommands() -> None:
    from service.cli_crawl import crawl, scrape, scrape_page
    from service.cli_employers import employers
    from service.cli_evaluate import evaluate
    from service.cli_notifications import notifications
    from service.cli_reference import majors, reference
    from service.cli_reports import jobs, report, roster, scheduler
    from service.cli_taxonomy import taxonomy

    for command in (evaluate, roster, report, scheduler, jobs, crawl, scrape, scrape_page, taxonomy, employers,
                    reference, majors, notifications):
        main.add_command(command)


_register_subcommands()

if __name__ == "__main__":
    main()
