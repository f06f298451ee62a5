"""The plan importer's parser: reads a kế hoạch and finds the tasks it assigns (no database).

A plan in the department's usual shape has a section "II. NHIỆM VỤ VÀ GIẢI PHÁP" with numbered
parts. In a part, each paragraph "Giao <đơn vị> chủ trì ..." is one task; a part's opening
paragraph that assigns work without naming a unit is one task too, with no lead unit. In a part
headed "4.x. Giao <đơn vị>", each paragraph "Chủ trì ..." is one task of that unit. Bullet lines
("- ...") belong to the task above them.

The parser never guesses silently: whatever a person must still settle (a lead unit, a deadline,
which of two units leads) is written in ``Assignment.needs_decision``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from engine import InvalidInput

from .plan_deadline import (
    NO_DEADLINE,
    Deadline,
    DeadlineKind,
    Every,
    Unreadable,
    plan_year_of,
    read_deadlines,
)
from .plan_files import read_plan
from .plan_source import SourceDocument, read_source
from .plan_text import (
    LOOKED_FOR,
    Section,
    is_bullet,
    paragraphs,
    sentences,
    shorten,
    task_sections,
    without_asides,
    without_quotes,
)
from .plan_units import (
    ALL_SO_UNITS,
    THE_SO,
    is_collective,
    is_known,
    is_the_so,
    unit_pattern,
    units_at,
    with_short_names,
)

__all__ = [
    "Assignment",
    "Deadline",
    "DeadlineKind",
    "Every",
    "find_assignments",
    "read_plan",
    "require_assignments",
]

SUMMARY_CHARS = 200


@dataclass(frozen=True)
class Assignment:
    """One task the plan assigns. ``text`` is the plan's own wording, bullet lines included."""

    section: str
    summary: str
    lead_unit: str | None
    cooperating_units: tuple[str, ...]
    deadline: Deadline
    needs_decision: str | None
    text: str = field(default="", repr=False)
    section_title: str = ""  # the heading of ``section`` in the plan
    # The plan's own deadline when an import moved the plan to another year (plan_year).
    source_deadline: Deadline | None = None
    # The document that assigns it, from the plan's header (plan_source); not part of identity.
    source: SourceDocument | None = field(default=None, compare=False, repr=False)
    product: str = ""  # what the task delivers ("Sản phẩm: Tờ trình UBND tỉnh"), if the plan says

    def to_json(self) -> dict[str, object]:
        return {
            "section": self.section,
            "section_title": self.section_title,
            "summary": self.summary,
            "text": self.text,
            "lead_unit": self.lead_unit,
            "cooperating_units": list(self.cooperating_units),
            "deadline": self.deadline.to_json(),
            "source_deadline": self.source_deadline.to_json() if self.source_deadline else None,
            "needs_decision": self.needs_decision,
            "product": self.product,
        }


# --- reading files -------------------------------------------------------------------------


def find_assignments(text: str) -> list[Assignment]:
    """Every task the plan assigns, in every part that may assign tasks (plan_text), with
    dates that give no year read in the plan's year (plan_deadline.plan_year_of), and a unit
    named by the short name the plan gave it in brackets by its full name."""
    year = plan_year_of(text)
    source = read_source(text)
    found: list[Assignment] = []
    with with_short_names(text):  # "… (Sở TT&TT)": the short name stands for the unit after
        for section in task_sections(paragraphs(text)):
            drafts = _drafts(section, year)
            found.extend(
                replace(_build(draft, year), source=source)
                for draft in drafts
                if (draft.strong or not section.strict) and (draft.assigned or not section.purpose)
            )
    if issuer := _another_so(source):
        found = [_theirs(assignment, issuer) for assignment in found]
    if _issued_outside(source):
        found = [_outside_lead(assignment) for assignment in found]
    return found


def _another_so(source: SourceDocument) -> str | None:
    """Another Sở that issued the plan ("SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG"), as a name is written
    ("Sở Tài nguyên và Môi trường"); None for this Sở's plans and other bodies'."""
    words = " ".join((source.issuer or "").split()).lower().split()
    if not _issued_outside(source) or words[:1] != ["sở"] or len(words) < 2:
        return None
    # The first word of the field and of each part of it takes a capital ("Lao động -
    # Thương binh và Xã hội"); the rest are lower case.
    named = [
        word.capitalize() if i <= 1 or words[i - 1] in {"và", "-", "–"} else word
        for i, word in enumerate(words)
    ]
    return " ".join(named)


