"""JavaScript from Camunda 7 models, run in an embedded QuickJS engine (the `quickjs` package).

Every run gets a fresh QuickJS context with a hard memory limit and a CPU time limit, and sees
only plain JSON values: the item's data goes in as JSON text, the script's changes come back as
JSON text. What a script can call is the bridge written below in JavaScript itself — an
`execution` object (and a `task` object for task listeners) with Camunda's method names over
that JSON copy — never a Python or Java object. QuickJS as built by the package has no
modules, no `std`/`os`, no network and no files; `Java`, `Packages`, `require`, `fetch`,
`XMLHttpRequest` and friends are names that fail with a clear error.

Camunda's habits kept: process variables can be read by name as globals, and only what goes
through `execution.setVariable` (or `task.setVariable`) is stored; a condition's completion
value must be a boolean.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import quickjs

from .sandbox_errors import SandboxViolation
from .sandbox_guards import Limits, check_storable

__all__ = [
    "JS_FORMATS",
    "JS_MARKER",
    "JavaScriptError",
    "Outcome",
    "ScriptScope",
    "compile_script",
    "is_javascript",
    "marked",
    "run_listener_script",
    "run_script",
    "unmarked",
]

JS_FORMATS = frozenset({"javascript", "ecmascript", "js"})
# A script or condition read from a JavaScript element is carried in the spec with this first
# line: never valid Python, so it cannot be mistaken for the sandbox's language.
JS_MARKER = "//@javascript\n"
DEFAULT_MEMORY_BYTES = 32 * 1024 * 1024
STACK_BYTES = 512 * 1024
# A stack frame: "at NAME (<input>:LINE)"; a syntax error has only "at <input>:LINE".
_FRAME = re.compile(r"at (?:(\S+) \()?<input>:(\d+)")
_BRIDGE = "__pheduyet_"
_BLOCKED = (
    "Java",
    "Packages",
    "JavaImporter",
    "importClass",
    "importPackage",
    "java",
    "javax",
    "require",
    "load",
    "loadWithNewGlobal",
    "fetch",
    "XMLHttpRequest",
    "WebSocket",
    "importScripts",
    "process",
)

# The bridge. It runs before the script in the same context and keeps everything it needs in
# its closure; only `execution`, `task`, the variables as globals and the blocked names are
# left on the global object, and `__pheduyet_outcome` which the host calls at the end.
_PRELUDE = r"""
(function (input, blocked) {
  // Maps without a prototype: a variable named "__proto__" is a variable like any other.
  var vars = Object.create(null), info = input.info;
  var changed = Object.create(null), removed = Object.create(null);
  var people = {assignee: info.assignee, set: false, groups: [], users: []};
  for (var given in input.vars) vars[given] = input.vars[given];
  var has = Object.prototype.hasOwnProperty, copy, named;
  // QuickJS's JSON.stringify recurses in C without looking at the stack: a value nested some
  // 100,000 levels deep crashed the whole process. With a replacer every level is a
  // JavaScript call, which does look: a clean "stack overflow" error instead. The scripts'
  // JSON.stringify, the bridge and the host all go through a replacer.
  var __pheduyet_stringify = JSON.stringify;
  function same(key, value) { return value; }
  function guarded(value) { return __pheduyet_stringify(value, same); }
  JSON.stringify = function stringify(value, replacer, space) {
    if (typeof replacer === 'function') {
      var given = replacer;
      replacer = function (key, found) { return given.call(this, key, found); };
    } else if (Array.isArray(replacer)) {
      // A list of names keeps those properties of every object, in the list's order.
      var names = replacer.filter(function (name) {
        return typeof name === 'string' || typeof name === 'number' ||
          name instanceof String || name instanceof Number;
      }).map(String);
      replacer = function (key, found) {
        if (found === null || typeof found !== 'object' || Array.isArray(found)) return found;
        var kept = {};
        names.forEach(function (name) { kept[name] = found[name]; });
        return kept;
      };
    } else {
      replacer = same;
    }
    return __pheduyet_stringify(value, replacer, space);
  };
  Object.defineProperty(globalThis, '__pheduyet_json', {value: guarded, writable: false,
                                                        configurable: false});
  function __pheduyet_copy(value) {
    if (value === undefined) return null;
    var text = guarded(value);
    return text === undefined ? null : JSON.parse(text);
  }
  copy = __pheduyet_copy;
  function __pheduyet_named(name) {
    if (typeof name !== 'string' || name === '')
      throw new TypeError('a variable name must be a non-empty string');
    return name;
  }
  named = __pheduyet_named;
  function __pheduyet_set(name, value) {
    name = named(name);
    vars[name] = copy(value);
    changed[name] = true;
    delete removed[name];
  }
  function constant(value) { return function () { return value; }; }
  function __pheduyet_get(name) {
    name = named(name);
    return has.call(vars, name) ? copy(vars[name]) : null;
  }
  function __pheduyet_all() { return copy(vars); }
  function __pheduyet_has(name) { return has.call(vars, named(name)); }
  function __pheduyet_remove(name) {
    name = named(name);
    delete vars[name];
    delete changed[name];
    removed[name] = true;
  }
  function __pheduyet_set_all(values) {
    if (values === null || typeof values !== 'object')
      throw new TypeError('setVariables takes an object of names and values');
    for (var key in values) __pheduyet_set(key, values[key]);
  }
  // An item's business key is its `business_key` variable (see engine/messages.py).
  function __pheduyet_key() { return __pheduyet_get('business_key'); }
  // Camunda's local variants: an item has one scope of variables here.
  var execution = {
    getVariable: __pheduyet_get,
    getVariableLocal: __pheduyet_get,
    getVariables: __pheduyet_all,
    getVariablesLocal: __pheduyet_all,
    hasVariable: __pheduyet_has,
    hasVariableLocal: __pheduyet_has,
    setVariable: __pheduyet_set,
    setVariableLocal: __pheduyet_set,
    setVariables: __pheduyet_set_all,
    setVariablesLocal: __pheduyet_set_all,
    removeVariable: __pheduyet_remove,
    removeVariableLocal: __pheduyet_remove,
    getId: constant(info.executionId),
    getName: constant(info.name),
    getEventName: constant(info.eventName),
    getProcessInstanceId: constant(info.processInstanceId),
    getProcessDefinitionId: constant(info.processDefinitionId),
    getActivityId: constant(info.elementId),
    getCurrentActivityId: constant(info.elementId),
    getCurrentActivityName: constant(info.name),
    getBusinessKey: __pheduyet_key,
    getProcessBusinessKey: __pheduyet_key
  };
  Object.freeze(execution);
  globalThis.execution = execution;
  // A connector's parameters see the connector's variables (its response among them); here
  // they are the task's data, the response merged in.
  if (info.withConnector) {
    globalThis.connector = Object.freeze({
      getVariable: __pheduyet_get,
      getVariableLocal: __pheduyet_get,
      getVariables: __pheduyet_all,
      getVariablesLocal: __pheduyet_all,
      hasVariable: __pheduyet_has,
      hasVariableLocal: __pheduyet_has
    });
  }
  if (info.withTask) {
    var task = {};
    for (var key in execution) task[key] = execution[key];
    task.getId = constant(info.taskId);
    task.getTaskDefinitionKey = constant(info.elementId);
    task.getExecution = constant(execution);
    task.execution = execution;  // Nashorn read getExecution() as a property too
    task.getAssignee = function () { return people.assignee; };
    task.setAssignee = function __pheduyet_assign(who) {
      if (who !== null && who !== undefined && typeof who !== 'string')
        throw new TypeError('an assignee must be a user name (a string) or null');
      people.assignee = who === undefined ? null : who;
      people.set = true;
    };
    function __pheduyet_candidates(list) {
      return function (names) {
        [].concat(names).forEach(function (name) {
          if (typeof name !== 'string' || name === '')
            throw new TypeError('a candidate must be a non-empty string');
          if (list.indexOf(name) < 0) list.push(name);
        });
      };
    }
    task.addCandidateGroup = __pheduyet_candidates(people.groups);
    task.addCandidateGroups = task.addCandidateGroup;
    task.addCandidateUser = __pheduyet_candidates(people.users);
    task.addCandidateUsers = task.addCandidateUser;
    globalThis.task = Object.freeze(task);
  }
  // Spin's S() on JSON, as Camunda scripts read and build JSON variables: a node over a plain
  // JSON value (no Java, no XML); stored as its JSON through toJSON.
  function __pheduyet_node(value) {
    function kind(want) {
      return function () {
        if (typeof value !== want) throw new TypeError('the JSON node is no ' + want);
        return value;
      };
    }
    function isObject() {
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    }
    var node = {
      prop: function (name, given) {
        if (!isObject()) throw new TypeError('the JSON node is no object');
        if (arguments.length > 1) { value[name] = copy(given); return node; }
        if (!has.call(value, name))
          throw new ReferenceError('the JSON object has no property ' + name);
        return __pheduyet_node(value[name]);
      },
      hasProp: function (name) { return isObject() && has.call(value, name); },
      deleteProp: function (name) { if (isObject()) delete value[name]; return node; },
      value: function () { return copy(value); },
      stringValue: kind('string'),
      numberValue: kind('number'),
      boolValue: kind('boolean'),
      isNull: function () { return value === null; },
      isString: function () { return typeof value === 'string'; },
      isNumber: function () { return typeof value === 'number'; },
      isBoolean: function () { return typeof value === 'boolean'; },
      isArray: function () { return Array.isArray(value); },
      isObject: isObject,
      elements: function () {
        if (!Array.isArray(value)) throw new TypeError('the JSON node is no array');
        return value.map(__pheduyet_node);
      },
      append: function (given) {
        if (!Array.isArray(value)) throw new TypeError('the JSON node is no array');
        value.push(copy(given)); return node;
      },
      jsonPath: function (path) { return __pheduyet_query(value, String(path)); },
      toString: function () { return guarded(value); },
      toJSON: function () { return value; }
    };
    return node;
  }
  // Spin's jsonPath on the same nodes: `$`, `.name`, `['name']`, `[n]`, `*`, `..` and filters
  // `[?(@.a.b == 'x')]` (==, !=, <, <=, >, >=, or only `@.a` for "has it"). A path with none
  // of `..`, `*` or a filter names one value, as Jayway's definite paths do.
  function __pheduyet_query(root, path) {
    function all(v) {
      var out = [v];
      if (v !== null && typeof v === 'object')
        for (var k in v) if (has.call(v, k)) out = out.concat(all(v[k]));
      return out;
    }
    function children(v) {
      if (v === null || typeof v !== 'object') return [];
      return Array.isArray(v) ? v.slice() : Object.keys(v).map(function (k) { return v[k]; });
    }
    function child(v, name) {
      var object = v !== null && typeof v === 'object' && !Array.isArray(v);
      return object && has.call(v, name) ? [v[name]] : [];
    }
    function at(v, n) {
      if (!Array.isArray(v)) return [];
      if (n < 0) n += v.length;
      return n >= 0 && n < v.length ? [v[n]] : [];
    }
    function each(list, pick) {
      return list.reduce(function (out, v) { return out.concat(pick(v)); }, []);
    }
    function bad(part) {
      return new SyntaxError('the JSON path ' + path + ' has a part not supported here: ' + part);
    }
    function literal(text) {
      text = text.trim();
      if (/^'[^']*'$/.test(text) || /^"[^"]*"$/.test(text)) return text.slice(1, -1);
      if (text === 'true' || text === 'false') return text === 'true';
      if (text === 'null') return null;
      if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
      throw bad(text);
    }
    function predicate(inner) {
      var target = /@((?:\.[A-Za-z_$][\w$-]*|\[(?:'[^']*'|"[^"]*"|\d+)\])*)/.source;
      var compare = /\s*(?:(==|!=|<=|>=|<|>)\s*(.+?))?\s*\)$/.source;
      var m = new RegExp('^\\?\\(\\s*' + target + compare).exec(inner);
      if (!m) throw bad('[' + inner + ']');
      var steps = m[1].match(/\.[A-Za-z_$][\w$-]*|\[[^\]]*\]/g) || [];
      var want = m[2] ? literal(m[3]) : undefined;
      return function (v) {
        var found = [v];
        steps.forEach(function (step) {
          var key = step.charAt(0) === '.' ? step.slice(1) : step.slice(1, -1);
          found = /^\d+$/.test(key) ? each(found, function (x) { return at(x, +key); })
            : each(found, function (x) { return child(x, key.replace(/^['"]|['"]$/g, '')); });
        });
        if (!found.length) return false;
        var x = found[0];
        switch (m[2]) {
          case undefined: return true;
          case '==': return x === want;
          case '!=': return x !== want;
          case '<': return x < want;
          case '<=': return x <= want;
          case '>': return x > want;
          default: return x >= want;
        }
      };
    }
    if (path.charAt(0) !== '$') throw bad(path.charAt(0));
    var nodes = [root], definite = true, i = 1;
    while (i < path.length) {
      var deep = path.substr(i, 2) === '..';
      if (deep) { i += 2; definite = false; } else if (path.charAt(i) === '.') i += 1;
      var base = deep ? each(nodes, all) : nodes;
      if (path.charAt(i) === '[') {
        var end = i + 1, quote = null, depth = 0;
        for (; end < path.length; end++) {
          var c = path.charAt(end);
          if (quote) { if (c === quote) quote = null; }
          else if (c === "'" || c === '"') quote = c;
          else if (c === '(') depth++;
          else if (c === ')') depth--;
          else if (c === ']' && depth === 0) break;
        }
        var inner = path.slice(i + 1, end).trim();
        i = end + 1;
        if (inner === '*') { nodes = each(base, children); definite = false; }
        else if (/^-?\d+$/.test(inner)) nodes = each(base, function (v) { return at(v, +inner); });
        else if (/^'[^']*'$/.test(inner) || /^"[^"]*"$/.test(inner))
          nodes = each(base, function (v) { return child(v, inner.slice(1, -1)); });
        else if (inner.charAt(0) === '?') {
          var test = predicate(inner);
          nodes = each(base, function (v) { return children(v).filter(test); });
          definite = false;
        } else throw bad('[' + inner + ']');
      } else {
        var name = /^(\*|[A-Za-z_$][\w$-]*)/.exec(path.slice(i));
        if (!name) throw bad(path.slice(i));
        i += name[0].length;
        if (name[0] === '*') { nodes = each(base, children); definite = false; }
        else nodes = each(base, function (v) { return child(v, name[0]); });
      }
    }
    function one() {
      if (!definite) return __pheduyet_node(nodes);
      if (!nodes.length) throw new ReferenceError('the JSON path ' + path + ' finds nothing');
      return __pheduyet_node(nodes[0]);
    }
    var query = {
      element: one,
      elementList: function () {
        var found = definite && nodes.length === 1 && Array.isArray(nodes[0]) ? nodes[0] : nodes;
        var list = found.map(__pheduyet_node);
        list.isEmpty = function () { return list.length === 0; };
        list.size = function () { return list.length; };
        list.get = function (n) { return list[n]; };
        return list;
      },
      stringValue: function () { return one().stringValue(); },
      numberValue: function () { return one().numberValue(); },
      boolValue: function () { return one().boolValue(); }
    };
    return query;
  }
  globalThis.S = function S(given) {
    return __pheduyet_node(typeof given === 'string' ? JSON.parse(given) : copy(given));
  };
  // A JSON variable (Spin's S(), a JSON input) was a Spin value in Camunda, whose text
  // JSON.parse read through toString(); here it is already the plain value: parse a copy.
  var __pheduyet_parse = JSON.parse;
  JSON.parse = function parse(text, reviver) {
    if (text !== null && typeof text === 'object')
      return __pheduyet_parse(guarded(text), reviver);
    return __pheduyet_parse(text, reviver);
  };
  // Nashorn's print() and console.log(): accepted, and what they print is dropped.
  function __pheduyet_quiet() {}
  globalThis.print = __pheduyet_quiet;
  globalThis.console = Object.freeze({log: __pheduyet_quiet, info: __pheduyet_quiet,
    warn: __pheduyet_quiet, error: __pheduyet_quiet, debug: __pheduyet_quiet});
  blocked.forEach(function (name) {
    Object.defineProperty(globalThis, name, {
      get: function __pheduyet_blocked() {
        throw new ReferenceError(name + ' is not available: scripts here run without Java ' +
          'classes, modules, network or files; use execution.getVariable/setVariable');
      }
    });
  });
  for (var name in vars) {
    if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) && !(name in globalThis))
      globalThis[name] = copy(vars[name]);
  }
  // Read by the host after the script; the script can neither replace nor remove it.
  Object.defineProperty(globalThis, '__pheduyet_outcome', {
    value: function () {
      var out = Object.create(null), gone = [];
      for (var key in changed) out[key] = vars[key];
      for (key in removed) gone.push(key);
      return guarded({vars: out, removed: gone, assignee: people.assignee,
                             assigneeSet: people.set, groups: people.groups,
                             users: people.users});
    },
    writable: false,
    configurable: false
  });
})(JSON.parse(__pheduyet_input), JSON.parse(__pheduyet_blocked));
delete globalThis.__pheduyet_input;
delete globalThis.__pheduyet_blocked;
"""


class JavaScriptError(SandboxViolation):
    """A JavaScript script failed or was stopped; carries the script's line when known."""


@dataclass(frozen=True)
class ScriptScope:
    """Who runs the script: what `execution` and `task` answer about themselves."""

    element_id: str
    name: str = ""
    event_name: str | None = None
    process_instance_id: str | None = None
    process_definition_id: str | None = None
    task_id: str | None = None
    assignee: str | None = None
    with_task: bool = False
    with_connector: bool = False  # a connector's parameter: `connector` reads its variables


@dataclass(frozen=True)
class Outcome:
    """What a run changed: variables set (JSON values), variables removed, the assignee (if
    the script set one) and the script's completion value."""

    value: Any = None
    variables: dict[str, Any] = field(default_factory=dict)
    removed: tuple[str, ...] = ()
    assignee: str | None = None
    assignee_set: bool = False
    candidate_groups: tuple[str, ...] = ()  # what task.addCandidateGroup(s) added
    candidate_users: tuple[str, ...] = ()


def is_javascript(script_format: str | None) -> bool:
    return (script_format or "").strip().lower() in JS_FORMATS


def marked(source: str) -> str:
    return JS_MARKER + source


# QuickJS checks its time limit between bytecodes, not inside its C built-ins: an array
# method called on an array-like of length 1e10 (`Array.prototype.indexOf.call({length: 1e10},
# 1)`, a sparse array of length 2**32 - 1 sorted) or a backtracking regular expression ran for
# minutes. Each array method refuses a length no array in the memory limit can have, and
# `exec` (which test, match, replace, search and split call) a pattern with a repeated group
# that repeats inside it, the shape that backtracks without end (`/(a+)+$/`).
_LIMITS = r"""
(function () {
  var MAX = 10000000, proto = Array.prototype;
  Object.getOwnPropertyNames(proto).forEach(function (name) {
    var found = Object.getOwnPropertyDescriptor(proto, name);
    if (name === 'constructor' || typeof found.value !== 'function') return;
    var original = found.value;
    var checked = function () {
      if (this !== null && this !== undefined && Number(Object(this).length) > MAX)
        throw new RangeError('an array of more than ' + MAX + ' items is not allowed');
      return original.apply(this, arguments);
    };
    Object.defineProperty(proto, name, {value: checked, writable: true, configurable: true});
  });
  var exec = RegExp.prototype.exec;
  var nested = /\((?:[^()\\]|\\.)*[*+}](?:[^()\\]|\\.)*\)[*+{]/;
  Object.defineProperty(RegExp.prototype, 'exec', {value: function (text) {
    if (exec.call(nested, String(this.source)) !== null)
      throw new SyntaxError('a regular expression with a repeated group that repeats inside ' +
        'it (such as (a+)+) is not allowed: it can run without end');
    return exec.call(this, text);
  }, writable: true, configurable: true});
})();
"""


def unmarked(text: Any) -> str | None:
    """The JavaScript source of a marked script, or None for anything else."""
    if isinstance(text, str) and text.startswith(JS_MARKER):
        return text[len(JS_MARKER) :]
    return None


def _context(cpu_seconds: float, memory_bytes: int) -> Any:
    context = quickjs.Context()
    context.set_memory_limit(memory_bytes)
    context.set_time_limit(max(cpu_seconds, 0.01))
    context.set_max_stack_size(STACK_BYTES)
    return context


def _line(text: str) -> int:
    """The line of the script's own frame nearest the error (the bridge's frames skipped)."""
    for found in _FRAME.finditer(text):
        if not (found.group(1) or "").startswith(_BRIDGE):
            return int(found.group(2))
    return 0


def _error(exc: Exception, cpu_seconds: float, memory_bytes: int) -> JavaScriptError:
    text = str(exc).strip()
    head = text.splitlines()[0] if text else ""
    line = _line(text)
    if "interrupted" in head:
        return JavaScriptError(
            f"the script ran longer than its limit of {cpu_seconds:g} s of CPU time", line
        )
    if "out of memory" in head or head in ("", "null"):
        return JavaScriptError(
            f"the script used more memory than its limit of {memory_bytes // (1024 * 1024)} MB",
            line,
        )
    if "stack overflow" in head:
        return JavaScriptError(
            "the script called itself or nested a value too deeply (stack overflow)", line
        )
    return JavaScriptError(f"JavaScript {head}", line)


def compile_script(source: str) -> None:
    """Check the script's syntax without running any of it; raise JavaScriptError with the
    line (counted in `source`) of the first error. The parser reads the whole text before the
    first statement runs, and that statement throws at once."""
    context = _context(1.0, DEFAULT_MEMORY_BYTES)
    try:
        context.eval("throw '__pheduyet_compiled__';" + source)
    except quickjs.JSException as exc:
        if "__pheduyet_compiled__" in str(exc).splitlines()[0]:
            return
        error = _error(exc, 1.0, DEFAULT_MEMORY_BYTES)
        if str(exc).startswith("SyntaxError"):
            reason = str(error.args[0]).removeprefix("JavaScript SyntaxError: ")
            raise JavaScriptError(f"JavaScript syntax error: {reason}", error.lineno or 1) from exc
        raise error from exc


def _json_default(value: Any) -> Any:
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def run_script(
    source: str,
    data: Mapping[str, Any],
    scope: ScriptScope,
    *,
    cpu_seconds: float,
    max_data_bytes: int,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
) -> Outcome:
    """Run `source` over a JSON copy of `data` in a fresh context; return what it changed.
    Raises JavaScriptError (a SandboxViolation) for anything the script did wrong, the limits
    included; nothing is applied anywhere by this function."""
    info = {
        "executionId": scope.task_id or scope.process_instance_id,
        "name": scope.name,
        "eventName": scope.event_name,
        "processInstanceId": scope.process_instance_id,
        "processDefinitionId": scope.process_definition_id,
        "elementId": scope.element_id,
        "taskId": scope.task_id,
        "assignee": scope.assignee,
        "withTask": scope.with_task,
        "withConnector": scope.with_connector,
    }
    payload = {"vars": {k: v for k, v in data.items() if not callable(v)}, "info": info}
    text = json.dumps(payload, default=_json_default, allow_nan=False)
    if len(text) > max_data_bytes + 64 * 1024:
        raise JavaScriptError(
            f"the item's data is larger than its limit of {max_data_bytes:,} bytes"
        )
    context = _context(cpu_seconds, memory_bytes)
    context.set("__pheduyet_input", text)
    context.set("__pheduyet_blocked", json.dumps(_BLOCKED))
    try:
        context.eval(_PRELUDE)
        context.eval(_LIMITS)
    except quickjs.JSException as exc:  # the data alone is over the memory limit
        raise _error(exc, cpu_seconds, memory_bytes) from exc
    try:
        value = context.eval(source)
        if isinstance(value, quickjs.Object):  # a function or a symbol gives no JSON: null
            value = json.loads(context.get("__pheduyet_json")(value) or "null")
        result = context.eval("__pheduyet_outcome()")
    except quickjs.JSException as exc:
        raise _error(exc, cpu_seconds, memory_bytes) from exc
    if not isinstance(result, str):
        raise JavaScriptError("the script's changes could not be read back")
    if len(result.encode()) > max_data_bytes:
        raise JavaScriptError(
            f"the script's changes are larger than the data limit of {max_data_bytes:,} bytes"
        )
    answer = json.loads(result)
    variables = answer.get("vars") if isinstance(answer, dict) else None
    removed = answer.get("removed") if isinstance(answer, dict) else None
    if not isinstance(variables, dict) or not isinstance(removed, list):
        raise JavaScriptError("the script's changes could not be read back")
    check_storable(variables, Limits(max_data_bytes=max_data_bytes))
    assignee = answer.get("assignee")
    return Outcome(
        value=value if not isinstance(value, float) or math.isfinite(value) else None,
        variables=variables,
        removed=tuple(str(name) for name in removed),
        assignee=assignee if isinstance(assignee, str) and assignee else None,
        assignee_set=answer.get("assigneeSet") is True,
        candidate_groups=_names(answer.get("groups")),
        candidate_users=_names(answer.get("users")),
    )


def _names(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def run_listener_script(
    source: str,
    data: Mapping[str, Any],
    scope: ScriptScope,
    *,
    cpu_seconds: float,
    max_data_bytes: int,
) -> Outcome:
    """A task or execution listener's script: as `run_script`, with `task` bound when
    `scope.with_task` (task listeners) and `scope.event_name` as `getEventName()`."""
    return run_script(source, data, scope, cpu_seconds=cpu_seconds, max_data_bytes=max_data_bytes)
