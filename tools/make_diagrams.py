"""Writes the department's processes to bpmn/ and their forms to bpmn/forms/.

Run: .venv/bin/python -m tools.make_diagrams   (then review the diff and deploy)

Sources: the plan (workflows/data/ke_hoach_2020.txt) and the legal steps the README describes.
Lane names are the display names of the org chart's groups (workflows/data/org_chart.json); a
lane that stands for "the unit chosen for this item" has no group of its own, so its tasks name
their owners with an expression on the item's data.
"""

from __future__ import annotations

import json

from tools.diagrams import (
    de_xuat_nhiem_vu,
    giao_nhiem_vu,
    trinh_ubnd,
    xac_dinh_nhiem_vu,
    xay_dung_quy_dinh,
)
from tools.diagrams.common import BPMN_DIR, FORMS_DIR, ROOT

MODULES = [trinh_ubnd, de_xuat_nhiem_vu, xay_dung_quy_dinh, giao_nhiem_vu, xac_dinh_nhiem_vu]
PROCESSES = [
    trinh_ubnd.trinh_ubnd,
    de_xuat_nhiem_vu.de_xuat_nhiem_vu,
    xay_dung_quy_dinh.xay_dung_quy_dinh,
    giao_nhiem_vu.giao_nhiem_vu,
    giao_nhiem_vu.thuc_hien_nhiem_vu,
    xac_dinh_nhiem_vu.xac_dinh_nhiem_vu_nam,
]


def main() -> None:
    FORMS_DIR.mkdir(parents=True, exist_ok=True)
    for module in MODULES:
        for name, form in module.FORMS.items():
            (FORMS_DIR / name).write_text(
                json.dumps(form, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
    for build in PROCESSES:
        print(build().write(BPMN_DIR).relative_to(ROOT))


if __name__ == "__main__":
    main()
