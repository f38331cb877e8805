"""Résumé snapshots and contact consent of applications (``application_resumes``), the message
thread of an application (``conversation_messages``) and invitations to apply (``invitations``).

Revision ID: 0014
Revises: 0018
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import service.db

revision: str = '0014'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
_ROLE = sa.Enum('graduate', 'employer', 'school', 'department', 'admin', name='role', native_enum=False, length=32)
_INVITATION = sa.Enum('pending', 'accepted', 'declined', name='invitationstatus', native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        'application_resumes',
        sa.Column('application_id', _ID, nullable=False),
        sa.Column('snapshot', _JSON, nullable=True),
        sa.Column('taken_at', service.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('contact_consent', sa.Boolean(), nullable=False),
        sa.Column('consent_changed_at', service.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                                name=op.f('fk_application_resumes_application_id_applications'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('application_id', name=op.f('pk_application_resumes')),
    )
    op.create_table(
        'conversation_messages',
        sa.Column('id', _ID, nullable=False),
        sa.Column('application_id', _ID, nullable=False),
        sa.Column('sender_user_id', _ID, nullable=True),
        sa.Column('sender_role', _ROLE, nullable=False),
        sa.Column('body', sa.String(length=2000), nullable=False),
        sa.Column('created_at', service.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('read_at', service.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                                name=op.f('fk_conversation_messages_application_id_applications'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['sender_user_id'], ['users.id'],
                                name=op.f('fk_conversation_messages_sender_user_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_messages')),
    )
    op.create_index('ix_conversation_messages_application_id_id', 'conversation_messages', ['application_id', 'id'])
    op.create_index('ix_conversation_messages_sender_user_id_created_at', 'conversation_messages',
                    ['sender_user_id', 'created_at'])
    op.create_table(
        'invitations',
        sa.Column('id', _ID, nullable=False),
        sa.Column('posting_id', _ID, nullable=False),
        sa.Column('graduate_id', _ID, nullable=False),
        sa.Column('invited_by_user_id', _ID, nullable=True),
        sa.Column('message', sa.String(length=500), nullable=True),
        sa.Column('status', _INVITATION, nullable=False),
        sa.Column('application_id', _ID, nullable=True),
        sa.Column('created_at', service.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('answered_at', service.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'],
                                name=op.f('fk_invitations_application_id_applications'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['graduate_id'], ['graduates.id'],
                                name=op.f('fk_invitations_graduate_id_graduates'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['invited_by_user_id'], ['users.id'],
                                name=op.f('fk_invitations_invited_by_user_id_users'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['posting_id'], ['postings.id'],
                                name=op.f('fk_invitations_posting_id_postings'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
        sa.UniqueConstraint('posting_id', 'graduate_id', name=op.f('uq_invitations_posting_id_graduate_id')),
    )
    op.create_index(op.f('ix_invitations_posting_id'), 'invitations', ['posting_id'])
    op.create_index(op.f('ix_invitations_graduate_id'), 'invitations', ['graduate_id'])
    op.create_index(op.f('ix_invitations_invited_by_user_id'), 'invitations', ['invited_by_user_id'])


def downgrade() -> None:
    op.drop_table('invitations')
    op.drop_table('conversation_messages')
    op.drop_table('application_resumes')
