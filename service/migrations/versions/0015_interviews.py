"""Interviews proposed on applications (``interviews``) and the times offered (``interview_slots``).

Revision ID: 0015
Revises: 0016
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.db

revision: str = '0015'
down_revision: str | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'interviews',
        sa.Column('id', _ID, nullable=False),
        sa.Column('application_id', _ID, nullable=False),
        sa.Column('status', sa.Enum('proposed', 'accepted', 'declined', 'reschedule_requested', 'superseded',
                                    name='interviewstatus', native_enum=False, length=32), nullable=False),
        sa.Column('mode', sa.Enum('in_person', 'online', name='interviewmode', native_enum=False, length=32),
                  nullable=False),
        sa.Column('place', sa.String(length=300), nullable=True),
        sa.Column('online_url', sa.String(length=1000), nullable=True),
        sa.Column('note', sa.String(length=1000), nullable=True),
        sa.Column('answer_message', sa.String(length=1000), nullable=True),
        sa.Column('answered_at', service.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column('reminded_at', service.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column('created_at', service.db.UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('updated_at', service.db.UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                                name=op.f('fk_interviews_application_id_applications'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_interviews')),
    )
    op.create_index(op.f('ix_interviews_application_id'), 'interviews', ['application_id'], unique=False)
    op.create_table(
        'interview_slots',
        sa.Column('id', _ID, nullable=False),
        sa.Column('interview_id', _ID, nullable=False),
        sa.Column('starts_at', service.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('ends_at', service.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('chosen', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['interview_id'], ['interviews.id'],
                                name=op.f('fk_interview_slots_interview_id_interviews'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_interview_slots')),
    )
    op.create_index(op.f('ix_interview_slots_interview_id'), 'interview_slots', ['interview_id'], unique=False)
    op.create_index('ix_interview_slots_chosen_starts_at', 'interview_slots', ['chosen', 'starts_at'], unique=False)


def downgrade() -> None:
    op.drop_table('interview_slots')
    op.drop_table('interviews')
