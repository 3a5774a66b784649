"""lifecycle: maintenance, custom fields, check-out and health columns

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('custom_fields',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('key_lower', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('description', sa.String(length=10000), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_custom_fields_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_custom_fields'))
    )
    with op.batch_alter_table('custom_fields', schema=None) as batch_op:
        batch_op.create_index('uq_custom_fields_tenant_id_key_lower', ['tenant_id', 'key_lower'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('maintenance_schedules',
    sa.Column('asset_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('interval_value', sa.Integer(), nullable=False),
    sa.Column('interval_unit', sa.String(length=8), nullable=False),
    sa.Column('next_due_date', sa.Date(), nullable=False),
    sa.Column('reminder_days', sa.Integer(), nullable=False),
    sa.Column('notes', sa.String(length=10000), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'asset_id'], ['assets.tenant_id', 'assets.id'], name=op.f('fk_maintenance_schedules_tenant_id_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_maintenance_schedules_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_maintenance_schedules'))
    )
    with op.batch_alter_table('maintenance_schedules', schema=None) as batch_op:
        batch_op.create_index('ix_maintenance_schedules_tenant_id_asset_id', ['tenant_id', 'asset_id'], unique=False)
        batch_op.create_index('ix_maintenance_schedules_tenant_id_next_due_date', ['tenant_id', 'next_due_date'], unique=False)

    op.create_table('maintenance_logs',
    sa.Column('asset_id', sa.Uuid(), nullable=False),
    sa.Column('schedule_id', sa.Uuid(), nullable=True),
    sa.Column('type', sa.String(length=64), nullable=False),
    sa.Column('completed_date', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cost', sa.Numeric(precision=15, scale=2), nullable=True),
    sa.Column('notes', sa.String(length=10000), nullable=False),
    sa.Column('performed_by_user_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'asset_id'], ['assets.tenant_id', 'assets.id'], name=op.f('fk_maintenance_logs_tenant_id_asset_id_assets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tenant_id', 'schedule_id'], ['maintenance_schedules.tenant_id', 'maintenance_schedules.id'], name=op.f('fk_maintenance_logs_tenant_id_schedule_id_maintenance_schedules')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_maintenance_logs_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_maintenance_logs'))
    )
    with op.batch_alter_table('maintenance_logs', schema=None) as batch_op:
        batch_op.create_index('ix_maintenance_logs_tenant_id_asset_id_completed_date', ['tenant_id', 'asset_id', 'completed_date'], unique=False)
        batch_op.create_index('ix_maintenance_logs_tenant_id_schedule_id', ['tenant_id', 'schedule_id'], unique=False)

    with op.batch_alter_table('asset_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('person_id', sa.Uuid(), nullable=True))
        batch_op.create_index('ix_asset_events_tenant_id_person_id_at', ['tenant_id', 'person_id', 'at'], unique=False)

    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('due_back_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reserved_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('missed_last_audit', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_assets_tenant_id_due_back_at', ['tenant_id', 'due_back_at'], unique=False)

    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.add_column(sa.Column('life_expectancy_months', sa.Integer(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_column('life_expectancy_months')

    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_index('ix_assets_tenant_id_due_back_at')
        batch_op.drop_column('missed_last_audit')
        batch_op.drop_column('reserved_until')
        batch_op.drop_column('due_back_at')
        batch_op.drop_column('assigned_at')

    with op.batch_alter_table('asset_events', schema=None) as batch_op:
        batch_op.drop_index('ix_asset_events_tenant_id_person_id_at')
        batch_op.drop_column('person_id')

    with op.batch_alter_table('maintenance_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_maintenance_logs_tenant_id_schedule_id')
        batch_op.drop_index('ix_maintenance_logs_tenant_id_asset_id_completed_date')

    op.drop_table('maintenance_logs')
    with op.batch_alter_table('maintenance_schedules', schema=None) as batch_op:
        batch_op.drop_index('ix_maintenance_schedules_tenant_id_next_due_date')
        batch_op.drop_index('ix_maintenance_schedules_tenant_id_asset_id')

    op.drop_table('maintenance_schedules')
    with op.batch_alter_table('custom_fields', schema=None) as batch_op:
        batch_op.drop_index('uq_custom_fields_tenant_id_key_lower', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.drop_table('custom_fields')
