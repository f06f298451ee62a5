"""What the mail renderer (workflows.mail_text.render) is given, built for the tests of the
mail's words: one notification about a step of item 7 (engine.MailItem), alone in a message."""

from __future__ import annotations

from datetime import UTC, datetime

from engine import MailItem, OutgoingMail

AT = datetime(2026, 3, 21, 1, 0, tzinfo=UTC)
TITLE = "Nhiệm vụ II.2"


def mail_item(
    event: str,
    step: str,
    *,
    reason: str | None = None,
    units: tuple[str, ...] | None = None,
    actor: str | None = None,
) -> MailItem:
    """A notification of `event` about `step` of the item TITLE, task t-1, due AT."""
    return MailItem(
        id=1,
        event=event,
        instance_id=7,
        task_id="t-1",
        title=TITLE,
        step=step,
        due_at=AT,
        reason=reason,
        units=units,
        actor=actor,
        created_at=AT,
    )


def one_mail(item: MailItem, locale: str) -> OutgoingMail:
    """The message that tells Lê Lan of `item` alone, at once, in `locale`."""
    return OutgoingMail("m", "lan", "Lê Lan", "lan@example.vn", locale, False, 1, (item,))
