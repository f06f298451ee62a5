"""Running BPMN scripts and expressions from untrusted diagrams.

Everything goes through RestrictedPython's compiler with its guards: no imports, no names or
attributes starting with an underscore, limited builtins, a small allow-list of helpers, and a CPU
budget per evaluation. The operators and methods that can make a huge value in one C-level step
(`**`, `*`, `<<`, `+`, `%`, f-string widths, `str.replace`, ...) are compiled into calls of
guards that refuse a result over the size limits before making it (engine/sandbox_guards.py),
and the growth of the process's peak memory is watched as the script runs. Helpers are offered
as plain functions, so nothing a script reaches can move the clock or change shared state.
Compiled code is cached, which also makes scripts cheaper than plain exec.
"""

from __future__ import annotations

import ast
import importlib
import keyword
import operator
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from datetime import time as dt_time
from functools import lru_cache, partial
from types import CodeType, FunctionType
from typing import Any

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from RestrictedPython.PrintCollector import PrintCollector
from RestrictedPython.transformer import RestrictingNodeTransformer

from .errors import ScriptError
from .sandbox_budget import BUDGET_NAME, SCRIPT_FILENAME, with_cpu_budget
from .sandbox_errors import SandboxSyntaxError, SandboxViolation, UnstorableValue
from .sandbox_guards import (
    INPLACE_OPERATORS,
    Guards,
    Limits,
    check_storable,
    made_builtins,
    text_builtins,
)
from .sandbox_lookups import container_types
from .script_modules import script_modules

__all__ = [
    "DEFAULT_CPU_SECONDS",
    "Limits",
    "Sandbox",
    "SandboxViolation",
    "UnstorableValue",
    "compile_script",
    "script_error",
]

DEFAULT_CPU_SECONDS = 1.0
MAX_RANGE = 100_000
# Builtins a script never gets; calling one is refused when the diagram is deployed rather than
# failing later with a NameError. Using the same names as plain variables stays allowed.
NOT_AVAILABLE = frozenset(
    {
        "breakpoint",
        "compile",
        "delattr",
        "dir",
        "exit",
        "getattr",
        "globals",
        "help",
        "input",
        "locals",
        "memoryview",
        "open",
        "quit",
        "setattr",
        "super",
        "type",
        "vars",
    }
)


