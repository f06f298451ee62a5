"""Camunda business rule tasks (`camunda:decisionRef`) run by our own DMN evaluation
(engine/dmn_model.py, engine/dmn_eval.py) instead of SpiffWorkflow's, which reads only the first
decision of a file, knows no requirements and no FEEL.

At deploy the parser reads the DMN files a Camunda diagram calls, and the task's spec keeps the
called decision with every decision it requires, already translated into the sandbox's Python;
`camunda:resultVariable` and `camunda:mapDecisionResult` (Camunda's default `resultList`) say
where the result goes. When the task runs, a decision that cannot decide for the item's data
(two rules under UNIQUE, a failing expression) leaves the task in error: `persist` parks the item
with the reason (`note_decisions`) and a retry runs the decision again. Every evaluation is
written to the item's history (`decision_evaluated`: decisions, matched rules, result).

Registered through SpiffWorkflow's override points (the parser's `OVERRIDE_PARSER_CLASSES`, the
serializer's configure dict); business rule tasks implemented like service tasks stay with
engine/service_specs.py.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.mixins.bpmn_spec_mixin import BpmnSpecMixin
from sqlalchemy.orm import Session

from .audit import append_event
from .definition_checks import check_decisions
from .dmn_eval import MAPPINGS, DecisionFailed, map_result, run_decisions
from .dmn_model import Decision, decision_ids, graph_of, read_decisions
from .errors import InvalidDefinition, ScriptError
from .juel_parser import JuelRefused, has_expression, translate
from .service_specs import ServiceCamundaParser, is_service
from .xml_namespaces import BPMN_NS, CAMUNDA_NS, SPIFF_NS

MAX_AUDIT_CHARS = 20_000


class DecisionTask(BpmnSpecMixin):  # type: ignore[misc]
    """A business rule task that evaluates a decision (and the decisions it requires)."""

    def __init__(
        self,
        wf_spec: Any,
        bpmn_id: str,
        decision_ref: str = "",
        result_variable: str | None = None,
        map_decision_result: str = "resultList",
        decisions: list[Decision] | None = None,
        decision_code: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.decision_ref = decision_ref
        self.result_variable = result_variable
        self.map_decision_result = map_decision_result
        self.decisions = decisions or []
        # A `${…}` decisionRef, as Python: the decision is picked among `decisions` (every one
        # the deployment's DMN files define) when the task runs.
        self.decision_code = decision_code

    def _run_hook(self, task: Any) -> bool:
        log = decision_log(task.workflow.script_engine)
        environment = task.workflow.script_engine.environment

        def evaluate(code: str, scope: dict[str, Any]) -> Any:
            return environment.evaluate(code, scope)

        decision_ref = self.decision_ref
        try:
            graph = self.decisions
            if self.decision_code is not None:
                decision_ref = str(evaluate(self.decision_code, dict(task.data)))
                graph = _picked_graph(self.decisions, decision_ref, self.decision_ref)
            result, traces = run_decisions(graph, task.data, evaluate)
            # Mapped only into a result variable, as Camunda does: without one the result is
            # kept nowhere, and a mapping that does not fit it (singleEntry of two outputs)
            # stops nothing.
            value = (
                map_result(result, self.map_decision_result, decision_ref)
                if self.result_variable
                else [dict(row) for row in result]
            )
        except DecisionFailed as exc:
            return log.incident(self.bpmn_id, exc.message, exc.decision_id)
        except Exception as exc:  # a table's expression may raise anything on this data
            return log.incident(
                self.bpmn_id,
                f"the decision '{decision_ref}' failed: {exc.__class__.__name__}: {exc}",
                decision_ref,
            )
        if self.result_variable:
            task.data[self.result_variable] = value
        log.records.append(
            _Record(
                self.bpmn_id,
                {
                    "decision": decision_ref,
                    "variable": self.result_variable,
                    "mapping": self.map_decision_result,
                    "value": value,
                    "decisions": [t.as_dict() for t in traces],
                },
            )
        )
        return True


def _picked_graph(decisions: list[Decision], decision_id: str, expression: str) -> list[Decision]:
    """The graph of the decision a `${…}` decisionRef named for this item."""
    known = {d["id"]: d for d in decisions}
    if decision_id not in known:
        raise DecisionFailed(
            f"the decisionRef {expression} named decision '{decision_id}', which none of the "
            "DMN files deployed with the diagram defines",
            decision_id,
        )
    try:
        return graph_of(known, decision_id)
    except ValueError as exc:
        raise DecisionFailed(str(exc), decision_id) from exc


@dataclass(frozen=True)
class _Record:
    element_id: str
    details: dict[str, Any]


@dataclass
class DecisionLog:
    """The decisions one action's engine steps evaluated, and the first failure."""

    records: list[_Record] = field(default_factory=list)
    incidents: list[ScriptError] = field(default_factory=list)

    def incident(self, element_id: str, message: str, decision_id: str | None) -> bool:
        error = ScriptError(message, element_id=element_id)
        error.details.update(reason="decision_failed", decision=decision_id)
        self.incidents.append(error)
        return False


