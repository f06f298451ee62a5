"""Checking submitted form data against the task's form before anything changes: JSON Schema for
the Spiff dialect, Camunda formData field types and constraints for the Camunda dialect."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import jsonschema
from referencing import Registry

from .dot_fields import expand_dots, is_dotted
from .errors import InvalidData
from .model_forms import TEXT_EXTENSION
from .per_schema import per_schema
from .sandbox_guards import MAX_DEPTH, MAX_STORED_INT_BITS
from .task_meta import TaskMeta

MAX_FIELDS = 200
# A Camunda form field's id beyond an identifier: letters, digits, `_`, `.` and `-`, led by a
# letter.
_CAMUNDA_ID = re.compile(r"[^\W\d_][\w.-]{0,99}")
# A whole number as typed: ASCII digits (str.isdigit also takes '²', which int() refuses).
_WHOLE = re.compile(r"-?[0-9]+")
# Digits read of a whole number: past them it is too large to store whatever it is (about 300
# digits fit MAX_STORED_INT_BITS), and int() refuses a text of over 4,300 (its time grows too).
_MOST_DIGITS = 400
# A date a person types into a form: a birth year or a deadline, never year 1 nor 9999 (which
# break the arithmetic of due dates and reminders later on).
FIRST_YEAR = 1900
LAST_YEAR = 2200
DATE_WINDOW = f"a date between the years {FIRST_YEAR} and {LAST_YEAR} is expected"
# A date field marked "x-not-before": "today" (a deadline) takes no day before the office's
# today; "started" (a document's date) none before the day the item was made.
NOT_BEFORE = "x-not-before"
NOT_BEFORE_TODAY = "a date before today is not allowed"
NOT_BEFORE_START = "a date before the item was made is not allowed"
# A date field marked "x-not-later": "today" (the day a document was issued) takes no day after
# the office's today.
NOT_LATER = "x-not-later"
NOT_LATER_TODAY = "a date after today is not allowed"
# A date field marked "x-after": "VARIABLE" (a new deadline) must be later than the date the
# item holds in that variable (its current deadline), when it holds one.
AFTER = "x-after"
NOT_AFTER = "the date must be after {date}"
# A date field marked "x-on-or-after": "VARIABLE" or a list of them (a decision's date of
# signing: not before the tờ trình it answers was issued) takes no day before the latest date
# the item holds in them (none held: no check).
ON_OR_AFTER = "x-on-or-after"
NOT_BEFORE_HELD = "the date must not be before {date}"
# A number field marked "x-at-most": "FIELD" (the members who approved) may not exceed that
# field's number (all members), as sent with it or as the item holds it.
AT_MOST = "x-at-most"
OVER = "may not be greater than {field}"
# A list field marked "x-excludes": "FIELD" (units that cooperate) may not hold the value of
# that field (the lead unit), as sent with it or as the item holds it.
EXCLUDES = "x-excludes"
EXCLUDED = "may not include the value of {field}"


NO_SUCH_FIELD = "the form has no such field"
READ_ONLY = "this field is read-only"
# A choice read from the database ("x-options", see form_options) that is not among it now.
NOT_AN_OPTION = "is not one of the current {source}"


def validate_form(
    meta: TaskMeta,
    forms: Mapping[str, Any],
    data: Any,
    *,
    today: date,
    current: Mapping[str, Any] | None = None,
    started: date | None = None,
) -> dict[str, Any]:
    """The data to store on the task, or InvalidData naming each bad field.

    A task takes only the fields its form declares: a name the form does not have (a forged
    key) is refused, and a task without a form takes none (its person may still comment).
    `meta` is required: an item's start, whose data the caller composes, is validate_start's
    (a None here once meant a start, and let a task take any name). A read-only field keeps
    its value: sent again unchanged (as in `current`, the item's data) it passes, any other
    value is refused (`read_only`). `today` is the office's date (the engine's clock in
    its time zone, `EngineConfig.today()`), for the fields marked "x-not-before": "today": a
    required keyword, so a caller cannot skip that check by forgetting it; `started` the day
    the item was made, for those marked "x-not-before": "started"."""
    data = _object(data)
    schema = forms[meta.form_file] if meta.form_file else None
    if schema is not None:
        return json_schema_data(schema, data, today=today, current=current, started=started)
    _check_names(data, {f["id"] for f in meta.form_fields}, camunda=True)
    if meta.form_fields:
        return _camunda(meta.form_fields, data, current)
    if data:
        problems = {name: NO_SUCH_FIELD for name in data}
        raise InvalidData(
            "this task has no form: " + _summary(problems),
            problems,
            {name: {"code": "unknown"} for name in data},
        )
    return {}


def _object(data: Any) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidData("form data must be a JSON object of field names and values")
    return data


def _composed(data: Any) -> dict[str, Any]:
    """Start data the caller composes (no form checks it): only its names and values are
    checked, as any form's are."""
    data = _object(data)
    _check_names(data, set())
    return dict(data)


