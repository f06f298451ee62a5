"""The department's forms (bpmn/forms, made by tools/diagrams) name each box once, by what it
holds, and say a missing reason by the decision that needs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

FORMS = Path(__file__).parents[2] / "bpmn" / "forms"


def test_form_wording__a_box_has_one_label() -> None:
    """Never two labels glued with a slash ("Lý do … / ý kiến …"): one box, one name."""
    glued = []
    for path in sorted(FORMS.glob("*.json")):
        form = json.loads(path.read_text(encoding="utf-8"))
        for name, spec in (form.get("properties") or {}).items():
            if " / " in str(spec.get("title") or ""):
                glued.append(f"{path.name} {name}: {spec['title']}")
    assert glued == []


def test_form_wording__a_label_does_not_say_when_it_is_required() -> None:
    """The task page says it under the box ("Bắt buộc khi chọn: …", web/form_fields.py), and
    a value shown read-only is on the page only when the item holds it."""
    said = []
    for path in sorted(FORMS.glob("*.json")):
        form = json.loads(path.read_text(encoding="utf-8"))
        for name, spec in (form.get("properties") or {}).items():
            title = str(spec.get("title") or "").lower()
            if "bắt buộc" in title or "(khi " in title:  # nor "Hạn mới (khi đồng ý)"
                said.append(f"{path.name} {name}: {spec['title']}")
    assert said == []


def test_form_wording__the_councils_reason_is_asked_by_its_conclusion() -> None:
    form = json.loads((FORMS / "dot_danh_gia.json").read_text(encoding="utf-8"))
    box = form["properties"]["y_kien_hoi_dong"]
    assert box["title"] == "Ý kiến của Hội đồng"
    assert box["errorMessages"]["required"] == "Không đề nghị thực hiện phải nêu lý do"


@pytest.mark.parametrize(
    ("form", "name", "message"),
    [
        ("duyet.json", "y_kien", "Trả lại phải nêu lý do"),
        ("quyet_dinh_giam_doc.json", "y_kien", "Trả lại hoặc không trình UBND tỉnh phải nêu lý do"),
        ("xet_gia_han.json", "y_kien_gia_han", "Không đồng ý gia hạn phải nêu lý do"),
        ("gop_y.json", "y_kien", "Có ý kiến khác phải nêu nội dung góp ý"),
        ("danh_gia_ket_qua.json", "y_kien", "Yêu cầu bổ sung phải nêu nội dung cần bổ sung"),
    ],
)
def test_form_wording__a_missing_reason_names_the_decision(
    form: str, name: str, message: str
) -> None:
    spec = json.loads((FORMS / form).read_text(encoding="utf-8"))["properties"][name]
    assert spec["errorMessages"] == {"required": message, "minLength": message}


def test_form_wording__the_urging_asks_its_content_once() -> None:
    form = json.loads((FORMS / "don_doc.json").read_text(encoding="utf-8"))
    assert list(form["properties"]) == ["noi_dung_don_doc"]
    assert form["required"] == ["noi_dung_don_doc"]
    assert form["properties"]["noi_dung_don_doc"]["x-comment"] is True


@pytest.mark.parametrize(
    ("form", "name"),
    [("dot_danh_gia.json", "y_kien_hoi_dong"), ("xet_gia_han.json", "y_kien_gia_han")],
)
def test_form_wording__a_steps_own_opinion_box_is_its_only_one(form: str, name: str) -> None:
    """The council's opinion and the leader's opinion on an extension are the step's comment
    ("x-comment"): the task page asks no "Ý kiến xử lý" beside them (web/form_fields.py)."""
    properties = json.loads((FORMS / form).read_text(encoding="utf-8"))["properties"]
    assert properties[name]["x-comment"] is True
    assert "y_kien" not in properties


def test_form_wording__a_whole_number_is_asked_within_its_bounds() -> None:
    """A box for a whole number says, for a value too small, too large or not whole ("45,5"),
    the bounds it takes; and no message repeats the box's label, which the page's list of
    problems puts before it ("Thời hạn thẩm định…: Thời hạn thẩm định…: không quá 200")."""
    wrong = []
    for path in sorted(FORMS.glob("*.json")):
        form = json.loads(path.read_text(encoding="utf-8"))
        for name, spec in (form.get("properties") or {}).items():
            messages = spec.get("errorMessages") or {}
            title = str(spec.get("title") or "")
            if any(str(m).startswith(f"{title}:") for m in messages.values()):
                wrong.append(f"{path.name} {name}: repeats its label")
            if spec.get("type") != "integer" or "maximum" not in spec:
                continue
            bounds = f"từ {spec.get('minimum')} đến {spec['maximum']}"
            for code in ("minimum", "maximum", "type"):
                if bounds not in str(messages.get(code)):
                    wrong.append(f"{path.name} {name} {code}: {messages.get(code)}")
    assert wrong == []
