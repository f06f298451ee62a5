"""Notification mail through a real SMTP server on 127.0.0.1: the worker's round (cli.notify)
sends what actions wrote to the outbox, once, with retries, digests and deadline notices; the
SMTP problems are recorded; `pheduyet notify` and `pheduyet users email` work."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from sqlalchemy import select

import engine
from cli.main import main
from cli.notify import Notices
from engine import DeadlinePolicy, ManualClock, RetryPolicy, SmtpSettings, transaction
from engine.db import UTCDateTime
from engine.notifications import NotificationItem, NotificationModel
from tests.migrations import downgrade
from tests.smtp_server import PASSWORD, USER, Mailbox
from workflows import engine_config, event_listeners
from workflows.mailing import MailSettings, sender

BASE = "https://pheduyet.so-khcn.example.vn"
FROM = "Sở KH&CN <pheduyet@so-khcn.example.vn>"


@pytest.fixture
def office(deployed: Any) -> Any:
    factory = engine.bind_listeners(deployed, event_listeners())
    with transaction(factory) as s:
        for person in ("an", "binh", "dung"):
            engine.set_email(s, person, f"{person}@so-khcn.example.vn")
        engine.set_locale(s, "dung", "en")
    return factory


def notices(url: str, retry: RetryPolicy | None = None) -> Notices:
    return Notices(
        policy=DeadlinePolicy(),
        mail=MailSettings(SmtpSettings.from_url(url), FROM, BASE),
        retry=retry or RetryPolicy(),
    )


def submit(factory: Any, clock: ManualClock) -> int:
    config = engine_config(clock)
    with transaction(factory) as s:
        item = engine.start_instance(s, config, "approval", "an", title="Đề xuất nhiệm vụ nấm")
    with transaction(factory) as s:
        draft = engine.open_tasks(s, item)[0]
        engine.complete_task(s, config, draft.id, "an", data={"summary": "Trồng nấm"})
    return item


def mail_rows(factory: Any) -> list[NotificationModel]:
    with transaction(factory) as s:
        return list(s.scalars(select(NotificationModel).order_by(NotificationModel.id)))


def test_mail__a_new_task_mails_each_candidate_once_in_their_language(
    office: Any, clock: ManualClock, mailbox: Mailbox
) -> None:
    submit(office, clock)
    work = notices(mailbox.url)
    config = engine_config(clock)
    assert work.round(office, config).sent == 2  # binh and dung; chi has no address
    assert work.round(office, config).sent == 0
    assert sorted(r for rcpt, _m in mailbox.received for r in rcpt) == [
        "binh@so-khcn.example.vn",
        "dung@so-khcn.example.vn",
    ]
    (vi,) = mailbox.to("binh@so-khcn.example.vn")
    assert vi["Subject"] == (
        "[Phê duyệt] Công việc mới: Review the proposal – Đề xuất nhiệm vụ nấm"
    )
    text = vi.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = vi.get_body(("html",)).get_content()  # type: ignore[union-attr]
    task_id = next(r.task_id for r in mail_rows(office) if r.recipient == "binh")
    assert "Kính gửi: Lê Văn Bình" in text
    # 5 working days, to the end of the last one in Hà Nội: a date, no hour.
    assert "Hạn xử lý: 09/03/2026\n" in text
    assert f"{BASE}/tasks/{task_id}" in text and f'href="{BASE}/tasks/{task_id}"' in html
    (en,) = mailbox.to("dung@so-khcn.example.vn")
    assert en["Subject"].startswith("[Phê duyệt] New task: Review the proposal")
    statuses = {r.recipient: r.status for r in mail_rows(office)}
    assert statuses == {"binh": "sent", "dung": "sent", "chi": "skipped_no_email"}


def test_mail__a_rolled_back_action_mails_nothing(
    office: Any, clock: ManualClock, mailbox: Mailbox
) -> None:
    with pytest.raises(RuntimeError), transaction(office) as s:
        engine.start_instance(s, engine_config(clock), "approval", "binh", title="Đề xuất")
        raise RuntimeError("rolled back")
    assert notices(mailbox.url).round(office, engine_config(clock)) == engine.MailRound()
    assert mailbox.received == [] and mail_rows(office) == []


def test_mail__a_server_that_is_down_keeps_the_mail_queued_until_it_is_back(
    office: Any, clock: ManualClock, mailbox: Mailbox
) -> None:
    mailbox.stop()
    submit(office, clock)
    work = notices(mailbox.url)
    config = engine_config(clock)
    assert work.round(office, config).retrying == 2
    rows = mail_rows(office)
    queued = next(r for r in rows if r.recipient == "binh")
    assert (queued.status, queued.attempts) == ("pending", 1)
    assert f"cannot talk to the mail server 127.0.0.1:{mailbox.port}" in (queued.last_error or "")
    mailbox.start()
    assert work.round(office, config).sent == 0  # the back-off is not over
    clock.advance(timedelta(minutes=1))
    assert work.round(office, config).sent == 2
    clock.advance(timedelta(hours=3))
    assert work.round(office, config).sent == 0
    assert len(mailbox.to("binh@so-khcn.example.vn")) == 1
    sent = next(r for r in mail_rows(office) if r.recipient == "binh")
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, None)


def test_mail__after_the_last_retry_the_mail_is_failed_and_listed(
    office: Any, clock: ManualClock, mailbox: Mailbox
) -> None:
    mailbox.stop()
    submit(office, clock)
    work = notices(mailbox.url, RetryPolicy(max_attempts=3))
    config = engine_config(clock)
    for _ in range(4):
        work.round(office, config)
        clock.advance(timedelta(hours=1))
    with transaction(office) as s:
        failed = engine.failed_mail(s)
    assert sorted((f.recipient, f.attempts) for f in failed) == [("binh", 3), ("dung", 3)]
    assert all("cannot talk" in (f.last_error or "") for f in failed)
    mailbox.start()
    with transaction(office) as s:
        assert engine.retry_mail(s, [f.id for f in failed], clock()) == 2
    assert work.round(office, config).sent == 2


def test_mail__a_crash_after_sending_resends_with_the_same_message_id_after_the_lease(
    office: Any, clock: ManualClock, mailbox: Mailbox
) -> None:
    with transaction(office) as s:
        engine.set_email(s, "dung", None)
    submit(office, clock)
    settings = MailSettings(SmtpSettings.from_url(mailbox.url), FROM, BASE)
    config = engine_config(clock)
    send = sender(settings, config.timezone, clock)

    def send_then_die(mail: engine.OutgoingMail) -> None:
        send(mail)
        raise KeyboardInterrupt  # the worker is killed before it records the sending

    def deliver(how: Any) -> engine.MailRound:
        return engine.deliver_mail(office, clock, how, zone=config.timezone, domain=settings.domain)

    with pytest.raises(KeyboardInterrupt):
        deliver(send_then_die)
    assert [r.status for r in mail_rows(office) if r.recipient == "binh"] == ["sending"]
    assert deliver(send).sent == 0  # its lease is not over: nobody sends it meanwhile
    clock.advance(RetryPolicy().lease)
    assert deliver(send).sent == 1
    assert deliver(send).sent == 0
    first, again = mailbox.to("binh@so-khcn.example.vn")
    assert first["Message-ID"] == again["Message-ID"]  # mail stores show it once


def test_mail__the_daily_digest_comes_at_the_persons_hour(
    office: Any, clock: ManualClock, mailbox: Mailbox
) -> None:
    with transaction(office) as s:
        engine.set_choice(s, "binh", "new_task", "digest")
        engine.set_digest_hour(s, "binh", 17)
    submit(office, clock)  # Monday 08:00 in Hà Nội
    work = notices(mailbox.url)
    config = engine_config(clock)
    work.round(office, config)
    assert mailbox.to("binh@so-khcn.example.vn") == []
    clock.advance(timedelta(hours=8, minutes=59))  # 16:59
    work.round(office, config)
    assert mailbox.to("binh@so-khcn.example.vn") == []
    clock.advance(timedelta(minutes=2))  # 17:01
    work.round(office, config)
    work.round(office, config)
    (digest,) = mailbox.to("binh@so-khcn.example.vn")
    assert digest["Subject"] == "[Phê duyệt] Tổng hợp thông báo ngày 02/03/2026 (1 nội dung)"
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "1. Công việc mới" in text and "Bước xử lý: Review the proposal" in text


@pytest.mark.parametrize(
    ("login", "starttls", "error"),
    [
        (f"{USER}:{quote(PASSWORD)}", False, "does not offer STARTTLS"),
        (f"{USER}:sai-mat-khau", True, f"refused the login of '{USER}'"),
    ],
    ids=["no-starttls", "wrong-password"],
)
def test_mail__the_smtp_problem_is_recorded(
    office: Any,
    clock: ManualClock,
    mailbox: Mailbox,
    tls_mailbox: tuple[Mailbox, Path],
    login: str,
    starttls: bool,
    error: str,
) -> None:
    server, cert = tls_mailbox
    box = server if starttls else mailbox
    submit(office, clock)
    url = f"smtp://{login}@127.0.0.1:{box.port}?cafile={cert}"
    notices(url).round(office, engine_config(clock))
    rows = [r for r in mail_rows(office) if r.recipient == "binh"]
    assert rows[0].status == "pending" and error in (rows[0].last_error or "")
    assert box.received == []


def test_mail__starttls_and_the_login_deliver(
    office: Any,
    clock: ManualClock,
    tls_mailbox: tuple[Mailbox, Path],
) -> None:
    server, cert = tls_mailbox
    submit(office, clock)
    url = f"smtp://{USER}:{quote(PASSWORD)}@127.0.0.1:{server.port}?cafile={cert}"
    assert notices(url).round(office, engine_config(clock)).sent == 2
    assert len(server.to("binh@so-khcn.example.vn")) == 1


def test_mail__reminder_overdue_and_escalation_are_mailed_once_over_many_rounds(
    office: Any, clock: ManualClock, mailbox: Mailbox
) -> None:
    with transaction(office) as s:
        engine.add_group(s, "phong_a", "Phòng A", unit=True)
        engine.add_group(s, "phong_a.lanh_dao", "Lãnh đạo Phòng A")
        for person in ("binh", "dung"):
            engine.add_user(s, person, unit="phong_a")
        engine.add_user(s, "lan", display_name="Lê Lan", groups=["phong_a.lanh_dao"])
        engine.set_email(s, "lan", "lan@so-khcn.example.vn")
    item = submit(office, clock)
    with transaction(office) as s:
        due = engine.open_tasks(s, item)[0].due_at
    assert due is not None
    work = notices(mailbox.url)
    for moment in (due - timedelta(hours=2), due + timedelta(hours=1), due + timedelta(days=4)):
        clock.set(moment)
        work.round(office, engine_config(clock))
        work.round(office, engine_config(clock))
    subjects = sorted(m["Subject"].split(":")[0] for m in mailbox.to("binh@so-khcn.example.vn"))
    assert subjects == [
        "[Phê duyệt] Công việc mới",
        "[Phê duyệt] Quá hạn xử lý",
        "[Phê duyệt] Sắp đến hạn xử lý",
    ]
    (escalated,) = mailbox.to("lan@so-khcn.example.vn")
    assert escalated["Subject"] == (
        "[Phê duyệt] Báo cáo công việc quá hạn của Phòng A: Review the proposal – "
        "Đề xuất nhiệm vụ nấm"
    )
    text = escalated.get_body(("plain",)).get_content()
    assert "Đơn vị chậm xử lý: Phòng A" in text  # whom the leader is to chase


def lan_leads(factory: Any, units: dict[str, tuple[str, str]]) -> None:
    """Each unit (key: its name and the one person of it) has a leaders' group; Lê Lan, with
    an address, is in all of them."""
    with transaction(factory) as s:
        for key, (name, person) in units.items():
            engine.add_group(s, key, name, unit=True)
            engine.add_group(s, f"{key}.lanh_dao", f"Lãnh đạo {name}")
            engine.add_user(s, person, unit=key)
        engine.add_user(
            s, "lan", display_name="Lê Lan", groups=[f"{key}.lanh_dao" for key in units]
        )
        engine.set_email(s, "lan", "lan@so-khcn.example.vn")


def lead_two_units(factory: Any, clock: ManualClock) -> tuple[int, int]:
    """Lan leads Phòng A (binh) and Phòng B (dung); each holds one of two items' steps."""
    lan_leads(factory, {"phong_a": ("Phòng A", "binh"), "phong_b": ("Phòng B", "dung")})
    items = (submit(factory, clock), submit(factory, clock))
    with transaction(factory) as s:
        for item, person in zip(items, ("binh", "dung"), strict=True):
            engine.claim_task(s, engine_config(clock), engine.open_tasks(s, item)[0].id, person)
    return items


