"""Returning never breaks: every decision form of every department process, with each of its
optional fields left out, is either refused naming that field (in the form's own Vietnamese)
or routed on; never a script error. The cases are read from bpmn/ and bpmn/forms/, so a new
decision step or field is covered without touching this file."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

import engine
from tests.integration.test_processes__de_xuat_nhiem_vu import HOI_DONG, PHIEU
from tests.integration.test_processes__giao_nhiem_vu import TASK as GIAO_TASK
from tests.integration.test_processes__xay_dung_quy_dinh import PATH as QUY_DINH_PATH
from tests.office import BPMN, DECISION_RECORD, TO_TRINH, TODAY, Office
from tools.diagrams.common import DECISION_NUMBER, LEGAL_NUMBER

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
DONG_Y = {"decision": "dong_y"}
UBND = [
    ("soan_to_trinh", TO_TRINH),
    ("kiem_tra_noi_dung", DONG_Y),
    ("kiem_tra_the_thuc", DONG_Y),
    ("ky_to_trinh", {"decision": "ky"}),
    ("phat_hanh", {"ngay_ban_hanh": TODAY}),
    ("gui_van_ban", {}),
    ("tiep_nhan", {"so_den": 88}),
    ("tham_tra_ho_so", {"decision": "du_ho_so"}),
    ("chi_dao", {"decision": "phe_duyet", **DECISION_RECORD}),
]
# Each process from its start to its end along the approving path: (who, step, data).
PATHS: dict[str, tuple[str, dict[str, Any], list[tuple[str, str, dict[str, Any]]]]] = {
    "de_xuat_nhiem_vu": (
        "trungtam.cv1",
        {},
        [
            ("trungtam.cv1", "lap_phieu_de_xuat", PHIEU),
            ("qlkh.cv2", "xem_xet_de_xuat", DONG_Y),
            ("hoidong", "danh_gia_hoi_dong", HOI_DONG),
            ("giamdoc", "quyet_dinh_giam_doc", {"decision": "phe_duyet"}),
            *[
                (who, step, data)
                for who, (step, data) in zip(
                    [
                        "qlkh.cv1",
                        "qlkh.tp",
                        "vp.vanthu",
                        "giamdoc",
                        "vp.vanthu",
                        "vp.vanthu",
                        "vpubnd",
                        "vpubnd",
                        "chutich",
                    ],
                    UBND,
                    strict=True,
                )
            ],
        ],
    ),
    "xay_dung_quy_dinh": (
        "giamdoc",
        {},
        [
            *QUY_DINH_PATH,
            *[
                (who, step, data)
                for who, (step, data) in zip(
                    [
                        "khtc.cv1",
                        "khtc.tp",
                        "vp.vanthu",
                        "giamdoc",
                        "vp.vanthu",
                        "vp.vanthu",
                        "vpubnd",
                        "vpubnd",
                        "chutich",
                    ],
                    UBND,
                    strict=True,
                )
            ],
        ],
    ),
    "giao_nhiem_vu": (
        "vp.tp",
        GIAO_TASK,
        [
            (
                "cs.cv1",
                "cap_nhat_tien_do",
                {"ty_le_hoan_thanh": 100, "hoan_thanh": True, "noi_dung_cap_nhat": "Đã xong"},
            ),
            ("cs.cv1", "bao_cao_ket_qua", {"so_bao_cao": "15/BC", "ket_qua": "Hoàn thành"}),
            ("giamdoc", "danh_gia_ket_qua", {"decision": "chap_nhan"}),
        ],
    ),
}


def _forms_of_user_tasks() -> dict[str, tuple[str, str]]:
    """element id -> (form file, decision field) of every user task in bpmn/."""
    found: dict[str, tuple[str, str]] = {}
    for path in sorted(BPMN.glob("*.bpmn")):
        for task in ET.parse(path).getroot().iterfind(".//bpmn:userTask", NS):
            props = {p.get("name"): p.get("value") for p in task.iterfind(".//spiff:property", NS)}
            if props.get("formJsonSchemaFilename"):
                assert task.get("id") not in found, f"{task.get('id')} is in two diagrams"
                found[str(task.get("id"))] = (
                    str(props["formJsonSchemaFilename"]),
                    str(props.get("decisionField") or "decision"),
                )
    return found


def _form(name: str) -> dict[str, Any]:
    form: dict[str, Any] = json.loads((BPMN / "forms" / name).read_text())
    return form


def _options(spec: dict[str, Any]) -> list[Any]:
    if spec.get("type") == "boolean":
        return [True, False]
    return [choice["const"] for choice in spec.get("oneOf") or []]


def _sample(spec: dict[str, Any]) -> Any:
    """A valid value for a field: its default, its first choice, or a plain value of its type."""
    if "default" in spec:
        return spec["default"]
    if _options(spec):
        return _options(spec)[0]
    if spec.get("type") == "integer":
        return max(int(spec.get("minimum", 1)), 1)
    if spec.get("type") == "array":
        return [_options(spec["items"])[0]]
    if spec.get("x-not-later") == "today":  # a date of something done: the day it is done
        return TODAY
    if spec.get("format") == "date":  # after the paths' deadlines: a new deadline is later
        return "2026-12-30"
    if spec.get("pattern"):  # a number of a document, as its pattern writes it
        return {DECISION_NUMBER: "1234/QĐ-UBND", LEGAL_NUMBER: "25/2026/QĐ-UBND"}.get(
            spec["pattern"], "Nội dung thử"
        )
    return "Nội dung thử"


def _required_for(form: dict[str, Any], field: str, decision: Any) -> set[str]:
    """What the form requires once this decision is taken (its own and its if/then rules)."""
    needed = set(form.get("required") or [])
    for rule in form.get("allOf") or []:
        test = rule["if"]["properties"].get(field)
        if test is None:
            continue  # a rule on another field, which the samples leave off (xin_gia_han)
        if decision in test.get("enum", [test.get("const")]):
            needed |= set(rule["then"].get("required") or [])
    return needed


def _cases() -> list[Any]:
    tasks = _forms_of_user_tasks()
    cases = []
    for process, (_starter, _data, steps) in PATHS.items():
        seen = set()
        for index, (_who, step, _values) in enumerate(steps):
            if step in seen or step not in tasks:
                continue
            seen.add(step)
            form_name, field = tasks[step]
            form = _form(form_name)
            options = _options(form["properties"].get(field) or {})
            if not options:
                continue  # not a decision form
            optional = [
                n
                for n, spec in form["properties"].items()
                if n not in form.get("required", []) and not spec.get("readOnly")
            ]
            for decision in options:
                for missing in optional:
                    cases.append(
                        pytest.param(
                            process,
                            index,
                            decision,
                            missing,
                            id=f"{process}-{step}-{decision}-without-{missing}",
                        )
                    )
    return cases


CASES = _cases()


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


def test_returns__the_table_covers_both_returns_with_a_choice_of_step() -> None:
    missing = {(c.values[0], PATHS[c.values[0]][2][c.values[1]][1], c.values[3]) for c in CASES}
    assert ("de_xuat_nhiem_vu", "quyet_dinh_giam_doc", "buoc_tra_lai") in missing
    assert ("de_xuat_nhiem_vu", "chi_dao", "buoc_tra_lai") in missing
    assert ("xay_dung_quy_dinh", "chi_dao", "buoc_tra_lai") in missing
    assert len(CASES) > 30


@pytest.mark.parametrize(("process", "index", "decision", "missing"), CASES)
def test_returns__an_optional_field_left_out_is_named_or_routed(
    office: Office, process: str, index: int, decision: Any, missing: str
) -> None:
    starter, start_data, steps = PATHS[process]
    item = office.start(process, starter, **start_data)
    for who, step, values in steps[:index]:
        office.do(who, item, step, **values)
    who, step, _values = steps[index]
    form_name, field = _forms_of_user_tasks()[step]
    form = _form(form_name)
    # What a person types: a read-only field is the process's to fill (a signature's form).
    data = {n: _sample(spec) for n, spec in form["properties"].items() if not spec.get("readOnly")}
    data[field] = decision
    del data[missing]
    task = office.task(who, item, step)

    if missing in _required_for(form, field, decision):
        with pytest.raises(engine.InvalidData) as refused:
            office.do(who, item, step, **data)
        own = form["properties"][missing]["errorMessages"]["required"]
        assert refused.value.fields == {missing: own}
        assert task.id in {t.id for t in office.inbox(who, item)}  # still waiting, unchanged
    else:
        office.do(who, item, step, **data)  # a ScriptError (NameError) here fails the test
        view = office.show(item)
        assert view.status in ("running", "completed")
        assert task.id not in {t.id for t in view.open_tasks}


@pytest.mark.parametrize(
    ("process", "step", "target", "lands_at"),
    [
        ("de_xuat_nhiem_vu", "quyet_dinh_giam_doc", "danh_gia_hoi_dong", "danh_gia_hoi_dong"),
        ("de_xuat_nhiem_vu", "chi_dao", "soan_to_trinh", "soan_to_trinh"),
        ("xay_dung_quy_dinh", "chi_dao", "soan_to_trinh", "soan_to_trinh"),
    ],
)
def test_returns__no_target_is_preselected_and_the_chosen_one_is_where_it_lands(
    office: Office, process: str, step: str, target: str, lands_at: str
) -> None:
    form_name, _field = _forms_of_user_tasks()[step]
    assert "default" not in _form(form_name)["properties"]["buoc_tra_lai"]
    starter, start_data, steps = PATHS[process]
    item = office.start(process, starter, **start_data)
    index = next(i for i, (_w, s, _v) in enumerate(steps) if s == step)
    for who, name, values in steps[:index]:
        office.do(who, item, name, **values)
    reason = "y_kien_chi_dao" if step == "chi_dao" else "y_kien"
    office.do(
        steps[index][0], item, step, decision="tra_lai", buoc_tra_lai=target, **{reason: "Làm lại"}
    )
    assert office.steps(item) == [lands_at]
