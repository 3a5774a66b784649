"""quick-add events (the TT10 report's log) and network label printers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
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
        'quick_add_events',
        *_tenant('quick_add_events'),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('event', sa.String(length=32), nullable=False),
        sa.Column('flow_id', sa.String(length=64), nullable=True),
        sa.Column('item_id', sa.Uuid(), nullable=True),
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('meta', sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_quick_add_events')),
    )
    with op.batch_alter_table('quick_add_events', schema=None) as batch_op:
        batch_op.create_index('ix_quick_add_events_tenant_id_event_at', ['tenant_id', 'event', 'at'], unique=False)
        batch_op.create_index('ix_quick_add_events_tenant_id_user_id_at', ['tenant_id', 'user_id', 'at'],
                              unique=False)

    op.create_table(
        'printers',
        *_tenant('printers'),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('host', sa.String(length=253), nullable=False),
        sa.Column('port', sa.Integer(), nullable=False),
        sa.Column('template', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_printers')),
    )
    with op.batch_alter_table('printers', schema=None) as batch_op:
        batch_op.create_index('ix_printers_tenant_id_name', ['tenant_id', 'name'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('printers', schema=None) as batch_op:
        batch_op.drop_index('ix_printers_tenant_id_name')
    op.drop_table('printers')
    with op.batch_alter_table('quick_add_events', schema=None) as batch_op:
        batch_op.drop_index('ix_quick_add_events_tenant_id_user_id_at')
        batch_op.drop_index('ix_quick_add_events_tenant_id_event_at')
    op.drop_table('quick_add_events')
