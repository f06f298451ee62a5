"""Hostile and broken input: every file of tests/fixtures/hostile is refused with a message that
names the file, the element and the line where it can, or (a script that never ends) is stopped
when it runs; nothing is stored either way. SQLite only: the refusals happen before any SQL."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

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
    ("not_executable.bpmn", ("no executable process",), None, None),
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
    ("condition_import.bpmn", ("__import__",), "f_escape", 9),
    ("timer_expression_escape.bpmn", ("__subclasses__",), "wait", 8),
    ("prescript_escape.bpmn", ("imports",), "act", 8),
    ("postscript_escape.bpmn", ("globals()", "not available"), "act", 8),
    ("loop_condition_escape.bpmn", ("__import__",), "act", 8),
    ("owner_expression_escape.bpmn", ("owner expression", "__name__"), "act", 6),
    ("form_missing.bpmn", ("missing_form.json", "not among the deployed files"), "act", 6),
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
        tables = s.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'")).all()
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
    used |= {case.values[0] for case in ENDLESS}
    used |= _covered_by_the_script_limit_tests()
    assert used == {p.name for p in HOSTILE.iterdir()}
    assert len(used) >= 22


def _covered_by_the_script_limit_tests() -> set[str]:
    """The script_limit_* files belong to the evaluation limits' own tests."""
    try:
        from tests.integration.test_engine__script_limits import SCRIPT_LIMIT_FILES
    except ImportError:
        return set()
    return set(SCRIPT_LIMIT_FILES)


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
    assert error.details == {"file": "oversize.bpmn"}
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
        f"task '{element_id}': the script ran longer than its limit of "
        f"{config.script_cpu_seconds:g} s of CPU time"
    )
    assert _row_counts(sqlite_factory) == before
    with transaction(sqlite_factory) as s:
        assert engine.open_tasks(s) == []
        with pytest.raises(engine.NotFound):
            engine.show_instance(s, 1)
