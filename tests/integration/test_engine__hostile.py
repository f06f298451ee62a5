"""Hostile and broken input: every file of tests/fixtures/hostile is refused with a message that
names the file, the element and the line where it can, or (a script that never ends, a timer or a
loop computed from the item's data) is stopped when it runs; nothing is stored either way.
Refusals at deploy happen before any SQL and run on SQLite; what is stopped at run time runs on
SQLite and PostgreSQL, since its transaction must roll back."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

import engine
from engine import SourceFile, transaction
from tests.conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"
LIMIT = 5 * 1024 * 1024

# (files deployed together, joined by "+": the refusal names the last one; words its reason
#  must contain; the element it names or None; the line it names or None)
REFUSED: list[tuple[str, tuple[str, ...], str | None, int | None]] = [
    ("xxe_file.bpmn", ("DOCTYPE", "not allowed"), None, 2),
    ("xxe_http.bpmn", ("DOCTYPE", "not allowed"), None, 2),
    ("billion_laughs.bpmn", ("DOCTYPE", "entities"), None, 2),
    ("doctype.bpmn", ("DOCTYPE",), None, 2),
    ("parameter_entity.bpmn", ("DOCTYPE",), None, 2),
    ("xinclude.bpmn", ("XInclude", "not allowed"), None, 7),
    ("truncated.bpmn", ("not well-formed XML",), None, 7),
    ("empty.bpmn", ("not well-formed XML", "empty"), None, 1),
    ("invalid_utf8.bpmn", ("not valid UTF-8",), None, 6),
    ("utf16.bpmn", ("not valid UTF-8",), None, 1),
    ("not_bpmn_root.bpmn", ("root element", "<svg>"), None, 2),
    ("no_namespace_root.bpmn", ("root element", "not BPMN 2.0"), None, 2),
    ("dmn_only.dmn", ("no BPMN diagram",), None, None),
    ("not_executable.bpmn", ("no executable process", "isExecutable"), "hostile_not_executable", 3),
    ("schema_invalid.bpmn", ("bpmn:frobnicate", "not expected"), "frob", 7),
    ("process_id_quote.bpmn", ("not a valid value",), "hostile_quote']|//*[@id='x", 3),
    (
        "duplicate_process_a.bpmn+duplicate_process_b.bpmn",
        ("defined twice", "also in duplicate_process_a"),
        "hostile_duplicate",
        3,
    ),
    ("missing_call_target.bpmn", ("no_such_process", "nor deployed"), "act", 6),
    ("broken_flow.bpmn", ("targetRef", "nowhere"), "f_lost", 7),
    ("script_import_os.bpmn", ("imports",), "act", 7),
    ("script_from_import.bpmn", ("imports",), "act", 8),
    ("script_subclasses.bpmn", ("__subclasses__", "starts with"), "act", 7),
    ("script_dunder_getattr.bpmn", ("getattr()", "not available"), "act", 7),
    ("script_type_escape.bpmn", ("type()", "not available"), "act", 7),
    ("script_open.bpmn", ("open()", "not available"), "act", 8),
    ("script_syntax_error.bpmn", ("SyntaxError", "never closed"), "act", 7),
    ("script_indentation_error.bpmn", ("IndentationError", "unexpected indent"), "act", 8),
    ("condition_import.bpmn", ("__import__",), "f_escape", 9),
    ("timer_expression_escape.bpmn", ("__subclasses__",), "wait", 8),
    ("prescript_escape.bpmn", ("imports",), "act", 8),
    ("postscript_escape.bpmn", ("globals()", "not available"), "act", 8),
    ("loop_condition_escape.bpmn", ("__import__",), "act", 8),
    ("owner_expression_escape.bpmn", ("owner expression", "__name__"), "act", 6),
    ("form_missing.bpmn", ("missing_form.json", "not among the deployed files"), "act", 6),
    ("timer_huge_duration.bpmn", ("P99999999Y", "longer than 100 years"), "wait", 8),
    ("timer_year_one.bpmn", ("0001-01-01", "outside the years 2000 to 2126"), "wait", 8),
    ("timer_year_9999.bpmn", ("9999-12-31", "outside the years 2000 to 2126"), "wait", 8),
    ("timer_zero_cycle.bpmn", ("R/PT0S", "at least a minute"), "remind", 9),
    ("due_literal_year_one.bpmn", ("due date", "0001-01-01", "outside the years"), "act", 6),
    ("call_self.bpmn", ("its own process", "hostile_call_self", "may not call itself"), "again", 6),
    ("multi_instance_huge.bpmn", ("1,000,000", "at most 1,000 instances"), "consult", 8),
    (
        "dmn_escape.bpmn+dmn_escape.dmn",
        ("decision expression", "__subclasses__"),
        "rule_big_out",
        17,
    ),
    (
        "dmn_input_escape.bpmn+dmn_input_escape.dmn",
        ("decision expression", "__import__"),
        "input_budget_expr",
        7,
    ),
    ("dmn_entry_escape.bpmn+dmn_entry_escape.dmn", ("open()", "not available"), "rule_big_in", 16),
    ("uses_bad_form.bpmn+bad_form.json", ("not valid JSON",), None, 5),
    (
        "uses_invalid_schema_form.bpmn+invalid_schema_form.json",
        ("JSON Schema", "objekt"),
        None,
        None,
    ),
    (
        "uses_remote_ref_form.bpmn+remote_ref_form.json",
        ("outside itself", "127.0.0.1:9"),
        None,
        None,
    ),
    ("utf16_doctype.bpmn", ("UTF-16", "not UTF-8"), None, 1),
    ("utf32_entity.bpmn", ("UTF-32", "not UTF-8"), None, 1),
    ("nul.bpmn", ("NUL character",), None, 6),
    ("uses_form_redos.bpmn+form_redos.json", ("^(a+)+$", "exponential time"), None, None),
    (
        "uses_form_ref_cycle.bpmn+form_ref_cycle.json",
        ("#/$defs/leader", "leads back to itself"),
        None,
        None,
    ),
]

# Scripts that compile and are only stopped when they run: (file, the element named).
ENDLESS = [
    pytest.param("endless_loop.bpmn", "act", id="while_true_pass"),
    pytest.param("endless_loop_condition.bpmn", "gw", id="endless_condition"),
]

# Diagrams that deploy and are stopped when the item's data drives them past a bound: (file, the
# start data, the element named, words of the reason, the loop limit of the engine's config).
STOPPED = [
    pytest.param(
        "timer_data_duration.bpmn",
        {"wait": "P99999999Y"},
        "wait",
        ("gave 'P99999999Y'", "longer than 100 years"),
        None,
        id="timer_duration_from_data",
    ),
    pytest.param(
        "timer_data_cycle.bpmn",
        {"every": "R/PT0S"},
        "remind",
        ("gave 'R/PT0S'", "at least a minute"),
        None,
        id="timer_cycle_from_data",
    ),
    pytest.param(
        "due_year_one.bpmn",
        {"han_xu_ly": "0001-01-01"},
        "act",
        ("refused due date", "0001-01-01", "outside the years 2000 to 2126"),
        None,
        id="due_date_year_one",
    ),
    pytest.param(
        "due_year_one.bpmn",
        {"han_xu_ly": "9999-12-31T23:59:59+14:00"},
        "act",
        ("refused due date", "9999-12-31"),
        None,
        id="due_date_year_9999",
    ),
    pytest.param(
        "multi_instance_data.bpmn",
        {"units": [f"unit {n}" for n in range(10**6)]},
        "consult",
        ("collection 'units' has 1,000,000 items", "at most 1,000 instances"),
        None,
        id="million_items_from_start_data",
    ),
    pytest.param(
        "multi_instance_data.bpmn",
        {"units": ["a", "b", "c", "d"]},
        "consult",
        ("has 4 items", "at most 3 instances"),
        3,
        id="configured_limit",
    ),
    pytest.param(
        "multi_instance_count.bpmn",
        {},
        "sign",
        ("loop cardinality copies gives 100,000", "at most 1,000 instances"),
        None,
        id="cardinality_from_a_script",
    ),
    pytest.param(
        "loop_endless_script.bpmn",
        {},
        "again",
        ("the loop ran 50 times without ending",),
        50,
        id="endless_standard_loop",
    ),
]

_SIMPLE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="generated" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="act" />
    <bpmn:userTask id="act" name="Approve">
      <bpmn:documentation>{documentation}</bpmn:documentation>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="act" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def _hostile(*names: str) -> list[SourceFile]:
    return [SourceFile(name, (HOSTILE / name).read_bytes()) for name in names]


def _sized(size: int) -> bytes:
    """A valid diagram padded with a comment to exactly `size` bytes."""
    head, tail = _SIMPLE.format(documentation="").encode().split(b"<bpmn:process")
    padding = size - len(head) - len(tail) - len(b"<bpmn:process") - len(b"<!---->\n")
    return head + b"<!--" + b"x" * padding + b"-->\n<bpmn:process" + tail


def _row_counts(factory: Any) -> dict[str, int]:
    with transaction(factory) as s:
        tables = inspect(s.connection()).get_table_names()
        return {t: s.scalar(text(f'SELECT count(*) FROM "{t}"')) or 0 for t in tables}


def _stored_text(factory: Any) -> str:
    """Every stored value of every table, as one string to search."""
    with transaction(factory) as s:
        tables = s.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'")).all()
        return "\n".join(
            repr(tuple(row)) for t in tables for row in s.execute(text(f'SELECT * FROM "{t}"'))
        )


def _refuse(factory: Any, clock: Any, files: list[SourceFile]) -> engine.InvalidDefinition:
    """Deploy, expect a refusal, and check that nothing at all was stored."""
    before = _row_counts(factory)
    with pytest.raises(engine.InvalidDefinition) as refused, transaction(factory) as s:
        engine.deploy(s, files, clock)
    assert _row_counts(factory) == before
    with transaction(factory) as s:
        assert engine.list_processes(s) == []
    return refused.value


@pytest.mark.parametrize(
    ("files", "words", "element_id", "line"), REFUSED, ids=[case[0] for case in REFUSED]
)
def test_hostile__each_file_is_refused_naming_where(
    sqlite_factory: Any,
    clock: Any,
    files: str,
    words: tuple[str, ...],
    element_id: str | None,
    line: int | None,
) -> None:
    names = files.split("+")
    error = _refuse(sqlite_factory, clock, _hostile(*names))
    message = str(error)
    assert message.startswith(names[-1])
    assert error.details["file"] == names[-1]
    for word in words:
        assert word.lower() in error.reason.lower(), message
    assert error.details.get("element_id") == element_id, message
    assert error.details.get("line") == line, message
    if element_id:
        assert f"element '{element_id}'" in message
    if line:
        assert f"line {line}" in message
    assert "Traceback" not in message


def test_hostile__the_corpus_is_all_covered() -> None:
    """Every file in the folder is exercised by one of the tables above."""
    used = {name for case in REFUSED for name in case[0].split("+")}
    used |= {case.values[0] for case in ENDLESS + STOPPED}
    used |= CYCLE_FILES | MULTI_INSTANCE_FORM | _covered_by_the_script_limit_tests()
    assert used == {p.name for p in HOSTILE.iterdir()}
    assert len(used) >= 22


@pytest.mark.parametrize(("extra", "refused"), [(0, False), (1, True)])
def test_hostile__the_size_limit_is_five_megabytes(
    sqlite_factory: Any, clock: Any, extra: int, refused: bool
) -> None:
    content = _sized(LIMIT + extra)
    assert len(content) == LIMIT + extra
    files = [SourceFile("oversize.bpmn", content)]
    if not refused:
        with transaction(sqlite_factory) as s:
            assert [r.process_id for r in engine.deploy(s, files, clock)] == ["generated"]
        return
    error = _refuse(sqlite_factory, clock, files)
    assert error.details == {
        "file": "oversize.bpmn",
        "reason": "file_too_large",
        "size_bytes": LIMIT + 1,
        "limit_bytes": LIMIT,
    }
    assert "5,242,881 bytes, over the limit of 5,242,880 bytes" in str(error)


@pytest.mark.parametrize(
    ("files", "named_file", "words", "line"),
    [
        pytest.param(
            [
                SourceFile(
                    "deep.bpmn", _SIMPLE.format(documentation="<x>" * 300 + "</x>" * 300).encode()
                )
            ],
            "deep.bpmn",
            ("not well-formed XML", "depth"),
            8,
            id="deep_xml",
        ),
        pytest.param(
            [
                *_hostile("uses_bad_form.bpmn"),
                SourceFile("bad_form.json", b"[" * 100_000 + b"]" * 100_000),
            ],
            "bad_form.json",
            ("nested too deeply",),
            None,
            id="deep_json",
        ),
        pytest.param(  # deep enough for the walks that read a form, not for the JSON parser
            [
                *_hostile("uses_bad_form.bpmn"),
                SourceFile("bad_form.json", b"[" * 400 + b"]" * 400),
            ],
            "bad_form.json",
            ("nested too deeply",),
            None,
            id="deep_json_under_the_parsers_limit",
        ),
    ],
)
def test_hostile__generated_nesting_bombs_are_refused(
    sqlite_factory: Any,
    clock: Any,
    files: list[SourceFile],
    named_file: str,
    words: tuple[str, ...],
    line: int | None,
) -> None:
    error = _refuse(sqlite_factory, clock, files)
    assert error.details["file"] == named_file and error.details.get("line") == line
    for word in words:
        assert word in error.reason


# Ways to make a parser read a local file: (prolog, task name, documentation); {uri} is the file.
XXE = {
    "entity_in_attribute": ('<!DOCTYPE d [<!ENTITY s SYSTEM "{uri}">]>', "&s;", ""),
    "entity_in_text": ('<!DOCTYPE d [<!ENTITY s SYSTEM "{uri}">]>', "Approve", "&s;"),
    "parameter_entity": ('<!DOCTYPE d [<!ENTITY % s SYSTEM "{uri}"> %s;]>', "Approve", ""),
    "external_dtd": ('<!DOCTYPE d SYSTEM "{uri}">', "Approve", ""),
    "xinclude": (
        "",
        "Approve",
        '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{uri}" parse="text" />',
    ),
}
SECRET = "pheduyet-secret-8d2f61c4"


def _xxe(tmp_path: Path, kind: str) -> SourceFile:
    secret_path = tmp_path / "secret.txt"
    secret_path.write_text(SECRET)
    prolog, name, documentation = (part.format(uri=secret_path.as_uri()) for part in XXE[kind])
    content = _SIMPLE.format(documentation=documentation).replace(
        'name="Approve"', f'name="{name}"'
    )
    return SourceFile("xxe.bpmn", content.replace("?>\n", f"?>\n{prolog}\n", 1).encode())


@pytest.mark.parametrize("kind", XXE)
def test_hostile__xxe_is_refused_without_reading_the_file(
    sqlite_factory: Any, clock: Any, tmp_path: Path, kind: str
) -> None:
    error = _refuse(sqlite_factory, clock, [_xxe(tmp_path, kind)])
    assert error.details["file"] == "xxe.bpmn"
    assert SECRET not in str(error) and SECRET not in repr(error.to_dict())
    assert SECRET not in _stored_text(sqlite_factory)


@pytest.mark.parametrize("kind", XXE)
def test_hostile__the_parser_alone_reads_no_file_either(
    sqlite_factory: Any, clock: Any, tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defence in depth: with the DOCTYPE refusal switched off, the hardened parser still
    resolves nothing; whatever happens then, the file's content is nowhere."""
    never = re.compile(rb"\A(?!)")
    monkeypatch.setattr(engine.xml_safety, "_DOCTYPE", never)
    monkeypatch.setattr(engine.xml_safety, "_ENTITY", never)
    try:
        with transaction(sqlite_factory) as s:
            engine.deploy(s, [_xxe(tmp_path, kind)], clock)
    except engine.InvalidDefinition as error:
        assert SECRET not in str(error)
    assert SECRET not in _stored_text(sqlite_factory)


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(("script_import_os.bpmn",), id="script_refused_when_compiled"),
        pytest.param(("schema_invalid.bpmn",), id="schema_refused_by_spiff"),
        pytest.param(("uses_bad_form.bpmn", "bad_form.json"), id="form_refused"),
    ],
)
@pytest.mark.parametrize("bad_first", [False, True], ids=["good_first", "bad_first"])
def test_hostile__a_good_file_with_a_bad_one_stores_nothing(
    sqlite_factory: Any, clock: Any, bad: tuple[str, ...], bad_first: bool
) -> None:
    good = [SourceFile(p.name, p.read_bytes()) for p in sorted((FIXTURES / "spiff").iterdir())]
    files = [*_hostile(*bad), *good] if bad_first else [*good, *_hostile(*bad)]
    _refuse(sqlite_factory, clock, files)
    with transaction(sqlite_factory) as s:
        assert [r.process_id for r in engine.deploy(s, good, clock)] == ["approval"]


