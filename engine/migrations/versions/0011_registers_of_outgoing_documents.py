"""registers of outgoing documents

document_registers: the last number given per register (TTr, QĐ, …) and year; its row is the
lock that makes two issues at once take different numbers.
issued_numbers: each number given (register, year, number, its text "05/TTr-SKHCN", the item
and step, when), issued or void; unique per register, year and number.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-12 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('document_registers',
    sa.Column('register_key', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('register_key', 'year')
    )
    op.create_table('issued_numbers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('register_key', sa.String(length=40), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('element_id', sa.String(length=200), nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('issued_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('void_reason', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('register_key', 'year', 'number')
    )
    op.create_index('ix_issued_numbers_instance_id', 'issued_numbers', ['instance_id'])


def downgrade() -> None:
    op.drop_index('ix_issued_numbers_instance_id', table_name='issued_numbers')
    op.drop_table('issued_numbers')
    op.drop_table('document_registers')
