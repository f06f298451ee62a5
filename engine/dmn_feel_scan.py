"""The words of a FEEL text (engine/dmn_feel.py reads them): numbers, strings with their
escapes, names and operators; and the plain lists of literals an output's `outputValues` give."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MAX_TEXT", "FeelRefused", "Token", "literal_values", "scan", "string_value"]

MAX_TEXT = 4000

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>\d+(?:\.\d+)?)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<temporal>@"(?:[^"\\]|\\.)*")
    | (?P<op>\.\.|\*\*|<=|>=|!=|[-+*/<>=()\[\],.?])
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'"}


class FeelRefused(ValueError):
    """A FEEL text outside the subset; `position` is the offset in the text."""

    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, temporal (@"…"), op, name, end
    text: str
    position: int


def scan(text: str) -> list[Token]:
    if len(text) > MAX_TEXT:
        raise FeelRefused(f"the text is longer than {MAX_TEXT} characters")
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        if text[i:].strip() == "":
            break
        match = _TOKEN.match(text, i)
        if match is None or match.lastgroup is None:
            shown = text[i:].lstrip()[:1]
            raise FeelRefused(f"'{shown}' is not part of the FEEL this engine reads", i)
        kind = match.lastgroup
        tokens.append(Token(kind, match.group(kind), match.start(kind)))
        i = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def string_value(token: Token) -> str:
    body = token.text[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        nxt = body[i + 1]
        if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
            out.append(chr(int(body[i + 2 : i + 6], 16)))
            i += 6
        elif nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        else:
            raise FeelRefused(f"unknown escape \\{nxt} in a string", token.position + i + 1)
    return "".join(out)


def literal_values(text: str) -> list[str | int | float | bool]:
    """The values of a list of literals (an output's `outputValues`: `"high","low"`), in order."""
    values: list[str | int | float | bool] = []
    tokens = scan(text)
    i = 0
    while tokens[i].kind != "end":
        token = tokens[i]
        if token.kind == "string":
            values.append(string_value(token))
        elif token.kind == "number":
            values.append(float(token.text) if "." in token.text else int(token.text))
        elif token.kind == "name" and token.text in ("true", "false"):
            values.append(token.text == "true")
        else:
            raise FeelRefused("output values must be a list of literals", token.position)
        i += 1
        if tokens[i].text == ",":
            i += 1
        elif tokens[i].kind != "end":
            raise FeelRefused("expected ',' between output values", tokens[i].position)
    return values
