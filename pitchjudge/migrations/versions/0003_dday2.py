"""privacy notice and consent, the applicant's language

Revision ID: 0003_dday2
Revises: see down_revision
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0003_dday2'
down_revision: str | None = '0003_mail'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.add_column(sa.Column('privacy_text', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('pitch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('consent_text', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('pitch', schema=None) as batch_op:
        batch_op.drop_column('consent_text')
        batch_op.drop_column('consent_at')
    with op.batch_alter_table('contest', schema=None) as batch_op:
        batch_op.drop_column('privacy_text')
