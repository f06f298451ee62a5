"""FEEL, the expression language of DMN decision tables, read once at deploy and written out as a
Python expression for the sandbox (the helpers it calls are in engine/dmn_values.py).

The subset Camunda 7 models use:
- simple unary tests in input entries: `-`; comparisons `< 10`, `>= limit`, `= "a"`, `!= x`;
  ranges `[a..b]`, `]a..b[`, `(a..b)` with open and closed ends; lists `"a","b"` (any matches);
  `not(…)` of those; a plain value (equal to it); an expression using `?` for the input;
- expressions (input expressions, output entries, range ends): numbers, strings, `true`,
  `false`, `null`, variables and `a.b` paths, `+ - * / **`, comparisons, `and`, `or`,
  `if … then … else …`, lists `[…]`, and the functions `not()`, `date()`, `date and time()`,
  `string()`, `number()`, `abs()`, `upper case()`, `lower case()`.
Anything else is refused with `FeelRefused` (what and where in the text), so a table fails at
deploy and never half-way through an item. The diagram's text reaches the Python only as quoted
literals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "CELL",
    "VARS",
    "FeelRefused",
    "literal_values",
    "translate_expression",
    "translate_tests",
]

VARS = "dmn_vars"  # the variables an expression reads: the item's data and earlier decisions
CELL = "dmn_cell"  # the input value a unary test checks (the tests name their own copy)
MAX_TEXT = 4000
MAX_DEPTH = 40

_TOKEN = re.compile(
    r"""\s*(?:
      (?P<number>\d+(?:\.\d+)?)
    | (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<op>\.\.|\*\*|<=|>=|!=|[-+*/<>=()\[\],.?])
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)
_KEYWORDS = frozenset({"true", "false", "null", "and", "or", "if", "then", "else", "not"})
_FUNCTIONS = {
    "date": "feel_date",
    "date and time": "feel_datetime",
    "string": "feel_string",
    "number": "feel_number",
    "abs": "feel_abs",
    "upper case": "feel_upper",
    "lower case": "feel_lower",
    "not": "feel_not",
}
_TWO_WORD = {("date", "and", "time"), ("upper", "case"), ("lower", "case")}
_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r", "'": "'"}


class FeelRefused(ValueError):
    """A FEEL text outside the subset; `position` is the offset in the text."""

    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class _Token:
    kind: str  # number, string, op, name, end
    text: str
    position: int


def _scan(text: str) -> list[_Token]:
    if len(text) > MAX_TEXT:
        raise FeelRefused(f"the text is longer than {MAX_TEXT} characters")
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        if text[i:].strip() == "":
            break
        match = _TOKEN.match(text, i)
        if match is None or match.lastgroup is None:
            shown = text[i:].lstrip()[:1]
            raise FeelRefused(f"'{shown}' is not part of the FEEL this engine reads", i)
        kind = match.lastgroup
        tokens.append(_Token(kind, match.group(kind), match.start(kind)))
        i = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _string(token: _Token) -> str:
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


