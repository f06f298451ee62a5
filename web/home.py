"""The start page: deployed processes and the open tasks (until the full UI arrives)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

import engine

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    factory = current_app.extensions["pheduyet.sessions"]
    with engine.transaction(factory) as session:
        processes = engine.list_processes(session)
        tasks = engine.open_tasks(session)
    return render_template("home.html", processes=processes, tasks=tasks)
