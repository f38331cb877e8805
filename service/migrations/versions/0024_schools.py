"""An index on ``graduates (school_id, cohort)``: the follow-up list (issue 17) and the dashboards
read one school's cohort; with only ``school_id`` indexed a school of several 5,000-graduate
cohorts is read whole and filtered.

Revision ID: 0024_schools
Revises: 0019_alerts
Create Date: 2026-12-07
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0024_schools'
# the brief said 0013, but 0020_resumepdf (merged) already follows 0013: following it keeps one head
down_revision: str | None = '0019_alerts'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_graduates_school_id_cohort', 'graduates', ['school_id', 'cohort'])


def downgrade() -> None:
    op.drop_index('ix_graduates_school_id_cohort', table_name='graduates')
