"""The fields of a Camunda user task that has no form: the variables the choice after it reads.

In Camunda 7 a user task without a form is completed through the Tasklist's generic form or
REST's `complete` with variables, and the gateway after it reads them (`${approved}`,
`${decision == 'reject'}`). Here a task takes only the fields its form declares, so such a
task would be stuck: it is given, as its form, the variables that the conditions of its own
outgoing flows and of a gateway right after it read and that no form of the diagram declares.
Each is optional (left empty, the item's value stays as it was): a boolean where the variable is
tested as such, a choice of the text literals it is compared with, a number where it is compared
with one. Read from the condition's text, after its string literals are set aside."""

from __future__ import annotations

import re
from typing import Any

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
GATEWAYS = ("exclusiveGateway", "inclusiveGateway")
MAX_FIELDS = 10

_EXPRESSION = re.compile(r"[$#]\{(.*?)\}", re.S)
_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
_NAME = re.compile(r"(?<![\w.$])([A-Za-z_]\w*)(?!\s*\()(?!\s*[.\[])")
_COMPARE = r"(?:==|!=|<=|>=|<|>|\beq\b|\bne\b|\blt\b|\bgt\b|\ble\b|\bge\b)"
_WORDS = frozenset(
    [
        "and",
        "or",
        "not",
        "eq",
        "ne",
        "lt",
        "gt",
        "le",
        "ge",
        "empty",
        "true",
        "false",
        "null",
        "div",
        "mod",
        "instanceof",
        "execution",
        "task",
        "initiator",
    ]
)


def gateway_fields(element: Any, declared: set[str]) -> list[dict[str, Any]]:
    """The generic fields of a user task with no form (see the module's docstring)."""
    found: dict[str, dict[str, Any]] = {}
    for text in _conditions(element):
        for expression in _EXPRESSION.findall(text):
            _read(expression, declared, found)
    return list(found.values())[:MAX_FIELDS]


def _conditions(element: Any) -> list[str]:
    scope = element.getparent()
    if scope is None:
        return []
    flows = {f.get("id"): f for f in scope.iterfind(f"{{{BPMN}}}sequenceFlow")}
    nodes = {n.get("id"): n for n in scope if isinstance(n.tag, str) and n.get("id")}

    def leaving(node_id: str | None) -> list[Any]:
        return [f for f in flows.values() if f.get("sourceRef") == node_id]

    texts = []
    for flow in leaving(element.get("id")):
        texts.append(_condition(flow))
        target = nodes.get(flow.get("targetRef"))
        if target is not None and target.tag.rsplit("}", 1)[-1] in GATEWAYS:
            texts.extend(_condition(f) for f in leaving(target.get("id")))
    return [t for t in texts if t]


def _condition(flow: Any) -> str:
    node = flow.find(f"{{{BPMN}}}conditionExpression")
    if node is None or (node.get("language") or "juel").lower() not in ("juel", ""):
        return ""
    return node.text or ""


def _read(expression: str, declared: set[str], found: dict[str, dict[str, Any]]) -> None:
    literals: list[str] = []

    def aside(match: re.Match[str]) -> str:
        literals.append(match.group(1) if match.group(1) is not None else match.group(2))
        return f" __literal{len(literals) - 1}__ "

    plain = _STRING.sub(aside, expression)
    for match in _NAME.finditer(plain):
        name = match.group(1)
        if name in _WORDS or name in declared or name.startswith("__literal"):
            continue
        field = found.setdefault(name, _field(name))
        _type_from_use(field, plain, name, literals)


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
        "properties": {"generic": "true"},
    }


def _type_from_use(field: dict[str, Any], plain: str, name: str, literals: list[str]) -> None:
    word = re.escape(name)
    near = (
        rf"(?<![\w.]){word}\s*{_COMPARE}\s*([^\s)&|]+)"
        rf"|([^\s(&|]+)\s*{_COMPARE}\s*{word}(?![\w.])"
    )
    for match in re.finditer(near, plain):
        other = (match.group(1) or match.group(2) or "").strip()
        literal = re.fullmatch(r"__literal(\d+)__", other)
        if literal:
            value = literals[int(literal.group(1))]
            field["type"] = "enum"
            if value not in {o["id"] for o in field["options"]}:
                field["options"].append({"id": value, "name": value})
        elif re.fullmatch(r"-?\d+", other) and field["type"] != "enum":
            field["type"] = "long"
        elif re.fullmatch(r"-?\d*\.\d+", other) and field["type"] != "enum":
            field["type"] = "string"  # a decimal: the forms have no such type
