"""Audit log of personal-data reads and exports and of destination changes; graduate deletion requests.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import service.db

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


_ROLE = sa.Enum('graduate', 'employer', 'school', 'department', 'admin', name='role', native_enum=False, length=32)
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
_ACTION = sa.Enum('read', 'export', 'create', 'update', 'delete', 'override', 'confirm', 'dispute',
                  'deletion_request', name='auditaction', native_enum=False, length=32)
_DELETION_STATUS = sa.Enum('pending', 'executed', name='deletionstatus', native_enum=False, length=32)


def upgrade() -> None:
    # --- audit log and graduate deletions (service.privacy.models) ---
    _upgrade_privacy()


def _upgrade_privacy() -> None:
    op.create_table('audit_events',
    sa.Column('id', _ID, nullable=False),
    sa.Column('at', service.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', _ID, nullable=True),
    sa.Column('actor_role', _ROLE, nullable=True),
    sa.Column('action', _ACTION, nullable=False),
    sa.Column('object_type', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=64), nullable=True),
    sa.Column('graduate_id', _ID, nullable=True),
    sa.Column('method', sa.String(length=10), nullable=True),
    sa.Column('path', sa.String(length=500), nullable=True),
    sa.Column('client_ip', sa.String(length=45), nullable=True),
    sa.Column('detail', _JSON, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events'))
    )
    op.create_index(op.f('ix_audit_events_at'), 'audit_events', ['at'], unique=False)
    op.create_index(op.f('ix_audit_events_actor_user_id'), 'audit_events', ['actor_user_id'], unique=False)
    op.create_index(op.f('ix_audit_events_action'), 'audit_events', ['action'], unique=False)
    op.create_index(op.f('ix_audit_events_graduate_id'), 'audit_events', ['graduate_id'], unique=False)

    op.create_table('graduate_deletions',
    sa.Column('id', _ID, nullable=False),
    sa.Column('graduate_id', _ID, nullable=False),
    sa.Column('status', _DELETION_STATUS, nullable=False),
    sa.Column('requested_at', service.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('requested_by_user_id', _ID, nullable=True),
    sa.Column('requested_by_role', _ROLE, nullable=True),
    sa.Column('executed_at', service.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('executed_by_user_id', _ID, nullable=True),
    sa.Column('executed_by_role', _ROLE, nullable=True),
    sa.ForeignKeyConstraint(['graduate_id'], ['graduates.id'], name=op.f('fk_graduate_deletions_graduate_id_graduates'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_graduate_deletions')),
    sa.UniqueConstraint('graduate_id', name=op.f('uq_graduate_deletions_graduate_id'))
    )


def downgrade() -> None:
    _downgrade_privacy()


def _downgrade_privacy() -> None:
    op.drop_table('graduate_deletions')
    op.drop_index(op.f('ix_audit_events_graduate_id'), table_name='audit_events')
    op.drop_index(op.f('ix_audit_events_action'), table_name='audit_events')
    op.drop_index(op.f('ix_audit_events_actor_user_id'), table_name='audit_events')
    op.drop_index(op.f('ix_audit_events_at'), table_name='audit_events')
    op.drop_table('audit_events')
