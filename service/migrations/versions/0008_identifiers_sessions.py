"""One 身份证号 per person across the whole database (a unique index on the normalised number);
login sessions named in refresh tokens by a random public id, remembering the secrets rotated away.

Before the unique index is built, stored numbers are folded to their normalised form (full-width
characters to ASCII, separators dropped, ``x`` upper-cased — what the service has always written),
and the migration stops, naming the graduate ids but never the numbers, if a number is held twice:
which record is right is for the schools to decide, not for a migration.

Existing sessions get a random ``public_id``; refresh tokens issued before this migration (which
named the session by its integer id) no longer parse, so their holders sign in again.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""
from __future__ import annotations

import secrets
import unicodedata
from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _folded(number: str) -> str:
    """What ``service.graduates.identity.normalise_id_number`` stores (without its validity checks,
    which every stored number already passed)."""
    text = unicodedata.normalize("NFKC", number)
    return "".join(ch for ch in text if ch not in " -\t").upper()


def _normalise_id_numbers(conn: sa.Connection) -> None:
    graduates = sa.table("graduates", sa.column("id", sa.Integer), sa.column("id_number", sa.String))
    rows = conn.execute(sa.select(graduates.c.id, graduates.c.id_number)
                        .where(graduates.c.id_number.is_not(None))).all()
    holders: dict[str, list[int]] = defaultdict(list)
    for ident, number in rows:
        folded = _folded(number)
        holders[folded].append(ident)
        if folded != number:
            conn.execute(graduates.update().where(graduates.c.id == ident).values(id_number=folded))
    shared = sorted(ids for ids in holders.values() if len(ids) > 1)
    if shared:
        listed = "; ".join(", ".join(str(i) for i in ids) for ids in shared[:20])
        raise RuntimeError(
            f"migration 0008: {len(shared)} 身份证号 are each held by more than one graduate (graduate ids, "
            f"one group per number: {listed}{' …' if len(shared) > 20 else ''}). Correct or clear the wrong "
            "records (their schools know which person is which), then run the migration again.")


def upgrade() -> None:
    conn = op.get_bind()
    _normalise_id_numbers(conn)
    op.create_index('ix_graduates_id_number', 'graduates', ['id_number'], unique=True)

    op.add_column('auth_sessions', sa.Column('public_id', sa.String(length=32), nullable=True))
    op.add_column('auth_sessions', sa.Column('rotated_hashes', sa.JSON().with_variant(
        postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), server_default=sa.text("'[]'"),
        nullable=False))
    sessions = sa.table("auth_sessions", sa.column("id", sa.Integer), sa.column("public_id", sa.String))
    for (ident,) in conn.execute(sa.select(sessions.c.id)).all():
        conn.execute(sessions.update().where(sessions.c.id == ident).values(public_id=secrets.token_urlsafe(18)))
    with op.batch_alter_table('auth_sessions') as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=32), nullable=False)
    op.create_index('ix_auth_sessions_public_id', 'auth_sessions', ['public_id'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_auth_sessions_public_id', table_name='auth_sessions')
    with op.batch_alter_table('auth_sessions') as batch_op:
        batch_op.drop_column('rotated_hashes')
        batch_op.drop_column('public_id')
    op.drop_index('ix_graduates_id_number', table_name='graduates')