def _theirs(assignment: Assignment, issuer: str) -> Assignment:
    """In another Sở's plan, "Văn phòng Sở", "Thanh tra Sở", "Các phòng, đơn vị trực thuộc Sở"
    and any "Phòng …" are that Sở's, whether or not this Sở has a unit of the name: named as
    theirs ("Thanh tra Sở Tài nguyên và Môi trường", "Phòng Kế hoạch - Tài chính (Sở Giáo dục
    và Đào tạo)"), so that no unit here takes the task without a person's word. A unit only
    this Sở has ("Chi cục Tiêu chuẩn Đo lường Chất lượng") stays this Sở's."""

    def theirs(name: str) -> str:
        if name.endswith(" Sở"):
            return f"{name[:-3]} {issuer}"
        # Every Sở has its "Phòng Kế hoạch - Tài chính": in their plan, theirs.
        if is_the_so(name) and re.match(r"(?:Phòng|Văn phòng|Thanh tra)\s", name):
            return f"{name} ({issuer})"
        return name

    lead = assignment.lead_unit
    partners = tuple(theirs(name) for name in assignment.cooperating_units)
    if lead is None or theirs(lead) == lead:
        return replace(assignment, cooperating_units=partners)
    note = (
        f"Kế hoạch do {issuer} ban hành: “{lead}” là đơn vị của {issuer}, không phải của "
        f"{THE_SO}: cần chọn đơn vị chủ trì."
    )
    notes = " ".join(n for n in (assignment.needs_decision, note) if n)
    return replace(
        assignment, lead_unit=theirs(lead), cooperating_units=partners, needs_decision=notes
    )


def _issued_outside(source: SourceDocument) -> bool:
    """Whether the plan's header names another body (UBND tỉnh …) as its issuer."""
    issuer = " ".join((source.issuer or "").split()).lower()
    sở = re.search(r"\bsở\s+(?:khoa học\s*(?:và|-)?\s*công nghệ|kh&cn|khcn)\b", issuer)
    return bool(issuer) and sở is None


def _outside_lead(assignment: Assignment) -> Assignment:
    """In another body's plan, a task led outside the Sở is not the Sở's own: say so."""
    lead = assignment.lead_unit
    if lead is None or not is_known(lead) or is_collective(lead) or is_the_so(lead):
        return assignment  # already told, or the Sở's
    if any(is_the_so(unit) for unit in assignment.cooperating_units):
        note = (
            f"Đơn vị chủ trì là cơ quan ngoài Sở ({lead}): Sở chỉ phối hợp; cần quyết định "
            "có nhận việc phối hợp này không."
        )
    else:
        note = (
            f"Đơn vị chủ trì là cơ quan ngoài Sở ({lead}), {THE_SO} không được giao: cần "
            "quyết định có theo dõi việc này không."
        )
    notes = " ".join(n for n in (assignment.needs_decision, note) if n)
    return replace(assignment, needs_decision=notes)


def require_assignments(text: str) -> list[Assignment]:
    """find_assignments, refusing a plan in which none is found."""
    found = find_assignments(text)
    if not found:
        raise InvalidInput(
            f"found no assignment in the plan: {LOOKED_FOR}", reason="no_assignments"
        )
    return found


@dataclass
class _Draft:
    """A task being gathered: its paragraphs, the units named to lead it, notes on choices."""

    section: Section
    leads: list[str]
    lines: list[str]
    unnamed: str | None = None  # "Giao …" or "Đơn vị chủ trì: …" words that named no unit
    notes: list[str] = field(default_factory=list)
    strong: bool = False  # says who leads: kept even in a part that does not announce tasks
    partners: list[str] = field(default_factory=list)  # from "Đơn vị phối hợp: …"
    products: list[str] = field(default_factory=list)  # from "Sản phẩm: …"
    open_list: bool = False  # its opening ends with ":": the list below belongs to it
    assigned: bool = False  # its opening names who leads


@dataclass(frozen=True)
class _Who:
    units: list[str]
    strong: bool
    giao: bool = False
    heading: bool = False  # "Sở Tài chính:" alone: the unit of the lines below


