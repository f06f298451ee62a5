"""JUEL, the expression language of Camunda 7 models, read once when a diagram is deployed and
written out as a Python expression for the sandbox.

The subset models use: `${…}` and `#{…}` (alone or inside text, which makes a string), the
operators of EL 2.2 with their word forms (`and`, `eq`, `div`, `empty`…), `?:`, property and
index access, literals, `execution.getVariable("x")` (null when the item has no x), the common
methods of Strings, Lists, Maps and DMN results (VALUE_METHODS), `dateTime()` with its
`plus…`/`minus…` methods and `toDate()`, `now()`, `currentUser()`, `currentUserGroups()` and
Spin's `S(json)`. Everything else (other functions, a bean's
methods, lambdas,
assignments) is refused here, so a model fails at deploy rather than half-way through an item.
The operators become calls of the helpers in engine/juel.py, which follow EL's coercions; the
Python this writes never contains the diagram's text except as quoted literals.
"""

from __future__ import annotations

import keyword
from collections.abc import Mapping
from dataclasses import dataclass

from .juel_scanner import JuelRefused, Token, has_expression, said, scan

__all__ = [
    "DATE_METHODS",
    "HELPER_PREFIX",
    "VALUE_METHODS",
    "JuelRefused",
    "has_expression",
    "translate",
    "translate_name",
]

HELPER_PREFIX = "juel_"
# Between a translated expression and the JUEL it came from (engine/juel_camunda.py): a Python
# comment, so an error at run time can quote what the author wrote.
JUEL_SOURCE_MARK = "  # "
_UNITS = ("Years", "Months", "Weeks", "Days", "Hours", "Minutes", "Seconds")
# Methods of Java values that models call in expressions (Strings, Lists, Maps, a DMN result),
# run by engine/juel.py's juel_call.
VALUE_METHODS = frozenset(
    {
        "equals",
        "equalsIgnoreCase",
        "contains",
        "startsWith",
        "endsWith",
        "isEmpty",
        "size",
        "length",
        "toLowerCase",
        "toUpperCase",
        "trim",
        "get",
        "containsKey",
        "collectEntries",
        "collectOutputValues",
        "getSingleResult",
        "getFirstResult",
        "getSingleEntry",
        # Spin's JSON (S(x), a JSON variable): on the plain JSON value this engine stores.
        "prop",
        "hasProp",
        "value",
        "stringValue",
        "numberValue",
        "boolValue",
        "isNull",
        "elements",
        "toString",
    }
)
# Functions a JUEL expression may call: name -> (number of arguments, helper).
FUNCTIONS = {
    "currentUser": (0, "current_user"),
    "currentUserGroups": (0, "current_user_groups"),
    "S": (1, "spin"),
}
DATE_METHODS = frozenset(f"{sign}{unit}" for sign in ("plus", "minus") for unit in _UNITS)
_WORDS = {
    "and": "&&",
    "or": "||",
    "not": "!",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "div": "/",
    "mod": "%",
}
MAX_OPERATORS = 40
# Camunda's variables of one instance of a multi-instance activity (engine/mi_counters.py).
MULTI_INSTANCE_VARIABLES = frozenset(
    {"nrOfInstances", "nrOfActiveInstances", "nrOfCompletedInstances", "loopCounter"}
)
_CLOSING = frozenset({")", "]", ",", ":"})
_LITERAL_WORDS = {"true": "True", "false": "False", "null": "None"}
_COMPARISONS = ("==", "!=", "<", ">", "<=", ">=")


@dataclass(frozen=True)
class _Node:
    code: str
    # "value"; "date" for dateTime() and its plus/minus chain; "name" for a bare variable
    # (which the caller may need as a data reference, as a multi-instance collection is).
    kind: str = "value"
    name: str | None = None


def translate(
    text: str, aliases: Mapping[str, str] | None = None, *, instance: bool = False
) -> str:
    """The Python expression for a JUEL text: one `${…}` alone gives its value, anything mixed
    with text gives a string. `aliases` renames variables (Camunda's `camunda:initiator`).
    `instance`: evaluated on one instance of a multi-instance activity, which knows Camunda's
    `MULTI_INSTANCE_VARIABLES` (refused elsewhere)."""
    return _translate(text, aliases or {}, instance).code


