"""Hostile office files, made on the spot (a few kB each): the corpus of archives that must be
refused before anything unpacks them. Each returns the bytes of a .docx (or .xlsx)."""

from __future__ import annotations

import io
import struct
import zipfile

import docx

LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<!DOCTYPE w:document [\n  <!ENTITY lol "lol">\n'
    + "".join(
        f'  <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
        for i in range(1, 10)
    )
    + "]>\n"
)


def real_docx(*paragraphs: str) -> bytes:
    """A genuine .docx as Word's own library writes it."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def replace_part(content: bytes, name: str, data: bytes) -> bytes:
    """The archive with entry `name` holding `data` instead."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            target.writestr(entry, data if entry.filename == name else source.read(entry))
    return out.getvalue()


def billion_laughs_docx() -> bytes:
    """A .docx whose document.xml declares entities that multiply to a billion 'lol's."""
    content = real_docx("II. NHIỆM VỤ VÀ GIẢI PHÁP")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        body = archive.read("word/document.xml").decode("utf-8")
    body = body.split("?>", 1)[1].replace("II. NHIỆM VỤ VÀ GIẢI PHÁP", "&lol9;", 1)
    return replace_part(content, "word/document.xml", (LAUGHS + body.lstrip()).encode("utf-8"))


def zip_bomb_docx(megabytes: int = 40) -> bytes:
    """A .docx of a few tens of kB whose document.xml unpacks to `megabytes` MB."""
    content = real_docx("II. NHIỆM VỤ VÀ GIẢI PHÁP")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for entry in source.infolist():
            if entry.filename != "word/document.xml":
                target.writestr(entry, source.read(entry))
                continue
            with target.open("word/document.xml", "w", force_zip64=True) as stream:
                stream.write(source.read(entry)[:-30])
                chunk = b" " * (1024 * 1024)
                for _ in range(megabytes):
                    stream.write(chunk)
    return out.getvalue()


def declares_huge_size(content: bytes, gigabytes: int = 4) -> bytes:
    """The archive with its central directory claiming the first entry unpacks to `gigabytes`
    GB: how a bomb with overlapping entries looks to whoever trusts the directory."""
    data = bytearray(content)
    start = data.find(b"PK\x01\x02")
    # Central directory header: uncompressed size at offset 24 (4 bytes, little-endian).
    size = min(gigabytes * 1024**3, 0xFFFFFFFE)
    data[start + 24 : start + 28] = struct.pack("<I", size)
    return bytes(data)


def many_entries(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for i in range(count):
            archive.writestr(f"word/media/f{i}.txt", "")
    return out.getvalue()


def nested(depth: int) -> bytes:
    """A .docx holding a workbook (depth 2, as Word embeds a chart's data) or deeper."""
    inner = real_docx("chart data")
    for _ in range(depth - 2):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("inner.zip", inner)
        inner = out.getvalue()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(real_docx("Báo cáo"))) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            target.writestr(entry, source.read(entry))
        target.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", inner)
    return out.getvalue()
