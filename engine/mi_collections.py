"""A multi-instance collection written as an expression, as Camunda 7 evaluates it.

`camunda:collection="${order.positions}"` (a property, a method of a value, any JUEL the
engine translates) is evaluated when the multi-instance activity starts, as Camunda does.
SpiffWorkflow reads a collection only as a variable's name, so at deploy the expression is
translated into the sandbox's Python (engine/juel_camunda.py) and the collection renamed to a
variable of the activity's own, `<element id>_collection`; the code rides on the loop element
(`CODE_ATTRIBUTE`, in a namespace of ours) to the activity's spec (`attach_collection_codes`,
kept by the serializer in the spec's extensions), and when the activity starts the value is
computed into that variable just before SpiffWorkflow reads it (`watch_collections`). The
variable stays in the item's data afterwards, as the activity's list.
"""

from __future__ import annotations

import re
import weakref
from typing import Any

from .errors import ScriptError
from .sandbox import evaluate_expression
from .xml_namespaces import BPMN_NS as BPMN

PHEDUYET_NS = "urn:pheduyet:bpmn"
CODE_ATTRIBUTE = f"{{{PHEDUYET_NS}}}collectionCode"
EXTENSION = "pheduyet_collection"
_watched: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def collection_variable(element_id: str) -> str:
    """The variable an activity's computed collection is kept in."""
    return re.sub(r"\W", "_", element_id) + "_collection"


def attach_collection_codes(specs: list[Any], roots: list[Any]) -> None:
    """Write each expression collection's code into its activity's spec extensions."""
    codes: dict[str, dict[str, str]] = {}
    for root in roots:
        for loop in root.iter(f"{{{BPMN}}}multiInstanceLoopCharacteristics"):
            code = loop.get(CODE_ATTRIBUTE)
            owner = loop.getparent()
            if code and owner is not None and owner.get("id"):
                element = str(owner.get("id"))
                codes[element] = {"variable": collection_variable(element), "code": code}
    if not codes:
        return
    for spec in specs:
        for task_spec in spec.task_specs.values():
            entry = codes.get(getattr(task_spec, "bpmn_id", None) or "")
            if entry and getattr(task_spec, "data_output", None) is not None:
                extensions = dict(getattr(task_spec, "extensions", None) or {})
                extensions[EXTENSION] = entry
                task_spec.extensions = extensions


def watch_collections(specs: list[Any]) -> None:
    """Wrap, once per restored spec, the start of activities with an expression collection."""
    for spec in specs:
        if _watched.get(spec):
            continue
        for task_spec in spec.task_specs.values():
            entry = (getattr(task_spec, "extensions", None) or {}).get(EXTENSION)
            if entry:
                _wrap(task_spec, entry)
        _watched[spec] = True


def _wrap(task_spec: Any, entry: dict[str, str]) -> None:
    update = task_spec._update_hook

    def on_update(my_task: Any) -> Any:
        if "merged" not in my_task.internal_data:  # the activity starts: compute its list
            # SpiffWorkflow's hook first copies the data the activity inherits, then reads the
            # collection: the list goes where that copy comes from.
            source = my_task.parent.data if my_task.parent is not None else my_task.data
            source[entry["variable"]] = _evaluate(my_task, entry["code"], source)
        return update(my_task)

    task_spec._update_hook = on_update


def _evaluate(my_task: Any, code: str, data: dict[str, Any]) -> Any:
    element = my_task.task_spec.bpmn_id
    environment = my_task.workflow.script_engine.environment
    value = evaluate_expression(
        environment, code, data, element, "the multi-instance collection failed"
    )
    if isinstance(value, dict | str) or not hasattr(value, "__iter__"):
        raise ScriptError(
            f"the multi-instance collection must be a list, got {type(value).__name__}",
            element_id=element,
        )
    return list(value)
