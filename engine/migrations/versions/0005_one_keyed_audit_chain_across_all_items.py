"""one keyed audit chain across all items

Each audit event gets a place in one chain across all items (chain_seq), the hash of its item's
data after the action (data_hash), and a MAC with its recipe (mac, seal); audit_chain holds the
chain's head, one row, locked by each action just before it commits.

Existing events are sealed here in the order they were written (by id), with the key from
PHEDUYET_AUDIT_KEY / PHEDUYET_AUDIT_KEY_FILE if it is set while upgrading, else with the public
SHA-256 recipe; their per-item hashes are left as they were and are still checked. Only the
last event of each item gets a data hash (the data as it stands now). An operator who sets the
key later adopts the history with `pheduyet audit adopt` (see the README).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 09:00:00.000000
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from engine.audit import GENESIS, audit_key_from_environment, data_digest, event_seal, head_seal

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('audit_events', sa.Column('chain_seq', sa.Integer(), nullable=True))
    op.add_column('audit_events', sa.Column('data_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_events', sa.Column('mac', sa.String(length=64), nullable=True))
    op.add_column('audit_events', sa.Column('seal', sa.String(length=20), nullable=True))
    op.create_index('ix_audit_chain_seq', 'audit_events', ['chain_seq'], unique=True)
    op.create_table('audit_chain',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('mac', sa.String(length=64), nullable=False),
    sa.Column('seal', sa.String(length=20), nullable=False),
    sa.Column('sig', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    _seal_existing(op.get_bind(), audit_key_from_environment())


def _seal_existing(bind: sa.engine.Connection, key: bytes | None) -> None:
    data = {}
    for instance_id, value in bind.execute(sa.text("SELECT id, data FROM instances")):
        data[instance_id] = json.loads(value) if isinstance(value, str) else value
    last = {
        instance_id: seq
        for instance_id, seq in bind.execute(
            sa.text("SELECT instance_id, MAX(seq) FROM audit_events GROUP BY instance_id")
        )
    }
    events = sa.table(
        'audit_events',
        sa.column('id', sa.Integer),
        sa.column('chain_seq', sa.Integer),
        sa.column('data_hash', sa.String),
        sa.column('mac', sa.String),
        sa.column('seal', sa.String),
    )
    previous, position, rows = GENESIS, 0, []
    statement = (
        events.update()
        .where(events.c.id == sa.bindparam('event_id'))
        .values(
            chain_seq=sa.bindparam('p_chain_seq'),
            data_hash=sa.bindparam('p_data_hash'),
            mac=sa.bindparam('p_mac'),
            seal=sa.bindparam('p_seal'),
        )
    )
    for event_id, instance_id, seq, event_hash in bind.execute(
        sa.text("SELECT id, instance_id, seq, hash FROM audit_events ORDER BY id")
    ).all():
        position += 1
        data_hash = data_digest(data[instance_id]) if seq == last[instance_id] else None
        mac, seal = event_seal(key, position, instance_id, seq, event_hash, data_hash, previous)
        rows.append({
            'event_id': event_id, 'p_chain_seq': position, 'p_data_hash': data_hash,
            'p_mac': mac, 'p_seal': seal,
        })
        previous = mac
        if len(rows) >= 500:
            bind.execute(statement, rows)
            rows = []
    if rows:
        bind.execute(statement, rows)
    sig, seal = head_seal(key, position, previous)
    bind.execute(
        sa.text("INSERT INTO audit_chain (id, seq, mac, seal, sig) VALUES (1, :s, :m, :r, :g)"),
        {'s': position, 'm': previous, 'r': seal, 'g': sig},
    )


def downgrade() -> None:
    op.drop_table('audit_chain')
    op.drop_index('ix_audit_chain_seq', table_name='audit_events')
    with op.batch_alter_table('audit_events', schema=None) as batch_op:
        batch_op.drop_column('seal')
        batch_op.drop_column('mac')
        batch_op.drop_column('data_hash')
        batch_op.drop_column('chain_seq')
