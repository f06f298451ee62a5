"""A Camunda service task's `camunda:expression` that runs without a handler: Camunda's
examples use `${true}` as a placeholder, and an expression that only reads the item's data is
a value for the task's `resultVariable`. A bean's method (`${mailer.send(execution)}`) needs the
handler mapped to its text, as before (engine/services.py)."""

from __future__ import annotations

import ast

from .juel_parser import JuelRefused, translate


def expression_code(key: str, result: str | None) -> str | None:
    """The Python code of a service task's `camunda:expression` that needs no handler, keyed
    `key` (its text without `${…}`): a literal (`${true}`, the placeholder of Camunda's
    examples) or, with a `resultVariable` to hold it, any expression JUEL reads from the item's
    data (`${amount > 1000}`); None for a bean's method, which a handler must take."""
    try:
        code = translate(f"${{{key}}}")
    except JuelRefused:
        return None
    try:
        ast.literal_eval(code)
    except (ValueError, SyntaxError):
        return code if result else None
    return code
