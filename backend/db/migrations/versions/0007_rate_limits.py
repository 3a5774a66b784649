"""rate_counters (shared rate-limit counters) and tenants.api_rate_limit

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'rate_counters',
        sa.Column('bucket', sa.String(length=200), nullable=False),
        sa.Column('slot', sa.BigInteger(), nullable=False),
        sa.Column('hits', sa.Integer(), nullable=False),
        sa.Column('touched_at', sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint('bucket', name=op.f('pk_rate_counters')),
    )
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_rate_limit', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tenants', schema=None) as batch_op:
        batch_op.drop_column('api_rate_limit')
    op.drop_table('rate_counters')
