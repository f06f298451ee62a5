"""One handler per kind of error: a plain page in the user's language with a way back; never a
stack trace. Engine errors keep their meaning (404, 403, 409, 422)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

import engine

from .definition_refusals import refusal_place, refusal_words
from .extensions import gettext as _
from .formatting import datetime_vn
from .unit_of_work import me, uow
from .wording import Names

log = logging.getLogger(__name__)

STATUS = {
    engine.NotFound: 404,
    engine.Forbidden: 403,
    engine.Conflict: 409,
    engine.InvalidInput: 422,
}


def _page(status: int, title: str, message: str) -> tuple[str, int]:
    referrer = request.referrer
    same_site = referrer and urlsplit(referrer).netloc == request.host
    back = referrer if same_site and not urlsplit(referrer).path.startswith("//") else None
    return render_template("errors/error.html", title=title, message=message, back=back), status


def init_app(app: Flask) -> None:
    @app.errorhandler(engine.EngineError)
    def engine_error(error: engine.EngineError) -> tuple[str, int]:
        status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 400)
        titles = {
            404: _("Không tìm thấy"),
            403: _("Không có quyền"),
            409: _("Đã có người xử lý"),
            422: _("Dữ liệu không hợp lệ"),
        }
        return _page(status, titles.get(status, _("Không thực hiện được")), explain(error))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return _page(
            400,
            _("Phiên làm việc đã hết hạn"),
            _("Biểu mẫu đã cũ hoặc không hợp lệ. Hãy tải lại trang và thử lại."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        messages = {
            404: (_("Không tìm thấy"), _("Trang hoặc hồ sơ này không tồn tại.")),
            403: (_("Không có quyền"), _("Bạn không có quyền xem trang này.")),
            405: (_("Không thực hiện được"), _("Thao tác này không được phép.")),
            413: (
                _("Tệp quá lớn"),
                _(
                    "Tệp đính kèm vượt quá dung lượng cho phép: tối đa %(mb)s MB một lần gửi. "
                    "Hãy quay lại, chọn tệp nhỏ hơn rồi gửi lại.",
                    mb=current_app.config["MAX_ATTACHMENT_BYTES"] // (1024 * 1024),
                ),
            ),
        }
        title, message = messages.get(code, (_("Không thực hiện được"), _("Yêu cầu không hợp lệ.")))
        return _page(code, title, message)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return _page(
            500,
            _("Đã xảy ra lỗi"),
            _(
                "Xin lỗi, hệ thống gặp sự cố. Việc của bạn chưa được ghi nhận; "
                "hãy thử lại sau hoặc báo quản trị viên."
            ),
        )


def explain(error: engine.EngineError) -> str:
    """The engine's message in the user's language where we know its kind."""
    details = error.details
    if isinstance(error, engine.Conflict) and details.get("reason") == "already_handled":
        at = _moment(details.get("handled_at"))
        if _is_me(str(details["handled_by"])):  # a double click, or a second tab
            return _("Bạn đã xử lý việc này lúc %(at)s; lần gửi sau không được ghi thêm.", at=at)
        return _(
            "Việc này đã được %(who)s xử lý lúc %(at)s. Thông tin bạn nhập chưa được ghi.",
            who=_person(str(details["handled_by"])),
            at=at,
        )
    if isinstance(error, engine.Conflict) and details.get("reason") == "signal_loop":
        return _(
            "Các quy trình gửi tín hiệu cho nhau không dứt nên thao tác không được thực hiện; "
            "hãy báo quản trị viên sửa sơ đồ."
        )
    if isinstance(error, engine.Conflict) and details.get("reason") == "item_not_running":
        return _("Hồ sơ này đã kết thúc hoặc đã bị hủy: không xử lý thêm được.")
    if isinstance(error, engine.Conflict):
        return _("Hồ sơ đã thay đổi hoặc việc này không còn chờ xử lý. Hãy tải lại trang.")
    if isinstance(error, engine.NotFound):
        return _("Hồ sơ, việc hoặc tệp này không tồn tại, hoặc bạn không được xem.")
    if isinstance(error, engine.Forbidden) and details.get("reason") == "not_a_colleague":
        return _("Hãy chọn người nhận trong danh sách.")
    if isinstance(error, engine.Forbidden) and details.get("reason") == "cancel_issued":
        return _(
            "Hồ sơ đã có văn bản được cấp số (%(numbers)s) nên chỉ quản trị viên được hủy. Nếu "
            "cần thu hồi văn bản, hãy báo Văn phòng và quản trị viên.",
            numbers=details.get("numbers") or "",
        )
    if isinstance(error, engine.Forbidden) and details.get("reason") == "not_a_starter":
        # camunda:candidateStarterGroups/Users name who may start the process.
        return _("Bạn không có quyền khởi tạo hồ sơ theo quy trình này.")
    if isinstance(error, engine.Forbidden):
        return _("Việc này không thuộc quyền xử lý của bạn.")
    if isinstance(error, engine.InvalidDefinition):
        place = refusal_place(error)
        if place:
            return _(
                "Tệp quy trình bị từ chối (%(where)s): %(why)s",
                where=place,
                why=refusal_words(error),
            )
        return _("Tệp quy trình bị từ chối: %(why)s", why=refusal_words(error))
    if isinstance(error, engine.ScriptError):
        # The details (an expression, a Python error) are for the administrator's log.
        log.warning("script error: %s", error.message)
        step = details.get("step")
        if step and details.get("reason") == "data_too_large":
            return _(
                "Dữ liệu của hồ sơ vượt quá dung lượng cho phép ở bước «%(step)s». Thông tin bạn "
                "nhập chưa được ghi; hãy báo quản trị viên.",
                step=step,
            )
        if step and details.get("reason") == "unstorable_value":
            return _(
                "Bước «%(step)s» tạo ra giá trị kiểu %(kind)s, không lưu được vào hồ sơ. Thông "
                "tin bạn nhập chưa được ghi; hãy báo quản trị viên.",
                step=step,
                kind=details.get("value_type") or "?",
            )
        # The element id is a name in the diagram's file, not something a person can act on.
        return _(
            "Quy trình gặp lỗi nên bước này chưa thực hiện được. Thông tin bạn nhập chưa được "
            "ghi; hãy báo quản trị viên."
        )
    if details.get("reason") == "invalid_name":
        return _name_problem(details)
    return _known_input_error(error)


def _name_problem(details: dict[str, Any]) -> str:
    """A refused name (engine/names.py), by its field and problem."""
    fields = {
        "username": _("Tên đăng nhập"),
        "display_name": _("Họ tên"),
        "unit": _("Mã đơn vị"),
        "group": _("Mã nhóm"),
        "group_key": _("Mã nhóm"),
        "group_name": _("Tên nhóm"),
    }
    field = fields.get(str(details.get("field")), _("Tên"))
    problem = details.get("problem")
    if problem == "too_long":
        return _("%(field)s dài quá %(n)s ký tự.", field=field, n=details.get("limit"))
    if problem == "bidi_control":
        return _(
            "%(field)s có ký tự ẩn làm đảo chiều chữ (có thể dùng để giả mạo tên), không "
            "được chấp nhận.",
            field=field,
        )
    if problem == "combining_marks":
        return _("%(field)s có quá nhiều dấu chồng lên một chữ.", field=field)
    return _(
        "%(field)s có ký tự điều khiển (như ký tự NUL hoặc xuống dòng), không được chấp nhận.",
        field=field,
    )


def _is_me(username: str) -> bool:
    """Whether the person logged in is `username` (told of their own action, not in the third
    person)."""
    return has_request_context() and current_user.is_authenticated and me().username == username


def _person(username: str) -> str:
    with uow() as session:
        return Names.load(session).person(username)


def _moment(value: Any) -> str:
    try:
        return datetime_vn(datetime.fromisoformat(str(value)))
    except ValueError:
        return str(value or "")


def _known_input_error(error: engine.EngineError) -> str:
    """The engine's refusals of plain input, in Vietnamese, by their reason."""
    reason = error.details.get("reason")
    known = {
        "title_too_long": _("Tiêu đề quá dài (tối đa %(n)s ký tự).", n=error.details.get("limit")),
        "title_empty": _("Tiêu đề không được để trống."),
        "comment_too_long": _("Ý kiến quá dài."),
        "reason_required": _("Hãy nêu lý do."),
        "password_too_short": _(
            "Mật khẩu cần ít nhất %(n)s ký tự.", n=error.details.get("minimum")
        ),
        "nul_character": _("Dữ liệu có ký tự không hợp lệ."),
    }
    if reason in known:
        return known[str(reason)]
    log.info("input refused: %s", error.message)  # the engine's words, for the log only
    return _("Dữ liệu không hợp lệ; hãy kiểm tra lại.")
