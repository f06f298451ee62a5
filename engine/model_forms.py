"""Forms that Camunda models bring along, turned at deploy into the JSON Schema forms the engine
already checks and the web already renders: embedded HTML forms (`cam-variable-name` inputs)
and Camunda Forms (`.form` JSON from Camunda Modeler). A task or start event names them with
`camunda:formKey` (`embedded:deployment:forms/x.html`, `embedded:app:forms/x.html`,
`camunda-forms:deployment:x.form`, a plain path) or `camunda:formRef` (a Camunda Form's id).

HTML is read with the standard library's `html.parser`: nothing in it runs, nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from .errors import InvalidDefinition
from .task_data_options import with_task_data_options
from .xml_safety import check_size, check_utf8, parse_json_form

HTML_SUFFIXES = (".html", ".htm")
CAMUNDA_FORM_SUFFIX = ".form"
MODEL_FORM_SUFFIXES = (*HTML_SUFFIXES, CAMUNDA_FORM_SUFFIX)
# Prefixes of `camunda:formKey` that name a file deployed with the model.
_KEY_PREFIXES = (
    "embedded:deployment:",
    "embedded:app:",
    "camunda-forms:deployment:",
    "camunda-forms:app:",
    "deployment:",
    "app:",
)
MAX_FIELDS = 200
# A Camunda Form's "text" component is shown, never typed into: a read-only property carrying
# the text under this extension (web/form_fields.py shows it as it is).
TEXT_EXTENSION = "x-text"


def is_model_form(name: str) -> bool:
    return name.lower().endswith(MODEL_FORM_SUFFIXES)


def form_file_of_key(key: str) -> str:
    """The deployed file a `camunda:formKey` names (its base name: the deploy flattens folders)."""
    text = key.strip()
    for prefix in _KEY_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text.replace("\\", "/").rsplit("/", 1)[-1]


def model_form_schemas(name: str, content: bytes, max_bytes: int) -> dict[str, dict[str, Any]]:
    """Form name -> JSON Schema for one deployed form file. A Camunda Form is known by its base
    name and by its `id` (what `camunda:formRef` names)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stored = _stored_schema(name, content, max_bytes)
    if stored is not None:
        return {base: stored}
    if name.lower().endswith(CAMUNDA_FORM_SUFFIX):
        form_id, schema = camunda_form_schema(name, content, max_bytes)
        by_id = ref_file(form_id) if form_id else base
        return {base: schema, by_id: schema}
    return {base: html_form_schema(name, content, max_bytes)}


def ref_file(form_id: str) -> str:
    """The name a Camunda Form is known by to `camunda:formRef`, and stored under."""
    return f"{form_id}{CAMUNDA_FORM_SUFFIX}"


def _stored_schema(name: str, content: bytes, max_bytes: int) -> dict[str, Any] | None:
    """A version's stored files keep a converted form as its JSON Schema under the form's own
    name: read again (the files of a called process), it is taken as it is."""
    if not content.lstrip().startswith(b"{"):
        return None
    found = parse_json_form(name, content, max_bytes)
    if isinstance(found, dict) and found.get("type") == "object" and "properties" in found:
        return found
    return None