class _Parser:
    def __init__(self, text: str, cell: str | None) -> None:
        self.tokens = _scan(text)
        self.i = 0
        self.cell = cell  # the Python name `?` stands for, None where `?` is not allowed
        self.depth = 0
        self.used_cell = False

    # --- tokens -------------------------------------------------------------------------

    @property
    def token(self) -> _Token:
        return self.tokens[self.i]

    def at(self, *texts: str) -> bool:
        return self.token.kind in ("op", "name") and self.token.text in texts

    def take(self, text: str) -> _Token:
        if not self.at(text):
            raise self.refuse(f"expected '{text}'")
        token = self.token
        self.i += 1
        return token

    def refuse(self, message: str) -> FeelRefused:
        found = self.token.text or "the end"
        return FeelRefused(f"{message}, found '{found}'", self.token.position)

    def done(self) -> None:
        if self.token.kind != "end":
            raise self.refuse("unexpected text")

    # --- unary tests ----------------------------------------------------------------------

    def tests(self) -> str:
        if self.at("-") and self.tokens[self.i + 1].kind == "end":
            self.i += 1
            return "True"
        if self.at("not") and self.tokens[self.i + 1].text == "(":
            start = self.i
            self.i += 2
            inner = self.positive_tests()
            if self.at(")") and self.tokens[self.i + 1].kind == "end":
                self.i += 1
                return f"feel_not({inner})"
            self.i = start  # `not(x) = y` and the like: an expression after all
        return self.positive_tests()

    def positive_tests(self) -> str:
        tests = [self.positive_test()]
        while self.at(","):
            self.i += 1
            tests.append(self.positive_test())
        return tests[0] if len(tests) == 1 else f"feel_any(({', '.join(tests)},))"

    def positive_test(self) -> str:
        cell = self.cell or CELL
        for op in ("<=", ">=", "<", ">", "!=", "="):
            if self.at(op):
                self.i += 1
                return f"feel_cmp({cell}, {op!r}, {self.endpoint()})"
        if self.at("[", "]", "("):
            start = self.i
            opening = self.token.text
            self.i += 1
            low = self.endpoint()
            if self.at(".."):
                self.i += 1
                high = self.endpoint()
                if not self.at("]", "[", ")"):
                    raise self.refuse("a range ends with ']', '[' or ')'")
                closing = self.token.text
                self.i += 1
                return f"feel_between({cell}, {low}, {opening == '['}, {high}, {closing == ']'})"
            self.i = start
        before = self.used_cell
        self.used_cell = False
        value = self.expression()
        if self.used_cell:  # `? > 5`: the expression is the test
            self.used_cell = before or True
            return f"feel_is_true({value})"
        self.used_cell = before
        return f"feel_matches({cell}, {value})"

    def endpoint(self) -> str:
        return self.additive()

    # --- expressions ------------------------------------------------------------------------

    def expression(self) -> str:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.refuse("the expression is nested too deeply")
        try:
            if self.at("if"):
                self.i += 1
                condition = self.expression()
                self.take("then")
                then = self.expression()
                self.take("else")
                other = self.expression()
                return f"({then} if feel_is_true({condition}) else {other})"
            return self.disjunction()
        finally:
            self.depth -= 1

    def disjunction(self) -> str:
        left = self.conjunction()
        while self.at("or"):
            self.i += 1
            left = f"feel_or({left}, {self.conjunction()})"
        return left

    def conjunction(self) -> str:
        left = self.comparison()
        while self.at("and"):
            self.i += 1
            left = f"feel_and({left}, {self.comparison()})"
        return left

    def comparison(self) -> str:
        left = self.additive()
        for op in ("<=", ">=", "<", ">", "!=", "="):
            if self.at(op):
                self.i += 1
                return f"feel_cmp({left}, {op!r}, {self.additive()})"
        return left

    def additive(self) -> str:
        left = self.multiplicative()
        while self.at("+", "-"):
            op = self.token.text
            self.i += 1
            left = f"feel_arith({left}, {op!r}, {self.multiplicative()})"
        return left

    def multiplicative(self) -> str:
        left = self.power()
        while self.at("*", "/"):
            op = self.token.text
            self.i += 1
            left = f"feel_arith({left}, {op!r}, {self.power()})"
        return left

    def power(self) -> str:
        left = self.unary()
        if self.at("**"):
            self.i += 1
            left = f"feel_arith({left}, '**', {self.unary()})"
        return left

    def unary(self) -> str:
        if self.at("-"):
            self.i += 1
            token = self.token
            if token.kind == "number":
                self.i += 1
                return f"-{_number(token.text)}"
            return f"feel_arith(0, '-', {self.unary()})"
        return self.path()

    def path(self) -> str:
        value = self.primary()
        while self.at("."):
            self.i += 1
            if self.token.kind != "name":
                raise self.refuse("expected a name after '.'")
            value = f"feel_get({value}, {self.token.text!r})"
            self.i += 1
        return value

    def primary(self) -> str:
        token = self.token
        if token.kind == "number":
            self.i += 1
            return _number(token.text)
        if token.kind == "string":
            self.i += 1
            return repr(_string(token))
        if self.at("("):
            self.i += 1
            value = self.expression()
            self.take(")")
            return f"({value})"
        if self.at("["):
            self.i += 1
            items: list[str] = []
            while not self.at("]"):
                items.append(self.expression())
                if not self.at(","):
                    break
                self.i += 1
            self.take("]")
            return f"[{', '.join(items)}]"
        if self.at("?"):
            if self.cell is None:
                raise self.refuse("'?' (the input value) is only allowed in input entries")
            self.i += 1
            self.used_cell = True
            return self.cell
        if token.kind == "name":
            return self.name()
        raise self.refuse("expected a value")

    def name(self) -> str:
        token = self.token
        words = tuple(t.text for t in self.tokens[self.i : self.i + 3])
        function = next((" ".join(w) for w in _TWO_WORD if words[: len(w)] == w), None)
        width = len(function.split()) if function else 1
        function = function or token.text
        if self.tokens[self.i + width].text == "(" and function in _FUNCTIONS:
            self.i += width + 1
            argument = self.expression()
            self.take(")")
            return f"{_FUNCTIONS[function]}({argument})"
        if self.tokens[self.i + 1].text == "(":
            raise self.refuse(f"the function '{token.text}' is not part of the FEEL subset")
        self.i += 1
        literal = {"true": "True", "false": "False", "null": "None"}.get(token.text)
        if literal:
            return literal
        if token.text in _KEYWORDS:
            self.i -= 1
            raise self.refuse("expected a value")
        return f"feel_get({VARS}, {token.text!r})"


def _number(text: str) -> str:
    return str(float(text)) if "." in text else str(int(text))


def translate_expression(text: str) -> str:
    """The Python expression for a FEEL expression (input expression, output entry)."""
    parser = _Parser(text, None)
    if parser.token.kind == "end":
        return "None"
    code = parser.expression()
    parser.done()
    return code


def translate_tests(text: str, cell: str = CELL) -> str:
    """The Python test for a FEEL input entry (simple unary tests), true when the value in
    the variable `cell` passes; an empty entry is `-`."""
    parser = _Parser(text, cell)
    if parser.token.kind == "end":
        return "True"
    code = parser.tests()
    parser.done()
    return code


def literal_values(text: str) -> list[str | int | float | bool]:
    """The values of a list of literals (an output's `outputValues`: `"high","low"`), in order."""
    values: list[str | int | float | bool] = []
    tokens = _scan(text)
    i = 0
    while tokens[i].kind != "end":
        token = tokens[i]
        if token.kind == "string":
            values.append(_string(token))
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
