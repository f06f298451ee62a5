"""Service tasks of both dialects as SpiffWorkflow task specs that call the operator's Python.

A service task names its implementation the way its modeler writes it; that name is the *key*
looked up in the services mapping (`EngineConfig.services`, loaded by workflows/ from
PHEDUYET_SERVICES):

- `camunda:class="com.acme.Archive"` -> `com.acme.Archive`
- `camunda:delegateExpression="${archiver}"` -> `archiver` (`${}`/`#{}` stripped)
- `camunda:expression="${mailer.send(x)}"` -> `mailer.send(x)`
- `camunda:type="external" camunda:topic="invoice"` -> `topic:invoice`
- `<camunda:connector><camunda:connectorId>http</...>` -> `connector:http`
- `<spiffworkflow:serviceTaskOperator id="http/GetRequest">` -> `http/GetRequest`
- none of these -> the element's id. Camunda refuses such a task; we let the operator map it
  by its id, so plain BPMN models (bpmn-io, Flowable) run too.

The specs and their parsers are registered through SpiffWorkflow's own override points (the
parsers' `OVERRIDE_PARSER_CLASSES`, the serializer's configure dict); nothing is patched.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, ClassVar

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import SendTaskParser
from SpiffWorkflow.bpmn.serializer.default.task_spec import BpmnTaskSpecConverter
from SpiffWorkflow.bpmn.specs.defaults import NoneTask, SendTask
from SpiffWorkflow.bpmn.specs.defaults import ServiceTask as BpmnServiceTask
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import BusinessRuleTaskParser, CamundaTaskParser
from SpiffWorkflow.camunda.specs.business_rule_task import BusinessRuleTask
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import SpiffTaskParser
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter
from SpiffWorkflow.spiff.specs.defaults import ServiceTask as SpiffServiceTask

from .errors import InvalidDefinition
from .event_parsers import (
    CamundaEventStartParser,
    CamundaSignalEndParser,
    SpiffEventStartParser,
    SpiffSignalEndParser,
)
from .service_expressions import expression_code
from .service_params import Param, evaluate_params, read_outputs, read_params
from .xml_namespaces import BPMN_NS, CAMUNDA_NS, SPIFF_NS

SERVICE_TAGS = ("serviceTask", "sendTask", "businessRuleTask")
# Camunda runs a send task or a business rule task that names one of these like a service task.
_IMPLEMENTATIONS = ("class", "delegateExpression", "expression", "type", "topic")


def strip_delimiters(text: str) -> str:
    """`${x}` or `#{x}` -> `x`; anything else stripped of blank space."""
    text = text.strip()
    if len(text) >= 3 and text[0] in "$#" and text[1] == "{" and text.endswith("}"):
        return text[2:-1].strip()
    return text


def is_service(node: Any) -> bool:
    """A service task; or a send or business rule task implemented the way a Camunda service
    task is (a class, an expression, an external topic, a connector) rather than by a message
    or a decision table."""
    if str(node.tag).endswith("}serviceTask"):
        return True
    if any(node.get(f"{{{CAMUNDA_NS}}}{name}") for name in _IMPLEMENTATIONS):
        return True
    return next(node.iter(f"{{{CAMUNDA_NS}}}connectorId"), None) is not None


def service_key(node: Any) -> str:
    """The key a service task element is looked up by (see the module's docstring)."""
    for operator in node.iter(f"{{{SPIFF_NS}}}serviceTaskOperator"):
        if operator.get("id"):
            return str(operator.get("id"))
    klass = node.get(f"{{{CAMUNDA_NS}}}class")
    if klass:
        return str(klass).strip()
    for attribute in ("delegateExpression", "expression"):
        value = node.get(f"{{{CAMUNDA_NS}}}{attribute}")
        if value:
            return strip_delimiters(str(value))
    if node.get(f"{{{CAMUNDA_NS}}}type") == "external" or node.get(f"{{{CAMUNDA_NS}}}topic"):
        return f"topic:{(node.get(f'{{{CAMUNDA_NS}}}topic') or '').strip()}"
    for connector_id in node.iter(f"{{{CAMUNDA_NS}}}connectorId"):
        return f"connector:{(connector_id.text or '').strip()}"
    return str(node.get("id"))


def _evaluable(node: Any) -> bool:
    """A Camunda service task whose expression runs here without a handler."""
    expression = node.get(f"{{{CAMUNDA_NS}}}expression")
    if not expression or node.get(f"{{{CAMUNDA_NS}}}class"):
        return False
    return expression_code(strip_delimiters(expression)) is not None


def result_variable(node: Any) -> str | None:
    """Where the whole returned mapping goes instead of being spread into the data, if the
    model names one (`camunda:resultVariable`, or the operator's `resultVariable`)."""
    for operator in node.iter(f"{{{SPIFF_NS}}}serviceTaskOperator"):
        return operator.get("resultVariable") or None
    return node.get(f"{{{CAMUNDA_NS}}}resultVariable") or None


def _call(spec: Any, task: Any, params: Callable[[], dict[str, Any]]) -> bool | None:
    runner = getattr(task.workflow.script_engine, "services", None)
    if runner is None:  # a workflow run outside the engine's actions: nothing can be called
        raise RuntimeError(f"no services are configured to run service task {spec.bpmn_id}")
    done: bool | None = runner.run(task, spec.service_key, params, spec.service_result)
    return done


class MappedServiceTask(BpmnServiceTask):  # type: ignore[misc]
    """A Camunda-dialect service task: calls the handler mapped to its key."""

    def __init__(
        self,
        wf_spec: Any,
        bpmn_id: str,
        service_key: str = "",
        service_result: str | None = None,
        service_params: dict[str, Param] | None = None,
        service_outputs: dict[str, Param] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.service_key = service_key or bpmn_id
        self.service_result = service_result
        # Field injections and a connector's input parameters (engine/service_params.py).
        self.service_params = service_params or {}
        # A connector's output parameters: only they reach the item (read_outputs).
        self.service_outputs = service_outputs or {}

    def _execute(self, task: Any) -> bool | None:
        before = dict(task.data)
        done = _call(self, task, lambda: evaluate_params(task, self.service_params))
        if done and self.service_outputs:
            outputs = evaluate_params(task, self.service_outputs)  # sees the response
            task.data.clear()
            task.data.update(before)
            task.data.update(outputs)
        return done


class MappedSpiffServiceTask(SpiffServiceTask):  # type: ignore[misc]
    """A SpiffArena service task: its operator's parameters are evaluated in the sandbox and
    handed to the handler mapped to the operator's name."""

    def __init__(self, wf_spec: Any, bpmn_id: str, **kwargs: Any) -> None:
        kwargs.setdefault("operation_name", "")
        kwargs.setdefault("operation_params", {})
        kwargs.setdefault("result_variable", None)
        explicit = kwargs.pop("service_result", kwargs.get("result_variable"))
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.service_key = self.operation_name or bpmn_id
        # Spiff invents `spiff__<id>_result` when none is given; we spread the result instead.
        self.service_result = explicit or None

    def _execute(self, task: Any) -> bool | None:
        def params() -> dict[str, Any]:
            return {name: value["value"] for name, value in self.evaluate_params(task).items()}

        return _call(self, task, params)


class _CamundaServiceParser(CamundaTaskParser):  # type: ignore[misc]
    def create_task(self) -> Any:
        return _mapped(self)


def _mapped(parser: Any) -> Any:
    return MappedServiceTask(
        parser.spec,
        parser.bpmn_id,
        service_key=service_key(parser.node),
        service_result=result_variable(parser.node),
        service_params=read_params(parser.filename, parser.node),
        service_outputs=read_outputs(parser.filename, parser.node),
        **parser.bpmn_attributes,
    )


class _CamundaSendParser(SendTaskParser):  # type: ignore[misc]
    def create_task(self) -> Any:
        return _mapped(self) if is_service(self.node) else super().create_task()


class _CamundaRuleParser(BusinessRuleTaskParser):  # type: ignore[misc]
    def create_task(self) -> Any:
        return _mapped(self) if is_service(self.node) else super().create_task()

    @staticmethod
    def get_decision_ref(node: Any) -> Any:
        # Asked of every business rule task when its process is added: one run as a service
        # names no decision table.
        return None if is_service(node) else BusinessRuleTaskParser.get_decision_ref(node)


class _SpiffServiceParser(SpiffTaskParser):  # type: ignore[misc]
    """Like Spiff's own, but a task without an operator is mapped by its id, not refused."""

    def create_task(self) -> Any:
        extensions = self.parse_extensions()
        operator = extensions.get("serviceTaskOperator") or {}
        return self.spec_class(
            self.spec,
            self.bpmn_id,
            operation_name=operator.get("name") or service_key(self.node),
            operation_params=operator.get("parameters") or {},
            result_variable=result_variable(self.node),
            prescript=extensions.get("preScript"),
            postscript=extensions.get("postScript"),
            **self.bpmn_attributes,
        )


class PassThroughTask(NoneTask):  # type: ignore[misc]
    """A Camunda model's `bpmn:task` (no type): Camunda 7 passes through it without waiting,
    where SpiffWorkflow would wait for a person."""

    def __init__(self, wf_spec: Any, bpmn_id: str, **kwargs: Any) -> None:
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.manual = False


class ServiceCamundaParser(CamundaParser):  # type: ignore[misc]
    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, Any]] = {
        **CamundaParser.OVERRIDE_PARSER_CLASSES,
        full_tag("task"): (CamundaTaskParser, PassThroughTask),
        full_tag("serviceTask"): (_CamundaServiceParser, MappedServiceTask),
        full_tag("sendTask"): (_CamundaSendParser, SendTask),
        full_tag("businessRuleTask"): (_CamundaRuleParser, BusinessRuleTask),
        full_tag("startEvent"): (
            CamundaEventStartParser,
            CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("startEvent")][1],
        ),
        full_tag("endEvent"): (
            CamundaSignalEndParser,
            CamundaParser.OVERRIDE_PARSER_CLASSES[full_tag("endEvent")][1],
        ),
    }


