"""A call activity that names a tenant (`camunda:calledElementTenantId`, here a bean's method as
Camunda's multi-tenancy example writes it) (issue 12): there are no tenants, so the process
deployed here is called, and `pheduyet check` notes the attribute as accepted and not needed
rather than passing over it in silence. A model of our own in the Camunda Modeler dialect, on
SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import engine
from engine import transaction
from tests.conftest import fixture_files


def test_camunda_tenant__the_tenant_is_noted_and_the_process_deployed_here_called(
    factory: Any, clock: Any, config: Any
) -> None:
    report = engine.check_definitions(fixture_files("camunda_tenant"))
    assert report.problems == ()
    [note] = [n for n in report.notes if n.element_id == "xu_ly"]
    assert note.file == "ho_so_chung.bpmn" and note.line == 8
    assert "calledElementTenantId" in note.message and "no tenants" in note.message
    with transaction(factory) as s:
        engine.add_user(s, "an", display_name="An")
        engine.deploy(s, fixture_files("camunda_tenant"), clock)
        item = engine.start_instance(s, config, "ho_so_chung", "an")
    with transaction(factory) as s:
        [task] = engine.open_tasks(s)
        assert task.element_id == "xem"
        engine.complete_task(s, config, task.id, "an")
    with transaction(factory) as s:
        assert engine.show_instance(s, item).status == "completed"
