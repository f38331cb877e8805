"""``vocmatch users``: accounts from the command line (the first system admin)."""

from __future__ import annotations

import click

from service.cli.helpers import load_settings, run_in_session


@click.group()
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
        user = run_in_session(load_settings(), lambda s: create_admin(s, email, password))
    except (InvalidFieldError, ConflictError) as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"created system admin {user.email} (user {user.id})", err=True)
