"""Groups with a standing role in this department's application."""

from __future__ import annotations

# Lãnh đạo Sở (the Director and the deputies): they lead every unit of the Sở.
DEPARTMENT_LEADERS = "lanh_dao_so"

# Managers and inspectors who follow every item ("Theo dõi"): the Sở's leadership, its
# inspectorate, and the administrators.
AUDITOR_GROUPS = frozenset({DEPARTMENT_LEADERS, "thanh_tra_so", "admin"})
