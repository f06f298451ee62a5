"""Finding items by number, title, content or attachment name, from an index.

Each item has one row in `search_documents`: the text people wrote on it (form values,
comments, file names) and the same text with its title, folded (lower case, Vietnamese
diacritics and đ removed, one space between words). Folding happens here, in Python, so that
SQLite and PostgreSQL find exactly the same items (PostgreSQL's `unaccent` keeps đ). The
folded text is indexed: on SQLite by the FTS5 table `search_fts` (external content, kept in
step by triggers), on PostgreSQL by a pg_trgm GIN index (migration 0004).

Every action appends an audit event, and `audit.append_event` marks its item stale; the rows
of the stale items are rewritten just before the transaction commits, from what is stored
then, so the index always agrees with the item it describes. An item's comments, file names
and row are taken from what this process last wrote for it when no other event came between
(engine/search_written.py), and read otherwise.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeGuard

from sqlalchemy import (
    BindParameter,
    ForeignKey,
    Integer,
    Select,
    Text,
    and_,
    bindparam,
    case,
    column,
    literal,
    literal_column,
    null,
    or_,
    select,
    table,
    union_all,
)
from sqlalchemy import event as sa_event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from . import search_written
from .attachments import ATTACHED, AttachmentModel
from .audit import AuditEventModel, write_pending
from .db import Base, UTCDateTime, cast_table, one_or_many
from .definitions import LoadedVersion, load_version
from .dossier import private_fields
from .driver_sql import run
from .instances import InstanceModel
from .numbers import amount_text
from .sql_text import fold_char, lowered, typed_plain, with_text_functions
from .users import Identity
from .views import MAX_ITEM_ID
from .visibility import visible_clause

MAX_TERMS = 8
MAX_QUERY = 200
SNIPPET_BEFORE = 50
SNIPPET_AFTER = 110
_STALE = "pheduyet.search.stale"
# A value with an underscore and no space is a code a diagram chose (a decision, a unit's
# key), not text a person typed: it would make every item match its own step names.
_CODE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)+$")
# A person's login with a dot ("qlkh.cv1"): no one types it to find an item, and a snippet
# should not show it. A lone lowercase word stays: it may be what people search for ("covid").
_WORD_CODE = re.compile(r"^(?=[a-z0-9.]*[a-z])[a-z0-9]+(?:\.[a-z0-9]+)+$")
# A date or moment as the engine stores it (ISO 8601): indexed as dd/mm/yyyy.
_ISO_DAY = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?:[T ][0-9:.+\-Z]*)?$")
# Who started an item is metadata of the workflow, not content.
_NOT_CONTENT = frozenset({"initiator", "initiator_unit"})
_NUMBER_QUERY = re.compile(r"^(?:so )?(\d+)$")
_GROUPED_DIGITS = re.compile(r"(?<=\d)[.,](?=\d{3}(?!\d))")

search_fts = table("search_fts", column("rowid"))


class SearchDocumentModel(Base):
    __tablename__ = "search_documents"

    instance_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("instances.id"), primary_key=True, autoincrement=False
    )
    # What the item says besides its title, as people wrote it (for the result's excerpt).
    content: Mapped[str] = mapped_column(Text)
    # Title and content folded, with a space at each end so a word is found by ' word'.
    folded: Mapped[str] = mapped_column(Text)


@dataclass(frozen=True)
class SearchHit:
    """One item found. `snippet` is the part of its content around the first place the
    words occur, as (text, matched) pieces in order, every word found in it marked; None when
    they occur only in its title or number."""

    id: int
    title: str
    process_id: str
    status: str
    created_at: datetime
    snippet: tuple[tuple[str, bool], ...] | None


def _fold_same_length(text: str) -> str:
    return "".join(map(fold_char, text))


def fold(text: str) -> str:
    """Lower case, without diacritics (đ -> d), words separated by single spaces; a number
    written with separators is one word (1.500.000 -> 1500000), as it is stored."""
    return " ".join(_fold_same_length(_GROUPED_DIGITS.sub("", text)).split())


@dataclass(frozen=True)
class _Query:
    terms: tuple[str, ...]
    number: int | None
    # The words typed with diacritics, lower case: texts written with them come first ("nấm"
    # before "năm"); the others still match, as a word typed with a wrong mark ("đinh mưc"
    # for "định mức") should.
    accented: tuple[str, ...] = ()


def _parse(text: str) -> _Query:
    folded = fold((text or "")[:MAX_QUERY])
    found = _NUMBER_QUERY.match(folded)
    if found:
        # "12" or "số 12": item 12 itself, and items whose text has the number 12.
        digits = found.group(1)
        number = int(digits) if len(digits) <= 10 and int(digits) <= MAX_ITEM_ID else None
        return _Query((digits,), number)
    typed = unicodedata.normalize("NFC", (text or "")[:MAX_QUERY])
    words = "".join(c if c.isalnum() else " " for c in typed).split()  # as `fold` splits
    accented = tuple(dict.fromkeys(w.lower() for w in words if not typed_plain(w)))
    return _Query(tuple(dict.fromkeys(folded.split()))[:MAX_TERMS], None, accented[:MAX_TERMS])


def _values(data: Any, key: str | None = None) -> Iterable[str]:
    if key in _NOT_CONTENT or data is None or isinstance(data, bool):
        return
    if isinstance(data, Mapping):
        for k, v in data.items():
            yield from _values(v, str(k))
    elif isinstance(data, list | tuple):
        for v in data:
            yield from _values(v, key)
    elif isinstance(data, int | float):
        yield amount_text(data)  # as people write it: 850.000.000, folded 850000000
    elif isinstance(data, str):
        value = data.strip()
        if not value:
            return
        day = _ISO_DAY.match(value) if value[0].isdigit() else None
        if day:  # as people write it, and read it in a snippet
            yield f"{day['d']}/{day['m']}/{day['y']}"
        # A code is plain ASCII: text with a mark (most of what people write) is not looked at.
        elif not (value.isascii() and (_CODE.match(value) or _WORD_CODE.match(value))):
            yield value


def document(
    title: str, data: Any, comments: Iterable[str | None], filenames: Iterable[str]
) -> tuple[str, str]:
    """(content, folded) of one item: what its search row holds."""
    return _document(title, _values(data), comments, filenames)


def _document(
    title: str, values: Iterable[str], comments: Iterable[str | None], filenames: Iterable[str]
) -> tuple[str, str]:
    parts = [*values, *(c for c in comments if c), *filenames]
    content = "\n".join(dict.fromkeys(p.replace("\x00", "") for p in parts))
    return content, f" {fold(title + chr(10) + content)} "


@dataclass
class _Stale:
    """An item changed in this transaction: its row (when the action holds it), its title and
    data when first marked, whether text that the index keeps was added (a comment, a file, a
    new item), which makes a rewrite certain, and the events added, as (number, comment, kind)
    (None: not all known, the parts are then read)."""

    instance: InstanceModel | None
    title: str | None
    data: Any
    new_text: bool
    events: list[tuple[int, str | None, str]] | None


def mark_stale(
    session: Session, instance: InstanceModel | int, event: Mapping[str, Any] | None = None
) -> None:
    """The item changed: rewrite its search row before this transaction commits. Given the
    row itself (as an action does), its title and data are taken from it, not read again, and
    the rewrite is skipped when neither they nor the audit `event`'s text changed anything the
    index holds."""
    stale: dict[int, _Stale] = session.info.setdefault(_STALE, {})
    if isinstance(instance, int):
        stale[instance] = _Stale(None, None, None, True, None)
        return
    new_text = event is None or _adds_text(event)
    added = None if event is None else (event["seq"], event.get("comment"), event["kind"])
    found = stale.get(instance.id)
    if found is None:
        events = None if added is None else [added]
        stale[instance.id] = _Stale(instance, instance.title, instance.data, new_text, events)
    else:
        found.instance = instance
        found.new_text = found.new_text or new_text
        if found.events is not None and added is not None:
            found.events.append(added)
        else:
            found.events = None


def _adds_text(event: Mapping[str, Any]) -> bool:
    """The event adds to what the item's row holds: the first event (a new item has no row
    yet), a file, or a comment the row takes."""
    if event.get("seq") == 1 or event.get("kind") == ATTACHED:
        return True
    return _takes_comment(event.get("comment"), event["kind"])


# The kind of event whose comment is the engine's own words (runtime.record_error's message),
# not the item's: the row takes every other event's comment.
_ENGINE_WORDS = "error"


def _takes_comment(comment: str | None, kind: str) -> TypeGuard[str]:
    return comment is not None and kind != _ENGINE_WORDS


_documents = cast_table(SearchDocumentModel)
_events = cast_table(AuditEventModel)
_files = cast_table(AttachmentModel)
_items = cast_table(InstanceModel)
_ID: BindParameter[Any] = bindparam("id")
_NO_TEXT = null().cast(Text)
# What an item's document is made of besides its title and data, and the document as it stands
# (to skip a rewrite that would change nothing): one query for any number of items. Ordered in
# Python: comments by their place in the history, file names by upload time.
_PARTS = union_all(
    select(
        _events.c.instance_id,
        literal(0).label("part"),
        _events.c.seq.label("seq"),
        null().cast(UTCDateTime()).label("at"),
        _events.c.comment.label("a"),
        _NO_TEXT.label("b"),
    ).where(
        _events.c.instance_id == _ID,
        _events.c.comment.is_not(None),
        _events.c.kind != _ENGINE_WORDS,  # as `_takes_comment`
    ),
    select(
        _files.c.instance_id,
        literal(1),
        null().cast(Integer),
        _files.c.uploaded_at,
        _files.c.filename,
        _NO_TEXT,
    ).where(_files.c.instance_id == _ID),
    select(
        _documents.c.instance_id,
        literal(2),
        null().cast(Integer),
        null().cast(UTCDateTime()),
        _documents.c.content,
        _documents.c.folded,
    ).where(_documents.c.instance_id == _ID),
)
_ITEM = select(_items.c.id, _items.c.title, _items.c.data, _items.c.process_version_id).where(
    _items.c.id == _ID
)


def _upsert(statement: sqlite.Insert | postgresql.Insert) -> Any:
    return statement.on_conflict_do_update(
        index_elements=[_documents.c.instance_id],
        set_={"content": statement.excluded.content, "folded": statement.excluded.folded},
    )


_UPSERTS = {
    "sqlite": _upsert(sqlite.insert(_documents)),
    "postgresql": _upsert(postgresql.insert(_documents)),
}
_private: dict[tuple[str, int, int], tuple[LoadedVersion, frozenset[str]]] = {}


def _hidden_fields(session: Session, version_id: int) -> frozenset[str]:
    """The version's private fields, worked out once per loaded version."""
    version = load_version(session, version_id)
    key = (version.process_id, version.id, version.version)
    cached = _private.get(key)
    if cached is not None and cached[0] is version:
        return cached[1]
    hidden = private_fields(version)
    _private[key] = (version, hidden)
    return hidden


