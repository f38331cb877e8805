"""Hires counted against openings (``postings.hire_count``, filled from the hired applications) and
the record of scheduled job runs (``job_runs``, one row per job and scheduled time).

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.db

revision: str = '0009'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('postings') as batch:
        batch.add_column(sa.Column('hire_count', sa.Integer(), server_default='0', nullable=False))
    op.execute("UPDATE postings SET hire_count = (SELECT count(*) FROM applications "
               "WHERE applications.posting_id = postings.id AND applications.status = 'hired')")
    op.create_table(
        'job_runs',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('job', sa.String(length=300), nullable=False),
        sa.Column('scheduled_for', service.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('status', sa.Enum('running', 'succeeded', 'failed', 'missed', name='jobrunstatus',
                                    native_enum=False, length=32), nullable=False),
        sa.Column('started_at', service.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('finished_at', service.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column('host', sa.String(length=255), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs')),
        sa.UniqueConstraint('job', 'scheduled_for', name=op.f('uq_job_runs_job_scheduled_for')),
    )


def downgrade() -> None:
    op.drop_table('job_runs')
    with op.batch_alter_table('postings') as batch:
        batch.drop_column('hire_count')