_GIAO = re.compile(r"Giao\s+")
_CHU_TRI = re.compile(r"\s*Chủ trì\b[\s,]*", re.IGNORECASE)
# "X chủ trì", "X có trách nhiệm", and "X là cơ quan thường trực (đầu mối), có trách nhiệm".
_LEADS_WORDS = re.compile(
    r"[\s,]*(?:là\s+(?:cơ quan|đơn vị)\s+(?:thường trực|đầu mối|chủ trì)[^,;.]{0,60},?\s*)?"
    r"(?:chủ trì|có trách nhiệm|chịu trách nhiệm)\b",
    re.IGNORECASE,
)
_COLON = re.compile(r"\s*(?:\([^()]*\))?\s*:\s*")
_MARKER = re.compile(r"(?:([-–•+])|([a-zđ]\)|\d{1,2}\)))\s+")
_LABEL = re.compile(
    r"(?P<lead>(?:Đơn vị|Cơ quan)\s+(?:chủ trì|thực hiện|chịu trách nhiệm)(?:\s+thực hiện)?|"
    r"Chủ trì)\s*:|(?P<partner>(?:Đơn vị|Cơ quan)\s+phối hợp(?:\s+thực hiện)?|Phối hợp)\s*:|"
    r"(?P<deadline>(?:Thời gian|Thời hạn|Tiến độ)(?:\s+(?:hoàn thành|thực hiện|trình|báo cáo))?)"
    r"\s*:|(?P<product>Sản phẩm|Kết quả(?: đầu ra)?)\s*:|"
    r"(?P<other>Kinh phí|Nguồn kinh phí|Hình thức)\s*:",
    re.IGNORECASE,
)


def _marker(line: str) -> tuple[str, str]:
    """The item mark ("-", "+", "a)") and the words after it."""
    if match := _MARKER.match(line):
        return (match.group(1) or "a)").replace("–", "-").replace("•", "-"), line[match.end() :]
    return "", line