def refresh_stale(session: Session) -> None:
    """Rewrite the search rows of the items marked stale in this transaction: one read per
    item whose indexed text may have changed, and one write for those whose row would."""
    # Inside a savepoint (a search in it) the marks stay: should it roll back, what it wrote
    # is undone, and the commit writes the rows again.
    nested = session.in_nested_transaction()
    stale: dict[int, _Stale] | None = (
        session.info.get(_STALE) if nested else session.info.pop(_STALE, None)
    )
    if not stale:
        return
    rows = []
    for instance_id in sorted(stale):
        mark = stale[instance_id]
        held = mark.instance
        if held is not None:
            title, data, version_id = held.title, held.data, held.process_version_id
        else:
            found = session.execute(_ITEM, {"id": instance_id}).first()
            if found is None:
                continue
            title, data, version_id = found[1], found[2], found[3]
        parts = _parts_known(session, instance_id, mark)
        # Only the data may have changed what the index holds (no new text, the same title).
        data_only = held is not None and not mark.new_text and mark.title == title
        if data_only and (mark.data is data or mark.data == data):
            _unchanged(session, instance_id, mark, parts)
            continue
        # A field private to its step must not make the item findable by others.
        hidden = _hidden_fields(session, version_id)
        values = _shown_values(data, hidden)
        if data_only and _shown_values(mark.data, hidden) == values:
            _unchanged(session, instance_id, mark, parts)
            continue
        row = _document_row(session, instance_id, title, values, mark, parts)
        if row is not None:
            rows.append(row)
    if rows:
        connection = session.connection()
        run(connection, _UPSERTS[connection.dialect.name], one_or_many(rows), later=True)


