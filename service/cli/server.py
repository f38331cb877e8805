"""``vocmatch migrate`` / ``seed`` / ``serve`` / ``run``: the database, the sample and the HTTP server."""

from __future__ import annotations

import sys
from typing import Any

import click

from service.cli.helpers import echo_json, load_settings, run_in_session


@click.command()
@click.option("--schema-only", is_flag=True, help="apply the schema migrations but load no reference data")
def migrate(schema_only: bool) -> None:
    """Apply all database migrations (Alembic) to VOCMATCH_DATABASE_URL, then load the national
    reference data (every GB/T 2260 province, prefecture and county; the 2021 中职 专业目录), so a
    database without the demo sample can register schools anywhere. Idempotent."""
    from service.migrate import upgrade

    settings = load_settings()
    upgrade(settings)
    where = settings.database_url.split("@")[-1]
    click.echo(f"database at {where} migrated to the latest schema revision", err=True)
    if schema_only:
        return
    from service.catalog.reference import load_reference

    report = run_in_session(settings, load_reference)
    click.echo(
        f"reference data: {report.regions_added} regions added, {report.regions_updated} updated, "
        f"{report.regions_retired} retired; {report.majors_added} majors added",
        err=True,
    )
    for line in report.differs:
        click.echo(f"  kept as stored: {line}", err=True)


@click.command()
@click.option("--seed", "seed_value", default=2026, show_default=True, help="random seed of the generator")
def seed(seed_value: int) -> None:
    """Load the built-in sample (regions, majors, taxonomy, schools, employers, postings, graduates)."""
    from service.sample.loader import load_sample

    settings = load_settings()
    counts = run_in_session(settings, lambda s: load_sample(s, seed=seed_value))
    echo_json(counts)
    if not settings.secret_key:  # embedded default secret: a development install
        from service.accounts.bootstrap import SAMPLE_PASSWORD, create_sample_accounts

        accounts = run_in_session(settings, create_sample_accounts)
        click.echo(
            f"sample accounts (development only, password {SAMPLE_PASSWORD!r}; "
            'POST /auth/login with {"login": <e-mail>, "password": …}):',
            err=True,
        )
        for email, role, label in accounts:
            click.echo(f"  {email:32} {role:10} {label}", err=True)
    else:
        click.echo(
            "no sample accounts (VOCMATCH_SECRET_KEY is set); create an admin with `vocmatch users create-admin EMAIL`",
            err=True,
        )


#: uvicorn options of ``vocmatch serve``. uvicorn's own proxy-header handling is off (by default it
#: believes ``X-Forwarded-For`` from 127.0.0.1, whoever sends it through a local hop): the app
#: believes it only from ``VOCMATCH_TRUSTED_PROXIES`` (:func:`service.accounts.setup.build_security`).
SERVER_OPTIONS: dict[str, Any] = {"proxy_headers": False, "server_header": False}


@click.command()
@click.option("--host", default=None, help="default VOCMATCH_HOST (127.0.0.1)")
@click.option("--port", type=int, default=None, help="default VOCMATCH_PORT (8000)")
@click.option("--workers", type=int, default=None, help="default VOCMATCH_WORKERS (1)")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the HTTP API. Several workers (or hosts) can share one PostgreSQL database."""
    import uvicorn

    settings = load_settings()
    uvicorn.run(
        "service.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers or settings.workers,
        log_level="info",
        **SERVER_OPTIONS,
    )


@click.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Migrate, load the sample data (a no-op when already loaded), then serve, with a child process
    delivering notifications every 5 s (``vocmatch notifications drain --watch 5``: without
    VOCMATCH_SMTP_URL they are written as .eml files to VOCMATCH_OUTBOX_DIR, var/outbox)."""
    import os
    import subprocess

    ctx.invoke(migrate)
    ctx.invoke(seed)
    # --exit-with-parent: uvicorn ends this process by raising SIGTERM again after its shutdown, so the
    # finally below does not run then; the drainer sees its parent go and stops by itself
    drainer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "service.cli",
            "notifications",
            "drain",
            "--watch",
            "5",
            "--exit-with-parent",
            str(os.getpid()),
        ]
    )
    try:
        ctx.invoke(serve)
    finally:
        drainer.terminate()
        drainer.wait(timeout=30)
