"""Helpers for the yearly identification of provincial S&T tasks (process xac_dinh_nhiem_vu_nam):
the year's list of proposals, the advisory council's scoring of each, the result of each
proposal once the UBND tỉnh has decided, and the texts the steps show.

Basis: TT 07/2014/TT-BKHCN (the council votes on four criteria; Art. 23: the Sở reviews the
council's work within 7 working days, publishes the approved list and notifies the proposers
within 15 working days), Luật KH,CN&ĐMST 93/2025/QH15 as the current framework law. What share
of votes makes a recommendation was not retrieved: the council records its own conclusion and
its vote count, and the helpers only flag counts that cannot be (more votes than members)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, tzinfo
from typing import Any

# The four criteria the council votes on (TT 07/2014), as the council form names them.
CRITERIA = (
    ("phieu_cap_thiet", "tính cấp thiết"),
    ("phieu_quan_trong", "tầm quan trọng liên ngành"),
    ("phieu_khong_trung_lap", "không trùng lặp"),
    ("phieu_nguon_luc", "cần nguồn lực của tỉnh"),
)
SOURCES = {"noi_bo": "Trong Sở", "cong_van_den": "Công văn đến"}
METHODS = {"tuyen_chon": "tuyển chọn", "giao_truc_tiep": "giao trực tiếp"}
RECOMMENDED, NOT_RECOMMENDED = "de_nghi", "khong_de_nghi"
APPROVED, NOT_APPROVED = "duoc_phe_duyet", "khong_duoc_phe_duyet"


def _vn(value: Any) -> str:
    text = str(value or "")[:10]
    try:
        return date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def add_proposal(
    proposals: list[dict[str, Any]], fields: Mapping[str, Any], received_at: str
) -> list[dict[str, Any]]:
    """The list with one more proposal (numbered from 1 in the order received)."""
    entry = {
        "stt": len(proposals) + 1,
        "ten_nhiem_vu": str(fields.get("ten_nhiem_vu") or "").strip(),
        "nguon": fields.get("nguon"),
        "don_vi_de_xuat": str(fields.get("don_vi_de_xuat") or "").strip(),
        "nguoi_de_xuat": str(fields.get("nguoi_de_xuat") or "").strip() or None,
        "so_den": fields.get("so_den"),
        "ngay_den": fields.get("ngay_den"),
        "ma_ho_so_de_xuat": fields.get("ma_ho_so_de_xuat"),
        "tom_tat": fields.get("tom_tat_de_xuat"),
        "ngay_tiep_nhan": received_at,
    }
    if entry["nguon"] != "cong_van_den":
        entry["so_den"] = entry["ngay_den"] = None
    return [*proposals, entry]


def describe(proposal: Mapping[str, Any]) -> str:
    """One proposal in a line: number, title, proposer and how it came."""
    where = SOURCES.get(str(proposal.get("nguon")), "")
    if proposal.get("nguon") == "cong_van_den":
        where += f" số {proposal.get('so_den')} ngày {_vn(proposal.get('ngay_den'))}"
    return (
        f"{proposal.get('stt')}. {proposal.get('ten_nhiem_vu')} — "
        f"{proposal.get('don_vi_de_xuat')} ({where})"
    )


def list_text(proposals: list[dict[str, Any]]) -> str:
    if not proposals:
        return "Chưa có đề xuất nào."
    return f"{len(proposals)} đề xuất: " + "; ".join(describe(p) for p in proposals) + "."


def score(proposal: Mapping[str, Any], members: Any, form: Mapping[str, Any]) -> dict[str, Any]:
    """The council's result for one proposal, with the problems a reviewer should see
    (counts that cannot be: more votes than members present, more present than members)."""
    present = _count(form.get("so_thanh_vien_co_mat"))
    total = _count(members)
    votes = _count(form.get("so_phieu_tan_thanh"))
    criteria = {key: _count(form.get(key)) for key, _ in CRITERIA}
    warnings: list[str] = []
    if present is not None and total is not None and present > total:
        warnings.append(f"số thành viên có mặt ({present}) nhiều hơn số thành viên ({total})")
    for label, value in (
        ("số phiếu tán thành", votes),
        *((f"số phiếu đạt tiêu chí {t}", criteria[k]) for k, t in CRITERIA),
    ):
        if value is not None and present is not None and value > present:
            warnings.append(f"{label} ({value}) nhiều hơn số thành viên có mặt ({present})")
    recommended = form.get("ket_luan") == RECOMMENDED
    return {
        "stt": proposal.get("stt"),
        "so_thanh_vien": total,
        "so_thanh_vien_co_mat": present,
        "so_phieu_tan_thanh": votes,
        "phieu_tieu_chi": criteria,
        "ket_luan": form.get("ket_luan"),
        "phuong_thuc": form.get("phuong_thuc") if recommended else None,
        "ly_do": None if recommended else form.get("y_kien_hoi_dong"),
        "canh_bao": warnings,
    }


def merge_scores(
    proposals: list[dict[str, Any]], scores: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each proposal with its council result (matched by number, whatever the order)."""
    by_number = {s.get("stt"): s for s in scores if isinstance(s, Mapping)}
    return [{**p, "danh_gia": by_number.get(p.get("stt"))} for p in proposals]


