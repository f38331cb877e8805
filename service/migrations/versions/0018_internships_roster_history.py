"""Internship placements of current students (``internships``, 顶岗实习 with the three-party
agreement stored as a file outside the database) and the roster history (``roster_uploads`` and the
graduates each added or changed, ``roster_upload_graduates``).

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import service.db

revision: str = '0018'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
_ROLE = sa.Enum('graduate', 'employer', 'school', 'department', 'admin', name='role', native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        'internships',
        sa.Column('id', _ID, nullable=False),
        sa.Column('graduate_id', _ID, nullable=False),
        sa.Column('school_id', _ID, nullable=False),
        sa.Column('employer_id', _ID, nullable=False),
        sa.Column('posting_id', _ID, nullable=True),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('end_date', sa.Date(), nullable=False),
        sa.Column('supervisor_name', sa.String(length=100), nullable=False),
        sa.Column('insured', sa.Boolean(), nullable=False),
        sa.Column('insurer', sa.String(length=200), nullable=True),
        sa.Column('policy_number', sa.String(length=64), nullable=True),
        sa.Column('agreement_key', sa.String(length=100), nullable=True),
        sa.Column('agreement_filename', sa.String(length=255), nullable=True),
        sa.Column('agreement_size', sa.Integer(), nullable=True),
        sa.Column('agreement_sha256', sa.String(length=64), nullable=True),
        sa.Column('status', sa.Enum('pending', 'confirmed', name='internshipstatus', native_enum=False, length=32),
                  nullable=False),
        sa.Column('recorded_by_user_id', _ID, nullable=True),
        sa.Column('confirmed_at', service.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column('confirmed_by_user_id', _ID, nullable=True),
        sa.Column('created_at', service.db.UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('updated_at', service.db.UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint('end_date >= start_date', name=op.f('ck_internships_period_order')),
        sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_internships_employer_id_employers'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['graduate_id'], ['graduates.id'], name=op.f('fk_internships_graduate_id_graduates'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_internships_posting_id_postings'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_internships_school_id_schools'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_internships')),
    )
    op.create_index(op.f('ix_internships_employer_id'), 'internships', ['employer_id'], unique=False)
    op.create_index(op.f('ix_internships_graduate_id'), 'internships', ['graduate_id'], unique=False)
    op.create_index(op.f('ix_internships_school_id'), 'internships', ['school_id'], unique=False)

    op.create_table(
        'roster_uploads',
        sa.Column('id', _ID, nullable=False),
        sa.Column('school_id', _ID, nullable=False),
        sa.Column('at', service.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('actor_user_id', _ID, nullable=True),
        sa.Column('actor_role', _ROLE, nullable=True),
        sa.Column('rows_read', sa.Integer(), nullable=False),
        sa.Column('added', sa.Integer(), nullable=False),
        sa.Column('changed', sa.Integer(), nullable=False),
        sa.Column('unchanged', sa.Integer(), nullable=False),
        sa.Column('rejected_rows', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_roster_uploads_school_id_schools'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_uploads')),
    )
    op.create_index(op.f('ix_roster_uploads_school_id'), 'roster_uploads', ['school_id'], unique=False)
    op.create_table(
        'roster_upload_graduates',
        sa.Column('upload_id', _ID, nullable=False),
        sa.Column('graduate_id', _ID, nullable=False),
        sa.Column('change', sa.Enum('added', 'changed', name='rosterchange', native_enum=False, length=32),
                  nullable=False),
        sa.Column('fields', _JSON, nullable=False),
        sa.Column('row', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['graduate_id'], ['graduates.id'],
                                name=op.f('fk_roster_upload_graduates_graduate_id_graduates'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['upload_id'], ['roster_uploads.id'],
                                name=op.f('fk_roster_upload_graduates_upload_id_roster_uploads'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('upload_id', 'graduate_id', name=op.f('pk_roster_upload_graduates')),
    )
    op.create_index(op.f('ix_roster_upload_graduates_graduate_id'), 'roster_upload_graduates', ['graduate_id'],
                    unique=False)


def downgrade() -> None:
    op.drop_table('roster_upload_graduates')
    op.drop_table('roster_uploads')
    op.drop_table('internships')