class ServiceSpiffParser(SpiffBpmnParser):  # type: ignore[misc]
    OVERRIDE_PARSER_CLASSES: ClassVar[dict[str, Any]] = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (_SpiffServiceParser, MappedSpiffServiceTask),
        full_tag("startEvent"): (
            SpiffEventStartParser,
            SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag("startEvent")][1],
        ),
        full_tag("endEvent"): (
            SpiffSignalEndParser,
            SpiffBpmnParser.OVERRIDE_PARSER_CLASSES[full_tag("endEvent")][1],
        ),
    }


class _MappedServiceConverter(BpmnTaskSpecConverter):  # type: ignore[misc]
    def to_dict(self, spec: Any) -> dict[str, Any]:
        dct: dict[str, Any] = self.get_default_attributes(spec)
        dct["service_key"] = spec.service_key
        dct["service_result"] = spec.service_result
        dct["service_params"] = spec.service_params
        if spec.service_outputs:  # versions stored before have none
            dct["service_outputs"] = spec.service_outputs
        return dct


class _MappedSpiffServiceConverter(ServiceTaskConverter):  # type: ignore[misc]
    def to_dict(self, spec: Any) -> dict[str, Any]:
        dct: dict[str, Any] = super().to_dict(spec)
        dct["service_result"] = spec.service_result
        return dct


