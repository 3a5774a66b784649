"""labels: blank-tag batches and codes, per-template printer calibration

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _tenant(table: str) -> list[sa.SchemaItem]:
    """The tenant_id column and its key to tenants, as every tenant-owned table has them."""
    return [
        sa.Column('tenant_id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f(f'fk_{table}_tenant_id_tenants'),
                                ondelete='CASCADE'),
    ]


def upgrade() -> None:
    op.create_table(
        'blank_batches',
        *_tenant('blank_batches'),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('template', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by_user_id', sa.Uuid(), nullable=True),
        sa.Column('created_by_api_key_id', sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_blank_batches')),
    )
    with op.batch_alter_table('blank_batches', schema=None) as batch_op:
        batch_op.create_index('ix_blank_batches_tenant_id_created_at', ['tenant_id', 'created_at'], unique=False)

    op.create_table(
        'blank_tags',
        *_tenant('blank_tags'),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('batch_id', sa.Uuid(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('asset_id', sa.Uuid(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('claimed_by_user_id', sa.Uuid(), nullable=True),
        sa.Column('claimed_by_api_key_id', sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(['tenant_id', 'batch_id'], ['blank_batches.tenant_id', 'blank_batches.id'],
                                name=op.f('fk_blank_tags_tenant_id_batch_id_blank_batches'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id', 'asset_id'], ['assets.tenant_id', 'assets.id'],
                                name=op.f('fk_blank_tags_tenant_id_asset_id_assets')),
        sa.PrimaryKeyConstraint('tenant_id', 'code', name=op.f('pk_blank_tags')),
    )
    with op.batch_alter_table('blank_tags', schema=None) as batch_op:
        batch_op.create_index('ix_blank_tags_tenant_id_batch_id_position', ['tenant_id', 'batch_id', 'position'],
                              unique=False)
        batch_op.create_index('ix_blank_tags_tenant_id_asset_id', ['tenant_id', 'asset_id'], unique=False)

    op.create_table(
        'label_calibrations',
        *_tenant('label_calibrations'),
        sa.Column('template', sa.String(length=64), nullable=False),
        sa.Column('offset_x_mm', sa.Float(), nullable=False),
        sa.Column('offset_y_mm', sa.Float(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_by_user_id', sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint('tenant_id', 'template', name=op.f('pk_label_calibrations')),
    )


def downgrade() -> None:
    op.drop_table('label_calibrations')
    with op.batch_alter_table('blank_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_blank_tags_tenant_id_asset_id')
        batch_op.drop_index('ix_blank_tags_tenant_id_batch_id_position')
    op.drop_table('blank_tags')
    with op.batch_alter_table('blank_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_blank_batches_tenant_id_created_at')
    op.drop_table('blank_batches')
