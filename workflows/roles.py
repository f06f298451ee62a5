"""Groups with a standing role in this department's application."""

from __future__ import annotations

# Managers and inspectors who follow every item ("Theo dõi"): the Sở's leadership, its
# inspectorate, and the administrators.
AUDITOR_GROUPS = frozenset({"lanh_dao_so", "thanh_tra_so", "admin"})
