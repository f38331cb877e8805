"""The maintained outcome table (issue 18): ``graduate_outcomes`` holds each graduate's counted
outcome as bitemporal intervals (valid from/to × recorded from/to), kept in step with the
destination events in the same transaction (:mod:`service.destinations.outcomes`); reports count
from it with two range conditions. The data step fills it from the events already stored (the
same code as ``vocmatch outcomes rebuild``).

Revision ID: 0026_outcomes
Revises: 0025_changes
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from service.db import UtcDateTime

revision: str = '0026_outcomes'
down_revision: str | None = '0025_changes'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
CATEGORIES = (
    'employment_agreement', 'labour_contract', 'other_employment', 'self_employed', 'freelance',
    'military', 'further_study', 'abroad', 'seeking', 'not_seeking',
)


def upgrade() -> None:
    op.create_table(
        'graduate_outcomes',
        sa.Column('graduate_id', ID, nullable=False),
        sa.Column('recorded_from', UtcDateTime(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('recorded_to', UtcDateTime(), nullable=True),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.Column('event_id', ID, nullable=False),
        sa.Column(
            'category',
            sa.Enum(*CATEGORIES, name='destinationcategory', native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column('internship', sa.Boolean(), nullable=False),
        sa.Column('in_field', sa.Boolean(), nullable=True),
        sa.Column('region_code', sa.String(length=6), nullable=True),
        sa.Column('monthly_salary', sa.Integer(), nullable=True),
        sa.Column('labour_contract', sa.Boolean(), nullable=True),
        sa.Column('social_insurance', sa.Boolean(), nullable=True),
        sa.Column('q2_employed', sa.Boolean(), nullable=True),
        sa.Column('q4_employed', sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ['graduate_id'], ['graduates.id'], name=op.f('fk_graduate_outcomes_graduate_id_graduates'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('graduate_id', 'recorded_from', 'valid_from', name=op.f('pk_graduate_outcomes')),
    )
    from service.destinations.outcomes import rebuild

    rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table('graduate_outcomes')
