"""Starting items the way this department allows. One answer to "what may this person start",
used by the pages, the API and `start_item`: the catalog's processes, each by the people the
catalog names; then every other deployed process that people start by hand (a migrated Camunda 7
or SpiffArena model), by the people its model names as starters (engine.startable_processes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

import engine

from .catalog import CATALOG, entry, may_start


@dataclass(frozen=True)
class Startable:
    """A process offered to people. `built_in`: one of the catalog's; else a deployed model,
    titled by its name in both languages and described by its documentation."""

    process_id: str
    title_vi: str
    title_en: str
    description_vi: str
    description_en: str
    version: int
    built_in: bool
    start_data: dict[str, Any] = field(default_factory=dict)
    # The start form the engine checks a start against (a Camunda model's), else None.
    form: engine.FormView | None = None

    @property
    def start_fields(self) -> frozenset[str]:
        """The names a start's data may hold: the catalog's start data and the start form's."""
        return frozenset(self.start_data) | (
            self.form.writable_fields if self.form else frozenset()
        )


_Offer = tuple[Startable, Callable[[engine.Identity], bool]]


def _catalog_allows(process_id: str) -> Callable[[engine.Identity], bool]:
    return lambda who: may_start(process_id, who.groups, who.unit)


def _offers(session: Session) -> list[_Offer]:
    """Every process offered to someone, with who may start it: the deployed catalog processes
    people start, in the catalog's order, then the other deployed processes by name."""
    deployed = {p.process_id: p for p in engine.list_processes(session)}
    built_in: list[_Offer] = [
        (
            Startable(
                e.process_id,
                e.title_vi,
                e.title_en,
                e.description_vi,
                e.description_en,
                deployed[e.process_id].version,
                True,
                e.start_data,
            ),
            _catalog_allows(e.process_id),
        )
        for e in CATALOG
        if e.process_id in deployed and e.starters is not None
    ]
    added: list[_Offer] = [
        (
            Startable(p.process_id, p.name, p.name, p.description, p.description, p.version, False),
            p.starters.allows,
        )
        for p in engine.startable_processes(session)
        if entry(p.process_id) is None
    ]
    return built_in + added


def startable(session: Session, who: engine.Identity) -> list[Startable]:
    """What this person may start: the catalog's processes first, then the deployed models."""
    return _with_forms(session, [offer for offer, allows in _offers(session) if allows(who)])


# What a person starting a catalog process by hand fills in of its start form, by process id.
_ASKED = {e.process_id: e.start_asks for e in CATALOG if e.start_asks}


def _with_forms(session: Session, offers: list[Startable]) -> list[Startable]:
    forms = engine.start_forms(session, [o.process_id for o in offers], _ASKED)
    return [replace(o, form=forms.get(o.process_id)) for o in offers]


def start_form(session: Session, process_id: str) -> engine.FormView | None:
    """The form a person starts an item of this process with (see `startable`), if any."""
    return engine.start_form(session, process_id, _ASKED.get(process_id, ()))


def _offered(session: Session, who: engine.Identity, process_id: str) -> Startable:
    """The process as offered to this person: 404 when it is offered to no one, 403 when not
    to them."""
    found = next((o for o in _offers(session) if o[0].process_id == process_id), None)
    if found is None:
        raise engine.NotFound(f"'{process_id}' is not a process that can be started here")
    offer, allows = found
    if not allows(who):
        raise engine.Forbidden(
            f"{who.username} may not start '{offer.title_vi}'",
            reason="not_a_starter",
            process_id=process_id,
        )
    return _with_forms(session, [offer])[0]


