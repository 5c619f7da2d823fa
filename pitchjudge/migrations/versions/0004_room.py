"""the projector's layout: mode, seconds per page, top N, whiskers

Revision ID: 0004_room
Revises: see down_revision
Create Date: 2026-12-05 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004_room'
down_revision: str | None = '0003_dday2'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('board_mode', sa.String(length=8), nullable=False, server_default='full')
        )
        batch_op.add_column(
            sa.Column('board_page_seconds', sa.Integer(), nullable=False, server_default='10')
        )
        batch_op.add_column(
            sa.Column('board_top_n', sa.Integer(), nullable=False, server_default='10')
        )
        batch_op.add_column(
            sa.Column('board_whiskers', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_check_constraint(op.f('ck_contest_board_mode'), "board_mode IN ('full', 'pages', 'top')")
        batch_op.create_check_constraint(
            op.f('ck_contest_board_page_seconds'), 'board_page_seconds BETWEEN 3 AND 120'
        )
        batch_op.create_check_constraint(op.f('ck_contest_board_top_n'), 'board_top_n BETWEEN 1 AND 50')


def downgrade() -> None:
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_contest_board_top_n'), type_='check')
        batch_op.drop_constraint(op.f('ck_contest_board_page_seconds'), type_='check')
        batch_op.drop_constraint(op.f('ck_contest_board_mode'), type_='check')
        batch_op.drop_column('board_whiskers')
        batch_op.drop_column('board_top_n')
        batch_op.drop_column('board_page_seconds')
        batch_op.drop_column('board_mode')
