"""Quản trị → Webhook: the addresses other systems gave us to hear of items and tasks, the event
types each listens to, and the delivery log (engine.webhooks; the worker sends). Admins only, as
every page of Quản trị."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

import engine

from .admin import admins_only
from .extensions import gettext as _
from .unit_of_work import me, now, uow

bp = Blueprint("admin_webhooks", __name__, url_prefix="/admin/webhooks")

Page = tuple[str, int]
LOG_PAGE = 50

# Event types in the administrators' words, in engine.WEBHOOK_EVENTS's order.
EVENT_LABELS = {
    "item.started": _l("Hồ sơ được tạo"),
    "item.finished": _l("Hồ sơ hoàn thành"),
    "item.cancelled": _l("Hồ sơ bị hủy"),
    "item.error": _l("Hồ sơ gặp lỗi"),
    "task.created": _l("Có việc mới"),
    "task.completed": _l("Một bước được xử lý xong (kèm ý kiến)"),
    "task.claimed": _l("Việc được nhận xử lý"),
    "task.released": _l("Việc được trả về nhóm"),
    "task.assigned": _l("Việc được chuyển cho người khác"),
}
STATUS_LABELS = {
    engine.DeliveryStatus.PENDING: _l("Đang chờ gửi"),
    engine.DeliveryStatus.SENT: _l("Đã gửi"),
    engine.DeliveryStatus.FAILED: _l("Gửi không được"),
}


bp.before_request(admins_only)


@bp.get("/")
def hooks() -> Page:
    return _page()


@bp.post("/")
def add() -> Response | Page:
    url = request.form.get("url", "").strip()
    types = request.form.getlist("event_types")
    secret = request.form.get("secret", "").strip() or None
    active = bool(request.form.get("active"))
    entered = {"url": url, "event_types": types, "active": active}
    try:
        with uow() as session:
            made = engine.add_webhook(
                session, now(), url, types, secret=secret, active=active, created_by=me().username
            )
    except engine.InvalidInput as exc:
        return _page(_refusal(exc), entered)
    # The secret is shown on this answer only (never in a flash message, which travels in the
    # session cookie), and the page is not kept by the browser.
    page, status = _page(created=made)
    return Response(page, status, headers={"Cache-Control": "no-store"})


@bp.post("/<int:webhook_id>/active")
def set_active(webhook_id: int) -> Response:
    active = request.form.get("active") == "1"
    with uow() as session:
        hook = engine.set_webhook_active(session, webhook_id, active)
    if active:
        flash(_("Đã bật địa chỉ nhận %(url)s.", url=hook.url), "success")
    else:
        flash(
            _("Đã tắt địa chỉ nhận %(url)s: sự kiện mới không gửi đến đó nữa.", url=hook.url),
            "success",
        )
    return redirect(url_for("admin_webhooks.hooks"))


@bp.post("/<int:webhook_id>/remove")
def remove(webhook_id: int) -> Response:
    with uow() as session:
        engine.remove_webhook(session, webhook_id)
    flash(_("Đã xóa địa chỉ nhận cùng nhật ký gửi của nó."), "success")
    return redirect(url_for("admin_webhooks.hooks"))


@bp.post("/deliveries/<int:delivery_id>/retry")
def retry(delivery_id: int) -> Response:
    with uow() as session:
        engine.retry_delivery(session, delivery_id, now())
    flash(_("Sự kiện sẽ được gửi lại trong lượt chạy nền kế tiếp."), "success")
    return redirect(url_for("admin_webhooks.hooks"))


def _refusal(exc: engine.InvalidInput) -> str:
    reason = exc.details.get("reason")
    limit = exc.details.get("limit")
    if reason == "webhook_url_length":
        return _("Địa chỉ phải có từ 1 đến %(limit)s ký tự.", limit=limit)
    if reason == "webhook_url_characters":
        return _("Địa chỉ không được chứa dấu cách hay ký tự điều khiển.")
    if reason == "webhook_url_scheme":
        return _("Địa chỉ phải bắt đầu bằng http:// hoặc https://.")
    if reason == "webhook_url_credentials":
        return _(
            "Địa chỉ không được chứa tên đăng nhập hay mật khẩu (dạng ten:matkhau@); "
            "hệ thống nhận kiểm tra chữ ký của từng sự kiện thay cho mật khẩu."
        )
    if reason == "webhook_secret_length":
        return _(
            "Khóa bí mật phải có từ %(min)s đến %(limit)s ký tự (chữ, số, dấu).",
            min=exc.details.get("min"),
            limit=limit,
        )
    if reason in {"webhook_no_event_type", "webhook_event_type"}:
        return _("Hãy chọn ít nhất một loại sự kiện trong danh sách.")
    return _("Địa chỉ phải có tên máy chủ hợp lệ, ví dụ https://he-thong.tinh.gov.vn/su-kien.")


def _page(
    problem: str | None = None,
    entered: dict[str, Any] | None = None,
    created: engine.NewWebhook | None = None,
) -> Page:
    after = request.args.get("after", type=int)
    with uow(write=False) as session:
        hooks = engine.list_webhooks(session)
        log = engine.list_deliveries(session, before=after, limit=LOG_PAGE + 1)
    return render_template(
        "admin/webhooks.html",
        hooks=hooks,
        log=log[:LOG_PAGE],
        next_cursor=log[LOG_PAGE - 1].id if len(log) > LOG_PAGE else None,
        paged=after is not None,
        events=EVENT_LABELS,
        statuses=STATUS_LABELS,
        problem=problem,
        entered=entered or {"event_types": [], "active": True},
        created=created,
    ), 422 if problem else 200
