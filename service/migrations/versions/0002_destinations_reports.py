"""Destinations, reports: event kinds (override / confirmation / dispute), internship flag and
resolved occupation on destination events; ``disadvantaged`` on graduates; report snapshots
unique per (scope, cohort, period, as_of).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
import service.db

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('report_snapshots',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('scope', sa.String(length=64), nullable=False),
    sa.Column('cohort', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('recorded_before', service.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('job', sa.String(length=64), nullable=True),
    sa.Column('created_at', service.db.UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_snapshots')),
    sa.UniqueConstraint('scope', 'cohort', 'period', 'as_of', name=op.f('uq_report_snapshots_scope_cohort_period_as_of'))
    )
    with op.batch_alter_table('destination_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.Enum('outcome', 'in_field_override', 'confirmation', 'dispute', name='destinationeventkind', native_enum=False, length=32), server_default=sa.text("'outcome'"), nullable=False))
        batch_op.add_column(sa.Column('refers_to_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('occupation_code', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('internship', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_destination_events_refers_to_id'), ['refers_to_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_destination_events_refers_to_id_destination_events'), 'destination_events', ['refers_to_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('graduates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disadvantaged', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('graduates', schema=None) as batch_op:
        batch_op.drop_column('disadvantaged')

    with op.batch_alter_table('destination_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_destination_events_refers_to_id_destination_events'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_destination_events_refers_to_id'))
        batch_op.drop_column('internship')
        batch_op.drop_column('occupation_code')
        batch_op.drop_column('refers_to_id')
        batch_op.drop_column('kind')

    op.drop_table('report_snapshots')
