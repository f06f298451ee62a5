"""The yearly identification's helpers: the list numbered as received, the council's counts
checked (never corrected), results matched to proposals by number, notices to the Sở's own
proposers only."""

from __future__ import annotations

from typing import Any

import pytest

from workflows.batch_identification import (
    add_proposal,
    approval,
    describe,
    merge_scores,
    recipients,
    results,
    results_text,
    score,
)

FORM = {
    "so_thanh_vien_co_mat": 7,
    "phieu_cap_thiet": 7,
    "phieu_quan_trong": 6,
    "phieu_khong_trung_lap": 7,
    "phieu_nguon_luc": 5,
    "so_phieu_tan_thanh": 6,
    "ket_luan": "de_nghi",
    "phuong_thuc": "giao_truc_tiep",
    "y_kien_hoi_dong": None,
}


def _listed() -> list[dict[str, Any]]:
    ds: list[dict[str, Any]] = []
    ds = add_proposal(
        ds,
        {"ten_nhiem_vu": " A ", "nguon": "noi_bo", "don_vi_de_xuat": "Trung tâm", "so_den": 9},
        "2026-03-02T08:00:00+07:00",
    )
    ds = add_proposal(
        ds,
        {
            "ten_nhiem_vu": "B",
            "nguon": "cong_van_den",
            "don_vi_de_xuat": "UBND xã",
            "so_den": 125,
            "ngay_den": "2026-03-05",
        },
        "2026-03-03T08:00:00+07:00",
    )
    return ds


def test_batch__numbered_as_received_and_described() -> None:
    first, second = _listed()
    assert (first["stt"], first["ten_nhiem_vu"], first["so_den"]) == (1, "A", None)
    assert describe(second) == "2. B — UBND xã (Công văn đến số 125 ngày 05/03/2026)"


@pytest.mark.parametrize(
    ("changed", "warning"),
    [
        ({}, None),
        ({"so_phieu_tan_thanh": 8}, "số phiếu tán thành (8) nhiều hơn số thành viên có mặt (7)"),
        (
            {"phieu_nguon_luc": 9},
            "số phiếu đạt tiêu chí cần nguồn lực của tỉnh (9) nhiều hơn số thành viên có mặt (7)",
        ),
        ({"so_thanh_vien_co_mat": 8}, "số thành viên có mặt (8) nhiều hơn số thành viên (7)"),
    ],
)
def test_batch__impossible_counts_are_flagged_not_changed(
    changed: dict[str, Any], warning: str | None
) -> None:
    result = score({"stt": 1}, 7, {**FORM, **changed})
    assert result["canh_bao"] == ([warning] if warning else [])
    assert result["so_phieu_tan_thanh"] == {**FORM, **changed}["so_phieu_tan_thanh"]


def test_batch__a_refusal_keeps_its_reason_and_no_method() -> None:
    result = score({"stt": 2}, 7, {**FORM, "ket_luan": "khong_de_nghi", "y_kien_hoi_dong": "Trùng"})
    assert (result["phuong_thuc"], result["ly_do"]) == (None, "Trùng")


def test_batch__results_by_number_whatever_the_order_and_notices_to_staff_only() -> None:
    ds = _listed()
    ds[0]["nguoi_de_xuat"] = "trungtam.cv1"
    ds[1]["nguoi_de_xuat"] = "ai.do"  # an outside body has no login here
    scores = [
        score(ds[1], 7, {**FORM, "ket_luan": "khong_de_nghi", "y_kien_hoi_dong": "Trùng"}),
        score(ds[0], 7, FORM),
    ]
    done = results(merge_scores(ds, scores), "12/QĐ-UBND")
    assert [(p["stt"], p["ket_qua"], p["ly_do"]) for p in done] == [
        (1, "duoc_phe_duyet", None),
        (2, "khong_duoc_phe_duyet", "Trùng"),
    ]
    assert recipients(done) == ["trungtam.cv1"]


def test_batch__the_ubnd_strikes_out_a_recommended_proposal_with_its_reason() -> None:
    ds = merge_scores(_listed(), [score(p, 7, FORM) for p in _listed()])
    struck = approval(ds[1], "khong_duoc_phe_duyet", "  Trùng nguồn vốn ")
    kept = approval(ds[0], "duoc_phe_duyet", "ignored")
    assert (kept["ket_qua"], kept["ly_do"]) == ("duoc_phe_duyet", None)
    done = results(ds, "12/QĐ-UBND", [struck, kept], "2026-03-20")
    assert [(p["stt"], p["ket_qua"], p["ly_do"], p["phuong_thuc"]) for p in done] == [
        (1, "duoc_phe_duyet", None, "giao_truc_tiep"),
        (2, "khong_duoc_phe_duyet", "Trùng nguồn vốn", None),
    ]
    text = results_text(done)
    assert text.startswith("Theo Quyết định số 12/QĐ-UBND ngày 20/03/2026 của UBND tỉnh: 1. A")
    assert (
        "2. B — UBND xã (Công văn đến số 125 ngày 05/03/2026): không được phê duyệt — lý do: "
        "Trùng nguồn vốn."
    ) in text
    # Nothing recorded: everything the council recommended is approved.
    assert {p["ket_qua"] for p in results(ds, "12/QĐ-UBND")} == {"duoc_phe_duyet"}


def test_batch__a_striking_out_never_approves_what_the_council_did_not_recommend() -> None:
    ds = _listed()
    scores = [
        score(ds[0], 7, FORM),
        score(ds[1], 7, {**FORM, "ket_luan": "khong_de_nghi", "y_kien_hoi_dong": "Trùng"}),
    ]
    done = results(merge_scores(ds, scores), None, [approval(ds[1], "duoc_phe_duyet", None)])
    assert done[1]["ket_qua"] == "khong_duoc_phe_duyet"
    assert results_text(done).startswith("1. A")  # no decision: no basis named
