"""Numbers as people here write and read them: 1.500.000 and 2,5."""

from __future__ import annotations

# From here on a whole number is an amount and reads with its thousands grouped; below it, a
# year or a count reads better bare (2026, not 2.026).
GROUPED_FROM = 10_000


def number_vn(value: int | float) -> str:
    """1.500.000 and 2,5: how numbers and money are written here."""
    if isinstance(value, float) and not value.is_integer():
        whole, _sep, fraction = f"{value:,.2f}".rstrip("0").partition(".")
        return f"{whole.replace(',', '.')},{fraction}"
    return f"{int(value):,}".replace(",", ".")


def amount_text(value: int | float) -> str:
    """A number as it reads where nothing says what it counts: grouped from GROUPED_FROM on
    (850.000.000), a smaller whole number bare (2026)."""
    if isinstance(value, int) and abs(value) < GROUPED_FROM:
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < GROUPED_FROM:
        return str(int(value))
    return number_vn(value)
