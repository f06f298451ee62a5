"""Files from the command line: a drafting step that needs its draft is completed with
`complete --attach`, an item takes files with `attachments add`, and `attachments list` shows them;
each refusal leaves neither a row nor a file in the upload folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.form_models import steps_model
from tests.integration.test_cli__contract import Cli
from tests.office import DRAFT_PDF

DRAFT_FORM = {
    "type": "object",
    "required": ["trich_yeu"],
    "properties": {"trich_yeu": {"type": "string", "title": "Trích yếu"}},
    "x-attachment-required": "Hãy đính kèm dự thảo tờ trình",
}


@pytest.fixture
def cli(sqlite_url: str, tmp_path: Path) -> Cli:
    run = Cli(sqlite_url)
    run.env["PHEDUYET_UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    models = tmp_path / "models"
    models.mkdir()
    for source in steps_model("to_trinh", [("soan", "Soạn thảo tờ trình", DRAFT_FORM)]):
        (models / source.name).write_bytes(source.content)
    run("db", "upgrade")
    run("deploy", str(models))
    run("users", "add", "an", "--name", "Nguyễn Văn An")
    run("users", "add", "binh", "--name", "Trần Bình")
    return run


def _files(tmp_path: Path) -> list[str]:
    folder = tmp_path / "uploads"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _started(cli: Cli) -> tuple[int, str]:
    item = cli.json("start", "to_trinh", "--as", "an", "--title", "Tờ trình thử")
    [task] = item["open_tasks"]
    return item["id"], task["id"]


def _written(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_cli__a_drafting_step_is_completed_with_its_draft(cli: Cli, tmp_path: Path) -> None:
    item, task = _started(cli)
    data = '{"trich_yeu": "Về việc thử"}'
    refused = cli.json("complete", task, "--as", "an", "--data", data, code=6)
    assert refused["error"]["fields"] == {"_attachments": "Hãy đính kèm dự thảo tờ trình"}

    draft = _written(tmp_path, "Dự thảo tờ trình.pdf", DRAFT_PDF)
    done = cli.json("complete", task, "--as", "an", "--data", data, "--attach", draft)
    assert done["status"] == "completed"
    [kept] = cli.json("attachments", "list", str(item))
    assert (kept["filename"], kept["task_id"], kept["uploaded_by"]) == (
        "Dự thảo tờ trình.pdf",
        task,
        "an",
    )
    assert len(_files(tmp_path)) == 1
    table = cli("attachments", "list", str(item)).stdout
    assert "Dự thảo tờ trình.pdf" in table and "application/pdf" in table


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("chay.exe", b"MZ...", "files of type '.exe' are not accepted"),
        ("du_thao.pdf", b"", "the file is empty"),
        ("du_thao.pdf", b"not a pdf at all", "content"),
    ],
)
def test_cli__a_refused_file_leaves_the_step_open_and_no_file(
    cli: Cli, tmp_path: Path, name: str, content: bytes, words: str
) -> None:
    item, task = _started(cli)
    good = _written(tmp_path, "good.pdf", DRAFT_PDF)
    bad = _written(tmp_path, name, content)
    data = '{"trich_yeu": "Về việc thử"}'
    refused = cli.json(
        "complete", task, "--as", "an", "--data", data, "--attach", good, "--attach", bad, code=6
    )
    assert words in refused["error"]["message"]
    assert cli.json("attachments", "list", str(item)) == []
    assert _files(tmp_path) == []  # the good file, stored first, went with the rollback
    [still] = cli.json("tasks", "--instance", str(item))
    assert still["id"] == task


def test_cli__attachments_add_follows_the_pages_rules(cli: Cli, tmp_path: Path) -> None:
    item, task = _started(cli)
    draft = _written(tmp_path, "phu_luc.pdf", DRAFT_PDF)

    stranger = cli.json("attachments", "add", str(item), draft, "--as", "binh", code=4)
    assert stranger["error"]["code"] == "forbidden"
    missing = cli.json("attachments", "add", "999", draft, "--as", "an", code=3)
    assert missing["error"]["code"] == "not_found"
    not_its_step = cli.json(
        "attachments", "add", str(item), draft, "--as", "an", "--task", "x", code=3
    )
    assert not_its_step["error"]["reason"] == "task_not_found"
    assert _files(tmp_path) == []

    added: list[dict[str, Any]] = cli.json("attachments", "add", str(item), draft, "--as", "an")
    assert [(a["filename"], a["task_id"]) for a in added] == [("phu_luc.pdf", None)]
    said = cli("attachments", "add", str(item), draft, "--as", "an", "--task", task).stdout
    assert "1 file(s) added to item" in said
    assert len(cli.json("attachments", "list", str(item))) == 2
    cli("attachments", "add", str(item), str(tmp_path / "none.pdf"), "--as", "an", code=2)


def test_cli__files_committed_stay_when_saying_so_fails(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the rows are committed the files are theirs: a failure to print (a closed pipe, a
    full disk) must not remove them."""
    import cli.attachments as module

    item, _task = _started(cli)
    draft = _written(tmp_path, "phu_luc.pdf", DRAFT_PDF)

    def broken(*_args: Any) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(module, "_print", broken)
    cli("attachments", "add", str(item), draft, "--as", "an", code=1)
    monkeypatch.undo()
    [kept] = cli.json("attachments", "list", str(item))
    assert kept["filename"] == "phu_luc.pdf" and len(_files(tmp_path)) == 1
