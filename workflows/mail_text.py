"""The words of the department's notification mail, Vietnamese and English, and their rendering
as plain text and HTML. A person's language (users.locale) picks the words; a new language is a
new entry in TEXTS with the same keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from html import escape

from engine import MailItem, OutgoingMail, ends_its_day, unit_separator

APP = "Phê duyệt"

TEXTS: dict[str, dict[str, str]] = {
    "vi": {
        "greeting": "Kính gửi: {name}",
        "subject.new_task": "[{app}] Công việc mới: {step} – {title}",
        "subject.returned": "[{app}] Hồ sơ bị trả lại: {title}",
        "subject.reminder": "[{app}] Sắp đến hạn xử lý: {step} – {title}",
        "subject.overdue": "[{app}] Quá hạn xử lý: {step} – {title}",
        "subject.escalated": "[{app}] Báo cáo công việc quá hạn của {units}: {step} – {title}",
        "subject.escalated.no_unit": "[{app}] Báo cáo công việc quá hạn: {step} – {title}",
        "subject.finished": "[{app}] Hồ sơ đã hoàn thành: {title}",
        "subject.urged": "[{app}] Lãnh đạo Sở đôn đốc: {step} – {title}",
        "subject.test": "[{app}] Thư thử nghiệm",
        "subject.digest": "[{app}] Tổng hợp thông báo ngày {date} ({count} nội dung)",
        "lead.new_task": "Hệ thống {app} xin thông báo: có công việc mới chuyển đến đồng chí "
        "xử lý.",
        "lead.returned": "Hồ sơ dưới đây đã được trả lại để đồng chí xem xét, bổ sung, hoàn thiện.",
        "lead.reminder": "Công việc dưới đây sắp đến hạn xử lý. Đề nghị đồng chí sắp xếp hoàn "
        "thành đúng hạn.",
        "lead.overdue": "Công việc dưới đây đã quá hạn xử lý. Đề nghị đồng chí khẩn trương "
        "hoàn thành; nếu có vướng mắc, kịp thời báo cáo lãnh đạo.",
        "lead.escalated": "Công việc dưới đây thuộc đơn vị do đồng chí phụ trách đã quá hạn xử "
        "lý. Xin báo cáo để đồng chí xem xét, chỉ đạo.",
        "lead.finished": "Hồ sơ do đồng chí khởi tạo đã hoàn thành quy trình xử lý.",
        "lead.urged": "Lãnh đạo Sở đôn đốc đơn vị thực hiện công việc dưới đây đã quá hạn. Đề "
        "nghị đồng chí khẩn trương hoàn thành, báo cáo kết quả.",
        "lead.test": "Đây là thư thử nghiệm của hệ thống {app}. Đồng chí nhận được thư này "
        "nghĩa là việc gửi thư điện tử đã được cấu hình đúng.",
        "lead.digest": "Hệ thống {app} xin tổng hợp các thông báo gửi đồng chí như sau:",
        "event.new_task": "Công việc mới",
        "event.returned": "Hồ sơ bị trả lại",
        "event.reminder": "Sắp đến hạn",
        "event.overdue": "Quá hạn",
        "event.escalated": "Báo cáo quá hạn",
        "event.finished": "Hồ sơ đã hoàn thành",
        "event.urged": "Lãnh đạo Sở đôn đốc",
        "event.test": "Thư thử nghiệm",
        "label.title": "Hồ sơ",
        "label.step": "Bước xử lý",
        "label.due": "Hạn xử lý",
        "label.reason": "Lý do trả lại",
        "label.urging": "Nội dung đôn đốc",
        "label.result": "Kết quả",
        "label.late_unit": "Đơn vị chậm xử lý",
        "label.note": "Ý kiến",
        "label.link": "Xem và xử lý tại",
        "label.item_link": "Xem hồ sơ tại",
        "footer": "Thư này do hệ thống {app} gửi tự động, đề nghị không trả lời thư này. Đồng "
        "chí có thể thay đổi cách nhận thông báo tại trang Thông tin cá nhân.",
        "date": "%d/%m/%Y",
        "datetime": "%H:%M ngày %d/%m/%Y",
    },
    "en": {
        "greeting": "Dear {name},",
        "subject.new_task": "[{app}] New task: {step} – {title}",
        "subject.returned": "[{app}] Returned to you: {title}",
        "subject.reminder": "[{app}] Due soon: {step} – {title}",
        "subject.overdue": "[{app}] Overdue: {step} – {title}",
        "subject.escalated": "[{app}] Overdue in {units}: {step} – {title}",
        "subject.escalated.no_unit": "[{app}] Overdue in your unit: {step} – {title}",
        "subject.finished": "[{app}] Finished: {title}",
        "subject.urged": "[{app}] The department's leaders urge: {step} – {title}",
        "subject.test": "[{app}] Test message",
        "subject.digest": "[{app}] Your notifications of {date} ({count})",
        "lead.new_task": "A new task is waiting for you in {app}.",
        "lead.returned": "The item below was returned to you for revision.",
        "lead.reminder": "The task below is due soon. Please complete it on time.",
        "lead.overdue": "The task below is overdue. Please complete it as soon as possible, "
        "and tell your leader of anything that holds it up.",
        "lead.escalated": "The task below, in a unit you lead, is overdue. It is reported to "
        "you for your direction.",
        "lead.finished": "The item you started has finished.",
        "lead.urged": "The department's leaders urge your unit on the overdue task below. "
        "Please complete it and report its result as soon as possible.",
        "lead.test": "This is a test message from {app}. If you read it, mail is set up correctly.",
        "lead.digest": "Here are your notifications from {app}:",
        "event.new_task": "New task",
        "event.returned": "Returned",
        "event.reminder": "Due soon",
        "event.overdue": "Overdue",
        "event.escalated": "Overdue in your unit",
        "event.finished": "Finished",
        "event.urged": "Urged by the leaders",
        "event.test": "Test",
        "label.title": "Item",
        "label.step": "Step",
        "label.due": "Deadline",
        "label.reason": "Reason for the return",
        "label.urging": "What the leaders wrote",
        "label.result": "Outcome",
        "label.late_unit": "Unit behind schedule",
        "label.note": "Note",
        "label.link": "Open the task",
        "label.item_link": "Open the item",
        "footer": "This message was sent automatically by {app}; please do not reply. You can "
        "change how you are notified on your profile page.",
        "date": "%Y-%m-%d",
        "datetime": "%Y-%m-%d %H:%M",
    },
}


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def link(item: MailItem, base_url: str | None) -> str | None:
    """The page of the notification: the task's (/tasks/<id>), else the item's (/items/<id>)."""
    if not base_url:
        return None
    base = base_url.rstrip("/")
    if item.task_id and item.event != "finished":
        return f"{base}/tasks/{item.task_id}"
    if item.instance_id is not None:
        return f"{base}/items/{item.instance_id}"
    return None


def render(mail: OutgoingMail, base_url: str | None, zone: tzinfo, now: datetime) -> RenderedMail:
    """The subject, plain text and HTML of a message in the recipient's language."""
    words = TEXTS.get(mail.locale, TEXTS["vi"])

    def say(key: str, **values: object) -> str:
        return words[key].format(app=APP, **values)

    blocks = [_fields(item, words, base_url, zone) for item in mail.items]
    if mail.digest:
        subject = say(
            "subject.digest", date=now.astimezone(zone).strftime(words["date"]), count=len(blocks)
        )
        lead = say("lead.digest")
        headings: list[str | None] = [say(f"event.{item.event}") for item in mail.items]
    else:
        item = mail.items[0]
        subject = say(
            _subject_key(item), step=item.step or "", title=item.title, units=_units(item)
        )
        lead = say(f"lead.{item.event}")
        headings = [None]
    greeting = say("greeting", name=mail.display_name)
    footer = say("footer")
    text = _text(greeting, lead, headings, blocks, footer)
    html = _html(greeting, lead, headings, blocks, footer)
    return RenderedMail(subject=" ".join(subject.split())[:250], text=text, html=html)


