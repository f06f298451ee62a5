"""Quản trị → Cơ quan bên ngoài: the registry of outside bodies a plan may name (other sở, the
UBND and its office, funds, groups of bodies), with their other spellings. The plan importer
recognises them (workflows/plan_units.py); nothing routes tasks to them. Admins only, as every
page of Quản trị."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import engine
from workflows.plan_units import ensure_outside_bodies, outside_bodies_of

from .admin import admins_only
from .extensions import gettext as _
from .unit_of_work import uow

bp = Blueprint("admin_bodies", __name__, url_prefix="/admin/bodies")

MAX_NAME = 300
Page = tuple[str, int]


# Quản trị's own rule: administrators only, others 403, strangers to the login page.
bp.before_request(admins_only)


@bp.get("/")
def bodies() -> Page:
    return _page()


@bp.post("/")
def save() -> Response | Page:
    replacing = request.form.get("replacing", "").strip() or None
    name = " ".join(request.form.get("name", "").split())
    aliases = tuple(
        " ".join(line.split())
        for line in request.form.get("aliases", "").splitlines()
        if line.strip()
    )
    collective = bool(request.form.get("collective"))
    entered = {"name": name, "aliases": "\n".join(aliases), "collective": collective}
    if not name:
        return _page(_("Hãy nhập tên cơ quan."), entered, replacing)
    if len(name) > MAX_NAME or any(len(a) > MAX_NAME for a in aliases):
        return _page(_("Tên và mỗi cách viết khác tối đa 300 ký tự."), entered, replacing)
    try:
        with uow() as session:
            # The first edit copies the shipped list in: from then on the database is the list.
            ensure_outside_bodies(session)
            engine.save_outside_body(
                session, engine.OutsideBody(name, aliases, collective), replacing=replacing
            )
    except engine.Conflict:
        return _page(
            _("Đã có cơ quan tên “%(name)s”; hãy sửa ở dòng của cơ quan đó.", name=name),
            entered,
            replacing,
        )
    except engine.NotFound:
        return _page(_("Cơ quan “%(name)s” không còn trong danh sách.", name=replacing), entered)
    except engine.InvalidInput:
        return _page(
            _("Tên hoặc cách viết khác có ký tự không hợp lệ (ký tự điều khiển, quá nhiều dấu)."),
            entered,
            replacing,
        )
    if replacing:
        flash(_("Đã lưu cơ quan “%(name)s”.", name=name), "success")
    else:
        flash(_("Đã thêm cơ quan “%(name)s”.", name=name), "success")
    return redirect(url_for("admin_bodies.bodies"))


def _page(
    problem: str | None = None, entered: dict[str, Any] | None = None, editing: str | None = None
) -> Page:
    with uow(write=False) as session:
        rows = outside_bodies_of(session)
    return render_template(
        "admin/bodies.html",
        rows=rows,
        problem=problem,
        entered=entered or {},
        editing=editing,
    ), 422 if problem else 200
