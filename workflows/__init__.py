"""This department's processes, org chart, calendar and plan importer, on top of the engine."""

from __future__ import annotations

from .config import engine_config, event_listeners

__all__ = ["engine_config", "event_listeners"]
