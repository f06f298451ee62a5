"""Choices a form takes from the database when it is shown or checked, not when it was written.

A JSON Schema field (a string, or an array whose items are strings) marked ``"x-options":
"units"`` offers the units as they are now (groups marked as a unit, by key, titled by name):
a unit added or renamed by an administrator is offered at once, and a value that is not a unit
now is refused like any other value outside a field's choices. The marker is resolved into a
``oneOf`` of ``{"const", "title"}`` on a copy of the form, so rendering, checking and the
dossier all read ordinary choices. An unknown source is refused at deploy.

``"x-options": "outside_actors"`` offers, the same way, the groups marked as outside actors
(bodies outside the organisation, not units) that have at least one active member to receive
their task: a body without a receiver is not offered, since its task would reach nobody.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from .db import read_rows
from .directory_cache import kept
from .errors import InvalidDefinition
from .session_memo import memo
from .users import GroupModel, UserModel, membership

MARKER = "x-options"
UNITS = "units"
OUTSIDE_ACTORS = "outside_actors"
# (value, title) of a source's choices; shared by a process's requests, so never changed.
Pairs = tuple[tuple[str, str], ...]
Options = Mapping[str, Pairs]
SOURCES = frozenset({UNITS, OUTSIDE_ACTORS})


def option_sources(schema: Any, form_file: str | None = None) -> frozenset[str]:
    """The sources a form's fields name; InvalidDefinition for a marker naming none we have."""
    found: set[str] = set()
    for name, spec in _marked(schema):
        source = spec.get(MARKER)
        if source not in SOURCES:
            raise InvalidDefinition(
                f"field '{name}': {MARKER} must be one of: {', '.join(sorted(SOURCES))}",
                file=form_file,
                reason="option_source",
                field=name,
                marker=MARKER,
                allowed=", ".join(sorted(SOURCES)),
            )
        found.add(str(source))
    return frozenset(found)


def current_options(session: Session, sources: frozenset[str]) -> Options:
    """(value, title) of each source, as they are now."""
    options: dict[str, Pairs] = {}
    if UNITS in sources:
        options[UNITS] = units(session)
    if OUTSIDE_ACTORS in sources:
        options[OUTSIDE_ACTORS] = _kept_pairs(session, _OUTSIDE_KEY, _OUTSIDE)
    return options


def units(session: Session) -> Pairs:
    """(key, name) of every unit, by key: a task page needs them for its form, its dossier and
    the holder's colleagues, and every page of a form that offers them."""
    return _kept_pairs(session, _UNITS_KEY, _UNITS)


def _kept_pairs(session: Session, key: str, statement: Select[str, str]) -> Pairs:
    """Read once per transaction (`session_memo`) and, in a request, kept by the process under
    the directory's token (`directory_cache`)."""
    return memo(session, key, lambda: kept(session, key, lambda: _pairs(session, statement)))


def _pairs(session: Session, statement: Select[str, str]) -> Pairs:
    return tuple((str(key), str(name)) for key, name in read_rows(session, statement))


# Built once: every task page and every completion reads them.
_UNITS_KEY, _OUTSIDE_KEY = "form_options.units", "form_options.outside_actors"
_UNITS = (
    select(GroupModel.key, GroupModel.name)
    .where(GroupModel.is_unit.is_(True))
    .order_by(GroupModel.key)
)
_OUTSIDE = (
    select(GroupModel.key, GroupModel.name)
    .where(
        GroupModel.is_outside.is_(True),
        GroupModel.is_unit.is_(False),
        GroupModel.key.in_(
            select(membership.c.group_key)
            .join(UserModel, UserModel.username == membership.c.username)
            .where(UserModel.active.is_(True))
        ),
    )
    .order_by(GroupModel.key)
)


def with_options(schema: dict[str, Any], options: Options) -> dict[str, Any]:
    """A copy of ``schema`` whose marked fields carry their choices as a ``oneOf``."""
    properties = dict(schema.get("properties") or {})
    for name, spec in properties.items():
        if not isinstance(spec, dict):
            continue
        if MARKER in spec:
            properties[name] = _choices(spec, options)
        items = spec.get("items")
        if spec.get("type") == "array" and isinstance(items, dict) and MARKER in items:
            properties[name] = {**spec, "items": _choices(items, options)}
    return {**schema, "properties": properties}


def resolve_form(session: Session, schema: Any, form_file: str | None = None) -> Any:
    """``schema`` with its marked fields' choices read now; the same object when it has none."""
    sources = option_sources(schema, form_file)
    if not sources:
        return schema
    return with_options(schema, current_options(session, sources))


def resolve_one(
    session: Session, forms: Mapping[str, Any], form_file: str | None
) -> Mapping[str, Any]:
    """``forms`` with ``form_file`` (a task's own form) resolved; the others left as they are,
    so a task whose form has no marker costs no query."""
    if form_file is None or form_file not in forms:
        return forms
    resolved = resolve_form(session, forms[form_file], form_file)
    return forms if resolved is forms[form_file] else {**forms, form_file: resolved}


def resolve_forms(session: Session, forms: Mapping[str, Any]) -> Mapping[str, Any]:
    """Every form of a version resolved, each source read once; ``forms`` itself when none is
    marked (the usual case costs no query)."""
    marked = {name: option_sources(schema, name) for name, schema in forms.items()}
    sources = frozenset().union(*marked.values()) if marked else frozenset()
    if not sources:
        return forms
    options = current_options(session, sources)
    return {
        name: with_options(schema, options) if marked[name] else schema
        for name, schema in forms.items()
    }


def _choices(spec: dict[str, Any], options: Options) -> dict[str, Any]:
    listed = options.get(str(spec.get(MARKER)), ())
    resolved = {k: v for k, v in spec.items() if k not in ("oneOf", "enum")}
    if listed:
        resolved["oneOf"] = [{"const": value, "title": title} for value, title in listed]
    else:
        resolved["enum"] = []  # nothing to choose from: every value is refused
    return resolved


def _marked(schema: Any) -> list[tuple[str, dict[str, Any]]]:
    properties = schema.get("properties") if isinstance(schema, dict) else None
    found = []
    for name, spec in (properties or {}).items():
        if not isinstance(spec, dict):
            continue
        if MARKER in spec:
            found.append((str(name), spec))
        items = spec.get("items")
        if spec.get("type") == "array" and isinstance(items, dict) and MARKER in items:
            found.append((str(name), items))
    return found
