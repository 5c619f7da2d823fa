"""the audience vote: vote windows, ticket codes, votes

Revision ID: 0004_vote
Revises: 0004_room
Create Date: 2026-12-05 01:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004_vote'
down_revision: str | None = '0004_room'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'votewindow',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('mode', sa.String(length=10), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('live_tally', sa.Boolean(), nullable=False),
        sa.Column('revealed', sa.Boolean(), nullable=False),
        sa.Column('on_projector', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("mode IN ('tickets', 'device')", name=op.f('ck_votewindow_mode')),
        sa.CheckConstraint(
            'closed_at IS NULL OR opened_at IS NOT NULL', name=op.f('ck_votewindow_closed')
        ),
        sa.ForeignKeyConstraint(
            ['round_id'], ['round.id'], name=op.f('fk_votewindow_round_id_round'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_votewindow')),
        sa.UniqueConstraint('round_id', name=op.f('uq_votewindow_round_id')),
        sa.UniqueConstraint('token', name=op.f('uq_votewindow_token')),
    )
    op.create_table(
        'voteticket',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('window_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('claimed_by', sa.String(length=64), nullable=True),
        sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['window_id'],
            ['votewindow.id'],
            name=op.f('fk_voteticket_window_id_votewindow'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_voteticket')),
        sa.UniqueConstraint('code_hash', name=op.f('uq_voteticket_code_hash')),
        sa.UniqueConstraint('window_id', 'number', name=op.f('uq_voteticket_window_id_number')),
    )
    op.create_index(op.f('ix_voteticket_window_id'), 'voteticket', ['window_id'], unique=False)
    op.create_table(
        'vote',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('window_id', sa.Integer(), nullable=False),
        sa.Column('voter', sa.String(length=80), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('pitch_id', sa.Integer(), nullable=False),
        sa.Column('changes', sa.Integer(), nullable=False),
        sa.Column('cast_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['pitch_id'], ['pitch.id'], name=op.f('fk_vote_pitch_id_pitch'), ondelete='CASCADE'
        ),
        sa.ForeignKeyConstraint(
            ['ticket_id'],
            ['voteticket.id'],
            name=op.f('fk_vote_ticket_id_voteticket'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['window_id'], ['votewindow.id'], name=op.f('fk_vote_window_id_votewindow'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_vote')),
        sa.UniqueConstraint('window_id', 'voter', name=op.f('uq_vote_window_id_voter')),
    )
    op.create_index(op.f('ix_vote_pitch_id'), 'vote', ['pitch_id'], unique=False)
    op.create_index(op.f('ix_vote_ticket_id'), 'vote', ['ticket_id'], unique=False)
    op.create_index(op.f('ix_vote_window_id'), 'vote', ['window_id'], unique=False)


def downgrade() -> None:
    op.drop_table('vote')
    op.drop_table('voteticket')
    op.drop_table('votewindow')
