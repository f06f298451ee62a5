"""What a Camunda service task hands its handler besides the item's data: its field injections
(`camunda:field`, as a Java delegate receives them) and, for a connector, the connector's input
parameters (`camunda:inputParameter`, with `camunda:map` and `camunda:list`). They arrive in
`ServiceCall.params`, by name. A connector's output parameters (`read_outputs`) are evaluated
on the item's data and the handler's returned variables (the connector's response, e.g.
`response`); only they are set on the item, as Camunda keeps a connector's own variables in
the connector's scope.

Literal text stays text; a JUEL expression (`${invoice.number}`) is translated once, here at
deploy, into the sandbox's Python and evaluated on the task's data when the task runs. What
cannot be run (a `camunda:script` parameter, JUEL outside the subset) is refused at deploy
naming file, element, line and the parameter.
"""

from __future__ import annotations

from typing import Any

from .errors import InvalidDefinition
from .javascript import is_javascript
from .javascript_tasks import javascript_value
from .juel_parser import translate
from .juel_scanner import JuelRefused, has_expression
from .sandbox import SandboxViolation, compile_script
from .xml_namespaces import BPMN_NS, CAMUNDA_NS

_EXT = f"{{{BPMN_NS}}}extensionElements"

# A parameter as stored in the spec: {"text": str} | {"code": str} | {"map": {name: param}}
# | {"list": [param]}.
Param = dict[str, Any]


def read_params(file_name: str | None, node: Any) -> dict[str, Param]:
    """The fields and connector input parameters of a service task element."""
    params: dict[str, Param] = {}
    for ext in node.iterfind(_EXT):
        for field in ext.iterfind(f"{{{CAMUNDA_NS}}}field"):
            params[parameter_name(file_name, node, field)] = _field(file_name, node, field)
        for connector in ext.iterfind(f"{{{CAMUNDA_NS}}}connector"):
            path = f"{{{CAMUNDA_NS}}}inputOutput/{{{CAMUNDA_NS}}}inputParameter"
            for parameter in connector.iterfind(path):
                name = parameter_name(file_name, node, parameter)
                params[name] = _value(file_name, node, parameter)
    return params


def read_outputs(file_name: str | None, node: Any) -> dict[str, Param]:
    """A connector's output parameters: what its response (the handler's returned variables)
    gives the item, as Camunda maps a connector's response into the task's scope."""
    outputs: dict[str, Param] = {}
    for ext in node.iterfind(_EXT):
        for connector in ext.iterfind(f"{{{CAMUNDA_NS}}}connector"):
            path = f"{{{CAMUNDA_NS}}}inputOutput/{{{CAMUNDA_NS}}}outputParameter"
            for parameter in connector.iterfind(path):
                outputs[parameter_name(file_name, node, parameter)] = _value(
                    file_name, node, parameter
                )
    return outputs


def evaluate_params(task: Any, params: dict[str, Param]) -> dict[str, Any]:
    """The parameters' values for this run of the task (expressions on its data)."""
    engine = task.workflow.script_engine

    def value(param: Param) -> Any:
        if "text" in param:
            return param["text"]
        if "code" in param:
            return engine.evaluate(task, param["code"])
        if "map" in param:
            return {key: value(entry) for key, entry in param["map"].items()}
        return [value(item) for item in param["list"]]

    return {name: value(param) for name, param in params.items()}


def parameter_name(
    file_name: str | None, node: Any, element: Any, what: str = "a field or input parameter"
) -> str:
    """The element's `name`, refused (`parameter_no_name`: "<what> has no name") when blank."""
    name = (element.get("name") or "").strip()
    if not name:
        raise refused(file_name, node, element, f"{what} has no name", reason="parameter_no_name")
    return name


def _field(file_name: str | None, node: Any, field: Any) -> Param:
    if field.get("stringValue") is not None:
        return {"text": field.get("stringValue")}
    if field.get("expression") is not None:
        return text_param(file_name, node, field, field.get("expression"))
    for child in field:
        if child.tag == f"{{{CAMUNDA_NS}}}string":
            return {"text": child.text or ""}
        if child.tag == f"{{{CAMUNDA_NS}}}expression":
            return text_param(file_name, node, child, child.text or "")
    return {"text": ""}


def _value(file_name: str | None, node: Any, element: Any) -> Param:
    """An input parameter's, a map entry's or a list value's content. Camunda reads `map`,
    `list`, `entry`, `value` and `script` by their local names: written without a prefix in a
    file with no default namespace (Camunda's own examples do), they are the same."""
    for child in element:
        if not isinstance(child.tag, str):
            continue  # a comment
        if _is(child, "map"):
            entries = [e for e in child if _is(e, "entry")]
            return {"map": {str(e.get("key")): _value(file_name, node, e) for e in entries}}
        if _is(child, "list"):
            values = [v for v in child if _is(v, "value")]
            return {"list": [_value(file_name, node, v) for v in values]}
        if _is(child, "script") and is_javascript(child.get("scriptFormat")):
            return {"code": javascript_value(child.text or "")}  # compiled at deploy already
        parameter = element.get("name") or element.get("key") or ""
        kind = child.tag.rsplit("}", 1)[-1]
        raise refused(
            file_name,
            node,
            child,
            f"parameter '{parameter}' is a {kind}, which the engine does not run here: give a "
            "text or ${expression}, or compute the value in a script task before",
            reason="parameter_unsupported",
            parameter=parameter,
            kind=kind,
        )
    return text_param(file_name, node, element, element.text or "")


def _is(child: Any, name: str) -> bool:
    return isinstance(child.tag, str) and child.tag in (f"{{{CAMUNDA_NS}}}{name}", name)


def text_param(file_name: str | None, node: Any, element: Any, text: str) -> Param:
    """A Camunda attribute's or element's text as a parameter: the text itself, or the
    JUEL expression in it translated (`expression_code`)."""
    if not has_expression(text):
        return {"text": text.strip()}
    return {"code": expression_code(file_name, node, element, text.strip())}


def expression_code(file_name: str | None, node: Any, element: Any, expression: str) -> str:
    """A JUEL expression translated, once at deploy, into the sandbox's Python; refused
    (`juel_refused`, with the expression and why) where it is outside the subset or the
    sandbox."""
    try:
        code = translate(expression)
        compile_script(code, "eval")
    except (JuelRefused, SandboxViolation, SyntaxError) as exc:
        raise refused(
            file_name,
            node,
            element,
            f"refused expression {expression!r}: {exc}",
            reason="juel_refused",
            expression=expression,
            detail=str(exc),
        ) from exc
    return code


def refused(
    file_name: str | None, node: Any, element: Any, message: str, *, reason: str, **details: Any
) -> InvalidDefinition:
    """A Camunda parameter or mapping refused, named by its task `node`, at `element`'s line."""
    return InvalidDefinition(
        message,
        file=file_name,
        element_id=node.get("id"),
        line=element.sourceline,
        reason=reason,
        **details,
    )