def _plain(value: Any, field: str, depth: int = 0) -> None:
    """What a form field may hold and the item store: no NUL character (never text a person
    typed, and PostgreSQL cannot store it), no number of more than about 300 digits (a script
    may not store one either: `unstorable_value`), no lists or dicts nested past the store's
    depth."""
    if isinstance(value, str) and "\x00" in value:
        raise InvalidData(
            "a field holds a NUL character",
            {field: "contains a NUL character"},
            reason="nul_character",
        )
    if isinstance(value, int) and value.bit_length() > MAX_STORED_INT_BITS:
        raise InvalidData(
            f"the number in '{field}' is too large",
            {field: "the number is too large"},
            {field: {"code": "too_large"}},
        )
    if isinstance(value, dict | list | tuple):
        if depth >= MAX_DEPTH:
            raise InvalidData(
                f"the value of '{field}' is nested more than {MAX_DEPTH} levels deep",
                {field: f"nested more than {MAX_DEPTH} levels deep"},
                {field: {"code": "too_deep", "limit": MAX_DEPTH}},
            )
        for item in value.values() if isinstance(value, dict) else value:
            _plain(item, field, depth + 1)


def _declared_name(name: str, camunda: bool) -> bool:
    """A name its form declares beyond an identifier: dotted, or any Camunda field id."""
    return is_dotted(name) or (camunda and _CAMUNDA_ID.fullmatch(name) is not None)


def _check_names(data: dict[str, Any], declared: set[str], camunda: bool = False) -> None:
    """Names are identifiers, or a form's own dotted fields (`invoice.amount`); a Camunda
    form field's id is its variable's whole name, dots and dashes as written
    (`applicant.address`, `document-number`), as Camunda keeps it."""
    if len(data) > MAX_FIELDS:
        raise InvalidData(f"a form has at most {MAX_FIELDS} fields")
    bad = {}
    for name in data:
        if name == "typename":  # SpiffWorkflow's own key: the state could not be read back
            bad[name] = "this field name is reserved"
        elif isinstance(name, str) and name in declared and _declared_name(name, camunda):
            continue
        elif not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            bad[str(name)] = "not a valid field name"
    if bad:
        raise InvalidData("some field names are not allowed", bad)
    for name, value in data.items():
        _plain(value, name)


def json_schema_data(
    schema: dict[str, Any],
    data: dict[str, Any],
    *,
    today: date,
    current: Mapping[str, Any] | None = None,
    started: date | None = None,
) -> dict[str, Any]:
    """The data a JSON Schema form accepts (see validate_form), its `a.b` fields (SpiffArena's)
    expanded, or InvalidData naming each bad field."""
    _check_names(data, set(schema.get("properties") or {}))
    return expand_dots(_json_schema(schema, data, current, today, started))


