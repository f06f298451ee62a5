"""Evaluating a decision requirements graph read by engine/dmn_model.py, as Camunda 7 does:
required decisions first (their results visible to the later ones by decision id and by output
name), each table's rules matched in the sandbox, the hit policy applied, and the called
decision's result mapped as `camunda:mapDecisionResult` asks.

Every expression runs in the sandbox through `evaluate(code, scope)`; this module only orders,
compares and counts. What a model's data makes impossible (two rules under UNIQUE, a sum of
texts) raises `DecisionFailed`, which the business rule task turns into an incident.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .dmn_model import Decision
from .dmn_values import FEEL_HELPERS, feel_cmp, feel_date, feel_datetime, feel_eq, feel_number

__all__ = [
    "MAPPINGS",
    "DecisionFailed",
    "Evaluator",
    "Trace",
    "map_result",
    "run_decisions",
]

Evaluator = Callable[[str, dict[str, Any]], Any]
Result = list[dict[str, Any]]
MAPPINGS = ("resultList", "singleResult", "singleEntry", "collectEntries")


class DecisionFailed(Exception):
    """A decision could not give a result for this data (the message says why)."""

    def __init__(self, message: str, decision_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.decision_id = decision_id


@dataclass(frozen=True)
class Trace:
    """One decision evaluated: which rules matched and what it gave (for the audit)."""

    decision_id: str
    matched: tuple[str, ...]
    result: Result

    def as_dict(self) -> dict[str, Any]:
        return {"decision": self.decision_id, "matched": list(self.matched), "result": self.result}


def run_decisions(
    graph: list[Decision], data: Mapping[str, Any], evaluate: Evaluator
) -> tuple[Result, list[Trace]]:
    """The result of the last decision of `graph` (its required decisions come before it)."""
    variables = dict(data)
    traces: list[Trace] = []
    result: Result = []
    matched: tuple[str, ...]
    for decision in graph:
        try:
            if decision["kind"] == "literal":
                value = evaluate(decision["code"], _scope(variables))
                result, matched = [{decision["variable"]: value}], ()
            else:
                result, matched = _table(decision, variables, evaluate)
        except DecisionFailed as exc:
            exc.decision_id = exc.decision_id or decision["id"]
            raise
        traces.append(Trace(decision["id"], matched, result))
        variables.update(_visible(decision["id"], result))
    return result, traces


def _scope(variables: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {**variables, **FEEL_HELPERS, "dmn_vars": variables, **extra}


def _visible(decision_id: str, result: Result) -> dict[str, Any]:
    """A required decision's result as the decisions after it see it: each output by its name
    (a list when several rules matched) and the whole result by the decision's id."""
    names = {name for row in result for name in row}
    seen: dict[str, Any] = {}
    for name in names:
        values = [row.get(name) for row in result]
        seen[name] = values[0] if len(result) == 1 else values
    if len(result) == 1 and len(result[0]) == 1:
        seen[decision_id] = next(iter(result[0].values()))
    elif len(result) == 1:
        seen[decision_id] = dict(result[0])
    else:
        seen[decision_id] = [dict(row) for row in result]
    return seen


def _table(
    decision: Decision, variables: dict[str, Any], evaluate: Evaluator
) -> tuple[Result, tuple[str, ...]]:
    inputs = evaluate(decision["inputs"], _scope(variables))
    types = decision.get("input_types") or [None] * len(inputs)
    cells = {f"dmn_in{n}": _input(v, t) for n, (v, t) in enumerate(zip(inputs, types, strict=True))}
    flags = evaluate(decision["matches"], _scope(variables, **cells))
    hits = [n for n, flag in enumerate(flags) if flag is True]
    names: list[str] = decision["outputs"]
    rows = []
    for n in hits:
        values = evaluate(decision["rule_outputs"][n], _scope(variables, **cells))
        typed = [_typed(v, t) for v, t in zip(values, decision["output_types"], strict=True)]
        rows.append(dict(zip(names, typed, strict=True)))
    ids = [decision["rule_ids"][n] for n in hits]
    picked, matched = _hit_policy(decision, rows, ids)
    return picked, tuple(matched)


