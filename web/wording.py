"""Words the pages share: who people and groups are, what a process and a history event are
called, and why a file was refused, so the inbox and the item pages say the same thing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

import engine
from workflows.catalog import entry

from .extensions import get_locale
from .extensions import gettext as _
from .unit_of_work import uow

_DEPLOYED_NAMES = "pheduyet.deployed_process_names"
ACCEPT = ".pdf,.doc,.docx,.xls,.xlsx,.png,.jpg,.jpeg,.txt"

# A document's urgency above the ordinary (workflows.urgency.URGENCY_LEVELS), as its badge
# says it in a list and on the task page.
URGENCY_BADGES = {
    "khan": _l("Khẩn"),
    "thuong_khan": _l("Thượng khẩn"),
    "hoa_toc": _l("Hỏa tốc"),
}


def urgency_badge(level: object) -> str | None:
    found = URGENCY_BADGES.get(str(level)) if level else None
    return str(found) if found is not None else None


EVENT_LABELS = {
    "started": _l("Tạo hồ sơ"),
    "completed": _l("Đã xử lý"),
    "claimed": _l("Nhận xử lý"),
    "unclaimed": _l("Thôi nhận xử lý"),
    "assigned": _l("Chuyển xử lý"),
    "timer_fired": _l("Đến thời điểm hẹn"),  # a reminder, a lateness, any timer of a model
    "cancelled": _l("Hủy hồ sơ"),
    "error": _l("Quy trình gặp lỗi"),
    "service_called": _l("Hệ thống gọi dịch vụ"),
    "external_completed": _l("Dịch vụ bên ngoài hoàn thành bước"),
    "decision_evaluated": _l("Hệ thống áp dụng bảng quyết định"),
    "retried": _l("Thử lại bước bị lỗi"),
    "finished": _l("Kết thúc"),
    "attached": _l("Đính kèm tệp"),
    "renamed": _l("Cập nhật tên hồ sơ"),
}


def event_label(kind: str) -> str:
    return str(EVENT_LABELS.get(kind, kind))


def english() -> bool:
    return str(get_locale()) == "en"


def process_title(process_id: str) -> str:
    """The catalog's title in the page's language, else the deployed diagram's name, else the id."""
    return catalog_title(process_id) or _deployed_names().get(process_id) or process_id


def catalog_title(process_id: str) -> str | None:
    """The department's own process's title in the page's language (the name people know it
    by, which its diagram's name may spell out longer); None for a process outside the catalog."""
    found = entry(process_id)
    if found is None:
        return None
    return found.title_en if english() else found.title_vi


def _deployed_names() -> dict[str, str]:
    # Read once per request, and only when a page shows a process outside the catalog.
    names: dict[str, str] | None = g.get(_DEPLOYED_NAMES)
    if names is None:
        with uow(write=False) as s:
            names = {p.process_id: p.name for p in engine.list_processes(s)}
        g.setdefault(_DEPLOYED_NAMES, names)
    return names


@dataclass(frozen=True)
class Names:
    """Display names of people and groups, read once per request."""

    people: dict[str, str]
    groups: dict[str, str]  # by key and by name, lower-cased
    units: dict[str, str | None]  # active people -> their unit

    @classmethod
    def load(cls, session: Session) -> Names:
        users = engine.list_users(session)
        groups: dict[str, str] = {}
        for key, name in engine.list_groups(session):
            groups[key.lower()] = name
            groups[name.lower()] = name
        return cls(
            {u.username: u.display_name for u in users},
            groups,
            {u.username: u.unit for u in users if u.active},
        )

    def person(self, username: str | None) -> str:
        return self.people.get(username, username) if username else _("Hệ thống")

    def holder(self, task: engine.TaskView, started_by: str | None = None) -> str:
        """Who holds a step: its assignee, else its groups and candidate people, else the
        lane's group, else the person who started the item."""
        return holder_text(
            self.person(task.assignee) if task.assignee else None,
            [self.groups.get(g.lower(), g) for g in task.candidate_groups],
            [self.person(u) for u in task.candidate_users],
            task.lane,
            self.person(started_by),
        )

    @classmethod
    def of(
        cls, session: Session, usernames: Iterable[str | None], groups: Iterable[str] = ()
    ) -> Names:
        """The names of these people and these groups only (engine.names_of: in a request,
        from the directory the process keeps; else in one statement)."""
        named, people = engine.names_of(session, groups, {u for u in usernames if u})
        return cls(people, named, {})


def holder_text(
    assignee: str | None,
    groups: Sequence[str],
    people: Sequence[str],
    lane: str | None,
    started_by: str,
) -> str:
    """Who holds a step, from names already looked up (see `Names.holder`)."""
    if assignee:
        return assignee
    shown_groups, shown_people = engine.waiting_for(groups, people, lane, started_by)
    shown = (
        [_("%(names)s (chưa có người nhận)", names=", ".join(shown_groups))] if shown_groups else []
    )
    return "; ".join([*shown, *shown_people])


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f}".replace(".0", "").replace(".", ",") + " MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return _("%(n)s byte", n=size)


def file_refusal(error: engine.InvalidInput, max_bytes: int) -> str:
    """Why the engine refused a file, by the refusal's reason, said after the file's name
    ("«rong.txt»: tệp rỗng.")."""
    reason = error.details.get("reason")
    extension = error.details.get("extension", "")
    if reason == "unsafe_archive":
        return _(
            "tệp bị hỏng hoặc khi giải nén quá lớn; hãy mở tệp bằng Word/Excel, lưu lại "
            "rồi gửi lại."
        )
    if reason == "file_type":
        allowed = ACCEPT.replace(",", ", ")
        return _(
            "loại tệp %(ext)s không được nhận (chỉ nhận: %(allowed)s).",
            ext=extension,
            allowed=allowed,
        )
    if reason == "file_content":
        return _(
            "nội dung không phải là tệp %(ext)s thật (có thể là tệp khác bị đổi tên).",
            ext=extension,
        )
    if reason == "file_too_large":
        return _("tệp lớn hơn giới hạn %(limit)s.", limit=size_text(max_bytes))
    if reason == "file_empty":
        return _("tệp rỗng.")
    if reason == "file_not_utf8":
        return _("tệp .txt phải là văn bản UTF-8.")
    return _("tệp không có tên hợp lệ.")
