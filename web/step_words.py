"""A step's own words as a page shows them: its button, what was done, what it says when the
process sends it back, each with the item's values for the {names} the diagram writes."""

from __future__ import annotations

import re
from typing import Any

import engine

from .extensions import gettext as _

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


SENTENCE_END = re.compile(r"[.!?]\s")


def fill(words: str | None, data: dict[str, Any]) -> str:
    """A step's words with their {names} filled from the item ("" for none)."""
    return PLACEHOLDER.sub(lambda m: str(data.get(m.group(1), "…")), words or "").strip()


def button(form: engine.FormView, data: dict[str, Any]) -> str | None:
    """The step's button, its {names} filled from the item (the path it takes: "Trình Giám
    đốc Sở" or "Gửi Sở Tư pháp thẩm định lại"); None when it has none or names a value the
    item lacks."""
    words = (form.submit_label or "").strip()
    if not words or any(m.group(1) not in data for m in PLACEHOLDER.finditer(words)):
        return None
    return fill(words, data) or None


def done_text(form: engine.FormView, data: dict[str, Any]) -> str | None:
    """What was done, from the step's button: "Đã" + its words."""
    if label := button(form, data):
        return _("Đã %(action)s", action=label[:1].lower() + label[1:])
    return None
