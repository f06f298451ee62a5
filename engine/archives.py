"""Office files (.docx, .xlsx) are zip archives: checked before anything opens them, so that a
few megabytes cannot unpack into gigabytes (a zip bomb), nor an XML part declare entities that
multiply (billion laughs)."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from .errors import InvalidInput

# Files inside a file: only as deep as Word puts a chart's workbook into a document.
_MAX_DEPTH = 2
_ZIP_MAGIC = b"PK\x03\x04"
_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_PARTS = (".xml", ".rels", ".vml")
# An entry that small cannot be much of a bomb whatever its ratio (an empty sheet, a style).
_RATIO_FLOOR_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    """What an office file may unpack to. Real documents stay far below: a 100-page .docx has
    a few hundred entries, tens of MB, and XML compressed about ten to one."""

    max_entries: int = 2000
    max_total_bytes: int = 500 * 1024 * 1024
    max_ratio: int = 250
    # Each XML part is read in full: with `scan_xml`, refuse a DOCTYPE or entity in any of them.
    scan_xml: bool = False


def check_office_archive(name: str, content: bytes, limits: ArchiveLimits | None = None) -> None:
    """Refuse `content` (a .docx or .xlsx) unless it is a zip archive within `limits`: entry
    count, total unpacked size, compression ratio, archives inside it checked the same way,
    and, when asked, no DOCTYPE or entity declaration in its XML parts. The reason names the
    file, for the CLI (exit 6) and the web alike."""
    limits = limits or ArchiveLimits()
    _check(name, "", content, limits, depth=1, budget=[limits.max_total_bytes])


def _refuse(name: str, why: str) -> InvalidInput:
    return InvalidInput(f"{name}: {why}", reason="unsafe_archive", file=name)


def _check(
    name: str, inside: str, content: bytes, limits: ArchiveLimits, depth: int, budget: list[int]
) -> None:
    """`inside`: where this archive lies within the file ("" for the file itself, else the
    path of the entry holding it and a slash)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise _refuse(name, "not a readable .docx/.xlsx file (not a zip archive)") from exc
    with archive:
        entries = archive.infolist()
        if len(entries) > limits.max_entries:
            raise _refuse(
                name,
                f"the archive holds {len(entries):,} files, over the limit of "
                f"{limits.max_entries:,}",
            )
        for entry in entries:
            _check_entry(name, inside, entry, limits, budget)
        for entry in entries:
            if entry.is_dir() or entry.file_size == 0:
                continue
            lower = entry.filename.lower()
            scan = limits.scan_xml and lower.endswith(_XML_PARTS)
            head = _read(name, inside, archive, entry, entry.file_size if scan else 4)
            if scan and b"\x00" in head:
                # UTF-16 or UTF-32: the DOCTYPE search below reads UTF-8 only.
                raise _refuse(name, f"'{inside}{entry.filename}' is not UTF-8 XML")
            if scan and _DOCTYPE.search(head):
                raise _refuse(
                    name,
                    f"'{inside}{entry.filename}' declares a DOCTYPE or entities (refused)",
                )
            if head.startswith(_ZIP_MAGIC):
                if depth >= _MAX_DEPTH:
                    raise _refuse(
                        name,
                        f"'{inside}{entry.filename}' is an archive nested deeper than "
                        "a document's embedded workbook",
                    )
                inner = _read(name, inside, archive, entry, entry.file_size)
                _check(name, f"{inside}{entry.filename}/", inner, limits, depth + 1, budget)


def _check_entry(
    name: str, inside: str, entry: zipfile.ZipInfo, limits: ArchiveLimits, budget: list[int]
) -> None:
    # The sizes are those the archive declares; zipfile never unpacks past them (a lie ends
    # in a CRC error), so they bound what reading it can cost.
    budget[0] -= entry.file_size
    if budget[0] < 0:
        raise _refuse(
            name, f"the archive unpacks to more than {limits.max_total_bytes // (1024 * 1024)} MB"
        )
    if entry.file_size > _RATIO_FLOOR_BYTES:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if ratio > limits.max_ratio:
            raise _refuse(
                name,
                f"'{inside}{entry.filename}' is compressed {ratio:,.0f} to 1, over the limit of "
                f"{limits.max_ratio} to 1 (a zip bomb?)",
            )


def _read(
    name: str, inside: str, archive: zipfile.ZipFile, entry: zipfile.ZipInfo, size: int
) -> bytes:
    try:
        with archive.open(entry) as stream:
            return stream.read(size)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as exc:
        # A damaged entry, an unknown compression or a password: nothing we can read.
        raise _refuse(name, f"'{inside}{entry.filename}' cannot be read ({exc})") from exc