# An escalation's subject names the late units, so a leader told of several tells them apart in
# the mailbox's list; a long list is cut here so the step and the item's title still show.
UNITS_IN_SUBJECT = 80


def _subject_key(item: MailItem) -> str:
    if item.event == "escalated" and not _late_units(item):
        return "subject.escalated.no_unit"
    return f"subject.{item.event}"


def _late_units(item: MailItem) -> tuple[str, ...]:
    """An escalation's late units, each a whole name: the list the engine wrote, else (a row
    written without one) its note as one name, never split: a name may hold ", " itself."""
    if item.event != "escalated":
        return ()
    names = item.units if item.units is not None else (item.reason or "",)
    return tuple(name for name in (" ".join(n.split()) for n in names) if name)


def _units(item: MailItem) -> str:
    """An escalation's late units for its subject; past UNITS_IN_SUBJECT, the whole names that
    fit and "…" (or the whole words of the first name, when even it does not fit)."""
    names = _late_units(item)
    apart = unit_separator(names)
    units = apart.join(names)
    if len(units) <= UNITS_IN_SUBJECT:
        return units
    fit = 0
    while fit < len(names) and len(apart.join((*names[: fit + 1], "…"))) <= UNITS_IN_SUBJECT:
        fit += 1
    if fit:
        return apart.join((*names[:fit], "…"))
    return f"{names[0][: UNITS_IN_SUBJECT - 1].rsplit(' ', 1)[0]}…"


