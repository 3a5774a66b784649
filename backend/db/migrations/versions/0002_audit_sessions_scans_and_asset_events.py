"""audit sessions, scans and asset events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('audit_sessions',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=True),
    sa.Column('include_sublocations', sa.Boolean(), nullable=False),
    sa.Column('category_ids', sa.JSON(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expected_count', sa.Integer(), nullable=False),
    sa.Column('scanned_count', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'location_id'], ['locations.tenant_id', 'locations.id'], name=op.f('fk_audit_sessions_tenant_id_location_id_locations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_audit_sessions_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_audit_sessions'))
    )
    with op.batch_alter_table('audit_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_audit_sessions_tenant_id_status', ['tenant_id', 'status'], unique=False)

    op.create_table('asset_events',
    sa.Column('asset_id', sa.Uuid(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_user_id', sa.Uuid(), nullable=True),
    sa.Column('actor_api_key_id', sa.Uuid(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'asset_id'], ['assets.tenant_id', 'assets.id'], name=op.f('fk_asset_events_tenant_id_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_asset_events_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_asset_events'))
    )
    with op.batch_alter_table('asset_events', schema=None) as batch_op:
        batch_op.create_index('ix_asset_events_tenant_id_asset_id_at', ['tenant_id', 'asset_id', 'at'], unique=False)

    op.create_table('scanner_positions',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('scanner_id', sa.Uuid(), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'location_id'], ['locations.tenant_id', 'locations.id'], name=op.f('fk_scanner_positions_tenant_id_location_id_locations')),
    sa.ForeignKeyConstraint(['tenant_id', 'session_id'], ['audit_sessions.tenant_id', 'audit_sessions.id'], name=op.f('fk_scanner_positions_tenant_id_session_id_audit_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'session_id', 'scanner_id', name=op.f('pk_scanner_positions'))
    )
    op.create_table('scans',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('client_scan_id', sa.Uuid(), nullable=True),
    sa.Column('code', sa.String(length=2000), nullable=False),
    sa.Column('result', sa.String(length=32), nullable=False),
    sa.Column('asset_id', sa.Uuid(), nullable=True),
    sa.Column('location_id', sa.Uuid(), nullable=True),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('api_key_id', sa.Uuid(), nullable=True),
    sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'session_id'], ['audit_sessions.tenant_id', 'audit_sessions.id'], name=op.f('fk_scans_tenant_id_session_id_audit_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_scans_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_scans')),
    sa.UniqueConstraint('tenant_id', 'client_scan_id', name=op.f('uq_scans_tenant_id_client_scan_id'))
    )
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.create_index('ix_scans_tenant_id_session_id_received_at', ['tenant_id', 'session_id', 'received_at'], unique=False)

    op.create_table('session_items',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('asset_id', sa.Uuid(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('expected_location_id', sa.Uuid(), nullable=True),
    sa.Column('scanned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scan_id', sa.Uuid(), nullable=True),
    sa.Column('found_location_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'asset_id'], ['assets.tenant_id', 'assets.id'], name=op.f('fk_session_items_tenant_id_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'expected_location_id'], ['locations.tenant_id', 'locations.id'], name=op.f('fk_session_items_tenant_id_expected_location_id_locations')),
    sa.ForeignKeyConstraint(['tenant_id', 'session_id'], ['audit_sessions.tenant_id', 'audit_sessions.id'], name=op.f('fk_session_items_tenant_id_session_id_audit_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'session_id', 'asset_id', name=op.f('pk_session_items'))
    )
    with op.batch_alter_table('session_items', schema=None) as batch_op:
        batch_op.create_index('ix_session_items_tenant_id_session_id_state', ['tenant_id', 'session_id', 'state'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('session_items', schema=None) as batch_op:
        batch_op.drop_index('ix_session_items_tenant_id_session_id_state')

    op.drop_table('session_items')
    with op.batch_alter_table('scans', schema=None) as batch_op:
        batch_op.drop_index('ix_scans_tenant_id_session_id_received_at')

    op.drop_table('scans')
    op.drop_table('scanner_positions')
    with op.batch_alter_table('asset_events', schema=None) as batch_op:
        batch_op.drop_index('ix_asset_events_tenant_id_asset_id_at')

    op.drop_table('asset_events')
    with op.batch_alter_table('audit_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_sessions_tenant_id_status')

    op.drop_table('audit_sessions')
