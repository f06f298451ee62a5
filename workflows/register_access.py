"""Who may read the register of outgoing documents (sổ văn bản đi): the people who keep it and
the people who answer for it.

The register is kept by Văn phòng Sở: its issuing step ("Văn thư cấp số, phát hành") lies in the
lane "Văn phòng Sở" and names no candidates, so every member of that unit may take it (the văn
thư is one; the org chart gives the văn thư no group of their own). It is answered for by the
Sở's leadership and read by the auditors (workflows.roles); both are read at each call, so a
change to the auditor set applies here too."""

from __future__ import annotations

from engine import Identity, is_auditor

from . import roles

# The unit whose lane issues the numbers (tools/diagrams/trinh_ubnd.py, step phat_hanh).
REGISTER_KEEPERS = "van_phong_so"


def register_readers() -> frozenset[str]:
    """Groups (or units) whose members may read the register."""
    return roles.AUDITOR_GROUPS | {roles.DEPARTMENT_LEADERS, REGISTER_KEEPERS}


def may_read_register(who: Identity) -> bool:
    """A keeper, a leader of the Sở or an auditor (by group, or by unit as for the keepers)."""
    return is_auditor(who, register_readers())


# The registers' keys are the document types' abbreviations (NĐ 30/2020/NĐ-CP, Phụ lục III).
DOCUMENT_TYPES = {
    "TTr": "Tờ trình",
    "QĐ": "Quyết định",
    "BC": "Báo cáo",
    "BB": "Biên bản",
    "KH": "Kế hoạch",
    "TB": "Thông báo",
}


def document_type(register_key: str) -> str:
    """The document type a register holds ("Tờ trình"), or its key when it is not one of these."""
    return DOCUMENT_TYPES.get(register_key, register_key)