class _Policy(RestrictingNodeTransformer):
    def visit_Import(self, node: Any) -> Any:
        self.error(node, "imports are not allowed in BPMN scripts")
        return node

    def visit_ImportFrom(self, node: Any) -> Any:
        self.error(node, "imports are not allowed in BPMN scripts")
        return node

    def visit_ClassDef(self, node: Any) -> Any:
        self.error(node, "class definitions are not allowed in BPMN scripts")
        return node

    def visit_Call(self, node: Any) -> Any:
        if isinstance(node.func, ast.Name) and node.func.id in NOT_AVAILABLE:
            self.error(node, f"{node.func.id}() is not available in BPMN scripts")
        if _literal_range_too_long(node):
            # Known when the diagram is deployed: refused there, not when an item gets here.
            self.error(node, f"range() of more than {MAX_RANGE:,} items is not allowed")
        return super().visit_Call(node)

    # A loop whose body is only `pass` compiles to a jump onto itself, which raises no trace
    # event at all (`while True: pass`): every loop body therefore starts with a budget check.
    def visit_While(self, node: Any) -> Any:
        return _with_budget_check(super().visit_While(node))

    def visit_For(self, node: Any) -> Any:
        return _with_budget_check(super().visit_For(node))

    # A refusal raised by the budget's trace removes the trace (CPython unsets a trace function
    # that raises), and a script may catch it: each handler and `finally` therefore starts with
    # a budget check, which raises the refusal again (the budget keeps it), so nothing runs
    # after it unwatched.
    def visit_ExceptHandler(self, node: Any) -> Any:
        return _with_budget_check(super().visit_ExceptHandler(node))

    def visit_Try(self, node: Any) -> Any:
        node = super().visit_Try(node)
        if node.finalbody:
            node.finalbody.insert(0, _budget_check(node.finalbody[0]))
        return node

    # A generator's `finally` runs when the generator is dropped, perhaps after the script has
    # returned and the watch is gone (in a later request of the same worker), and a refusal
    # raised there is only printed: scripts make lists instead.
    def visit_Yield(self, node: Any) -> Any:
        self.error(node, "generator functions (yield) are not allowed in BPMN scripts: make a list")
        return node

    def visit_YieldFrom(self, node: Any) -> Any:
        return self.visit_Yield(node)

    # Operators that can make a result far larger than their operands become guarded calls.
    def visit_BinOp(self, node: Any) -> Any:
        node = super().visit_BinOp(node)
        guard = _GUARDED_OPERATORS.get(type(node.op))
        if guard is None:
            return node
        return _guard_call(guard, [node.left, node.right], node)

    def visit_FormattedValue(self, node: Any) -> Any:
        node = super().visit_FormattedValue(node)
        spec = ast.Constant("") if node.format_spec is None else node.format_spec
        node.value = _guard_call(
            "_format_", [node.value, ast.Constant(node.conversion), spec], node
        )
        node.conversion = -1
        node.format_spec = None
        return node

    def visit_List(self, node: Any) -> Any:
        return _guard_starred(super().visit_List(node))

    def visit_Tuple(self, node: Any) -> Any:
        return _guard_starred(super().visit_Tuple(node))

    def visit_Set(self, node: Any) -> Any:
        node = _guard_starred(super().visit_Set(node))
        node.elts = [_key(e) for e in node.elts]
        return node

    # What is compared or hashed is checked first (engine.sandbox_lookups): a value that holds
    # one list many times is small, yet walked item by item in one C-level step.
    def visit_Compare(self, node: Any) -> Any:
        node = super().visit_Compare(node)
        if len(node.ops) == 1 and type(node.ops[0]) in _COMPARISONS:
            op = ast.Constant(_COMPARISONS[type(node.ops[0])])
            return _guard_call("_compare_", [node.left, op, node.comparators[0]], node)
        if all(isinstance(op, ast.Is | ast.IsNot) for op in node.ops):
            return node  # identity: one step
        node.left = _held(node.left)
        node.comparators = [_held(c) for c in node.comparators]
        return node

    def visit_Dict(self, node: Any) -> Any:
        node = super().visit_Dict(node)
        node.keys = [None if k is None else _key(k) for k in node.keys]
        return node

    def visit_DictComp(self, node: Any) -> Any:
        node = super().visit_DictComp(node)
        node.key = _key(node.key)
        return node

    def visit_SetComp(self, node: Any) -> Any:
        node = super().visit_SetComp(node)
        node.elt = _key(node.elt)
        return node

    def visit_Subscript(self, node: Any) -> Any:
        # A read is `_getitem_(value, key)`, whose guard checks the key; a write keeps its form.
        node = super().visit_Subscript(node)
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
            node.slice = _key(node.slice)
        return node


_COMPARISONS: dict[type[ast.cmpop], str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}


def _key(node: Any) -> Any:
    if isinstance(node, ast.Constant):
        return node
    if isinstance(node, ast.Starred):
        node.value = _guard_call("_keys_", [node.value], node)
        return node
    return _guard_call("_key_", [node], node)


def _held(node: Any) -> Any:
    return node if isinstance(node, ast.Constant) else _guard_call("_held_", [node], node)


_GUARDED_OPERATORS: dict[type[ast.operator], str] = {
    ast.BitOr: "_or_",
    ast.BitAnd: "_and_",
    ast.Sub: "_sub_",
    ast.BitXor: "_xor_",
    ast.Mult: "_mul_",
    ast.Pow: "_pow_",
    ast.LShift: "_lshift_",
    ast.Add: "_add_",
    ast.Mod: "_mod_",
}


def _guard_call(name: str, args: list[Any], where: Any) -> Any:
    call = ast.Call(func=ast.Name(name, ast.Load()), args=args, keywords=[])
    return ast.fix_missing_locations(ast.copy_location(call, where))


def _guard_starred(node: Any) -> Any:
    if not isinstance(getattr(node, "ctx", ast.Load()), ast.Load):
        return node  # `a, *rest = values` unpacks, it builds nothing large
    for element in node.elts:
        if isinstance(element, ast.Starred):
            element.value = _guard_call("_starred_", [element.value], element)
    return node


def _with_budget_check(node: Any) -> Any:
    node.body.insert(0, _budget_check(node))
    return node


def _budget_check(where: Any) -> Any:
    check = ast.Expr(
        ast.Call(
            func=ast.Name(BUDGET_NAME, ast.Load()),
            args=[ast.Constant(where.lineno)],
            keywords=[],
        )
    )
    return ast.fix_missing_locations(ast.copy_location(check, where))


_TOO_DEEP = "the script is nested too deeply to be compiled"


