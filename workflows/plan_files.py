"""A plan's file as text: a UTF-8 ``.txt`` file, whose table of tasks may be typed as lines of
cells ("STT | Nội dung | Cơ quan chủ trì | …", or tabs), or a ``.docx`` file's paragraphs and
tables in order. A table of tasks, in either, becomes the numbered and labelled paragraphs a
plan written as text holds, which the parser (plan_import) reads as it reads any plan."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from engine import ArchiveLimits, InvalidInput, check_office_archive

from .plan_text import is_bullet

if TYPE_CHECKING:
    from docx.table import Table

__all__ = ["MAX_DOCX_BYTES", "MAX_PLAN_BYTES", "PLAN_ARCHIVE", "read_plan"]

# A plan is a few pages (the department's own is 13 kB): far more is a mistake or an attack, and
# reading it would hold the command for minutes.
MAX_PLAN_BYTES = 2 * 1024 * 1024
MAX_DOCX_BYTES = 20 * 1024 * 1024
PLAN_ARCHIVE = ArchiveLimits(max_entries=1000, max_total_bytes=100 * 1024 * 1024, scan_xml=True)


def read_plan(path: str | Path) -> str:
    """The text of a plan: a UTF-8 ``.txt`` file, or a ``.docx`` file's paragraphs in order.

    A plan is a few pages: a text over ``MAX_PLAN_BYTES``, or a .docx that would unpack to more
    than a real one (``PLAN_ARCHIVE``, or a DOCTYPE in its XML), is refused before it is read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".txt", ".docx"}:
        raise InvalidInput(f"{path}: a plan must be a .txt or .docx file")
    try:
        size = path.stat().st_size
        if suffix == ".txt":
            _check_plan_size(path, size)
            # utf-8-sig: Windows editors put a byte-order mark in front of UTF-8 files.
            return _with_text_tables(_composed(path.read_text(encoding="utf-8-sig")))
        if size > MAX_DOCX_BYTES:
            raise InvalidInput(
                f"{path}: the file is {size:,} bytes, over the limit of {MAX_DOCX_BYTES:,} bytes "
                "for a plan",
                reason="plan_too_large",
            )
        text = _composed(_docx_text(path))
        _check_plan_size(path, len(text.encode("utf-8")))
        return text
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"{path}: the plan is not UTF-8 text ({exc.reason})", reason="not_utf8"
        ) from exc
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read the plan: {exc.strerror or exc}") from exc


def _composed(text: str) -> str:
    """The text with each letter and its marks as one character (NFC): some editors and
    converters write "ệ" as "e" and two combining marks, which no unit name or word matches."""
    return unicodedata.normalize("NFC", text)


def _check_plan_size(path: Path, size: int) -> None:
    if size > MAX_PLAN_BYTES:
        raise InvalidInput(
            f"{path}: the plan's text is {size:,} bytes, over the limit of {MAX_PLAN_BYTES:,} "
            "bytes (a plan is a few pages)",
            reason="plan_too_large",
        )


def _docx_text(path: Path) -> str:
    # Imported here: reading a .txt plan needs no python-docx (nor the lxml under it).
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    if not path.is_file():
        raise InvalidInput(f"{path}: cannot read the plan: no such file")
    content = path.read_bytes()
    # Before python-docx unpacks anything: a zip bomb or an XML part with entities stops here.
    check_office_archive(str(path), content, PLAN_ARCHIVE)
    try:
        document = docx.Document(io.BytesIO(content))
    except (PackageNotFoundError, KeyError, ValueError, AttributeError, TypeError) as exc:
        # python-docx meets a zip that holds no Word document in many ways: all are refusals.
        raise InvalidInput(f"{path}: not a readable .docx file", reason="not_docx") from exc
    except SyntaxError as exc:  # lxml's XMLSyntaxError: a part that is not well-formed XML
        raise InvalidInput(
            f"{path}: not a readable .docx file ({exc.msg})", reason="not_docx"
        ) from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            rows = [[cell.text.strip() for cell in row.cells] for row in block.rows]
            lines.extend(_task_table_lines(rows) or list(_table_lines(block)))
            continue
        # Word's own bullet lists carry no "- " in the text: put it back, so that the bullet
        # stays with the task above it as in a .txt plan.
        style = (block.style.name if block.style is not None else None) or ""
        bullet = style.startswith("List") and not is_bullet(block.text)
        lines.append(("- " if bullet else "") + block.text)
    return "\n\n".join(lines)