def council_text(proposals: list[dict[str, Any]]) -> str:
    parts = []
    for p in proposals:
        s = p.get("danh_gia") or {}
        votes = f"{s.get('so_phieu_tan_thanh')}/{s.get('so_thanh_vien')} phiếu tán thành"
        if s.get("ket_luan") == RECOMMENDED:
            verdict = f"đề nghị thực hiện, {METHODS.get(str(s.get('phuong_thuc')), '?')}"
        else:
            verdict = f"không đề nghị ({s.get('ly_do') or 'chưa nêu lý do'})"
        line = f"{describe(p)}: {verdict}, {votes}"
        if s.get("canh_bao"):
            line += " — CẦN KIỂM TRA: " + ", ".join(s["canh_bao"])
        parts.append(line)
    return "; ".join(parts) + "."


def recommended(proposals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in proposals if (p.get("danh_gia") or {}).get("ket_luan") == RECOMMENDED]


def approval(proposal: Mapping[str, Any], verdict: Any, reason: Any) -> dict[str, Any]:
    """What the Chairman's decision says of one proposal of the list put to the UBND."""
    refused = verdict == NOT_APPROVED
    return {
        "stt": proposal.get("stt"),
        "ket_qua": NOT_APPROVED if refused else APPROVED,
        "ly_do": (str(reason or "").strip() or None) if refused else None,
    }


def results(
    proposals: list[dict[str, Any]],
    decision: Any,
    approvals: list[dict[str, Any]] | None = None,
    signed: Any = None,
) -> list[dict[str, Any]]:
    """Each proposal's result once the UBND tỉnh decided on the list (decision `decision`,
    signed on `signed`): a recommended proposal is approved unless the decision strikes it out
    (`approvals`, matched by number: the reason the office recorded); the others are not, with
    the council's reason."""
    struck = {
        a.get("stt"): a.get("ly_do")
        for a in approvals or []
        if isinstance(a, Mapping) and a.get("ket_qua") == NOT_APPROVED
    }
    done = []
    for p in proposals:
        s = p.get("danh_gia") or {}
        if s.get("ket_luan") == RECOMMENDED and p.get("stt") in struck:
            reason = struck[p.get("stt")] or "UBND tỉnh không phê duyệt"
            result = {"ket_qua": NOT_APPROVED, "ly_do": reason, "phuong_thuc": None}
        elif s.get("ket_luan") == RECOMMENDED:
            result = {"ket_qua": APPROVED, "ly_do": None, "phuong_thuc": s.get("phuong_thuc")}
        else:
            reason = s.get("ly_do") or "Hội đồng tư vấn không đề nghị thực hiện"
            result = {"ket_qua": NOT_APPROVED, "ly_do": reason, "phuong_thuc": None}
        record = {"quyet_dinh_phe_duyet": decision, "ngay_phe_duyet": signed}
        done.append({**p, **result, **record})
    return done


def results_text(proposals: list[dict[str, Any]]) -> str:
    parts = []
    for p in proposals:
        if p.get("ket_qua") == APPROVED:
            verdict = f"được phê duyệt, {METHODS.get(str(p.get('phuong_thuc')), '?')}"
        else:
            verdict = f"không được phê duyệt — lý do: {p.get('ly_do')}"
        proposer = f", người đề xuất {p['nguoi_de_xuat']}" if p.get("nguoi_de_xuat") else ""
        parts.append(f"{describe(p)}{proposer}: {verdict}")
    decided = next((p for p in proposals if p.get("quyet_dinh_phe_duyet")), None)
    if decided is None:
        return "; ".join(parts) + "."
    basis = f"Theo Quyết định số {decided['quyet_dinh_phe_duyet']}"
    if decided.get("ngay_phe_duyet"):
        basis += f" ngày {_vn(decided['ngay_phe_duyet'])}"
    return f"{basis} của UBND tỉnh: " + "; ".join(parts) + "."


def recipients(proposals: list[dict[str, Any]]) -> list[str]:
    """The Sở's own proposers named by their login, each once: they get the notice in their
    inbox. Outside bodies are notified by the published notice (thông báo) itself."""
    found: list[str] = []
    for p in proposals:
        who = p.get("nguoi_de_xuat")
        if p.get("nguon") == "noi_bo" and isinstance(who, str) and who and who not in found:
            found.append(who)
    return found


def batch_helpers(zone: tzinfo) -> dict[str, Callable[..., Any]]:
    """The functions the diagram's scripts call, by these names."""

    def them_de_xuat(ds: Any, now: datetime, **fields: Any) -> list[dict[str, Any]]:
        stamp = now.astimezone(zone).isoformat(timespec="seconds")
        return add_proposal(list(ds or []), fields, stamp)

    def ghi_danh_gia(de_xuat: Any, so_thanh_vien: Any, **form: Any) -> dict[str, Any]:
        return score(de_xuat or {}, so_thanh_vien, form)

    return {
        "them_de_xuat": them_de_xuat,
        "bang_de_xuat": list_text,
        "mo_ta_de_xuat": describe,
        "ghi_danh_gia": ghi_danh_gia,
        "gop_danh_gia": merge_scores,
        "bang_hoi_dong": council_text,
        "de_xuat_duoc_de_nghi": recommended,
        "ghi_phe_duyet": approval,
        "ket_qua_xac_dinh": results,
        "bang_ket_qua": results_text,
        "nguoi_nhan_thong_bao": recipients,
    }