def test_mail__a_leader_of_two_units_tells_their_escalations_apart_by_the_subject(
    office: Any, clock: ManualClock, mailbox: Mailbox
) -> None:
    lead_two_units(office, clock)
    clock.advance(timedelta(days=10))
    notices(mailbox.url).round(office, engine_config(clock))
    subjects = sorted(m["Subject"] for m in mailbox.to("lan@so-khcn.example.vn"))
    assert subjects == [
        "[Phê duyệt] Báo cáo công việc quá hạn của Phòng A: Review the proposal – Đề xuất "
        "nhiệm vụ nấm",
        "[Phê duyệt] Báo cáo công việc quá hạn của Phòng B: Review the proposal – Đề xuất "
        "nhiệm vụ nấm",
    ]


def test_mail__a_digest_names_the_unit_late_with_each_escalation(
    office: Any, clock: ManualClock, mailbox: Mailbox
) -> None:
    lead_two_units(office, clock)
    with transaction(office) as s:
        engine.set_choice(s, "lan", "escalated", "digest")
        engine.set_digest_hour(s, "lan", 17)
    clock.advance(timedelta(days=10))  # a Thursday, 08:00 in Hà Nội
    work = notices(mailbox.url)
    work.round(office, engine_config(clock))
    assert mailbox.to("lan@so-khcn.example.vn") == []
    clock.advance(timedelta(hours=9, minutes=1))
    work.round(office, engine_config(clock))
    (digest,) = mailbox.to("lan@so-khcn.example.vn")
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    blocks = [b for b in text.split("\n\n") if "Báo cáo quá hạn" in b]
    assert sorted(b.split("Đơn vị chậm xử lý: ")[1].split("\n")[0] for b in blocks) == [
        "Phòng A",
        "Phòng B",
    ]


