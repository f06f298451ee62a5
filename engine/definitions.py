"""Deployed process versions: immutable, numbered per process id, keyed by content hash."""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from functools import cache, cached_property
from types import MappingProxyType
from typing import Any
from weakref import WeakKeyDictionary

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from sqlalchemy import (
    JSON,
    ForeignKey,
    Integer,
    Select,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, defer, mapped_column
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from .clock import Clock
from .db import Base, UTCDateTime, of_engine, read_rows
from .directory_cache import TOKEN_COLUMN, token_read
from .errors import InvalidDefinition, NotFound
from .io_mappings import INITIATOR_KEY
from .limits import DEFAULT_MAX_MULTI_INSTANCE
from .parsing import ParsedProcess, Resolver, SourceFile, parse_bundle
from .serialization import dump_specs, load_specs
from .session_memo import memo
from .start_timer_schedule import schedule_process
from .task_data_options import offers_task_data_options
from .task_meta import TASK_KIND, TaskMeta
from .views import DeployResult, ProcessView
from .xml_safety import DEFAULT_MAX_BYTES

# The files a deploy reads: diagrams and decisions (Camunda 7 also names them *.bpmn20.xml and
# *.dmn11.xml), forms (SpiffArena's JSON schemas, embedded HTML, Camunda Forms) and JavaScript
# kept beside a diagram. The CLI's folders and the web's upload take exactly these.
MODEL_SUFFIXES = (
    ".bpmn",
    ".bpmn20.xml",
    ".dmn",
    ".dmn11.xml",
    ".json",
    ".html",
    ".htm",
    ".form",
    ".js",
)


class ProcessVersionModel(Base):
    __tablename__ = "process_versions"
    __table_args__ = (
        UniqueConstraint("process_id", "version", name="uq_process_version"),
        UniqueConstraint("process_id", "content_hash", name="uq_process_content"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int]
    name: Mapped[str] = mapped_column(String(500))
    dialect: Mapped[str] = mapped_column(String(20))
    content_hash: Mapped[str] = mapped_column(String(64))
    files: Mapped[dict[str, str]] = mapped_column(JSON)
    main_file: Mapped[str | None] = mapped_column(String(255))
    spec_json: Mapped[str] = mapped_column(Text)
    task_meta: Mapped[dict[str, Any]] = mapped_column(JSON)
    forms: Mapped[dict[str, Any]] = mapped_column(JSON)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deployed_by: Mapped[str | None] = mapped_column(ForeignKey("users.username"))


@dataclass(frozen=True)
class LoadedVersion:
    """A version ready to run: specs restored once per process and shared by instances."""

    id: int
    process_id: str
    version: int
    name: str
    dialect: str
    spec: Any
    subprocess_specs: dict[str, Any]
    tasks: dict[str, TaskMeta]
    forms: dict[str, Any]

    @cached_property
    def element_titles(self) -> Mapping[str, str]:
        """Element id -> title of every named element (its called processes included): the
        human steps as their metadata names them, the rest (a timer, a service) by the
        diagram's own names. Worked out once per loaded version, as the specs are."""
        # The version's own process last, so that its names win over a called process's ids.
        titles = {
            spec.bpmn_id: " ".join(str(spec.bpmn_name).split())
            for process in (*self.subprocess_specs.values(), self.spec)
            for spec in process.task_specs.values()
            if getattr(spec, "bpmn_id", None)
            and str(getattr(spec, "bpmn_name", None) or "").strip()
        }
        titles.update({m.element_id: m.name for m in self.tasks.values() if m.kind == TASK_KIND})
        return MappingProxyType(titles)

    @cached_property
    def task_data_forms(self) -> frozenset[str]:
        """The forms with a choice whose options come from the item's data: only they are
        rewritten at each task page and check (the others' schemas are not walked again)."""
        return frozenset(n for n, schema in self.forms.items() if offers_task_data_options(schema))

    @cached_property
    def initiator_names(self) -> tuple[str, ...]:
        """The variables the process's start events name for who started the item
        (`camunda:initiator`; engine.io_mappings), besides `initiator`."""
        return tuple(
            dict.fromkeys(
                str(name)
                for spec in self.spec.task_specs.values()
                if (name := (getattr(spec, "extensions", None) or {}).get(INITIATOR_KEY))
            )
        )

    @cached_property
    def multi_instance_elements(self) -> frozenset[str]:
        """Ids of the elements done once for each item of a collection (or a loop count), each
        instance a task of its own (called processes included)."""
        return frozenset(
            spec.bpmn_id
            for process in (*self.subprocess_specs.values(), self.spec)
            for spec in process.task_specs.values()
            if isinstance(spec, MultiInstanceTask) and getattr(spec, "bpmn_id", None)
        )


# Keyed by content, not by row id: one process may talk to several databases (tests, tools)
# whose row ids coincide, and the same content always parses to the same spec.
_cache: dict[tuple[str, str], LoadedVersion] = {}
_cache_lock = threading.Lock()


# Engine -> version row id -> its content's key. Versions never change, so a row id seen on a
# database maps to its content for good; kept for each engine (weakly), so two databases' ids
# never meet.
_by_row: WeakKeyDictionary[Engine, dict[int, tuple[str, str]]] = WeakKeyDictionary()


def load_version(session: Session, version_id: int) -> LoadedVersion:
    """The runnable version, restored once per process and shared by its instances."""
    with _cache_lock:
        by_row = of_engine(_by_row, session)
        content_key = by_row.get(version_id)
        cached = _cache.get(content_key) if content_key else None
    if cached is not None:
        return cached
    found = session.execute(
        select(ProcessVersionModel.process_id, ProcessVersionModel.content_hash).where(
            ProcessVersionModel.id == version_id
        )
    ).first()
    if found is None:
        raise NotFound(f"process version {version_id} does not exist")
    key = (found.process_id, found.content_hash)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None and cached.id == version_id:
        with _cache_lock:
            by_row[version_id] = key
        return cached
    row = session.get(ProcessVersionModel, version_id)
    assert row is not None
    spec, subprocess_specs = load_specs(row.dialect, row.spec_json)
    loaded = LoadedVersion(
        id=row.id,
        process_id=row.process_id,
        version=row.version,
        name=row.name,
        dialect=row.dialect,
        spec=spec,
        subprocess_specs=subprocess_specs,
        tasks={k: TaskMeta.from_dict(v) for k, v in row.task_meta.items()},
        forms=row.forms,
    )
    with _cache_lock:
        _cache[key] = loaded
        by_row[version_id] = key
    return loaded


def latest_version(
    session: Session, process_id: str, *, read_token: bool = False
) -> ProcessVersionModel:
    """The newest version's row. `read_token`: with the directory's token, in the same
    statement, for the transaction's later reads of people and groups (a start's, as an
    action's lock reads it: engine.directory_cache.token_read)."""
    if read_token:
        found = session.execute(_LATEST_WITH_TOKEN, {"process_id": process_id}).first()
        row: ProcessVersionModel | None = None if found is None else found[0]
        if found is not None:
            token_read(session, found[1])
    else:
        row = _latest(session, process_id)
    if row is None:
        raise NotFound(f"process '{process_id}' is not deployed")
    return row


def deploy(
    session: Session,
    files: Iterable[SourceFile],
    clock: Clock,
    deployed_by: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_multi_instance: int = DEFAULT_MAX_MULTI_INSTANCE,
    services: Collection[str] = (),
    timezone: tzinfo = UTC,
) -> list[DeployResult]:
    """Validate every file, then store a new version of each process whose content changed.

    Either every process of the set is stored or none is; the same content again is a no-op.
    A call activity may call a process deployed earlier: its latest version's files are used.
    Every service task must call a key of `services` (the keys of `EngineConfig.services`).
    A new version's timer start events are scheduled (in `timezone`, the office's, for a cron).
    """
    parsed = parse_bundle(
        files,
        max_bytes,
        resolve=_latest_files(session),
        now=clock(),
        max_multi_instance=max_multi_instance,
        services=services,
    )
    stored = [(process, *_store(session, process, clock, deployed_by)) for process in parsed]
    session.flush()
    now = clock()
    for process, result, row in stored:
        latest = _latest(session, process.process_id)
        if result.created or (latest is not None and latest.id == row.id):
            new = result.created
            schedule_process(session, process, row.id, deployed_by, now, zone=timezone, new=new)
    return [result for _process, result, _row in stored]


def _latest_files(session: Session) -> Resolver:
    def resolve(process_ids: set[str]) -> list[SourceFile]:
        found: dict[str, SourceFile] = {}
        for process_id in sorted(process_ids):
            row = _latest(session, process_id)
            if row is not None:
                for name, text in row.files.items():
                    found.setdefault(name, SourceFile(name, text.encode("utf-8")))
        return list(found.values())

    return resolve


def _latest(session: Session, process_id: str) -> ProcessVersionModel | None:
    """The newest version's row. Its files, spec and forms (up to megabytes, read and decoded
    at every start before) load only when something reads them: the version's runnable form
    and the starter rules are cached per content."""
    found: ProcessVersionModel | None = session.scalars(_LATEST, {"process_id": process_id}).first()
    return found


_HEAVY = tuple(
    defer(column)
    for column in (
        ProcessVersionModel.files,
        ProcessVersionModel.spec_json,
        ProcessVersionModel.task_meta,
        ProcessVersionModel.forms,
    )
)
# Built once: built at every start, the statement and its cache key cost the ORM more than
# running it (a scratch loop: 195 us a look-up against 78 with the statement built once).
_LATEST = (
    select(ProcessVersionModel)
    .options(*_HEAVY)
    .where(ProcessVersionModel.process_id == bindparam("process_id"))
    .order_by(ProcessVersionModel.version.desc())
    .limit(1)
)
_LATEST_WITH_TOKEN = _LATEST.add_columns(TOKEN_COLUMN)


def _store(
    session: Session, process: ParsedProcess, clock: Clock, deployed_by: str | None
) -> tuple[DeployResult, ProcessVersionModel]:
    existing = session.scalars(
        select(ProcessVersionModel).where(
            ProcessVersionModel.process_id == process.process_id,
            ProcessVersionModel.content_hash == process.content_hash,
        )
    ).first()
    if existing is not None:
        return (
            DeployResult(process.process_id, existing.version, existing.content_hash, False),
            existing,
        )
    current = session.scalar(
        select(func.max(ProcessVersionModel.version)).where(
            ProcessVersionModel.process_id == process.process_id
        )
    )
    try:
        spec_json = dump_specs(process.dialect, process.spec, process.subprocess_specs)
    except (TypeError, ValueError) as exc:
        raise InvalidDefinition(
            f"the process cannot be stored: {exc}",
            file=process.main_file,
            element_id=process.process_id,
            reason="process_unreadable",
            detail=str(exc),
        ) from exc
    row = ProcessVersionModel(
        process_id=process.process_id,
        version=(current or 0) + 1,
        name=process.name,
        dialect=process.dialect,
        content_hash=process.content_hash,
        files=process.files,
        main_file=process.main_file,
        spec_json=spec_json,
        task_meta={k: m.to_dict() for k, m in process.tasks.items()},
        forms=process.forms,
        deployed_at=clock(),
        deployed_by=deployed_by,
    )
    session.add(row)
    return DeployResult(process.process_id, row.version, row.content_hash, True), row


def list_processes(session: Session) -> list[ProcessView]:
    """The latest version of every deployed process, with how many versions it has (read once
    per transaction: the start page and a start ask twice, for the catalog and the models)."""
    return list(memo(session, "definitions.processes", lambda: _read_processes(session)))


def _read_processes(session: Session) -> list[ProcessView]:
    return [
        ProcessView(
            process_id=r.process_id,
            name=r.name,
            version=r.version,
            versions=r.versions,
            dialect=r.dialect,
            content_hash=r.content_hash,
            deployed_at=r.deployed_at,
        )
        for r in read_rows(session, _processes_statement())
    ]


@cache
def _newest() -> Subquery:
    """Each process's newest version number (`v`) and how many versions it has (`n`)."""
    return (
        select(
            ProcessVersionModel.process_id,
            func.max(ProcessVersionModel.version).label("v"),
            func.count().label("n"),
        )
        .group_by(ProcessVersionModel.process_id)
        .subquery()
    )


def _is_newest(newest: Subquery) -> ColumnElement[bool]:
    return (ProcessVersionModel.process_id == newest.c.process_id) & (
        ProcessVersionModel.version == newest.c.v
    )


@cache
def latest_version_ids() -> Select[int]:
    """The id of each process's newest version (the one a new item starts on)."""
    newest = _newest()
    return select(ProcessVersionModel.id).join(newest, _is_newest(newest))


@cache
def _processes_statement() -> Select[str, str, int, str, str, datetime, int]:
    """The latest version of each process with the number of its versions: one statement,
    built once (it was two, the counts apart)."""
    newest = _newest()
    # Only the listed columns: a version row also carries its files and serialized spec.
    return (
        select(
            ProcessVersionModel.process_id,
            ProcessVersionModel.name,
            ProcessVersionModel.version,
            ProcessVersionModel.dialect,
            ProcessVersionModel.content_hash,
            ProcessVersionModel.deployed_at,
            newest.c.n.label("versions"),
        )
        .join(newest, _is_newest(newest))
        .order_by(ProcessVersionModel.process_id)
    )
