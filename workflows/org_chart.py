"""The Sở's org chart (units, their leadership groups, the outside actors) from a data file.

A group marked ``"outside": true`` is an outside actor: a body outside the Sở (another sở, the
Văn phòng UBND tỉnh) whose members are its receivers; loading the chart marks it so in the
database, where forms offer such bodies ("x-options": "outside_actors") and Quản trị adds more.

Two charts ship: ``data/org_chart.json``, the default, an example of a Sở KH&CN after its 2025
merger with the Sở TT&TT (no Thanh tra Sở), and ``data/org_chart_2020.json``, the structure the
2020 plan names, which the demo office loads. A chart is what a database starts from: at run
time the units are the database's (``units_of``), where Quản trị adds and renames them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

import engine

DEFAULT_PATH = Path(__file__).parent / "data" / "org_chart.json"
CHART_2020_PATH = Path(__file__).parent / "data" / "org_chart_2020.json"


@dataclass(frozen=True)
class Unit:
    key: str
    name: str
    leaders_group: str


@dataclass(frozen=True)
class Person:
    username: str
    name: str
    title: str
    unit: str | None
    groups: tuple[str, ...]


@dataclass(frozen=True)
class OrgChart:
    organisation: str
    units: tuple[Unit, ...]
    groups: tuple[tuple[str, str], ...]
    people: tuple[Person, ...]
    description: str = ""
    outside: frozenset[str] = frozenset()  # the keys of the groups that are outside actors

    def unit(self, key: str) -> Unit | None:
        return next((u for u in self.units if u.key == key), None)

    def unit_by_name(self, name: str) -> Unit | None:
        wanted = name.strip().lower()
        return next((u for u in self.units if u.name.lower() == wanted), None)


def read_org_chart(path: Path = DEFAULT_PATH) -> OrgChart:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return OrgChart(
        organisation=data["organisation"],
        units=tuple(Unit(u["key"], u["name"], u["leaders_group"]) for u in data["units"]),
        groups=tuple((g["key"], g["name"]) for g in data["groups"]),
        people=tuple(
            Person(p["username"], p["name"], p["title"], p.get("unit"), tuple(p["groups"]))
            for p in data["users"]
        ),
        description=data.get("description", ""),
        outside=frozenset(g["key"] for g in data["groups"] if g.get("outside") is True),
    )


LEADERS_SUFFIX = ".lanh_dao"


def leaders_group(unit_key: str) -> str:
    """The group of a unit's leaders, the one the diagrams' `lanh_dao(unit)` names."""
    return f"{unit_key}{LEADERS_SUFFIX}"


def add_unit(session: Session, key: str, name: str) -> None:
    """A unit, with its leaders' group, as the diagrams expect every unit to have."""
    engine.add_group(session, key, name, unit=True)
    engine.add_group(session, leaders_group(key), f"Lãnh đạo {name}")


def units_of(session: Session) -> tuple[Unit, ...]:
    """The units as the database knows them now (the chart's, and any added since)."""
    return tuple(Unit(k, n, leaders_group(k)) for k, n in engine.list_units(session))


def load_org_chart(session: Session, chart: OrgChart, password: str | None = None) -> int:
    """Create or update every group and person of the chart; returns how many people."""
    unit_keys = {u.key for u in chart.units}
    for key, name in chart.groups:
        engine.add_group(
            session, key, name, unit=key in unit_keys or None, outside=key in chart.outside or None
        )
    for person in chart.people:
        # A password is given to new people only: loading the chart again never resets one.
        engine.add_user(
            session,
            person.username,
            display_name=f"{person.name} ({person.title})",
            unit=person.unit or "",  # "": of no unit, as the chart says (an administrator)
            groups=person.groups,
            password=None if engine.user_exists(session, person.username) else password,
        )
    return len(chart.people)
