"""A task's form for the browser: a FormView (JSON Schema, Camunda fields or none) turned into
fields a template can render, the browser's answer turned back into typed data for the engine,
and the engine's field errors said in Vietnamese."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from werkzeug.datastructures import MultiDict

import engine
from workflows.decisions import is_return

from .extensions import gettext as _

# Schema fields that carry the person's comment: the engine records them as the comment too.
COMMENT_FIELDS = ("y_kien", "y_kien_chi_dao")
TEXTAREA_OVER = 500
# A field shown only for some values of another: {"other field": [values]} (see _shown_when).
SHOWN_WHEN = "x-shown-when"
# A field that is the step's comment itself: no other comment box is asked beside it.
COMMENT_MARK = "x-comment"
RAW = str | list[str] | bool


def decision_word(value: str) -> str:
    """The usual wording of the department's decisions, for history entries of other steps."""
    words = {
        "dong_y": _("Duyệt"),
        "tra_lai": _("Trả lại"),
        "phe_duyet": _("Phê duyệt"),
        "khong_phe_duyet": _("Không phê duyệt"),
        "ky": _("Ký duyệt"),
        "chap_nhan": _("Chấp nhận kết quả"),
        "yeu_cau_bo_sung": _("Yêu cầu bổ sung"),
        "de_nghi": _("Đề nghị thực hiện"),
        "khong_de_nghi": _("Không đề nghị thực hiện"),
        "thong_nhat": _("Thống nhất"),
        "co_y_kien": _("Có ý kiến khác"),
        "du_dieu_kien": _("Đủ điều kiện trình"),
        "chua_du_dieu_kien": _("Chưa đủ điều kiện"),
        "true": _("Có"),
        "false": _("Không"),
    }
    return words.get(value, value)


def is_negative(decision: Any) -> bool:
    """A return or a refusal ("Không đề nghị"): shown as a red button."""
    value = str(decision or "").strip().lower()
    return is_return(value) or value.startswith(("khong_", "tu_choi", "reject"))


@dataclass
class Choice:
    value: str
    title: str
    checked: bool = False
    style: str = ""  # for decision buttons: "primary", "danger" or ""


@dataclass
class Field:
    name: str
    label: str
    widget: str  # text, textarea, number, date, checkbox, radio, checkboxes, readonly
    required: bool = False
    value: Any = None
    choices: list[Choice] = field(default_factory=list)
    error: str | None = None
    hint: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    max_length: int | None = None
    # Set where one page shows several forms (Tạo mới), so no two fields share an id.
    scope: str = ""
    # "x-shown-when": shown only while this other field of the form holds one of these values.
    shown_when: tuple[str, tuple[str, ...]] | None = None

    @property
    def id(self) -> str:
        return f"f-{self.scope}{self.name}"


@dataclass
class FormSpec:
    kind: str
    fields: list[Field]
    decision: Field | None  # rendered as the submit buttons themselves
    comment_field: str | None  # a schema field that doubles as the comment box
    errors: list[str]  # errors that belong to no field
    # Choices asked only for some decisions (see `_asked_only_for`): name -> their conditions.
    asked_only: dict[str, list[tuple[str, list[str]]]] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(f.error for f in self.all_fields)

    @property
    def all_fields(self) -> list[Field]:
        return [*self.fields, *([self.decision] if self.decision else [])]


@dataclass(frozen=True)
class Submission:
    data: dict[str, Any]
    comment: str | None
    raw: dict[str, RAW]  # what the person typed, to show it again
    decision: str | None
    # The chosen decision's title on the form ("Yêu cầu bổ sung"), else the value sent.
    decision_title: str | None = None


# --- reading a FormView ----------------------------------------------------------------------


def _choices(spec: Mapping[str, Any]) -> list[tuple[str, str]] | None:
    return list(engine.schema_choices(spec).items()) or None


def _widget(spec: Mapping[str, Any], has_choices: bool) -> str:
    kind = spec.get("type")
    if kind == "array":
        return "checkboxes"
    if has_choices:
        return "radio"
    if kind in ("integer", "number"):
        return "number"
    if kind == "boolean":
        return "checkbox"
    if spec.get("format") == "date":
        return "date"
    if spec.get("format_hint") == "textarea" or int(spec.get("maxLength") or 0) > TEXTAREA_OVER:
        return "textarea"
    return "text"


