"""A registry of bodies outside the organisation (other agencies, committees, funds, groups of
them), each with the other spellings documents use for it: data the administrators edit and an
importer reads to recognise who a document names. Nothing here routes tasks: an outside body is
not a group and has no inbox."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import JSON, Integer, String, false, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base
from .errors import Conflict, InvalidInput, NotFound
from .names import check_name

MAX_ALIASES = 50


class OutsideBodyModel(Base):
    __tablename__ = "outside_bodies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    # A group of bodies ("the districts' committees"): named together, never one lead alone.
    collective: Mapped[bool] = mapped_column(default=False, server_default=false())


@dataclass(frozen=True)
class OutsideBody:
    name: str
    aliases: tuple[str, ...] = ()
    collective: bool = False


def list_outside_bodies(session: Session) -> list[OutsideBody]:
    """Every body of the registry, in the order they were added."""
    return [
        OutsideBody(row.name, tuple(row.aliases or ()), row.collective)
        for row in session.scalars(select(OutsideBodyModel).order_by(OutsideBodyModel.id))
    ]


def has_outside_bodies(session: Session) -> bool:
    """Whether the registry holds anything yet (an empty one has never been seeded)."""
    return bool(session.scalar(select(func.count()).select_from(OutsideBodyModel)))


def save_outside_body(session: Session, body: OutsideBody, *, replacing: str | None = None) -> None:
    """Add a body, or (``replacing`` its current name) rename it and set its spellings.
    InvalidInput for an empty or unreadable name; Conflict when another body has the name;
    NotFound when ``replacing`` names none."""
    name = _clean(body.name, "name")
    if not name:
        raise InvalidInput("an outside body needs a name", reason="empty_name", field="name")
    aliases = _aliases(body.aliases, name)
    same_name = session.scalar(select(OutsideBodyModel).where(OutsideBodyModel.name == name))
    if replacing is None:
        row = OutsideBodyModel(name=name)
        session.add(row)
    else:
        found = session.scalar(select(OutsideBodyModel).where(OutsideBodyModel.name == replacing))
        if found is None:
            raise NotFound(f"no outside body is called '{replacing}'")
        row = found
    if same_name is not None and same_name is not row:
        raise Conflict(f"an outside body is already called '{name}'", name=name)
    row.name, row.aliases, row.collective = name, list(aliases), body.collective


def seed_outside_bodies(session: Session, bodies: Iterable[OutsideBody]) -> int:
    """Fill an empty registry with ``bodies``; a registry that holds anything is left as it is
    (its administrators' edits win). Returns how many were added."""
    if has_outside_bodies(session):
        return 0
    added = 0
    for body in bodies:
        save_outside_body(session, body)
        session.flush()
        added += 1
    return added


def _clean(text: str, field: str) -> str:
    return check_name(" ".join(str(text).split()), field)


def _aliases(aliases: Iterable[str], name: str) -> tuple[str, ...]:
    found: list[str] = []
    for alias in aliases:
        clean = _clean(alias, "alias")
        if clean and clean != name and clean not in found:
            found.append(clean)
    if len(found) > MAX_ALIASES:
        raise InvalidInput(
            f"an outside body has at most {MAX_ALIASES} other spellings",
            reason="too_many_aliases",
            field="aliases",
            limit=MAX_ALIASES,
        )
    return tuple(found)