def _json_schema(
    schema: dict[str, Any],
    data: dict[str, Any],
    current: Mapping[str, Any] | None,
    today: date,
    started: date | None,
) -> dict[str, Any]:
    validator, declared = _checking(schema)
    problems: dict[str, str] = {}
    codes: dict[str, dict[str, Any]] = {}

    def refuse(name: str, words: str, code: dict[str, Any]) -> None:
        if name not in problems:
            problems[name], codes[name] = words, code

    for name in data:
        if declared is not None and name not in declared:
            refuse(name, NO_SUCH_FIELD, {"code": "unknown"})
    # A readOnly field shows what the process wrote (a document's number); nobody types it.
    properties = schema.get("properties") or {}
    for name in data:
        spec = properties.get(name)
        fixed = isinstance(spec, dict) and spec.get("readOnly") is True
        if fixed and not _unchanged(name, data[name], current):
            refuse(name, READ_ONLY, {"code": "read_only"})
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        if error.validator == "required":
            # The missing property is named in the error's message, not its path.
            missing = str(error.message).split("'")[1] if "'" in error.message else "?"
            refuse(missing, _schema_message(schema, missing, "required"), {"code": "required"})
            continue
        if error.validator == "additionalProperties" and not error.path:
            # The form's own "no other fields": name each one, as for an undeclared name.
            known = error.schema.get("properties") or {}
            patterns = error.schema.get("patternProperties") or {}
            for name in data:
                if name not in known and not any(re.search(p, name) for p in patterns):
                    refuse(name, NO_SUCH_FIELD, {"code": "unknown"})
            continue
        field = str(error.path[0]) if error.path else "_form"
        option = _option_source(properties.get(field), error)
        default = NOT_AN_OPTION.format(source=option) if option else _said(error)
        code = {"code": "not_an_option", "source": option} if option else _code_of(error)
        refuse(field, _schema_message(schema, field, error.validator, default), code)
    for name, value in data.items():
        spec = properties.get(name)
        dated = isinstance(spec, dict) and spec.get("format") == "date"
        if dated and isinstance(value, str) and not _in_window(value):
            window = {"code": "date_window", "first": FIRST_YEAR, "last": LAST_YEAR}
            refuse(name, DATE_WINDOW, window)
        for rule, anchor, refused, default in _DAY_RULES:
            day = today if anchor == "today" else started or today  # a start: made today
            if _bound(spec, rule, anchor, value, day):
                words = _schema_message(schema, name, rule, default)
                refuse(name, words, {"code": refused, "date": day.isoformat()})
        limit = None if _unchanged(name, value, current) else _after_limit(spec, value, current)
        if limit is not None:
            words = _schema_message(schema, name, AFTER, NOT_AFTER.format(date=limit))
            refuse(name, words, {"code": "not_after", "date": limit.isoformat()})
        held = _held_limit(spec, value, current)
        if held is not None:
            words = _schema_message(schema, name, ON_OR_AFTER, NOT_BEFORE_HELD.format(date=held))
            refuse(name, words, {"code": "not_before_date", "date": held.isoformat()})
        most = spec.get(AT_MOST) if isinstance(spec, dict) else None
        bound = data.get(most, (current or {}).get(most)) if isinstance(most, str) else None
        if _number(value) and _number(bound) and value > bound:
            words = _schema_message(schema, name, AT_MOST, OVER.format(field=most))
            refuse(name, words, {"code": "at_most", "field": most, "limit": bound})
        other = spec.get(EXCLUDES) if isinstance(spec, dict) else None
        if isinstance(other, str) and isinstance(value, list):
            held = data.get(other, (current or {}).get(other))
            if held is not None and held in value:
                words = _schema_message(schema, name, EXCLUDES, EXCLUDED.format(field=other))
                refuse(name, words, {"code": "excludes", "field": other})
    if problems:
        raise InvalidData("the form has errors: " + _summary(problems), problems, codes)
    return dict(data)


# JSON Schema's keywords, as the codes a caller translates (InvalidData.field_codes).
_CODES = {
    "type": "type",
    "enum": "enum",
    "const": "enum",
    "oneOf": "enum",
    "anyOf": "enum",
    "minimum": "min",
    "exclusiveMinimum": "min",
    "maximum": "max",
    "exclusiveMaximum": "max",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minItems": "min_items",
    "maxItems": "max_items",
    "format": "format",
}
_LIMITS = ("min", "max", "min_length", "max_length", "min_items", "max_items")


SHOWN_VALUE = 60  # characters of a refused value that a schema's message repeats