def _input(value: Any, type_ref: str | None) -> Any:
    """An input value as its `typeRef` reads it, as Camunda transforms it: a number or a date
    that came as text (a form's field, a JSON date) is compared as one; else as it is."""
    if isinstance(value, str) and type_ref in ("integer", "long", "double"):
        number = feel_number(value)
        return value if number is None else number
    if isinstance(value, str) and type_ref == "date":
        return feel_date(feel_datetime(value)) or value
    if isinstance(value, str) and type_ref == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def _typed(value: Any, type_ref: str | None) -> Any:
    if type_ref in ("integer", "long") and isinstance(value, float) and value.is_integer():
        return int(value)
    if type_ref == "double" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _hit_policy(decision: Decision, rows: Result, ids: list[str]) -> tuple[Result, list[str]]:
    policy = decision["hit_policy"]
    where = f"decision '{decision['id']}' (hit policy {policy})"
    if policy == "UNIQUE":
        if len(rows) > 1:
            raise DecisionFailed(
                f"{where} matched more than one rule: {', '.join(ids)}; the table must be "
                "fixed, or the data that made two rules apply"
            )
        return rows, ids
    if policy == "FIRST":
        return rows[:1], ids[:1]
    if policy == "ANY":
        if any(not feel_eq(row, rows[0]) for row in rows[1:]):
            raise DecisionFailed(f"{where} matched rules with different outputs: {', '.join(ids)}")
        return rows[:1], ids
    if policy in ("PRIORITY", "OUTPUT ORDER"):
        order = sorted(range(len(rows)), key=lambda n: _priority(decision, rows[n]))
        rows, ids = [rows[n] for n in order], [ids[n] for n in order]
        return (rows[:1], ids[:1]) if policy == "PRIORITY" else (rows, ids)
    if policy == "COLLECT" and decision["aggregation"]:
        return _aggregate(decision, rows, where), ids
    return rows, ids  # COLLECT, RULE ORDER


def _priority(decision: Decision, row: dict[str, Any]) -> tuple[int, ...]:
    """A row's rank: for each output in turn, where its value stands in the output's list of
    values (a value not listed comes after every listed one)."""
    ranks = []
    for name, values in zip(decision["outputs"], decision["output_values"], strict=True):
        if not values:
            continue
        value = row.get(name)
        ranks.append(next((n for n, v in enumerate(values) if feel_eq(v, value)), len(values)))
    return tuple(ranks)


def _aggregate(decision: Decision, rows: Result, where: str) -> Result:
    aggregation = decision["aggregation"]
    name = decision["outputs"][0]
    values = [row[name] for row in rows if row.get(name) is not None]
    if aggregation == "COUNT":
        return [{name: len(values)}]
    if not values:
        return []
    if aggregation == "SUM":
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
            raise DecisionFailed(f"{where} cannot sum values that are not all numbers: {values}")
        return [{name: sum(values)}]
    best = values[0]
    for value in values[1:]:
        wins = feel_cmp(value, "<" if aggregation == "MIN" else ">", best)
        if wins is None:
            raise DecisionFailed(f"{where} cannot compare {best!r} with {value!r}")
        if wins:
            best = value
    return [{name: best}]


def map_result(result: Result, mapping: str, decision_id: str) -> Any:
    """The value `camunda:mapDecisionResult` makes of the called decision's result."""
    if mapping == "resultList":
        return [dict(row) for row in result]
    if mapping == "collectEntries":
        if any(len(row) > 1 for row in result):
            raise DecisionFailed(
                f"collectEntries needs one output per rule; decision '{decision_id}' gave "
                f"{len(result[0])}",
                decision_id,
            )
        return [next(iter(row.values())) for row in result]
    if len(result) > 1:
        raise DecisionFailed(
            f"{mapping} needs at most one matching rule; decision '{decision_id}' gave "
            f"{len(result)} results",
            decision_id,
        )
    if not result:
        return None
    if mapping == "singleResult":
        return dict(result[0])
    if len(result[0]) != 1:
        raise DecisionFailed(
            f"singleEntry needs one output; decision '{decision_id}' gave {len(result[0])}",
            decision_id,
        )
    return next(iter(result[0].values()))
