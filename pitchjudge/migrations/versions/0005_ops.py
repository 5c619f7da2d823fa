"""replicas' heartbeats and counters (health, saves and errors)

Revision ID: 0005_ops
Revises: see down_revision
Create Date: 2026-12-05 04:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005_ops'
down_revision: str | None = '0004_push'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('replica_heartbeats',
    sa.Column('replica_id', sa.String(length=200), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('healthy', sa.Boolean(), nullable=False),
    sa.Column('problem', sa.String(length=500), nullable=False),
    sa.PrimaryKeyConstraint('replica_id', name=op.f('pk_replica_heartbeats'))
    )
    op.create_table('replica_counters',
    sa.Column('replica_id', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('replica_id', 'name', name=op.f('pk_replica_counters'))
    )


def downgrade() -> None:
    op.drop_table('replica_counters')
    op.drop_table('replica_heartbeats')
