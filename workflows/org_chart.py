"""The Sở's org chart (units, their leadership groups, the outside actors) from a data file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

import engine

DEFAULT_PATH = Path(__file__).parent / "data" / "org_chart.json"


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
    )


def load_org_chart(session: Session, chart: OrgChart, password: str | None = None) -> int:
    """Create or update every group and person of the chart; returns how many people."""
    for key, name in chart.groups:
        engine.add_group(session, key, name)
    for person in chart.people:
        # A password is given to new people only: loading the chart again never resets one.
        engine.add_user(
            session,
            person.username,
            display_name=f"{person.name} ({person.title})",
            unit=person.unit,
            groups=person.groups,
            password=None if engine.user_exists(session, person.username) else password,
        )
    return len(chart.people)