def _shown_values(data: Any, hidden: frozenset[str]) -> list[str]:
    """The values the index takes from an item's data, its private fields left out."""
    if not isinstance(data, Mapping):
        return []
    return list(_values({k: v for k, v in data.items() if k not in hidden} if hidden else data))


# An item's parts besides its title and data: its comments, its files' names, and the digest of
# its row as stored (None: it has none).
_Parts = tuple[tuple[str, ...], tuple[str, ...], bytes | None]


def _document_row(
    session: Session,
    instance_id: int,
    title: str,
    values: list[str],
    mark: _Stale,
    parts: _Parts | None,
) -> dict[str, Any] | None:
    """The item's search row (from its title and the values its data shows), or None when it
    is stored already as it would be written."""
    comments, files, stored = parts if parts is not None else _parts_read(session, instance_id)
    content, folded = _document(title, values, comments, files)
    row = _digest(content, folded)
    if mark.instance is not None:
        written = search_written.Written(mark.instance.audit_count, comments, files, row)
        search_written.note(session, instance_id, written)
    if stored == row:
        return None
    return {"instance_id": instance_id, "content": content, "folded": folded}


def _parts_known(session: Session, instance_id: int, mark: _Stale) -> _Parts | None:
    """The item's parts without reading them: those this process composed after the event
    before this transaction's first (or none, for a new item), with this transaction's
    comments; None when they are not known so (engine/search_written.py)."""
    if not mark.events or mark.instance is None:
        return None
    if any(kind == ATTACHED for _seq, _comment, kind in mark.events):
        return None  # a file's name and its place among the others are read
    first = min(seq for seq, _comment, _kind in mark.events)
    base: _Parts = ((), (), None)
    if first > 1:
        known = search_written.known(session, instance_id)
        if known is None or known.count != first - 1:
            return None
        base = (known.comments, known.files, known.row)
    added = tuple(c for _seq, c, kind in sorted(mark.events) if _takes_comment(c, kind))
    return base[0] + added, base[1], base[2]