def translate_name(text: str, aliases: Mapping[str, str] | None = None) -> str | None:
    """The variable a text names when it is `${name}` (or execution.getVariable), else None."""
    node = _translate(text, aliases or {})
    return node.name if node.kind == "name" else None


def _translate(text: str, aliases: Mapping[str, str], instance: bool = False) -> _Node:
    parts: list[_Node | str] = []
    literal: list[str] = []
    markers: set[str] = set()
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\" and i + 2 < n and text[i + 1] in "$#" and text[i + 2] == "{":
            literal.append(text[i + 1 : i + 3])
            i += 3
        elif c in "$#" and i + 1 < n and text[i + 1] == "{":
            markers.add(c)
            if len(markers) > 1:
                raise JuelRefused("a text may not mix ${…} and #{…}", i)
            if literal:
                parts.append("".join(literal))
                literal = []
            tokens, end = scan(text, i + 2)
            parts.append(_Parser(tokens, aliases, instance).parse())
            i = end + 1
        else:
            literal.append(c)
            i += 1
    if literal:
        parts.append("".join(literal))
    if len(parts) == 1 and isinstance(parts[0], _Node):
        return parts[0]
    if not parts:
        return _Node(repr(""))
    if all(isinstance(p, str) for p in parts):
        return _Node(repr("".join(p for p in parts if isinstance(p, str))))
    pieces = [repr(p) if isinstance(p, str) else p.code for p in parts]
    return _Node(f"{HELPER_PREFIX}concat({', '.join(pieces)})")