def _conditions(schema: Mapping[str, Any]) -> dict[str, list[tuple[str, list[str]]]]:
    """field -> [(deciding field, values)]: fields that the schema requires only for some
    choices (a return needs a reason)."""
    found: dict[str, list[tuple[str, list[str]]]] = {}
    for rule in schema.get("allOf") or []:
        if not isinstance(rule, dict):
            continue
        condition = (rule.get("if") or {}).get("properties") or {}
        needed = (rule.get("then") or {}).get("required") or []
        for trigger, test in condition.items():
            values = test.get("enum") or ([test["const"]] if "const" in test else [])
            for name in needed:
                found.setdefault(name, []).append((trigger, [str(v) for v in values]))
    return found


def comment_field(view: engine.FormView) -> str | None:
    """The field that doubles as the step's comment: one marked "x-comment" (a step whose own
    text is its comment, as an urging's), else the usual comment field."""
    if view.kind != "jsonschema" or not view.schema:
        return None
    properties = view.schema.get("properties") or {}
    marked = (n for n, s in properties.items() if isinstance(s, dict) and s.get(COMMENT_MARK))
    return next(marked, None) or next((n for n in COMMENT_FIELDS if n in properties), None)


def decision_field(view: engine.FormView) -> str | None:
    """The field shown as the submit buttons: the task's decision field, when it is a choice."""
    name = view.decision_field
    if view.kind == "jsonschema" and view.schema:
        spec = (view.schema.get("properties") or {}).get(name)
        return (
            name
            if isinstance(spec, dict) and spec.get("type") != "array" and _choices(spec)
            else None
        )
    if view.kind == "camunda":
        return (
            name if any(f["id"] == name and f.get("type") == "enum" for f in view.fields) else None
        )
    return None


def _asked_only_for(view: engine.FormView) -> dict[str, list[tuple[str, list[str]]]]:
    """Choices the form asks only for some decisions (the step a return goes back to)."""
    if view.kind != "jsonschema" or not view.schema:
        return {}
    properties = view.schema.get("properties") or {}
    return {
        name: rule
        for name, rule in _conditions(view.schema).items()
        if isinstance(properties.get(name), dict) and _choices(properties[name])
    }


def _initial(
    view: engine.FormView,
    name: str,
    default: Any,
    asked_only: Collection[str] = (),
    *,
    read_only: bool = False,
) -> Any:
    """On a first visit, what the item already holds (a returned draft comes back filled in),
    except the decision, the comment and choices asked only for some decisions (`asked_only`,
    see `_asked_only_for`), which are this person's own (a target step left from an earlier
    return must not stand in for the default). A read-only field always shows what the item
    holds, whatever its name: a comment field's name (y_kien_chi_dao, the UBND's direction on
    a returned list) is a person's own only where they type it."""
    if read_only:
        return view.data.get(name, default)
    source = _default_source(view, name)
    if source is not None and view.data.get(source) not in (None, ""):
        return view.data[source]  # what this step decides on (the date the unit asked for)
    if name in (view.decision_field, comment_field(view), *COMMENT_FIELDS, *asked_only):
        return default
    return view.data.get(name, default)


def _default_source(view: engine.FormView, name: str) -> str | None:
    """The variable a JSON Schema field marked "x-default-from" starts from on a first visit,
    whatever the field held from an earlier round."""
    spec = ((view.schema or {}).get("properties") or {}).get(name)
    source = spec.get("x-default-from") if isinstance(spec, dict) else None
    return source if isinstance(source, str) else None


def _raw(value: Any) -> RAW:
    if isinstance(value, bool):
        return value
    if isinstance(value, list):
        return [str(v) for v in value]
    return "" if value is None else str(value)


