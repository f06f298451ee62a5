"""Theo dõi: where every item is stuck, for managers and inspectors."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("monitor", __name__, url_prefix="/monitor")


@bp.get("/")
@login_required  # type: ignore[misc]
def index() -> str:
    return render_template("monitor/index.html")