class _Parser:
    """Recursive descent over EL 2.2's grammar, lowest precedence first."""

    def __init__(
        self, tokens: list[Token], aliases: Mapping[str, str], instance: bool = False
    ) -> None:
        operators = sum(1 for token in tokens if _is_operator(token))
        if operators > MAX_OPERATORS:
            # Each operator nests the parser and the Python it writes one level deeper.
            raise JuelRefused(
                f"the expression has {operators} operators, more than {MAX_OPERATORS}; "
                "compute part of it in a script task",
                tokens[0].position,
            )
        self.tokens = tokens
        self.at = 0
        self.aliases = aliases
        self.instance = instance

    @property
    def token(self) -> Token:
        return self.tokens[self.at]

    def _op(self) -> str | None:
        """The current token as an operator, word forms read as their symbols."""
        token = self.token
        if token.kind == "op":
            return token.value
        if token.kind == "name":
            return _WORDS.get(token.value) or ("empty" if token.value == "empty" else None)
        return None

    def _take(self, symbol: str) -> Token:
        token = self.token
        if self._op() != symbol:
            raise JuelRefused(f"expected '{symbol}' but found {said(token)}", token.position)
        self.at += 1
        return token

    def parse(self) -> _Node:
        node = self.choice()
        if self.token.kind != "end":
            raise JuelRefused(f"unexpected {said(self.token)}", self.token.position)
        return node

    def choice(self) -> _Node:
        condition = self.binary(0)
        if self._op() != "?":
            return condition
        self.at += 1
        yes = self.choice()
        self._take(":")
        no = self.choice()
        return _Node(f"({_v(yes)} if {HELPER_PREFIX}bool({_v(condition)}) else {_v(no)})")

    _LEVELS: tuple[tuple[str, ...], ...] = (
        ("||",),
        ("&&",),
        ("==", "!="),
        ("<", ">", "<=", ">="),
        ("+", "-"),
        ("*", "/", "%"),
    )

    def binary(self, level: int) -> _Node:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while (op := self._op()) in self._LEVELS[level]:
            where = self.token.position
            self.at += 1
            right = self.binary(level + 1)
            left = _Node(_combine(op or "", _checked(left, where), _checked(right, where)))
        return left

    def unary(self) -> _Node:
        op = self._op()
        if op in ("-", "!", "empty"):
            where = self.token.position
            self.at += 1
            operand = _checked(self.unary(), where)
            if op == "-":
                return _Node(f"{HELPER_PREFIX}neg({operand})")
            if op == "!":
                return _Node(f"(not {HELPER_PREFIX}bool({operand}))")
            return _Node(f"{HELPER_PREFIX}empty({operand})")
        return self.value()

    def value(self) -> _Node:
        node = self.primary()
        while self._op() in (".", "["):
            if self._op() == ".":
                self.at += 1
                name = self.token
                if name.kind != "name":
                    raise JuelRefused("expected a property name after '.'", name.position)
                self.at += 1
                if self._op() == "(":
                    node = self.method(node, name)
                else:
                    node = _Node(
                        f"{HELPER_PREFIX}prop({_checked(node, name.position)}, {name.value!r})"
                    )
            else:
                where = self.token.position
                self.at += 1
                key = self.choice()
                self._take("]")
                if self._op() == "(":
                    raise JuelRefused("method calls are not supported", self.token.position)
                node = _Node(
                    f"{HELPER_PREFIX}prop({_checked(node, where)}, {_checked(key, where)})"
                )
        return node

    def method(self, receiver: _Node, name: Token) -> _Node:
        args = self.arguments()
        if receiver.kind == "date" and name.value in DATE_METHODS:
            if len(args) != 1:
                raise JuelRefused(f"{name.value}() takes one number", name.position)
            amount = _checked(args[0], name.position)
            return _Node(f"{receiver.code}.{name.value}({amount})", "date")
        if receiver.kind == "date" and name.value == "toDate":
            if args:
                raise JuelRefused("toDate() takes no arguments", name.position)
            return _Node(f"{receiver.code}.toDate()")
        if receiver.kind == "date":
            raise JuelRefused(
                f"dateTime() has no method {name.value}() here; use plusDays, plusWeeks, "
                "plusMonths, plusYears, plusHours, plusMinutes, plusSeconds, minus… or toDate()",
                name.position,
            )
        if name.value not in VALUE_METHODS:
            raise JuelRefused(
                f"the method call .{name.value}() is not supported (on values only "
                f"{', '.join(sorted(VALUE_METHODS))}; a bean's method is a service task's "
                "expression, mapped in PHEDUYET_SERVICES)",
                name.position,
            )
        where = name.position
        parts = ", ".join(
            [_checked(receiver, where), repr(name.value)] + [_checked(a, where) for a in args]
        )
        return _Node(f"{HELPER_PREFIX}call({parts})")

    def arguments(self) -> list[_Node]:
        self._take("(")
        args: list[_Node] = []
        if self._op() != ")":
            args.append(self.choice())
            while self._op() == ",":
                self.at += 1
                args.append(self.choice())
        self._take(")")
        return args

    def primary(self) -> _Node:
        token = self.token
        if token.kind == "num":
            self.at += 1
            return _Node(repr(token.number))
        if token.kind == "str":
            self.at += 1
            return _Node(repr(token.value))
        if self._op() == "(":
            self.at += 1
            inner = self.choice()
            self._take(")")
            return _Node(f"({inner.code})", inner.kind, inner.name)
        if token.kind != "name" or self._op() is not None or token.value == "instanceof":
            if token.value == "[":
                raise JuelRefused("list literals are not supported", token.position)
            raise JuelRefused(f"unexpected {said(token)}", token.position)
        self.at += 1
        if token.value in _LITERAL_WORDS:
            return _Node(_LITERAL_WORDS[token.value])
        if self._op() == "(" or (self._op() == ":" and self._is_namespaced_call()):
            return self.function(token)
        if token.value == "execution":
            return self.execution(token)
        return self.variable(token.value, token.position)

    def _is_namespaced_call(self) -> bool:
        following = self.tokens[self.at + 1 : self.at + 3]
        return (
            len(following) == 2
            and following[0].kind == "name"
            and following[1].kind == "op"
            and following[1].value == "("
        )

    def function(self, name: Token) -> _Node:
        if self._op() == ":":
            raise JuelRefused(
                f"the function {name.value}:{self.tokens[self.at + 1].value}() is not supported",
                name.position,
            )
        args = self.arguments()
        if name.value in ("dateTime", "now"):
            if args:
                raise JuelRefused(f"{name.value}() takes no arguments", name.position)
            if name.value == "now":
                return _Node(f"{HELPER_PREFIX}now()")
            return _Node(f"{HELPER_PREFIX}datetime()", "date")
        if name.value in FUNCTIONS:
            count, helper = FUNCTIONS[name.value]
            if len(args) != count:
                raise JuelRefused(f"{name.value}() takes {count} argument(s)", name.position)
            parts = ", ".join(_checked(a, name.position) for a in args)
            return _Node(f"{HELPER_PREFIX}{helper}({parts})")
        raise JuelRefused(
            f"the function {name.value}() is not supported (only dateTime(), now(), "
            f"{', '.join(f + '()' for f in FUNCTIONS)})",
            name.position,
        )

    def execution(self, token: Token) -> _Node:
        if self._op() != ".":
            raise JuelRefused(
                'execution can only be read as execution.getVariable("name")', token.position
            )
        self.at += 1
        method = self.token
        if method.kind != "name" or self.tokens[self.at + 1].value != "(":
            raise JuelRefused(
                'execution can only be read as execution.getVariable("name")', method.position
            )
        self.at += 1
        if method.value.startswith(("set", "remove")):
            raise JuelRefused(
                f"execution.{method.value}() changes the item's data; an expression may only "
                "read it",
                method.position,
            )
        if method.value != "getVariable":
            raise JuelRefused(
                f'execution.{method.value}() is not supported; only execution.getVariable("name")',
                method.position,
            )
        args_at = self.token.position
        args = self.tokens[self.at : self.at + 3]
        if not (
            len(args) == 3
            and args[0].value == "("
            and args[1].kind == "str"
            and args[2].value == ")"
        ):
            raise JuelRefused(
                "execution.getVariable() takes the variable's name as a quoted string", args_at
            )
        self.at += 3
        # Camunda's getVariable gives null for a variable the item does not have.
        found = self.variable(args[1].value, args[1].position)
        return _Node(f"{HELPER_PREFIX}var({found.code!r})", "name", found.name)

    def variable(self, name: str, position: int) -> _Node:
        name = self.aliases.get(name, name)
        if (
            not name.isidentifier()
            or keyword.iskeyword(name)
            or name.startswith(("_", HELPER_PREFIX))
        ):
            raise JuelRefused(f"the variable name {name!r} cannot be used here", position)
        if name in MULTI_INSTANCE_VARIABLES and not self.instance:
            raise JuelRefused(
                f"Camunda's multi-instance variable {name} is known only in a multi-instance "
                "activity's completion condition and its own assignee, candidates and dates",
                position,
            )
        return _Node(name, "name", name)


def _is_operator(token: Token) -> bool:
    if token.kind == "op":
        return token.value not in _CLOSING
    return token.kind == "name" and (token.value in _WORDS or token.value == "empty")


def _checked(node: _Node, position: int) -> str:
    """An operand's code; a dateTime() that was not turned into a date is refused."""
    if node.kind == "date":
        raise JuelRefused("use dateTime()….toDate() to get a date from dateTime()", position)
    return node.code


def _v(node: _Node) -> str:
    return node.code


def _combine(op: str, left: str, right: str) -> str:
    if op == "&&":
        return f"({HELPER_PREFIX}bool({left}) and {HELPER_PREFIX}bool({right}))"
    if op == "||":
        return f"({HELPER_PREFIX}bool({left}) or {HELPER_PREFIX}bool({right}))"
    if op == "==":
        return f"{HELPER_PREFIX}eq({left}, {right})"
    if op == "!=":
        return f"(not {HELPER_PREFIX}eq({left}, {right}))"
    if op in _COMPARISONS:
        return f"{HELPER_PREFIX}compare({left}, {op!r}, {right})"
    return f"{HELPER_PREFIX}arith({left}, {op!r}, {right})"