def _unchanged(session: Session, instance_id: int, mark: _Stale, parts: _Parts | None) -> None:
    """The item's row stays as it is: what this process knows of it stands for its newer
    events too."""
    if parts is not None and parts[2] is not None and mark.instance is not None:
        written = search_written.Written(mark.instance.audit_count, parts[0], parts[1], parts[2])
        search_written.note(session, instance_id, written)


def _parts_read(session: Session, instance_id: int) -> _Parts:
    comments: list[tuple[int, str]] = []
    files: list[tuple[datetime, str]] = []
    stored: bytes | None = None
    # What the session holds is written first (an attachment's row, this transaction's events
    # with their comments), as a read through the session would; read on the connection.
    session.flush()
    write_pending(session)
    for _id, part, seq, at, a, b in run(session.connection(), _PARTS, {"id": instance_id}):
        if part == 0:
            comments.append((seq, a))
        elif part == 1:
            files.append((at, a))
        else:
            stored = _digest(a, b)
    return (
        tuple(c for _seq, c in sorted(comments)),
        tuple(f for _at, f in sorted(files, key=lambda p: p[0])),
        stored,
    )


def _digest(content: str, folded: str) -> bytes:
    return hashlib.blake2b(f"{content}\x00{folded}".encode(), digest_size=16).digest()


def _unsure(session: Session, transaction: SessionTransaction) -> None:
    # A savepoint rolled back: the events it undid are gone, so the parts are read; an item it
    # made (a timer's start that failed) is gone with it, and has no row to write.
    if transaction.nested:
        stale = session.info.get(_STALE, {})
        for instance_id, mark in list(stale.items()):
            if mark.instance is not None and not sa_inspect(mark.instance).persistent:
                del stale[instance_id]
            else:
                mark.events = None


def _forget_stale(session: Session, transaction: SessionTransaction) -> None:
    # Only when the whole transaction ends: after a savepoint's rollback the item may still
    # have changed, and a needless rewrite costs less than a missed one.
    if transaction.parent is None:
        session.info.pop(_STALE, None)


# Every session, however it was made: the index must never miss a commit.
sa_event.listen(Session, "before_commit", refresh_stale)
sa_event.listen(Session, "after_transaction_end", _forget_stale)
sa_event.listen(Session, "after_soft_rollback", _unsure)


def _matching_ids(session: Session, terms: Sequence[str]) -> Select[Any]:
    """Ids of the items whose folded text has every term: a number as a whole word, other
    terms as the start of a word ("quy dinh" finds "quy định", "quyết định").
    Terms hold letters and digits only (see `fold`), so they are safe in either syntax."""
    if session.get_bind().dialect.name == "sqlite":
        expression = " ".join(f'"{t}"' if t.isdigit() else f'"{t}"*' for t in terms)
        return select(search_fts.c.rowid).where(
            literal_column("search_fts").op("MATCH")(bindparam("fts_query", expression))
        )
    documents = SearchDocumentModel
    return select(documents.instance_id).where(
        and_(*(documents.folded.like(f"% {t} %" if t.isdigit() else f"% {t}%") for t in terms))
    )


