"""An escalation's late units as one line of text: the row keeps their whole names as a list
(`NotificationModel.units`), and every reader that shows them as a line (the bell, the mail's
body and subject) joins them here."""

from __future__ import annotations

from collections.abc import Sequence


def unit_separator(names: Sequence[str]) -> str:
    """What sets the names apart on one line: ", ", or "; " where a name has a comma of its own
    («Phòng Kế hoạch, Tài chính» would read as two units)."""
    return "; " if any("," in name for name in names) else ", "


def units_line(names: Sequence[str]) -> str:
    return unit_separator(names).join(names)
