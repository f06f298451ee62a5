"""Several sequence flows leaving a task or an event, as Camunda 7 runs them.

BPMN lets any activity or event have more than one outgoing flow: an unconditional flow is
always taken and a conditional one when its condition holds (an implicit inclusive split), the
activity's `default` flow only when no other is. Camunda models use this often (a review task
with "Returned" and "Reviewed" flows straight out of it); SpiffWorkflow accepts several
outgoing flows only on gateways. So in the copy handed to SpiffWorkflow, such an element's
flows are moved behind a gateway of its own, placed right after it: a parallel gateway when no
flow has a condition, else an inclusive gateway where an unconditional flow's condition is
`True` and the element's default becomes the gateway's. The gateway's id is the element's plus
`SPLIT_SUFFIX`, so that what is reported (and a take listener's source) stays the element.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import FLOW_SCOPES

SPLIT_SUFFIX = "__split"
_GATEWAYS = frozenset(
    {
        "exclusiveGateway",
        "inclusiveGateway",
        "parallelGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)


def split_element_id(element_id: str) -> str:
    """The element a gateway of ours stands in for (any other id unchanged)."""
    return element_id.removesuffix(SPLIT_SUFFIX)


def split_implicit_forks(root: Any) -> None:
    """Move the outgoing flows of every non-gateway element that has several behind a gateway
    of its own (in place, on the copy of the tree SpiffWorkflow parses)."""
    for scope_tag in FLOW_SCOPES:
        for scope in root.iter(f"{{{BPMN}}}{scope_tag}"):
            _split_in(scope)


def _split_in(scope: Any) -> None:
    flows = [c for c in scope if c.tag == f"{{{BPMN}}}sequenceFlow"]
    by_source: dict[str, list[Any]] = {}
    for flow in flows:
        by_source.setdefault(flow.get("sourceRef") or "", []).append(flow)
    nodes = {c.get("id"): c for c in scope if isinstance(c.tag, str) and c.get("id")}
    for source, outgoing in by_source.items():
        node = nodes.get(source)
        if node is None or len(outgoing) < 2:
            continue
        if etree.QName(node).localname in _GATEWAYS:
            continue
        _insert_gateway(scope, node, outgoing)


def _condition(flow: Any) -> Any:
    return flow.find(f"{{{BPMN}}}conditionExpression")


def _insert_gateway(scope: Any, node: Any, outgoing: list[Any]) -> None:
    source = str(node.get("id"))
    gateway_id = source + SPLIT_SUFFIX
    default = node.get("default")
    conditional = any(_condition(f) is not None for f in outgoing)
    kind = "inclusiveGateway" if conditional else "parallelGateway"
    gateway = etree.SubElement(scope, f"{{{BPMN}}}{kind}", id=gateway_id)
    gateway.sourceline = node.sourceline
    name = node.get("name")
    if name:
        gateway.set("name", name)
    if default and conditional:
        gateway.set("default", default)
    if default is not None:
        del node.attrib["default"]
    link = etree.SubElement(
        scope,
        f"{{{BPMN}}}sequenceFlow",
        id=gateway_id + "_in",
        sourceRef=source,
        targetRef=gateway_id,
    )
    link.sourceline = node.sourceline
    # SpiffWorkflow follows the flows' sourceRef; `outgoing` children only have to go.
    for child in list(node):
        if child.tag == f"{{{BPMN}}}outgoing":
            node.remove(child)
    for flow in outgoing:
        flow.set("sourceRef", gateway_id)
        if conditional and _condition(flow) is None and flow.get("id") != default:
            always = etree.SubElement(flow, f"{{{BPMN}}}conditionExpression")
            always.text = "True"
