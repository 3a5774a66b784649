"""users.token_version and account_links (one-time invitation and password-reset links)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_version', sa.Integer(), server_default='0', nullable=False))
    op.create_table(
        'account_links',
        sa.Column('user_id', sa.Uuid(), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Uuid(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('tenant_id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(['tenant_id', 'created_by_id'], ['users.tenant_id', 'users.id'],
                                name=op.f('fk_account_links_tenant_id_created_by_id_users')),
        sa.ForeignKeyConstraint(['tenant_id', 'user_id'], ['users.tenant_id', 'users.id'],
                                name=op.f('fk_account_links_tenant_id_user_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tenant_id'], ['tenants.id'], name=op.f('fk_account_links_tenant_id_tenants'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('tenant_id', 'id', name=op.f('pk_account_links')),
        sa.UniqueConstraint('tenant_id', 'token_hash', name=op.f('uq_account_links_tenant_id_token_hash')),
    )
    op.create_index('ix_account_links_tenant_id_user_id', 'account_links', ['tenant_id', 'user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_account_links_tenant_id_user_id', table_name='account_links')
    op.drop_table('account_links')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('token_version')
