"""Numbers as people here write and read them: 1.500.000 and 2,5."""

from __future__ import annotations

import math

# From here on a whole number is an amount and reads with its thousands grouped; below it, a
# year or a count reads better bare (2026, not 2.026).
GROUPED_FROM = 10_000


def number_vn(value: int | float) -> str:
    """1.500.000 and 2,5: how numbers and money are written here."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    whole, _sep, fraction = f"{value:,.2f}".partition(".")
    whole, fraction = whole.replace(",", "."), fraction.rstrip("0")  # 2.999 is 3, not "3,"
    return f"{whole},{fraction}" if fraction else whole


def amount_text(value: int | float) -> str:
    """A number as it reads where nothing says what it counts: grouped from GROUPED_FROM on
    (850.000.000), a smaller whole number bare (2026)."""
    if isinstance(value, int) and abs(value) < GROUPED_FROM:
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < GROUPED_FROM:
        return str(int(value))
    return number_vn(value)
