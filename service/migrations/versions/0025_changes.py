"""The postings' change feed (issue 18): ``posting_changes`` (sequence number, posting id, kind, time),
written in the same transaction as every posting created, edited or deleted
(:mod:`service.postings.changes`); recommendation workers apply the rows after the last one they saw
instead of re-scanning the postings table.

Revision ID: 0025_changes
Revises: 0024_schools
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.db import UtcDateTime

revision: str = '0025_changes'
down_revision: str | None = '0024_schools'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'posting_changes',
        sa.Column('seq', ID, nullable=False),
        sa.Column('posting_id', ID, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_posting_changes')),
    )
    op.create_index(op.f('ix_posting_changes_at'), 'posting_changes', ['at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_posting_changes_at'), table_name='posting_changes')
    op.drop_table('posting_changes')