def test_hostile__a_refused_bundle_leaves_the_deployed_version_alone(
    sqlite_factory: Any, clock: Any
) -> None:
    good = [SourceFile(p.name, p.read_bytes()) for p in sorted((FIXTURES / "spiff").iterdir())]
    with transaction(sqlite_factory) as s:
        engine.deploy(s, good, clock)
    before = _row_counts(sqlite_factory)
    changed = [
        SourceFile(f.name, f.content.replace(b"Approval with a return loop", b"Changed"))
        for f in good
    ]
    with pytest.raises(engine.InvalidDefinition), transaction(sqlite_factory) as s:
        engine.deploy(s, [*changed, *_hostile("script_subclasses.bpmn")], clock)
    assert _row_counts(sqlite_factory) == before
    with transaction(sqlite_factory) as s:
        [view] = engine.list_processes(s)
    assert (view.process_id, view.version, view.name) == (
        "approval",
        1,
        "Approval with a return loop",
    )


@pytest.mark.parametrize(("name", "element_id"), ENDLESS)
def test_hostile__an_endless_script_is_stopped_and_no_item_is_stored(
    sqlite_factory: Any, config: engine.EngineConfig, clock: Any, name: str, element_id: str
) -> None:
    with transaction(sqlite_factory) as s:
        engine.add_user(s, "an", display_name="Nguyễn Văn An")
        [deployed] = engine.deploy(s, _hostile(name), clock)
    before = _row_counts(sqlite_factory)
    began = time.monotonic()
    with pytest.raises(engine.ScriptError) as stopped, transaction(sqlite_factory) as s:
        engine.start_instance(s, config, deployed.process_id, "an")
    assert time.monotonic() - began < 20
    error = stopped.value
    assert error.details["element_id"] == element_id
    assert str(error) == (
        f"element '{element_id}': the script ran longer than its limit of "
        f"{config.script_cpu_seconds:g} s of CPU time"
    )
    assert _row_counts(sqlite_factory) == before
    with transaction(sqlite_factory) as s:
        assert engine.open_tasks(s) == []
        with pytest.raises(engine.NotFound):
            engine.show_instance(s, 1)


