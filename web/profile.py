"""Thông tin cá nhân: a person's own page (the mail's footer sends people here): their email
address, the language of their mail (the app's too, once saved), the hour of their daily digest
and, per event, how its mail reaches them (engine.notifications). The escalation of an overdue
task is always sent, and offered only to whom it can reach (engine.choosable_events_of: a unit's
leaders, the department's). Everything is saved in one transaction: a refused value changes
nothing.

Đổi mật khẩu, on the same page, is checked as a login is (web/auth.py): the attempt counts
against the login limits first, so the current password cannot be guessed here; Argon2 runs
outside any transaction; a change ends every other copy of the person's login and keeps this
one."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user
from werkzeug.wrappers import Response

import engine

from .auth import WebUser, check_password
from .bell import event_label
from .extensions import LOCALES
from .extensions import gettext as _
from .security import login_policy, start_session
from .unit_of_work import config, me, now, uow

bp = Blueprint("profile", __name__, url_prefix="/account")

Page = tuple[str, int]
PageWithHeaders = tuple[str, int, dict[str, str]]
_OFFERED = "pheduyet_offered_events"

# What each event is, in a line under its name (the page lists engine.choosable_events_of).
EVENT_HINTS = {
    "new_task": _l("Có việc chuyển đến bạn hoặc nhóm, đơn vị của bạn; việc được chuyển cho bạn."),
    "returned": _l("Hồ sơ bị trả lại để bạn xem xét, bổ sung (kèm lý do)."),
    "reminder": _l("Việc bạn đang giữ sắp đến hạn xử lý."),
    "overdue": _l("Việc bạn đang giữ đã quá hạn xử lý."),
    "escalated": _l("Việc của đơn vị do bạn phụ trách đã quá hạn lâu (gửi lãnh đạo đơn vị)."),
    "urged": _l(
        "Lãnh đạo Sở đôn đốc việc quá hạn của đơn vị bạn (gửi người đang giữ việc và lãnh đạo "
        "đơn vị, kèm nội dung đôn đốc)."
    ),
    "finished": _l("Hồ sơ do bạn tạo đã hoàn thành quy trình."),
}
DELIVERY_LABELS = {
    engine.Delivery.IMMEDIATELY: _l("Gửi ngay"),
    engine.Delivery.DIGEST: _l("Gộp vào thư tổng hợp hằng ngày"),
    engine.Delivery.OFF: _l("Không gửi"),
}
LOCALE_LABELS = {"vi": "Tiếng Việt", "en": "English"}


@dataclass
class ProfileForm:
    """What the page shows or the person sent, and what is wrong with it (field -> message)."""

    email: str = ""
    locale: str = "vi"
    digest_hour: int = 7
    choices: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, prefs: engine.Preferences) -> ProfileForm:
        return cls(
            email=prefs.email or "",
            locale=prefs.locale,
            digest_hour=prefs.digest_hour,
            choices={event: str(delivery) for event, delivery in prefs.choices.items()},
        )


@bp.get("/")
@login_required  # type: ignore[misc]
def show() -> Page:
    with uow(write=False) as s:
        prefs = engine.preferences(s, me().username)
    return _page(ProfileForm.of(prefs))


@bp.post("/")
@login_required  # type: ignore[misc]
def save() -> Response | Page:
    form = _read()
    if form.errors:
        return _page(form, 422)
    username = me().username
    try:
        with uow() as s:
            engine.set_email(s, username, form.email or None)
            engine.set_locale(s, username, form.locale)
            engine.set_digest_hour(s, username, form.digest_hour)
            for event, delivery in form.choices.items():
                engine.set_choice(s, username, event, delivery)
    except engine.InvalidInput as error:
        form.errors[_field_of(error)] = _refusal(error)
        return _page(form, 422)
    session["lang"] = form.locale  # the app speaks the person's language from now on
    flash(_("Đã lưu thông tin cá nhân."), "success")
    return redirect(url_for("profile.show"), 303)


@bp.post("/password")
@login_required  # type: ignore[misc]
def change_password() -> Response | PageWithHeaders:
    current = request.form.get("current_password", "")
    new = request.form.get("new_password", "")
    problems = _password_problems(current, new, request.form.get("new_password_again", ""))
    if problems:
        return _password_page(problems, 422)
    username = me().username
    check = check_password(username, current, lambda _found: engine.new_password_hash(new))
    if check.locked is not None:  # nothing to correct, only to wait: one message, no field
        # The lock is the login's own: one who logs out to try again is refused too.
        words = _(
            "Mật khẩu chưa được đổi. Do nhập sai mật khẩu quá nhiều lần, việc đăng nhập vào "
            "tài khoản này cũng tạm thời bị khóa. Hãy thử lại sau %(minutes)s phút (từ %(time)s).",
            minutes=check.locked.minutes,
            time=check.locked.time,
        )
        return _password_page({"form": words}, 429, check.retry_after)
    if check.busy:
        busy = _("Hệ thống đang bận. Xin vui lòng thử lại sau ít phút. Mật khẩu chưa được đổi.")
        return _password_page({"form": busy}, 503, check.retry_after)
    found, new_hash = check.found, check.made
    if found is None or new_hash is None:
        wrong = _("Mật khẩu hiện tại không đúng.")  # the summary says it was not changed
        return _password_page({"current_password": wrong}, 422)
    address, policy, moment = request.remote_addr or "-", login_policy(), now()
    try:
        with uow() as s:
            engine.attempt_succeeded(s, username, address, moment, policy)
            generation = engine.change_password(s, found, new_hash)
            identity = engine.session_identity(s, username, generation)
    except (engine.NotFound, engine.Conflict):
        changed = _(
            "Tài khoản của bạn vừa được thay đổi ở nơi khác nên mật khẩu chưa được đổi. "
            "Hãy tải lại trang rồi thử lại."
        )
        return _password_page({"form": changed}, 409)
    start_session(generation)  # this browser carries on; every other copy of the login ends
    if identity is not None:
        login_user(WebUser(identity))
    flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc."), "success")
    return redirect(url_for("profile.show"), 303)


def _password_problems(current: str, new: str, again: str) -> dict[str, str]:
    """What is wrong with the password form, field by field, before any password is checked."""
    problems: dict[str, str] = {}
    if not current:
        problems["current_password"] = _("Hãy nhập mật khẩu hiện tại.")
    try:
        engine.check_new_password(new)  # the engine's rule, its limit with it
    except engine.InvalidInput as refused:
        problems["new_password"] = _(
            "Mật khẩu mới phải có ít nhất %(n)s ký tự.", n=refused.details.get("minimum")
        )
        return problems
    if new == current:
        problems["new_password"] = _("Mật khẩu mới phải khác mật khẩu hiện tại.")
    elif again != new:
        problems["new_password_again"] = _("Hai lần nhập mật khẩu mới không khớp nhau.")
    return problems


def _password_page(
    problems: dict[str, str], status: int, headers: dict[str, str] | None = None
) -> PageWithHeaders:
    with uow(write=False) as s:
        prefs = engine.preferences(s, me().username)
    html, status = _page(ProfileForm.of(prefs), status, password_errors=problems)
    return html, status, headers or {}


def _read() -> ProfileForm:
    data = request.form
    form = ProfileForm(email=data.get("email", "").strip()[:300])
    locale = data.get("locale", "")
    form.locale = locale if locale in LOCALES else "vi"
    if locale not in LOCALES:
        form.errors["locale"] = _("Hãy chọn Tiếng Việt hoặc English.")
    hour = data.get("digest_hour", "")
    if hour.isdigit() and 0 <= int(hour) <= 23:
        form.digest_hour = int(hour)
    else:
        form.errors["digest_hour"] = _("Hãy chọn giờ gửi thư tổng hợp (từ 0 đến 23 giờ).")
    deliveries = {str(d) for d in engine.Delivery}
    for event in _offered():
        chosen = data.get(f"event_{event}", "")
        form.choices[event] = chosen if chosen in deliveries else str(engine.Delivery.IMMEDIATELY)
        if chosen not in deliveries:
            form.errors[f"event_{event}"] = _("Hãy chọn một cách nhận thông báo.")
        elif event in engine.ALWAYS_SENT and chosen == engine.Delivery.OFF:
            form.errors[f"event_{event}"] = _always_sent()
    if form.email:
        try:
            engine.check_email(form.email)
        except engine.InvalidInput as error:
            form.errors["email"] = _refusal(error)
    return form


def _offered() -> tuple[engine.NotifyEvent, ...]:
    """The events the person may choose for (a staff officer is never told of an escalation),
    read once per request."""
    found: tuple[engine.NotifyEvent, ...] | None = g.get(_OFFERED)
    if found is None:
        with uow(write=False) as s:
            found = engine.choosable_events_of(s, config().hierarchy, me().username)
        setattr(g, _OFFERED, found)
    return found


def _always_sent() -> str:
    return _(
        "Thông báo việc quá hạn của đơn vị luôn được gửi, không tắt được; bạn có thể chọn gộp "
        "vào thư tổng hợp hằng ngày."
    )


def _field_of(error: engine.InvalidInput) -> str:
    reason = error.details.get("reason")
    if reason == "email_format":
        return "email"
    if reason in ("locale", "digest_hour"):
        return str(reason)
    if reason == "always_sent":
        return f"event_{error.details.get('event')}"
    return "form"


def _refusal(error: engine.InvalidInput) -> str:
    reason = error.details.get("reason")
    if reason == "email_format":
        return _(
            "Địa chỉ thư điện tử không đúng dạng (ví dụ đúng: nguyenvana@skhcn.gov.vn). "
            "Chưa có gì được lưu."
        )
    if reason == "always_sent":
        return _always_sent()
    if reason == "locale":
        return _("Hãy chọn Tiếng Việt hoặc English.")
    if reason == "digest_hour":
        return _("Hãy chọn giờ gửi thư tổng hợp (từ 0 đến 23 giờ).")
    return _("Dữ liệu không hợp lệ; hãy kiểm tra lại. Chưa có gì được lưu.")


def _page(
    form: ProfileForm, status: int = 200, *, password_errors: dict[str, str] | None = None
) -> Page:
    who = me()
    return render_template(
        "account/profile.html",
        form=form,
        password_errors=password_errors or {},
        minimum=engine.MIN_PASSWORD_LENGTH,
        who=who,
        events=[
            (str(e), event_label(e), EVENT_HINTS.get(e, ""), e in engine.ALWAYS_SENT)
            for e in _offered()
        ],
        deliveries=[(str(d), label) for d, label in DELIVERY_LABELS.items()],
        locales=LOCALE_LABELS,
        hours=range(24),
    ), status
