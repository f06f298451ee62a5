"""Quản trị: deploying diagrams, processes and versions, people, units and groups."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/processes")
@login_required  # type: ignore[misc]
def processes() -> str:
    return render_template("admin/processes.html")