def _covered_by_the_script_limit_tests() -> set[str]:
    """The script_limit_* files belong to the evaluation limits' own tests."""
    try:
        from tests.integration.test_engine__script_limits import SCRIPT_LIMIT_FILES
    except ImportError:
        return set()
    return set(SCRIPT_LIMIT_FILES)


@pytest.mark.parametrize(("name", "data", "element_id", "words", "limit"), STOPPED)
def test_hostile__a_bound_passed_at_run_time_stops_the_start_and_stores_nothing(
    factory: Any,
    clock: Any,
    name: str,
    data: dict[str, Any],
    element_id: str,
    words: tuple[str, ...],
    limit: int | None,
) -> None:
    config = engine.EngineConfig(clock=clock)
    if limit is not None:
        config = engine.EngineConfig(clock=clock, max_multi_instance=limit)
    with transaction(factory) as s:
        engine.add_user(s, "an", display_name="Nguyễn Văn An")
        [deployed] = engine.deploy(s, _hostile(name), clock)
    before = _row_counts(factory)
    began = time.monotonic()
    with pytest.raises(engine.ScriptError) as stopped, transaction(factory) as s:
        engine.start_instance(s, config, deployed.process_id, "an", data=data)
    assert time.monotonic() - began < 5
    error = stopped.value
    assert error.details["element_id"] == element_id
    assert str(error).startswith(f"element '{element_id}': ")
    for word in words:
        assert word in error.reason, str(error)
    assert "Traceback" not in str(error) and "OverflowError" not in str(error)
    assert _row_counts(factory) == before