# A unit whose name holds ", ", after one that leaves room in the subject for "Phòng Kế hoạch"
# but not for the whole name.
COMMA = "Phòng Kế hoạch, Tài chính"
LONG = "Chi cục Tiêu chuẩn - Đo lường - Chất lượng tỉnh Lâm Đồng"


def test_mail__an_escalation_cuts_its_subject_on_whole_unit_names_even_with_a_comma(
    office: Any, clock: ManualClock, mailbox: Mailbox
) -> None:
    """The step waits for binh (of COMMA) and dung (of LONG): lan, who leads both, is told of
    both units; the subject shows LONG and "…", never "Phòng Kế hoạch" cut from its unit."""
    lan_leads(office, {"phong_khtc": (COMMA, "binh"), "chi_cuc": (LONG, "dung")})
    submit(office, clock)
    clock.advance(timedelta(days=10))
    notices(mailbox.url).round(office, engine_config(clock))
    (escalated,) = mailbox.to("lan@so-khcn.example.vn")
    assert escalated["Subject"] == (
        f"[Phê duyệt] Báo cáo công việc quá hạn của {LONG}; …: Review the proposal – "
        "Đề xuất nhiệm vụ nấm"
    )
    text = escalated.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"Đơn vị chậm xử lý: {LONG}; {COMMA}" in text
    (row,) = [r for r in mail_rows(office) if r.event == "escalated"]
    # The bell shows the text (names apart by ";" where one has a comma); the list keeps each
    # name whole.
    assert (row.units, NotificationItem.of(row).reason) == ([LONG, COMMA], f"{LONG}; {COMMA}")