def _said(error: Any) -> str:
    """The schema library's words for a refusal, the value they repeat cut short: they give it
    whole ("'aaaa…' is too long"), megabytes of someone's text in the answer and the logs."""
    message, shown = str(error.message), repr(error.instance)
    if len(shown) <= SHOWN_VALUE:
        return message
    return message.replace(shown, shown[:SHOWN_VALUE] + "…")


def _code_of(error: Any) -> dict[str, Any]:
    """A schema error's code and its parameter (the limit, the format, the expected type)."""
    code = _CODES.get(str(error.validator), "invalid")
    if code in _LIMITS:
        return {"code": code, "limit": error.validator_value}
    if code in ("format", "type"):
        return {"code": code, "expected": error.validator_value}
    return {"code": code}


def _option_source(spec: Any, error: Any) -> str | None:
    """For a field whose choices come from the database, the source it missed ("units")."""
    if not isinstance(spec, dict) or error.validator not in ("oneOf", "enum"):
        return None
    items = spec.get("items")
    marked = items if spec.get("type") == "array" and isinstance(items, dict) else spec
    source = marked.get("x-options")
    return source if isinstance(source, str) else None


_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SUBSCHEMAS = ("if", "then", "else")


@per_schema
def _checking(schema: dict[str, Any]) -> tuple[Any, frozenset[str] | None]:
    """The form's validator and the names it declares (`_declared`), made once per schema
    (a validator is never changed by a check, so threads share it)."""
    # An empty registry: a form never makes the server fetch anything it references.
    validator = jsonschema.Draft202012Validator(
        schema,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        registry=Registry(),
    )
    declared = _declared(schema)
    return validator, None if declared is None else frozenset(declared)


def _declared(schema: Any) -> set[str] | None:
    """The field names a JSON Schema form declares, wherever it declares them (its properties,
    or those of its allOf/anyOf/oneOf, if/then/else and dependentSchemas parts); None when the
    form itself admits other names (additionalProperties other than false, or
    patternProperties), and then the schema alone judges them."""
    if not isinstance(schema, dict):
        return set()
    if schema.get("patternProperties") or schema.get("additionalProperties", False) is not False:
        return None
    names = set(schema.get("properties") or {})
    parts = [schema.get(key) for key in _SUBSCHEMAS]
    for key in _SUBSCHEMA_LISTS:
        parts.extend(schema.get(key) or [])
    parts.extend((schema.get("dependentSchemas") or {}).values())
    for part in parts:
        found = _declared(part)
        if found is None:
            return None
        names |= found
    return names


def _schema_message(
    schema: dict[str, Any], field: str, validator: str, default: str = "this field is required"
) -> str:
    """The form's own wording for this kind of error (its `errorMessages`), else the default."""
    spec = schema.get("properties", {}).get(field, {})
    messages = spec.get("errorMessages") or {}
    if isinstance(messages, dict) and validator in messages:
        return str(messages[validator])
    return default


def _summary(problems: dict[str, str]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in problems.items())


def _unchanged(name: str, value: Any, current: Mapping[str, Any] | None) -> bool:
    return current is not None and name in current and current[name] == value


