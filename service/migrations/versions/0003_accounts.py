"""Accounts: users with a role and one scope id (graduate / employer / school / region), and login
sessions holding the hash of the current refresh token (rotation and revocation).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.db

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
#: exactly the role's scope column is set (mirrors service.accounts.models._scope_check)
_SCOPE_MATCHES_ROLE = (
    "(role = 'graduate' AND graduate_id IS NOT NULL AND employer_id IS NULL AND school_id IS NULL"
    " AND region_code IS NULL)"
    " OR (role = 'employer' AND graduate_id IS NULL AND employer_id IS NOT NULL AND school_id IS NULL"
    " AND region_code IS NULL)"
    " OR (role = 'school' AND graduate_id IS NULL AND employer_id IS NULL AND school_id IS NOT NULL"
    " AND region_code IS NULL)"
    " OR (role = 'department' AND graduate_id IS NULL AND employer_id IS NULL AND school_id IS NULL"
    " AND region_code IS NOT NULL)"
    " OR (role = 'admin' AND graduate_id IS NULL AND employer_id IS NULL AND school_id IS NULL"
    " AND region_code IS NULL)"
)


def upgrade() -> None:
    op.create_table('users',
    sa.Column('id', _ID, nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('graduate', 'employer', 'school', 'department', 'admin', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('graduate_id', _ID, nullable=True),
    sa.Column('employer_id', _ID, nullable=True),
    sa.Column('school_id', _ID, nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('last_login_at', service.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', service.db.UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('updated_at', service.db.UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.CheckConstraint(_SCOPE_MATCHES_ROLE, name=op.f('ck_users_scope_matches_role')),
    sa.CheckConstraint('email IS NOT NULL OR phone IS NOT NULL', name=op.f('ck_users_login_given')),
    sa.ForeignKeyConstraint(['employer_id'], ['employers.id'], name=op.f('fk_users_employer_id_employers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['graduate_id'], ['graduates.id'], name=op.f('fk_users_graduate_id_graduates'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_code'], ['regions.code'], name=op.f('fk_users_region_code_regions')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_users_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('graduate_id', name=op.f('uq_users_graduate_id')),
    sa.UniqueConstraint('phone', name=op.f('uq_users_phone'))
    )
    op.create_index(op.f('ix_users_employer_id'), 'users', ['employer_id'], unique=False)
    op.create_index(op.f('ix_users_region_code'), 'users', ['region_code'], unique=False)
    op.create_index(op.f('ix_users_school_id'), 'users', ['school_id'], unique=False)

    op.create_table('auth_sessions',
    sa.Column('id', _ID, nullable=False),
    sa.Column('user_id', _ID, nullable=False),
    sa.Column('refresh_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', service.db.UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('last_used_at', service.db.UtcDateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column('expires_at', service.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', service.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('user_agent', sa.String(length=300), nullable=True),
    sa.Column('client_ip', sa.String(length=45), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_auth_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_auth_sessions'))
    )
    op.create_index(op.f('ix_auth_sessions_user_id'), 'auth_sessions', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_auth_sessions_user_id'), table_name='auth_sessions')
    op.drop_table('auth_sessions')
    op.drop_index(op.f('ix_users_school_id'), table_name='users')
    op.drop_index(op.f('ix_users_region_code'), table_name='users')
    op.drop_index(op.f('ix_users_employer_id'), table_name='users')
    op.drop_table('users')
