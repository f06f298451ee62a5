"""The fields of a Camunda user task that has no form: the variables the choices after it read.

In Camunda 7 a user task without a form is completed through the Tasklist's generic form or
REST's `complete` with variables, and what comes after it reads them (`${approved}`,
`${decision == 'reject'}`). Here a task takes only the fields its form declares, so such a
task would be stuck: it is given, as its form, the variables that no form of the diagram
declares and that are read, before anything could set them, by the task's own output parameters
(`<camunda:outputParameter name="approval_1">${approval}</camunda:outputParameter>`) and by the
conditions of the flows after it: its own outgoing flows and those leaving the gateways, events
and plain tasks reached from it, inside an embedded sub-process reached too, up to the next
element that may set variables (another user task, a service, script or rule task, a call
activity). A variable the task's
output parameters set is not asked (nor, read in them, one its input parameters set: those are
local to the task, gone once it is done); one an output parameter only copies
(`${approval}` into `approval_1`) is asked as the copy is read. Each is optional (left empty,
the item's value stays as it was): a boolean where the variable is tested as such, a choice of
the text literals it is compared with, a number where it is compared with one. Read from the
condition's JUEL tokens (engine/juel_scanner.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .juel_scanner import JuelRefused, Token, scan
from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import CAMUNDA_NS

# What the walk after the task passes through: nothing in them sets a variable.
PASSED = frozenset(
    [
        "exclusiveGateway",
        "inclusiveGateway",
        "parallelGateway",
        "eventBasedGateway",
        "complexGateway",
        "intermediateThrowEvent",
        "intermediateCatchEvent",
        "task",
        "manualTask",
    ]
)
MAX_FIELDS = 10
MAX_WALKED = 50  # elements looked at after the task

_COMPARE = frozenset(["==", "!=", "<", "<=", ">", ">=", "eq", "ne", "lt", "gt", "le", "ge"])
_NOT_A_VARIABLE_AFTER = frozenset(["(", ".", "["])  # a function, a bean, a map: no field
_KEYWORDS = "and or not empty true false null div mod instanceof execution task initiator"
_WORDS = _COMPARE | frozenset(_KEYWORDS.split(" "))


def gateway_fields(element: Any, declared: set[str]) -> list[dict[str, Any]]:
    """The generic fields of a user task with no form (see the module's docstring)."""
    found: dict[str, dict[str, Any]] = {}
    inputs, outputs = (
        _parameters(element, "inputParameter"),
        _parameters(element, "outputParameter"),
    )
    aliases: dict[str, str] = {}
    for name, text in outputs.items():
        for tokens in _expressions(text):
            if len(tokens) == 2 and tokens[0].kind == "name" and tokens[0].value not in _WORDS:
                aliases[name] = tokens[0].value
            _read(tokens, declared | set(inputs), found, {})
    set_here = declared | set(outputs)  # inputs are local: gone once the task is done
    for text in _conditions(element):
        for tokens in _expressions(text):
            _read(tokens, set_here, found, aliases)
    return list(found.values())[:MAX_FIELDS]


def _parameters(element: Any, kind: str) -> dict[str, str]:
    """The task's own `camunda:inputOutput` parameters of a kind: name -> text (a script or a
    list is no text: its name only)."""
    found: dict[str, str] = {}
    for io in element.iterfind(f"{{{BPMN}}}extensionElements/{{{CAMUNDA_NS}}}inputOutput"):
        for parameter in io.iterfind(f"{{{CAMUNDA_NS}}}{kind}"):
            if parameter.get("name"):
                simple = len(parameter) == 0
                found[parameter.get("name")] = (parameter.text or "") if simple else ""
    return found


def _conditions(element: Any) -> list[str]:
    """The conditions of the flows leaving the task and the elements reached from it that set
    nothing (gateways, events, plain tasks), in the order a walk reaches them; an embedded
    sub-process reached is walked into from its start (its first gateway reads what the task
    was to set: Camunda's Tasklist asks it at the task)."""
    scope = element.getparent()
    if scope is None:
        return []
    texts: list[str] = []
    _walk(scope, [element.get("id")], {element.get("id")}, texts)
    return [t for t in texts if t]


def _walk(scope: Any, queue: list[Any], seen: set[Any], texts: list[str]) -> None:
    flows = [f for f in scope.iterfind(f"{{{BPMN}}}sequenceFlow")]
    nodes = {n.get("id"): n for n in scope if isinstance(n.tag, str) and n.get("id")}
    leaving: dict[str | None, list[Any]] = {}
    for flow in flows:
        leaving.setdefault(flow.get("sourceRef"), []).append(flow)
    while queue and len(seen) <= MAX_WALKED:
        for flow in leaving.get(queue.pop(0), []):
            texts.append(_condition(flow))
            target = nodes.get(flow.get("targetRef"))
            if target is None or target.get("id") in seen:
                continue
            seen.add(target.get("id"))
            kind = target.tag.rsplit("}", 1)[-1]
            if kind in PASSED:
                queue.append(target.get("id"))
            elif kind == "subProcess" and target.get("triggeredByEvent") != "true":
                starts = [e.get("id") for e in target.iterfind(f"{{{BPMN}}}startEvent")]
                seen.update(starts)
                _walk(target, starts, seen, texts)


def _condition(flow: Any) -> str:
    node = flow.find(f"{{{BPMN}}}conditionExpression")
    if node is None or (node.get("language") or "juel").lower() not in ("juel", ""):
        return ""
    return node.text or ""


def _expressions(text: str) -> Iterator[list[Token]]:
    """The tokens of each `${…}` or `#{…}` of a text; one the scanner refuses is left to the
    deploy's own refusal, which names it."""
    at = 0
    while True:
        opens = [p for p in (text.find("${", at), text.find("#{", at)) if p >= 0]
        if not opens:
            return
        try:
            tokens, end = scan(text, min(opens) + 2)
        except JuelRefused:
            return
        yield tokens
        at = end + 1


def _read(
    tokens: list[Token],
    declared: set[str],
    found: dict[str, dict[str, Any]],
    aliases: dict[str, str],
) -> None:
    for k, token in enumerate(tokens):
        if token.kind != "name" or token.value in _WORDS:
            continue
        name = aliases.get(token.value, token.value)
        before = tokens[k - 1] if k else None
        if (before is not None and before.value == "." and before.kind == "op") or (
            tokens[k + 1].kind == "op" and tokens[k + 1].value in _NOT_A_VARIABLE_AFTER
        ):
            continue
        if name in declared:  # a form declares it, or the task's own parameters set it
            continue
        field = found.setdefault(name, _field(name))
        _type_from(field, _compared_with(tokens, k))


def _compared_with(tokens: list[Token], k: int) -> Token | None:
    """The literal a name at `k` is compared with (`x == 'a'`, `5 < x`, `x gt -1`), if any."""
    if tokens[k + 1].value in _COMPARE and tokens[k + 1].kind != "str":
        other = tokens[k + 2]
        return tokens[k + 3] if other.value == "-" and other.kind == "op" else other
    if k >= 2 and tokens[k - 1].value in _COMPARE and tokens[k - 1].kind != "str":
        return tokens[k - 2]
    return None


def _field(name: str) -> dict[str, Any]:
    return {
        "id": name,
        "label": name,
        "type": "boolean",
        "default": None,
        "default_from": None,
        "default_code": None,
        "required": False,
        "readonly": False,
        "constraints": {},
        "options": [],
        "properties": {},
    }


def _type_from(field: dict[str, Any], other: Token | None) -> None:
    if other is None:
        return
    if other.kind == "str":
        field["type"] = "enum"
        if other.value not in {o["id"] for o in field["options"]}:
            field["options"].append({"id": other.value, "name": other.value})
    elif other.kind == "num" and field["type"] != "enum":
        # A whole number: a number field; a decimal: text (the forms have no decimal type).
        field["type"] = "long" if isinstance(other.number, int) else "string"
