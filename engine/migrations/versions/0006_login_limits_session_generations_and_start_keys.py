"""login limits, session generations and start keys

login_attempts: failed-login counts per account and per address, shared by every worker.
users.session_generation: raised to end every copy of a person's login cookies.
start_keys: the key each "Tạo mới" form carries, and the item its first submit started.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_attempts',
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_started', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('locked_until', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_index('ix_login_attempts_window_started', 'login_attempts', ['window_started'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False)
        )
    op.create_table('start_keys',
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('username', 'key')
    )
    op.create_index('ix_start_keys_created_at', 'start_keys', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_start_keys_created_at', table_name='start_keys')
    op.drop_table('start_keys')
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would copy and drop `users`, which the
    # other tables' foreign keys forbid while SQLite enforces them.
    op.drop_column('users', 'session_generation')
    op.drop_index('ix_login_attempts_window_started', table_name='login_attempts')
    op.drop_table('login_attempts')
