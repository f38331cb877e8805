"""Sign-up: activation codes for roster graduates (hashed, single-use, expiring; the table is not called
``invitations``, which holds invitations to apply), the
training institution of a graduate, and the refusal and contact person of an employer's sign-up.

Revision ID: 0013
Revises: 0014
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.db

revision: str = '0013'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('graduates') as batch:
        batch.add_column(sa.Column('training_institution', sa.String(length=200), nullable=True))
    with op.batch_alter_table('employers') as batch:
        batch.add_column(sa.Column('refused_at', service.db.UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('refusal_reason', sa.String(length=500), nullable=True))
        batch.add_column(sa.Column('contact_name', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('contact_phone', sa.String(length=20), nullable=True))
    op.create_table('activation_codes',
    sa.Column('id', _ID, nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('graduate_id', _ID, nullable=False),
    sa.Column('school_id', _ID, nullable=False),
    sa.Column('created_by', _ID, nullable=True),
    sa.Column('created_at', service.db.UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('expires_at', service.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('used_at', service.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', service.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['graduate_id'], ['graduates.id'], name=op.f('fk_activation_codes_graduate_id_graduates'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_activation_codes_school_id_schools'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_activation_codes_created_by_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activation_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_activation_codes_code_hash'))
    )
    op.create_index(op.f('ix_activation_codes_graduate_id'), 'activation_codes', ['graduate_id'], unique=False)
    op.create_index(op.f('ix_activation_codes_school_id'), 'activation_codes', ['school_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_activation_codes_school_id'), table_name='activation_codes')
    op.drop_index(op.f('ix_activation_codes_graduate_id'), table_name='activation_codes')
    op.drop_table('activation_codes')
    with op.batch_alter_table('employers') as batch:
        batch.drop_column('contact_phone')
        batch.drop_column('contact_name')
        batch.drop_column('refusal_reason')
        batch.drop_column('refused_at')
    with op.batch_alter_table('graduates') as batch:
        batch.drop_column('training_institution')
