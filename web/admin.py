"""Quản trị: deploying diagrams, processes and versions, people, units and groups.

Every URL here is for members of the admin group only; the check runs before each request of the
blueprint, so a new view cannot forget it."""

from __future__ import annotations

import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

import engine
from workflows.catalog import entry as catalog_entry
from workflows.org_chart import Unit, add_unit, units_of

from .definition_refusals import refusal_place, refusal_words
from .errors import explain
from .extensions import gettext as _
from .extensions import login_manager
from .unit_of_work import config, is_admin, me, now, uow
from .wording import Names, process_title

bp = Blueprint("admin", __name__, url_prefix="/admin")

MAX_DEFINITION_BYTES = 5 * 1024 * 1024
# Logins and group keys are typed by people and matched by diagrams: plain ASCII, no spaces.
KEY = re.compile(r"[A-Za-z0-9._-]{1,100}")
DIALECTS = {"spiff": "SpiffArena", "camunda": "Camunda"}

Page = tuple[str, int]


@bp.before_request
def admins_only() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not is_admin():
        abort(403)
    return None


# --- Quy trình -------------------------------------------------------------------------------


@bp.get("/processes")
def processes() -> Page:
    return _processes_page()


@bp.post("/processes/deploy")
def deploy() -> Response | Page:
    uploads = [f for f in request.files.getlist("files") if f.filename]
    if not uploads:
        return _processes_page(
            problem=_(
                "Chưa chọn tệp nào. Hãy chọn một hoặc nhiều tệp .bpmn, .dmn hoặc biểu mẫu "
                "(.json, .html, .form) rồi bấm Triển khai."
            ),
            status=422,
        )
    names = [_basename(f) for f in uploads]
    wrong = [n for n in names if not n.lower().endswith(engine.MODEL_SUFFIXES)]
    if wrong:
        return _processes_page(
            problem=_(
                "Tệp %(names)s không phải tệp quy trình: chỉ nhận tệp .bpmn, .dmn, "
                "biểu mẫu (.json, .html, .form) và mã JavaScript (.js). Chưa có gì được lưu.",
                names=", ".join(wrong),
            ),
            status=422,
        )
    files = [engine.SourceFile(n, f.read()) for n, f in zip(names, uploads, strict=True)]
    try:
        with uow() as session:
            results = engine.deploy(
                session,
                files,
                now,
                me().username,
                max_bytes=MAX_DEFINITION_BYTES,
                services=config().services.keys(),
                timezone=config().timezone,
            )
    except engine.InvalidDefinition as error:
        return _processes_page(refusal=_refusal(error), status=422)
    for result in results:
        if result.created:
            flash(
                _(
                    "Quy trình «%(name)s» (%(id)s): đã triển khai phiên bản %(version)s.",
                    name=process_title(result.process_id),
                    id=result.process_id,
                    version=result.version,
                ),
                "success",
            )
        else:
            flash(
                _(
                    "Quy trình «%(name)s» (%(id)s): không thay đổi (phiên bản %(version)s đã "
                    "có đúng nội dung này).",
                    name=process_title(result.process_id),
                    id=result.process_id,
                    version=result.version,
                ),
                "info",
            )
    return redirect(url_for("admin.processes"))


@bp.get("/processes/<process_id>/diagram")
def diagram(process_id: str) -> Response:
    version = request.args.get("version", type=int)
    with uow() as session:
        xml = engine.diagram_xml(session, process_id, version)
    name = f"{process_id}-v{version}.bpmn" if version else f"{process_id}.bpmn"
    return send_file(
        io.BytesIO(xml.encode("utf-8")),
        mimetype="application/xml",
        as_attachment=True,
        download_name=name,
    )


@bp.get("/processes/<process_id>/files.zip")
def bundle(process_id: str) -> Response:
    """Every file the version was deployed with (its diagram, the diagrams it calls, its
    forms): what an administrator edits and deploys again. The diagram alone is refused
    without its forms."""
    version = request.args.get("version", type=int)
    with uow() as session:
        _main, files = engine.version_files(session, process_id, version)
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(files.items()):
            archive.writestr(name, text.encode("utf-8"))
    packed.seek(0)
    suffix = f"-v{version}" if version else ""
    return send_file(
        packed,
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"{process_id}{suffix}.zip",
    )


