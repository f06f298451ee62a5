"""Groups with a standing role in this department's application."""

from __future__ import annotations

from .org_chart import leaders_group

# Lãnh đạo Sở (the Director and the deputies): they lead every unit of the Sở.
DEPARTMENT_LEADERS = "lanh_dao_so"
# The Director alone: a tờ trình he signs is "Giám đốc ký", any other leader's "KT. GIÁM ĐỐC"
# (Điều 13 NĐ 30/2020; the signing step's script in tools/diagrams/trinh_ubnd.py).
DIRECTOR = "giam_doc_so"
# Since the Luật Thanh tra 84/2025 (from 1/7/2025) no sở has an inspectorate of its own: following
# and checking the Sở's work is the Văn phòng Sở's, whose leaders (Chánh, Phó Chánh Văn phòng)
# open Theo dõi. The 2020 chart's Thanh tra Sở keeps its access while a database still has it.
OFFICE_LEADERS = leaders_group("van_phong_so")
INSPECTORATE_2020 = "thanh_tra_so"

# Managers who follow every item ("Theo dõi"): the Sở's leadership, the Văn phòng Sở's
# leaders, the inspectorate of a pre-2025 chart, and the administrators.
AUDITOR_GROUPS = frozenset({DEPARTMENT_LEADERS, OFFICE_LEADERS, INSPECTORATE_2020, "admin"})
