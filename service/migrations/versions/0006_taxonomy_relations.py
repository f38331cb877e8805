"""Occupation → skill relations of the published classifications (ESCO, O*NET): taxonomy_relations.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('taxonomy_relations',
    sa.Column('id', _ID, nullable=False),
    sa.Column('occupation_id', _ID, nullable=False),
    sa.Column('skill_id', _ID, nullable=False),
    sa.Column('relation', sa.String(length=32), nullable=False),
    sa.Column('weight', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['occupation_id'], ['taxonomy_concepts.id'],
                            name=op.f('fk_taxonomy_relations_occupation_id_taxonomy_concepts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['skill_id'], ['taxonomy_concepts.id'],
                            name=op.f('fk_taxonomy_relations_skill_id_taxonomy_concepts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_taxonomy_relations')),
    sa.UniqueConstraint('occupation_id', 'skill_id', 'relation',
                        name=op.f('uq_taxonomy_relations_occupation_id_skill_id_relation'))
    )
    op.create_index(op.f('ix_taxonomy_relations_skill_id'), 'taxonomy_relations', ['skill_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_taxonomy_relations_skill_id'), table_name='taxonomy_relations')
    op.drop_table('taxonomy_relations')