def _processes_page(
    refusal: dict[str, Any] | None = None, problem: str | None = None, status: int = 200
) -> Page:
    with uow() as session:
        latest = engine.list_processes(session)
        every = engine.process_versions(session)
        starts = engine.next_starts(session)
    versions: dict[str, list[tuple[int, str, Any]]] = defaultdict(list)
    for process_id, version, name, deployed_at in every:
        versions[process_id].append((version, name, deployed_at))
    rows = [
        {
            "view": p,
            "title": (found.title_vi if (found := catalog_entry(p.process_id)) else None),
            "dialect": DIALECTS.get(p.dialect, p.dialect),
            "versions": versions.get(p.process_id, []),
            "monitor_url": url_for("monitor.process", process_id=p.process_id),
            "starts": starts.get(p.process_id, []),
        }
        for p in latest
    ]
    return render_template(
        "admin/processes.html",
        rows=rows,
        refusal=refusal,
        problem=problem,
        max_mb=MAX_DEFINITION_BYTES // (1024 * 1024),
    ), status


def _basename(upload: FileStorage) -> str:
    # Some browsers send the whole path of the file on the user's computer.
    return (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()


def _refusal(error: engine.InvalidDefinition) -> dict[str, Any]:
    details = error.details
    words = refusal_words(error)
    return {
        "file": details.get("file"),
        "element_id": details.get("element_id"),
        "line": details.get("line"),
        "reason": words,
        # The checker's own words, for a search or a question to the diagram's author.
        "original": error.reason if words != error.reason else None,
        "where": refusal_place(error),
    }


# --- Người dùng ------------------------------------------------------------------------------


@dataclass
class PersonForm:
    """What the person form sent, and what is wrong with it (field -> message)."""

    username: str = ""
    display_name: str = ""
    unit: str = ""
    groups: list[str] = field(default_factory=list)
    active: bool = True
    password: str = ""
    email: str = ""
    errors: dict[str, str] = field(default_factory=dict)


@bp.get("/users")
def users() -> Page:
    return _users_page(PersonForm())


@bp.post("/users")
def add_user() -> Response | Page:
    form = _read_person(new=True)
    with uow(write=False) as session:
        # One person, one name, in any case (the engine's rule, engine.account_named).
        exists = engine.user_exists(session, form.username) or (
            engine.account_named(session, form.username) is not None
        )
    if exists:
        form.errors["username"] = _(
            "Tên đăng nhập này đã có. Muốn thay đổi người đó, hãy mở trang của họ trong danh sách."
        )
    if form.errors:
        return _users_page(form, status=422)
    try:
        with uow() as session:
            engine.add_user(
                session,
                form.username,
                display_name=form.display_name,
                unit=form.unit,
                groups=form.groups,
                password=form.password,
            )
            engine.set_email(session, form.username, form.email or None)
    except (engine.InvalidInput, engine.NotFound) as error:
        form.errors["form"] = _engine_problem(error)
        return _users_page(form, status=422)
    flash(_("Đã thêm người dùng %(username)s.", username=form.username), "success")
    return redirect(url_for("admin.users"))


@bp.get("/users/<username>")
def user(username: str) -> Page:
    person = _person(username)
    form = PersonForm(
        username=person.username,
        display_name=person.display_name,
        unit=person.unit or "",
        groups=list(person.groups),
        active=person.active,
        email=person.email or "",
    )
    return _user_page(form)


@bp.post("/users/<username>")
def edit_user(username: str) -> Response | Page:
    person = _person(username)
    form = _read_person(new=False)
    form.username = username
    if username == me().username and (not form.active or engine.ADMIN_GROUP not in form.groups):
        form.errors["form"] = _(
            "Bạn không thể tự khóa tài khoản của mình hay tự bỏ nhóm Quản "
            "trị hệ thống: hãy nhờ một quản trị viên khác."
        )
    moved = (person.unit or "") != form.unit
    if moved and not form.errors:
        with uow(write=False) as session:
            held = len(engine.held_steps(session, username))
        if held:  # the steps are the old unit's: its people carry them on, not the new one's
            form.errors["unit"] = _(
                "%(username)s đang giữ %(count)s việc của đơn vị hiện tại: hãy bàn giao cho "
                "đồng nghiệp ở mục «Việc đang giữ» bên dưới trước khi chuyển đơn vị.",
                username=username,
                count=held,
            )
    if form.errors:
        return _user_page(form, status=422)
    try:
        with uow() as session:
            engine.add_user(
                session,
                username,
                display_name=form.display_name,
                unit=form.unit,
                password=form.password or None,
            )
            engine.set_user_groups(session, username, form.groups)
            engine.set_active(session, username, form.active)
            if "email" in request.form:  # a form of before the field leaves the address be
                engine.set_email(session, username, form.email or None)
    except (engine.InvalidInput, engine.NotFound) as error:
        form.errors["form"] = _engine_problem(error)
        return _user_page(form, status=422)
    flash(_("Đã lưu thông tin của %(username)s.", username=username), "success")
    if moved and person.unit:
        _warn_old_leadership(username, person.unit, form.groups)
    if not form.active:
        with uow(write=False) as session:
            held = len(engine.held_steps(session, username))
        if held:  # locked out, their steps would wait for them for ever
            flash(
                _(
                    "%(username)s đã bị khóa nhưng còn giữ %(count)s việc chưa xử lý: hãy bàn "
                    "giao cho người khác ở mục «Việc đang giữ» bên dưới.",
                    username=username,
                    count=held,
                ),
                "warning",
            )
    return redirect(url_for("admin.user", username=username))


def _warn_old_leadership(username: str, old_unit: str, groups: list[str]) -> None:
    """A person moved to another unit but still among the leaders of the old one leads both."""
    with uow(write=False) as session:
        old = next((u for u in units_of(session) if u.key == old_unit), None)
    if old is not None and old.leaders_group in groups:
        flash(
            _(
                "%(username)s đã chuyển đơn vị nhưng vẫn thuộc nhóm lãnh đạo của %(unit)s: bỏ "
                "chọn nhóm đó nếu người này không còn là lãnh đạo đơn vị cũ.",
                username=username,
                unit=old.name,
            ),
            "warning",
        )


@bp.post("/users/<username>/hand-over")
def hand_over(username: str) -> Response:
    """Every open step this person holds, to another active person (engine.hand_over)."""
    _person(username)
    taker = request.form.get("to", "").strip()
    if not taker:
        flash(_("Hãy chọn người nhận bàn giao."), "error")
        return redirect(url_for("admin.user", username=username))
    try:
        with uow() as session:
            count = engine.hand_over_steps(
                session, config(), username, taker, me().username, note=request.form.get("note")
            )
    except engine.InvalidInput as refused:
        reason = refused.details.get("reason")
        if reason in ("same_person", "not_active"):
            said = _("Người nhận phải là một người dùng khác, đang hoạt động.")
        elif reason == "not_a_colleague":
            said = _(
                "Chỉ bàn giao được cho người cùng đơn vị, lãnh đạo đơn vị hoặc người cùng nhóm "
                "với người giữ việc."
            )
        else:
            said = explain(refused)
        flash(said, "error")
        return redirect(url_for("admin.user", username=username))
    with uow(write=False) as session:
        names = Names.of(session, [username, taker])
    said = _(
        "Đã bàn giao %(count)s việc của %(giver)s cho %(taker)s.",
        count=count,
        giver=names.person(username),
        taker=names.person(taker),
    )
    flash(said, "success")
    return redirect(url_for("admin.user", username=username))


@bp.post("/users/<username>/sessions/end")
def end_sessions(username: str) -> Response:
    """Every copy of this person's login cookie stops working (a lost laptop, a shared PC)."""
    with uow() as session:
        engine.end_sessions(session, username)
    if username == me().username:
        return redirect(url_for("auth.login"))
    flash(_("Đã đăng xuất %(username)s khỏi mọi máy.", username=username), "success")
    return redirect(url_for("admin.user", username=username))


@bp.post("/users/sessions/end")
def end_everyones_sessions() -> Response:
    with uow() as session:
        count = engine.end_everyones_sessions(session, keep=me().username)
    flash(_("Đã đăng xuất %(count)s người dùng khỏi mọi máy (trừ bạn).", count=count), "success")
    return redirect(url_for("admin.users"))


def _read_person(new: bool) -> PersonForm:
    data = request.form
    form = PersonForm(
        username=data.get("username", "").strip(),
        display_name=data.get("display_name", "").strip(),
        unit=data.get("unit", "").strip(),
        groups=sorted(set(data.getlist("groups"))),
        active=data.get("active") == "1",
        password=data.get("password", ""),
        email=data.get("email", "").strip()[:300],
    )
    if new and not KEY.fullmatch(form.username):
        form.errors["username"] = _(
            "Tên đăng nhập chỉ gồm chữ không dấu, chữ số và các dấu . _ "
            "- (không có khoảng trắng), tối đa 100 ký tự."
        )
    if not form.display_name:
        form.errors["display_name"] = _("Hãy nhập họ tên.")
    elif len(form.display_name) > 300:
        form.errors["display_name"] = _("Họ tên dài quá 300 ký tự.")
    if form.email:
        try:
            engine.check_email(form.email)
        except engine.InvalidInput:
            form.errors["email"] = _(
                "Địa chỉ thư điện tử không đúng dạng (ví dụ đúng: nguyenvana@skhcn.gov.vn)."
            )
    if form.unit and form.unit not in {u.key for u in _units()}:
        form.errors["unit"] = _("Đơn vị này không có trong sơ đồ tổ chức.")
    with uow() as session:
        known = {key for key, _name in engine.list_groups(session)}
    unknown = [g for g in form.groups if g not in known]
    if unknown:
        form.errors["groups"] = _("Nhóm %(keys)s không tồn tại.", keys=", ".join(unknown))
    if new or form.password:
        try:
            engine.check_new_password(form.password)  # the engine's rule, its limit with it
        except engine.InvalidInput as refused:
            form.errors["password"] = _(
                "Mật khẩu phải có ít nhất %(n)s ký tự.", n=refused.details.get("minimum")
            )
    return form


def _person(username: str) -> engine.UserView:
    with uow() as session:
        found = next((u for u in engine.list_users(session) if u.username == username), None)
    if found is None:
        raise engine.NotFound(f"user '{username}' does not exist")
    return found


def _engine_problem(error: engine.EngineError) -> str:
    # The form is checked before the engine is called; these answer what changed meanwhile.
    if isinstance(error, engine.NotFound):
        return str(
            _(
                "Người dùng hoặc nhóm không còn tồn tại (có thể vừa có người thay đổi). Hãy "
                "tải lại trang. Chưa có gì được lưu."
            )
        )
    # By its reason (a name refused, a password too short…), never by the engine's words.
    return f"{explain(error)} {_('Chưa có gì được lưu.')}"


def _users_page(form: PersonForm, status: int = 200) -> Page:
    wanted = request.args.get("group", "").strip()
    asked = request.args.get("q", "").strip()[:100]
    with uow() as session:
        people = engine.list_users(session)
        groups = engine.list_groups(session)
    if wanted:
        people = [p for p in people if wanted in p.groups or p.unit == wanted]
    if asked:  # by login, name or unit, in any case and with or without diacritics
        names, needle = dict(groups), engine.fold(asked)
        people = [
            p
            for p in people
            if needle in engine.fold(f"{p.username} {p.display_name} {names.get(p.unit or '', '')}")
        ]
    return render_template(
        "admin/users.html",
        people=people,
        form=form,
        filter_group=wanted,
        asked=asked,
        **_choices(groups),
    ), status


def _user_page(form: PersonForm, status: int = 200) -> Page:
    with uow() as session:
        groups = engine.list_groups(session)
        held = engine.held_steps(session, form.username)
        takers = engine.hand_over_takers(session, config(), form.username) if held else []
    return render_template(
        "admin/user.html",
        form=form,
        is_me=form.username == me().username,
        held=held,
        takers=takers,
        **_choices(groups),
    ), status


def _choices(groups: list[tuple[str, str]]) -> dict[str, Any]:
    units = _units()
    group_names = dict(groups)
    unit_names = {key: group_names.get(key, key) for key in group_names} | {
        u.key: u.name for u in units
    }
    return {"units": units, "groups": groups, "group_names": group_names, "unit_names": unit_names}


def _units() -> tuple[Unit, ...]:
    with uow() as session:
        return units_of(session)


# --- Đơn vị, nhóm ----------------------------------------------------------------------------


@bp.get("/groups")
def groups() -> Page:
    return _groups_page()


@bp.post("/groups")
def save_group() -> Response | Page:
    intent = request.form.get("intent", "add")
    key = request.form.get("key", "").strip()
    name = request.form.get("name", "").strip()
    errors: dict[str, str] = {}
    with uow() as session:
        named = dict(engine.list_groups(session))
    exists = key in named
    # Two groups of one name cannot be told apart in the lists people choose from.
    same = " ".join(name.split()).casefold()
    twin = next((k for k, n in named.items() if k != key and n.casefold() == same), None)
    if not KEY.fullmatch(key):
        errors["key"] = _(
            "Mã nhóm chỉ gồm chữ không dấu, chữ số và các dấu . _ - (không có "
            "khoảng trắng), tối đa 100 ký tự."
        )
    elif intent == "add" and exists:
        errors["key"] = _(
            "Mã nhóm %(key)s đã có. Muốn đổi tên, hãy sửa ở dòng của nhóm đó.", key=key
        )
    elif intent == "rename" and not exists:
        errors["key"] = _("Nhóm %(key)s không tồn tại.", key=key)
    if not name:
        errors["name"] = _("Hãy nhập tên nhóm.")
    elif len(name) > 300:
        errors["name"] = _("Tên nhóm dài quá 300 ký tự.")
    elif twin is not None:
        errors["name"] = _(
            "Tên này đã là tên của nhóm %(key)s: hai nhóm cùng tên không phân biệt được khi "
            "chọn. Hãy đặt tên khác.",
            key=twin,
        )
    # A row's form says it shows the tick box; a rename without it keeps the mark as it is.
    shown = intent == "add" or bool(request.form.get("outside_shown"))
    outside = bool(request.form.get("is_outside")) if shown else None
    is_unit = bool(request.form.get("is_unit")) if intent == "add" else _is_unit(key)
    if outside and is_unit:
        errors["is_outside"] = _(
            "Một đơn vị của Sở không phải cơ quan ngoài Sở: hãy bỏ một trong hai ô đánh dấu."
        )
    elif outside and _sos_own(key, {u.leaders_group for u in _units()}):
        errors["is_outside"] = _(
            "Nhóm %(key)s là nhóm của Sở (quản trị hệ thống, lãnh đạo đơn vị), không phải cơ "
            "quan ngoài Sở.",
            key=key,
        )
    if errors:
        entered = {"key": key, "name": name} if intent == "add" else {}
        if intent == "add":
            entered |= {"is_unit": "1" if is_unit else "", "is_outside": "1" if outside else ""}
        return _groups_page(
            errors=errors, entered=entered, renaming=key if intent == "rename" else None, status=422
        )
    with uow() as session:
        before = dict(engine.list_groups(session)).get(key)
        was_outside = key in engine.list_outside_groups(session)
        if intent == "add" and is_unit:
            add_unit(session, key, name)
        else:
            engine.add_group(session, key, name, outside=outside)
    if intent == "add":
        flash(_("Đã thêm nhóm %(key)s (%(name)s).", key=key, name=name), "success")
        if outside:
            flash(_("Đã đánh dấu nhóm %(key)s là cơ quan ngoài Sở.", key=key), "success")
        return redirect(url_for("admin.groups"))
    if name != before or outside is None or outside == was_outside:
        flash(_("Đã đổi tên nhóm %(key)s thành “%(name)s”.", key=key, name=name), "success")
    if outside is not None and outside != was_outside:
        flash(
            _("Đã đánh dấu nhóm %(key)s là cơ quan ngoài Sở.", key=key)
            if outside
            else _("Đã bỏ đánh dấu cơ quan ngoài Sở của nhóm %(key)s.", key=key),
            "success",
        )
    return redirect(url_for("admin.groups"))


def _is_unit(key: str) -> bool:
    return key in {u.key for u in _units()}


def _sos_own(key: str, leader_groups: Collection[str]) -> bool:
    """The administrators' group and the units' leaders: never a body outside the Sở."""
    return key == engine.ADMIN_GROUP or key in leader_groups


def _groups_page(
    errors: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
    renaming: str | None = None,
    status: int = 200,
) -> Page:
    with uow() as session:
        groups = engine.list_groups(session)
        outside = set(engine.list_outside_groups(session))
        people = [p for p in engine.list_users(session) if p.active]
    units = _units()
    unit_keys = {u.key for u in units}
    leader_groups = {u.leaders_group: u for u in units}
    rows = []
    for key, name in groups:
        # A person's unit counts as one of their groups when tasks are routed.
        members = sum(1 for p in people if key in p.groups or p.unit == key)
        kind = (
            _("Đơn vị")
            if key in unit_keys
            else _("Lãnh đạo đơn vị")
            if key in leader_groups
            else _("Nhóm")
        )
        rows.append(
            {
                "key": key,
                "name": name,
                "members": members,
                "kind": kind,
                "is_unit": key in unit_keys,
                # Only a group that may be a body outside the Sở has the tick box.
                "may_be_outside": key not in unit_keys and not _sos_own(key, leader_groups),
                "outside": key in outside,
            }
        )
    return render_template(
        "admin/groups.html",
        rows=rows,
        units=units,
        errors=errors or {},
        entered=entered or {},
        renaming=renaming,
    ), status
