"""Outgoing webhooks: an action writes its deliveries in its own transaction, the sender POSTs
them signed to a real HTTP server on 127.0.0.1, tries again with back-off on a refusal and gives
up after the last attempt."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

import engine
from engine import DeliveryStatus, InvalidInput, ManualClock, transaction
from engine.webhook_delivery import LEASE, MAX_ATTEMPTS, Answer, post, retry_wait

SECRET = "a secret of the receiver, 32 chars"


@dataclass
class Receiver:
    """A real HTTP server: answers each POST with the next status of ``answers`` (then 200)
    and keeps what it was sent."""

    url: str = ""
    answers: list[int] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _headers, body in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    got = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.received.append((dict(self.headers.items()), body))
            status = got.answers.pop(0) if got.answers else 200
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://example.org/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    got.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield got
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def hooked(deployed: Any) -> Any:
    return engine.bind_listeners(deployed, [engine.webhook_listener])


def add_hook(factory: Any, clock: ManualClock, url: str, *types: str, **kw: Any) -> int:
    with transaction(factory) as s:
        return engine.add_webhook(s, clock(), url, list(types), secret=SECRET, **kw).webhook.id


def log(factory: Any) -> list[engine.WebhookDelivery]:
    with transaction(factory, write=False) as s:
        return engine.list_deliveries(s)


def test_webhooks__an_action_is_delivered_signed_to_the_receiver(
    hooked: Any, config: engine.EngineConfig, clock: ManualClock, receiver: Receiver
) -> None:
    add_hook(hooked, clock, receiver.url, "item.started", "task.created", "task.completed")
    add_hook(hooked, clock, receiver.url, "item.finished")  # hears nothing here
    with transaction(hooked) as s:
        item = engine.start_instance(s, config, "approval", "an", title="Đề xuất")
    with transaction(hooked, write=False) as s:
        task_id = engine.open_tasks(s, item)[0].id
    with transaction(hooked) as s:
        engine.complete_task(s, config, task_id, "an", data={"summary": "Trồng nấm"})

    assert engine.deliver_webhooks(hooked, clock) == engine.DeliveryRound(sent=4)
    events = receiver.events()
    assert sorted(e["type"] for e in events) == [
        "item.started",
        "task.completed",
        "task.created",
        "task.created",
    ]
    for headers, body in receiver.received:
        mac = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(headers["X-Pheduyet-Signature"], f"sha256={mac}")
        assert headers["X-Pheduyet-Event-Id"] == json.loads(body)["id"]
        assert headers["X-Pheduyet-Timestamp"] == str(int(clock().timestamp()))
    done = next(e for e in events if e["type"] == "task.completed")
    assert done["item"] == {"id": item, "process": "approval", "title": "Đề xuất"}
    assert done["actor"] == "an" and done["task"]["id"] == task_id
    assert "data" not in json.dumps(done) and "Trồng nấm" not in json.dumps(done)
    assert {d.status for d in log(hooked)} == {DeliveryStatus.SENT}
    assert engine.deliver_webhooks(hooked, clock) == engine.DeliveryRound()  # sent once


def test_webhooks__a_refusal_is_tried_again_after_the_wait_then_sent_once(
    hooked: Any, config: engine.EngineConfig, clock: ManualClock, receiver: Receiver
) -> None:
    add_hook(hooked, clock, receiver.url, "item.started")
    receiver.answers = [500]
    with transaction(hooked) as s:
        engine.start_instance(s, config, "approval", "an", title="Đề xuất")

    assert engine.deliver_webhooks(hooked, clock) == engine.DeliveryRound(retrying=1)
    [waiting] = log(hooked)
    assert (waiting.status, waiting.attempts, waiting.last_status_code) == ("pending", 1, 500)
    assert waiting.last_error and "500" in waiting.last_error
    assert waiting.next_attempt_at == clock() + retry_wait(1)

    clock.advance(retry_wait(1) - timedelta(seconds=1))
    assert engine.deliver_webhooks(hooked, clock) == engine.DeliveryRound()  # not yet
    clock.advance(timedelta(seconds=1))
    assert engine.deliver_webhooks(hooked, clock) == engine.DeliveryRound(sent=1)
    [sent] = log(hooked)
    assert (sent.status, sent.attempts, sent.last_status_code) == ("sent", 2, 200)
    assert len(receiver.received) == 2
    assert receiver.received[0][1] == receiver.received[1][1]  # the same event, byte for byte
    clock.advance(timedelta(days=1))
    assert engine.deliver_webhooks(hooked, clock) == engine.DeliveryRound()


def test_webhooks__failed_after_the_last_attempt_then_sent_again_by_hand(
    hooked: Any, config: engine.EngineConfig, clock: ManualClock, receiver: Receiver
) -> None:
    add_hook(hooked, clock, receiver.url, "item.started")
    receiver.answers = [302] + [503] * (MAX_ATTEMPTS - 1)
    with transaction(hooked) as s:
        engine.start_instance(s, config, "approval", "an", title="Đề xuất")
    for _ in range(MAX_ATTEMPTS):
        engine.deliver_webhooks(hooked, clock)
        clock.advance(timedelta(hours=6))
    [failed] = log(hooked)
    assert (failed.status, failed.attempts, failed.last_status_code) == (
        "failed",
        MAX_ATTEMPTS,
        503,
    )
    assert len(receiver.received) == MAX_ATTEMPTS  # the redirect was not followed
    assert engine.deliver_webhooks(hooked, clock) == engine.DeliveryRound()

    with transaction(hooked) as s:
        engine.retry_delivery(s, failed.id, clock())
    assert engine.deliver_webhooks(hooked, clock) == engine.DeliveryRound(sent=1)
    assert log(hooked)[0].status == "sent"


def test_webhooks__a_receiver_that_is_not_there_is_recorded(
    hooked: Any, config: engine.EngineConfig, clock: ManualClock
) -> None:
    add_hook(hooked, clock, "http://127.0.0.1:9/nobody", "item.started")
    with transaction(hooked) as s:
        engine.start_instance(s, config, "approval", "an", title="Đề xuất")
    assert engine.deliver_webhooks(hooked, clock) == engine.DeliveryRound(retrying=1)
    [waiting] = log(hooked)
    assert waiting.last_status_code is None and waiting.last_error


def test_webhooks__a_rolled_back_action_delivers_nothing(
    hooked: Any, config: engine.EngineConfig, clock: ManualClock, receiver: Receiver
) -> None:
    add_hook(hooked, clock, receiver.url, *engine.WEBHOOK_EVENTS)
    with pytest.raises(RuntimeError), transaction(hooked) as s:
        engine.start_instance(s, config, "approval", "an", title="Đề xuất")
        assert engine.list_deliveries(s)  # written by the listener, then rolled back
        raise RuntimeError("the request failed after the action")
    assert log(hooked) == []
    assert engine.deliver_webhooks(hooked, clock) == engine.DeliveryRound()
    assert receiver.received == []


def test_webhooks__inactive_and_removed_hooks_hear_nothing_new(
    hooked: Any, config: engine.EngineConfig, clock: ManualClock, receiver: Receiver
) -> None:
    off = add_hook(hooked, clock, receiver.url, "item.started", active=False)
    gone = add_hook(hooked, clock, receiver.url, "item.started")
    with transaction(hooked) as s:
        engine.start_instance(s, config, "approval", "an", title="Đề xuất")
    assert [d.webhook_id for d in log(hooked)] == [gone]
    with transaction(hooked) as s:
        engine.remove_webhook(s, gone)
        assert engine.set_webhook_active(s, off, True).active
        with pytest.raises(engine.NotFound):
            engine.remove_webhook(s, gone + 100)
    assert log(hooked) == []
    with transaction(hooked, write=False) as s:
        assert [(h.id, h.active) for h in engine.list_webhooks(s)] == [(off, True)]


def test_webhooks__a_secret_is_made_when_none_is_given(factory: Any, clock: ManualClock) -> None:
    with transaction(factory) as s:
        made = engine.add_webhook(s, clock(), "https://hooks.example.org/x", ["item.finished"])
    assert len(made.secret) >= 32
    with pytest.raises(InvalidInput) as short, transaction(factory) as s:
        engine.add_webhook(s, clock(), "https://x.org", ["item.finished"], secret="short")
    assert short.value.details["reason"] == "webhook_secret_length"
    with pytest.raises(InvalidInput) as none, transaction(factory) as s:
        engine.add_webhook(s, clock(), "https://x.org", [])
    assert none.value.details["reason"] == "webhook_no_event_type"
    with pytest.raises(InvalidInput) as odd, transaction(factory) as s:
        engine.add_webhook(s, clock(), "https://x.org", ["item.eaten"])
    assert odd.value.details["reason"] == "webhook_event_type"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://hooks.example.org/pheduyet", None),
        ("http://10.0.0.5:8080/x?y=1", None),
        ("  https://example.org  ", None),
        ("", "webhook_url_length"),
        ("https://example.org/" + "a" * 2000, "webhook_url_length"),
        ("ftp://example.org/x", "webhook_url_scheme"),
        ("javascript:alert(1)", "webhook_url_scheme"),
        ("example.org/x", "webhook_url_scheme"),
        ("file:///etc/passwd", "webhook_url_scheme"),
        ("https://user:pass@example.org/x", "webhook_url_credentials"),
        ("https://token@example.org/x", "webhook_url_credentials"),
        ("https:///path", "webhook_url_host"),
        ("https://example.org:port/", "webhook_url_host"),
        ("https://exa mple.org/", "webhook_url_characters"),
        ("https://example.org/\nX-Evil: 1", "webhook_url_characters"),
    ],
)
def test_webhooks__url_validation(url: str, reason: str | None) -> None:
    if reason is None:
        assert engine.check_webhook_url(url) == url.strip()
        return
    with pytest.raises(InvalidInput) as refused:
        engine.check_webhook_url(url)
    assert refused.value.details["reason"] == reason
    assert refused.value.details["field"] == "url"


def test_webhooks__a_delivery_in_flight_is_not_sent_twice_and_a_crash_sends_it_again(
    hooked: Any, config: engine.EngineConfig, clock: ManualClock, receiver: Receiver
) -> None:
    add_hook(hooked, clock, receiver.url, "item.started")
    with transaction(hooked) as s:
        engine.start_instance(s, config, "approval", "an", title="Đề xuất")
    meanwhile: list[engine.DeliveryRound] = []

    def crash_after_sending(url: str, body: bytes, headers: dict[str, str]) -> Answer:
        meanwhile.append(engine.deliver_webhooks(hooked, clock))  # another worker's round
        post(url, body, headers)
        raise KeyboardInterrupt  # the worker dies before it records the answer

    with pytest.raises(KeyboardInterrupt):
        engine.deliver_webhooks(hooked, clock, post=crash_after_sending)
    assert meanwhile == [engine.DeliveryRound()]  # claimed: nobody else sends it meanwhile
    assert len(receiver.received) == 1 and log(hooked)[0].status == "pending"

    clock.advance(LEASE)
    assert engine.deliver_webhooks(hooked, clock) == engine.DeliveryRound(sent=1)
    first, again = receiver.received
    assert first[0]["X-Pheduyet-Event-Id"] == again[0]["X-Pheduyet-Event-Id"]


def test_webhooks__sent_deliveries_leave_the_log_after_30_days_failed_ones_stay(
    hooked: Any, config: engine.EngineConfig, clock: ManualClock, receiver: Receiver
) -> None:
    add_hook(hooked, clock, receiver.url, "item.started")
    add_hook(hooked, clock, "http://127.0.0.1:9/nobody", "item.started")
    with transaction(hooked) as s:
        engine.start_instance(s, config, "approval", "an", title="Đề xuất")
    for _ in range(MAX_ATTEMPTS):
        engine.deliver_webhooks(hooked, clock)
        clock.advance(timedelta(hours=6))
    assert sorted(d.status for d in log(hooked)) == ["failed", "sent"]
    with transaction(hooked) as s:
        assert engine.prune_webhook_log(s, clock()) == 0
    clock.advance(timedelta(days=30))
    with transaction(hooked) as s:
        assert engine.prune_webhook_log(s, clock()) == 1
    assert [d.status for d in log(hooked)] == ["failed"]
