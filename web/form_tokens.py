"""The forms' CSRF tokens: Flask-WTF's, signed once per session and key, and taken across a
change of the site's key.

Signing: Flask-WTF signs the session's token again at every page (the header's logout form
has one); `csrf_token` signs it once per session and key and gives the templates that.

Checking: Flask-WTF checks a form's token with the current key only, while the session cookie
is still taken under the keys in SECRET_KEY_FALLBACKS: a form opened before the change, sent
after it, would be refused as stale and what the person typed lost. `FormTokens` tries a token
refused under the current key under each earlier key, by Flask-WTF's own check; one that
passes stands for the same session token, which is then signed with the current key and
checked again in full."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, session
from flask_wtf import CSRFProtect
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms import ValidationError

_RESIGNED = "pheduyet_csrf_resigned"

# (signing key, the session's raw token) -> the signed token a form carries. Tokens have no time
# limit here (WTF_CSRF_TIME_LIMIT None: a token holds as long as its session), so one signed once
# serves every later page of the session as well as a new one: Flask-WTF signed it at every page
# (about 70 µs: a serializer made, JSON, a timestamp, HMAC, base64).
_SIGNED: dict[tuple[Any, str], str] = {}
MAX_SIGNED = 4096  # sessions whose token is kept; then the lot is dropped and signed again


def csrf_token() -> str:
    """The page's form token: Flask-WTF's `generate_csrf`, signed once per session and key."""
    config = current_app.config
    field = config["WTF_CSRF_FIELD_NAME"]
    if field in g:
        return str(g.get(field))
    if config["WTF_CSRF_TIME_LIMIT"] is not None:  # a token that expires is signed afresh
        return str(generate_csrf())
    raw = session.get(field)
    key = (config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw)
    token = _SIGNED.get(key) if raw is not None else None
    if token is None:
        token = generate_csrf()
        raw = session[field]  # made by generate_csrf if the session had none
        if len(_SIGNED) >= MAX_SIGNED:
            _SIGNED.clear()
        _SIGNED[(key[0], raw)] = token
    setattr(g, field, token)
    return token


def _form_token() -> dict[str, Any]:
    return {"csrf_token": csrf_token}


class FormTokens(CSRFProtect):
    """CSRFProtect whose templates' `csrf_token` is `csrf_token` above, and which also takes a
    form signed with a key in SECRET_KEY_FALLBACKS (when the token is signed with SECRET_KEY,
    not a WTF_CSRF_SECRET_KEY of its own). The usual request pays nothing more: the earlier
    keys are tried only after a refusal."""

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        # Flask-WTF offers its token as a global and through a context processor: so does this.
        app.jinja_env.globals["csrf_token"] = csrf_token
        app.context_processor(_form_token)

    def protect(self, apply_exemptions: bool = False) -> None:
        try:
            super().protect(apply_exemptions)
        except CSRFError:
            if not _signed_with_an_earlier_key(self._get_csrf_token()):
                raise
            # The session's token as the current key signs it; the second check is the whole
            # of Flask-WTF's own (the same session token, the referrer on HTTPS).
            setattr(g, _RESIGNED, generate_csrf())
            try:
                super().protect(apply_exemptions)
            finally:  # `g` may outlive the request (an app context pushed around several)
                g.pop(_RESIGNED, None)

    def _get_csrf_token(self) -> str | None:
        resigned = g.get(_RESIGNED)
        return str(resigned) if resigned is not None else super()._get_csrf_token()


def _signed_with_an_earlier_key(token: str | None) -> bool:
    config = current_app.config
    if not token or config.get("WTF_CSRF_SECRET_KEY"):
        return False
    for key in config.get("SECRET_KEY_FALLBACKS") or ():
        try:
            validate_csrf(token, secret_key=key)
        except ValidationError:
            continue
        return True
    return False
