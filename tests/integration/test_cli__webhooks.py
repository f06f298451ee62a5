"""`pheduyet webhooks` adds, lists and removes webhooks and shows the delivery log, and
`pheduyet worker`'s round sends what an action wrote to the outbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

import engine
from cli.main import main
from cli.worker import Worker
from engine import ManualClock, transaction
from tests.integration.test_engine__webhooks import Receiver, receiver  # noqa: F401
from workflows import engine_config


def run(url: str, *args: str, code: int = 0, stdin: str | None = None) -> Any:
    result = CliRunner().invoke(main, list(args), env={"PHEDUYET_DATABASE_URL": url}, input=stdin)
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result


def test_cli_webhooks__add_list_log_remove(sqlite_url: str) -> None:
    run(sqlite_url, "db", "upgrade")
    added = json.loads(
        run(
            sqlite_url,
            "webhooks",
            "add",
            "https://he-thong.tinh.gov.vn/su-kien",
            "--event",
            "task.created",
            "--event",
            "item.finished",
            "--secret-stdin",
            "--json",
            stdin="khóa bí mật dài hơn mười sáu ký tự\n",
        ).stdout
    )
    assert added["secret"] == "khóa bí mật dài hơn mười sáu ký tự"
    assert added["webhook"]["event_types"] == ["item.finished", "task.created"]
    listed = json.loads(run(sqlite_url, "webhooks", "list", "--json").stdout)
    assert [h["url"] for h in listed] == ["https://he-thong.tinh.gov.vn/su-kien"]
    assert "secret" not in json.dumps(listed)
    assert json.loads(run(sqlite_url, "webhooks", "deliveries", "--json").stdout) == []

    refused = run(
        sqlite_url,
        "webhooks",
        "add",
        "https://a:b@x.org",
        "--event",
        "item.started",
        "--json",
        code=6,
    )
    assert json.loads(refused.stdout)["error"]["reason"] == "webhook_url_credentials"

    hook = str(added["webhook"]["id"])
    assert "removed" in run(sqlite_url, "webhooks", "remove", hook).stdout
    assert run(sqlite_url, "webhooks", "remove", hook, code=3)
    assert "(none)" in run(sqlite_url, "webhooks", "list").stdout


def test_cli_webhooks__the_worker_round_sends_the_outbox(
    deployed: Any,
    config: engine.EngineConfig,
    clock: ManualClock,
    receiver: Receiver,  # noqa: F811
    tmp_path: Path,
) -> None:
    factory = engine.bind_listeners(deployed, [engine.webhook_listener])
    with transaction(factory) as s:
        engine.add_webhook(s, clock(), receiver.url, ["item.started"])
    with transaction(factory) as s:
        item = engine.start_instance(s, config, "approval", "an", title="Đề xuất")
    Worker(factory, engine_config(clock), tmp_path).round()
    assert [(e["type"], e["item"]["id"]) for e in receiver.events()] == [("item.started", item)]
