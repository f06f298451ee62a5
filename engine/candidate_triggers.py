"""The database's own rules for the candidate tables (engine.human_tasks): a task row that
closes drops its candidate rows, and each candidate row is kept for its item in
item_candidates. Two triggers on each database, created by migration 0025.

On SQLite a migration that rebuilds human_tasks, task_candidates or item_candidates (Alembic's
batch mode copies the table and renames the copy) must drop them first and create them again
after: a rebuilt table loses its own triggers, and SQLite refuses to rename a table while a
trigger of another table names one that is missing. Changing what they do is an edit here and
a migration that drops and creates them again: migration 0025 creates them from this text, so
without it a database upgraded before the edit would keep the old ones."""

from __future__ import annotations

from sqlalchemy import Connection, text

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
_DROP_SQLITE = (
    "DROP TRIGGER IF EXISTS task_closed_drops_candidates",
    "DROP TRIGGER IF EXISTS candidate_kept_for_item",
)
_DROP_POSTGRESQL = (
    "DROP TRIGGER IF EXISTS task_closed_drops_candidates ON human_tasks",
    "DROP TRIGGER IF EXISTS candidate_kept_for_item ON task_candidates",
    "DROP FUNCTION IF EXISTS task_closed_drops_candidates()",
    "DROP FUNCTION IF EXISTS candidate_kept_for_item()",
)


def create_candidate_triggers(connection: Connection) -> None:
    postgresql = connection.dialect.name == "postgresql"
    for statement in _POSTGRESQL if postgresql else _SQLITE:
        connection.execute(text(statement))


def drop_candidate_triggers(connection: Connection) -> None:
    postgresql = connection.dialect.name == "postgresql"
    for statement in _DROP_POSTGRESQL if postgresql else _DROP_SQLITE:
        connection.execute(text(statement))
