"""the live final's announced start time (the idle stage screen)

Revision ID: 0004_push
Revises: see down_revision
Create Date: 2026-12-05 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004_push'
down_revision: str | None = '0004_awards'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stage_starts_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.drop_column('stage_starts_at')
