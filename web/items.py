"""Items: starting one (Tạo mới), mine (Hồ sơ của tôi), one item's page."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("items", __name__, url_prefix="/items")


@bp.get("/new")
@login_required  # type: ignore[misc]
def new() -> str:
    return render_template("items/new.html")


@bp.get("/")
@login_required  # type: ignore[misc]
def mine() -> str:
    return render_template("items/mine.html")