def decision_log(script_engine: Any) -> DecisionLog:
    log = getattr(script_engine, "decision_log", None)
    if not isinstance(log, DecisionLog):
        log = DecisionLog()
        script_engine.decision_log = log
    return log


def note_decisions(
    session: Session, instance: Any, workflow: Any, at: datetime
) -> ScriptError | None:
    """Write the action's decisions into the item's history; the first failure, if any, for
    the caller to park the item with."""
    log = getattr(workflow.script_engine, "decision_log", None)
    if not isinstance(log, DecisionLog):
        return None
    for record in log.records:
        details = record.details
        if len(repr(details)) > MAX_AUDIT_CHARS:
            details = {**details, "decisions": "(too long to record)"}
        append_event(
            session,
            instance,
            at=at,
            actor=None,
            kind="decision_evaluated",
            element_id=record.element_id,
            details=details,
        )
    log.records.clear()
    incident = log.incidents[0] if log.incidents else None
    log.incidents.clear()
    return incident


# --- parsing ------------------------------------------------------------------------------


# The services module's parser of business rule tasks (one implemented like a service task).
_ServiceRuleParser: Any = ServiceCamundaParser.OVERRIDE_PARSER_CLASSES[
    full_tag("businessRuleTask")
][0]


class _DecisionRuleParser(_ServiceRuleParser):  # type: ignore[misc]
    @staticmethod
    def get_decision_ref(node: Any) -> Any:
        # Asked of every business rule task when its process is added, for SpiffWorkflow's
        # own DMN engines: ours find their decisions in create_task, which refuses, with the
        # line, a task naming none.
        return None

    def create_task(self) -> Any:
        if is_service(self.node):
            return super().create_task()
        ref = (self.node.get(f"{{{CAMUNDA_NS}}}decisionRef") or "").strip()
        if not ref:
            self.raise_validation_exception(
                "the business rule task names no decision (camunda:decisionRef) and no "
                "implementation (camunda:class, expression, delegateExpression, topic)"
            )
        mapping = self.node.get(f"{{{CAMUNDA_NS}}}mapDecisionResult") or "resultList"
        if mapping not in MAPPINGS:
            self.raise_validation_exception(
                f"unknown camunda:mapDecisionResult '{mapping}': use one of " + ", ".join(MAPPINGS)
            )
        parser = self.process_parser.parser
        code = None
        try:
            if has_expression(ref):  # `${…}`: picked among every decision when the task runs
                code = translate(ref, {})
                graph = parser.every_decision()
            else:
                graph = parser.decision_graph(ref)
        except JuelRefused as exc:
            self.raise_validation_exception(f"refused decisionRef {ref!r}: {exc.message}")
        except ValueError as exc:
            self.raise_validation_exception(str(exc))
        if graph is None:
            self.raise_validation_exception(
                f"the business rule task calls decision '{ref}', which none of the DMN files "
                "given defines: deploy its .dmn file together with the diagram"
            )
        return DecisionTask(
            self.spec,
            self.bpmn_id,
            decision_ref=ref,
            result_variable=self.node.get(f"{{{CAMUNDA_NS}}}resultVariable") or None,
            map_decision_result=mapping,
            decisions=graph,
            decision_code=code,
            **self.bpmn_attributes,
        )


