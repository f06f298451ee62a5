"""What a task page showed of the item's documents, sent back with its form: a submission made
after the item changed goes through only while the documents are still those (web/inbox.py)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import engine


def documents_seen(attachments: Iterable[engine.DocumentView]) -> str:
    """A short digest of the documents a task page shows (each one's every version): sent
    back with the form, it tells whether what the person decided on is still what it was."""
    ids = sorted(v.attachment_id for d in attachments for v in d.versions)
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]
