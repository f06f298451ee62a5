"""Files left in the upload folder without an attachment row: an upload is written to disk before
its transaction commits, so a crash or a rolled-back action can leave its file behind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from .attachments import AttachmentModel
from .clock import Clock

# A file younger than this may belong to an upload whose transaction has not committed yet.
DEFAULT_MIN_AGE = timedelta(hours=1)
# The names add_attachment writes: the stored name, and the partial file before its rename.
_OURS = re.compile(r"\.?([0-9a-f]{32})(\.part)?")
_BATCH = 500


@dataclass(frozen=True)
class OrphanFile:
    """A file the upload folder holds that no attachment refers to."""

    name: str
    size: int
    modified_at: datetime


def collect_orphan_files(
    session: Session,
    clock: Clock,
    store: Path,
    *,
    min_age: timedelta = DEFAULT_MIN_AGE,
    dry_run: bool = False,
) -> list[OrphanFile]:
    """Remove (unless `dry_run`) and return the files of the upload folder `store` that no
    attachment row names and that are older than `min_age` by `clock`, oldest first. Only the
    names add_attachment writes are considered: anything else in the folder is left alone.
    Reads only: the caller's transaction just needs to see the committed rows."""
    if not store.is_dir():
        return []
    cutoff = clock() - min_age
    candidates: dict[str, tuple[Path, int, datetime]] = {}
    for path in store.iterdir():
        found = _OURS.fullmatch(path.name)
        if found is None or path.is_symlink() or not path.is_file():
            continue
        if (found.group(2) is None) != (not path.name.startswith(".")):
            continue  # ".<hex>" without ".part", or "<hex>.part": not a name we write
        stat = path.stat()
        modified = datetime.fromtimestamp(stat.st_mtime, UTC)
        if modified <= cutoff:
            candidates[path.name] = (path, stat.st_size, modified)
    # A partial file never has a row; a stored file has one unless its upload was undone.
    stored = [name for name in candidates if not name.endswith(".part")]
    kept: set[str] = set()
    for start in range(0, len(stored), _BATCH):
        batch = stored[start : start + _BATCH]
        kept.update(
            session.scalars(
                select(AttachmentModel.stored_name).where(AttachmentModel.stored_name.in_(batch))
            )
        )
    orphans = []
    for name, (path, size, modified) in sorted(candidates.items(), key=lambda c: c[1][2]):
        if name in kept:
            continue
        if not dry_run:
            path.unlink(missing_ok=True)
        orphans.append(OrphanFile(name, size, modified))
    return orphans
