"""Việc cần xử lý: my tasks and my groups' tasks, and acting on one."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

import engine

from .unit_of_work import me, uow

bp = Blueprint("inbox", __name__)


@bp.get("/")
@login_required  # type: ignore[misc]
def index() -> str:
    with uow() as s:
        tasks = engine.tasks_for(s, me().username)
    return render_template("inbox/index.html", tasks=tasks)