def build_form(
    view: engine.FormView,
    values: Mapping[str, RAW] | None = None,
    errors: Mapping[str, str] | None = None,
    scope: str = "",
) -> FormSpec:
    """Template-ready fields; `values` are what the person sent (kept after an error), else
    the item's data fills the form. `scope` starts every field's id (f-SCOPEname)."""
    errors = dict(errors or {})
    if view.kind == "jsonschema" and view.schema:
        spec = _schema_form(view, values, errors)
    elif view.kind == "camunda":
        spec = _camunda_form(view, values, errors)
    else:
        spec = FormSpec("none", [], None, None, [])
    known = {f.name for f in spec.all_fields}
    spec.errors.extend(msg for name, msg in errors.items() if name not in known)
    for item in spec.fields:
        if item.widget == "date" and isinstance(item.value, str):
            item.value = _shown_date(item.value)
    for item in spec.all_fields:
        item.scope = scope
    return spec


def _shown_date(text: str) -> str:
    """A stored date (ISO) as people here write it, dd/mm/yyyy; what someone typed stays."""
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").strftime("%d/%m/%Y")
    except ValueError:
        return text


def _schema_form(
    view: engine.FormView, values: Mapping[str, RAW] | None, errors: dict[str, str]
) -> FormSpec:
    schema = view.schema or {}
    required = set(schema.get("required") or [])
    conditions = _conditions(schema)
    decision_name = decision_field(view)
    properties: dict[str, Any] = schema.get("properties") or {}
    asked_only = _asked_only_for(view)
    fields: list[Field] = []
    decision: Field | None = None
    for name, spec in properties.items():
        if not isinstance(spec, dict):
            continue
        choices = _choices(spec)
        widget = "readonly" if spec.get("readOnly") is True else _widget(spec, bool(choices))
        if isinstance(spec.get("x-text"), str):  # a Camunda Form's text: shown as it is
            fields.append(Field(name, str(spec.get("title") or ""), widget, value=spec["x-text"]))
            continue
        if widget == "readonly" and "x-register" in spec:
            # A register's number is given when this step is done, whatever the item holds.
            pending = _("(cấp tự động khi hoàn thành bước này)")
            fields.append(Field(name, str(spec.get("title") or name), widget, value=pending))
            continue
        if widget == "readonly" and view.data.get(name) in (None, ""):
            continue  # computed by the process later: nothing to show yet
        shown_when = _shown_when(spec, properties, view.data, decision_name)
        if shown_when is False:
            continue  # for other items than this one (a periodic task's, on a one-off task)
        default = spec.get("default")
        read_only = widget == "readonly"
        if values is not None and not read_only:
            value = _raw(values.get(name, False if widget == "checkbox" else ""))
        else:
            value = _raw(_initial(view, name, default, asked_only, read_only=read_only))
        if read_only and spec.get("format") == "date" and isinstance(value, str):
            value = _shown_date(value)  # shown as people write it, as an input would be
        item_spec = spec.get("items") if isinstance(spec.get("items"), dict) else {}
        options = (_choices(item_spec) if widget == "checkboxes" else choices) or []
        chosen = set(value) if isinstance(value, list) else {value}
        item = Field(
            name=name,
            label=str(spec.get("title") or name),
            widget=widget,
            required=name in required and widget != "checkbox",
            value=value,
            choices=[Choice(v, t, v in chosen) for v, t in options],
            error=errors.get(name),
            hint=_condition_hint(conditions.get(name), properties),
            minimum=_int_or_none(spec.get("minimum")),
            maximum=_int_or_none(spec.get("maximum")),
            max_length=_int_or_none(spec.get("maxLength")),
            shown_when=shown_when if isinstance(shown_when, tuple) else None,
        )
        if name == decision_name:
            item.choices = _decision_choices(item.choices)
            decision = item
        else:
            fields.append(item)
    return FormSpec("jsonschema", fields, decision, comment_field(view), [], asked_only)


def _shown_when(
    spec: Mapping[str, Any],
    properties: Mapping[str, Any],
    data: Mapping[str, Any],
    buttons: str | None,
) -> tuple[str, tuple[str, ...]] | bool:
    """A field marked "x-shown-when": {"other": [values]}: (other, values) when `other` is a
    field the person fills in on this form (the page shows the field only while it holds one
    of them); else (a field of the item, or one shown read-only) the item's data decides now,
    True to show it, False to leave it out. True when unmarked, or marked by the decision shown
    as the buttons (its value is known only once one is pressed)."""
    rule = spec.get(SHOWN_WHEN)
    if not isinstance(rule, dict) or len(rule) != 1:
        return True
    ((other, wanted),) = rule.items()
    if other == buttons:
        return True
    values = tuple(str(v) for v in (wanted if isinstance(wanted, list) else [wanted]))
    deciding = properties.get(other)
    if isinstance(deciding, dict) and deciding.get("readOnly") is not True:
        return (str(other), values)
    return str(data.get(other)) in values


