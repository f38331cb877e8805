"""Saved jobs and job alerts (saved searches with a daily digest): tables saved_jobs, job_alerts and
job_alert_hits (the postings each alert has sent), and an index on postings.created_at (the digest
looks for postings first stored after each alert's watermark).

Revision ID: 0019_alerts
Revises: 0020_resumepdf
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import service.db

revision: str = '0019_alerts'
down_revision: str | None = '0020_resumepdf'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table(
        'saved_jobs',
        sa.Column('id', _ID, nullable=False),
        sa.Column('graduate_id', _ID, nullable=False),
        sa.Column('posting_id', _ID, nullable=False),
        sa.Column('created_at', service.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['graduate_id'], ['graduates.id'], name=op.f('fk_saved_jobs_graduate_id_graduates'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_saved_jobs_posting_id_postings'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_jobs')),
        sa.UniqueConstraint('graduate_id', 'posting_id', name=op.f('uq_saved_jobs_graduate_id_posting_id')),
    )
    op.create_index(op.f('ix_saved_jobs_graduate_id'), 'saved_jobs', ['graduate_id'], unique=False)
    op.create_index(op.f('ix_saved_jobs_posting_id'), 'saved_jobs', ['posting_id'], unique=False)
    op.create_table(
        'job_alerts',
        sa.Column('id', _ID, nullable=False),
        sa.Column('graduate_id', _ID, nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('filters', _JSON, nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('watermark', service.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('last_sent_at', service.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column('created_at', service.db.UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('updated_at', service.db.UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(['graduate_id'], ['graduates.id'], name=op.f('fk_job_alerts_graduate_id_graduates'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job_alerts')),
    )
    op.create_index(op.f('ix_job_alerts_graduate_id'), 'job_alerts', ['graduate_id'], unique=False)
    op.create_table(
        'job_alert_hits',
        sa.Column('alert_id', _ID, nullable=False),
        sa.Column('posting_id', _ID, nullable=False),
        sa.Column('sent_at', service.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['alert_id'], ['job_alerts.id'], name=op.f('fk_job_alert_hits_alert_id_job_alerts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_job_alert_hits_posting_id_postings'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('alert_id', 'posting_id', name=op.f('pk_job_alert_hits')),
    )
    op.create_index(op.f('ix_job_alert_hits_posting_id'), 'job_alert_hits', ['posting_id'], unique=False)
    op.create_index('ix_postings_created_at', 'postings', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_postings_created_at', table_name='postings')
    op.drop_index(op.f('ix_job_alert_hits_posting_id'), table_name='job_alert_hits')
    op.drop_table('job_alert_hits')
    op.drop_index(op.f('ix_job_alerts_graduate_id'), table_name='job_alerts')
    op.drop_table('job_alerts')
    op.drop_index(op.f('ix_saved_jobs_posting_id'), table_name='saved_jobs')
    op.drop_index(op.f('ix_saved_jobs_graduate_id'), table_name='saved_jobs')
    op.drop_table('saved_jobs')
