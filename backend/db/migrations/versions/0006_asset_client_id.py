"""assets.client_id: a quick-add resent with the same client id creates nothing twice

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sa.Uuid(), nullable=True))
        batch_op.create_index('uq_assets_tenant_id_client_id', ['tenant_id', 'client_id'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('assets', schema=None) as batch_op:
        batch_op.drop_index('uq_assets_tenant_id_client_id')
        batch_op.drop_column('client_id')
