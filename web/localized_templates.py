"""Templates compiled once for each language, with their fixed words already in it.

A page's words are `{{ _("Trình") }}`: each a call at every rendering (Jinja's context call,
then the catalogue's look-up and the Markup made), about 650 an item of the UI flow, a page's
share of what it costs to render. A template is compiled here once for each catalogue instead,
and each `_("text")` or `gettext("text")` of one fixed text and nothing else becomes that
text in the catalogue's language, as the call would give it (under autoescape safe markup, the
`%` of the call applied), so that Jinja writes it into the page as it writes the HTML around it.

A request's templates are those of its own catalogue (`extensions.translations`, the one the
calls would read), each catalogue with its own overlay of the app's environment and its own
cache; everything else (globals, filters, the loader, autoescape) is the app's. A template that
gives `_` or `gettext` a value of its own (`set`, a loop, a macro's argument) is left as it is;
so is every call with values (`_("… %(n)s", n=…)`), and every rendering outside a request (no
catalogue to choose), which goes through the calls as before.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from babel.support import NullTranslations
from flask import has_request_context
from flask.templating import Environment
from jinja2 import nodes
from jinja2.visitor import NodeTransformer

from .extensions import translations

_GETTEXT = frozenset({"_", "gettext"})


class LocalizedEnvironment(Environment):
    """Flask's template environment (`Flask.jinja_environment`) that hands each request the
    templates of its catalogue."""

    catalogue: NullTranslations | None = None  # set on each catalogue's overlay

    def __init__(self, app: Any, **options: Any) -> None:
        super().__init__(app, **options)
        self._overlays: WeakKeyDictionary[NullTranslations, LocalizedEnvironment] = (
            WeakKeyDictionary()
        )

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> Any:
        return super(LocalizedEnvironment, self._localized()).get_template(name, parent, globals)

    def select_template(self, names: Any, parent: str | None = None, globals: Any = None) -> Any:
        localized = super(LocalizedEnvironment, self._localized())
        return localized.select_template(names, parent, globals)

    def for_catalogue(self, catalogue: NullTranslations) -> LocalizedEnvironment:
        """The overlay whose templates speak `catalogue`'s language (made at first use)."""
        found = self._overlays.get(catalogue)
        if found is None:
            found = self.overlay(cache_size=_CACHE_SIZE)  # its own cache, empty
            found.catalogue = catalogue
            self._overlays[catalogue] = found
        return found

    def _localized(self) -> LocalizedEnvironment:
        if self.catalogue is not None or not has_request_context():
            return self
        return self.for_catalogue(translations())

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        if self.catalogue is None or _gives_gettext_a_value(tree):
            return tree
        folded: nodes.Template = _Words(self.catalogue).visit(tree)
        return folded


_CACHE_SIZE = 400  # templates, as Jinja's own default: the app has about 120


def _gives_gettext_a_value(tree: nodes.Template) -> bool:
    return any(name.name in _GETTEXT and name.ctx != "load" for name in tree.find_all(nodes.Name))


class _Words(NodeTransformer):
    """Each call of `_` or `gettext` with one fixed text and no values, as its text."""

    def __init__(self, catalogue: NullTranslations) -> None:
        self.catalogue = catalogue

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        self.generic_visit(node)
        callee, args = node.node, node.args
        if not (
            isinstance(callee, nodes.Name)
            and callee.name in _GETTEXT
            and len(args) == 1
            and isinstance(args[0], nodes.Const)
            and isinstance(args[0].value, str)
            and not node.kwargs
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        try:  # as extensions._template_gettext gives it: the catalogue's text, `%` applied
            text = self.catalogue.ugettext(args[0].value) % {}
        except (KeyError, TypeError, ValueError):  # it fails when rendered, as before
            return node
        return nodes.MarkSafeIfAutoescape(nodes.Const(text), lineno=node.lineno)
