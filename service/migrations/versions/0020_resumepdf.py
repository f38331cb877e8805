"""Résumé attachments (``resume_attachments``: PDF or Word files the graduates upload, stored
outside the database under ``attachment_dir/resumes``) and the attachment an application's résumé
snapshot carries (``application_resumes.attachment_id``).

Revision ID: 0020_resumepdf
Revises: 0013
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.db

revision: str = '0020_resumepdf'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'resume_attachments',
        sa.Column('id', _ID, nullable=False),
        sa.Column('graduate_id', _ID, nullable=False),
        sa.Column('key', sa.String(length=100), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('media_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('uploaded_at', service.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('current', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['graduate_id'], ['graduates.id'],
                                name=op.f('fk_resume_attachments_graduate_id_graduates'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_resume_attachments')),
        sa.UniqueConstraint('key', name=op.f('uq_resume_attachments_key')),
    )
    op.create_index(op.f('ix_resume_attachments_graduate_id'), 'resume_attachments', ['graduate_id'], unique=False)
    with op.batch_alter_table('application_resumes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attachment_id', _ID, nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_application_resumes_attachment_id_resume_attachments'),
                                    'resume_attachments', ['attachment_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('application_resumes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_application_resumes_attachment_id_resume_attachments'),
                                 type_='foreignkey')
        batch_op.drop_column('attachment_id')
    op.drop_index(op.f('ix_resume_attachments_graduate_id'), table_name='resume_attachments')
    op.drop_table('resume_attachments')