def _camunda(
    fields: tuple[dict[str, Any], ...],
    data: dict[str, Any],
    current: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    known = {f["id"]: f for f in fields}
    problems: dict[str, str] = {}
    codes: dict[str, dict[str, Any]] = {}
    clean: dict[str, Any] = {}
    for name in data:
        if name not in known:
            problems[name], codes[name] = NO_SUCH_FIELD, {"code": "unknown"}
    for field_id, spec in known.items():
        value = data.get(field_id)
        if (
            (value is None or value == "")
            and not spec.get("readonly")
            and field_id not in (current or {})
        ):
            # As Camunda's form field handler: a field left empty takes its default value
            # (not one the page never sends, nor over what the item holds).
            value = _literal_default(spec)
        if value is None or value == "":
            if spec.get("required"):
                problems[field_id] = "this field is required"
                codes[field_id] = {"code": "required"}
            continue
        try:
            clean[field_id] = _camunda_value(spec, value)
        except _Refused as exc:
            problems[field_id], codes[field_id] = str(exc), exc.code
            continue
        if spec.get("readonly") and not _kept(spec, field_id, clean[field_id], current):
            problems[field_id], codes[field_id] = READ_ONLY, {"code": "read_only"}
    if problems:
        raise InvalidData("the form has errors: " + _summary(problems), problems, codes)
    return clean


def _kept(spec: dict[str, Any], name: str, value: Any, current: Mapping[str, Any] | None) -> bool:
    """Whether a read-only field keeps the value it holds: the same, or the same once read as
    the field reads it (a default written "01/12/1985" with a datePattern is that day)."""
    if _unchanged(name, value, current):
        return True
    if current is None or name not in current:
        return False
    try:
        return bool(_camunda_value(spec, current[name]) == value)
    except _Refused:
        return False


class _Refused(ValueError):
    """A Camunda field's value refused: the words and the code (InvalidData.field_codes)."""

    def __init__(self, message: str, code: str, **params: Any) -> None:
        super().__init__(message)
        self.code = {"code": code, **params}


def whole_number(text: str) -> int:
    """The number of a text of ASCII digits (an optional minus first), leading zeros dropped;
    past 400 digits only the first 401 are read: a number too large to store, refused as such
    where it is checked, never a text of thousands of digits given to int()."""
    text = text.strip()
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    return int(sign + (digits.lstrip("0") or "0")[: _MOST_DIGITS + 1])


def _camunda_value(spec: dict[str, Any], value: Any) -> Any:
    kind = spec.get("type", "string")
    constraints = spec.get("constraints") or {}
    if kind == "long":
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and _WHOLE.fullmatch(value.strip()))
        ):
            raise _Refused("a whole number is expected", "type", expected="integer")
        number = whole_number(value) if isinstance(value, str) else int(value)
        if number.bit_length() > MAX_STORED_INT_BITS:
            raise _Refused("the number is too large", "too_large")
        if "min" in constraints and number < int(constraints["min"]):
            low = int(constraints["min"])
            raise _Refused(f"must be at least {low}", "min", limit=low)
        if "max" in constraints and number > int(constraints["max"]):
            high = int(constraints["max"])
            raise _Refused(f"must be at most {high}", "max", limit=high)
        return number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _Refused("true or false is expected", "type", expected="boolean")
    if kind == "date":
        return _date(value)
    if kind == "enum":
        options = [o["id"] for o in spec.get("options", [])]
        if value not in options:
            raise _Refused("must be one of: " + ", ".join(options), "enum")
        return value
    if not isinstance(value, str):
        raise _Refused("text is expected", "type", expected="string")
    if "minlength" in constraints and len(value) < int(constraints["minlength"]):
        shortest = int(constraints["minlength"])
        raise _Refused(f"needs at least {shortest} characters", "min_length", limit=shortest)
    if "maxlength" in constraints and len(value) > int(constraints["maxlength"]):
        longest = int(constraints["maxlength"])
        raise _Refused(f"allows at most {longest} characters", "max_length", limit=longest)
    return value


def _date(value: Any) -> str:
    found: date | None = value if isinstance(value, date) else None
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                found = datetime.strptime(value.strip(), fmt).date()
                break
            except ValueError:
                continue
    if found is None:
        raise _Refused("a date is expected (dd/mm/yyyy or yyyy-mm-dd)", "format", expected="date")
    if not FIRST_YEAR <= found.year <= LAST_YEAR:
        raise _Refused(DATE_WINDOW, "date_window", first=FIRST_YEAR, last=LAST_YEAR)
    return found.isoformat()


def _literal_default(spec: Mapping[str, Any]) -> Any:
    """A Camunda field's default value as written, when it is no `${…}` expression."""
    default = spec.get("default")
    if default in (None, "") or str(default).lstrip().startswith(("${", "#{")):
        return None
    return default


def start_defaults(start: TaskMeta, forms: Mapping[str, Any]) -> dict[str, Any]:
    """The values a start form gives when nobody changes them: each field's default (a
    literal; a `${…}` expression is left for the starter to fill in)."""
    found: dict[str, Any] = {}
    if start.form_file:
        properties = (forms.get(start.form_file) or {}).get("properties") or {}
        for name, spec in properties.items():
            if isinstance(spec, dict) and "default" in spec and TEXT_EXTENSION not in spec:
                found[name] = spec["default"]
        return found
    for spec in start.form_fields:
        default = _literal_default(spec)
        if default is not None:
            found[str(spec["id"])] = default
    return found


