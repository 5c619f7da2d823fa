"""each round's results version, bumped by triggers (the projector's change check)

Revision ID: 0003_board
Revises: 0002
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003_board'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'roundversion',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['round_id'], ['round.id'], name=op.f('fk_roundversion_round_id_round'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('round_id', name=op.f('pk_roundversion')),
    )
    op.execute('INSERT INTO roundversion (round_id, version) SELECT id, 0 FROM "round"')
    # The triggers themselves: pitchjudge.db.migrate installs them after every upgrade
    # (pitchjudge.results_version.install), so a later migration that rebuilds a table on
    # SQLite cannot lose them.


def downgrade() -> None:
    bind = op.get_bind()
    from pitchjudge.results_version import trigger_names

    for name in trigger_names():
        if bind.dialect.name == 'sqlite':
            op.execute(f'DROP TRIGGER IF EXISTS {name}')
        else:
            op.execute(f'DROP FUNCTION IF EXISTS {name}() CASCADE')
    op.drop_table('roundversion')
