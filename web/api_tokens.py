"""Mã truy cập API: a person makes, sees and revokes their own personal access tokens for the
JSON API (/api/v1). A new token's text is shown once, on the answer to the form that made it
(never through a flash message: those travel in the session cookie)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

import engine

from .extensions import gettext as _
from .unit_of_work import end_request_read, me, now, uow

bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")

Page = tuple[str, int]
EXPIRY_DAYS = (30, 90, 365)
_EXPIRY_CHOICES = frozenset({"", *(str(days) for days in EXPIRY_DAYS)})


def _refusal(error: engine.InvalidInput) -> str:
    reason = error.details.get("reason")
    if reason == "too_many_tokens":
        return _(
            "Mỗi người giữ tối đa %(n)s mã đang dùng; hãy thu hồi bớt mã cũ.",
            n=error.details.get("limit"),
        )
    if reason == "token_name_required":
        return _("Hãy đặt tên cho mã (ví dụ: tên chương trình sẽ dùng mã).")
    if reason == "invalid_name":
        return _("Tên mã quá dài (tối đa 100 ký tự) hoặc có ký tự không hợp lệ.")
    return _("Dữ liệu không hợp lệ; hãy kiểm tra lại.")


def _page(
    created: engine.NewApiToken | None = None,
    problem: str | None = None,
    status: int = 200,
    typed: tuple[str, str] = ("", "read"),
) -> Page:
    """The page; after a refusal, `typed` (the name and the rights asked) fills the form again."""
    moment = now()
    with uow(write=False) as s:
        tokens = engine.list_api_tokens(s, me().username)
    return render_template(
        "auth/tokens.html",
        tokens=[(t, t.state(moment)) for t in tokens],
        created=created,
        problem=problem,
        typed_name=typed[0],
        typed_scope=typed[1],
        expiry_days=EXPIRY_DAYS,
        docs_url=url_for("api.docs"),
    ), status


@bp.get("/")
@login_required  # type: ignore[misc]
def tokens() -> Page:
    return _page()


@bp.post("/")
@login_required  # type: ignore[misc]
def create() -> Page:
    name = " ".join(request.form.get("ten", "").split())
    scope = "write" if request.form.get("pham_vi") == "write" else "read"
    days_text = request.form.get("thoi_han", "")
    if days_text not in _EXPIRY_CHOICES:  # a choice of the list; "" is "Không hết hạn"
        problem = _("Hãy chọn thời hạn của mã trong danh sách.")
        return _page(problem=problem, status=422, typed=(name, scope))
    days = int(days_text) if days_text else None
    try:
        with uow() as s:
            made = engine.create_api_token(
                s, me().username, name, now(), scope=scope, expires_days=days
            )
    except engine.InvalidInput as error:
        return _page(problem=_refusal(error), status=422, typed=(name, scope))
    # The request's read snapshot (the login's) predates the new token: the list reads anew.
    end_request_read()
    return _page(created=made)


@bp.post("/<int(max=2147483647):token_id>/revoke")
@login_required  # type: ignore[misc]
def revoke(token_id: int) -> Response:
    with uow() as s:
        token = engine.revoke_api_token(s, me().username, token_id, now())
    flash(_("Đã thu hồi mã “%(name)s”.", name=token.name), "success")
    return redirect(url_for("api_tokens.tokens"), 303)
