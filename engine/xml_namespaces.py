"""The XML namespaces the engine reads diagrams in, named once for every module that reads them."""

from __future__ import annotations

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
# Older Camunda models' name for Camunda's own (engine.camunda_namespaces moves them to it).
ACTIVITI_NS = "http://activiti.org/bpmn"
# Camunda 7.0's own namespace, before "schema/1.0": its test resources still use it.
CAMUNDA_EARLY_NS = "http://camunda.org/bpmn"

# The BPMN elements whose children are a flow of their own (sequence flows, nodes).
FLOW_SCOPES = ("process", "subProcess", "transaction", "adHocSubProcess")
