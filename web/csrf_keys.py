"""Form tokens across a change of the site's key. Flask-WTF checks a form's token with the
current key only, while the session cookie is still taken under the keys in
SECRET_KEY_FALLBACKS: a form opened before the change, sent after it, would be refused as
stale and what the person typed lost. Here a token refused under the current key is tried
under each earlier key, by Flask-WTF's own check; one that passes stands for the same session
token, which is then signed with the current key and checked again in full."""

from __future__ import annotations

from flask import current_app, g
from flask_wtf import CSRFProtect
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms import ValidationError

_RESIGNED = "pheduyet_csrf_resigned"


class RotatedKeysCSRF(CSRFProtect):
    """CSRFProtect that also takes a form signed with a key in SECRET_KEY_FALLBACKS (when the
    token is signed with SECRET_KEY, not a WTF_CSRF_SECRET_KEY of its own). The usual request
    pays nothing more: the earlier keys are tried only after a refusal."""

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
