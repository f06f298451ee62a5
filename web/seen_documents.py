"""What a task page showed of the item's documents, sent back with its form: a submission made
after the item changed goes through only while the documents are still those (web/inbox.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import engine


def documents_seen(attachments: Iterable[engine.DocumentView], task_id: str) -> str:
    """A short digest of the documents a task page shows for deciding (each one's every
    version): sent back with the form, it tells whether what the person decides on is still
    what it was. A file another step added (a body's comments on the draft, attached beside
    its opinion) is that step's contribution, not what this one decides on: left out. A file
    added on the item's page (a draft sent again), or at this very step, counts."""
    ids = sorted(
        v.attachment_id
        for d in attachments
        for v in d.versions
        if v.task_id is None or v.task_id == task_id
    )
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]