def search_items(
    session: Session,
    who: Identity,
    text: str,
    *,
    auditor_groups: Iterable[str] = (),
    limit: int = 20,
    offset: int = 0,
) -> list[SearchHit]:
    """Items this person may see (open, finished, cancelled alike) that match `text`, the item
    with that number first, then those that hold the words typed with diacritics as typed,
    then newest first. One query, answered from the index."""
    query = _parse(text)
    if not query.terms:
        return []
    refresh_stale(session)  # what this transaction changed is found too
    limit = min(max(limit, 1), 200)
    matched = _matching_ids(session, query.terms)
    if query.number is not None:
        matched = union_all(matched, select(literal(query.number)))  # type: ignore[assignment]
    number_first = (
        case((InstanceModel.id == query.number, 0), else_=1)
        if query.number is not None
        else literal(1)
    )
    sqlite = with_text_functions(session) if query.accented else False
    written = [
        or_(
            lowered(sqlite, InstanceModel.title).contains(word, autoescape=True),
            lowered(sqlite, SearchDocumentModel.content).contains(word, autoescape=True),
        )
        for word in query.accented
    ]
    written_first = case((and_(*written), 0), else_=1) if written else literal(1)
    rows = session.execute(
        select(
            InstanceModel.id,
            InstanceModel.title,
            InstanceModel.process_id,
            InstanceModel.status,
            InstanceModel.created_at,
            SearchDocumentModel.content,
        )
        .outerjoin(SearchDocumentModel, SearchDocumentModel.instance_id == InstanceModel.id)
        .where(InstanceModel.id.in_(matched), visible_clause(who, auditor_groups))
        .order_by(number_first, written_first, InstanceModel.id.desc())
        .limit(limit)
        .offset(max(offset, 0))
    ).all()
    return [
        SearchHit(id, title, process_id, status, created_at, _snippet(content, query.terms))
        for id, title, process_id, status, created_at, content in rows
    ]


def _snippet(content: str | None, terms: Sequence[str]) -> tuple[tuple[str, bool], ...] | None:
    """Around the first match in the line (one value) that has the most of the words, with
    every word found in that stretch marked."""
    if not content:
        return None
    folded = _fold_same_length(content)
    # A word is looked for in the folded text (positions are the content's), a number in the
    # content itself, whose dots and commas tell a grouped number from two.
    patterns = [(_term_pattern(t), content if t.isdigit() else folded) for t in terms]
    best: tuple[int, int, int] | None = None  # (words found, start, stop), most words first
    for line in re.finditer(r"[^\n]+", content):
        found = [m for p, text in patterns if (m := p.search(text, line.start(), line.end()))]
        if found and (best is None or len(found) > best[0]):
            first = min(found, key=lambda m: m.start())
            best = (len(found), *first.span())
    if best is None:
        return None
    _count, start, stop = best
    begin, end = 0, len(content)
    if start > SNIPPET_BEFORE:
        window = content[start - SNIPPET_BEFORE : start]
        begin = start - len(window.split(" ", 1)[1] if " " in window else window)
    if stop + SNIPPET_AFTER < len(content):
        end = stop + len(content[stop : stop + SNIPPET_AFTER].rsplit(" ", 1)[0])
    pieces: list[tuple[str, bool]] = [("…", False)] if begin else []
    at = begin
    spans = {m.span() for p, text in patterns for m in p.finditer(text, begin, end)}
    for found_start, found_stop in sorted(spans, key=lambda span: (span[0], -span[1])):
        if found_start < at:  # inside a word already marked
            continue
        pieces += [
            (_squash(content[at:found_start]), False),
            (content[found_start:found_stop], True),
        ]
        at = found_stop
    pieces.append((_squash(content[at:end]) + ("…" if end < len(content) else ""), False))
    return tuple(piece for piece in pieces if piece[0])


def _term_pattern(term: str) -> re.Pattern[str]:
    """A word that starts with the term (in the folded text); a number (in the content): the
    whole number, its thousands grouped or not (850.000.000 for 850000000), never part of a
    larger one (850.000 of 850.000.000, 12/345 for 12345)."""
    if not term.isdigit():
        return re.compile(r"(?<![^\W_])" + re.escape(term) + r"[^\W_]*")
    head = len(term) % 3 or 3
    groups = [term[:head], *(term[i : i + 3] for i in range(head, len(term), 3))]
    # Three digits after "1." are that number's last group (of 1.234); fewer, after "1.234,",
    # a decimal part of its own (the 5 of 1.234,5), as the index folds them.
    before = r"(?<![^\W_])" + (r"(?<!\d[.,])" if head == 3 else "")
    return re.compile(before + "[.,]?".join(groups) + r"(?![.,]\d{3}(?!\d)|[^\W_])")


def _squash(text: str) -> str:
    """One value per line in the content: lines apart by a dot, runs of spaces as one."""
    return re.sub(r"[^\S\n]+", " ", re.sub(r"\s*\n\s*", " · ", text))
