"""JavaScript kept in files beside the diagram, as Camunda 7 deploys it.

A Camunda model may keep a script in its deployment instead of inline:

    <bpmn:scriptTask scriptFormat="javascript" camunda:resource="scripts/check.js"/>
    <camunda:script scriptFormat="javascript" resource="deployment://scripts/notify.js"/>
    <bpmn:conditionExpression language="javascript" camunda:resource="classpath://ok.js"/>

Camunda reads `deployment://` from the deployment, `classpath://` and a bare path from the
application's classpath; here all three are looked up among the files deployed with the
diagram (a folder's `.js` files), by their path or, failing that, by their name. A JavaScript
resource found is written into the element, as if the script were inline, before anything
checks or runs it: it is compiled at deploy (a syntax error refused with its line in the
script file) and runs in QuickJS like any other JavaScript. A script in another language, a
resource named by an expression or one not deployed stays refused at deploy
(engine/script_languages.py). The scripts used are stored with the version's files, so a
changed script is a new version.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from .javascript import is_javascript
from .script_languages import language_of
from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import CAMUNDA_NS

SCRIPT_SUFFIXES = (".js",)
_SCHEMES = ("deployment://", "classpath://")
_CONDITIONS = ("conditionExpression", "condition", "completionCondition", "loopCondition")


def is_script_resource(name: str) -> bool:
    """A file deployed beside a diagram for its scripts to name (not a model itself)."""
    return name.lower().endswith(SCRIPT_SUFFIXES)


def _normal(path: str) -> str:
    path = path.strip().replace("\\", "/")
    for scheme in _SCHEMES:
        if path.startswith(scheme):
            path = path[len(scheme) :]
    return path.lstrip("/")


def _find(wanted: str, pool: dict[str, str]) -> tuple[str, str] | None:
    """(file name, text) of the deployed file a resource path names, by path then by name."""
    path = _normal(wanted)
    if not path or "${" in path or "#{" in path:
        return None
    for name, text in pool.items():
        normal = _normal(name)
        if normal == path or normal.endswith("/" + path):
            return name, text
    base = path.rsplit("/", 1)[-1]
    matches = [(n, t) for n, t in pool.items() if _normal(n).rsplit("/", 1)[-1] == base]
    return matches[0] if len(matches) == 1 else None


def _targets(root: Any) -> Iterable[tuple[Any, str, Any]]:
    """(element holding the resource attribute, language, element to write the script into)."""
    for task in root.iter(f"{{{BPMN}}}scriptTask"):
        if task.get(f"{{{CAMUNDA_NS}}}resource"):
            yield task, (task.get("scriptFormat") or "").strip().lower(), task
    for tag in _CONDITIONS:
        for condition in root.iter(f"{{{BPMN}}}{tag}"):
            if condition.get(f"{{{CAMUNDA_NS}}}resource"):
                yield condition, language_of(condition), condition
    for script in root.iter(f"{{{CAMUNDA_NS}}}script"):
        if script.get("resource"):
            yield script, language_of(script), script


def inline_script_resources(root: Any, pool: dict[str, str]) -> dict[str, str]:
    """Write the deployed JavaScript files the diagram's scripts name into the elements (in
    place); returns the files used (name -> text) to store with the version."""
    used: dict[str, str] = {}
    for holder, language, target in list(_targets(root)):
        if not is_javascript(language):
            continue  # refused by check_script_languages, naming the language
        attribute = (
            f"{{{CAMUNDA_NS}}}resource" if holder.get(f"{{{CAMUNDA_NS}}}resource") else "resource"
        )
        found = _find(holder.get(attribute) or "", pool)
        if found is None:
            continue  # refused by check_script_languages as an outside resource not deployed
        name, text = found
        del holder.attrib[attribute]
        if etree.QName(target).localname == "scriptTask":
            script = target.find(f"{{{BPMN}}}script")
            if script is None:
                script = etree.SubElement(target, f"{{{BPMN}}}script")
            script.text = text
        else:
            target.text = text
        used[name.replace("\\", "/").rsplit("/", 1)[-1]] = text
    return used


def script_pool(files: Iterable[Any]) -> dict[str, str]:
    """The deployed script files (name -> text) among source files."""
    return {
        f.name: f.content.decode("utf-8", "replace") for f in files if is_script_resource(f.name)
    }
