"""candidate rows kept by the database itself

Two rules of engine.human_tasks were statements the engine sent after its own writes: a task
row that closes takes its candidate rows with it (task_candidates holds open tasks' only), and
every candidate row of a task is kept for its item in item_candidates (who may see the item for
good). Each action paid one round trip for each (on PostgreSQL the first rode in the UPDATE as a
data-modifying WITH, on SQLite it was a DELETE of its own). Now two triggers keep them, on both
databases, whoever writes the rows (an action, a tool, a bulk copy): the rule has one home, and
an action sends two statements fewer on SQLite, one fewer on PostgreSQL.

The triggers' text lives in engine/candidate_triggers.py: on SQLite a later migration that
rebuilds human_tasks, task_candidates or item_candidates (Alembic's batch mode) drops them first
and creates them again after (`drop_candidate_triggers`, `create_candidate_triggers`; see
there why). tests/integration/test_engine__write_path.py checks the rules at head and after such
a rebuild.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 06:00:00.000000
"""

from __future__ import annotations

from alembic import op

from engine.candidate_triggers import create_candidate_triggers, drop_candidate_triggers

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_candidate_triggers(op.get_bind())


def downgrade() -> None:
    drop_candidate_triggers(op.get_bind())