SERIALIZER_CONFIG: dict[str, dict[type, type]] = {
    "camunda": {MappedServiceTask: _MappedServiceConverter, PassThroughTask: BpmnTaskSpecConverter},
    "spiff": {MappedSpiffServiceTask: _MappedSpiffServiceConverter},
}


def check_services(file_name: str, root: Any, services: Collection[str]) -> None:
    """Refuse a service task whose key the services module does not map, naming the key, or
    whose parameters cannot run (checked here: the parser would lose the line)."""
    for error in unmapped_services(file_name, root, services):
        raise error
    for tag in SERVICE_TAGS:
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            if is_service(node):
                read_params(file_name, node)


def _external(key: str) -> bool:
    """`topic:NAME` with a name: an external task outside workers may take when no handler
    is mapped (engine/external_tasks.py)."""
    return key.startswith("topic:") and bool(key.removeprefix("topic:"))


def unmapped_services(
    file_name: str, root: Any, services: Collection[str]
) -> list[InvalidDefinition]:
    """One refusal per service task whose key `services` lacks (reason `service_unmapped`);
    an external topic no handler takes is left to outside workers, not refused."""
    found = []
    for tag in SERVICE_TAGS:
        for node in root.iter(f"{{{BPMN_NS}}}{tag}"):
            key = service_key(node)
            if key in services or not is_service(node) or _external(key) or _evaluable(node):
                continue
            found.append(
                InvalidDefinition(
                    f"the service task calls '{key}', which no handler is mapped to: map "
                    f"'{key}' in the services module (PHEDUYET_SERVICES), to a function or to "
                    "None for a recorded no-op",
                    file=file_name,
                    element_id=node.get("id"),
                    line=node.sourceline,
                    reason="service_unmapped",
                    key=key,
                )
            )
    return found
