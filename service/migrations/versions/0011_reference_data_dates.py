"""National reference data: retired GB/T 2260 codes are kept with ``regions.retired_on``; majors
get their 专业类 (``class_name``) and the cohorts they are open to (``valid_from``, ``retired_on``);
``reference_versions`` records the vintage of each loaded code list.

The rows themselves are loaded by ``vocmatch migrate`` / ``vocmatch reference load`` (service.catalog.
reference), not here: a schema revision must not depend on the data files of a later release.

Revision ID: 0011
Revises: 0007
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'reference_versions',
        sa.Column('name', sa.String(length=16), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_reference_versions')),
    )
    with op.batch_alter_table('regions') as batch:
        batch.add_column(sa.Column('retired_on', sa.Date(), nullable=True))
    with op.batch_alter_table('majors') as batch:
        batch.add_column(sa.Column('class_name', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch.add_column(sa.Column('retired_on', sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('majors') as batch:
        batch.drop_column('retired_on')
        batch.drop_column('valid_from')
        batch.drop_column('class_name')
    with op.batch_alter_table('regions') as batch:
        batch.drop_column('retired_on')
    op.drop_table('reference_versions')