def test_hostile__the_loop_limit_is_a_thousand_unless_configured(clock: Any) -> None:
    assert engine.EngineConfig(clock=clock).max_multi_instance == 1000


MULTI_INSTANCE_FORM = {"multi_instance_form.bpmn", "multi_instance_form.json"}


@pytest.mark.parametrize("count", [1000, 1001])
def test_hostile__a_collection_from_a_form_over_the_limit_leaves_the_item_unchanged(
    factory: Any, config: engine.EngineConfig, clock: Any, count: int
) -> None:
    with transaction(factory) as s:
        engine.add_user(s, "an", display_name="Nguyễn Văn An")
        engine.deploy(s, _hostile(*sorted(MULTI_INSTANCE_FORM)), clock)
        item = engine.start_instance(s, config, "hostile_mi_form", "an")
        [task] = engine.open_tasks(s)
        before = engine.show_instance(s, item)
    units = [f"Phòng {n}" for n in range(count)]
    if count == 1000:
        with transaction(factory) as s:
            engine.complete_task(s, config, task.id, "an", data={"units": units})
            assert len(engine.open_tasks(s)) == 1000
        return
    rows = _row_counts(factory)
    with pytest.raises(engine.ScriptError) as stopped, transaction(factory) as s:
        engine.complete_task(s, config, task.id, "an", data={"units": units})
    assert stopped.value.details["element_id"] == "consult"
    assert "the collection 'units' has 1,001 items" in stopped.value.reason
    assert _row_counts(factory) == rows
    with transaction(factory) as s:
        assert engine.show_instance(s, item) == before
        assert [t.id for t in engine.open_tasks(s)] == [task.id]


