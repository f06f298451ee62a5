"""The process versions a server will run: the version of every running item, and the latest
of each process (the one a new item starts on). Restoring them is what a web process's first
request on an item would otherwise pay (`definitions.load_version`: the stored spec read back
into SpiffWorkflow); `pheduyet serve` restores them once, before its web processes are forked,
so that each of them starts with them."""

from __future__ import annotations

import logging

from sqlalchemy import select, union
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .db import transaction
from .definitions import latest_version_ids, load_version
from .instances import InstanceModel
from .views import InstanceStatus

log = logging.getLogger(__name__)


def restore_versions_in_use(factory: sessionmaker[Session]) -> int | None:
    """Restore into this process's cache of versions each one a running item or a new item
    would use, in a read transaction of its own (one statement, then two for each version not
    yet restored), then close the database's connections: a process about to fork calls it, and
    no connection may be shared by two processes. Returns how many were restored; None when the
    database cannot be read (not reachable, not migrated yet, not a database). A version that
    cannot be restored is logged and left out: it fails at first use, as without this."""
    try:
        with transaction(factory, write=False) as session:
            return _restore(session)
    except SQLAlchemyError:
        return None
    finally:
        factory.kw["bind"].dispose()


def _restore(session: Session) -> int:
    running = select(InstanceModel.process_version_id).where(
        InstanceModel.status == InstanceStatus.RUNNING
    )
    restored = 0
    for version_id in sorted(session.scalars(union(latest_version_ids(), running)).all()):
        try:
            load_version(session, version_id)
        except SQLAlchemyError:
            raise
        except Exception:  # a stored spec this code cannot read back: its items say so
            log.exception("process version %s could not be restored", version_id)
        else:
            restored += 1
    return restored
