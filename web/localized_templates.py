"""Templates compiled once for each language (and site root), with their fixed words and links
already in them.

A page's words are `{{ _("Trình") }}`: each a call at every rendering (Jinja's context call,
then the catalogue's look-up and the Markup made), about 650 an item of the UI flow, a page's
share of what it costs to render; and its menu's links are `{{ url_for("inbox.index") }}`,
about 290 more. A template is compiled here once for each catalogue and script root instead:
each `_("text")` or `gettext("text")` of one fixed text and nothing else becomes that text in
the catalogue's language, as the call would give it (under autoescape safe markup, the `%` of
the call applied), and each `url_for` of a fixed endpoint (or of a fixed static file) the URL
the call builds, so that Jinja writes both into the page as it writes the HTML around them.

A request's templates are those of its own catalogue (`extensions.translations`, the one the
calls would read) and script root (the URLs' prefix), each pair with its own overlay of the
app's environment and its own cache; everything else (globals, filters, the loader,
autoescape) is the app's. A template that gives `_`, `gettext` or `url_for` a value of its own
(`set`, a loop, a macro's argument) keeps those calls; so does every call with values
(`_("… %(n)s", n=…)`, `url_for("items.show", item_id=…)`), a link to a blueprint's own
(`.name`) endpoint, every link of an app with URL defaults, and every rendering outside a
request (no catalogue to choose), which goes through the calls as before.
"""

from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from babel.support import NullTranslations
from flask import has_request_context, request
from flask.templating import Environment
from jinja2 import nodes
from jinja2.visitor import NodeTransformer
from werkzeug.routing import BuildError

from .extensions import translations

_GETTEXT = frozenset({"_", "gettext"})
_URL_FOR = "url_for"
_CACHE_SIZE = 400  # templates, as Jinja's own default: the app has about 40
# Site roots compiled for, per language: a site has one (two behind a proxy under a prefix);
# requests under any further root render through the calls, never compiling again.
MAX_ROOTS = 8


class LocalizedEnvironment(Environment):
    """Flask's template environment (`Flask.jinja_environment`) that hands each request the
    templates of its catalogue and script root."""

    catalogue: NullTranslations | None = None  # set on each overlay
    script_root: str | None = None

    def __init__(self, app: Any, **options: Any) -> None:
        super().__init__(app, **options)
        self._overlays: WeakKeyDictionary[NullTranslations, dict[str, LocalizedEnvironment]] = (
            WeakKeyDictionary()
        )

    def get_template(self, name: Any, parent: str | None = None, globals: Any = None) -> Any:
        return super(LocalizedEnvironment, self._localized()).get_template(name, parent, globals)

    def select_template(self, names: Any, parent: str | None = None, globals: Any = None) -> Any:
        localized = super(LocalizedEnvironment, self._localized())
        return localized.select_template(names, parent, globals)

    def for_request(self, catalogue: NullTranslations) -> LocalizedEnvironment:
        """The overlay whose templates speak `catalogue`'s language and link under this
        request's script root (made at first use); the app's own past `MAX_ROOTS` roots."""
        script_root = request._get_current_object().script_root
        by_root = self._overlays.get(catalogue)
        if by_root is None:
            by_root = self._overlays[catalogue] = {}
        found = by_root.get(script_root)
        if found is None:
            if len(by_root) >= MAX_ROOTS:  # a request may name its root (SCRIPT_NAME): calls
                return self
            found = self.overlay(cache_size=_CACHE_SIZE)  # its own cache, empty
            found.catalogue, found.script_root = catalogue, script_root
            by_root[script_root] = found
        return found

    def _localized(self) -> LocalizedEnvironment:
        if self.catalogue is not None or not has_request_context():
            return self
        return self.for_request(translations())

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        if self.catalogue is None:
            return tree
        own = {n.name for n in tree.find_all(nodes.Name) if n.ctx != "load"}
        links = _URL_FOR not in own and self._links_fixed()
        folded: nodes.Template = _Fixed(self, words=not own & _GETTEXT, links=links).visit(tree)
        return folded

    def _links_fixed(self) -> bool:
        """Whether a fixed endpoint's URL is the same at every request of this overlay: built
        in a request under its script root, by an app without URL defaults (which may add
        values of their own at each request)."""
        return (
            has_request_context()
            and request._get_current_object().script_root == self.script_root
            and not any(self.app.url_default_functions.values())
        )


class _Fixed(NodeTransformer):
    """Each call of `_` or `gettext` with one fixed text and no values, as its text; each
    `url_for` of a fixed endpoint, as its URL."""

    def __init__(self, env: LocalizedEnvironment, *, words: bool, links: bool) -> None:
        self.env = env
        self.words = words
        self.links = links

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        self.generic_visit(node)
        callee, args = node.node, node.args
        if not (
            isinstance(callee, nodes.Name)
            and len(args) == 1
            and isinstance(args[0], nodes.Const)
            and isinstance(args[0].value, str)
            and node.dyn_args is None
            and node.dyn_kwargs is None
        ):
            return node
        if callee.name in _GETTEXT and self.words and not node.kwargs:
            return self._word(node, args[0].value)
        if callee.name == _URL_FOR and self.links:
            return self._link(node, args[0].value, node.kwargs)
        return node

    def _word(self, node: nodes.Call, text: str) -> nodes.Node:
        assert self.env.catalogue is not None
        try:  # as extensions._template_gettext gives it: the catalogue's text, `%` applied
            shown = self.env.catalogue.ugettext(text) % {}
        except (KeyError, TypeError, ValueError):  # it fails when rendered, as before
            return node
        return nodes.MarkSafeIfAutoescape(nodes.Const(shown), lineno=node.lineno)

    def _link(self, node: nodes.Call, endpoint: str, given: list[nodes.Keyword]) -> nodes.Node:
        values = {k.key: k.value.value for k in given if isinstance(k.value, nodes.Const)}
        fixed = not given or (
            endpoint == "static"
            and len(values) == len(given) == 1
            and isinstance(values.get("filename"), str)
        )
        if endpoint[:1] == "." or not fixed:
            return node
        try:
            url = self.env.app.url_for(endpoint, **values)
        except BuildError:  # it fails when rendered, as before
            return node
        return nodes.Const(url, lineno=node.lineno)