def _split_labels(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The words before the first label, and each label's kind and value."""
    found = [m for m in _LABEL.finditer(text) if m.start() == 0 or text[m.start() - 1] in " .;"]
    if not found:
        return text, []
    labels = []
    for match, after in zip(found, [*found[1:], None], strict=True):
        value = text[match.end() : after.start() if after else len(text)]
        value = value.strip().rstrip(_MARKS).rstrip(".;").strip()
        labels.append((match.lastgroup or "other", value))
    # "… huyện. - Đơn vị thực hiện: …": the dash before a label on the same line is its bullet.
    return text[: found[0].start()].rstrip(_MARKS).strip(), labels


def _who(content: str) -> _Who | None:
    """Who the words say leads: "Giao X …", "X chủ trì …", "X: …" (strong), "X <does> …" for a
    unit the lists know (weak: a task only in a part of tasks)."""
    if giao := _GIAO.match(content):
        units, end = units_at(content, giao.end(), unknown=True)
        return _Who(units, bool(_LEADS_WORDS.match(content, end)), giao=True)
    units, end = units_at(content, 0, unknown=True)
    if not units:
        return _giao_after(content)
    if colon := _COLON.match(content, end):
        return _Who(units, True, heading=not content[colon.end() :].strip())
    if _LEADS_WORDS.match(content, end):
        return _Who(units, True)
    # "X <does> …": in a part of tasks X leads; elsewhere ("Các sở, ban, ngành nghiêm túc
    # triển khai …") it is no assignment, and not the task of the heading above either.
    if all(is_known(unit) for unit in units):
        return _Who(units, False)
    return None


_POINTS_ELSEWHERE = re.compile(r"Chi tiết\s+(?:tại|theo|như|ở|trong)\b", re.IGNORECASE)
# "<what is to be done>. Giao X chủ trì, phối hợp với Y; …": who leads, said after the work.
_LATER_GIAO = re.compile(r"(?<=[.;])\s+Giao\s+")


def _giao_after(content: str) -> _Who | None:
    """Who a later sentence "Giao X chủ trì …" (or "… thực hiện") of the paragraph says leads,
    if one does."""
    for giao in _LATER_GIAO.finditer(content):
        units, end = units_at(content, giao.end(), unknown=True)
        if units and (_LEADS_WORDS.match(content, end) or _DOES.match(content, end)):
            return _Who(units, True)
    return None


_DOES = re.compile(r"\s+thực hiện\b")


def _drafts(section: Section, year: int | None) -> list[_Draft]:
    drafts: list[_Draft] = []
    lines = list(section.paragraphs)
    # A numbered part whose only paragraphs give who and when is a task written as its own
    # heading: "1. Xây dựng cơ sở dữ liệu …" then "Đơn vị chủ trì: …".
    own_task = (
        not section.has_children
        and "." in section.label
        and (not lines or _is_label_line(lines[0]) or _only_states_deadline(lines[0], year))
    )
    if section.intro:
        lines.insert(0, section.intro)
    elif own_task:
        lines.insert(0, section.title)
    heading_units = list(section.units)
    for line in lines:
        if not any(ch.isalpha() for ch in line):
            continue  # no words: a rule ("||| --- |||"), a row of dots, a stray number
        current = drafts[-1] if drafts else None
        if not any(ch.isalpha() for ch in without_asides(line)):
            # Only an aside ("(Chi tiết tại Phụ lục kèm theo)"): detail of the task above.
            if current is not None:
                current.lines.append(line)
            continue
        marker, body = _marker(line)
        content, labels = _split_labels(body)
        if labels and not content.strip(" .;:") and not any(value for _, value in labels):
            continue  # a label left empty ("Đơn vị chủ trì:"): nothing to read
        if labels and not content.strip(" .;:"):
            if current is None:
                current = _Draft(section, list(heading_units), [], strong=bool(heading_units))
                drafts.append(current)
            current.lines.append(line)
            _apply_labels(current, labels)
            continue
        if current is not None and not marker and _only_states_deadline(line, year):
            current.lines.append(line)
            continue
        who = _who(content)
        if who is not None and who.heading:
            heading_units = who.units  # "Sở Tài chính:": the lines below are its tasks
            continue
        if (
            who is not None
            and who.giao
            and current is not None
            and _completes(section, current, who.units, line, year)
        ):
            # II.4.3 closes with "Giao Trung tâm … chuẩn bị các tài liệu phục vụ buổi làm việc
            # trước ngày 01/6/2020". Its heading already gave the Trung tâm that task, and the
            # documents are that report: the paragraph adds the deadline the task lacked.
            # needs_decision says so, for a person to confirm.
            current.lines.append(line)
            current.notes.append(_completion_note(line, year))
            continue
        if who is None and not labels and _POINTS_ELSEWHERE.match(content):
            continue  # "Chi tiết tại bảng dưới đây:", "Chi tiết theo Phụ lục": the tasks follow
        if who is None and current is not None and _belongs_above(marker, current, heading_units):
            current.lines.append(line)
            _apply_labels(current, labels)
            continue
        draft = _Draft(section, who.units if who else list(heading_units), [line])
        draft.strong = bool(who.strong if who else heading_units)
        draft.assigned = who is not None
        draft.open_list = content.rstrip().endswith(":")
        if who is not None and who.giao and not who.units:
            draft.unnamed = shorten(line, 60)
        _apply_labels(draft, labels)
        drafts.append(draft)
    return drafts


def _belongs_above(marker: str, current: _Draft, heading_units: list[str]) -> bool:
    """Whether an item line ("- …", "+ …", "a) …") that names no unit continues the task above:
    always under a plain heading; under a unit's heading only when the task above opened a
    list ("…, cụ thể:") or the line is a sub-item ("+ …")."""
    if marker in {"-", "+"}:
        return not heading_units or current.open_list or marker == "+"
    if marker == "a)":
        return current.open_list and current.assigned
    return False


def _is_label_line(line: str) -> bool:
    content, labels = _split_labels(_marker(line)[1])
    return bool(labels) and not content.strip(" .;:")


def _apply_labels(draft: _Draft, labels: list[tuple[str, str]]) -> None:
    for kind, value in labels:
        if kind == "product" and value:
            draft.products.append(value)
        elif kind == "lead":
            units, end = units_at(value, 0, unknown=True)
            draft.leads, draft.strong = units, True
            draft.unnamed = None if units or not value else shorten(value, 60)
            _note_unread(draft, value, end, "đơn vị chủ trì")
        elif kind == "partner":
            units, end = units_at(value, 0, unknown=True)
            draft.partners.extend(units)
            if value and not units:
                draft.notes.append(
                    f"Kế hoạch nêu đơn vị phối hợp “{shorten(value, 45)}” mà không rõ đơn vị: "
                    "cần xác định đơn vị phối hợp."
                )
            _note_unread(draft, value, end, "đơn vị phối hợp")


_LIST_REST = re.compile(r"\s*(?:,|;|và)\s*(.*\w.*)$", re.DOTALL)


def _note_unread(draft: _Draft, value: str, end: int, what: str) -> None:
    """A label's list of units that goes on past the names read ("Sở Khoa học và Công nghệ,
    Viettel Bắc Giang"): what was not read is said, not dropped."""
    if end and (rest := _LIST_REST.match(value, end)):
        words = rest.group(1).strip().rstrip(".;")
        draft.notes.append(
            f"Kế hoạch nêu thêm “{shorten(words, 45)}” trong {what} mà không nhận ra là đơn vị "
            "nào: cần xác nhận."
        )


def _completes(
    section: Section, current: _Draft, leads: list[str], line: str, year: int | None
) -> bool:
    """Whether "Giao <the heading's unit> …" only gives the deadline of the task above it."""
    return (
        bool(section.units)
        and leads == section.units == current.leads
        and _deadline_of(current.lines, year)[0] == NO_DEADLINE
        and _deadline_of([line], year)[0] != NO_DEADLINE
    )


def _completion_note(line: str, year: int | None) -> str:
    deadline = _deadline_of([line], year)[0]
    return (
        f"Thời hạn “{deadline.describe()}” lấy từ đoạn cuối mục (“{shorten(line, 90)}”): "
        "cần xác nhận đó là thời hạn của nhiệm vụ này."
    )


def _only_states_deadline(line: str, year: int | None) -> bool:
    """A paragraph like "Thời gian hoàn thành: trước ngày 30/6/2020." after a task."""
    parts = [_unbulleted(s) for s in sentences(without_quotes(line))]
    return all(
        _DEADLINE_START.match(s) and any(isinstance(d, Deadline) for d in read_deadlines(s, year))
        for s in parts
    )


def _build(draft: _Draft, year: int | None) -> Assignment:
    lead = draft.leads[0] if draft.leads else None
    deadline, deadline_notes = _deadline_of(draft.lines, year)
    partners = _cooperating(draft, lead)
    notes = [
        *_lead_notes(draft),
        *_unknown_partner_notes(draft),
        *_unknown_unit_notes(partners),
        *deadline_notes,
        *draft.notes,
    ]
    return Assignment(
        section=draft.section.label,
        section_title=draft.section.title,
        summary=_summary(draft.lines),
        lead_unit=lead,
        cooperating_units=partners,
        deadline=deadline,
        needs_decision=" ".join(dict.fromkeys(notes)) or None,
        text="\n".join(draft.lines),
        product="; ".join(dict.fromkeys(draft.products)),
    )


_UNKNOWN_NOTE = "không có trong sơ đồ tổ chức và danh mục cơ quan ngoài Sở"


def _lead_notes(draft: _Draft) -> list[str]:
    if draft.unnamed is not None:
        return [f"Không nhận ra đơn vị được giao trong “{draft.unnamed}”: cần chọn đơn vị chủ trì."]
    if not draft.leads:
        return ["Kế hoạch không nêu đơn vị chủ trì: cần chọn đơn vị chủ trì."]
    lead = draft.leads[0]
    notes = []
    if not is_known(lead):
        notes.append(
            f"Không nhận ra đơn vị được giao “{lead}” ({_UNKNOWN_NOTE}): cần xác nhận đơn vị "
            "hoặc chọn đơn vị chủ trì khác."
        )
    elif lead == ALL_SO_UNITS:
        return ["Kế hoạch giao cho các phòng, đơn vị trực thuộc Sở: cần chọn một đơn vị chủ trì."]
    elif is_collective(lead):
        return [f"Kế hoạch giao cho {lead}: cần chọn một đơn vị chủ trì."]
    if len(draft.leads) > 1:
        notes.append(
            f"Kế hoạch giao cùng lúc cho {' và '.join(draft.leads)}: đã tạm lấy {draft.leads[0]} "
            "chủ trì, đơn vị còn lại phối hợp; cần xác nhận đơn vị chủ trì."
        )
    return notes


def _unknown_unit_notes(partners: tuple[str, ...]) -> list[str]:
    return [
        f"Đơn vị phối hợp “{unit}” {_UNKNOWN_NOTE}: cần xác nhận đơn vị."
        for unit in partners
        if not is_known(unit)
    ]


# --- partners ------------------------------------------------------------------------------

# A unit right after these words is whom the work is for ("tham mưu lãnh đạo Sở", "đề xuất
# UBND tỉnh"), not a partner in it.
_ADDRESSEE = re.compile(r"(?:tham mưu|đề xuất|báo cáo|trình|xin ý kiến|gửi)\s*$", re.IGNORECASE)


def _cooperating(draft: _Draft, lead: str | None) -> tuple[str, ...]:
    """Other units named to lead, the labelled partners, then every unit in a sentence that
    says "phối hợp"."""
    found = [*draft.leads[1:], *draft.partners]
    for line in draft.lines:
        if _is_label_line(line):
            continue
        for sentence in sentences(without_quotes(line)):
            if re.search(r"phối hợp", sentence, re.IGNORECASE):
                # "(thay thế Quyết định … của UBND tỉnh)" names an author, not a partner.
                found.extend(_partners(without_asides(sentence)))
    return tuple(dict.fromkeys(unit for unit in found if unit != lead))


def _unknown_partner_notes(draft: _Draft) -> list[str]:
    """Partners named in words no unit list resolves, as "phối hợp với các ngành …"."""
    notes: list[str] = []
    for line in draft.lines:
        text = without_quotes(line)
        for match in re.finditer(r"phối hợp với\s+", text, re.IGNORECASE):
            if not units_at(text, match.end(), unknown=True)[0]:
                said = shorten(text[match.start() :], 45)
                notes.append(
                    f"Kế hoạch nêu “{said}” mà không rõ đơn vị: cần xác định đơn vị phối hợp."
                )
    return notes


def _partners(sentence: str) -> Iterator[str]:
    for match in re.finditer(r"phối hợp với\s+", sentence, re.IGNORECASE):
        yield from units_at(sentence, match.end(), unknown=True)[0]
    for match in unit_pattern().finditer(sentence):
        if not _ADDRESSEE.search(sentence[: match.start()]):
            yield from units_at(sentence, match.start())[0][:1]


# --- deadlines -----------------------------------------------------------------------------

# Sentences that say when. Only the first words surely announce a deadline; "Thực hiện …" may
# also start a task, and a date elsewhere ("ngày 31/12/2015") may be a decision's own.
_SURE_DEADLINE = re.compile(
    r"(?:thời gian|thời hạn|hạn chót|hạn hoàn thành|tiến độ)\b", re.IGNORECASE
)
_DEADLINE_START = re.compile(
    r"(?:thời gian|thời hạn|hạn chót|hạn hoàn thành|tiến độ|thực hiện|hoàn thành)\b",
    re.IGNORECASE,
)
_SAYS_WHEN = re.compile(
    r"^(?:định kỳ|hằng|hàng\s+(?:tháng|quý|năm)|trước ngày|trong\s+(?:tháng|quý|năm)|"
    r"từ\s+(?:năm|quý|tháng)|chậm nhất|cuối năm|0?6 tháng)|"
    r"(?:trước|chậm nhất|muộn nhất|không quá|hạn chót|hoàn thành|xong)\s+(?:là\s+|vào\s+)?"
    r"(?:ngày\s+\d|tháng\s+\d|quý\s|cuối|0?6 tháng|trong\s+(?:tháng|quý|năm|0?6 tháng))|"
    r"(?:thời gian|thời hạn)\s+(?:hoàn thành|thực hiện)|"
    r"trong\s+(?:tháng\s+\d|quý\s|năm\s+\d{4})|(?:hằng|hàng|mỗi)\s+(?:tháng|quý)|định kỳ|"
    r"từ\s+(?:năm|quý|tháng)\s",
    re.IGNORECASE,
)


def _deadline_of(lines: list[str], year: int | None) -> tuple[Deadline, list[str]]:
    """The task's deadline, and what a person must settle about it. A deadline under its own
    label ("Thời gian: tháng 4/2027") comes before one the task's words name on the way
    ("… thực hiện từ năm 2028"), whichever is written first."""
    labelled: list[Deadline] = []
    found: list[Deadline] = []
    notes: list[str] = []
    unsure: list[str] = []  # words read on the way ("… công định kỳ"): said if nothing else is
    unread: list[str] = []
    for line in lines:
        for said in sentences(without_quotes(line)):
            sentence = _unbulleted(said)  # "- Thời gian: Quý III/2027."
            if not (_DEADLINE_START.match(sentence) or _SAYS_WHEN.search(sentence)):
                continue
            read = read_deadlines(sentence, year)
            for deadline in read:
                if isinstance(deadline, Unreadable):
                    said = (
                        f"Không đọc được thời hạn “{shorten(deadline.words, 60)}” "
                        f"({deadline.reason}): cần đặt thời hạn."
                    )
                    (notes if _SURE_DEADLINE.match(sentence) else unsure).append(said)
                elif deadline not in found:
                    found.append(deadline)
                    if _SURE_DEADLINE.match(sentence):
                        labelled.append(deadline)
            if not read and _SURE_DEADLINE.match(sentence):
                unread.append(sentence)
    found = [*labelled, *(d for d in found if d not in labelled)]
    if not labelled:
        notes.extend(unsure)
    if not found and unread:
        said = shorten(unread[0], 80)
        return NO_DEADLINE, [f"Không đọc được thời hạn “{said}”: cần đặt thời hạn.", *notes]
    if not found:
        return NO_DEADLINE, notes or ["Kế hoạch không nêu thời hạn: cần đặt thời hạn."]
    if len(found) > 1:
        listed = "; ".join(d.describe() for d in found)
        return found[0], [
            f"Kế hoạch nêu nhiều thời hạn ({listed}): đã tạm lấy “{found[0].describe()}”, "
            "cần xác nhận thời hạn.",
            *notes,
        ]
    return found[0], notes


# --- summary -------------------------------------------------------------------------------


def _summary(lines: list[str]) -> str:
    """What is to be done: the opening sentences without who does it, and the bullet lines."""
    first = _split_labels(_marker(lines[0])[1])[0] or lines[0]
    said = without_asides(_without_who(first)).strip()
    said = said[:1].upper() + said[1:]  # "… phối hợp với X (viết tắt) xây dựng …"
    parts = sentences(said, split_on_semicolons=False)
    kept = [s for s in parts if not _DEADLINE_START.match(s) and not _says_who_leads(s)]
    kept = kept or parts[:1] or [first]
    summary = shorten(kept[0].rstrip(".;"), SUMMARY_CHARS)
    for sentence in kept[1:]:
        # Short opening sentences ("Đẩy mạnh … cải cách hành chính.") say little alone.
        if len(summary) + len(sentence) + 2 > SUMMARY_CHARS:
            break
        summary = f"{summary}. {sentence.rstrip('.')}"
    bullets = [
        _bullet_text(line) for line in lines[1:] if is_bullet(line) and not _is_label_line(line)
    ]
    if not bullets:
        return summary
    # "…, cụ thể:" and "…, tập trung vào một số nội dung sau:" only announce the list.
    summary = re.sub(r",[^,]*:$", "", summary).rstrip(" :")
    digest = "; ".join(f"“{shorten(bullet, 50)}”" for bullet in bullets)
    return f"{summary}, gồm {len(bullets)} nội dung: {digest}"


def _says_who_leads(sentence: str) -> bool:
    """A sentence "Giao X chủ trì, phối hợp với Y; thời gian …" after the work it assigns."""
    giao = _GIAO.match(sentence)
    return bool(giao and units_at(sentence, giao.end(), unknown=True)[0])


def _bullet_text(line: str) -> str:
    return _unbulleted(line).strip().rstrip(".;").strip('“”"')


_MARKS = " -–•+"  # a bullet's marks, and the space around them


def _unbulleted(text: str) -> str:
    """The words after a bullet's mark ("- ", "+ ", "• ")."""
    return re.sub(r"^[-–•+]\s*", "", text)


def _without_who(line: str) -> str:
    """The paragraph less its "Giao <units> chủ trì, phối hợp với <units>"."""
    rest = line
    if giao := _GIAO.match(rest):
        units, end = units_at(rest, giao.end(), unknown=True)
        rest = rest[end:] if units else rest
    elif not giao and (found := units_at(rest, 0, unknown=True))[0]:
        said = _LEADS_WORDS.match(rest, found[1]) or _COLON.match(rest, found[1])
        rest = rest[said.end() if said else 0 :]
    if chu_tri := _CHU_TRI.match(rest):
        rest = rest[chu_tri.end() :]
    rest = rest.lstrip(" ,")
    if partner := re.match(r"\s*phối hợp với\s+", rest, re.IGNORECASE):
        units, end = units_at(rest, partner.end(), unknown=True)
        rest = rest[end:] if units else rest
    rest = rest.lstrip(" ,")
    return rest[:1].upper() + rest[1:]