# A table of tasks, by its header's words: which column holds what.
_COLUMNS = (
    ("deadline", re.compile(r"thời gian|thời hạn|tiến độ", re.IGNORECASE)),
    ("partner", re.compile(r"phối hợp", re.IGNORECASE)),
    ("lead", re.compile(r"chủ trì|(?:đơn vị|cơ quan) thực hiện", re.IGNORECASE)),
    ("number", re.compile(r"^(?:stt|tt|số tt)$", re.IGNORECASE)),
    ("product", re.compile(r"sản phẩm|kết quả", re.IGNORECASE)),
    ("content", re.compile(r"nội dung|nhiệm vụ|công việc|hoạt động", re.IGNORECASE)),
)
_TABLE_LABELS = {
    "lead": "Đơn vị chủ trì",
    "partner": "Đơn vị phối hợp",
    "deadline": "Thời gian hoàn thành",
    "product": "Sản phẩm",
}


def _task_table_lines(rows: list[list[str]]) -> list[str]:
    """A table of tasks (STT | Nội dung | Đơn vị chủ trì | Đơn vị phối hợp | Thời gian hoàn
    thành | Sản phẩm, in any order), its rows' cell texts, as the numbered and labelled
    paragraphs a text plan would hold; [] for any other table. A group row ("I | Lĩnh vực đất
    đai") is a numbered heading under the part the table stands in (I → 1.), a task's number
    ("1.1") its own heading's."""
    if not rows:
        return []
    columns: dict[str, int] = {}
    for index, header in enumerate(rows[0]):
        kind = next((k for k, word in _COLUMNS if word.search(header)), None)
        if kind is not None and kind not in columns:
            columns[kind] = index
    if "content" not in columns or "lead" not in columns:
        return []
    lines: list[str] = []
    group = ""  # the number of the group row above ("I | Công tác tổ chức bộ máy" → "1")
    for cells in rows[1:]:

        def cell(kind: str, cells: list[str] = cells) -> str:
            index = columns.get(kind)
            return cells[index] if index is not None and index < len(cells) else ""

        content = " ".join(cell("content").split())
        if not content or re.fullmatch(r"[\s()\d]*", content):
            continue  # empty, or the row of column numbers "(1) (2) (3)"
        labelled = [(k, " ".join(cell(k).split())) for k in _TABLE_LABELS]
        number = _row_number(cell("number"))
        # A group row: numbered I, II, … or one cell merged across the row (Word repeats a
        # merged cell's text in each column it spans): a heading, never a task of its own.
        merged = all(value in ("", content) for _kind, value in labelled) and any(
            value for _kind, value in labelled
        )
        if cell("number").strip().rstrip(".").upper() in _ROMAN or merged:
            group = number or str(int(group or 0) + 1)
            lines.append(f"{group}. {content}")
            continue
        if group and re.fullmatch(r"\d{1,3}", number):
            number = f"{group}.{number}"  # tasks numbered on through the groups: 1, 2 | 3, 4
        lines.append(f"{number}. {content}" if number else content)
        lines.extend(f"{_TABLE_LABELS[k]}: {value}" for k, value in labelled if value)
    return lines


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9}


def _row_number(number: str) -> str:
    """A row's number as a heading's ("1.2", a group's "I" as "1"); "" for none or another
    kind ("a", "-")."""
    number = number.strip().rstrip(".")
    if number.upper() in _ROMAN:
        return str(_ROMAN[number.upper()])
    return number if re.fullmatch(r"\d{1,3}(?:\.\d{1,3}){0,3}", number) else ""


# A line of a table typed as text: cells between "|" (Markdown's, or pasted), or tabs.
_RULE_CELL = re.compile(r":?-{2,}:?")


def _with_text_tables(text: str) -> str:
    """A plain-text plan whose table of tasks is typed as lines of cells ("STT | Nội dung |
    Cơ quan chủ trì | …", or cells between tabs), each such table as the paragraphs a .docx
    table gives (_task_table_lines); other lines as they are."""
    out: list[str] = []
    run: list[list[str]] = []
    raw: list[str] = []

    def flush() -> None:
        converted = _task_table_lines(run) if len(run) > 1 else []
        out.extend(converted or raw)
        run.clear()
        raw.clear()

    for line in text.splitlines():
        cells = _table_cells(line)
        if cells is None:
            if run:
                flush()
            out.append(line)
            continue
        if cells:  # "|---|---|": Markdown's rule under the header
            run.append(cells)
        raw.append(line)
    if run:
        flush()
    return "\n".join(out)


def _table_cells(line: str) -> list[str] | None:
    """The cells of a line typed as a table row, [] for a rule ("|---|---|"); None for a line
    of text."""
    if "\t" in line.strip(" "):  # a bar between tabs is a cell's edge too
        cells = [c.strip() for c in re.split(r"\t|\|", line.strip(" \r\n|"))]
    elif line.count("|") >= 2:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
    else:
        return None
    if len(cells) < 3:
        return None
    if all(_RULE_CELL.fullmatch(c) for c in cells):
        return []
    return cells


def _table_lines(table: Table) -> Iterator[str]:
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            # A merged cell comes once per grid column it spans: read it once.
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                yield from (p.text for p in cell.paragraphs)