def test_mail__escalations_stored_before_0024_are_mailed_as_before(
    deployed: Any, office: Any, clock: ManualClock, mailbox: Mailbox
) -> None:
    """An escalation written with its units as text alone gets their list from the upgrade,
    split as the mail read it then: its subject is cut after the names that fit, as before."""
    many = ", ".join(f"Phòng Quản lý chuyên ngành số {n}" for n in range(1, 6))
    with transaction(office) as s:
        engine.add_user(s, "lan", display_name="Lê Lan")
        engine.set_email(s, "lan", "lan@so-khcn.example.vn")
    db = deployed.kw["bind"]
    downgrade(db, "0023")
    old = sa.table(
        "notifications",
        *(sa.column(c) for c in ("recipient", "event", "dedupe_key", "title", "step", "reason")),
        *(sa.column(c) for c in ("status", "attempts")),
        *(sa.column(c, UTCDateTime()) for c in ("created_at", "next_attempt_at")),
    )
    with db.begin() as connection:
        for key, reason in (("many", many), ("none", None)):
            connection.execute(
                old.insert().values(
                    recipient="lan",
                    event="escalated",
                    dedupe_key=f"escalated:{key}",
                    title="Đề xuất nhiệm vụ nấm",
                    step="Review the proposal",
                    reason=reason,
                    status="pending",
                    attempts=0,
                    created_at=clock(),
                    next_attempt_at=clock(),
                )
            )
    engine.upgrade_database(db)
    assert {r.dedupe_key: r.units for r in mail_rows(office)} == {
        "escalated:many": many.split(", "),
        "escalated:none": None,
    }
    assert notices(mailbox.url).round(office, engine_config(clock)).sent == 2
    assert sorted(m["Subject"] for m in mailbox.to("lan@so-khcn.example.vn")) == [
        "[Phê duyệt] Báo cáo công việc quá hạn của Phòng Quản lý chuyên ngành số 1, Phòng Quản "
        "lý chuyên ngành số 2, …: Review the proposal – Đề xuất nhiệm vụ nấm",
        "[Phê duyệt] Báo cáo công việc quá hạn: Review the proposal – Đề xuất nhiệm vụ nấm",
    ]


