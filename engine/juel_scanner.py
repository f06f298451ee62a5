"""The tokens of a JUEL expression (engine/juel_parser.py reads them): numbers, quoted
strings with EL's escapes, names, and EL 2.2's symbols. What EL 3.0 added (lambdas, assignment,
`+=`, `;`, set literals) is refused here, where its position is known."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["JuelRefused", "Token", "has_expression", "said", "scan"]

# Longest first: the scanner takes the first that matches.
_SYMBOLS = (
    "==", "!=", "<=", ">=", "&&", "||", "->", "+=",
    "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", "(", ")", "[", "]", ".", ",", "=", ";",
    "{",
)  # fmt: skip
_NOT_EL_2 = {
    "->": "lambda expressions are not supported",
    "+=": "the string concatenation operator += is not supported (EL 3.0)",
    "=": "assignment is not supported: an expression may only read the item's data",
    ";": "several expressions separated by ';' are not supported",
    "{": "set and map literals are not supported",
}
_DIGITS = "0123456789"


class JuelRefused(Exception):
    """An expression outside the subset the engine runs; `position` counts from the start of
    the whole text."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def has_expression(text: str) -> bool:
    """Whether a text carries a JUEL expression at all (plain text is left to the caller)."""
    return "${" in text or "#{" in text


@dataclass(frozen=True)
class Token:
    kind: str  # "num", "str", "name", "op", "end"
    value: str
    position: int
    number: int | float | None = None


def scan(text: str, start: int) -> tuple[list[Token], int]:
    """The tokens of one expression from `start` up to its closing brace, and where that is."""
    tokens: list[Token] = []
    i, n = start, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
        elif c == "}":
            if not tokens:
                raise JuelRefused("the expression is empty", start - 2)
            tokens.append(Token("end", "}", i))
            return tokens, i
        elif c in "'\"":
            value, i = _string(text, i)
            tokens.append(Token("str", value, i))
        elif c in _DIGITS or (c == "." and text[i + 1 : i + 2] in _DIGITS and i + 1 < n):
            token, i = _number(text, i)
            tokens.append(token)
        elif c.isalpha() or c in "_$":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] in "_$"):
                j += 1
            tokens.append(Token("name", text[i:j], i))
            i = j
        else:
            symbol = next((s for s in _SYMBOLS if text.startswith(s, i)), None)
            if symbol is None:
                raise JuelRefused(f"unexpected character {c!r}", i)
            if symbol in _NOT_EL_2:
                raise JuelRefused(_NOT_EL_2[symbol], i)
            tokens.append(Token("op", symbol, i))
            i += len(symbol)
    raise JuelRefused("the expression is not closed with '}'", start - 2)


def _string(text: str, start: int) -> tuple[str, int]:
    quote, out, i = text[start], [], start + 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            following = text[i + 1 : i + 2]
            if following not in ("\\", "'", '"'):
                raise JuelRefused(f"unknown escape \\{following} in a string", i)
            out.append(following)
            i += 2
        elif c == quote:
            return "".join(out), i + 1
        else:
            out.append(c)
            i += 1
    raise JuelRefused("a string is not closed", start)


def _number(text: str, start: int) -> tuple[Token, int]:
    i, n = start, len(text)
    while i < n and text[i] in _DIGITS:
        i += 1
    is_float = False
    if i < n and text[i] == "." and not (i + 1 < n and text[i + 1] == "."):
        is_float = True
        i += 1
        while i < n and text[i] in _DIGITS:
            i += 1
    if i < n and text[i] in "eE":
        j = i + 1
        if j < n and text[j] in "+-":
            j += 1
        if j < n and text[j] in _DIGITS:
            is_float = True
            i = j
            while i < n and text[i] in _DIGITS:
                i += 1
    source = text[start:i]
    try:
        number: int | float = float(source) if is_float else int(source)
    except ValueError as exc:  # more digits than Python converts
        raise JuelRefused(f"the number {source[:20]}… is too long", start) from exc
    if isinstance(number, float) and not math.isfinite(number):
        raise JuelRefused(f"the number {source} is out of range", start)
    return Token("num", source, start, number), i


def said(token: Token) -> str:
    if token.kind == "end":
        return "the end of the expression"
    if token.kind == "str":
        return f"the string {token.value!r}"
    return f"'{token.value}'"