def _condition_hint(
    conditions: list[tuple[str, list[str]]] | None, properties: Mapping[str, Any]
) -> str | None:
    """When a field is required, said from its conditions ("Bắt buộc khi chọn: Trả lại"): one
    box serves every decision (the decision is the button pressed, known only once the form is
    sent), so its label stays the step's, and what a missing text lacks is said by the form's
    own message for it ("Trả lại phải nêu lý do", "Yêu cầu bổ sung phải nêu nội dung cần bổ
    sung")."""
    if not conditions:
        return None
    hints, titles = [], []
    for trigger, wanted in conditions:
        spec = properties.get(trigger) or {}
        if spec.get("type") == "boolean":  # a tick box: named by its label, never "True"
            label = str(spec.get("title") or trigger)
            if any(str(v).lower() == "true" for v in wanted):
                hints.append(_("Bắt buộc khi đánh dấu «%(field)s»", field=label))
            else:
                hints.append(_("Bắt buộc khi không đánh dấu «%(field)s»", field=label))
            continue
        options = dict(_choices(spec) or [])
        titles.extend(options.get(v, v) for v in wanted)
    if titles:
        hints.append(_("Bắt buộc khi chọn: %(choices)s", choices=", ".join(titles)))
    return "; ".join(hints)


def _decision_choices(choices: list[Choice]) -> list[Choice]:
    """The positive choice first and primary, returns last and in red."""
    forward = [c for c in choices if not is_negative(c.value)]
    back = [c for c in choices if is_negative(c.value)]
    for index, choice in enumerate(forward):
        choice.style = "primary" if index == 0 else ""
    for choice in back:
        choice.style = "danger"
    return forward + back


def _int_or_none(value: Any) -> int | None:
    try:
        return None if value is None or isinstance(value, bool) else int(value)
    except (TypeError, ValueError):
        return None


CAMUNDA_WIDGETS = {"long": "number", "boolean": "checkbox", "date": "date", "enum": "radio"}


def _camunda_form(
    view: engine.FormView, values: Mapping[str, RAW] | None, errors: dict[str, str]
) -> FormSpec:
    decision_name = decision_field(view)
    fields: list[Field] = []
    decision: Field | None = None
    for spec in view.fields:
        name = str(spec["id"])
        constraints = spec.get("constraints") or {}
        widget = CAMUNDA_WIDGETS.get(str(spec.get("type")), "text")
        max_length = _int_or_none(constraints.get("maxlength"))
        if widget == "text" and max_length and max_length > TEXTAREA_OVER:
            widget = "textarea"
        if spec.get("readonly"):
            widget = "readonly"
        default: Any = spec.get("default")
        if spec.get("default_from"):  # `${name}`: the item's value of that variable
            default = view.data.get(str(spec["default_from"]))
        elif isinstance(default, str) and default.lstrip().startswith(("${", "#{")):
            default = None  # an expression is not shown as text
        if widget == "checkbox":
            default = str(default).lower() == "true"
        read_only = widget == "readonly"
        value = _raw(
            values.get(name, False if widget == "checkbox" else "")
            if values is not None and not read_only
            else _initial(view, name, default, read_only=read_only)
        )
        item = Field(
            name=name,
            label=str(spec.get("label") or name),
            widget=widget,
            required=bool(spec.get("required")) and widget != "checkbox",
            value=value,
            choices=[
                Choice(str(o["id"]), str(o.get("name") or o["id"]), str(o["id"]) == value)
                for o in spec.get("options") or []
            ],
            error=errors.get(name),
            minimum=_int_or_none(constraints.get("min")),
            maximum=_int_or_none(constraints.get("max")),
            max_length=max_length,
        )
        if name == decision_name:
            item.choices = _decision_choices(item.choices)
            decision = item
        else:
            fields.append(item)
    return FormSpec("camunda", fields, decision, None, [])