Field = tuple[str, str, bool]  # label, value, is a link
# What a notification's text is, by its event; another event's is a note.
_REASON_LABELS = {
    "returned": "label.reason",
    "urged": "label.urging",
    "escalated": "label.late_unit",
    "finished": "label.result",
}


def _fields(
    item: MailItem, words: dict[str, str], base_url: str | None, zone: tzinfo
) -> list[Field]:
    fields: list[Field] = []
    if item.event != "test":
        fields.append((words["label.title"], item.title, False))
    if item.step:
        fields.append((words["label.step"], item.step, False))
    if item.due_at is not None:
        due = item.due_at.astimezone(zone)
        # A deadline that runs to the end of its day is a date (as on the pages: web.formatting).
        shown = due.strftime(words["date" if ends_its_day(due, zone) else "datetime"])
        fields.append((words["label.due"], shown, False))
    if item.reason:
        label = words[_REASON_LABELS.get(item.event, "label.note")]
        fields.append((label, item.reason, False))
    url = link(item, base_url)
    if url:
        label = words["label.item_link"] if item.event == "finished" else words["label.link"]
        fields.append((label, url, True))
    return fields


def _text(
    greeting: str, lead: str, headings: list[str | None], blocks: list[list[Field]], footer: str
) -> str:
    lines = [greeting, "", lead, ""]
    for number, (heading, fields) in enumerate(zip(headings, blocks, strict=True), start=1):
        indent = ""
        if heading is not None:
            lines.append(f"{number}. {heading}")
            indent = "   "
        lines.extend(f"{indent}{label}: {value}" for label, value, _link in fields)
        lines.append("")
    lines += ["--", footer, ""]
    return "\n".join(lines)


def _html(
    greeting: str, lead: str, headings: list[str | None], blocks: list[list[Field]], footer: str
) -> str:
    parts = [f"<p>{escape(greeting)}</p>", f"<p>{escape(lead)}</p>"]
    for number, (heading, fields) in enumerate(zip(headings, blocks, strict=True), start=1):
        if heading is not None:
            parts.append(f"<h3>{number}. {escape(heading)}</h3>")
        rows = "".join(
            f'<tr><th align="left" style="padding-right:1em">{escape(label)}</th><td>'
            + (f'<a href="{escape(value)}">{escape(value)}</a>' if is_link else escape(value))
            + "</td></tr>"
            for label, value, is_link in fields
        )
        parts.append(f"<table>{rows}</table>")
    parts.append(f'<hr><p style="color:#666;font-size:small">{escape(footer)}</p>')
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
        + "".join(parts)
        + "</body></html>"
    )
