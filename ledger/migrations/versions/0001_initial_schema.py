"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28 13:33:10.591546
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('outlet', sa.String(length=300), nullable=True),
    sa.Column('title', sa.String(length=1000), nullable=True),
    sa.Column('published', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('url')
    )
    op.create_table('journal',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('who', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('seq'),
    sa.UniqueConstraint('hash')
    )
    op.create_table('source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('role', sa.String(length=300), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    op.create_table('forecast',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('statement', sa.Text(), nullable=False),
    sa.Column('statement_key', sa.String(length=64), nullable=False),
    sa.Column('probability', sa.Float(), nullable=False),
    sa.Column('phrase', sa.String(length=200), nullable=True),
    sa.Column('scale', sa.String(length=500), nullable=True),
    sa.Column('made_on', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('deadline_phrase', sa.String(length=300), nullable=True),
    sa.Column('deadline_kind', sa.String(length=20), nullable=True),
    sa.Column('criteria', sa.Text(), nullable=True),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('forecast', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecast_deadline'), ['deadline'], unique=False)
        batch_op.create_index('ix_forecast_dedup', ['statement_key', 'source_id'], unique=False)
        batch_op.create_index('ix_forecast_source_deadline', ['source_id', 'deadline'], unique=False)

    op.create_table('sourcealias',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=300), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('sourcealias', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sourcealias_source_id'), ['source_id'], unique=False)

    op.create_table('sourcemerge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('from_name', sa.String(length=300), nullable=False),
    sa.Column('into_id', sa.Integer(), nullable=False),
    sa.Column('forecasts_moved', sa.Integer(), nullable=False),
    sa.Column('merged_by', sa.String(length=200), nullable=False),
    sa.Column('merged_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['into_id'], ['source.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sourcemerge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sourcemerge_into_id'), ['into_id'], unique=False)

    op.create_table('citation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forecast_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.Integer(), nullable=True),
    sa.Column('quote', sa.Text(), nullable=True),
    sa.Column('added_by', sa.String(length=200), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['article_id'], ['article.id'], ),
    sa.ForeignKeyConstraint(['forecast_id'], ['forecast.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('citation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citation_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_citation_forecast_id'), ['forecast_id'], unique=False)

    op.create_table('forecasttag',
    sa.Column('forecast_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['forecast_id'], ['forecast.id'], ),
    sa.PrimaryKeyConstraint('forecast_id', 'tag')
    )
    with op.batch_alter_table('forecasttag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forecasttag_tag'), ['tag'], unique=False)

    op.create_table('resolution',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forecast_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('void_reason', sa.String(length=20), nullable=True),
    sa.Column('resolved_on', sa.Date(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['forecast_id'], ['forecast.id'], ),
    sa.ForeignKeyConstraint(['supersedes_id'], ['resolution.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('supersedes_id', name='uq_resolution_supersedes')
    )
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.create_index('ix_resolution_forecast', ['forecast_id', 'id'], unique=False)
        batch_op.create_index('uq_resolution_first', ['forecast_id'], unique=True, sqlite_where=sa.text('supersedes_id IS NULL'), postgresql_where=sa.text('supersedes_id IS NULL'))

    op.create_table('revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('forecast_id', sa.Integer(), nullable=False),
    sa.Column('field', sa.String(length=50), nullable=False),
    sa.Column('old', sa.Text(), nullable=True),
    sa.Column('new', sa.Text(), nullable=True),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('who', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('after_deadline', sa.Boolean(), nullable=False),
    sa.Column('after_resolution', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['forecast_id'], ['forecast.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revision_forecast_id'), ['forecast_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revision_forecast_id'))

    op.drop_table('revision')
    with op.batch_alter_table('resolution', schema=None) as batch_op:
        batch_op.drop_index('uq_resolution_first', sqlite_where=sa.text('supersedes_id IS NULL'), postgresql_where=sa.text('supersedes_id IS NULL'))
        batch_op.drop_index('ix_resolution_forecast')

    op.drop_table('resolution')
    with op.batch_alter_table('forecasttag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forecasttag_tag'))

    op.drop_table('forecasttag')
    with op.batch_alter_table('citation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citation_forecast_id'))
        batch_op.drop_index(batch_op.f('ix_citation_article_id'))

    op.drop_table('citation')
    with op.batch_alter_table('sourcemerge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sourcemerge_into_id'))

    op.drop_table('sourcemerge')
    with op.batch_alter_table('sourcealias', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sourcealias_source_id'))

    op.drop_table('sourcealias')
    with op.batch_alter_table('forecast', schema=None) as batch_op:
        batch_op.drop_index('ix_forecast_source_deadline')
        batch_op.drop_index('ix_forecast_dedup')
        batch_op.drop_index(batch_op.f('ix_forecast_deadline'))

    op.drop_table('forecast')
    op.drop_table('source')
    op.drop_table('journal')
    op.drop_table('article')
    
