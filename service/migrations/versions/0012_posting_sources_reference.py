"""posting_sources.reference: the employer's requisition or reference number of a listing, which keeps
two vacancies with the same employer, title and city apart when postings from several boards are merged
(issue 20).

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('posting_sources') as batch:
        batch.add_column(sa.Column('reference', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('posting_sources') as batch:
        batch.drop_column('reference')
