"""Every `_()`, `gettext()` and `ngettext()` in the templates is given its msgid (and ngettext its
plural) as a string literal: pybabel extracts only literals, so a variable or a concatenation
there is a text the English catalogue never gets, shown untranslated without a test noticing.
Read with Jinja's own parser, as pybabel reads the templates."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment, nodes

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
# How many leading arguments of each call are msgids.
MSGIDS = {"_": 1, "gettext": 1, "ngettext": 2}
_ENV = Environment(extensions=["jinja2.ext.i18n"])


def _calls(source: str, name: str) -> list[tuple[int, bool]]:
    """(line, whether its msgids are literals) of every gettext call in a template."""
    found = []
    for call in _ENV.parse(source, name=name).find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in MSGIDS:
            msgids = call.args[: MSGIDS[call.node.name]]
            literal = len(msgids) == MSGIDS[call.node.name] and all(
                isinstance(a, nodes.Const) and isinstance(a.value, str) for a in msgids
            )
            found.append((call.lineno, literal))
    return found


@pytest.mark.parametrize(
    ("source", "literal"),
    [
        ('{{ _("Lý do") }}', True),
        ('{{ _("Còn %(n)s việc", n=count) }}', True),
        ('{{ ngettext("%(num)d việc", "%(num)d việc", count) }}', True),
        ("{{ _(label) }}", False),
        ('{{ _("Bước " ~ step) }}', False),
        ('{{ gettext(words["title"]) }}', False),
        ('{{ ngettext("%(num)d việc", plural, count) }}', False),
        ("{{ _() }}", False),
    ],
)
def test_template_msgids__the_scan_tells_a_literal_from_the_rest(
    source: str, literal: bool
) -> None:
    assert _calls(source, "case.html") == [(1, literal)]


def test_template_msgids__every_msgid_in_the_templates_is_a_literal() -> None:
    calls = [
        (f"{path.relative_to(TEMPLATES)}:{line}", literal)
        for path in sorted(TEMPLATES.rglob("*.html"))
        for line, literal in _calls(path.read_text(encoding="utf-8"), str(path))
    ]
    assert len(calls) > 300  # the scan really read the templates
    assert [where for where, literal in calls if not literal] == []
