"""security: when each round closed, so later conflicts of interest leave closed rounds alone

Revision ID: 0003_sec
Revises: see down_revision
Create Date: 2026-12-04 22:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003_sec'
down_revision: str | None = '0003_board'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))
    # Rounds already closed or locked: the time of their last close in the audit log (or now).
    op.execute(
        """
        UPDATE round SET closed_at = COALESCE(
            (SELECT MAX(auditevent.at) FROM auditevent
              WHERE auditevent.entity = 'round' AND auditevent.entity_id = round.id
                AND auditevent.field = 'status' AND auditevent.new_value LIKE '%closed%'),
            CURRENT_TIMESTAMP)
        WHERE status IN ('closed', 'locked')
        """
    )


def downgrade() -> None:
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