# --- reading the browser's answer ------------------------------------------------------------

# A whole number as typed, read by engine.whole_number (which never gives int() thousands of
# digits): the engine refuses one past about 300 digits as too large, and says so.
_INTEGER = re.compile(r"-?[0-9]+")


def read_submission(view: engine.FormView, form: MultiDict[str, str]) -> Submission:
    """Typed data for engine.complete_task, the comment, and the raw input to show again.
    Empty optional inputs are left out, so they neither overwrite the item nor fail a check."""
    spec = build_form(view, values={})
    properties = (view.schema or {}).get("properties") or {}
    data: dict[str, Any] = {}
    raw: dict[str, RAW] = {}
    decision = form.get(spec.decision.name) if spec.decision else None
    decision_title = None
    if spec.decision and decision:
        titles = (c.title for c in spec.decision.choices if c.value == decision)
        decision_title = next(titles, decision)
    for item in spec.all_fields:
        if item.widget == "readonly":
            continue
        if item.widget == "checkboxes":
            # None ticked is a choice too (a browser sends nothing for it): what the page had
            # ticked (the item's value, a step's defaults) must not stand in for it.
            picked = [v for v in form.getlist(item.name) if v]
            raw[item.name] = picked
            data[item.name] = picked
            continue
        if item.widget == "checkbox":
            checked = form.get(item.name) in ("on", "true", "1", "yes")
            raw[item.name] = checked
            data[item.name] = checked if spec.kind == "jsonschema" else str(checked).lower()
            continue
        text = (form.get(item.name) or "").strip()
        raw[item.name] = text
        if not text:
            continue
        if item.choices and spec.kind == "jsonschema":  # a yes/no or number choice: its type
            data[item.name] = engine.chosen_value(properties.get(item.name) or {}, text)
            continue
        data[item.name] = _typed(spec.kind, item.widget, text)
    # A choice asked only for some decisions (the step to return to) means nothing with the
    # others: an approval must not carry the preselected return step into the item.
    for name, rules in spec.asked_only.items():
        if name in data and not any(str(data.get(t)) in values for t, values in rules):
            del data[name]
    # So does a field for some cases only ("x-shown-when") in the others, whether or not a
    # script hid it on the page.
    for item in spec.fields:
        if (
            item.shown_when
            and item.name in data
            and str(data.get(item.shown_when[0])) not in (item.shown_when[1])
        ):
            del data[item.name]
    comment: str | None
    if spec.comment_field:
        private = (properties.get(spec.comment_field) or {}).get("x-private") is True
        # A private note stays in the data, where only its author reads it; the history's
        # comment is read by everyone.
        comment = None if private else str(data.get(spec.comment_field) or "") or None
    else:
        comment = (form.get("_comment") or "").strip() or None
        raw["_comment"] = comment or ""
    return Submission(data, comment, raw, decision, decision_title)


_GROUPED = re.compile(r"[-+]?\d{1,3}(?:\.\d{3})+|[-+]?\d+")


def _typed(kind: str, widget: str, text: str) -> Any:
    if kind != "jsonschema":
        return text  # the engine reads Camunda values from text itself
    if widget == "number":
        # 1.500.000 is how people write big numbers here: a dot groups three digits, never
        # fewer ("2.5" is no whole number, not 25).
        grouped = _GROUPED.fullmatch(text.replace(" ", ""))
        compact = grouped[0].replace(".", "") if grouped else text
        return engine.whole_number(compact) if _INTEGER.fullmatch(compact) else text
    if widget == "date":
        return _iso_date(text)
    return text


def _iso_date(text: str) -> str:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return text  # the schema's format check names the problem


# --- errors in Vietnamese --------------------------------------------------------------------


