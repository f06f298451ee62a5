"""Dates as dd/mm/yyyy in Asia/Ho_Chi_Minh, and the other small filters templates use."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, flash, url_for
from markupsafe import Markup, escape

import engine

from . import unit_of_work
from .extensions import get_locale
from .extensions import gettext as _

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(ZONE) if moment else None


def date_vn(moment: datetime | None) -> str:
    return local(moment).strftime("%d/%m/%Y") if moment else ""  # type: ignore[union-attr]


def datetime_vn(moment: datetime | None) -> str:
    return local(moment).strftime("%d/%m/%Y %H:%M") if moment else ""  # type: ignore[union-attr]


def due_vn(moment: datetime | None) -> str:
    """A deadline: its date, and its hour only when it is not the end of that day (a deadline
    in working days or written as a date runs to 23:59:59)."""
    shown = local(moment)
    if shown is None:
        return ""
    if engine.ends_its_day(shown, ZONE):
        return shown.strftime("%d/%m/%Y")
    return shown.strftime("%d/%m/%Y %H:%M")


def is_overdue(due: datetime | None) -> bool:
    return due is not None and due < unit_of_work.now()


def field_value(field: engine.DossierField) -> str:
    """A dossier value as people read it; anything unexpected is shown as text, never breaks."""
    value = field.value
    if field.kind == "boolean" or isinstance(value, bool):
        return _("Có") if value in (True, "true", "True") else _("Không")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, int | float):
        # A document's number ("Số đến 3120") is a name, not an amount.
        return str(value) if field.label.startswith("Số ") else engine.amount_text(value)
    if field.kind == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def flash_about(item_id: int, message: str, category: str) -> None:
    """A message after an action on an item, kept with the item's number (`flash_text`)."""
    flash({"text": message, "item": item_id}, category)


def flash_text(message: Any) -> Markup | str:
    """A flashed message as shown: one `flash_about` left has the item it names linked to the
    item's page (its first "hồ sơ số 22", "Item no. 22" in English), so the item the person
    just moved on (to attach the issued copy, to read where it went) is one click away."""
    if not isinstance(message, Mapping):
        return str(message)
    item, text = int(message["item"]), str(escape(message["text"]))
    href = escape(url_for("items.show", item_id=item))
    named = re.compile(rf"(?i)\b(hồ sơ số|item no\.) {item}\b")
    return Markup(named.sub(lambda found: f'<a href="{href}">{found[0]}</a>', text, count=1))


def init_app(app: Flask) -> None:
    app.add_template_filter(flash_text, "flash_text")
    app.add_template_filter(date_vn, "date_vn")
    app.add_template_filter(datetime_vn, "datetime_vn")
    app.add_template_filter(due_vn, "due_vn")
    app.add_template_global(is_overdue, "is_overdue")
    app.add_template_global(field_value, "field_value")
    app.add_template_global(unit_of_work.now, "now")
    app.add_template_global(get_locale, "get_locale")
    app.add_template_global(engine.MIN_PASSWORD_LENGTH, "min_password_length")

    @app.context_processor
    def roles() -> dict[str, Any]:
        from flask_login import current_user

        user = current_user._get_current_object()  # the proxy once, not once per question
        if not user.is_authenticated:
            return {"is_auditor": False, "is_admin": False}
        who = user.identity
        return {"is_auditor": unit_of_work.is_auditor(who), "is_admin": unit_of_work.is_admin(who)}
