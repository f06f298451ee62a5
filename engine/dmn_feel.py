"""FEEL, the expression language of DMN decision tables, read once at deploy and written out as a
Python expression for the sandbox (the helpers it calls are in engine/dmn_values.py).

The subset Camunda 7 models use:
- simple unary tests in input entries: `-`; comparisons `< 10`, `>= limit`, `= "a"`, `!= x`;
  ranges `[a..b]`, `]a..b[`, `(a..b)` with open and closed ends; lists `"a","b"` (any matches);
  `not(…)` of those; a plain value (equal to it); an expression using `?` for the input;
- expressions (input expressions, output entries, range ends): numbers, strings, `true`,
  `false`, `null`, variables and `a.b` paths, `+ - * / **`, comparisons, `and`, `or`,
  `if … then … else …`, lists `[…]`, and the functions `not()`, `date()`, `date and time()`,
  `today()`, `now()`, `string()`, `number()`, `abs()`, `floor()`, `ceiling()`, `upper case()`,
  `lower case()`, `string length()`, `contains()`, `starts with()`, `ends with()`, and on lists
  `count()`, `sum()`, `min()`, `max()`.
Anything else is refused with `FeelRefused` (what and where in the text), so a table fails at
deploy and never half-way through an item. The diagram's text reaches the Python only as quoted
literals.
"""

from __future__ import annotations

from .dmn_feel_scan import FeelRefused, Token, literal_values, scan, string_value

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
MAX_DEPTH = 40

_KEYWORDS = frozenset(
    {"true", "false", "null", "and", "or", "if", "then", "else", "not", "in", "between"}
)
# FEEL function -> (helper in engine/dmn_values.py, or the whole call; how many arguments)
_FUNCTIONS = {
    "date": ("feel_date", 1),
    "date and time": ("feel_datetime", 1),
    "duration": ("feel_duration", 1),
    "string": ("feel_string", 1),
    "number": ("feel_number", 1),
    "abs": ("feel_abs", 1),
    "floor": ("feel_floor", 1),
    "ceiling": ("feel_ceiling", 1),
    "upper case": ("feel_upper", 1),
    "lower case": ("feel_lower", 1),
    "string length": ("feel_length", 1),
    "contains": ("feel_contains", 2),
    "starts with": ("feel_starts_with", 2),
    "ends with": ("feel_ends_with", 2),
    "count": ("feel_count", 1),
    "list contains": ("feel_list_contains", 2),
    "matches": ("feel_regex_matches", 2),
    "sum": ("feel_sum", 1),
    "min": ("feel_min", 1),
    "max": ("feel_max", 1),
    "not": ("feel_not", 1),
    # the office's day and time, as JUEL's now() (engine/juel.py)
    "today": ("feel_date(juel_now())", 0),
    "now": ("juel_now()", 0),
}
_TWO_WORD = {
    ("date", "and", "time"),
    ("upper", "case"),
    ("lower", "case"),
    ("string", "length"),
    ("starts", "with"),
    ("ends", "with"),
    ("list", "contains"),
}


class _Parser:
    def __init__(
        self, text: str, cell: str | None, cell_names: frozenset[str] = frozenset()
    ) -> None:
        self.tokens = scan(text)
        self.cell_names = cell_names
        self.i = 0
        self.cell = cell  # the Python name `?` stands for, None where `?` is not allowed
        self.depth = 0
        self.used_cell = False

    # --- tokens -------------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.i]

    def at(self, *texts: str) -> bool:
        return self.token.kind in ("op", "name") and self.token.text in texts

    def take(self, text: str) -> Token:
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
        if self.at("between"):  # `x between 1 and 5`: both ends included
            self.i += 1
            low = self.additive()
            self.take("and")
            return f"feel_between({left}, {low}, True, {self.additive()}, True)"
        if self.at("in"):
            self.i += 1
            return self.membership(left)
        return left

    def membership(self, left: str) -> str:
        """`x in [1..5]`, `x in (1, 2, >= 10)`, `x in ["a", "b"]`: the tests on the right
        applied to the value on the left, as an input entry applies its tests to the input."""
        saved = self.cell
        self.cell = f"({left})"
        try:
            if self.at("("):
                start, used = self.i, self.used_cell
                try:
                    return self.positive_test()  # an interval such as (1..5]
                except FeelRefused:
                    self.i, self.used_cell = start + 1, used
                tests = self.positive_tests()
                self.take(")")
                return tests
            return self.positive_test()
        finally:
            self.cell = saved

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
            return repr(string_value(token))
        if token.kind == "temporal":  # @"2026-03-01", @"P3M"
            self.i += 1
            return _temporal_literal(token)
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
            helper, arity = _FUNCTIONS[function]
            self.i += width + 1
            arguments: list[str] = []
            while not self.at(")") and len(arguments) <= arity:
                arguments.append(self.expression())
                if not self.at(","):
                    break
                self.i += 1
            self.take(")")
            if len(arguments) != arity:
                raise FeelRefused(
                    f"{function}() takes {arity} argument{'s' if arity != 1 else ''}",
                    token.position,
                )
            return helper if arity == 0 else f"{helper}({', '.join(arguments)})"
        if self.tokens[self.i + 1].text == "(":
            raise self.refuse(f"the function '{token.text}' is not part of the FEEL subset")
        self.i += 1
        literal = {"true": "True", "false": "False", "null": "None"}.get(token.text)
        if literal:
            return literal
        if token.text in _KEYWORDS:
            self.i -= 1
            raise self.refuse("expected a value")
        if self.cell and token.text in self.cell_names:
            self.used_cell = True
            return self.cell
        return f"feel_get({VARS}, {token.text!r})"


def _temporal_literal(token: Token) -> str:
    text = string_value(Token("string", token.text[1:], token.position))
    if text.lstrip("-").startswith("P"):
        helper = "feel_duration"
    elif "T" in text:
        helper = "feel_datetime"
    elif len(text) == 10 and text[4:5] == "-":
        helper = "feel_date"
    else:
        raise FeelRefused(f"the temporal value @{text!r} is not a date, date and time or duration")
    return f"{helper}({text!r})"


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


def translate_tests(text: str, cell: str = CELL, input_name: str | None = None) -> str:
    """The Python test for a FEEL input entry (simple unary tests), true when the value in
    the variable `cell` passes; an empty entry is `-`. Like `?`, `cellInput` (and the input's
    `camunda:inputVariable`, if any) stand for the input value."""
    names = frozenset(name for name in ("cellInput", input_name) if name)
    parser = _Parser(text, cell, names)
    if parser.token.kind == "end":
        return "True"
    code = parser.tests()
    parser.done()
    return code
