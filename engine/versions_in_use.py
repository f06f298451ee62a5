"""The process versions a server will run: every version an item still runs on, and the latest
of each process (the one a new item starts on). Restoring them is what a web process's first
request on an item would otherwise pay (`definitions.load_version`: the stored spec read back
into SpiffWorkflow); `pheduyet serve` restores them once, before its web processes are forked,
so that each of them starts with them."""

from __future__ import annotations

from sqlalchemy import func, select, union
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session, sessionmaker

from .db import transaction
from .definitions import ProcessVersionModel, load_version
from .instances import InstanceModel
from .views import InstanceStatus


def restore_versions_in_use(factory: sessionmaker[Session]) -> int | None:
    """Restore into this process's cache of versions each one a running item or a new item
    would use, in a read transaction of its own (one statement, then two for each version not
    yet restored), then close the database's connections: a process about to fork calls it, and
    no connection may be shared by two processes. Returns how many; None when the database
    cannot be read (not reachable, not migrated yet): they are then restored at first use."""
    try:
        with transaction(factory, write=False) as session:
            return _restore(session)
    except (OperationalError, ProgrammingError):
        return None
    finally:
        factory.kw["bind"].dispose()


def _restore(session: Session) -> int:
    newest = (
        select(ProcessVersionModel.process_id, func.max(ProcessVersionModel.version).label("v"))
        .group_by(ProcessVersionModel.process_id)
        .subquery()
    )
    latest = select(ProcessVersionModel.id).join(
        newest,
        (ProcessVersionModel.process_id == newest.c.process_id)
        & (ProcessVersionModel.version == newest.c.v),
    )
    running = select(InstanceModel.process_version_id).where(
        InstanceModel.status == InstanceStatus.RUNNING
    )
    found = session.scalars(union(latest, running)).all()
    for version_id in sorted(found):
        load_version(session, version_id)
    return len(found)
