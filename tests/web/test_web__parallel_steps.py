"""Steps side by side (several bodies giving their opinion on one draft): one done while the
other's page is open, its comments attached, changes the item, not what the other decides on,
so the other's opinion goes through, saying so; a draft sent again meanwhile still sends the
page back to be read again."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from flask import Flask

import engine
from engine import transaction
from tests.web.api_helpers import ON_BOTH
from tests.web.conftest import csrf_token

XML = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="gop_y" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="split" />
    <bpmn:parallelGateway id="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="qlkh" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="cs" />
    <bpmn:userTask id="qlkh" name="Góp ý của Phòng QLKH" camunda:assignee="qlkh.cv1">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="y_kien_qlkh" label="Ý kiến" type="string" />
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="cs" name="Góp ý của Phòng QLKH&amp;CN cơ sở" camunda:assignee="cs.cv1">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="y_kien_cs" label="Ý kiến" type="string" />
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f4" sourceRef="qlkh" targetRef="join" />
    <bpmn:sequenceFlow id="f5" sourceRef="cs" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>"""
NOTE = b"%PDF-1.4\n% y kien\n"


def _opened(app: Flask, office: Any, login: Any) -> tuple[int, Any, str, dict[str, str]]:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        engine.deploy(s, [engine.SourceFile("gop_y.bpmn", XML.encode())], office.clock, "quantri")
    item = int(office.start("gop_y", "qlkh.cv1"))
    client = login("cs.cv1")
    url = f"/tasks/{office.task('cs.cv1', item, 'cs').id}"
    page = client.get(url).get_data(as_text=True)
    sent = {
        "csrf_token": csrf_token(page),
        "y_kien_cs": "Thống nhất với dự thảo",
        **dict(re.findall(r'name="(_revision|_documents)" value="([^"]*)"', page)),
    }
    return item, client, url, sent


@ON_BOTH
def test_parallel_steps__an_opinion_goes_through_when_another_was_given_meanwhile(
    app: Flask, office: Any, login: Any
) -> None:
    item, client, url, sent = _opened(app, office, login)
    other = office.task("qlkh.cv1", item, "qlkh")
    with transaction(office.factory) as s:  # the other body's comments, beside its opinion
        engine.add_attachment(
            s,
            office.clock,
            Path(app.config["UPLOAD_FOLDER"]),
            item,
            "qlkh.cv1",
            "y-kien-qlkh.pdf",
            NOTE,
            task_id=other.id,
        )
    office.do("qlkh.cv1", item, "qlkh", y_kien_qlkh="Đề nghị bổ sung căn cứ pháp lý")
    note = (io.BytesIO(NOTE), "y-kien-co-so.pdf")  # read again by the second try
    done = client.post(
        url,
        data={**sent, "_files": [note]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "hồ sơ có cập nhật ở bước khác" in page
    view = office.show(item)
    assert view.status == "completed"
    assert (view.data["y_kien_cs"], view.data["y_kien_qlkh"]) == (
        "Thống nhất với dự thảo",
        "Đề nghị bổ sung căn cứ pháp lý",
    )
    with transaction(office.factory) as s:
        kept = [a for a in engine.list_attachments(s, item) if a.filename == "y-kien-co-so.pdf"]
        _view, path = engine.attachment_file(s, Path(app.config["UPLOAD_FOLDER"]), kept[0].id)
    assert path.read_bytes() == NOTE


@ON_BOTH
def test_parallel_steps__a_draft_sent_again_meanwhile_sends_the_page_back(
    app: Flask, office: Any, login: Any
) -> None:
    item, client, url, sent = _opened(app, office, login)
    with transaction(office.factory) as s:
        engine.add_attachment(
            s,
            office.clock,
            Path(app.config["UPLOAD_FOLDER"]),
            item,
            "qlkh.cv1",
            "du-thao-lan-2.pdf",
            b"%PDF-1.4\n% lan 2\n",
        )
    refused = client.post(url, data=sent)
    assert refused.status_code == 409
    assert "Hồ sơ vừa được cập nhật" in refused.get_data(as_text=True)
    assert sorted(office.steps(item)) == ["cs", "qlkh"]
    stale = {**sent, "_documents": ""}  # a page of before this rule: as before, sent back
    office.do("qlkh.cv1", item, "qlkh", y_kien_qlkh="Đồng ý")
    assert client.post(url, data=stale).status_code == 409