@lru_cache(maxsize=4096)
def compile_script(source: str, mode: str) -> CodeType:
    """Compile once per source text; raise SandboxViolation with the first problem found."""
    try:  # Python's own verdict first: what is not Python at all is not a forbidden operation
        ast.parse(source, mode=mode)
    except SyntaxError as exc:  # IndentationError and TabError too
        message = f"{type(exc).__name__}: {exc.msg}"
        raise SandboxSyntaxError(message, exc.lineno or 1, exc.msg) from exc
    except RecursionError as exc:  # `a + a + ...` thousands of times: nested past the parser
        raise SandboxViolation(_TOO_DEEP, 1) from exc
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    try:
        result = compiler(source, filename=SCRIPT_FILENAME, policy=_Policy)
    except RecursionError as exc:
        raise SandboxViolation(_TOO_DEEP, 1) from exc
    if result.errors:
        first = result.errors[0]
        raise SandboxViolation(_without_line(first), _line_of(first))
    if result.code is None:
        raise SandboxViolation("the script could not be compiled", 1)
    code: CodeType = result.code
    return code


def _line_of(message: str) -> int:
    # RestrictedPython reports "Line N: ..."
    if message.startswith("Line "):
        head = message[5:].split(":", 1)[0]
        if head.isdigit():
            return int(head)
    return 1


def _without_line(message: str) -> str:
    # The line travels separately: the caller knows where the script sits in its file.
    if message.startswith("Line ") and ": " in message:
        return message.split(": ", 1)[1]
    return message


def _literal_range_too_long(node: ast.Call) -> bool:
    """`range(1000000)` written with literal numbers, over the limit `_capped_range` enforces."""
    if not (isinstance(node.func, ast.Name) and node.func.id == "range") or node.keywords:
        return False
    values = [
        a.value
        for a in node.args
        if isinstance(a, ast.Constant) and type(a.value) is int  # bool is no length
    ]
    if len(values) != len(node.args) or not 1 <= len(values) <= 3:
        return False
    try:
        return len(range(*values)) > MAX_RANGE
    except (ValueError, OverflowError):
        return False


def _capped_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise SandboxViolation(f"range() of more than {MAX_RANGE:,} items is not allowed")
    return result


_safer_getattr: Callable[..., Any] = safer_getattr
# The members of the module `datetime` reached as attributes of the class (SpiffArena's scripts).
DATETIME_MODULE: dict[str, Any] = {
    "datetime": datetime,
    "date": date,
    "time": dt_time,
    "timedelta": timedelta,
    "timezone": timezone,
}
_MISSING = object()


def _getattr_with(guards: Guards) -> Callable[..., Any]:
    def _getattr(obj: Any, name: str, *default: Any) -> Any:
        # RestrictedPython's guard refuses these too, but with a NotImplementedError that reads
        # like a bug in the engine; say what to write instead.
        if name in ("format", "format_map") and (
            isinstance(obj, str) or (isinstance(obj, type) and issubclass(obj, str))
        ):
            raise SandboxViolation(f"str.{name}() is not allowed in BPMN scripts: use an f-string")
        if name == "mro":  # the real builtin types behind the guarded ones
            raise SandboxViolation("mro() is not available in BPMN scripts")
        if obj is datetime and name in DATETIME_MODULE:
            # SpiffArena's scripts see `datetime` as the module: `datetime.datetime.now()`.
            return DATETIME_MODULE[name]
        value = _safer_getattr(obj, name, *(default or (_MISSING,)))
        if value is _MISSING:
            # RestrictedPython gives None for a missing attribute: `now.set(...)` would then
            # fail as "'NoneType' object is not callable", which names nothing.
            raise AttributeError(f"{type(obj).__name__} has no attribute '{name}'")
        return guards.method(obj, name, value)

    return _getattr


def _hasattr_with(getattr_guard: Callable[..., Any]) -> Callable[[Any, str], bool]:
    """`hasattr` answered by the same guard as attribute access: a name the guard refuses (one
    starting with `_`) is simply not there, so nothing is learnt that a script could not read."""

    def _hasattr(obj: Any, name: str) -> bool:
        if not isinstance(name, str):
            raise TypeError("hasattr(): attribute name must be a string")
        try:
            getattr_guard(obj, name)
        except AttributeError:
            return False
        except SandboxViolation:
            return True  # there, but refused when used (`str.format`)
        return True

    return _hasattr


def _inplacevar_with(guards: Guards) -> Callable[[str, Any, Any], Any]:
    def _inplacevar(op: str, target: Any, value: Any) -> Any:
        if op not in INPLACE_OPERATORS:
            raise SandboxViolation(f"the operator {op} is not allowed")
        return guards.inplace(op, target, value)

    return _inplacevar


