"""candidate rows kept by the database itself

Two rules of engine.human_tasks were statements the engine sent after its own writes: a task
row that closes takes its candidate rows with it (task_candidates holds open tasks' only), and
every candidate row of a task is kept for its item in item_candidates (who may see the item for
good). Each action paid one round trip for each (on PostgreSQL the first rode in the UPDATE as a
data-modifying WITH, on SQLite it was a DELETE of its own). Now two triggers keep them, on both
databases, whoever writes the rows (an action, a tool, a bulk copy): the rule has one home, and
an action sends two statements fewer on SQLite, one fewer on PostgreSQL.

SQLite drops a table's triggers when a migration rebuilds the table (Alembic's batch mode): a
later migration that rebuilds human_tasks or task_candidates must create them again
(`create_triggers`); tests/integration/test_engine__write_path.py checks the rules hold at head.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05 06:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

_SQLITE = (
    "CREATE TRIGGER task_closed_drops_candidates AFTER UPDATE OF status ON human_tasks "
    "FOR EACH ROW WHEN old.status = 'open' AND new.status <> 'open' BEGIN "
    "DELETE FROM task_candidates WHERE task_id = old.id; END",
    "CREATE TRIGGER candidate_kept_for_item AFTER INSERT ON task_candidates "
    "FOR EACH ROW WHEN new.instance_id IS NOT NULL BEGIN "
    "INSERT OR IGNORE INTO item_candidates (instance_id, kind, value) "
    "VALUES (new.instance_id, new.kind, new.value); END",
)
_POSTGRESQL = (
    "CREATE FUNCTION task_closed_drops_candidates() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN DELETE FROM task_candidates WHERE task_id = OLD.id; RETURN NULL; END $$",
    "CREATE TRIGGER task_closed_drops_candidates AFTER UPDATE OF status ON human_tasks "
    "FOR EACH ROW WHEN (OLD.status = 'open' AND NEW.status <> 'open') "
    "EXECUTE FUNCTION task_closed_drops_candidates()",
    "CREATE FUNCTION candidate_kept_for_item() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN INSERT INTO item_candidates (instance_id, kind, value) "
    "VALUES (NEW.instance_id, NEW.kind, NEW.value) ON CONFLICT DO NOTHING; RETURN NULL; END $$",
    "CREATE TRIGGER candidate_kept_for_item AFTER INSERT ON task_candidates "
    "FOR EACH ROW WHEN (NEW.instance_id IS NOT NULL) EXECUTE FUNCTION candidate_kept_for_item()",
)


def create_triggers() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in _POSTGRESQL if postgresql else _SQLITE:
        op.execute(statement)


def upgrade() -> None:
    create_triggers()


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.execute(
        "DROP TRIGGER IF EXISTS task_closed_drops_candidates ON human_tasks"
        if postgresql
        else "DROP TRIGGER IF EXISTS task_closed_drops_candidates"
    )
    op.execute(
        "DROP TRIGGER IF EXISTS candidate_kept_for_item ON task_candidates"
        if postgresql
        else "DROP TRIGGER IF EXISTS candidate_kept_for_item"
    )
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS task_closed_drops_candidates()")
        op.execute("DROP FUNCTION IF EXISTS candidate_kept_for_item()")
