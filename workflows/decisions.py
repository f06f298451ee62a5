"""The department's words for decisions: which of them send an item back (a return)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

# Decisions that send an item back to an earlier step (or end it refused): the next person
# reads them as "Lý do trả lại", and is told by a `returned` notification.
RETURN_DECISIONS = frozenset(
    {
        "tra_lai",
        "chuyen_lai",
        "yeu_cau_bo_sung",
        "khong_phe_duyet",
        "chua_du_dieu_kien",
        "khong_thong_qua",  # the UBND's vote on a draft (xay_dung_quy_dinh)
        "return",
        "more",
    }
)


def is_return(decision: Any) -> bool:
    """Whether a step's decision is a return (one of RETURN_DECISIONS, or any `tra_lai…`)."""
    value = str(decision or "").strip().lower()
    return value in RETURN_DECISIONS or value.startswith("tra_lai")


# Form fields that carry a return's reason when no comment was given.
REASON_FIELDS = ("ly_do_tra_lai", "ly_do", "y_kien", "y_kien_chi_dao")


def return_reason(comment: str | None, data: Any) -> str | None:
    """Why a step was returned: its comment, else the first reason field its form filled."""
    if comment:
        return comment
    for name in REASON_FIELDS:
        value = data.get(name) if isinstance(data, dict) else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def came_back(last_decision: Any, decided_at: datetime | None, opened_at: datetime) -> bool:
    """Whether a step was opened by a return: the item's latest completed step returned it,
    before this step opened (not a step of a parallel branch that was already waiting)."""
    return decided_at is not None and is_return(last_decision) and decided_at <= opened_at