def _schema(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    return schema


def _number(text: Any) -> int | float | None:
    if isinstance(text, bool):
        return None
    if isinstance(text, int | float):
        return text
    try:
        value = float(str(text).strip())
    except ValueError:
        return None
    return int(value) if value.is_integer() else value


def _whole(text: Any) -> int | None:
    value = _number(text)
    return int(value) if value is not None and value >= 0 else None


# --- embedded HTML forms ---------------------------------------------------------------------

_HTML_TYPES = {
    "string": "string",
    "integer": "integer",
    "long": "integer",
    "short": "integer",
    "double": "number",
    "boolean": "boolean",
    "date": "date",
}
# A document uploaded through the form (`cam-variable-type="File"`): here documents are the
# item's attachments, added beside the form, so the input is no field of it.
_FILE_TYPE = "file"


class _HtmlFields(HTMLParser):
    """Collects the inputs, selects and textareas that carry `cam-variable-name`, and labels."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[dict[str, Any]] = []
        self.labels_for: dict[str, str] = {}
        # Labels naming an id not met yet, in order: each goes to the next element of that id
        # (forms copied field by field repeat one id; each label stays with its own field).
        self._waiting_for: dict[str, list[str]] = {}
        self._label: dict[str, Any] | None = None
        # The text of the last label that named no input and held none: Bootstrap's form
        # groups (Camunda's own examples) put it before the input's own element.
        self._before: str | None = None
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._skip = 0  # inside <script> or <style>: text is not a label

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v if v is not None else "") for k, v in attrs}
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "label":
            self._label = {"for": a.get("for"), "text": [], "fields": []}
        elif tag in ("input", "textarea", "select") and _variable_input(a):
            if (a.get("type") or "").lower() == "radio":
                self._radio(a)
                return
            found = {"tag": tag, "attrs": a, "options": [], "line": self.getpos()[0]}
            waiting = self._waiting_for.get(a.get("id") or "")
            if waiting:
                found["label_for"] = waiting.pop(0)
            self.fields.append(found)
            if self._label is not None:
                self._label["fields"].append(found)
            elif self._before is not None:
                found["label_before"] = self._before
            self._before = None
            if tag == "select":
                self._select = found
        elif tag in ("input", "textarea", "select"):
            self._before = None  # the label was another input's
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "text": []}
            self._select["options"].append(self._option)

    def _radio(self, a: dict[str, str]) -> None:
        """Radio buttons of one variable are one field, a choice of their values; the text of
        the label around each button is its option's title."""
        variable = a["cam-variable-name"]
        found = next((f for f in self.fields if f["attrs"]["cam-variable-name"] == variable), None)
        if found is None:
            attrs = {k: v for k, v in a.items() if k not in ("type", "value", "id")}
            found = {"tag": "select", "attrs": attrs, "options": [], "line": self.getpos()[0]}
            self.fields.append(found)
        option: dict[str, Any] = {"value": a.get("value") or None, "text": []}
        found["options"].append(option)
        if self._label is not None:
            self._label["option"] = option

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(self._skip - 1, 0)
        elif tag == "label" and self._label is not None:
            text = " ".join("".join(self._label["text"]).split())
            if self._label["for"]:
                self.labels_for.setdefault(self._label["for"], text)
                self._waiting_for.setdefault(self._label["for"], []).append(text)
            for found in self._label["fields"]:
                found.setdefault("label", text)
            alone = not self._label["for"] and not self._label["fields"]
            self._before = text if alone and text else None
            self._label = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        if self._label is not None and self._select is None:  # an option is not the label
            self._label["text"].append(data)
            if self._label.get("option") is not None:  # the label of a radio button
                self._label["option"]["text"].append(data)
        if self._option is not None:
            self._option["text"].append(data)


def _variable_input(a: dict[str, str]) -> bool:
    """An input bound to a variable: `cam-variable-name` (Camunda 7.2 on), or Camunda 7.0's
    and 7.1's `form-field` with the variable as its `name` and its type as `type`
    (`<input form-field type="number" name="amount">`), read as if written the later way."""
    if a.get("cam-variable-name"):
        return True
    if "form-field" not in a or not a.get("name"):
        return False
    a["cam-variable-name"] = a["name"]
    kind = (a.get("type") or "").strip().lower()
    if kind in ("string", "boolean", "date"):
        a["cam-variable-type"] = kind
    for angular in ("minlength", "maxlength", "pattern"):  # AngularJS's validators
        if a.get(f"ng-{angular}") and not a.get(angular):
            a[angular] = a[f"ng-{angular}"]
    return True


def html_form_schema(name: str, content: bytes, max_bytes: int) -> dict[str, Any]:
    check_size(name, content, max_bytes)
    check_utf8(name, content)
    reader = _HtmlFields()
    reader.feed(content.decode("utf-8"))
    reader.close()
    # No cam-variable-name field: a form that only shows something (or a page that is no form
    # at all, deployed from the same folder), with nothing to fill in.
    if len(reader.fields) > MAX_FIELDS:
        raise InvalidDefinition(
            f"a form has at most {MAX_FIELDS} fields",
            file=name,
            reason="form_too_many_fields",
            limit=MAX_FIELDS,
        )
    properties: dict[str, Any] = {}
    required: list[str] = []
    for found in reader.fields:
        attrs = found["attrs"]
        variable = str(attrs["cam-variable-name"]).strip()
        if not variable.isidentifier() or variable.startswith("_"):
            raise InvalidDefinition(
                f"the field name '{variable}' is not a valid variable name",
                file=name,
                line=found["line"],
                reason="form_field_name",
                field=variable,
            )
        if (attrs.get("cam-variable-type") or "").strip().lower() == _FILE_TYPE:
            continue
        label = (
            found.get("label")
            or found.get("label_for")
            or reader.labels_for.get(attrs.get("id") or "")
            or found.get("label_before")
            or variable
        )
        properties[variable] = _html_property(name, found, label)
        if "required" in attrs and properties[variable].get("type") != "boolean":
            required.append(variable)
    return _schema(properties, required)


# An input of an embedded form with no `cam-variable-type`: "if you bind the input field to an
# existing variable, the type of the variable is provided by the process engine" (Camunda).
TYPED_BY_DATA = "x-typed-by-data"
_TYPES_OF_DATA = {bool: "boolean", int: "integer", float: "number"}


def typed_by_data(schema: Any, data: Mapping[str, Any]) -> Any:
    """``schema`` with each input typed by its variable (`TYPED_BY_DATA`) given the type of
    the value the item holds there (a number stays a number, a yes/no a yes/no); the same
    object when no input is so marked or none of their variables holds such a value."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not properties:
        return schema
    typed = {
        name: {**spec, "type": kind}
        for name, spec in properties.items()
        if isinstance(spec, dict)
        and spec.get(TYPED_BY_DATA)
        and (kind := _TYPES_OF_DATA.get(type(data.get(name))))
    }
    return {**schema, "properties": {**properties, **typed}} if typed else schema


def schema_for_item(schema: Any, data: Mapping[str, Any], *, task_data: bool) -> Any:
    """A step's form as one item sees it, the same when it is shown and when a submission is
    checked: SpiffArena's choices read from the item's data (`task_data`: the version marked
    the form so), and an embedded form's inputs typed by the item's variables."""
    if task_data:
        schema = with_task_data_options(schema, data)
    return typed_by_data(schema, data)


def _html_property(name: str, found: dict[str, Any], label: str) -> dict[str, Any]:
    attrs = found["attrs"]
    declared = (attrs.get("cam-variable-type") or "").strip().lower()
    input_type = (attrs.get("type") or "text").lower()
    if declared and declared not in _HTML_TYPES:
        raise InvalidDefinition(
            f"cam-variable-type '{attrs.get('cam-variable-type')}' is not supported "
            f"(use one of: {', '.join(sorted(_HTML_TYPES))})",
            file=name,
            line=found["line"],
            reason="form_field_type",
            field=attrs.get("cam-variable-name"),
            type=attrs.get("cam-variable-type"),
            supported=", ".join(sorted(_HTML_TYPES)),
        )
    kind = _HTML_TYPES.get(declared) or (
        "boolean"
        if input_type == "checkbox"
        else "number"
        if input_type == "number"
        else "date"
        if input_type == "date"
        else "string"
    )
    spec: dict[str, Any] = {"title": label}
    if kind == "date":
        spec.update(type="string", format="date")
    else:
        spec["type"] = kind
    if not declared and kind == "string" and found["tag"] == "input":
        spec[TYPED_BY_DATA] = True  # typed by the variable it is bound to, if the item has it
    if found["tag"] == "textarea":
        spec["format_hint"] = "textarea"
    options = [
        (o["value"] if o["value"] is not None else "".join(o["text"]).strip(), o["text"])
        for o in found["options"]
    ]
    options = [(v, " ".join("".join(t).split()) or v) for v, t in options if v]
    if options:
        spec["oneOf"] = [
            {"const": _option_value(name, found, kind, v), "title": t} for v, t in options
        ]
    if "readonly" in attrs or "disabled" in attrs:
        spec["readOnly"] = True
    limits = (("min", "minimum"), ("max", "maximum"))
    for attr, keyword in limits:
        value = _number(attrs.get(attr)) if attrs.get(attr) else None
        if value is not None and kind in ("integer", "number"):
            spec[keyword] = value
    for attr, keyword in (("minlength", "minLength"), ("maxlength", "maxLength")):
        value = _whole(attrs.get(attr)) if attrs.get(attr) else None
        if value is not None and kind == "string":
            spec[keyword] = value
    if attrs.get("pattern") and kind == "string" and "format" not in spec:
        spec["pattern"] = f"^(?:{attrs['pattern']})$"
    return spec


def _option_value(name: str, found: dict[str, Any], kind: str, value: str) -> Any:
    """An option's value as its variable's type holds it: a Boolean select's "true" is true,
    a Long select's "3" is 3 (as Camunda's forms SDK converts it); one that is not of that type
    is refused, naming it, since no answer could ever be sent."""
    text = value.strip()
    converted: Any = text
    if kind == "boolean":
        converted = {"true": True, "false": False}.get(text.lower())
    elif kind in ("integer", "number"):
        number = _number(text)
        converted = number
        if kind == "integer":
            whole = number is not None and float(number).is_integer()
            converted = int(number) if whole and number is not None else None
    if converted is None:
        raise InvalidDefinition(
            f"the option '{value}' of '{found['attrs'].get('cam-variable-name')}' is not of "
            f"its type, {found['attrs'].get('cam-variable-type')}",
            file=name,
            line=found["line"],
            reason="form_option_type",
            field=found["attrs"].get("cam-variable-name"),
            value=value,
        )
    return converted


# --- Camunda Forms (.form) -------------------------------------------------------------------

_CHOICE_TYPES = ("radio", "select")
_COMPONENT_TYPES = "textfield, textarea, number, checkbox, checklist, radio, select, datetime, text"


def camunda_form_schema(name: str, content: bytes, max_bytes: int) -> tuple[str, dict[str, Any]]:
    form = parse_json_form(name, content, max_bytes)
    if not isinstance(form, dict) or form.get("type") != "default":
        raise InvalidDefinition(
            'not a Camunda Form: the top component must have "type": "default"',
            file=name,
            reason="camunda_form_invalid",
        )
    # Camunda Modeler 4 saved forms without a schemaVersion (or with an early one); Camunda 7's
    # Tasklist renders them, and their components read as later ones do.
    version = form.get("schemaVersion", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise InvalidDefinition(
            f"a Camunda Form's schemaVersion is a whole number, not {version!r}",
            file=name,
            reason="camunda_form_version",
            version=repr(version),
        )
    properties: dict[str, Any] = {}
    required: list[str] = []
    components = list(_components(form))
    if len(components) > MAX_FIELDS:
        raise InvalidDefinition(
            f"a form has at most {MAX_FIELDS} fields",
            file=name,
            reason="form_too_many_fields",
            limit=MAX_FIELDS,
        )
    for index, component in enumerate(components):
        kind = component.get("type")
        if kind == "text":
            text = str(component.get("text") or "").strip()
            if text:
                properties[f"text_{index}"] = {
                    "type": "string",
                    "title": "",
                    "readOnly": True,
                    TEXT_EXTENSION: text,
                }
            continue
        if kind in ("button", "spacer", "separator", "image", "group", "default"):
            continue
        key = component.get("key")
        if not isinstance(key, str) or not key.isidentifier() or key.startswith("_"):
            raise InvalidDefinition(
                f"the {kind} component '{component.get('id') or index}' has no valid key "
                f"({key!r}): a key is the variable it sets",
                file=name,
                reason="form_field_name",
                field=str(component.get("id") or index),
            )
        spec = _component_property(name, component)
        properties[key] = spec
        validate = component.get("validate") or {}
        if validate.get("required") is True and spec.get("type") != "boolean":
            required.append(key)
    form_id = form.get("id")
    return (str(form_id) if isinstance(form_id, str) else "", _schema(properties, required))


def _components(container: dict[str, Any]) -> Any:
    for component in container.get("components") or []:
        if not isinstance(component, dict):
            continue
        yield component
        if component.get("components"):  # a group or a dynamic list holds its own
            yield from _components(component)


def _component_property(name: str, component: dict[str, Any]) -> dict[str, Any]:
    kind = component.get("type")
    validate = component.get("validate") or {}
    spec: dict[str, Any] = {"title": str(component.get("label") or component["key"])}
    options = [
        {"const": str(v.get("value")), "title": str(v.get("label") or v.get("value"))}
        for v in component.get("values") or []
        if isinstance(v, dict) and v.get("value") is not None
    ]
    if kind in ("textfield", "textarea"):
        spec["type"] = "string"
        if kind == "textarea":
            spec["format_hint"] = "textarea"
        for source, keyword in (("minLength", "minLength"), ("maxLength", "maxLength")):
            if _whole(validate.get(source)) is not None:
                spec[keyword] = _whole(validate.get(source))
        if isinstance(validate.get("pattern"), str) and validate["pattern"]:
            spec["pattern"] = f"^(?:{validate['pattern']})$"
    elif kind == "number":
        # form-js takes any decimals unless decimalDigits limits them (0: whole numbers only).
        spec["type"] = "integer" if component.get("decimalDigits") == 0 else "number"
        for source, keyword in (("min", "minimum"), ("max", "maximum")):
            if _number(validate.get(source)) is not None:
                spec[keyword] = _number(validate.get(source))
    elif kind == "checkbox":
        spec["type"] = "boolean"
    elif kind == "checklist":
        if not options:
            raise _no_values(name, component)
        spec.update(type="array", items={"oneOf": options}, uniqueItems=True)
    elif kind in _CHOICE_TYPES:
        if not options:
            raise _no_values(name, component)
        spec.update(type="string", oneOf=options)
    elif kind == "datetime":
        subtype = component.get("subtype") or "date"
        formats = {"date": "date", "time": "time", "datetime": "date-time"}
        spec.update(type="string", format=formats.get(str(subtype), "date"))
    else:
        raise InvalidDefinition(
            f"the form component type '{kind}' ('{component['key']}') is not supported "
            f"({_COMPONENT_TYPES})",
            file=name,
            reason="form_field_type",
            field=component["key"],
            type=str(kind),
            supported=_COMPONENT_TYPES,
        )
    if "defaultValue" in component and component["defaultValue"] not in (None, ""):
        spec["default"] = component["defaultValue"]
    if component.get("readonly") is True or component.get("disabled") is True:
        spec["readOnly"] = True
    return spec


def _no_values(name: str, component: dict[str, Any]) -> InvalidDefinition:
    return InvalidDefinition(
        f"the {component.get('type')} '{component.get('key')}' lists no static values "
        "(options from a variable, valuesKey, are not supported)",
        file=name,
        reason="form_options_missing",
        field=str(component.get("key")),
    )