def _read_only(name: str, helper: Callable[..., Any]) -> Callable[..., Any]:
    """A helper as a plain function: a script sees no object behind it (a clock's `set`, a
    bound method's instance), only something to call."""
    if type(helper) is FunctionType:
        return helper

    def call(*args: Any, **kwargs: Any) -> Any:
        return helper(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = getattr(helper, "__doc__", None)
    return call


def _runtime_import(name: str, *args: Any, **kwargs: Any) -> Any:
    """The imports C code does on a script's behalf, through the running frame's
    `__import__`: `datetime.strptime()` imports `_strptime` and `strftime()` imports `time` on
    every call (SpiffArena's scripts parse and format dates so). Only those two modules are
    handed out, and only to C code: a script's own `import`, or a name starting with `_`,
    never compiles."""
    found = _RUNTIME_MODULES.get(name)
    if found is None:
        raise SandboxViolation("imports are not allowed in BPMN scripts")
    return found


_RUNTIME_MODULES = {"_strptime": importlib.import_module("_strptime"), "time": time}


def _base_globals(guards: Guards) -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.pop("setattr", None)
    builtins.pop("delattr", None)
    builtins["__import__"] = _runtime_import
    getattr_guard = _getattr_with(guards)
    builtins.update(guards.stepped)  # the stepped `sum` is guards.sum's, for long lists (below)
    builtins.update(
        hasattr=_hasattr_with(getattr_guard),
        range=_capped_range,
        **container_types(guards.lookups),
        hash=guards.lookups.hashed,
        sum=guards.sum,
        pow=guards.pow,
        any=any,
        all=all,
        enumerate=enumerate,
        reversed=reversed,
        **text_builtins(guards),
        **made_builtins(guards),
        **script_modules(guards),
    )
    return {
        "__builtins__": builtins,
        "_getattr_": getattr_guard,
        "_getitem_": _getitem_with(guards),
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar_with(guards),
        "_mul_": guards.mul,
        "_or_": partial(guards.set_op, operator.or_),
        "_and_": partial(guards.set_op, operator.and_),
        "_sub_": partial(guards.set_op, operator.sub),
        "_xor_": partial(guards.set_op, operator.xor),
        "_pow_": guards.pow,
        "_lshift_": guards.lshift,
        "_add_": guards.add,
        "_mod_": guards.mod,
        "_format_": guards.format,
        "_starred_": guards.starred,
        "_compare_": guards.lookups.compare,
        "_held_": guards.lookups.held,
        "_key_": guards.lookups.key,
        "_keys_": guards.lookups.keys,
        # `f(*args)` and `f(**kwargs)` compile to `_apply_(f, *args, **kwargs)`.
        "_apply_": _apply,
        # print() in a script collects into `printed` instead of writing to the server's stdout.
        "_print_": _printer(guards),
        "datetime": datetime,
        "date": date,
        "timedelta": timedelta,
    }


def _getitem_with(guards: Guards) -> Callable[[Any, Any], Any]:
    key = guards.lookups.key

    def _getitem(obj: Any, index: Any) -> Any:
        found = default_guarded_getitem(obj, key(index))
        return guards.made(found) if type(index) is slice else found  # a copy: `a[:]`

    return _getitem


def _apply(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """A call with unpacked arguments, as RestrictedPython compiles it; what it unpacks is in
    memory already, and each thing it reaches is guarded where it is reached."""
    return function(*args, **kwargs)


def _printer(guards: Guards) -> type[PrintCollector]:
    class Printed(PrintCollector):
        """What print() collects, each value's text checked first (as str() checks it)."""

        written = 0

        def _call_print(self, *objects: Any, **kwargs: Any) -> None:
            for value in objects:
                guards.text(value, "print()")
            super()._call_print(*objects, **kwargs)  # type: ignore[no-untyped-call]

        def write(self, text: str) -> None:
            # What all the prints of a run write together, within the size of one value.
            self.written += len(text)
            if self.written > guards.limits.max_size:
                raise SandboxViolation(
                    f"print() would write more than {guards.limits.max_size:,} characters in all"
                )
            super().write(text)

    return Printed


class Sandbox:
    """Evaluates expressions and runs scripts over a task's data."""

    def __init__(
        self,
        helpers: Mapping[str, Callable[..., Any]] | None = None,
        cpu_seconds: float = DEFAULT_CPU_SECONDS,
        limits: Limits | None = None,
    ) -> None:
        self.cpu_seconds = cpu_seconds
        self.limits = limits or Limits()
        self.globals = _base_globals(Guards(self.limits))
        self.globals.update(
            {k: _read_only(k, v) if callable(v) else v for k, v in (helpers or {}).items()}
        )

    def check(self, source: str, mode: str) -> None:
        """Compile only: used when a diagram is deployed."""
        compile_script(source, mode)

    def evaluate(self, expression: str, context: Mapping[str, Any]) -> Any:
        source = expression.strip()
        code = compile_script(source, "eval")  # refused names are refused here, as ever
        if source in context and _is_plain_name(source):
            # A variable's name alone (an owner `${nguoi_xu_ly}`, a flag as a condition): its
            # value, as eval over the same scope gives it, without copying the helpers.
            return context[source]
        if _bounded(source):
            # Names, constants, comparisons and `and`/`or`/`not` (most gateways' conditions):
            # no loop, no call, nothing made bigger than the data compared, so nothing for a
            # budget to stop. The data shadows the helpers as in the merged scope below. What
            # they compare is the item's data, whose walk its size limit bounds (a value that
            # holds one list many times counts each time there too): no lookups' check.
            return eval(_plain(source), self.globals, context)
        scope = dict(self.globals)
        scope.update(context)
        return with_cpu_budget(lambda: eval(code, scope), scope, self.cpu_seconds, self.limits)

    def execute(
        self, script: str, context: dict[str, Any], extra: Mapping[str, Any] | None = None
    ) -> None:
        overwritten = sorted(set(context) & (set(self.globals) - {"__builtins__"}))
        if overwritten:
            raise SandboxViolation(
                "task data overwrites a helper available to scripts: " + ", ".join(overwritten)
            )
        code = compile_script(script, "exec")
        scope = dict(self.globals)
        scope.update(extra or {})
        scope.update(context)
        with_cpu_budget(lambda: exec(code, scope), scope, self.cpu_seconds, self.limits)
        hidden = set(self.globals) | set(extra or {})
        kept = {
            key: value
            for key, value in scope.items()
            if not (key in hidden or callable(value) or key.startswith("_"))
        }
        # Refused here, the task's data is left as it was and the error names the script.
        check_storable(kept, self.limits)
        context.update(kept)
        for key in list(context):
            if key not in scope:
                del context[key]


def _is_plain_name(source: str) -> bool:
    return source.isidentifier() and not keyword.iskeyword(source)


# What `_bounded` lets an expression hold: each step a comparison or a test of truth, whose
# time and memory are those of the values compared (the item's data, itself bounded).
_BOUNDED_NODES = (
    ast.Expression,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.Tuple,  # of the expression's own items: `status in ("a", "b")`
    ast.List,
    ast.Compare,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.Is,
    ast.IsNot,
    ast.In,
    ast.NotIn,
)


# ... and at most this many of them: each comparison may take as long as the data it compares,
# so thousands of them over large values would run for seconds with nothing to stop them.
MAX_BOUNDED_NODES = 64


@lru_cache(maxsize=4096)
def _plain(source: str) -> CodeType:
    """A bounded expression (checked by `compile_script` first) compiled as Python compiles it."""
    return compile(source, SCRIPT_FILENAME, "eval")


@lru_cache(maxsize=4096)
def _bounded(source: str) -> bool:
    """Whether an expression (compiled already, so valid) is a few comparisons that can neither
    loop nor call anything: evaluated without the CPU and memory budget, whose set-up (a trace
    function, two reads of the process's memory) cost more than such an expression itself."""
    nodes = list(ast.walk(ast.parse(source, mode="eval")))
    return len(nodes) <= MAX_BOUNDED_NODES and all(isinstance(n, _BOUNDED_NODES) for n in nodes)


def script_error(exc: BaseException, element_id: str | None) -> ScriptError:
    """Translate whatever a script raised into the engine's ScriptError."""
    line = getattr(exc, "lineno", None) or None
    message = str(exc) or exc.__class__.__name__
    if not isinstance(exc, SandboxViolation):
        message = f"{exc.__class__.__name__}: {message}"
    error = ScriptError(message, element_id=element_id, line=line)
    if isinstance(exc, UnstorableValue):
        # The web words these in the user's language from the reason and the value's type.
        named = {"reason": exc.reason, "field": exc.field, "value_type": exc.value_type}
        error.details.update({k: v for k, v in named.items() if v})
    return error


def evaluate_expression(
    environment: Any, code: str, data: Mapping[str, Any], element_id: str, what: str
) -> Any:
    """A diagram's expression evaluated in the script engine's environment: a sandbox refusal
    as itself, anything else the expression raises as a ScriptError saying `what` failed."""
    try:
        return environment.evaluate(code, data)
    except SandboxViolation as exc:
        raise script_error(exc, element_id) from exc
    except Exception as exc:  # a diagram's expression may raise anything
        raise ScriptError(
            f"{what}: {exc.__class__.__name__}: {exc}", element_id=element_id
        ) from exc
