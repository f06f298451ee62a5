"""Link events: a throw event with a `linkEventDefinition` named N goes on at the catch event of
the same name in the same process or sub-process, as Camunda 7 runs it (BPMN's connector of a
long flow, drawn to avoid crossing lines). SpiffWorkflow reads neither: the throw ended its
branch there, the catch was never reached, and an item ended "completed" half-way, its data
gone. Here the copy handed to SpiffWorkflow joins each pair: the flows into the throw go to
the catch, which passes on like a plain event; the throw is left out. A throw whose name no
catch of its scope carries, or a name two catches of one scope carry, is refused at deploy."""

from __future__ import annotations

from typing import Any

from .errors import InvalidDefinition
from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import FLOW_SCOPES

_LINK = f"{{{BPMN}}}linkEventDefinition"
_THROW = f"{{{BPMN}}}intermediateThrowEvent"
_CATCH = f"{{{BPMN}}}intermediateCatchEvent"


def _links(scope: Any, tag: str) -> list[tuple[str, Any, Any]]:
    """(name, event, its link definition) of the scope's own events of a kind."""
    found = []
    for event in scope.iterfind(tag):
        definition = event.find(_LINK)
        if definition is not None:
            found.append(((definition.get("name") or "").strip(), event, definition))
    return found


def _scopes(root: Any) -> list[Any]:
    return [e for name in FLOW_SCOPES for e in root.iter(f"{{{BPMN}}}{name}")]


def check_links(file_name: str, root: Any) -> None:
    """Refuse a throw no catch of its scope takes, and a name two catches of a scope carry."""
    for scope in _scopes(root):
        catches: dict[str, Any] = {}
        for name, event, definition in _links(scope, _CATCH):
            if name in catches:
                raise _refusal(file_name, event, definition, reason="link_catch_twice", name=name)
            catches[name] = event
        for name, event, definition in _links(scope, _THROW):
            if name not in catches:
                raise _refusal(file_name, event, definition, reason="link_unmatched", name=name)


def _refusal(
    file_name: str, event: Any, definition: Any, *, reason: str, name: str
) -> InvalidDefinition:
    said = (
        f"two link catch events of one process or sub-process are named '{name}'"
        if reason == "link_catch_twice"
        else f"the link event '{name}' has no catch event of that name in its process or "
        "sub-process"
    )
    return InvalidDefinition(
        f"{said}: a link throw goes on at the one catch event of its name",
        file=file_name,
        element_id=event.get("id"),
        line=definition.sourceline,
        reason=reason,
        name=name,
    )


def join_links(tree: Any) -> None:
    """In the copy handed to SpiffWorkflow: each throw's incoming flows go to its catch, the
    throw is left out, the catch passes on as a plain event (`check_links` ran first)."""
    for scope in _scopes(tree):
        catches = {name: event for name, event, _d in _links(scope, _CATCH)}
        for name, event, _definition in _links(scope, _THROW):
            catch = catches[name]
            for flow in scope.iterfind(f"{{{BPMN}}}sequenceFlow"):
                if flow.get("targetRef") == event.get("id"):
                    flow.set("targetRef", catch.get("id"))
            scope.remove(event)
        for _name, event, definition in _links(scope, _CATCH):
            event.remove(definition)
