"""Spin's jsonPath in JavaScript scripts (issue 12): Camunda 7 scripts read a REST response
with `S(response).jsonPath("$..[?(@.x=='y')]").elementList()` and `.jsonPath("$.a").stringValue()`;
the paths models write are read on plain JSON, and a part not supported here is named."""

from __future__ import annotations

from typing import Any

import pytest

from engine.javascript import JavaScriptError, ScriptScope, run_script

DATA = {
    "ho_so": {
        "muc": [{"ma": 1, "diem": 5, "ten": "A"}, {"ma": 2, "diem": 15, "ten": "B"}],
        "chu": {"ten": "An"},
    }
}


def _value(source: str) -> Any:
    outcome = run_script(source, DATA, ScriptScope("s"), cpu_seconds=2, max_data_bytes=100_000)
    return outcome.value


@pytest.mark.parametrize(
    ("path", "read", "expected"),
    [
        ("$.chu.ten", "stringValue()", "An"),
        ("$['chu']['ten']", "stringValue()", "An"),
        ("$.muc[1].diem", "numberValue()", 15),
        ("$.muc[-1].ma", "numberValue()", 2),
        ("$.muc", "elementList().size()", 2),
        ("$.muc[*].ten", "elementList().map(function (n) { return n.value(); }).join()", "A,B"),
        ("$..ma", "elementList().length", 2),
        ("$.muc[?(@.diem > 10)].ten", "elementList().get(0).stringValue()", "B"),
        ("$..[?(@.ten == 'A')]", "elementList().isEmpty()", False),
        ("$..[?(@.ten == 'C')]", "elementList().isEmpty()", True),
        ("$.muc[?(@.ten)]", "elementList().size()", 2),
    ],
)
def test_javascript_jsonpath__paths_models_write(path: str, read: str, expected: Any) -> None:
    assert _value(f"S(ho_so).jsonPath({path!r}).{read};") == expected


def test_javascript_jsonpath__nothing_found_and_unsupported_parts_are_named() -> None:
    with pytest.raises(JavaScriptError, match=r"\$\.chu\.tuoi finds nothing"):
        _value("S(ho_so).jsonPath('$.chu.tuoi').stringValue();")
    with pytest.raises(JavaScriptError, match=r"not supported here: \[0:1\]"):
        _value("S(ho_so).jsonPath('$.muc[0:1]').elementList();")
