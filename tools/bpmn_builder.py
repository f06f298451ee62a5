"""Builds the department's BPMN diagrams, with DI laid out on a grid so that they render.

The .bpmn files under bpmn/ are the real artefacts (administrators edit them in a modeler later);
this builder only spares us writing coordinates by hand. Lanes are horizontal bands; each node
takes the column after the furthest node that leads to it; flows are drawn orthogonally, and a
flow that goes back (a return for revision) runs below its lanes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
for prefix, uri in (
    ("bpmn", BPMN),
    ("bpmndi", BPMNDI),
    ("dc", DC),
    ("di", DI),
    ("spiffworkflow", SPIFF),
):
    ET.register_namespace(prefix, uri)

SIZES = {"task": (110, 80), "event": (36, 36), "gateway": (50, 50)}
KIND_SHAPE = {
    "startEvent": "event",
    "endEvent": "event",
    "boundaryEvent": "event",
    "intermediateCatchEvent": "event",
    "intermediateThrowEvent": "event",
    "exclusiveGateway": "gateway",
    "parallelGateway": "gateway",
    "userTask": "task",
    "scriptTask": "task",
    "callActivity": "task",
    "manualTask": "task",
}
COLUMN = 170
ROW = 120
LANE_PAD = 30
POOL_X, POOL_Y, LABEL_W = 120, 60, 30


@dataclass
class Node:
    id: str
    kind: str
    name: str
    lane: str
    doc: str | None = None
    props: dict[str, str] = field(default_factory=dict)
    script: str | None = None
    timer: tuple[str, str] | None = None  # ("timeDuration" | "timeDate" | "timeCycle", expr)
    attached_to: str | None = None
    cancel: bool = True
    called: str | None = None
    multi: dict[str, Any] | None = None
    default: str | None = None
    pre_script: str | None = None
    post_script: str | None = None
    terminate: bool = False  # an end event that closes whatever else is still open
    signal: str | None = None  # the name of the signal it throws or catches


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None


class Diagram:
    def __init__(self, process_id: str, name: str, doc: str | None = None) -> None:
        self.process_id = process_id
        self.name = name
        self.doc = doc
        self.lane_names: list[str] = []
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        self.signals: list[str] = []

    # -- building -----------------------------------------------------------------------
    def lanes(self, *names: str) -> None:
        self.lane_names = list(names)

    def _add(self, node: Node) -> Node:
        if node.id in self.nodes:
            raise ValueError(f"duplicate id {node.id}")
        if node.lane not in self.lane_names:
            raise ValueError(f"{node.id}: unknown lane {node.lane}")
        self.nodes[node.id] = node
        return node

    def start(self, id: str, name: str, lane: str, **props: str) -> Node:
        return self._add(Node(id, "startEvent", name, lane, props=props))

    def end(self, id: str, name: str, lane: str, *, terminate: bool = False) -> Node:
        """An end event; `terminate`: reaching it ends the whole process at once, closing the
        tasks still open on other paths (BPMN's terminate end event)."""
        return self._add(Node(id, "endEvent", name, lane, terminate=terminate))

    def user(
        self,
        id: str,
        name: str,
        lane: str,
        *,
        doc: str | None = None,
        form: str | None = None,
        multi: dict[str, Any] | None = None,
        post_script: str | None = None,
        **props: str,
    ) -> Node:
        if form:
            props = {"formJsonSchemaFilename": form, **props}
        return self._add(
            Node(
                id,
                "userTask",
                name,
                lane,
                doc=doc,
                props=props,
                multi=multi,
                post_script=post_script,
            )
        )

    def script(self, id: str, name: str, lane: str, script: str, doc: str | None = None) -> Node:
        return self._add(Node(id, "scriptTask", name, lane, doc=doc, script=script))

    def call(self, id: str, name: str, lane: str, called: str, doc: str | None = None) -> Node:
        return self._add(Node(id, "callActivity", name, lane, doc=doc, called=called))

    def xor(self, id: str, name: str, lane: str) -> Node:
        return self._add(Node(id, "exclusiveGateway", name, lane))

    def parallel(self, id: str, lane: str, name: str = "") -> Node:
        return self._add(Node(id, "parallelGateway", name, lane))

    def wait(self, id: str, name: str, lane: str, expr: str, kind: str = "timeDate") -> Node:
        """An intermediate timer: the flow waits here until the moment comes."""
        return self._add(Node(id, "intermediateCatchEvent", name, lane, timer=(kind, expr)))

    def timer_on(
        self,
        id: str,
        name: str,
        attached_to: str,
        expr: str,
        *,
        kind: str = "timeDuration",
        cancel: bool = False,
    ) -> Node:
        lane = self.nodes[attached_to].lane
        return self._add(
            Node(
                id,
                "boundaryEvent",
                name,
                lane,
                timer=(kind, expr),
                attached_to=attached_to,
                cancel=cancel,
            )
        )

    def _signal(self, name: str) -> str:
        if name not in self.signals:
            self.signals.append(name)
        return name

    def throw_signal(self, id: str, name: str, lane: str, signal: str) -> Node:
        """An intermediate event that throws a signal and goes on: whatever waits for the
        signal in this process catches it (a boundary event made by `signal_on`)."""
        return self._add(
            Node(id, "intermediateThrowEvent", name, lane, signal=self._signal(signal))
        )

    def signal_on(
        self, id: str, name: str, attached_to: str, signal: str, *, cancel: bool = True
    ) -> Node:
        """A boundary event that catches a signal thrown in this process; interrupting by
        default: the task it sits on is closed and the flow leaves through the event."""
        lane = self.nodes[attached_to].lane
        return self._add(
            Node(
                id,
                "boundaryEvent",
                name,
                lane,
                attached_to=attached_to,
                cancel=cancel,
                signal=self._signal(signal),
            )
        )

    def flow(
        self,
        source: str,
        target: str,
        name: str | None = None,
        condition: str | None = None,
        default: bool = False,
    ) -> None:
        flow = Flow(f"flow_{source}_{target}", source, target, name, condition)
        if any(f.id == flow.id for f in self.flows):
            flow.id += f"_{len(self.flows)}"
        self.flows.append(flow)
        if default:
            self.nodes[source].default = flow.id

    def chain(self, *ids: str) -> None:
        for a, b in pairwise(ids):
            self.flow(a, b)

    # -- layout ---------------------------------------------------------------------------
    def _columns(self) -> dict[str, int]:
        outgoing: dict[str, list[str]] = {n: [] for n in self.nodes}
        for f in self.flows:
            outgoing[f.source].append(f.target)
        back: set[tuple[str, str]] = set()
        state: dict[str, int] = {}

        def visit(node: str) -> None:
            state[node] = 1
            for nxt in outgoing[node]:
                if state.get(nxt) == 1:
                    back.add((node, nxt))
                elif nxt not in state:
                    visit(nxt)
            state[node] = 2

        starts = [n.id for n in self.nodes.values() if n.kind == "startEvent"]
        for s in starts:
            visit(s)
        for n in self.nodes:
            if n not in state:
                visit(n)
        self.back_edges = back
        col = {n: 0 for n in self.nodes}
        changed = True
        while changed:
            changed = False
            for f in self.flows:
                if (f.source, f.target) in back:
                    continue
                step = 1
                want = col[f.source] + step
                if want > col[f.target]:
                    col[f.target] = want
                    changed = True
            for n in self.nodes.values():
                if n.attached_to and col[n.id] != col[n.attached_to]:
                    col[n.id] = col[n.attached_to]
                    changed = True
        return col

    def _returns_from(self, lane: str) -> int:
        return sum(
            1
            for e in self.flows
            if (e.source, e.target) in self.back_edges and self.nodes[e.source].lane == lane
        )

    def _boundary_branches(self) -> set[str]:
        """Nodes reached only through a boundary event."""
        outgoing: dict[str, list[str]] = {n: [] for n in self.nodes}
        for f in self.flows:
            outgoing[f.source].append(f.target)
        main: set[str] = set()
        todo = [n.id for n in self.nodes.values() if n.kind == "startEvent"]
        while todo:
            node = todo.pop()
            if node not in main:
                main.add(node)
                todo.extend(t for t in outgoing[node] if not self.nodes[t].attached_to)
        return set(self.nodes) - main

    def _layout(self) -> dict[str, tuple[float, float, float, float]]:
        col = self._columns()
        rows: dict[tuple[str, int], list[str]] = {}
        branch = self._boundary_branches()
        # The main path takes the first row of a lane; what a boundary event starts goes below.
        for n in sorted(self.nodes.values(), key=lambda n: n.id in branch):
            if n.attached_to:
                continue
            rows.setdefault((n.lane, col[n.id]), []).append(n.id)
        depth = {lane: 1 for lane in self.lane_names}
        for (lane, _), ids in rows.items():
            depth[lane] = max(depth[lane], len(ids))
        self.lane_box: dict[str, tuple[float, float]] = {}
        y = POOL_Y
        for lane in self.lane_names:
            height = depth[lane] * ROW + 2 * LANE_PAD + 14 * self._returns_from(lane)
            self.lane_box[lane] = (y, height)
            y += height
        self.pool_height = y - POOL_Y
        self.pool_width = LABEL_W * 2 + (max(col.values()) + 1) * COLUMN + 60
        boxes: dict[str, tuple[float, float, float, float]] = {}
        for (lane, c), ids in rows.items():
            top, _ = self.lane_box[lane]
            for i, node_id in enumerate(ids):
                w, h = SIZES[KIND_SHAPE[self.nodes[node_id].kind]]
                cx = POOL_X + LABEL_W * 2 + 40 + c * COLUMN
                cy = top + LANE_PAD + ROW * i + ROW / 2
                boxes[node_id] = (cx - w / 2, cy - h / 2, w, h)
        attached_count: dict[str, int] = {}
        for n in self.nodes.values():
            if n.attached_to:
                x, y0, w, h = boxes[n.attached_to]
                k = attached_count.get(n.attached_to, 0)
                attached_count[n.attached_to] = k + 1
                bw, bh = SIZES["event"]
                boxes[n.id] = (x + w - bw - 4 - k * (bw + 34), y0 + h - bh / 2, bw, bh)
        return boxes

    def _waypoints(self, f: Flow, boxes: dict[str, Any]) -> list[tuple[float, float]]:
        sx, sy, sw, sh = boxes[f.source]
        tx, ty, tw, th = boxes[f.target]
        if self.nodes[f.source].attached_to:
            start = (sx + sw / 2, sy + sh)
            return [start, (start[0], ty + th / 2), (tx, ty + th / 2)]
        if (f.source, f.target) in self.back_edges:
            lane = self.nodes[f.source].lane
            lane_top, lane_h = self.lane_box[lane]
            # Each return flow of a lane runs on its own line, so their labels stay apart.
            same_lane = [
                e
                for e in self.flows
                if (e.source, e.target) in self.back_edges and self.nodes[e.source].lane == lane
            ]
            below = lane_top + lane_h - 8 - 14 * same_lane.index(f)
            end_y = ty if ty > below else ty + th  # enter a lower target from above
            return [
                (sx + sw / 2, sy + sh),
                (sx + sw / 2, below),
                (tx + tw / 2, below),
                (tx + tw / 2, end_y),
            ]
        a = (sx + sw, sy + sh / 2)
        b = (tx, ty + th / 2)
        if abs(a[1] - b[1]) < 1:
            return [a, b]
        if self.nodes[f.source].kind.endswith("Gateway") and b[0] - a[0] < COLUMN / 2:
            a = (sx + sw / 2, sy + sh if b[1] > a[1] else sy)
            return [a, (a[0], b[1]), b]
        mid = b[0] - 30
        return [a, (mid, a[1]), (mid, b[1]), b]

    # -- XML ------------------------------------------------------------------------------
    def to_xml(self) -> bytes:
        boxes = self._layout()
        q = lambda ns, tag: f"{{{ns}}}{tag}"  # noqa: E731
        root = ET.Element(
            q(BPMN, "definitions"),
            {
                "id": f"defs_{self.process_id}",
                "targetNamespace": "http://bpmn.io/schema/bpmn",
                "exporter": "pheduyet tools/bpmn_builder.py",
                "exporterVersion": "1",
            },
        )
        for signal in self.signals:
            ET.SubElement(root, q(BPMN, "signal"), {"id": self._signal_id(signal), "name": signal})
        collab = ET.SubElement(root, q(BPMN, "collaboration"), {"id": f"collab_{self.process_id}"})
        ET.SubElement(
            collab,
            q(BPMN, "participant"),
            {"id": f"pool_{self.process_id}", "name": self.name, "processRef": self.process_id},
        )
        proc = ET.SubElement(
            root,
            q(BPMN, "process"),
            {"id": self.process_id, "name": self.name, "isExecutable": "true"},
        )
        if self.doc:
            ET.SubElement(proc, q(BPMN, "documentation")).text = self.doc
        lane_set = ET.SubElement(proc, q(BPMN, "laneSet"), {"id": f"lanes_{self.process_id}"})
        lane_ids = {}
        for i, lane in enumerate(self.lane_names):
            lane_ids[lane] = f"lane_{self.process_id}_{i + 1}"
            el = ET.SubElement(lane_set, q(BPMN, "lane"), {"id": lane_ids[lane], "name": lane})
            for n in self.nodes.values():
                if n.lane == lane:
                    ET.SubElement(el, q(BPMN, "flowNodeRef")).text = n.id
        incoming: dict[str, list[str]] = {n: [] for n in self.nodes}
        outgoing: dict[str, list[str]] = {n: [] for n in self.nodes}
        for f in self.flows:
            incoming[f.target].append(f.id)
            outgoing[f.source].append(f.id)
        for n in self.nodes.values():
            attrs = {"id": n.id}
            if n.name:
                attrs["name"] = n.name
            if n.attached_to:
                attrs["attachedToRef"] = n.attached_to
                attrs["cancelActivity"] = "true" if n.cancel else "false"
            if n.called:
                attrs["calledElement"] = n.called
            if n.default:
                attrs["default"] = n.default
            el = ET.SubElement(proc, q(BPMN, n.kind), attrs)
            if n.doc:
                ET.SubElement(el, q(BPMN, "documentation")).text = n.doc
            if n.props or n.pre_script or n.post_script:
                ext = ET.SubElement(el, q(BPMN, "extensionElements"))
                if n.props:
                    props = ET.SubElement(ext, q(SPIFF, "properties"))
                    for k, v in n.props.items():
                        ET.SubElement(props, q(SPIFF, "property"), {"name": k, "value": v})
                if n.pre_script:
                    ET.SubElement(ext, q(SPIFF, "preScript")).text = n.pre_script
                if n.post_script:
                    ET.SubElement(ext, q(SPIFF, "postScript")).text = n.post_script
            for fid in incoming[n.id]:
                ET.SubElement(el, q(BPMN, "incoming")).text = fid
            for fid in outgoing[n.id]:
                ET.SubElement(el, q(BPMN, "outgoing")).text = fid
            if n.timer:
                ted = ET.SubElement(el, q(BPMN, "timerEventDefinition"), {"id": f"{n.id}_timer"})
                ET.SubElement(ted, q(BPMN, n.timer[0])).text = n.timer[1]
            if n.signal:
                ET.SubElement(
                    el,
                    q(BPMN, "signalEventDefinition"),
                    {"id": f"{n.id}_signal", "signalRef": self._signal_id(n.signal)},
                )
            if n.terminate:
                ET.SubElement(el, q(BPMN, "terminateEventDefinition"), {"id": f"{n.id}_terminate"})
            if n.multi:
                mi = ET.SubElement(
                    el,
                    q(BPMN, "multiInstanceLoopCharacteristics"),
                    {"isSequential": "true" if n.multi.get("sequential") else "false"},
                )
                ET.SubElement(mi, q(BPMN, "loopDataInputRef")).text = n.multi["collection"]
                if n.multi.get("output"):
                    ET.SubElement(mi, q(BPMN, "loopDataOutputRef")).text = n.multi["output"]
                ET.SubElement(
                    mi,
                    q(BPMN, "inputDataItem"),
                    {"id": n.multi["element"], "name": n.multi["element"]},
                )
                if n.multi.get("output_item"):
                    ET.SubElement(
                        mi,
                        q(BPMN, "outputDataItem"),
                        {"id": n.multi["output_item"], "name": n.multi["output_item"]},
                    )
            if n.script is not None:
                ET.SubElement(el, q(BPMN, "script")).text = n.script
        for f in self.flows:
            attrs = {"id": f.id, "sourceRef": f.source, "targetRef": f.target}
            if f.name:
                attrs["name"] = f.name
            el = ET.SubElement(proc, q(BPMN, "sequenceFlow"), attrs)
            if f.condition:
                ET.SubElement(el, q(BPMN, "conditionExpression")).text = f.condition
        diagram = ET.SubElement(root, q(BPMNDI, "BPMNDiagram"), {"id": f"di_{self.process_id}"})
        plane = ET.SubElement(
            diagram,
            q(BPMNDI, "BPMNPlane"),
            {"id": f"plane_{self.process_id}", "bpmnElement": f"collab_{self.process_id}"},
        )

        def shape(element: str, x: float, y: float, w: float, h: float, **extra: str) -> None:
            s = ET.SubElement(
                plane,
                q(BPMNDI, "BPMNShape"),
                {"id": f"{element}_di", "bpmnElement": element, **extra},
            )
            ET.SubElement(
                s,
                q(DC, "Bounds"),
                {"x": f"{x:g}", "y": f"{y:g}", "width": f"{w:g}", "height": f"{h:g}"},
            )

        shape(
            f"pool_{self.process_id}",
            POOL_X,
            POOL_Y,
            self.pool_width,
            self.pool_height,
            isHorizontal="true",
        )
        for lane in self.lane_names:
            top, height = self.lane_box[lane]
            shape(
                lane_ids[lane],
                POOL_X + LABEL_W,
                top,
                self.pool_width - LABEL_W,
                height,
                isHorizontal="true",
            )
        for node_id, (x, y, w, h) in boxes.items():
            extra = (
                {"isMarkerVisible": "true"}
                if self.nodes[node_id].kind == "exclusiveGateway"
                else {}
            )
            shape(node_id, x, y, w, h, **extra)
        for f in self.flows:
            e = ET.SubElement(
                plane, q(BPMNDI, "BPMNEdge"), {"id": f"{f.id}_di", "bpmnElement": f.id}
            )
            for x, y in self._waypoints(f, boxes):
                ET.SubElement(e, q(DI, "waypoint"), {"x": f"{x:g}", "y": f"{y:g}"})
        ET.indent(root, "  ")
        text = ET.tostring(root, encoding="unicode")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode("utf-8")

    def _signal_id(self, name: str) -> str:
        return f"signal_{self.process_id}_{self.signals.index(name) + 1}"

    def write(self, folder: Path) -> Path:
        path = folder / f"{self.process_id}.bpmn"
        path.write_bytes(self.to_xml() + b"\n")
        return path