def errors_in_vietnamese(
    view: engine.FormView, problems: Mapping[str, str], codes: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """The form's own messages (its errorMessages) stay; the engine's others are said in
    Vietnamese by their code (InvalidData.field_codes), never by reading the English."""
    spec = build_form(view, values={})
    by_name = {f.name: f for f in spec.all_fields}
    properties = (view.schema or {}).get("properties") or {}
    result = {}
    for name, message in problems.items():
        own = (properties.get(name) or {}).get("errorMessages") or {}
        if isinstance(own, dict) and message in own.values():
            result[name] = message
        elif name in by_name:
            result[name] = _generic(by_name[name], codes.get(name) or {})
        else:
            result[name] = _("Biểu mẫu có dữ liệu không hợp lệ; hãy kiểm tra lại.")
    return result


def _generic(item: Field, problem: Mapping[str, Any]) -> str:
    code, limit = problem.get("code"), problem.get("limit")
    if item.widget == "number" and code == "type":
        return _number(item)
    said = {
        "required": lambda: _("Mục này bắt buộc nhập."),
        "min": lambda: _("Giá trị nhỏ nhất là %(n)s.", n=limit),
        "max": lambda: _("Giá trị lớn nhất là %(n)s.", n=limit),
        "date_window": lambda: _(
            "Hãy nhập một ngày từ năm %(n)s đến năm %(m)s.",
            n=problem.get("first"),
            m=problem.get("last"),
        ),
        "enum": lambda: _("Hãy chọn một giá trị trong danh sách."),
        "not_an_option": lambda: _(
            "Đơn vị này không có trong danh sách đơn vị hiện nay; hãy chọn một đơn vị "
            "trong danh sách."
        ),
        "min_length": lambda: _("Cần ít nhất %(n)s ký tự.", n=limit),
        "max_length": lambda: _("Tối đa %(n)s ký tự.", n=limit),
        "not_before": lambda: _(
            "Ngày này đã qua; hãy nhập từ hôm nay (%(date)s) trở đi.",
            date=_shown_date(str(problem.get("date") or "")),
        ),
        "before_start": lambda: _(
            "Ngày này trước ngày lập hồ sơ (%(date)s); hãy nhập từ ngày đó trở đi.",
            date=_shown_date(str(problem.get("date") or "")),
        ),
        "not_later": lambda: _(
            "Ngày này chưa đến; hãy nhập một ngày đến hôm nay (%(date)s).",
            date=_shown_date(str(problem.get("date") or "")),
        ),
        "not_before_date": lambda: _(
            "Ngày này trước ngày %(date)s; hãy nhập từ ngày đó trở đi.",
            date=_shown_date(str(problem.get("date") or "")),
        ),
        "at_most": lambda: _("Giá trị lớn nhất là %(n)s.", n=limit),
        "excludes": lambda: _("Giá trị này trùng với một mục khác của biểu mẫu; hãy bỏ chọn."),
        "not_after": lambda: _(
            "Hãy chọn một ngày sau %(date)s.",
            date=_shown_date(str(problem.get("date") or "")),
        ),
        "unknown": lambda: _("Biểu mẫu không có trường này."),
        "read_only": lambda: _("Trường này do hệ thống ghi, không nhập được."),
        "too_large": lambda: _("Số quá lớn."),
        "too_deep": lambda: _("Giá trị lồng nhau quá nhiều tầng."),
    }
    if code in said:
        return str(said[str(code)]())
    expected = problem.get("expected")
    if code == "type" and expected == "boolean":
        return _("Hãy chọn có hoặc không.")
    if code == "type" and expected == "integer":
        return _("Hãy nhập một số nguyên.")
    if code == "format" and expected == "date":
        return _("Hãy nhập ngày theo dạng dd/mm/yyyy.")
    if item.widget == "number":
        return _number(item)
    if item.widget == "date":
        return _("Ngày không hợp lệ; hãy nhập theo dạng dd/mm/yyyy.")
    if item.widget in ("radio", "checkboxes") or item.choices:
        return _("Hãy chọn một giá trị trong danh sách.")
    return _("Giá trị không hợp lệ.")


def _number(item: Field) -> str:
    """A number field's problem, said with its range."""
    if item.minimum is not None and item.maximum is not None:
        return _("Hãy nhập một số nguyên từ %(a)s đến %(b)s.", a=item.minimum, b=item.maximum)
    if item.minimum is not None:
        return _("Hãy nhập một số nguyên không nhỏ hơn %(a)s.", a=item.minimum)
    return _("Hãy nhập một số nguyên.")
