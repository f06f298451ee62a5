"""The operator's service handlers: the modules named by PHEDUYET_SERVICES.

PHEDUYET_SERVICES lists, separated by commas, Python files (`/etc/pheduyet/services.py`) or
dotted module names (`sokhcn_services.archive`, importable from the Python path). Each defines
`SERVICES`, a dict from a service task's key (engine/service_specs.py) to a callable that
takes an `engine.ServiceCall` and returns the variables to set (a dict, or None), or to None
for a recorded no-op. A key defined by two modules is refused: which one would win is not
something an operator should have to guess.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from engine import InvalidInput

SERVICES_ENV = "PHEDUYET_SERVICES"
SECONDS_ENV = "PHEDUYET_SERVICE_SECONDS"

Services = Mapping[str, Any]


def services_from_environment() -> Services:
    """The handlers PHEDUYET_SERVICES names (none when it is unset), loaded once per process."""
    return load_services(os.environ.get(SERVICES_ENV, ""))


def service_seconds_from_environment(default: float) -> float:
    """PHEDUYET_SERVICE_SECONDS: how long a handler may run (wall clock) before it is an
    incident."""
    text = os.environ.get(SECONDS_ENV, "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= 3600:
        raise InvalidInput(
            f"{SECONDS_ENV} must be a number of seconds above 0 and up to 3600",
            reason="services_module",
        )
    return seconds


@cache
def load_services(spec: str) -> Services:
    """Every SERVICES of the comma-separated files and modules of `spec`, merged."""
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for entry in (part.strip() for part in spec.split(",")):
        if not entry:
            continue
        module = _module(entry)
        services = getattr(module, "SERVICES", None)
        if not isinstance(services, Mapping):
            raise _refused(f"{entry} defines no SERVICES dict")
        for key, handler in services.items():
            if not isinstance(key, str) or not key.strip():
                raise _refused(f"{entry}: a SERVICES key must be a non-empty text, got {key!r}")
            if handler is not None and not callable(handler):
                raise _refused(
                    f"{entry}: SERVICES[{key!r}] must be a function (or None), "
                    f"got {type(handler).__name__}"
                )
            if key in merged:
                raise _refused(f"{entry}: the service '{key}' is also defined in {origin[key]}")
            merged[key] = handler
            origin[key] = entry
    return merged


def _module(entry: str) -> ModuleType:
    if entry.endswith(".py") or "/" in entry or os.sep in entry:
        path = Path(entry).expanduser()
        if not path.is_file():
            raise _refused(f"the services file {entry} does not exist")
        name = f"pheduyet_services_{abs(hash(str(path.resolve())))}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise _refused(f"{entry} cannot be loaded as Python")
        module = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise _refused(f"{entry} failed to load: {type(exc).__name__}: {exc}") from exc
        return module
    try:
        return importlib.import_module(entry)
    except Exception as exc:
        raise _refused(
            f"the services module {entry} failed to load: {type(exc).__name__}: {exc}"
        ) from exc


def _refused(message: str) -> InvalidInput:
    return InvalidInput(f"{SERVICES_ENV}: {message}", reason="services_module")
