"""The recommendation caches' change feed (issue 18): ``recommendation_changes`` (sequence number, kind,
subject id, time), written in the same transaction as every change of a graduate, an application, an
employer or a school or major (:mod:`service.recommendations.changes`); workers drop their cached
graduate documents, histories, hidden postings and seeker pool when a row names them, instead of
computing the tables' fingerprints on every request.

Revision ID: 0027_recversions
Revises: 0026_outcomes
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.db import UtcDateTime

revision: str = '0027_recversions'
down_revision: str | None = '0026_outcomes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'recommendation_changes',
        sa.Column('seq', ID, nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('subject_id', ID, nullable=False),
        sa.Column('at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_recommendation_changes')),
    )
    op.create_index(op.f('ix_recommendation_changes_at'), 'recommendation_changes', ['at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_recommendation_changes_at'), table_name='recommendation_changes')
    op.drop_table('recommendation_changes')