class DecisionCamundaParser(ServiceCamundaParser):
    """The Camunda parser whose business rule tasks evaluate DMN with engine/dmn_eval.py."""

    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, Any]] = {
        **ServiceCamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("businessRuleTask"): (_DecisionRuleParser, DecisionTask),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dmn_files: list[tuple[str, Any]] = []
        self.read_files: dict[str, dict[str, Decision]] = {}

    def add_dmn_xml(self, node: Any, filename: str | None = None) -> None:
        # Read when a task calls one of its decisions: a file of Python tables for a
        # SpiffArena process deployed alongside is not ours to refuse.
        self.dmn_files.append((filename or "decisions.dmn", node))

    def decisions_of(self, name: str, root: Any) -> dict[str, Decision]:
        if name not in self.read_files:
            others = set()
            for other, other_root in self.dmn_files:
                if other != name:
                    others |= decision_ids(other_root)
            self.read_files[name] = read_decisions(name, root, others)
        return self.read_files[name]

    def decision_graph(self, decision_id: str) -> list[Decision] | None:
        """The decision and those it requires, from whichever DMN files define them; None if
        none defines it. A cycle through several files is a ValueError."""
        known: dict[str, Decision] = {}
        wanted = [decision_id]
        while wanted:
            needed = wanted.pop()
            if needed in known:
                continue
            found = next(((n, r) for n, r in self.dmn_files if needed in decision_ids(r)), None)
            if found is None:
                return None
            known.update(self.decisions_of(*found))
            wanted.extend(known[needed]["requires"])
        return graph_of(known, decision_id)

    def every_decision(self) -> list[Decision]:
        """Every decision of the DMN files read as Camunda reads them, for a `${…}`
        decisionRef; a file that reading refuses (a SpiffArena Python table) is left out."""
        every: dict[str, Decision] = {}
        for name, root in self.dmn_files:
            try:
                every.update(self.decisions_of(name, root))
            except InvalidDefinition:
                continue
        return list(every.values())


class _DecisionConverter(BpmnTaskSpecConverter):  # type: ignore[misc]
    def to_dict(self, spec: Any) -> dict[str, Any]:
        dct: dict[str, Any] = self.get_default_attributes(spec)
        dct["decision_ref"] = spec.decision_ref
        dct["result_variable"] = spec.result_variable
        dct["map_decision_result"] = spec.map_decision_result
        dct["decisions"] = spec.decisions
        dct["decision_code"] = spec.decision_code
        return dct


SERIALIZER_CONFIG: dict[str, dict[type, type]] = {
    "camunda": {DecisionTask: _DecisionConverter},
    "spiff": {},
}


# --- deploy checks ------------------------------------------------------------------------


def called_decisions(root: Any) -> set[str]:
    """The decisions a Camunda diagram's business rule tasks call."""
    return {
        str(node.get(f"{{{CAMUNDA_NS}}}decisionRef")).strip()
        for node in root.iter(f"{{{BPMN_NS}}}businessRuleTask")
        if node.get(f"{{{CAMUNDA_NS}}}decisionRef") and not is_service(node)
    }


@dataclass(frozen=True)
class DmnCalls:
    """Which decisions the diagrams of a deploy call, by dialect."""

    camunda: frozenset[str]
    spiff: frozenset[str]
    any_camunda: bool

    @classmethod
    def of(cls, diagrams: Iterable[tuple[Any, str]]) -> DmnCalls:
        """From (root, dialect) of each BPMN diagram."""
        camunda: set[str] = set()
        spiff: set[str] = set()
        any_camunda = False
        for root, dialect in diagrams:
            if dialect == "camunda":
                any_camunda = True
                camunda |= called_decisions(root)
            else:
                spiff |= {
                    (node.text or "").strip()
                    for node in root.iter(f"{{{SPIFF_NS}}}calledDecisionId")
                }
        return cls(frozenset(camunda), frozenset(spiff), any_camunda)


def check_dmn(file_name: str, root: Any, calls: DmnCalls, dmn_roots: Sequence[Any] = ()) -> None:
    """A DMN file a Camunda diagram calls is read as Camunda reads it (FEEL, JUEL; refused
    with file, element and line); one a SpiffArena diagram calls keeps SpiffWorkflow's Python
    tables, checked through the sandbox. One no diagram given calls (`pheduyet check` of a
    folder) passes if either reading accepts it. A decision may require one that another of
    `dmn_roots` (the deployment's DMN files) defines."""
    others: set[str] = set()
    for other in dmn_roots:
        if other is not root:
            others |= decision_ids(other)

    def camunda_reading(name: str, tree: Any) -> None:
        read_decisions(name, tree, others)

    ids = decision_ids(root)
    if calls.camunda & ids:
        camunda_reading(file_name, root)
    elif calls.spiff & ids:
        check_decisions(file_name, root)
    else:
        first, second = (
            (camunda_reading, check_decisions)
            if calls.any_camunda
            else (check_decisions, camunda_reading)
        )
        try:
            second(file_name, root)
        except InvalidDefinition:
            first(file_name, root)


def missing_decisions(
    file_name: str, root: Any, dmn_roots: list[Any], dialect: str = "camunda"
) -> list[InvalidDefinition]:
    """One refusal per business rule task calling a decision no DMN file given defines, and
    per SpiffArena business rule task naming no decision at all (SpiffWorkflow would only say
    'No DMN Diagram available with id "None"')."""
    defined: set[str] = set()
    for dmn in dmn_roots:
        defined |= decision_ids(dmn)
    found = []
    for node in root.iter(f"{{{BPMN_NS}}}businessRuleTask"):
        if is_service(node):
            continue
        called = node.find(f".//{{{SPIFF_NS}}}calledDecisionId")
        spiff_ref = (called.text or "").strip() if called is not None else ""
        ref = (node.get(f"{{{CAMUNDA_NS}}}decisionRef") or "").strip() or spiff_ref
        where = {"file": file_name, "element_id": node.get("id"), "line": node.sourceline}
        if not ref and dialect != "camunda":
            found.append(
                InvalidDefinition(
                    "the business rule task names no decision: give it the DMN decision it "
                    "evaluates (spiffworkflow:calledDecisionId in SpiffArena's modeler)",
                    **where,
                    reason="decision_not_named",
                )
            )
        elif ref and not has_expression(ref) and ref not in defined:  # `${…}`: named later
            found.append(
                InvalidDefinition(
                    f"the business rule task calls decision '{ref}', which none of the DMN "
                    "files given defines: deploy its .dmn file together with the diagram",
                    **where,
                    reason="decision_not_deployed",
                    decision=ref,
                )
            )
    return found
