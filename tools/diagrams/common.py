"""What every process of the department shares: form builders, units, return choices."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.bpmn_builder import Diagram

ROOT = Path(__file__).resolve().parents[2]
BPMN_DIR = ROOT / "bpmn"
FORMS_DIR = BPMN_DIR / "forms"

Y_KIEN = {"type": "string", "title": "Ý kiến xử lý", "maxLength": 4000}
# A field that is the step's comment itself (web/form_fields.py): the page adds no comment box.
COMMENT_MARK = "x-comment"
REASON_MESSAGES = {"required": "Trả lại phải nêu lý do", "minLength": "Trả lại phải nêu lý do"}


def whole_number(
    title: str, minimum: int, maximum: int, required: str | None = None
) -> dict[str, Any]:
    """A box for a whole number within bounds. Every message names the bounds and says a whole
    number: a page lists it after the box's label ("Label: message"), so none repeats it, and
    "45,5" or "90" is told what is asked, not only that it is wrong."""
    message = f"Hãy nhập một số nguyên từ {minimum} đến {maximum}"
    messages = {"minimum": message, "maximum": message, "type": message}
    return {
        "type": "integer",
        "title": title,
        "minimum": minimum,
        "maximum": maximum,
        "errorMessages": {**({"required": required} if required else {}), **messages},
    }


def choice(title: str, options: list[tuple[str, str]], message: str) -> dict[str, Any]:
    return {
        "type": "string",
        "title": title,
        "oneOf": [{"const": key, "title": label} for key, label in options],
        "errorMessages": {"required": message, "oneOf": message},
    }


@dataclass(frozen=True)
class ReturnTarget:
    value: str  # what the form stores
    title: str  # the choice as the form shows it
    node: str  # the element the gateway sends the item to
    flow: str  # the flow's label on the diagram


@dataclass(frozen=True)
class ReturnChoice:
    """A return whose target step the person chooses. The form's field and the gateway's flows
    are both made from this one table, so every target offered has its flow and the field a
    condition reads is one the form requires whenever that condition can be true. No target
    is chosen beforehand: a return goes only where the person sends it."""

    targets: tuple[ReturnTarget, ...]
    when: str = "tra_lai"  # the decision that returns
    field: str = "buoc_tra_lai"
    decision: str = "decision"

    def form_field(self) -> dict[str, Any]:
        return choice(
            "Trả lại về bước",
            [(t.value, t.title) for t in self.targets],
            "Hãy chọn bước nhận lại hồ sơ",
        )

    def rule(self) -> dict[str, Any]:
        return {
            "if": {
                "properties": {self.decision: {"enum": [self.when]}},
                "required": [self.decision],
            },
            "then": {"required": [self.field]},
        }

    def flows(self, d: Diagram, gateway: str) -> None:
        for t in self.targets:
            d.flow(
                gateway,
                t.node,
                t.flow,
                f'{self.decision} == "{self.when}" and {self.field} == "{t.value}"',
            )


def decision_form(
    title: str,
    options: list[tuple[str, str]],
    returns: list[str],
    *,
    field: str = "decision",
    label: str = "Kết quả xử lý",
    extra: dict[str, Any] | None = None,
    required: tuple[str, ...] = (),
    reason_field: str = "y_kien",
    reason_title: str = "Ý kiến xử lý",
    return_to: ReturnChoice | None = None,
    reason_message: str | None = None,
    reason_is_comment: bool = False,
) -> dict[str, Any]:
    """A decision among `options`; choosing one of `returns` requires a reason, and a return
    with a choice of target (`return_to`) requires the target. A missing reason is said by
    the decisions that need it ("Không đề nghị thực hiện phải nêu lý do"), or `reason_message`.
    `reason_is_comment`: the reason box is the step's only text box, its comment too (the page
    then asks no "Ý kiến xử lý" beside it)."""
    properties: dict[str, Any] = {
        field: choice(label, options, f"Hãy chọn {label[:1].lower()}{label[1:]}"),
        **(extra or {}),
    }
    rules: list[dict[str, Any]] = []
    if returns:
        rules.append(
            {
                "if": {"properties": {field: {"enum": returns}}, "required": [field]},
                "then": {
                    "required": [reason_field],
                    "properties": {reason_field: {"minLength": 1}},
                },
            }
        )
    if return_to is not None:
        assert return_to.decision == field and return_to.when in dict(options)
        properties[return_to.field] = return_to.form_field()
        rules.append(return_to.rule())
    message = reason_message or _reason_message([t for v, t in options if v in returns])
    messages = {"required": message, "minLength": message} if message else REASON_MESSAGES
    properties[reason_field] = {**Y_KIEN, "title": reason_title, "errorMessages": messages}
    if reason_is_comment:
        properties[reason_field][COMMENT_MARK] = True
    form: dict[str, Any] = {
        "title": title,
        "type": "object",
        "required": [field, *required],
        "properties": properties,
    }
    if rules:
        form["allOf"] = rules
    return form


def _reason_message(titles: list[str]) -> str | None:
    """The missing-reason message said by the decisions that need a reason when they are not
    all returns ("Kết thúc đợt phải nêu lý do"); None when they are ("Trả lại phải nêu lý do"
    stands), or when none needs one."""
    if not titles or all(t.startswith("Trả lại") for t in titles):
        return None
    named = [titles[0], *(t[:1].lower() + t[1:] for t in titles[1:])]
    return " hoặc ".join(named) + " phải nêu lý do"


def with_decision_record(form: dict[str, Any]) -> dict[str, Any]:
    """The Chairman's approval is recorded with its decision's number and date of signing."""
    form["allOf"] = [
        *form.get("allOf", []),
        {
            "if": {"properties": {"decision": {"enum": ["phe_duyet"]}}, "required": ["decision"]},
            "then": {
                "required": ["so_quyet_dinh", "ngay_ky"],
                "properties": {"so_quyet_dinh": {"minLength": 1}},
            },
        },
    ]
    form["properties"]["so_quyet_dinh"]["pattern"] = DECISION_NUMBER
    form["properties"]["so_quyet_dinh"]["errorMessages"] = {
        "required": "Hãy nhập số quyết định",
        "minLength": "Hãy nhập số quyết định",
        "pattern": "Số quyết định ghi theo mẫu 1234/QĐ-UBND (số/QĐ-UBND)",
    }
    form["properties"]["ngay_ky"]["errorMessages"]["required"] = "Hãy nhập ngày ký"
    return form


def require_when(
    form: dict[str, Any], field: str, value: str, required: list[str]
) -> dict[str, Any]:
    """Choosing `value` for `field` makes the `required` fields required."""
    form["allOf"] = [
        *form.get("allOf", []),
        {
            "if": {"properties": {field: {"enum": [value]}}, "required": [field]},
            "then": {"required": required},
        },
    ]
    return form


def text(title: str, *, long: bool = False, required: bool = True) -> dict[str, Any]:
    field: dict[str, Any] = {"type": "string", "title": title, "maxLength": 8000 if long else 500}
    if required:
        field["minLength"] = 1
        field["errorMessages"] = {
            "required": f"Hãy nhập {title.lower()}",
            "minLength": f"Hãy nhập {title.lower()}",
        }
    if long:
        field["format_hint"] = "textarea"
    return field


ATTACHMENT_REQUIRED = "x-attachment-required"  # engine/required_documents.py
# A decision's number (NĐ 30/2020, Phụ lục I): "1234/QĐ-UBND"; one of a legal normative
# document carries its year, "25/2026/QĐ-UBND" (Luật Ban hành văn bản QPPL).
DECISION_NUMBER = "^[0-9]{1,5}(/[0-9]{4})?/QĐ-[A-ZĐ0-9]+(-[A-ZĐ0-9]+)*$"
LEGAL_NUMBER = "^[0-9]{1,5}/[0-9]{4}/QĐ-UBND$"


def simple_form(
    title: str, properties: dict[str, Any], required: list[str], document: str | None = None
) -> dict[str, Any]:
    """A step's form; `document`: what must be attached before the step is done, in the form's
    words (engine/required_documents.py)."""
    form = {
        "title": title,
        "type": "object",
        "required": required,
        "properties": {**properties, "y_kien": Y_KIEN},
    }
    return {**form, ATTACHMENT_REQUIRED: document} if document else form


# A task's own reminder lead time; empty: by the task's length (workflows/script_helpers.py).
REMINDER_FIELD = whole_number(
    "Nhắc hạn trước (ngày làm việc; để trống: theo độ dài nhiệm vụ)", 1, 30
)
# A unit of the Sở: its choices are the units in the database when the form is shown and when
# it is checked ("x-options": "units", engine/form_options.py), so a unit added in Quản trị is
# offered at once and one that is gone is refused.
UNIT_CHOICE = {
    "type": "string",
    "title": "Đơn vị",
    "x-options": "units",
}


DECIDED = 'decision == "{}"'
# A step after the tờ trình is drafted: its usual working days, fewer when the document is urgent
# (Khẩn, Thượng khẩn, Hỏa tốc: the rule and its basis are in workflows/urgency.py).
# A step that takes a register's number (văn thư's "Phát hành"): the number is given as the
# step completes, so the copy that bears it is attached afterwards, by whoever issued it
# (engine.registers.issued_by), on the item's page.
ISSUED_COPY_DOC = (
    "Số được cấp khi bấm «Phát hành»; sau đó ghi số lên văn bản, ký số của cơ quan và đính "
    "kèm bản phát hành ở mục «Tệp đính kèm» của trang hồ sơ."
)
ISSUED_COPY_DONE = "Hãy đính kèm bản phát hành đã ghi số ở trang hồ sơ."
URGENT_DUE = "${{han_theo_do_khan({}, do_khan, now())}}"
URGENCY_DOC = (
    " Hạn xử lý rút ngắn theo độ khẩn (Nghị định 30/2020/NĐ-CP: văn bản khẩn được xử lý ngay; "
    "quy tắc của cơ quan: Khẩn còn một nửa số ngày làm việc, ít nhất 1 ngày; Thượng khẩn 1 "
    "ngày làm việc; Hỏa tốc trong ngày)."
)
