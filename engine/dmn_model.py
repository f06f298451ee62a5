"""A DMN file read the way Camunda 7 reads it: every decision, the decision requirements between
them, decision tables with every hit policy, literal expressions; each expression translated once
into the sandbox's Python (FEEL by engine/dmn_feel.py, `${…}` JUEL by engine/juel_parser.py).

The result is plain JSON (a `Decision` is a dict), stored inside the business rule task's spec:
nothing of the file is read again when an item runs. Every refusal names the file, the element
and the line.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from lxml import etree

from .dmn_feel import FeelRefused, literal_values, translate_expression, translate_tests
from .errors import InvalidDefinition
from .juel_parser import JuelRefused, has_expression, translate
from .sandbox import SandboxViolation, compile_script

Decision = dict[str, Any]

HIT_POLICIES = ("UNIQUE", "FIRST", "PRIORITY", "ANY", "COLLECT", "RULE ORDER", "OUTPUT ORDER")
AGGREGATIONS = ("SUM", "MIN", "MAX", "COUNT")
MAX_RULES = 2000
MAX_COLUMNS = 100


def _local(element: Any) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: Any, name: str) -> list[Any]:
    return [c for c in element if _local(c) == name]


def _child(element: Any, name: str) -> Any:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: Any) -> tuple[str, Any]:
    """The expression text of an element and the node it sits on (for the line)."""
    if element is None:
        return "", None
    node = _child(element, "text")
    if node is None:
        return "", element
    return (node.text or "").strip(), node


def _feel_or_juel(text: str) -> str:
    """An input expression, output entry or literal expression: FEEL, or JUEL where the text is
    not FEEL (`a ? b : c`, `==`), as Camunda 7 read these before 7.13 made FEEL the default."""
    try:
        return translate_expression(text)
    except FeelRefused:
        try:
            return translate("${" + text + "}", {})
        except JuelRefused:
            pass
        raise


# What may open a Python input entry that compares by itself (SpiffWorkflow's DMN engine).
_PYTHON_OPERATORS = ("<", ">", "==", "!=", "in ", "not in ", "is ")


def _python_tests(text: str, cell: str) -> str:
    """A Python input entry as SpiffWorkflow evaluates it: `?` stands for the input value, an
    entry opening with an operator continues the input (`> 5`), anything else must equal it."""
    if re.search(_OUTSIDE_QUOTES_MARK, text):
        return re.sub(_OUTSIDE_QUOTES_MARK, cell, text)
    if text.startswith(_PYTHON_OPERATORS):
        return f"({cell} {text})"
    return f"({cell} == ({text}))"


# A `?` that no quote encloses.
_OUTSIDE_QUOTES_MARK = r"\?(?=(?:[^'\"]|'[^']*'|\"[^\"]*\")*$)"


def decision_ids(root: Any) -> set[str]:
    return {str(d.get("id")) for d in root.iter() if _local(d) == "decision" and d.get("id")}


class _Reader:
    def __init__(self, file_name: str, root: Any) -> None:
        self.file_name = file_name
        self.default_language = root.get("expressionLanguage")

    def refuse(
        self, message: str, element: Any, node: Any = None, **details: Any
    ) -> InvalidDefinition:
        """`details`: the refusal's `reason` code and its parameters."""
        owner = element
        while owner is not None and not owner.get("id"):
            owner = owner.getparent()
        return InvalidDefinition(
            message,
            file=self.file_name,
            element_id=owner.get("id") if owner is not None else None,
            line=(node if node is not None else element).sourceline,
            **details,
        )

    def language(self, element: Any, text: str) -> str:
        if text.startswith(("${", "#{")) and has_expression(text):
            return "juel"
        named = (element.get("expressionLanguage") or self.default_language or "feel").lower()
        if "feel" in named:
            return "feel"
        if "juel" in named:
            return "juel"
        if named == "python":  # SpiffArena's modeler offers it; SpiffWorkflow evaluates it so
            return "python"
        raise self.refuse(
            f"the expression language '{named}' is not supported in decision tables: "
            "write FEEL, JUEL or Python",
            element,
            reason="decision_language",
            language=named,
        )

    def code(self, element: Any, *, cell: str | None = None, alias: str | None = None) -> str:
        """The Python of an expression (cell is None) or of an input entry's tests."""
        text, node = _text(element)
        if not text:
            return "True" if cell else "None"
        try:
            language = self.language(element, text)
            if language == "python":
                code = _python_tests(text, cell) if cell else text
            elif language == "juel":
                juel = text if has_expression(text) else "${" + text + "}"
                aliases = {"cellInput": cell} if cell else {}
                if cell and alias:
                    aliases[alias] = cell
                code = translate(juel, aliases)
                code = f"juel_bool({code})" if cell else code
            elif cell:
                code = translate_tests(text, cell, alias)
            else:
                code = _feel_or_juel(text)
            compile_script(code, "eval")
        except (FeelRefused, JuelRefused) as exc:
            raise self.refuse(
                f"refused decision expression {_quoted(text)}: {exc.message}",
                element,
                node,
                reason="decision_expression",
                expression=text,
                detail=exc.message,
            ) from exc
        except (SandboxViolation, SyntaxError) as exc:
            raise self.refuse(
                f"refused decision expression {_quoted(text)}: {exc}",
                element,
                node,
                reason="decision_expression",
                expression=text,
                detail=str(exc),
            ) from exc
        return code

    def decision(self, element: Any) -> Decision:
        decision_id = str(element.get("id"))
        requires = []
        for requirement in _children(element, "informationRequirement"):
            for required in _children(requirement, "requiredDecision"):
                href = (required.get("href") or "").strip()
                requires.append(href.removeprefix("#"))
        decision: Decision = {
            "id": decision_id,
            "name": element.get("name") or decision_id,
            "requires": requires,
        }
        table = _child(element, "decisionTable")
        literal = _child(element, "literalExpression")
        if table is not None:
            decision.update(self.table(table))
        elif literal is not None:
            variable = _child(element, "variable")
            name = variable.get("name") if variable is not None else None
            decision.update(kind="literal", variable=name or decision_id, code=self.code(literal))
        else:
            raise self.refuse(
                "the decision has neither a decision table nor a literal expression",
                element,
                reason="decision_empty",
            )
        return decision

    def table(self, table: Any) -> Decision:
        policy = " ".join((table.get("hitPolicy") or "UNIQUE").upper().replace("_", " ").split())
        if policy not in HIT_POLICIES:
            raise self.refuse(
                f"unknown hit policy '{table.get('hitPolicy')}': use one of "
                + ", ".join(HIT_POLICIES),
                table,
                reason="decision_hit_policy",
                hit_policy=table.get("hitPolicy"),
                allowed=", ".join(HIT_POLICIES),
            )
        aggregation = (table.get("aggregation") or "").upper() or None
        if aggregation and (policy != "COLLECT" or aggregation not in AGGREGATIONS):
            raise self.refuse(
                f"aggregation '{aggregation}' is only allowed with hit policy COLLECT and one "
                "of " + ", ".join(AGGREGATIONS),
                table,
                reason="decision_aggregation",
                aggregation=aggregation,
                allowed=", ".join(AGGREGATIONS),
            )
        inputs = _children(table, "input")
        outputs = _children(table, "output")
        rules = _children(table, "rule")
        if not outputs:
            raise self.refuse(
                "the decision table has no output", table, reason="decision_no_output"
            )
        if len(inputs) > MAX_COLUMNS or len(outputs) > MAX_COLUMNS or len(rules) > MAX_RULES:
            raise self.refuse(
                f"the decision table is too large (at most {MAX_COLUMNS} inputs and outputs "
                f"and {MAX_RULES} rules)",
                table,
                reason="decision_too_large",
                columns_limit=MAX_COLUMNS,
                rules_limit=MAX_RULES,
            )
        if aggregation and len(outputs) > 1:
            raise self.refuse(
                f"aggregation {aggregation} needs a table with one output",
                table,
                reason="decision_aggregation",
                aggregation=aggregation,
                allowed=", ".join(AGGREGATIONS),
            )
        input_codes = [self.code(_child(i, "inputExpression")) for i in inputs]
        aliases = [i.get("{http://camunda.org/schema/1.0/dmn}inputVariable") for i in inputs]
        names = [self.output_name(o, len(outputs)) for o in outputs]
        matches: list[str] = []
        rule_outputs: list[str] = []
        rule_ids: list[str] = []
        for rule in rules:
            entries = _children(rule, "inputEntry")
            results = _children(rule, "outputEntry")
            if len(entries) != len(inputs) or len(results) != len(outputs):
                raise self.refuse(
                    f"the rule has {len(entries)} input and {len(results)} output entries; "
                    f"the table has {len(inputs)} inputs and {len(outputs)} outputs",
                    rule,
                    reason="decision_rule_shape",
                    rule_inputs=len(entries),
                    rule_outputs=len(results),
                    inputs=len(inputs),
                    outputs=len(outputs),
                )
            tests = [
                self.code(entry, cell=f"dmn_in{n}", alias=aliases[n])
                for n, entry in enumerate(entries)
            ]
            tests = [t for t in tests if t != "True"]
            matches.append(" and ".join(f"feel_is_true({t})" for t in tests) or "True")
            rule_outputs.append(f"({''.join(self.code(r) + ', ' for r in results)})")
            rule_ids.append(str(rule.get("id") or f"rule {len(rule_ids) + 1}"))
        return {
            "kind": "table",
            "hit_policy": policy,
            "aggregation": aggregation,
            "inputs": f"({''.join(c + ', ' for c in input_codes)})",
            "outputs": names,
            "output_values": [self.output_values(o) for o in outputs],
            "input_types": [_type_ref(_child(i, "inputExpression")) for i in inputs],
            "output_types": [_type_ref(o) for o in outputs],
            "matches": f"({''.join(m + ', ' for m in matches)})",
            "rule_outputs": rule_outputs,
            "rule_ids": rule_ids,
        }

    def output_name(self, output: Any, count: int) -> str:
        # Without a name SpiffWorkflow keys an output by its label (SpiffArena's tables do so).
        name = output.get("name") or output.get("label")
        name = name or (output.get("id") if count == 1 else None)
        if not name:
            raise self.refuse(
                "an output of a table with several outputs needs a name",
                output,
                reason="decision_output_name",
            )
        return str(name)

    def output_values(self, output: Any) -> list[Any] | None:
        text, node = _text(_child(output, "outputValues"))
        if not text:
            return None
        try:
            return literal_values(text)
        except FeelRefused as exc:
            raise self.refuse(
                f"refused output values {_quoted(text)}: {exc.message}",
                output,
                node,
                reason="decision_expression",
                expression=text,
                detail=exc.message,
            ) from exc


