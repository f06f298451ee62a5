"""An Excel workbook written as it streams, one sheet or several one after the other, each a
title row, a header row, then the rows.

openpyxl's write-only mode costs some 90 µs a row of ten cells (a cell object, its style and
its XML element each time); this writer formats each row as text in a few µs, keeps one batch
of rows in memory, and gives Excel and openpyxl the same file features the listing needs:
column widths, frozen header, filter on the header, dates and decimals formatted, text always
text (a value starting with "=" never becomes a formula: strings are written inline)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from xml.sax.saxutils import escape

DATE = "date"  # a column's format: dd/mm/yyyy (numbers and texts as they are)
_STYLE = {DATE: 1}
_TITLE_STYLE, _HEADER_STYLE = 2, 3
_EPOCH = datetime(1899, 12, 30)
_BATCH = 1000
# XML 1.0 cannot carry these characters at all.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


@dataclass(frozen=True)
class SheetLayout:
    name: str
    title: str
    headers: Sequence[str]
    widths: Sequence[float]
    formats: Sequence[str | None]  # per column: DATE or None


def write_xlsx(out: IO[bytes], layout: SheetLayout, rows: Iterable[Sequence[Any]]) -> int:
    """Write the workbook to `out`; returns the number of rows written after the header.
    Values: int, float, str, datetime (naive: the wall-clock time shown), or None (empty)."""
    return write_workbook(out, [(layout, rows)])[0]


def write_workbook(
    out: IO[bytes], sheets: Sequence[tuple[SheetLayout, Iterable[Sequence[Any]]]]
) -> list[int]:
    """Write a workbook of these sheets, in this order, each streamed in turn (the rows of
    the next are not read before the previous is written); returns each sheet's number of
    rows written after its header. Sheet names are cut to Excel's 31 characters."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    names = [layout.name[:31].lower() for layout, _rows in sheets]
    if len(set(names)) != len(names):
        raise ValueError(f"sheet names must differ (Excel ignores case): {names}")
    written: list[int] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, content in _package([layout.name for layout, _rows in sheets]).items():
            book.writestr(name, content)
        for number, (layout, rows) in enumerate(sheets, start=1):
            with book.open(f"xl/worksheets/sheet{number}.xml", "w") as sheet:
                written.append(_write_sheet(sheet, layout, rows))
    return written


def _write_sheet(sheet: IO[bytes], layout: SheetLayout, rows: Iterable[Sequence[Any]]) -> int:
    letters = [_column(i) for i in range(len(layout.headers))]
    styles = [_STYLE.get(f or "", 0) for f in layout.formats]
    last = letters[-1]
    sheet.write(_sheet_start(layout).encode())
    head = [_text_cell("A1", layout.title, _TITLE_STYLE)]
    header = [
        _text_cell(f"{c}2", h, _HEADER_STYLE) for c, h in zip(letters, layout.headers, strict=True)
    ]
    sheet.write(f'<row r="1">{"".join(head)}</row><row r="2">{"".join(header)}</row>'.encode())
    written = 0
    batch: list[str] = []
    for written, values in enumerate(rows, start=1):
        r = written + 2
        cells = "".join(
            _cell(f"{c}{r}", v, s)
            for c, v, s in zip(letters, values, styles, strict=True)
            if v is not None
        )
        batch.append(f'<row r="{r}">{cells}</row>')
        if len(batch) >= _BATCH:
            sheet.write("".join(batch).encode())
            batch.clear()
    sheet.write("".join(batch).encode())
    end = f'<autoFilter ref="A2:{last}{written + 2}"/>' if written else ""
    sheet.write(f"</sheetData>{end}</worksheet>".encode())
    return written


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _cell(ref: str, value: Any, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if isinstance(value, str):
        return _text_cell(ref, value, style)
    if isinstance(value, datetime):
        value = (value - _EPOCH).total_seconds() / 86400
    elif isinstance(value, bool):
        value = int(value)
    return f'<c r="{ref}"{s}><v>{value!r}</v></c>'


def _text_cell(ref: str, value: str, style: int) -> str:
    s = f' s="{style}"' if style else ""
    text = escape(_ILLEGAL.sub("", value))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _sheet_start(layout: SheetLayout) -> str:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(layout.widths, start=1)
    )
    return (
        f'{_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="2" topLeftCell="A3" activePane="bottomLeft" state="frozen"/>'
        '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>"
    )


def _package(sheet_names: Sequence[str]) -> dict[str, str]:
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    numbers = range(1, len(sheet_names) + 1)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{sheet}.worksheet+xml"/>'
        for n in numbers
    )
    entries = "".join(
        f'<sheet name="{escape(name[:31], {chr(34): "&quot;"})}" sheetId="{n}" r:id="rId{n}"/>'
        for n, name in zip(numbers, sheet_names, strict=True)
    )
    relations = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in numbers
    )
    styles_id = len(sheet_names) + 1
    return {
        "[Content_Types].xml": (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{sheet}.sheet.main+xml"/>'
            f"{overrides}"
            f'<Override PartName="/xl/styles.xml" ContentType="{sheet}.styles+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            f"{entries}</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
            f'{relations}<Relationship Id="rId{styles_id}" Type="{_REL}/styles" '
            'Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": (
            f'{_HEAD}<styleSheet xmlns="{_MAIN}">'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts>'
            '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="12"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            "</borders>"
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
            "</cellStyleXfs>"
            '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" '
            'applyNumberFormat="1"/>'
            '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" '
            'applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>"
        ),
    }
