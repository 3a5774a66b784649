"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('tenants',
    sa.Column('slug', sa.String(length=63), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('tag_prefix', sa.String(length=16), nullable=False),
    sa.Column('tag_padding', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tenants')),
    sa.UniqueConstraint('slug', name=op.f('uq_tenants_slug'))
    )
    op.create_table('categories',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=800), nullable=False),
    sa.Column('description', sa.String(length=10000), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_categories_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_categories'))
    )
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.create_index('uq_categories_tenant_id_default', ['tenant_id'], unique=True, sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))
        batch_op.create_index('uq_categories_tenant_id_name_key', ['tenant_id', 'name_key'], unique=True, sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))

    op.create_table('counters',
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_counters_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'name', name=op.f('pk_counters'))
    )
    op.create_table('locations',
    sa.Column('parent_id', sa.Uuid(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('path', sa.String(length=4000), nullable=False),
    sa.Column('description', sa.String(length=10000), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'parent_id'], ['locations.tenant_id', 'locations.id'], name=op.f('fk_locations_tenant_id_parent_id_locations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_locations_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_locations')),
    sa.UniqueConstraint('tenant_id', 'code', name=op.f('uq_locations_tenant_id_code'))
    )
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.create_index('ix_locations_tenant_id_parent_id', ['tenant_id', 'parent_id'], unique=False)
        batch_op.create_index('uq_locations_tenant_id_default', ['tenant_id'], unique=True, sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))

    op.create_table('people',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('email_key', sa.String(length=1016), nullable=True),
    sa.Column('employee_number', sa.String(length=200), nullable=True),
    sa.Column('department', sa.String(length=200), nullable=True),
    sa.Column('notes', sa.String(length=10000), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_people_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_people'))
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index('ix_people_tenant_id_name', ['tenant_id', 'name'], unique=False)
        batch_op.create_index('uq_people_tenant_id_email_key', ['tenant_id', 'email_key'], unique=True, sqlite_where=sa.text('email_key IS NOT NULL AND deleted_at IS NULL'), postgresql_where=sa.text('email_key IS NOT NULL AND deleted_at IS NULL'))

    op.create_table('users',
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('email_key', sa.String(length=1016), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_users_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_users')),
    sa.UniqueConstraint('tenant_id', 'email_key', name=op.f('uq_users_tenant_id_email_key'))
    )
    op.create_table('api_keys',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('created_by_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['tenant_id', 'created_by_id'], ['users.tenant_id', 'users.id'], name=op.f('fk_api_keys_tenant_id_created_by_id_users')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_api_keys_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('tenant_id', 'token_hash', name=op.f('uq_api_keys_tenant_id_token_hash'))
    )
    op.create_table('assets',
    sa.Column('tag', sa.String(length=64), nullable=False),
    sa.Column('tag_key', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('category_id', sa.Uuid(), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=False),
    sa.Column('assignee_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('serial', sa.String(length=200), nullable=True),
    sa.Column('serial_key', sa.String(length=800), nullable=True),
    sa.Column('manufacturer', sa.String(length=200), nullable=True),
    sa.Column('model', sa.String(length=200), nullable=True),
    sa.Column('purchase_date', sa.Date(), nullable=True),
    sa.Column('purchase_cost', sa.Numeric(precision=15, scale=2), nullable=True),
    sa.Column('warranty_expiry', sa.Date(), nullable=True),
    sa.Column('notes', sa.String(length=10000), nullable=False),
    sa.Column('custom_fields', sa.JSON(), nullable=False),
    sa.Column('last_verified_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tenant_id', sa.Uuid(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['tenant_id', 'assignee_id'], ['people.tenant_id', 'people.id'], name=op.f('fk_assets_tenant_id_assignee_id_people')),
    sa.ForeignKeyConstraint(['tenant_id', 'category_id'], ['categories.tenant_id', 'categories.id'], name=op.f('fk_assets_tenant_id_category_id_categories')),
    sa.ForeignKeyConstraint(['tenant_id', 'location_id'], ['locations.tenant_id', 'locations.id'], name=op.f('fk_assets_tenant_id_location_id_locations')),
    sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_assets_tenant_id_tenants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_assets')),
    sa.UniqueConstraint('tenant_id', 'tag_key', name=op.f('uq_assets_tenant_id_tag_key'))
    )
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.create_index('ix_assets_tenant_id_assignee_id', ['tenant_id', 'assignee_id'], unique=False)
        batch_op.create_index('ix_assets_tenant_id_category_id', ['tenant_id', 'category_id'], unique=False)
        batch_op.create_index('ix_assets_tenant_id_created_at', ['tenant_id', 'created_at'], unique=False)
        batch_op.create_index('ix_assets_tenant_id_location_id', ['tenant_id', 'location_id'], unique=False)
        batch_op.create_index('ix_assets_tenant_id_name', ['tenant_id', 'name'], unique=False)
        batch_op.create_index('ix_assets_tenant_id_serial_key', ['tenant_id', 'serial_key'], unique=False)
        batch_op.create_index('ix_assets_tenant_id_status', ['tenant_id', 'status'], unique=False)
        batch_op.create_index('ix_assets_tenant_id_updated_at', ['tenant_id', 'updated_at'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_index('ix_assets_tenant_id_updated_at')
        batch_op.drop_index('ix_assets_tenant_id_status')
        batch_op.drop_index('ix_assets_tenant_id_serial_key')
        batch_op.drop_index('ix_assets_tenant_id_name')
        batch_op.drop_index('ix_assets_tenant_id_location_id')
        batch_op.drop_index('ix_assets_tenant_id_created_at')
        batch_op.drop_index('ix_assets_tenant_id_category_id')
        batch_op.drop_index('ix_assets_tenant_id_assignee_id')

    op.drop_table('assets')
    op.drop_table('api_keys')
    op.drop_table('users')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index('uq_people_tenant_id_email_key', sqlite_where=sa.text('email_key IS NOT NULL AND deleted_at IS NULL'), postgresql_where=sa.text('email_key IS NOT NULL AND deleted_at IS NULL'))
        batch_op.drop_index('ix_people_tenant_id_name')

    op.drop_table('people')
    with op.batch_alter_table('locations', schema=None) as batch_op:
        batch_op.drop_index('uq_locations_tenant_id_default', sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))
        batch_op.drop_index('ix_locations_tenant_id_parent_id')

    op.drop_table('locations')
    op.drop_table('counters')
    with op.batch_alter_table('categories', schema=None) as batch_op:
        batch_op.drop_index('uq_categories_tenant_id_name_key', sqlite_where=sa.text('deleted_at IS NULL'), postgresql_where=sa.text('deleted_at IS NULL'))
        batch_op.drop_index('uq_categories_tenant_id_default', sqlite_where=sa.text('is_default'), postgresql_where=sa.text('is_default'))

    op.drop_table('categories')
    op.drop_table('tenants')

