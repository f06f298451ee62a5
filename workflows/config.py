"""The engine configuration this department runs with."""

from __future__ import annotations

from engine import Clock, EngineConfig, system_clock


def engine_config(clock: Clock = system_clock) -> EngineConfig:
    return EngineConfig(clock=clock)