def validate_start(
    start: TaskMeta | None,
    forms: Mapping[str, Any],
    data: Any,
    *,
    checked: bool,
    today: date,
) -> dict[str, Any]:
    """An item's start data. A Camunda model's start form (`checked`) is a form like a task's:
    its defaults fill what is not given, then the data is checked against it (required fields,
    types, limits, read-only fields keeping their default, `today` for "x-not-before" as
    validate_form). Otherwise the caller composes it."""
    if start is None or not checked:
        return _composed(data)
    defaults = start_defaults(start, forms)
    return validate_form(start, forms, {**defaults, **_object(data)}, current=defaults, today=today)


# Each rule a date field may carry against a day: (keyword, the day it names, the code of a
# refusal, its default words).
_DAY_RULES = (
    (NOT_BEFORE, "today", "not_before", NOT_BEFORE_TODAY),
    (NOT_BEFORE, "started", "before_start", NOT_BEFORE_START),
    (NOT_LATER, "today", "not_later", NOT_LATER_TODAY),
)


def _bound(spec: Any, rule: str, anchor: str, value: Any, day: date) -> bool:
    """Whether a field marked `rule`: `anchor` holds a date on the wrong side of `day` (today,
    or the day the item was made); a text that is no date is the format check's to refuse."""
    if not isinstance(spec, dict) or spec.get(rule) != anchor:
        return False
    given = _day(value)
    if given is None:
        return False
    return given < day if rule == NOT_BEFORE else given > day


def _after_limit(spec: Any, value: Any, current: Mapping[str, Any] | None) -> date | None:
    """For a field marked "x-after": "VARIABLE", the date the item holds there when the
    field's date is not later (None when it is, or either is no date)."""
    if not isinstance(spec, dict) or not isinstance(value, str) or current is None:
        return None
    held = current.get(str(spec.get(AFTER) or ""))
    given, limit = _day(value), _day(held)
    return limit if given is not None and limit is not None and given <= limit else None


def _held_limit(spec: Any, value: Any, current: Mapping[str, Any] | None) -> date | None:
    """For a field marked "x-on-or-after": VARIABLE(S), the latest date the item holds there
    when the field's date is before it (None when it is not, or nothing is held)."""
    anchors = spec.get(ON_OR_AFTER) if isinstance(spec, dict) else None
    names = [anchors] if isinstance(anchors, str) else anchors
    if not isinstance(names, list) or current is None:
        return None
    held = [day for name in names if (day := _day(current.get(str(name)))) is not None]
    given = _day(value)
    return max(held) if held and given is not None and given < max(held) else None


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _day(value: Any) -> date | None:
    """The day of an ISO date, or of an ISO moment as the item stores it (in the office's
    zone); None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _in_window(text: str) -> bool:
    """A JSON Schema date (already checked as a date by the schema) within the years."""
    try:
        year = date.fromisoformat(text.strip()).year
    except ValueError:
        return True  # not a date at all: the schema's own format check says so
    return FIRST_YEAR <= year <= LAST_YEAR


def chosen_value(spec: Mapping[str, Any], text: str) -> Any:
    """The choice of a field that `text` names, as `schema_choices` shows its value, with the
    choice's own type: a page sends "True" for a yes/no choice and "3" for a number's."""
    values = [c["const"] for c in spec.get("oneOf") or () if isinstance(c, dict) and "const" in c]
    for value in values or spec.get("enum") or ():
        if str(value) == text:
            return value
    return text


def schema_choices(spec: Mapping[str, Any]) -> dict[str, str]:
    """value -> title of a JSON Schema field's choices (`oneOf` of consts, or `enum`)."""
    if isinstance(spec.get("oneOf"), list):
        return {
            str(c["const"]): str(c.get("title", c["const"]))
            for c in spec["oneOf"]
            if isinstance(c, dict) and "const" in c
        }
    if isinstance(spec.get("enum"), list):
        return {str(v): str(v) for v in spec["enum"]}
    return {}
