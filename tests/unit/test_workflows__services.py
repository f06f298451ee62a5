"""PHEDUYET_SERVICES: Python files and dotted modules, comma-separated, each with a SERVICES
dict; what cannot be used is refused with the entry's name, never half-loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

import engine
from workflows.services import (
    load_services,
    service_seconds_from_environment,
    services_from_environment,
)


def module(tmp_path: Path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(body)
    return str(path)


def test_files_and_dotted_modules_are_merged(tmp_path: Path) -> None:
    first = module(tmp_path, "a.py", "SERVICES = {'topic:a': lambda call: {'a': 1}, 'noop': None}")
    dotted = "tests.fixtures.service_handlers.handlers"
    services = load_services(f"{first}, {dotted}")
    assert services["noop"] is None
    assert services["topic:a"](None) == {"a": 1}
    assert "vn.gov.sokhcn.Register" in services


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("X = 1", "defines no SERVICES dict"),
        ("SERVICES = {'k': 42}", "must be a function (or None), got int"),
        ("SERVICES = {'': None}", "must be a non-empty text"),
        ("raise RuntimeError('boom')", "failed to load: RuntimeError: boom"),
    ],
)
def test_a_module_that_cannot_be_used_is_refused(tmp_path: Path, body: str, words: str) -> None:
    path = module(tmp_path, "bad.py", body)
    with pytest.raises(engine.InvalidInput) as caught:
        load_services(path)
    assert words in str(caught.value) and "PHEDUYET_SERVICES" in str(caught.value)
    assert caught.value.details["reason"] == "services_module"


def test_a_key_defined_twice_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    one = module(tmp_path, "one.py", "SERVICES = {'k': None}")
    two = module(tmp_path, "two.py", "SERVICES = {'k': None}")
    with pytest.raises(engine.InvalidInput, match="'k' is also defined in"):
        load_services(f"{one},{two}")
    with pytest.raises(engine.InvalidInput, match="does not exist"):
        load_services(str(tmp_path / "missing.py"))
    with pytest.raises(engine.InvalidInput, match="no_such_services_module"):
        load_services("no_such_services_module")


def test_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PHEDUYET_SERVICES", raising=False)
    assert services_from_environment() == {}
    monkeypatch.setenv("PHEDUYET_SERVICE_SECONDS", "2.5")
    assert service_seconds_from_environment(10.0) == 2.5
    monkeypatch.setenv("PHEDUYET_SERVICE_SECONDS", "never")
    with pytest.raises(engine.InvalidInput, match="PHEDUYET_SERVICE_SECONDS"):
        service_seconds_from_environment(10.0)