def run(url: str, *args: str, code: int = 0, env: dict[str, str] | None = None) -> Any:
    result = CliRunner().invoke(main, list(args), env={"PHEDUYET_DATABASE_URL": url, **(env or {})})
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return result


def test_cli_notify__email_test_mail_and_list(sqlite_url: str, mailbox: Mailbox) -> None:
    run(sqlite_url, "db", "upgrade")
    run(sqlite_url, "users", "add", "hoa", "--name", "Trần Hoa", "--email", "hoa@so.example.vn")
    env = {"PHEDUYET_SMTP_URL": mailbox.url, "PHEDUYET_MAIL_FROM": FROM}
    assert "hoa@so.example.vn" in run(sqlite_url, "notify", "test", "hoa", env=env).stdout
    (test,) = mailbox.to("hoa@so.example.vn")
    assert test["Subject"] == "[Phê duyệt] Thư thử nghiệm"
    run(sqlite_url, "users", "email", "hoa", "hoa.moi@so.example.vn", "--locale", "en")
    run(sqlite_url, "notify", "test", "hoa", env=env)
    assert mailbox.to("hoa.moi@so.example.vn")[0]["Subject"] == "[Phê duyệt] Test message"
    refused = run(sqlite_url, "users", "email", "hoa", "không phải địa chỉ", code=6)
    assert "not an email address" in refused.stderr
    mailbox.stop()
    down = run(sqlite_url, "notify", "test", "hoa", env=env, code=1)
    assert f"cannot talk to the mail server 127.0.0.1:{mailbox.port}" in down.stderr
    assert json.loads(run(sqlite_url, "notify", "list", "--failed", "--json").stdout) == []


def test_mail__two_workers_at_once_send_each_message_once(
    office: Any, clock: ManualClock, mailbox: Mailbox
) -> None:
    with transaction(office) as s:
        for n in range(12):
            engine.add_user(s, f"cv{n}", groups=["heads"])
            engine.set_email(s, f"cv{n}", f"cv{n}@so-khcn.example.vn")
    submit(office, clock)
    settings = MailSettings(SmtpSettings.from_url(mailbox.url), FROM, BASE)
    config = engine_config(clock)
    send = sender(settings, config.timezone, clock)
    start = threading.Barrier(2)

    def work() -> engine.MailRound:
        start.wait(10)
        return engine.deliver_mail(
            office, clock, send, zone=config.timezone, domain=settings.domain, limit=5
        )

    with ThreadPoolExecutor(2) as pool:
        rounds = [pool.submit(work) for _ in range(2)]
        sent = sum(r.result().sent for r in rounds)
    while (more := work_alone(office, clock, send, settings)) > 0:
        sent += more
    assert sent == 14  # binh, dung and the twelve
    recipients = [r for rcpt, _m in mailbox.received for r in rcpt]
    assert len(recipients) == len(set(recipients)) == 14