CYCLE_FILES = {"call_mutual_a.bpmn", "call_mutual_b.bpmn"}
AT_CALL_B = {
    "file": "call_mutual_a.bpmn",
    "element_id": "call_b",
    "line": 6,
    "reason": "call_cycle",
    "chain": "hostile_mutual_a → hostile_mutual_b → hostile_mutual_a",
}
_NO_CALL = (
    b'<bpmn:callActivity id="call_b" name="Ask the other process" '
    b'calledElement="hostile_mutual_b" />',
    b'<bpmn:userTask id="call_b" name="Answer alone" />',
)


def test_hostile__processes_that_call_each_other_are_refused(
    sqlite_factory: Any, clock: Any
) -> None:
    error = _refuse(sqlite_factory, clock, _hostile("call_mutual_a.bpmn", "call_mutual_b.bpmn"))
    assert error.details == AT_CALL_B
    assert "(hostile_mutual_a → hostile_mutual_b → hostile_mutual_a)" in error.reason
    assert "may not call itself" in error.reason


def test_hostile__a_cycle_through_a_deployed_process_is_refused(
    sqlite_factory: Any, clock: Any
) -> None:
    """A deployed B calls A; a new A that calls B closes the circle through the stored B."""
    [a_file] = _hostile("call_mutual_a.bpmn")
    alone = SourceFile(a_file.name, a_file.content.replace(*_NO_CALL))
    with transaction(sqlite_factory) as s:
        engine.deploy(s, [alone], clock)
        engine.deploy(s, _hostile("call_mutual_b.bpmn"), clock)
    before = _row_counts(sqlite_factory)
    began = time.monotonic()
    with pytest.raises(engine.InvalidDefinition) as refused, transaction(sqlite_factory) as s:
        engine.deploy(s, [a_file], clock)
    assert time.monotonic() - began < 5
    assert refused.value.details == AT_CALL_B
    assert "calls 'hostile_mutual_a' again" in refused.value.reason
    assert _row_counts(sqlite_factory) == before
    with transaction(sqlite_factory) as s:
        versions = {(p.process_id, p.version) for p in engine.list_processes(s)}
    assert versions == {("hostile_mutual_a", 1), ("hostile_mutual_b", 1)}


