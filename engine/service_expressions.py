"""A Camunda service task's `camunda:expression` that runs without a handler: a literal, such as
`${true}`, the placeholder Camunda's examples put where the real work is still to be written.
Anything else may name a bean (`${orderService.total}`, `${mailer.send(execution)}`), which
deploy cannot tell from a variable: it needs the handler mapped to its text, as before
(engine/services.py)."""

from __future__ import annotations

import ast

from .juel_parser import JuelRefused, translate


def expression_code(key: str) -> str | None:
    """The Python code of the literal a service task's expression is, keyed `key` (its text
    without `${…}`); None for anything else."""
    try:
        code = translate(f"${{{key}}}")
        ast.literal_eval(code)
    except (JuelRefused, ValueError, SyntaxError):
        return None
    return code
