"""Follow-up: the evidence (佐证材料) of a recorded destination and the graduate's class (班级).

``destination_events.evidence`` says what a school survey outcome rests on (labour contract,
social insurance, enrolment letter, military notice, other); ``graduates.class_name`` is the
roster's 班级, by which the follow-up list is filtered.

Revision ID: 0016
Revises: 0009
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('destination_events') as batch:
        batch.add_column(sa.Column('evidence', sa.Enum('labour_contract', 'social_insurance', 'enrolment_letter',
                                                       'military_notice', 'other', name='evidencetype',
                                                       native_enum=False, length=32), nullable=True))
    with op.batch_alter_table('graduates') as batch:
        batch.add_column(sa.Column('class_name', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('graduates') as batch:
        batch.drop_column('class_name')
    with op.batch_alter_table('destination_events') as batch:
        batch.drop_column('evidence')