@pytest.mark.parametrize(("limit", "refused"), [(1000, True), (1_000_000, False)])
def test_hostile__the_deploy_limit_on_loop_counts_is_configurable(
    sqlite_factory: Any, clock: Any, limit: int, refused: bool
) -> None:
    files = _hostile("multi_instance_huge.bpmn")
    if refused:
        with pytest.raises(engine.InvalidDefinition), transaction(sqlite_factory) as s:
            engine.deploy(s, files, clock, max_multi_instance=limit)
        return
    with transaction(sqlite_factory) as s:
        [result] = engine.deploy(s, files, clock, max_multi_instance=limit)
    assert result.created


@pytest.mark.parametrize(("budget", "level"), [(50, "unit"), (150, "director")])
def test_hostile__a_fair_decision_table_still_deploys_and_decides(
    sqlite_factory: Any, config: engine.EngineConfig, clock: Any, budget: int, level: str
) -> None:
    """The deploy check compiles each entry as Spiff runs it: `< 100`, `>= 100` and a quoted
    output pass; only what the sandbox refuses is refused."""
    diagram, table = _hostile("dmn_escape.bpmn", "dmn_escape.dmn")
    bad = b"[c for c in ().__class__.__base__.__subclasses__()][0]"
    fair = SourceFile(table.name, table.content.replace(bad, b'"director"'))
    with transaction(sqlite_factory) as s:
        engine.add_user(s, "an", display_name="Nguyễn Văn An")
        engine.deploy(s, [diagram, fair], clock)
        item = engine.start_instance(s, config, "hostile_dmn", "an", data={"budget": budget})
        assert engine.show_instance(s, item).data["level"] == level
