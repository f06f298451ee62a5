"""The fields of a Camunda user task that has no form: the variables the choice after it reads.

In Camunda 7 a user task without a form is completed through the Tasklist's generic form or
REST's `complete` with variables, and the gateway after it reads them (`${approved}`,
`${decision == 'reject'}`). Here a task takes only the fields its form declares, so such a
task would be stuck: it is given, as its form, the variables that the conditions of its own
outgoing flows and of a gateway right after it read and that no form of the diagram declares.
Each is optional (left empty, the item's value stays as it was): a boolean where the variable is
tested as such, a choice of the text literals it is compared with, a number where it is compared
with one. Read from the condition's JUEL tokens (engine/juel_scanner.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .juel_scanner import JuelRefused, Token, scan

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
GATEWAYS = ("exclusiveGateway", "inclusiveGateway")
MAX_FIELDS = 10

_COMPARE = frozenset(["==", "!=", "<", "<=", ">", ">=", "eq", "ne", "lt", "gt", "le", "ge"])
_NOT_A_VARIABLE_AFTER = frozenset(["(", ".", "["])  # a function, a bean, a map: no field
_KEYWORDS = "and or not empty true false null div mod instanceof execution task initiator"
_WORDS = _COMPARE | frozenset(_KEYWORDS.split(" "))


def gateway_fields(element: Any, declared: set[str]) -> list[dict[str, Any]]:
    """The generic fields of a user task with no form (see the module's docstring)."""
    found: dict[str, dict[str, Any]] = {}
    for text in _conditions(element):
        for tokens in _expressions(text):
            _read(tokens, declared, found)
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


def _read(tokens: list[Token], declared: set[str], found: dict[str, dict[str, Any]]) -> None:
    for k, token in enumerate(tokens):
        if token.kind != "name" or token.value in _WORDS or token.value in declared:
            continue
        before = tokens[k - 1] if k else None
        if (before is not None and before.value == "." and before.kind == "op") or (
            tokens[k + 1].kind == "op" and tokens[k + 1].value in _NOT_A_VARIABLE_AFTER
        ):
            continue
        field = found.setdefault(token.value, _field(token.value))
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
