"""The legal limits of drafting a provincial legal document (xay_dung_quy_dinh), and the helpers
its diagram calls: calendar-day deadlines, the portal-posting period, the bodies a draft must be
sent to, and the UBND's collective vote.

Basis (shared DOMAIN.md): Luật Ban hành văn bản quy phạm pháp luật 64/2025/QH15 as amended by
Luật 87/2025/QH15; NĐ 78/2025/NĐ-CP as amended by NĐ 187/2025/NĐ-CP (Art. 51a: posted on the
provincial portal at least 10 days; Sở Tài chính, Sở Nội vụ, Sở Tư pháp and the sector sở
consulted; replies within 7 days, 3 under the shortened procedure). Where no limit was retrieved
the value below is this office's default, marked so, and a form may change it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from engine import end_of_day

from .calendar import WorkCalendar, as_date

# The two kinds of decision (Law 87/2025 makes the Chairman's decisions a type of their own).
UBND_DECISION, CHAIRMAN_DECISION = "qd_ubnd", "qd_chu_tich"
# The UBND's vote as its office records it; one not passed sends the draft back (a return).
VOTE_PASSED, VOTE_FAILED = "thong_qua", "khong_thong_qua"
DECISION_KINDS = (
    (UBND_DECISION, "Quyết định của UBND tỉnh (tập thể quyết định: họp hoặc lấy phiếu)"),
    (CHAIRMAN_DECISION, "Quyết định của Chủ tịch UBND tỉnh"),
)
# A draft can be sent to any outside actor of the org chart (a group marked outside, with a
# receiver): the form offers them from the database ("x-options": "outside_actors").
# NĐ 187/2025 Art. 51a: a Chairman's decision is sent to these (the sector sở, KH&CN, drafts it),
# by their keys in the org chart, named as the message says them.
REQUIRED_BODIES = (
    ("so_tai_chinh", "Sở Tài chính"),
    ("so_noi_vu", "Sở Nội vụ"),
    ("so_tu_phap", "Sở Tư pháp"),
)
REQUIRED_FOR_CHAIRMAN = tuple(key for key, _ in REQUIRED_BODIES)
# NĐ 187/2025 Art. 51a: replies within 7 days, 3 under the shortened procedure (calendar days:
# the decree says "ngày", not "ngày làm việc").
REPLY_DAYS, SHORTENED_REPLY_DAYS = 7, 3
# NĐ 187/2025 Art. 51a: the draft stays on the provincial portal at least 10 days. For the
# UBND's own decisions the 2025 period was not retrieved: the same 10 days are used.
POSTING_DAYS = 10
# Sở Tư pháp's appraisal: no limit retrieved for the 2025 rules. This office's default, in
# working days; the assignment form may set another.
APPRAISAL_WORKING_DAYS = 10
# The Chairman signs a passed decision: no limit retrieved; this office's default.
SIGNING_WORKING_DAYS = 3
# Công báo: the 2015 law sent a signed document within 3 days and published it within 7 days of
# receipt (not re-checked against the 2025 law): 10 calendar days from signing by default.
GAZETTE_DAYS = 10


def _names(keys: list[str]) -> str:
    names = dict(REQUIRED_BODIES)
    return ", ".join(names.get(k, k) for k in keys)


def legal_drafting_helpers(calendar: WorkCalendar) -> dict[str, Callable[..., Any]]:
    """The helpers the drafting diagram calls, by the names it uses."""
    zone = calendar.zone

    def han_ngay_lich(so_ngay: Any, now: datetime) -> str:
        """A limit of `so_ngay` calendar days from `now` (ISO moment, office zone): counted from
        the next day, ending at the end of the last day; a last day that is a day off moves to
        the end of the next working day (Bộ luật Dân sự 2015, Art. 147-148)."""
        last = now.astimezone(zone).date() + timedelta(days=int(so_ngay))
        while not calendar.is_working_day(last):
            last += timedelta(days=1)
        return end_of_day(last, zone).isoformat()

    def so_ngay_gop_y(rut_gon: Any) -> int:
        """Days to reply to a consultation: 7, or 3 under the shortened procedure."""
        return SHORTENED_REPLY_DAYS if rut_gon is True else REPLY_DAYS

    def ket_thuc_dang_tai(ngay_dang_tai: Any, now: datetime) -> str:
        """When the posting period ends (ISO moment): POSTING_DAYS whole days after the day of
        posting, counted from the next day; never from a day before the posting was recorded
        here, which is all the system can vouch for."""
        recorded = now.astimezone(zone).date()
        first = max(as_date(ngay_dang_tai), recorded)
        end = first + timedelta(days=POSTING_DAYS + 1)
        return datetime.combine(end, time(0, 0), tzinfo=zone).isoformat()

    def loi_lay_y_kien(hinh_thuc: Any, co_quan: Any, don_vi: Any) -> str:
        """Why the draft cannot be sent for comments as chosen; "" when it can."""
        chosen = list(co_quan or [])
        if hinh_thuc == CHAIRMAN_DECISION:
            missing = [k for k in REQUIRED_FOR_CHAIRMAN if k not in chosen]
            if missing:
                return (
                    "Chưa gửi lấy ý kiến: dự thảo quyết định của Chủ tịch UBND tỉnh phải lấy ý "
                    f"kiến {_names(missing)} (Nghị định 187/2025/NĐ-CP, Điều 51a)."
                )
        if not chosen and not list(don_vi or []):
            return "Chưa gửi lấy ý kiến: hãy chọn ít nhất một cơ quan, đơn vị được lấy ý kiến."
        return ""

    def co_quan_bat_buoc(hinh_thuc: Any, co_quan: Any) -> list[str]:
        """The outside bodies chosen, with those the law requires for this kind of decision."""
        chosen = list(co_quan or [])
        if hinh_thuc == CHAIRMAN_DECISION:
            chosen += [k for k in REQUIRED_FOR_CHAIRMAN if k not in chosen]
        return chosen

    def noi_lay_y_kien(co_quan: Any, don_vi: Any) -> list[str]:
        """Every body a reply is asked of, outside bodies first, each once."""
        return list(dict.fromkeys([*(co_quan or []), *(don_vi or [])]))

    def loi_bieu_quyet(so_thanh_vien: Any, so_tan_thanh: Any, ket_qua: Any = None) -> str:
        """Why a recorded vote cannot stand; "" when the figures hold together and agree with
        the outcome recorded (`ket_qua`, where the form asks it)."""
        if int(so_tan_thanh) > int(so_thanh_vien):
            return (
                f"Số thành viên tán thành ({so_tan_thanh}) không thể lớn hơn tổng số thành viên "
                f"UBND tỉnh ({so_thanh_vien}); hãy ghi lại kết quả biểu quyết."
            )
        passed = thong_qua(so_thanh_vien, so_tan_thanh)
        if ket_qua in (VOTE_PASSED, VOTE_FAILED) and (ket_qua == VOTE_PASSED) != passed:
            said = "thông qua" if ket_qua == VOTE_PASSED else "không thông qua"
            need = int(so_thanh_vien) // 2 + 1
            return (
                f"Kết quả ghi «{said}» nhưng có {so_tan_thanh}/{so_thanh_vien} thành viên tán "
                f"thành (thông qua khi có từ {need} thành viên tán thành); hãy ghi lại kết quả "
                "biểu quyết."
            )
        return ""

    def thong_qua(so_thanh_vien: Any, so_tan_thanh: Any) -> bool:
        """Passed: more than half of all the UBND's members voted for it."""
        return 2 * int(so_tan_thanh) > int(so_thanh_vien)

    def ket_qua_bieu_quyet(so_thanh_vien: Any, so_tan_thanh: Any) -> str:
        """The vote as the history tells it."""
        verdict = "thông qua" if thong_qua(so_thanh_vien, so_tan_thanh) else "không thông qua"
        return (
            f"UBND tỉnh {verdict}: {so_tan_thanh}/{so_thanh_vien} thành viên tán thành "
            "(cần quá nửa tổng số thành viên)."
        )

    return {
        "han_ngay_lich": han_ngay_lich,
        "so_ngay_gop_y": so_ngay_gop_y,
        "ket_thuc_dang_tai": ket_thuc_dang_tai,
        "loi_lay_y_kien": loi_lay_y_kien,
        "co_quan_bat_buoc": co_quan_bat_buoc,
        "noi_lay_y_kien": noi_lay_y_kien,
        "loi_bieu_quyet": loi_bieu_quyet,
        "bieu_quyet_thong_qua": thong_qua,
        "ket_qua_bieu_quyet": ket_qua_bieu_quyet,
    }