def start_item(
    session: Session,
    config: engine.EngineConfig,
    process_id: str,
    username: str | engine.Identity,
    *,
    title: str | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """Start a process offered to this person (see `startable`); refuses any other. A person
    starting by hand gives only what the process's start asks (`Startable.start_fields`): a
    program may not set the item's other variables. The start form's values are checked: by
    the engine, or here for the fields a hand start asks for of a form it does not check."""
    if isinstance(username, engine.Identity):
        who = username
    else:
        who = engine.get_identity(session, username)
    offer = _offered(session, who, process_id)
    if isinstance(data, dict):
        unknown = [name for name in data if name not in offer.start_fields]
        if unknown:
            raise engine.InvalidData(
                f"not start fields of '{process_id}': {', '.join(unknown)}",
                {name: "not a start field of this process" for name in unknown},
                {name: {"code": "unknown"} for name in unknown},
            )
    form = offer.form
    asked = _ASKED.get(process_id, ())
    beyond = [name for name in data or () if name not in asked]
    if form is not None and form.caller_checks and beyond:
        # A program's start may give more of the form than a person's is asked (Giao nhiệm
        # vụ's "section", "don_vi_phoi_hop"): each is checked as the form declares it.
        form = engine.start_form(session, process_id, (*asked, *beyond))
    given = {**(data or {}), **_checked_by_us(config, form, data)}
    named, start_data = hand_start(process_id, title, given)
    return engine.start_instance(
        session, config, process_id, who, title=named or offer.title_vi, data=start_data
    )


def hand_start(
    process_id: str, title: str | None, data: dict[str, Any]
) -> tuple[str | None, dict[str, Any]]:
    """The name and the data an item started by hand begins with, for the web, the API and
    the CLI's `start` alike: the catalog's start data under what was given; the title typed,
    else the words of the field that names the process's items, else the catalog's name (None
    outside the catalog: the engine takes the diagram's); a typed title also fills that field
    when it was left empty."""
    found = entry(process_id)
    data = {**(found.start_data if found else {}), **data}
    typed = (title or "").strip()
    named = typed or _named_by(process_id, data) or (found.title_vi if found else None)
    return named, _naming_field_filled(process_id, data, typed)


def _naming_field_filled(process_id: str, data: dict[str, Any], typed: str) -> dict[str, Any]:
    """The title a person typed, also in the form field that names the process's items when
    the start left it empty: the proposal's "Tên nhiệm vụ" shows what its "Tiêu đề" said, to
    keep or correct, instead of asking it again."""
    rule = _RETITLE.get(process_id)
    if not typed or rule is None or data.get(rule.field):
        return data
    return {**data, rule.field: typed}


def _named_by(process_id: str, data: dict[str, Any]) -> str | None:
    """An item's name from its start's own words, where the field that names its process's
    items is one the start asks for (Giao nhiệm vụ: the first line of its content)."""
    rule = _RETITLE.get(process_id)
    value = data.get(rule.field) if rule else None
    if isinstance(value, str) and value.strip():
        return engine.title_from(value.strip().splitlines()[0])  # cut as a rename cuts it
    return None


def _checked_by_us(
    config: engine.EngineConfig, form: engine.FormView | None, data: dict[str, Any] | None
) -> dict[str, Any]:
    """The start form's fields as it accepts them, for a form the engine does not check (the
    fields a hand start asks for); nothing for one it does."""
    if form is None or not form.caller_checks:
        return {}
    given = {name: value for name, value in (data or {}).items() if name in form.writable_fields}
    return form.accepted(given, config.today())


# Which form field names an item, per process, while it still has its default name.
_RETITLE = {
    e.process_id: engine.Retitle(e.title_field, frozenset({e.title_vi}))
    for e in CATALOG
    if e.title_field
}


def complete_item(
    session: Session,
    config: engine.EngineConfig,
    task_id: str,
    username: str | engine.Identity,
    *,
    data: dict[str, Any] | None = None,
    comment: str | None = None,
    expected_version: int | None = None,
    rehearsal: engine.Rehearsal | None = None,
) -> int:
    """Complete a task; an item still called by its process's name takes the name its form
    gave it (the proposal's or the draft's title), so people find it by what it is. The
    rename is part of the same action: the item's version moves once."""
    return engine.complete_task(
        session,
        config,
        task_id,
        username,
        data=data,
        comment=comment,
        expected_version=expected_version,
        retitle=_RETITLE,
        rehearsal=rehearsal,
    )
