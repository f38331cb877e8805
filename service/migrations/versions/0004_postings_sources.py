"""Postings seen on several boards (posting_sources), last-seen tracking and staleness, crawl runs,
several locations per posting.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29

Data migration: every stored posting with an external id gets its ``(source, external_id,
source_url)`` as its first ``posting_sources`` row (first seen = created, last seen = updated);
its one location becomes the first (only) entry of ``locations``; ``duplicate_key`` is computed
with :func:`scrapers.dedupe.duplicate_key` from the employer name, title and city. The
``postings.source``/``external_id`` columns stay: they name the source that first stored the
posting (``platform`` for postings entered through the API).

Downgrade drops the new tables and columns: a posting keeps its first source; further sources,
extra locations, staleness and the crawl runs are lost.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.db

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = service.db.JsonType
_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duplicate_key', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('stale_at', service.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('locations', _JSON, server_default=sa.text("'[]'"), nullable=False))
        batch_op.create_index(batch_op.f('ix_postings_duplicate_key'), ['duplicate_key'], unique=False)

    op.create_table('posting_sources',
    sa.Column('id', _ID, nullable=False),
    sa.Column('posting_id', _ID, nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('external_id', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=True),
    sa.Column('first_seen_at', service.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', service.db.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['posting_id'], ['postings.id'], name=op.f('fk_posting_sources_posting_id_postings'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posting_sources')),
    sa.UniqueConstraint('source', 'external_id', name=op.f('uq_posting_sources_source_external_id'))
    )
    with op.batch_alter_table('posting_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_posting_sources_posting_id'), ['posting_id'], unique=False)
        batch_op.create_index('ix_posting_sources_source_last_seen_at', ['source', 'last_seen_at'], unique=False)

    op.create_table('crawl_runs',
    sa.Column('id', _ID, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('board', sa.String(length=300), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=True),
    sa.Column('status', sa.Enum('running', 'ok', 'partial', 'failed', name='crawlstatus', native_enum=False,
                                length=32), nullable=False),
    sa.Column('started_at', service.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', service.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('pages_fetched', sa.Integer(), nullable=False),
    sa.Column('pages_failed', sa.Integer(), nullable=False),
    sa.Column('items_parsed', sa.Integer(), nullable=False),
    sa.Column('new', sa.Integer(), nullable=False),
    sa.Column('updated', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('merged', sa.Integer(), nullable=False),
    sa.Column('dropped', sa.Integer(), nullable=False),
    sa.Column('dropped_reasons', _JSON, nullable=False),
    sa.Column('unknown_skills', sa.Integer(), nullable=False),
    sa.Column('marked_stale', sa.Integer(), nullable=False),
    sa.Column('closed', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_crawl_runs'))
    )
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.create_index('ix_crawl_runs_source_status_started_at', ['source', 'status', 'started_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_crawl_runs_board'), ['board'], unique=False)

    _migrate_data()


def _migrate_data() -> None:
    """Existing postings: their source as the first posting_sources row; locations; duplicate keys."""
    from scrapers.dedupe import duplicate_key
    from scrapers.pipeline import NO_EMPLOYER

    bind = op.get_bind()
    bind.execute(sa.text(
        "INSERT INTO posting_sources (posting_id, source, external_id, url, first_seen_at, last_seen_at) "
        "SELECT id, source, external_id, source_url, created_at, updated_at FROM postings "
        "WHERE external_id IS NOT NULL"))
    postings = sa.table('postings', sa.column('id', _ID), sa.column('locations', _JSON),
                        sa.column('duplicate_key', sa.String))
    update = (postings.update().where(postings.c.id == sa.bindparam('pid'))
              .values(locations=sa.bindparam('locs', type_=_JSON), duplicate_key=sa.bindparam('key')))
    rows = bind.execute(sa.text(
        "SELECT p.id, p.title, p.country, p.region_code, p.province, p.city, p.address, e.name "
        "FROM postings p JOIN employers e ON e.id = p.employer_id ORDER BY p.id")).all()
    params = []
    for pid, title, country, region_code, province, city, address, employer in rows:
        place = {'region_code': region_code, 'province': province, 'city': city, 'district': None,
                 'address': address}
        locs = [place] if any(v is not None for v in place.values()) else []
        params.append({'pid': pid, 'locs': locs,
                       'key': duplicate_key(employer, title, city, country, no_employer=NO_EMPLOYER)})
        if len(params) >= _BATCH:
            bind.execute(update, params)
            params = []
    if params:
        bind.execute(update, params)


def downgrade() -> None:
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawl_runs_board'))
        batch_op.drop_index('ix_crawl_runs_source_status_started_at')
    op.drop_table('crawl_runs')
    with op.batch_alter_table('posting_sources', schema=None) as batch_op:
        batch_op.drop_index('ix_posting_sources_source_last_seen_at')
        batch_op.drop_index(batch_op.f('ix_posting_sources_posting_id'))
    op.drop_table('posting_sources')
    with op.batch_alter_table('postings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_postings_duplicate_key'))
        batch_op.drop_column('locations')
        batch_op.drop_column('stale_at')
        batch_op.drop_column('duplicate_key')
