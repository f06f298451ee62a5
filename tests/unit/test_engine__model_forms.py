"""Reading a Camunda model's forms into JSON Schema: embedded HTML forms and Camunda Forms,
which form file a form key names, and what is refused at deploy with the file's name."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lxml import etree

from engine import InvalidDefinition, SourceFile
from engine.model_forms import (
    camunda_form_schema,
    form_file_of_key,
    html_form_schema,
    model_form_schemas,
)
from engine.parsing import parse_bundle
from engine.task_meta import read_task_meta
from tests.conftest import FIXTURES, fixture_files

LIMIT = 1_000_000
MIN_0 = {"min": 0}


@pytest.mark.parametrize(
    ("key", "file"),
    [
        ("embedded:app:forms/review.html", "review.html"),
        ("embedded:deployment:review.html", "review.html"),
        ("forms/sub/review.html", "review.html"),
        ("camunda-forms:deployment:forms/payment.form", "payment.form"),
        ("camunda-forms:app:payment.form", "payment.form"),
        ("review.html", "review.html"),
    ],
)
def test_model_forms__a_form_key_names_a_file(key: str, file: str) -> None:
    assert form_file_of_key(key) == file


def _html(body: str) -> dict[str, Any]:
    return html_form_schema("x.html", f"<form>{body}</form>".encode(), LIMIT)


def test_model_forms__html_fields_labels_and_limits() -> None:
    schema = _html(
        '<script>document.title = "<label>nope</label>";</script>'
        '<label for="a">Full name</label><input id="a" cam-variable-name="name" required '
        'cam-variable-type="String" maxlength="40" pattern="[A-Z].*">'
        '<label>Days <input cam-variable-name="days" cam-variable-type="Long" min="1" max="9"'
        "></label>"
        '<label>When<input type="date" cam-variable-name="when"></label>'
        '<input cam-variable-name="code" readonly>'
        '<label for="u">Unit</label><select id="u" cam-variable-name="unit">'
        '<option value="a">Alpha</option><option value="b">Beta</option></select>'
        '<input type="text" name="not_a_variable">'
    )
    props = schema["properties"]
    assert list(props) == ["name", "days", "when", "code", "unit"]
    assert props["name"] == {
        "title": "Full name",
        "type": "string",
        "maxLength": 40,
        "pattern": "^(?:[A-Z].*)$",
    }
    assert props["days"] == {"title": "Days", "type": "integer", "minimum": 1, "maximum": 9}
    assert props["when"]["format"] == "date"
    assert props["code"]["readOnly"] is True
    assert props["unit"]["title"] == "Unit"
    assert props["unit"]["oneOf"] == [
        {"const": "a", "title": "Alpha"},
        {"const": "b", "title": "Beta"},
    ]
    assert schema["required"] == ["name"] and schema["additionalProperties"] is False


def test_model_forms__a_label_before_the_input_s_own_element_names_it() -> None:
    """Camunda's own examples (Bootstrap form groups) write the label beside the element that
    holds the input, naming no id: it names the next input, unless another came first."""
    schema = _html(
        '<div class="form-group"><label class="control-label col-md-4">Amount</label>'
        '<div class="col-md-8"><input cam-variable-name="amount" cam-variable-type="Double">'
        "</div></div>"
        '<div class="form-group"><label class="control-label">Search</label>'
        '<input name="filter"><input cam-variable-name="creditor"></div>'
    )
    props = schema["properties"]
    assert props["amount"]["title"] == "Amount"
    assert props["creditor"]["title"] == "creditor"  # "Search" was the filter's


def test_model_forms__labels_of_fields_copied_with_one_id_stay_with_their_own() -> None:
    """A form built by copying one field repeats its id: each label names the field after it
    (all were titled by the first label)."""
    props = _html(
        '<label for="pick">Môn thể thao</label><select id="pick" cam-variable-name="sport">'
        '<option value="a">A</option></select>'
        '<label for="pick">Mức độ thử thách</label><select id="pick" cam-variable-name="level">'
        '<option value="b">B</option></select>'
    )["properties"]
    assert (props["sport"]["title"], props["level"]["title"]) == (
        "Môn thể thao",
        "Mức độ thử thách",
    )


def test_model_forms__a_select_s_options_take_its_variable_s_type() -> None:
    """A Boolean select's "true" is true, a Long select's "3" is 3: an answer of the type can
    then be sent (every option stayed text, and no answer ever passed)."""
    schema = _html(
        '<select cam-variable-name="story" cam-variable-type="Boolean">'
        '<option value="true">Yes</option><option value="FALSE">No</option></select>'
        '<select cam-variable-name="n" cam-variable-type="Long">'
        '<option value="3">Three</option><option value=" 10 ">Ten</option></select>'
        '<select cam-variable-name="rate" cam-variable-type="Double">'
        '<option value="0.5">Half</option></select>'
    )
    props = schema["properties"]
    assert [o["const"] for o in props["story"]["oneOf"]] == [True, False]
    assert [o["const"] for o in props["n"]["oneOf"]] == [3, 10]
    assert [o["const"] for o in props["rate"]["oneOf"]] == [0.5]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('<input cam-variable-name="x" cam-variable-type="Json">', "is not supported"),
        ('<input cam-variable-name="a-b">', "not a valid variable name"),
        (
            '<select cam-variable-name="ok" cam-variable-type="Boolean">'
            '<option value="yes">Yes</option></select>',
            "the option 'yes' of 'ok' is not of its type, Boolean",
        ),
        (
            '<select cam-variable-name="n" cam-variable-type="Integer">'
            '<option value="1.5">x</option></select>',
            "the option '1.5' of 'n' is not of its type, Integer",
        ),
    ],
)
def test_model_forms__html_refusals(body: str, words: str) -> None:
    with pytest.raises(InvalidDefinition) as refused:
        _html(body)
    assert words in str(refused.value) and refused.value.details["file"] == "x.html"


def test_model_forms__an_html_page_without_variables_asks_nothing() -> None:
    assert _html('<p>Read the request.</p><input name="x">')["properties"] == {}


def test_model_forms__an_html_form_over_the_size_limit_is_refused() -> None:
    with pytest.raises(InvalidDefinition) as refused:
        html_form_schema("big.html", b'<input cam-variable-name="x">' + b" " * 200, 100)
    assert refused.value.details["file"] == "big.html"


def _form(*components: dict[str, Any], version: int = 10) -> bytes:
    form = {"type": "default", "id": "f", "schemaVersion": version, "components": components}
    return json.dumps(form).encode()


def test_model_forms__camunda_form_components() -> None:
    form_id, schema = camunda_form_schema(
        "f.form",
        _form(
            {"type": "number", "key": "n", "label": "N", "decimalDigits": 2, "validate": MIN_0},
            {"type": "datetime", "subtype": "datetime", "key": "at", "label": "At"},
            {"type": "checkbox", "key": "ok", "label": "OK", "validate": {"required": True}},
            {
                "type": "group",
                "components": [{"type": "textfield", "key": "inner", "disabled": True}],
            },
        ),
        LIMIT,
    )
    props = schema["properties"]
    assert form_id == "f"
    assert props["n"] == {"title": "N", "type": "number", "minimum": 0}
    assert props["at"]["format"] == "date-time"
    assert props["ok"]["type"] == "boolean" and "required" not in schema  # a box may stay empty
    assert props["inner"]["readOnly"] is True


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"type": "default", "schemaVersion": "4", "components": []}', "a whole number"),
        (b'{"components": []}', '"type": "default"'),
        (_form({"type": "taglist", "key": "tags"}), "'taglist' ('tags') is not supported"),
        (_form({"type": "radio", "key": "r", "valuesKey": "opts"}), "lists no static values"),
        (_form({"type": "textfield", "label": "No key"}), "has no valid key"),
    ],
)
def test_model_forms__camunda_form_refusals(content: bytes, words: str) -> None:
    with pytest.raises(InvalidDefinition) as refused:
        camunda_form_schema("f.form", content, LIMIT)
    assert words in str(refused.value) and refused.value.details["file"] == "f.form"


def test_model_forms__a_stored_schema_is_read_back_as_it_is() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}}
    stored = json.dumps(schema).encode()
    assert model_form_schemas("review.html", stored, LIMIT) == {"review.html": schema}


def test_model_forms__a_backtracking_pattern_is_refused_at_deploy() -> None:
    files = fixture_files("camunda_forms/purchase/purchase_request.bpmn")
    form = json.loads((FIXTURES / "camunda_forms/purchase/payment.form").read_text())
    form["components"][1]["validate"]["pattern"] = "(a+)+b"
    html = (FIXTURES / "camunda_forms/purchase/forms/review.html").read_bytes()
    files += [
        SourceFile("payment.form", json.dumps(form).encode()),
        SourceFile("review.html", html),
    ]
    with pytest.raises(InvalidDefinition) as refused:
        parse_bundle(files)
    assert refused.value.details["file"] == "payment.form" and "(a+)+b" in str(refused.value)


def test_model_forms__a_default_naming_a_variable_takes_its_value() -> None:
    xml = (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d">'
        '<bpmn:process id="p"><bpmn:userTask id="t"><bpmn:extensionElements><camunda:formData>'
        '<camunda:formField id="a" type="long" defaultValue="${amount}"/>'
        '<camunda:formField id="b" type="string" defaultValue="${amount + 1}"/>'
        '<camunda:formField id="c" type="string" defaultValue="plain"/>'
        "</camunda:formData></bpmn:extensionElements></bpmn:userTask></bpmn:process>"
        "</bpmn:definitions>"
    )
    meta = read_task_meta(etree.fromstring(xml.encode()), "camunda")["p/t"]
    by_id = {f["id"]: f for f in meta.form_fields}
    assert [by_id[k]["default_from"] for k in "abc"] == ["amount", None, None]
    assert by_id["c"]["default"] == "plain"