def work_alone(factory: Any, clock: ManualClock, send: Any, settings: MailSettings) -> int:
    return engine.deliver_mail(
        factory, clock, send, zone=engine_config(clock).timezone, domain=settings.domain
    ).sent


def test_mail__a_person_locked_since_is_mailed_nothing(
    office: Any, clock: ManualClock, mailbox: Mailbox
) -> None:
    submit(office, clock)
    with transaction(office) as s:
        engine.set_active(s, "dung", False)
    assert notices(mailbox.url).round(office, engine_config(clock)).sent == 1
    assert mailbox.to("dung@so-khcn.example.vn") == []
    assert {r.recipient: r.status for r in mail_rows(office)}["dung"] == "off"


def test_mail__pheduyet_worker_mails_a_new_task_with_the_settings_of_its_environment(
    office: Any,
    clock: ManualClock,
    mailbox: Mailbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What an installation runs: `pheduyet worker`'s round, configured by PHEDUYET_SMTP_URL,
    PHEDUYET_MAIL_FROM and PHEDUYET_BASE_URL alone, mails each candidate of a new task once."""
    from cli.worker import Worker

    monkeypatch.setenv("PHEDUYET_SMTP_URL", mailbox.url)
    monkeypatch.setenv("PHEDUYET_MAIL_FROM", FROM)
    monkeypatch.setenv("PHEDUYET_BASE_URL", BASE)
    submit(office, clock)
    worker = Worker(office, engine_config(clock), tmp_path)
    worker.round()
    worker.round()
    assert sorted(r for rcpt, _m in mailbox.received for r in rcpt) == [
        "binh@so-khcn.example.vn",
        "dung@so-khcn.example.vn",
    ]
    (mail,) = mailbox.to("binh@so-khcn.example.vn")
    assert "pheduyet@so-khcn.example.vn" in mail["From"]
    task_id = next(r.task_id for r in mail_rows(office) if r.recipient == "binh")
    text = mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"{BASE}/tasks/{task_id}" in text


def test_cli_notify__failed_mail_is_listed_and_sent_again_by_retry(
    sqlite_url: str, sqlite_factory: Any, clock: ManualClock, mailbox: Mailbox
) -> None:
    """`pheduyet notify list --failed` shows the mail whose retries ran out, with the error;
    `pheduyet notify retry ID…` queues it again and the next round delivers it."""
    from tests.conftest import add_people, fixture_files

    add_people(sqlite_factory)
    with transaction(sqlite_factory) as s:
        engine.deploy(s, fixture_files("spiff", "camunda"), clock)
        engine.set_email(s, "binh", "binh@so-khcn.example.vn")
    factory = engine.bind_listeners(sqlite_factory, event_listeners())
    mailbox.stop()
    submit(factory, clock)
    notices(mailbox.url, RetryPolicy(max_attempts=1)).round(factory, engine_config(clock))
    (failed,) = json.loads(run(sqlite_url, "notify", "list", "--failed", "--json").stdout)
    assert (failed["recipient"], failed["status"]) == ("binh", "failed")
    assert "cannot talk to the mail server" in failed["last_error"]
    assert (
        "1 failed message(s) queued again"
        in run(sqlite_url, "notify", "retry", str(failed["id"])).stdout
    )
    assert json.loads(run(sqlite_url, "notify", "list", "--failed", "--json").stdout) == []
    mailbox.start()
    clock.advance(engine.system_clock() - clock())  # the command queues it at the real now
    notices(mailbox.url).round(factory, engine_config(clock))
    (again,) = [r for r in mail_rows(factory) if r.id == failed["id"]]
    assert (again.status, again.last_error) == ("sent", None)
    assert again.message_id in {m["Message-ID"] for m in mailbox.to("binh@so-khcn.example.vn")}
