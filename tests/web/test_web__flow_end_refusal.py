"""A sequence flow with an end left out (no sourceRef or targetRef, or an empty one) is refused
for that, naming the attribute that is absent: not as a reference to an unknown element whose
name is empty ('' in the engine's words, «» in the page's)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import engine
from tests.web.conftest import refused_deploy

CASES = [
    ('targetRef="end"', "sourceRef"),
    ('sourceRef="start"', "targetRef"),
    ('sourceRef="start" targetRef=""', "targetRef"),
]


def _diagram(ends: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
    targetNamespace="https://example.invalid/flow-ends">
  <bpmn:process id="thieu_dau_luong" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="half_flow" {ends}/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
""".encode()


@pytest.mark.parametrize(("ends", "absent"), CASES, ids=[c[0] for c in CASES])
def test_flow_end_refusal__the_check_names_the_absent_attribute(ends: str, absent: str) -> None:
    report = engine.check_definitions([engine.SourceFile("thieu_dau.bpmn", _diagram(ends))])
    [problem] = report.problems
    assert (problem.reason, problem.element_id, problem.line) == (
        "flow_end_missing",
        "half_flow",
        6,
    )
    assert f"no {absent} attribute" in problem.message
    assert "''" not in problem.message


@pytest.mark.parametrize(("ends", "absent"), CASES, ids=[c[0] for c in CASES])
def test_flow_end_refusal__the_deploy_page_names_it_too(
    login: Any, tmp_path: Path, ends: str, absent: str
) -> None:
    path = tmp_path / "thieu_dau.bpmn"
    path.write_bytes(_diagram(ends))
    page = refused_deploy(login("quantri"), path)
    assert f"Luồng (sequence flow) này chưa có thuộc tính {absent}" in page
    assert "«»" not in page
