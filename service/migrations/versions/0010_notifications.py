"""Notifications: the in-app inbox, per-user channel preferences, the delivery outbox, and the
language of a user's notifications.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-01
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import service.db

revision: str = '0010'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
_STATUS = sa.Enum('pending', 'sending', 'sent', 'failed', name='outboxstatus', native_enum=False, length=32)
_QUEUED = "status IN ('pending', 'sending')"


def upgrade() -> None:
    op.add_column('users', sa.Column('language', sa.String(length=8), server_default='zh_Hans', nullable=False))

    op.create_table('notifications',
    sa.Column('id', _ID, nullable=False),
    sa.Column('user_id', _ID, nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('params', _JSON, nullable=False),
    sa.Column('link', sa.String(length=1000), nullable=True),
    sa.Column('created_at', service.db.UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('read_at', service.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    op.create_index('ix_notifications_user_id_id', 'notifications', ['user_id', 'id'], unique=False)
    op.create_index('ix_notifications_user_id_read_at', 'notifications', ['user_id', 'read_at'], unique=False)

    op.create_table('notification_preferences',
    sa.Column('user_id', _ID, nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', 'channel', name=op.f('pk_notification_preferences'))
    )

    op.create_table('notification_outbox',
    sa.Column('id', _ID, nullable=False),
    sa.Column('user_id', _ID, nullable=True),
    sa.Column('notification_id', _ID, nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=1000), nullable=True),
    sa.Column('message_key', sa.String(length=64), nullable=False),
    sa.Column('status', _STATUS, nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('due_at', service.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('lease_owner', sa.String(length=64), nullable=True),
    sa.Column('last_error', sa.String(length=1000), nullable=True),
    sa.Column('created_at', service.db.UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('sent_at', service.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'],
                            name=op.f('fk_notification_outbox_notification_id_notifications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_outbox_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_outbox')),
    sa.UniqueConstraint('message_key', name=op.f('uq_notification_outbox_message_key'))
    )
    op.create_index('ix_notification_outbox_due_at', 'notification_outbox', ['due_at'], unique=False,
                    postgresql_where=sa.text(_QUEUED), sqlite_where=sa.text(_QUEUED))
    op.create_index(op.f('ix_notification_outbox_user_id'), 'notification_outbox', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_table('notification_outbox')
    op.drop_table('notification_preferences')
    op.drop_table('notifications')
    op.drop_column('users', 'language')