def read_decisions(
    file_name: str, root: Any, elsewhere: Collection[str] = ()
) -> dict[str, Decision]:
    """Every decision of a DMN file by id, each with its requirements checked; a required
    decision may also be one of `elsewhere`, the decisions the deployment's other DMN files
    define."""
    reader = _Reader(file_name, root)
    decisions: dict[str, Decision] = {}
    elements: dict[str, Any] = {}
    for element in root.iter():
        if _local(element) != "decision":
            continue
        decision_id = element.get("id")
        if not decision_id:
            raise reader.refuse("a decision has no id", element, reason="id_missing")
        if decision_id in decisions:
            raise reader.refuse(
                f"decision id '{decision_id}' is defined twice",
                element,
                reason="id_twice",
                id=decision_id,
            )
        decisions[decision_id] = reader.decision(element)
        elements[decision_id] = element
    for decision_id, decision in decisions.items():
        for required in decision["requires"]:
            if required not in decisions and required not in elsewhere:
                raise reader.refuse(
                    f"the decision requires decision '{required}', which neither this file "
                    "nor another DMN file given defines",
                    elements[decision_id],
                    reason="decision_not_deployed",
                    decision=required,
                )
    local = {
        key: {**d, "requires": [r for r in d["requires"] if r in decisions]}
        for key, d in decisions.items()
    }  # a cycle through other files is found when a task's graph is put together
    for decision_id in decisions:
        try:
            graph_of(local, decision_id)
        except ValueError as exc:
            raise reader.refuse(str(exc), elements[decision_id], reason="decision_cycle") from exc
    return decisions


def graph_of(decisions: dict[str, Decision], decision_id: str) -> list[Decision]:
    """The decision and every decision it requires, the required ones first."""
    ordered: list[Decision] = []
    done: set[str] = set()

    def visit(current: str, path: tuple[str, ...]) -> None:
        if current in path:
            raise ValueError("the decisions require each other in a cycle: " + " -> ".join(path))
        if current in done:
            return
        for required in decisions[current]["requires"]:
            visit(required, (*path, current))
        done.add(current)
        ordered.append(decisions[current])

    visit(decision_id, ())
    return ordered


def _type_ref(element: Any) -> str | None:
    return ((element.get("typeRef") if element is not None else None) or "").lower() or None


def _quoted(text: str) -> str:
    return repr(text if len(text) <= 200 else text[:200] + "…")
