"""Flask extensions, created once and bound to each app in create_app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from babel import Locale
from babel.support import NullTranslations
from flask import Flask, g, has_app_context, session
from flask_babel import Babel, get_translations
from flask_babel import get_locale as babel_locale
from flask_login import LoginManager
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from .form_tokens import FormTokens

LOCALES = ("vi", "en")
_TRANSLATIONS = "pheduyet_translations"
_LOCALE = "pheduyet_locale"
_T = TypeVar("_T")

babel = Babel()
csrf = FormTokens()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None
login_manager.session_protection = "strong"


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in LOCALES:
        return str(chosen)
    return "vi"


def translations() -> NullTranslations:
    """The request's catalogue, looked up once per request: Flask-Babel finds its context, the
    locale and its cache again for every string, ~35 times on a page."""
    return _once_a_request(_TRANSLATIONS, get_translations)


def gettext(text: str, **variables: Any) -> str:
    """Flask-Babel's `gettext` for the views, with the request's catalogue found once
    (`translations`): Flask-Babel finds its context, domain, locale and cache again at every
    call (about 60 an item of the UI flow). Outside an app context, the text, as
    Flask-Babel's."""
    if not has_app_context():
        return text % variables if variables else text
    found: str = translations().ugettext(text)
    return found % variables if variables else found


def get_locale() -> Locale | None:
    """Flask-Babel's `get_locale`, kept for the request at its first call: a page asks for it
    about 15 times (its dates, its numbers, its words)."""
    if not has_app_context():
        return None
    return _once_a_request(_LOCALE, babel_locale)


def _once_a_request(key: str, make: Callable[[], _T]) -> _T:
    """`make()`'s answer, kept in the request's globals under `key` (an answer of None is
    asked again)."""
    # The proxy's own method: `g.get` on the proxy fails first (an exception made and dropped).
    request_globals = g._get_current_object()
    found: _T | None = request_globals.get(key)
    if found is None:
        found = make()
        setattr(request_globals, key, found)
    return found


def init_babel(app: Flask) -> None:
    """Flask-Babel, with the templates' gettext reading the request's catalogue once."""
    babel.init_app(app, locale_selector=select_locale)

    def ngettext(s: str, p: str, n: int) -> Any:
        return translations().ungettext(s, p, n)

    def pgettext(c: str, s: str) -> Any:
        return translations().upgettext(c, s)

    def npgettext(c: str, s: str, p: str, n: int) -> Any:
        return translations().unpgettext(c, s, p, n)

    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=ngettext,
        newstyle=True,
        pgettext=pgettext,
        npgettext=npgettext,
    )
    app.jinja_env.globals.update(gettext=_template_gettext, _=_template_gettext)

    @app.context_processor
    def catalogue() -> dict[str, NullTranslations]:
        # In the page's context, `_()` finds the catalogue without Flask's `g`.
        return {_TRANSLATIONS: translations()}


@pass_context
def _template_gettext(context: Context, text: str, **variables: Any) -> str:
    """The templates' `_()` and `gettext()`, as Jinja's new-style gettext does it (the
    catalogue's text; under autoescape, the values escaped as they are filled in with %, even
    when there are none), called at once: Jinja's own goes through three context calls. A
    call with one fixed text and no values is not made at all in a request: the template is
    compiled with the text in it (web/localized_templates.py)."""
    catalogue = context.get(_TRANSLATIONS)
    if catalogue is None:  # a macro imported without the page's context
        catalogue = translations()
    result: str = catalogue.ugettext(text)
    if context.eval_ctx.autoescape:
        result = Markup(result)
    return result % variables
